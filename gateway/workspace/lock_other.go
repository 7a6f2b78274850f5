//go:build !unix

package workspace

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// lockFile is a best-effort stand-in where flock(2) is missing: it holds run/core.lock open
// and removes it on unlock, refusing when the file exists. A crash leaves a stale lock, which
// the error message tells the user about. ModelSwitch targets Linux and macOS.
func lockFile(path, dir string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
	if errors.Is(err, os.ErrExist) {
		return nil, &LockedError{Dir: dir, PID: readPID(path)}
	}
	if err != nil {
		return nil, fmt.Errorf("creating the workspace lock: %w", err)
	}
	if _, err := f.WriteString(strconv.Itoa(os.Getpid()) + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("writing the pid to %s: %w", path, err)
	}
	var once sync.Once
	var uerr error
	return func() error {
		once.Do(func() {
			uerr = f.Close()
			if rerr := os.Remove(path); uerr == nil {
				uerr = rerr
			}
		})
		return uerr
	}, nil
}
