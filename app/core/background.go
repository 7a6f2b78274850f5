package core

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/app/service"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// Background is the tray's "Run as a background service" entry: the
// app/service controller of this workspace (systemd user unit, LaunchAgent)
// and what installing or removing means for the process the tray runs in.
// Main sets the two actions for the shape it runs (docs/decisions.md,
// "Desktop ⇄ background service handover"):
//
//   - a desktop core: Install quits the core, keeping Claude Code pointed at
//     the gateway, and once Main has released the workspace lock, the port
//     and the database, installs and starts the service, then relaunches the
//     app, which attaches its tray to the service. The service is never
//     started while this process holds the lock, so systemd is never left
//     restarting a core that cannot take it.
//   - a tray attached to the service: Uninstall stops and removes the
//     service, then relaunches the app, which becomes the desktop core.
type Background struct {
	ctl    *service.Controller // nil when there is no service manager
	reason string              // why not, for the tray
	dir    string              // the workspace

	mu    sync.Mutex
	state control.ServiceState
	at    time.Time // when state was read; it is cached briefly (systemctl runs per read)
	next  func() int

	install, uninstall func() error
}

// newBackground wraps what MainOptions.Service returned for dir.
func newBackground(dir string, ctl *service.Controller, err error) *Background {
	b := &Background{ctl: ctl, dir: dir}
	if err != nil || ctl == nil {
		b.ctl, b.reason = nil, shortReason(err)
	}
	return b
}

// shortReason fits a refusal into a menu entry: the first clause of the
// error ("no systemd or launchd found"); the log has the whole text.
func shortReason(err error) string {
	if err == nil {
		return "no service manager"
	}
	if errors.Is(err, service.ErrNoManager) {
		return "no systemd or launchd found"
	}
	msg := err.Error()
	if i := strings.IndexAny(msg, ":;("); i > 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

// stateTTL bounds how stale the tray's check mark can be; systemctl is not
// run on every two-second refresh.
const stateTTL = 5 * time.Second

// State is the service as the tray shows it.
func (b *Background) State() control.ServiceState {
	if b.ctl == nil {
		return control.ServiceState{Reason: b.reason}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if time.Since(b.at) < stateTTL {
		return b.state
	}
	st := control.ServiceState{Available: true, Installed: b.serves()}
	if st.Installed {
		if ms, err := b.ctl.Manager.Status(); err == nil {
			st.Active = ms.Active
		}
	}
	b.state, b.at = st, time.Now()
	return st
}

// serves reports whether the installed unit runs this workspace.
func (b *Background) serves() bool {
	if b == nil || b.ctl == nil {
		return false
	}
	s, err := b.ctl.Installed()
	return err == nil && filepath.Clean(s.Workspace) == filepath.Clean(b.dir)
}

// Install is the entry's "on".
func (b *Background) Install() error {
	if b.ctl == nil {
		return errors.New(b.reason)
	}
	defer b.forget()
	if b.install == nil {
		return errors.New("the background service cannot be installed from here")
	}
	return b.install()
}

// Uninstall is the entry's "off".
func (b *Background) Uninstall() error {
	if b.ctl == nil {
		return errors.New(b.reason)
	}
	defer b.forget()
	if b.uninstall == nil {
		return b.ctl.Uninstall()
	}
	return b.uninstall()
}

func (b *Background) forget() {
	b.mu.Lock()
	b.at = time.Time{}
	b.mu.Unlock()
}

// then records what Main runs once the tray has quit and everything is
// closed (the second half of a handover).
func (b *Background) then(f func() int) {
	b.mu.Lock()
	b.next = f
	b.mu.Unlock()
}

func (b *Background) pending() func() int {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.next
}

// installAfterQuit is the second half of a handover from the desktop core:
// the core has quit, so the workspace lock, the port and the database are
// free and Install's own checks pass. A failure removes whatever was
// installed (nothing half-set-up keeps restarting) and the relaunched
// desktop core shows why.
func (b *Background) installAfterQuit(o MainOptions) int {
	notice := ""
	if err := b.ctl.Install(); err != nil {
		_ = b.ctl.Uninstall()
		notice = "the background service was not installed: " + err.Error()
		fmt.Fprintln(o.Stderr, "modelswitch:", notice)
	}
	return relaunch(o, notice)
}

// relaunch replaces this process with a new launch of the app.
func relaunch(o MainOptions, notice string) int {
	if o.Relaunch == nil {
		fmt.Fprintln(o.Stderr, "modelswitch: start ModelSwitch again to get its tray back")
		return 0
	}
	if err := o.Relaunch(notice); err != nil {
		fmt.Fprintf(o.Stderr, "modelswitch: could not start ModelSwitch again (%v); start it by hand\n", err)
		return 1
	}
	return 0
}

// ServiceController is MainOptions.Service for this user: the user-level
// service (systemd user unit, LaunchAgent) running this executable for the
// workspace, with the launch's --host and --port; its messages go to out.
// The error says why there is none (no service manager, running as root,
// a `go run` binary).
func ServiceController(host string, port int, out io.Writer) func(dir string) (*service.Controller, error) {
	return func(dir string) (*service.Controller, error) {
		inv, err := service.CurrentInvoker()
		if err != nil {
			return nil, err
		}
		mgr, err := service.Detect(service.DetectOptions{Account: inv.Current})
		if err != nil {
			return nil, err
		}
		acct, _, err := inv.Target(false, false)
		if err != nil {
			return nil, err
		}
		bin, err := service.Executable()
		if err != nil {
			return nil, err
		}
		return &service.Controller{Manager: mgr, Account: acct, Out: out, WaitHealthy: 15 * time.Second,
			Spec: service.Spec{Binary: bin, Workspace: dir, Home: acct.Home, Host: host, Port: port}}, nil
	}
}

// startIfInstalled makes an installed service the one serving the
// workspace: a desktop launch whose workspace has a service unit starts it
// when it is stopped, and waits for its core, so the launch attaches to it
// instead of racing it for the workspace lock (at login both start).
func (b *Background) startIfInstalled(ws *workspace.Workspace, o MainOptions) {
	if !b.serves() {
		return
	}
	if st := b.State(); !st.Active {
		fmt.Fprintln(o.Stdout, "Starting the background service that serves", ws.Dir)
		if err := b.ctl.Start(); err != nil {
			fmt.Fprintf(o.Stderr, "modelswitch: the background service did not start (%v); running the desktop core instead\n", err)
			return
		}
		b.forget()
	}
	if !waitForCore(ws.RunDir, 15*time.Second) {
		fmt.Fprintln(o.Stderr, "modelswitch: the background service does not answer on its control socket; running the desktop core instead")
	}
}

// waitForCore polls the workspace's control socket until a core answers.
func waitForCore(runDir string, within time.Duration) bool {
	cl := control.NewClient(control.SocketPath(runDir))
	defer cl.CloseIdle()
	deadline := time.Now().Add(within)
	for {
		if _, err := statusWithin(cl, time.Second); err == nil {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
