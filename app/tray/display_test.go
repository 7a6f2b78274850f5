package tray

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestX11Addrs(t *testing.T) {
	for d, want := range map[string]string{
		":0":             "unix @/tmp/.X11-unix/X0|unix /tmp/.X11-unix/X0",
		":99.0":          "unix @/tmp/.X11-unix/X99|unix /tmp/.X11-unix/X99",
		"unix:3":         "unix @/tmp/.X11-unix/X3|unix /tmp/.X11-unix/X3",
		"localhost:10.0": "tcp localhost:6010",
		"bad":            "",
		":x":             "",
	} {
		var got []string
		for _, a := range x11Addrs(d) {
			got = append(got, a[0]+" "+a[1])
		}
		if strings.Join(got, "|") != want {
			t.Errorf("x11Addrs(%q) = %q, want %q", d, got, want)
		}
	}
}

func TestDisplayAvailable(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("always available there")
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if ok, reason := DisplayAvailable(getenv); ok || !strings.Contains(reason, "neither DISPLAY nor WAYLAND_DISPLAY") {
		t.Errorf("empty env: %v %q", ok, reason)
	}
	env["DISPLAY"] = "127.0.0.1:59" // port 6059: nothing there
	if ok, reason := DisplayAvailable(getenv); ok || !strings.Contains(reason, "no X server answers at DISPLAY=127.0.0.1:59") {
		t.Errorf("dead X: %v %q", ok, reason)
	}
	dir, err := os.MkdirTemp("", "wl")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", filepath.Join(dir, "wayland-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env["WAYLAND_DISPLAY"], env["XDG_RUNTIME_DIR"] = "wayland-1", dir
	if ok, reason := DisplayAvailable(getenv); !ok {
		t.Errorf("live Wayland socket: %q", reason)
	}
}
