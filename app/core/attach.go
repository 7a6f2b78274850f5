package core

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// UI is what the tray is given, whichever shape Main runs: the desktop core
// in this process, or a tray attached to the background service.
type UI struct {
	Backend   control.Backend
	Log       *slog.Logger
	Workspace string
	// Attached: the core is the background service in another process;
	// quitting ends only the tray.
	Attached bool
	// Service is the "Run as a background service" entry; nil hides it.
	Service *Background
	// Quit quits with the user's answer about the coding agents: keep
	// Claude Code and Codex on ModelSwitch, or restore their settings.
	Quit func(keepAgents bool)
	// Notice is shown on the status line for a while (a failed handover).
	Notice string
}

// attach handles a desktop launch that finds the workspace locked. When the
// core holding it runs a tray of its own, the launch asks it to open the
// window and exits 0 (single instance). When it has none — the background
// service — the launch runs a tray attached to it over the control socket,
// unless another attached tray runs already; then it brings up the window.
// ok is false when nothing answers on the control socket.
func attach(ws *workspace.Workspace, o MainOptions, bg *Background) (code int, ok bool) {
	cl := control.NewClient(control.SocketPath(ws.RunDir))
	defer cl.CloseIdle()
	st, err := statusWithin(cl, 5*time.Second)
	if err != nil {
		return 0, false
	}
	if st.Tray || o.RunUI == nil {
		return handOver(ws, o)
	}
	win := &windowProcess{socket: cl.Path(), workspace: ws.Dir, runDir: ws.RunDir, log: slog.New(slog.NewTextHandler(o.Stderr, nil))}
	release, err := lockTray(ws.RunDir)
	if err != nil { // another tray is attached: act as a second launch does
		if err := control.FocusWindow(control.WindowSocketPath(ws.RunDir)); err == nil {
			fmt.Fprintln(o.Stdout, "ModelSwitch is already running; brought its window to the front.")
			return 0, true
		}
		if err := win.Open(context.Background()); err != nil {
			fmt.Fprintf(o.Stderr, "modelswitch: opening the window: %v\n", err)
			return 1, true
		}
		return 0, true
	}
	defer release()
	var once sync.Once
	quit := func() {
		once.Do(func() {
			win.Close()
			if o.OnQuit != nil {
				o.OnQuit()
			}
		})
	}
	if bg != nil && bg.ctl != nil {
		// A core started by hand (--start) holds the workspace: Install's own
		// check refuses, saying so.
		bg.install = bg.ctl.Install
		bg.uninstall = func() error {
			if err := bg.ctl.Uninstall(); err != nil {
				return err
			}
			// The service is gone and the workspace free: come back as the
			// desktop core.
			bg.then(func() int { return relaunch(o, "") })
			quit()
			return nil
		}
	}
	fmt.Fprintf(o.Stdout, "ModelSwitch runs as a background service for %s (pid %d); this tray is attached to it.\n", ws.Dir, st.PID)
	log := slog.New(slog.NewTextHandler(o.Stderr, nil))
	o.RunUI(UI{Backend: &attached{Client: cl, win: win, quit: quit}, Log: log, Workspace: ws.Dir, Attached: true,
		Service: bg, Quit: func(bool) { quit() }, Notice: o.Notice})
	quit()
	return 0, true
}

// attached is the Backend of a tray attached to the background service:
// everything goes to the service over its control socket, except the window,
// which this process spawns because it has the graphical session (a service
// started by systemd or launchd may have no DISPLAY), and Quit, which ends
// only the tray.
type attached struct {
	*control.Client
	win  *windowProcess
	quit func()
}

func (a *attached) Status(ctx context.Context) (control.Status, error) {
	st, err := a.Client.Status(ctx)
	st.WindowOpen = a.win.IsOpen()
	return st, err
}

func (a *attached) OpenWindow(ctx context.Context) error { return a.win.Open(ctx) }

func (a *attached) Quit(context.Context, control.QuitRequest) error {
	go a.quit()
	return nil
}

func statusWithin(cl *control.Client, d time.Duration) (control.Status, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return cl.Status(ctx)
}
