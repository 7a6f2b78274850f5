//go:build desktop

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/modelswitch/modelswitch/app/autostart"
	"github.com/modelswitch/modelswitch/app/core"
	"github.com/modelswitch/modelswitch/app/tray"
	"github.com/modelswitch/modelswitch/frontend"
)

// noticeEnv carries a failed handover's message to the relaunched app's tray.
const noticeEnv = "MODELSWITCH_TRAY_NOTICE"

// runDesktop is the desktop shape (DESIGN §1): with a graphical session it
// runs the core with the tray on this goroutine, which is the main thread
// (systray locks it in its init), and returns the exit code; a second launch
// asks the running core to open its window and exits 0, and a launch while
// the background service serves the workspace runs a tray attached to it.
// Without a session it says so and returns handled=false, and the caller
// runs the headless core.
func runDesktop(o *options, stdout, stderr io.Writer) (handled bool, code int) {
	if ok, reason := tray.DisplayAvailable(os.Getenv); !ok {
		fmt.Fprintf(stderr, "modelswitch: no graphical session (%s); running headless, without the tray\n", reason)
		return false, 0
	}
	notice := os.Getenv(noticeEnv)
	os.Unsetenv(noticeEnv) // not for the window or anything else this process starts
	// The tray draws nothing with OpenGL, but GDK's X11 backend probes it at
	// start-up and maps Mesa's driver (libLLVM, swrast_dri): ~47 of the core's
	// ~92 MB resident (make bench, "Desktop core with the tray"). The core
	// turns it off for itself unless the user set GDK_GL; the window and a
	// relaunch get the environment as it was.
	core.SetOwnEnv("GDK_GL", "disable")
	return true, core.Main(core.MainOptions{
		Workspace: o.workspace, Host: o.host, Port: o.port, Version: version,
		Stdout: stdout, Stderr: stderr, UI: frontend.Handler(), Desktop: true,
		RunUI: func(u core.UI) {
			opts := tray.Options{Backend: u.Backend, Log: u.Log, Quit: u.Quit, Attached: u.Attached,
				Autostart: loginItem(u.Workspace), Notice: u.Notice}
			if u.Service != nil { // a nil *Background in the interface would not read as "none"
				opts.Service = u.Service
			}
			tray.Run(opts)
		},
		OnQuit:   tray.Quit,
		Service:  core.ServiceController(o.host, o.port, stdout),
		Relaunch: relaunch,
		Notice:   notice,
	})
}

// relaunch replaces this process with a new launch of the same command line
// (the last step of a handover to or from the background service): the new
// process decides afresh whether it is the desktop core or a tray attached
// to the service. It returns only when exec fails.
func relaunch(notice string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range core.ChildEnv() {
		if !strings.HasPrefix(kv, noticeEnv+"=") {
			env = append(env, kv)
		}
	}
	if notice != "" {
		env = append(env, noticeEnv+"="+notice)
	}
	return syscall.Exec(exe, os.Args, env)
}

// loginItem is "Start at login" for this executable and workspace; nil (the
// item hidden) when either is unknown.
func loginItem(workspace string) tray.Autostart {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	home, herr := os.UserHomeDir()
	if err != nil || herr != nil || workspace == "" {
		return nil
	}
	return autostart.New(home, exe, workspace, nil)
}
