//go:build unix

package core

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockTray takes <run>/tray.lock, held by a tray attached to the background
// service for as long as it runs, so that a second desktop launch opens the
// window instead of adding a second tray. The lock dies with the process.
func lockTray(runDir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(runDir, "tray.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
