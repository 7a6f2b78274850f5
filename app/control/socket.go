package control

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"
)

// InUseError says that a live process answers on the control socket.
type InUseError struct{ Path string }

func (e *InUseError) Error() string {
	return fmt.Sprintf("control socket %s is in use by a running ModelSwitch core", e.Path)
}

// Listen listens on the unix socket path with mode 0600. A socket file left
// by a core that died is removed first, but only after checking that nobody
// answers on it (*InUseError otherwise); a file there that is not a socket is
// never removed.
func Listen(path string) (net.Listener, error) {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&fs.ModeSocket == 0:
		return nil, fmt.Errorf("%s exists and is not a socket; move it away", path)
	case err == nil:
		if Answers(path, 500*time.Millisecond) {
			return nil, &InUseError{Path: path}
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("removing the stale control socket: %w", err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("checking the control socket: %w", err)
	}
	ln, err := bindPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("listening on the control socket %s: %w", path, err)
	}
	// bindPrivate created the socket owner-only already; the chmod is the
	// second guard, for a platform where bind ignores the umask.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("making the control socket private: %w", err)
	}
	return ln, nil
}

// bindPrivate listens on the unix socket path, which bind(2) creates with
// mode 0777 minus the umask: under a umask of 077 it is born 0700, so only
// its owner can connect from the first instant, with no window before the
// chmod whatever the mode of the directory (Open makes the workspace's run/
// 0700 as well, but each guard should hold on its own).
func bindPrivate(path string) (net.Listener, error) {
	var ln net.Listener
	err := withUmask(0o077, func() error {
		var err error
		ln, err = net.Listen("unix", path)
		return err
	})
	return ln, err
}

// Answers reports whether something accepts connections on the unix socket path.
func Answers(path string, timeout time.Duration) bool {
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
