package core

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

// WindowLauncher opens and closes the admin window.
type WindowLauncher interface {
	// Open spawns the window, or brings the open one to the front.
	Open(ctx context.Context) error
	IsOpen() bool
	// Close ends the window process, if any, and waits for it (briefly).
	Close()
}

// WindowBinaryName is the window's executable, installed beside the core's.
const WindowBinaryName = "modelswitch-ui"

// WindowHelperApp is the window's own bundle inside ModelSwitch.app on
// macOS (build/darwin/bundle.sh): Contents/Helpers/<this>. The core's bundle
// says LSUIElement (no Dock icon while only the tray runs); the window, a
// bundle of its own without it, gets a Dock icon and a menu bar while open.
const WindowHelperApp = "ModelSwitch Window.app"

// WindowBinary is the window executable: $MODELSWITCH_UI when set, else
// modelswitch-ui in the directory of this executable, else, inside a macOS
// .app bundle, the helper app's.
func WindowBinary() (string, error) {
	if p := os.Getenv("MODELSWITCH_UI"); p != "" {
		return p, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return windowBinaryFor(exe, runtime.GOOS, fileExists), nil
}

// windowBinaryFor finds the window beside exe, or in the helper app of the
// bundle exe lives in (…/X.app/Contents/MacOS/exe); beside is the answer
// when neither exists, so the error names the usual place.
func windowBinaryFor(exe, goos string, exists func(string) bool) string {
	name := WindowBinaryName
	if goos == "windows" {
		name += ".exe"
	}
	beside := filepath.Join(filepath.Dir(exe), name)
	if goos != "darwin" || exists(beside) {
		return beside
	}
	contents := filepath.Dir(filepath.Dir(exe))
	if filepath.Base(filepath.Dir(exe)) == "MacOS" && filepath.Base(contents) == "Contents" {
		helper := filepath.Join(contents, "Helpers", WindowHelperApp, "Contents", "MacOS", name)
		if exists(helper) {
			return helper
		}
	}
	return beside
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// windowProcess runs the window as a child process: one at a time; a second
// Open asks the running one, through its socket, to come to the front.
type windowProcess struct {
	socket, workspace string
	runDir            string // holds the window's own socket (control.WindowSocketPath)
	binary            string // "" = WindowBinary()
	log               *slog.Logger

	mu   sync.Mutex
	proc *os.Process
	done chan struct{} // closed when proc has exited
}

func (w *windowProcess) Open(context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.proc != nil {
		w.log.Info("bringing the open window to the front", "pid", w.proc.Pid)
		return control.FocusWindow(control.WindowSocketPath(w.runDir))
	}
	bin := w.binary
	if bin == "" {
		var err error
		if bin, err = WindowBinary(); err != nil {
			return err
		}
	}
	if _, err := os.Stat(bin); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the window program %s is missing: build it with `make desktop` and install it beside modelswitch", bin)
	}
	cmd := exec.Command(bin, "--socket", w.socket, "--workspace", w.workspace)
	cmd.Env = ChildEnv() // the window (WebKit) may need what the core turned off for itself
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	w.proc, w.done = cmd.Process, make(chan struct{})
	w.log.Info("window opened", "pid", cmd.Process.Pid)
	go func(done chan struct{}) {
		err := cmd.Wait()
		w.mu.Lock()
		w.proc = nil
		w.mu.Unlock()
		w.log.Info("window closed", "status", exitStatus(err))
		close(done)
	}(w.done)
	return nil
}

func exitStatus(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

func (w *windowProcess) IsOpen() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.proc != nil
}

func (w *windowProcess) Close() {
	w.mu.Lock()
	proc, done := w.proc, w.done
	w.mu.Unlock()
	if proc == nil {
		return
	}
	_ = terminate(proc)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = proc.Kill()
		<-done
	}
}
