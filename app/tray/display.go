package tray

import (
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// DisplayAvailable reports whether a graphical session can be reached, so
// that the desktop build falls back to headless instead of letting GTK abort
// the process: always true on macOS and Windows; elsewhere a Wayland
// compositor socket ($WAYLAND_DISPLAY) or an X server answering at $DISPLAY.
// reason says what was missing.
func DisplayAvailable(getenv func(string) string) (ok bool, reason string) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return true, ""
	}
	if w := getenv("WAYLAND_DISPLAY"); w != "" {
		path := w
		if !filepath.IsAbs(path) {
			path = filepath.Join(getenv("XDG_RUNTIME_DIR"), w)
		}
		if dialable("unix", path) {
			return true, ""
		}
		reason = fmt.Sprintf("WAYLAND_DISPLAY=%s does not answer; ", w)
	}
	d := getenv("DISPLAY")
	if d == "" {
		return false, reason + "neither DISPLAY nor WAYLAND_DISPLAY is set"
	}
	for _, addr := range x11Addrs(d) {
		if dialable(addr[0], addr[1]) {
			return true, ""
		}
	}
	return false, reason + fmt.Sprintf("no X server answers at DISPLAY=%s", d)
}

// x11Addrs lists where the X server of display d ("[host]:N[.S]") listens.
func x11Addrs(d string) [][2]string {
	i := strings.LastIndexByte(d, ':')
	if i < 0 {
		return nil
	}
	host, num := d[:i], d[i+1:]
	if j := strings.IndexByte(num, '.'); j >= 0 {
		num = num[:j]
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return nil
	}
	if strings.HasPrefix(host, "/") { // macOS launchd style: the path is the socket
		return [][2]string{{"unix", d}}
	}
	if host == "" || host == "unix" {
		sock := "/tmp/.X11-unix/X" + num
		return [][2]string{{"unix", "@" + sock}, {"unix", sock}}
	}
	return [][2]string{{"tcp", net.JoinHostPort(host, strconv.Itoa(6000+n))}}
}

func dialable(network, addr string) bool {
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
