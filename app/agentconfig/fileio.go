package agentconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrSymlink, ErrReadOnly and ErrChanged classify refusals to write a
// configuration file; the returned errors wrap them and explain the situation.
var (
	ErrSymlink  = errors.New("the file is a symbolic link")
	ErrReadOnly = errors.New("the file is read-only")
	ErrChanged  = errors.New("the file changed while ModelSwitch was editing it")
)

// File is a configuration file as read from disk.
type File struct {
	Exists bool
	Text   []byte
	Mode   fs.FileMode // permission bits; 0600 for a file still to be created
}

// Snapshot is a file's existence and content, as a switch records it.
type Snapshot struct {
	Exists bool   `json:"exists"`
	Text   []byte `json:"text,omitempty"`
}

// Read reads path, following a symbolic link; a missing file is a File
// that does not exist. Anything but a regular file is an error.
func Read(path string) (File, error) { return read(path, false, "") }

// ReadForWrite reads path for a switch that is going to change it: it
// refuses a symbolic link (ErrSymlink), a non-regular file and a file
// without the owner's write bit (ErrReadOnly), so that nothing is changed
// behind a choice the user made. manual says what to set by hand instead
// (e.g. "set env.ANTHROPIC_BASE_URL and env.ANTHROPIC_AUTH_TOKEN by hand").
func ReadForWrite(path, manual string) (File, error) { return read(path, true, manual) }

func read(path string, forWrite bool, manual string) (File, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return File{Mode: 0o600}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("reading %s: %w", path, err)
	}
	if forWrite && fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return File{}, fmt.Errorf("%w: %s points to %s; ModelSwitch does not write through links "+
			"(the target is often a dotfiles file under version control, and the switch would put an API key in it); "+
			"replace the link with a regular file, or %s", ErrSymlink, path, target, manual)
	}
	if fi.Mode()&fs.ModeSymlink == 0 && !fi.Mode().IsRegular() {
		return File{}, fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
	}
	if forWrite && fi.Mode().Perm()&0o200 == 0 {
		return File{}, fmt.Errorf("%w: %s has mode %04o; ModelSwitch leaves a read-only file alone, "+
			"make it writable (chmod u+w) to let the switch edit it", ErrReadOnly, path, fi.Mode().Perm())
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("reading %s: %w", path, err)
	}
	return File{Exists: true, Text: text, Mode: fi.Mode().Perm()}, nil
}

// unchanged re-reads path and fails with ErrChanged unless it still is f:
// the last check before a rename, so that an edit made by the tool or the
// user while the switch was working is not overwritten.
func unchanged(path string, f File) error {
	now, err := Read(path)
	if err != nil {
		return err
	}
	if now.Exists != f.Exists || !bytes.Equal(now.Text, f.Text) {
		return fmt.Errorf("%w (%s); nothing written, try again", ErrChanged, path)
	}
	return nil
}

// BeforeRename is a test hook: when set, WriteAtomic calls it just before
// its last check, so a test can change the file "concurrently". It is nil
// outside tests.
var BeforeRename func(path string)

// WriteAtomic replaces path with data through a temporary file in the same
// directory (fsync, then rename), giving it mode. It first checks that the
// file still is was (ErrChanged otherwise); a missing directory is created
// with mode 0700.
func WriteAtomic(path string, data []byte, mode fs.FileMode, was File) (err error) {
	dir := filepath.Dir(path)
	if !was.Exists {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s (is the directory read-only?); %s left unchanged: %w", dir, path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if BeforeRename != nil {
		BeforeRename(path)
	}
	if err = unchanged(path, was); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// Remove deletes path (restoring "there was no file"), after checking that
// it is still was.
func Remove(path string, was File) error {
	if err := unchanged(path, was); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename durable; directories cannot be synced on Windows.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
