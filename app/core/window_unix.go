//go:build unix

package core

import (
	"os"
	"syscall"
)

// terminate asks the window to close the way its close button does (Wails
// handles SIGTERM with its normal shutdown).
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }
