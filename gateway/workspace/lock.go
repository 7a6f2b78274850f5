package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockedError says that another core holds the workspace lock.
type LockedError struct {
	Dir string
	PID int // 0 when the holder's pid could not be read
}

func (e *LockedError) Error() string {
	holder := "another ModelSwitch core"
	if e.PID > 0 {
		holder += fmt.Sprintf(" (pid %d)", e.PID)
	}
	return fmt.Sprintf("workspace %s is already in use by %s; stop it first or use --workspace to pick another", e.Dir, holder)
}

// LockPath is the lock file of the workspace.
func (w *Workspace) LockPath() string { return filepath.Join(w.RunDir, "core.lock") }

// Lock takes the workspace's exclusive lock without waiting, and writes our pid into the lock
// file for the benefit of the next one to try. It fails with *LockedError if another process
// holds it. The lock lasts until unlock is called or the process exits (the kernel drops it
// even after kill -9, so there are no stale locks to clean up). The file is left in place:
// removing it would let two processes lock two different files of the same name.
func (w *Workspace) Lock() (unlock func() error, err error) {
	return lockFile(w.LockPath(), w.Dir)
}

func readPID(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid < 0 {
		return 0
	}
	return pid
}
