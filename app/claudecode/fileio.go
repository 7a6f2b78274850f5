package claudecode

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// ErrSymlink, ErrReadOnly and ErrChanged classify refusals to write
// settings.json; the returned errors wrap them and explain the situation.
var (
	ErrSymlink  = errors.New("settings.json is a symbolic link")
	ErrReadOnly = errors.New("settings.json is read-only")
	ErrChanged  = errors.New("settings.json changed while ModelSwitch was editing it")
)

// file is settings.json as read from disk.
type file struct {
	exists bool
	text   []byte
	mode   fs.FileMode // permission bits; 0600 for a file still to be created
}

// readFile reads path. With forWrite it also refuses a symbolic link, a
// non-regular file and a file without the owner's write bit, so that
// nothing is changed behind a choice the user made.
func readFile(path string, forWrite bool) (file, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return file{mode: 0o600}, nil
	}
	if err != nil {
		return file{}, fmt.Errorf("claudecode: reading %s: %w", path, err)
	}
	if forWrite && fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return file{}, fmt.Errorf("%w: %s points to %s; ModelSwitch does not write through links "+
			"(the target is often a dotfiles file under version control, and the switch would put an API token in it); "+
			"replace the link with a regular file, or set env.%s and env.%s by hand",
			ErrSymlink, path, target, KeyBaseURL, KeyAuthToken)
	}
	if fi.Mode()&fs.ModeSymlink == 0 && !fi.Mode().IsRegular() {
		return file{}, fmt.Errorf("claudecode: %s is not a regular file (%s)", path, fi.Mode().Type())
	}
	if forWrite && fi.Mode().Perm()&0o200 == 0 {
		return file{}, fmt.Errorf("%w: %s has mode %04o; ModelSwitch leaves a read-only file alone, "+
			"make it writable (chmod u+w) to let the switch edit it", ErrReadOnly, path, fi.Mode().Perm())
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return file{}, fmt.Errorf("claudecode: reading %s: %w", path, err)
	}
	return file{exists: true, text: text, mode: fi.Mode().Perm()}, nil
}

// unchanged re-reads path and fails with ErrChanged unless it still is f:
// the last check before a rename, so that an edit made by Claude Code or
// the user while the switch was working is not overwritten.
func unchanged(path string, f file) error {
	now, err := readFile(path, false)
	if err != nil {
		return err
	}
	if now.exists != f.exists || !bytes.Equal(now.text, f.text) {
		return fmt.Errorf("%w (%s); nothing written, try again", ErrChanged, path)
	}
	return nil
}

// hookBeforeRename, when set by a test, runs just before the last check.
var hookBeforeRename func(path string)

// writeAtomic replaces path with data through a temporary file in the same
// directory (fsync, then rename), giving it mode. It first checks that the
// file is still was.
func writeAtomic(path string, data []byte, mode fs.FileMode, was file) (err error) {
	dir := filepath.Dir(path)
	if !was.exists {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("claudecode: creating %s: %w", dir, err)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("claudecode: cannot write in %s (is the directory read-only?); %s left unchanged: %w", dir, path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("claudecode: %w", err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("claudecode: writing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("claudecode: syncing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("claudecode: %w", err)
	}
	if hookBeforeRename != nil {
		hookBeforeRename(path)
	}
	if err = unchanged(path, was); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("claudecode: replacing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// removeFile deletes path (restoring "there was no settings.json"), after
// checking that it is still was.
func removeFile(path string, was file) error {
	if err := unchanged(path, was); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("claudecode: removing %s: %w", path, err)
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

// backupPrefix starts every backup's name; the rest is the time of the
// backup, YYYYMMDD-HHMMSS, plus "-NNN" when that second is taken.
const backupPrefix = "settings.json.bak-"

// backups lists the backups in dir, oldest first (names sort by time).
func backups(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claudecode: listing backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), backupPrefix) {
			names = append(names, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(names)
	return names, nil
}

// nextBackupName names a backup taken at now so that it sorts after every
// existing one (names lists them, oldest first): within one second, or if
// the clock went back, it takes the newest name's stamp plus "-NNN".
func nextBackupName(names []string, now time.Time) string {
	name := backupPrefix + now.Format("20060102-150405")
	if len(names) == 0 {
		return name
	}
	last := filepath.Base(names[len(names)-1])
	if name > last {
		return name
	}
	stamp := len(backupPrefix) + len("20060102-150405")
	if len(last) < stamp {
		return name
	}
	n := 0
	if suffix := last[stamp:]; suffix != "" {
		_, _ = fmt.Sscanf(suffix, "-%d", &n)
	}
	return fmt.Sprintf("%s-%03d", last[:stamp], n+1)
}

// backup copies text into dir as a new timestamped backup (0600) and then
// deletes all but the newest keep. When the newest backup already holds
// exactly text, no copy is made and its path is returned.
func backup(dir string, text []byte, now time.Time, keep int) (string, error) {
	names, err := backups(dir)
	if err != nil {
		return "", err
	}
	if n := len(names); n > 0 {
		if last, err := os.ReadFile(names[n-1]); err == nil && bytes.Equal(last, text) {
			return names[n-1], nil
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("claudecode: creating backup directory: %w", err)
	}
	name := filepath.Join(dir, nextBackupName(names, now))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("claudecode: creating backup (nothing changed): %w", err)
	}
	_, err = f.Write(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return "", fmt.Errorf("claudecode: writing backup %s (nothing changed): %w", name, err)
	}
	if names, err = backups(dir); err == nil && len(names) > keep {
		for _, old := range names[:len(names)-keep] {
			_ = os.Remove(old)
		}
	}
	return name, nil
}
