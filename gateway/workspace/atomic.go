package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces path with data (mode 0600) so that readers see either the old or
// the new content, never a mix: a temp file in the same directory is written, fsynced and
// renamed over path, then the directory is fsynced. A relative path is taken relative to the
// workspace directory.
func (w *Workspace) WriteFileAtomic(path string, data []byte) error {
	if !filepath.IsAbs(path) {
		path = filepath.Join(w.Dir, path)
	}
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic is the Workspace method for callers without a Workspace.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// createExclusive writes path atomically only if it does not exist; created is false (and
// nothing is changed) if it does, even when it appears while we write. The complete temp file
// is hard-linked into place, which fails if the name is taken; on file systems without hard
// links it falls back to O_EXCL on path itself.
func createExclusive(path string, data []byte) (created bool, err error) {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	switch {
	case err == nil:
		syncDir(filepath.Dir(path))
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	return createExcl(path, data)
}

func createExcl(path string, data []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("creating %s: %w", path, err)
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return false, fmt.Errorf("writing %s: %w", path, err)
	}
	return true, nil
}

// writeTemp writes data to a new 0600 file next to path, fsynced, and returns its name.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("creating a temp file for %s: %w", path, err)
	}
	name := f.Name()
	err = f.Chmod(FileMode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("writing a temp file for %s: %w", path, err)
	}
	return name, nil
}

// syncDir makes a rename or link durable; best effort, as some systems cannot fsync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
