//go:build unix

package control

import (
	"sync"
	"syscall"
)

// umaskMu serializes withUmask: two overlapping calls would otherwise restore
// each other's mask out of order and leave the process at 077 for good.
var umaskMu sync.Mutex

// withUmask runs f with the process's umask set to mask, then puts the old
// one back. The umask belongs to the process, not the goroutine, so anything
// another goroutine creates meanwhile gets it too. That is acceptable because
// the window is one bind(2) long and a umask only ever removes permission
// bits: a file created in it is at worst more private than asked (a log or a
// directory 0700 instead of 0755), never less. Code that needs an exact mode
// chmods after creating, as the unit file writer does.
func withUmask(mask int, f func() error) error {
	umaskMu.Lock()
	defer umaskMu.Unlock()
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	return f()
}
