//go:build desktop

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/modelswitch/modelswitch/app/autostart"
	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/app/core"
	"github.com/modelswitch/modelswitch/app/tray"
	"github.com/modelswitch/modelswitch/frontend"
)

// runDesktop is the desktop shape (DESIGN §1): with a graphical session it
// runs the core with the tray on this goroutine, which is the main thread
// (systray locks it in its init), and returns the exit code; a second launch
// asks the running core to open its window and exits 0. Without a session
// it says so and returns handled=false, and the caller runs the headless core.
func runDesktop(o *options, stdout, stderr io.Writer) (handled bool, code int) {
	if ok, reason := tray.DisplayAvailable(os.Getenv); !ok {
		fmt.Fprintf(stderr, "modelswitch: no graphical session (%s); running headless, without the tray\n", reason)
		return false, 0
	}
	return true, core.Main(core.MainOptions{
		Workspace: o.workspace, Host: o.host, Port: o.port, Version: version,
		Stdout: stdout, Stderr: stderr, UI: frontend.Handler(), Desktop: true,
		RunUI: func(c *core.Core) {
			tray.Run(tray.Options{Backend: c, Log: c.Logger(), Quit: func(keep bool) { _ = c.Quit(context.Background(), control.QuitRequest{KeepClaudeCode: keep}) },
				Autostart: loginItem(c)})
		},
		OnQuit: tray.Quit,
	})
}

// loginItem is "Start at login" for this executable and workspace; nil (the
// item hidden) when either is unknown.
func loginItem(c *core.Core) tray.Autostart {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	home, herr := os.UserHomeDir()
	st, serr := c.Status(context.Background())
	if err != nil || herr != nil || serr != nil || st.Workspace == "" {
		return nil
	}
	return autostart.New(home, exe, st.Workspace, nil)
}
