//go:build unix

package core

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

// A stand-in window: a shell script that records its arguments and waits
// for SIGTERM; "focus" is answered by a socket in the test.
const fakeUI = `#!/bin/sh
echo "$@" > "$(dirname "$0")/args"
trap 'echo term > "$(dirname "$0")/term"; exit 0' TERM
while :; do sleep 0.05; done
`

func TestWindowProcess(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "modelswitch-ui")
	if err := os.WriteFile(bin, []byte(fakeUI), 0o755); err != nil {
		t.Fatal(err)
	}
	runDir, err := os.MkdirTemp("", "mswp")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(runDir)
	w := &windowProcess{socket: "/x/control.sock", workspace: "/x", runDir: runDir, binary: bin,
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	if err := w.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if !w.IsOpen() {
		t.Fatal("not open after Open")
	}
	waitFile(t, filepath.Join(dir, "args"), "--socket /x/control.sock --workspace /x")

	// A second Open focuses through the window's socket instead of spawning.
	ln, err := control.Listen(control.WindowSocketPath(runDir))
	if err != nil {
		t.Fatal(err)
	}
	focused := make(chan struct{}, 1)
	go control.ServeWindow(ln, func() { focused <- struct{}{} })
	defer ln.Close()
	if err := w.Open(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-focused:
	case <-time.After(5 * time.Second):
		t.Fatal("second Open did not focus")
	}

	w.Close()
	if w.IsOpen() {
		t.Error("open after Close")
	}
	waitFile(t, filepath.Join(dir, "term"), "term")

	w.binary = filepath.Join(dir, "missing")
	if err := w.Open(ctx); err == nil || !strings.Contains(err.Error(), "make desktop") {
		t.Errorf("missing binary: %v", err)
	}
}

func waitFile(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.TrimSpace(string(b)) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %q, want %q", path, b, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWindowBinaryInBundle: beside the core first (make desktop's
// bin/desktop), then, on macOS, the helper app of ModelSwitch.app.
func TestWindowBinaryInBundle(t *testing.T) {
	app := "/Applications/ModelSwitch.app/Contents"
	exe := app + "/MacOS/modelswitch"
	helper := app + "/Helpers/ModelSwitch Window.app/Contents/MacOS/modelswitch-ui"
	has := func(paths ...string) func(string) bool {
		return func(p string) bool {
			for _, q := range paths {
				if p == q {
					return true
				}
			}
			return false
		}
	}
	for _, c := range []struct {
		name, exe, goos string
		exists          func(string) bool
		want            string
	}{
		{"bundle", exe, "darwin", has(helper), helper},
		{"beside wins", exe, "darwin", has(helper, app+"/MacOS/modelswitch-ui"), app + "/MacOS/modelswitch-ui"},
		{"not a bundle", "/usr/local/bin/modelswitch", "darwin", has(), "/usr/local/bin/modelswitch-ui"},
		{"linux", exe, "linux", has(helper), app + "/MacOS/modelswitch-ui"},
	} {
		if got := windowBinaryFor(c.exe, c.goos, c.exists); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
