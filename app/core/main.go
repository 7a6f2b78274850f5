package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/app/service"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/logs"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// MainOptions are the command line's choices for Main.
type MainOptions struct {
	Workspace string // --workspace; "" = $MODELSWITCH_WORKSPACE, else ~/.modelswitch
	Host      string
	Port      int
	Version   string
	Stdout    io.Writer
	Stderr    io.Writer
	UI        http.Handler // the admin SPA
	// Desktop: a launch that finds a core already serving the workspace asks
	// it to open its window and exits 0; a gateway that cannot start (busy
	// port, invalid config.yaml) leaves the core running so the tray and the
	// window can say why and start it later.
	Desktop bool
	// RunUI, when set, runs on the calling goroutine (the main thread: the
	// tray's GUI loop) and returns when the tray has quit (OnQuit ends it).
	// Without it Main waits for SIGINT/SIGTERM or POST /quit.
	RunUI func(u UI)
	// Service returns the background service's controller for the workspace
	// (ServiceController), or why there is none; nil: the tray offers no
	// "Run as a background service".
	Service func(workspaceDir string) (*service.Controller, error)
	// Relaunch replaces this process with a new launch of the app, which
	// ends a handover to or from the background service; notice is for the
	// new tray. It returns only on failure.
	Relaunch func(notice string) error
	// Notice is shown on the tray's status line for a while after start.
	Notice string
	// OnQuit runs once the core has stopped everything (the tray ends its loop there).
	OnQuit func()
	// Window overrides how the admin window is opened (tests).
	Window WindowLauncher
}

// Main runs a core for the workspace: lock, config, logs, database, control
// channel, gateway; then the UI or a signal wait. Exit codes: 0 ok (also a
// desktop launch that handed over to the running core), 1 runtime failure,
// 2 bad workspace or configuration.
//
// A desktop launch whose workspace is served by the background service
// starts the service if it is installed but stopped, then runs a tray
// attached to it (attach). What the tray asked for on its way out (a
// handover to or from the service) runs last, once every file, lock and
// listener of this core is closed.
func Main(o MainOptions) int {
	if applyGCDefaults(os.Getenv) {
		defer followHeap(time.Second)()
	}
	code, bg := runCore(o)
	if next := bg.pending(); next != nil {
		return next()
	}
	return code
}

