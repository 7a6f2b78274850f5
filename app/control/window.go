package control

import (
	"bufio"
	"net"
	"path/filepath"
	"strings"
	"time"
)

// The window's own socket, <workspace>/run/window.sock: the open window
// listens there, and "focus" brings it to the front. It also makes the
// window single-instance: a second one finds the socket answering, sends
// focus and exits. (A signal would be simpler, but WebKit's JavaScriptCore
// owns SIGUSR1 for its garbage collector: taking it crashes the window.)

// WindowSocketName is the window's socket in the workspace's run directory.
const WindowSocketName = "window.sock"

// WindowSocketPath is the window socket of the workspace whose run directory is runDir.
func WindowSocketPath(runDir string) string { return filepath.Join(runDir, WindowSocketName) }

// FocusWindow asks the window listening on the socket at path to come to the front.
func FocusWindow(path string) error {
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("focus\n")); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n') // "ok": the request was taken
	return err
}

// ServeWindow answers FocusWindow requests on ln by calling focus, until ln closes.
func ServeWindow(ln net.Listener, focus func()) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || strings.TrimSpace(line) != "focus" {
				return
			}
			_, _ = c.Write([]byte("ok\n"))
			focus()
		}()
	}
}
