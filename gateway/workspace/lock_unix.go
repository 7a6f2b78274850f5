//go:build unix

package workspace

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// lockFile uses flock(2): the lock belongs to the open file description, so it conflicts with
// other processes and also with a second open of the same file in this process.
func lockFile(path, dir string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return nil, fmt.Errorf("opening the workspace lock: %w", err)
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN) {
			return nil, &LockedError{Dir: dir, PID: readPID(path)}
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := writePID(f); err != nil {
		f.Close() // closing drops the lock
		return nil, fmt.Errorf("writing the pid to %s: %w", path, err)
	}
	var once sync.Once
	var uerr error
	return func() error {
		once.Do(func() {
			uerr = flock(f, syscall.LOCK_UN)
			if cerr := f.Close(); uerr == nil {
				uerr = cerr
			}
		})
		return uerr
	}, nil
}

func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), how)
			if ferr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return ferr
}

func writePID(f *os.File) error {
	// Overwrite, then cut: a reader never sees an empty file in between.
	b := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if _, err := f.WriteAt(b, 0); err != nil {
		return err
	}
	if err := f.Truncate(int64(len(b))); err != nil {
		return err
	}
	return f.Sync()
}