// runCore is Main up to its cleanup; the Background it returns holds what
// the tray asked to run afterwards.
func runCore(o MainOptions) (int, *Background) {
	var bg *Background
	fail := func(code int, format string, args ...any) (int, *Background) {
		fmt.Fprintf(o.Stderr, "modelswitch: "+format+"\n", args...)
		return code, nil
	}
	dir, err := workspace.Resolve(o.Workspace)
	if err != nil {
		return fail(2, "%v", err)
	}
	ws, first, err := workspace.Open(dir)
	if err != nil {
		return fail(1, "%v", err)
	}
	if o.Desktop && o.RunUI != nil && o.Service != nil {
		ctl, err := o.Service(ws.Dir)
		if err != nil {
			fmt.Fprintf(o.Stderr, "modelswitch: no background service offered: %v\n", err)
		}
		bg = newBackground(ws.Dir, ctl, err)
		bg.startIfInstalled(ws, o)
	}
	unlock, err := ws.Lock()
	if err != nil {
		var le *workspace.LockedError
		if errors.As(err, &le) && o.Desktop {
			if code, ok := attach(ws, o, bg); ok {
				return code, bg
			}
		}
		return fail(1, "%v", err)
	}
	defer unlock()
	if first != nil {
		showFirstRun(o, ws, first)
	}
	cfg, warnings, cfgErr := config.Load(ws.ConfigPath)
	if cfgErr != nil && !o.Desktop {
		return fail(2, "configuration %s is invalid:\n%v", ws.ConfigPath, cfgErr)
	}
	// The console copy of the log only where a person watches it: under
	// systemd or launchd stderr is the journal or a file, which would hold
	// every line a second time (issue 16: ~5 % of the CPU at load); there
	// `--log` reads gateway.log instead.
	lopts := logs.Options{Dir: ws.LogDir}
	if workspace.IsTerminal(o.Stderr) {
		lopts.Console = o.Stderr
	}
	if cfg != nil {
		g := cfg.Gateway
		lopts.Dir, lopts.Level, lopts.MaxBytes, lopts.Backups = g.LogDir, g.SlogLevel(), g.LogMaxBytes, g.LogBackupCount
		if !filepath.IsAbs(lopts.Dir) {
			lopts.Dir = filepath.Join(ws.Dir, lopts.Dir)
		}
	}
	lg, err := logs.Setup(lopts)
	if err != nil {
		return fail(1, "setting up logs: %v", err)
	}
	defer lg.Close()
	log := lg.Logger
	for _, w := range warnings {
		log.Warn("config: " + w.String())
	}
	warnExposure(log, ws)
	if cfgErr != nil {
		log.Error("configuration is invalid; the gateway stays stopped until it is fixed", "path", ws.ConfigPath, "err", cfgErr)
	}
	db, err := store.Open(filepath.Join(ws.DataDir, store.FileName))
	if err != nil {
		return fail(1, "%v", err)
	}
	defer db.Close()

	c, err := New(Options{Workspace: ws, Host: o.Host, Port: o.Port, Version: o.Version, Log: log, Logs: lg, DB: db,
		UI: o.UI, OnQuit: o.OnQuit, Window: o.Window, Tray: o.RunUI != nil})
	if err != nil {
		return fail(1, "%v", err)
	}
	// Signals are caught before the gateway answers: a supervisor (or a test)
	// that sends SIGTERM as soon as /health answers must get a clean quit, not
	// the default action that kills the process mid-start.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	gwErr, err := c.Start()
	if err != nil {
		return fail(1, "%v", err)
	}
	if gwErr != nil && !o.Desktop {
		c.Shutdown()
		return fail(1, "%v", gwErr)
	}
	if st, _ := c.Status(context.Background()); st.Gateway.Running {
		log.Info("ModelSwitch is serving", "version", o.Version, "address", st.Gateway.BaseURL, "workspace", ws.Dir,
			"control", c.SocketPath(), "models", len(st.Models))
	} else {
		log.Warn("ModelSwitch core is up; the gateway is stopped", "version", o.Version, "reason", st.Gateway.Error,
			"workspace", ws.Dir, "control", c.SocketPath())
	}

	watched := make(chan struct{})
	go func() { // ends when the core has quit, so nothing logs after the logs close
		defer close(watched)
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGHUP {
					log.Info("SIGHUP: reloading the configuration")
					c.Reload()
					continue
				}
				log.Info("signal received: quitting", "signal", sig.String())
				// A signal cannot ask. The desktop restores Claude Code and
				// Codex, as a quit that was not asked would; a headless core
				// (the service, which systemd stops and restarts) keeps them,
				// so a restart does not silently switch them off.
				_ = c.Quit(context.Background(), keepAgents(!o.Desktop))
			case <-c.Done():
				return
			}
		}
	}()
	if o.RunUI != nil {
		if bg != nil && bg.ctl != nil {
			bg.install = func() error {
				// Hand the workspace over: quit, keeping Claude Code and
				// Codex on the gateway the service will serve; the rest runs
				// after Main's cleanup (installAfterQuit).
				log.Info("handing the workspace over to the background service")
				bg.then(func() int { return bg.installAfterQuit(o) })
				return c.Quit(context.Background(), keepAgents(true))
			}
		}
		o.RunUI(UI{Backend: c, Log: log, Workspace: ws.Dir, Service: bg, Notice: o.Notice,
			Quit: func(keep bool) { _ = c.Quit(context.Background(), keepAgents(keep)) }})
	} else {
		<-c.Done()
	}
	c.Shutdown()
	<-watched
	log.Info("ModelSwitch stopped")
	return 0, bg
}

// showFirstRun tells the user about the new admin key: printed on a terminal, saved to a
// 0600 file in the workspace when stdout is the journal (workspace.ShowFirstRun).
func showFirstRun(o MainOptions, ws *workspace.Workspace, first *workspace.FirstRun) {
	if _, err := ws.ShowFirstRun(o.Stdout, first); err != nil {
		fmt.Fprintf(o.Stderr, "modelswitch: showing the first-run admin key: %v\n", err)
	}
	fmt.Fprintf(o.Stdout, "Add your providers and models to config.yaml; clients use the key as their API key.\n\n")
}

// warnExposure logs what leaves the workspace open to other users: directories Open could not
// make private and a config.yaml others can read (the UI shows the latter too).
func warnExposure(log *slog.Logger, ws *workspace.Workspace) {
	for _, w := range ws.Exposure() {
		log.Warn("workspace: " + w)
	}
}

// handOver asks the core that holds the workspace to open its window (a
// desktop launch), then the launch exits 0. ok is false when nothing answers
// on the control socket; then the lock error is the message, as it is for a
// headless launch.
func handOver(ws *workspace.Workspace, o MainOptions) (code int, ok bool) {
	cl := control.NewClient(control.SocketPath(ws.RunDir))
	defer cl.CloseIdle()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := cl.Status(ctx)
	if err != nil {
		return 0, false
	}
	if err := cl.OpenWindow(ctx); err != nil {
		fmt.Fprintf(o.Stderr, "modelswitch: ModelSwitch is already running (pid %d) but could not open its window: %v\n", st.PID, err)
		return 1, true
	}
	fmt.Fprintf(o.Stdout, "ModelSwitch is already running for %s (pid %d); asked it to open its window.\n", ws.Dir, st.PID)
	return 0, true
}
