package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/app/service"
	"github.com/modelswitch/modelswitch/app/service/servicetest"
)

// desktop launches Main as the desktop app does, with a fake tray: RunUI
// hands the UI to the test and blocks until OnQuit; Relaunch is recorded.
type desktop struct {
	t          *testing.T
	dir        string
	svc        func(string) (*service.Controller, error)
	uis        chan UI
	relaunches chan string
	out, errs  syncBuffer
}

func (d *desktop) launch(notice string) chan int {
	quit := make(chan struct{})
	var once sync.Once
	o := MainOptions{Workspace: d.dir, Version: "t", Stdout: &d.out, Stderr: &d.errs, Desktop: true, Window: &fakeWindow{},
		Service: d.svc, Notice: notice,
		RunUI:    func(u UI) { d.uis <- u; <-quit },
		OnQuit:   func() { once.Do(func() { close(quit) }) },
		Relaunch: func(n string) error { d.relaunches <- n; return nil },
	}
	done := make(chan int, 1)
	go func() { done <- Main(o) }()
	return done
}

func (d *desktop) ui() UI {
	d.t.Helper()
	select {
	case u := <-d.uis:
		return u
	case <-time.After(20 * time.Second):
		d.t.Fatalf("no tray came up:\n%s", d.errs.String())
		return UI{}
	}
}

func (d *desktop) exit(done chan int) (code int, notice string) {
	d.t.Helper()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		d.t.Fatalf("the launch did not end:\n%s", d.errs.String())
	}
	select {
	case notice = <-d.relaunches:
	default:
		d.t.Fatalf("the launch ended (exit %d) without relaunching:\n%s", code, d.errs.String())
	}
	return code, notice
}

// serviceRig is a fake service manager whose "service" is a real headless
// core on the workspace, started when the manager starts the unit.
type serviceRig struct {
	fake      *servicetest.Fake
	ctl       *service.Controller
	mu        sync.Mutex
	lockErrs  []error // taking the workspace lock at each service start
	done      chan int
	out, errs syncBuffer
}

func newServiceRig(t *testing.T, dir string) *serviceRig {
	home := t.TempDir()
	r := &serviceRig{}
	// A LaunchAgent: systemd units refuse workspaces under /tmp (PrivateTmp),
	// where the tests' short socket paths live.
	r.fake = servicetest.New(filepath.Join(home, "Library", "LaunchAgents", "com.modelswitch.gateway.plist"))
	r.fake.K = service.Launchd
	r.fake.OnStart = func() {
		ws := testWorkspaceAt(t, dir)
		unlock, err := ws.Lock()
		if err == nil {
			_ = unlock()
		}
		r.mu.Lock()
		r.lockErrs = append(r.lockErrs, err)
		r.done = make(chan int, 1)
		done := r.done
		r.mu.Unlock()
		go func() { done <- Main(MainOptions{Workspace: dir, Version: "svc", Stdout: &r.out, Stderr: &r.errs}) }()
	}
	r.fake.OnStop = func() { // as systemctl stop: SIGTERM, which a headless core answers keeping Claude Code
		cl := control.NewClient(control.SocketPath(filepath.Join(dir, "run")))
		defer cl.CloseIdle()
		_ = cl.Quit(context.Background(), control.QuitRequest{KeepClaudeCode: true})
		r.mu.Lock()
		done := r.done
		r.mu.Unlock()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("the service core did not stop")
		}
	}
	acct := service.Account{Name: "alice", UID: os.Getuid(), GID: os.Getgid(), Home: home}
	r.ctl = &service.Controller{Manager: r.fake, Account: acct, Out: &r.out, WaitHealthy: 15 * time.Second,
		Spec: service.Spec{Binary: "/usr/local/bin/modelswitch", Workspace: dir, Home: home}}
	return r
}

// TestDesktopServiceHandover: the tray installs the service, the desktop core
// hands the workspace over (the service starts only once the lock is free),
// the relaunched app attaches its tray to the service core, a further launch
// does not add a second tray, and removing the service brings the desktop
// core back.
func TestDesktopServiceHandover(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	r := newServiceRig(t, ws.Dir)
	d := &desktop{t: t, dir: ws.Dir, uis: make(chan UI, 1), relaunches: make(chan string, 4),
		svc: func(string) (*service.Controller, error) { return r.ctl, nil }}
	t.Setenv("MODELSWITCH_UI", "/bin/true") // a window that closes at once

	done := d.launch("")
	u := d.ui()
	if u.Attached || u.Service == nil {
		t.Fatalf("first launch: attached=%v service=%v", u.Attached, u.Service)
	}
	if st := u.Service.State(); !st.Available || st.Installed {
		t.Fatalf("before install: %+v", st)
	}
	if err := u.Service.Install(); err != nil {
		t.Fatal(err)
	}
	if code, notice := d.exit(done); code != 0 || notice != "" {
		t.Fatalf("handover: exit %d, notice %q\n%s\n%s", code, notice, d.errs.String(), r.out.String())
	}
	r.mu.Lock()
	lockErrs := append([]error(nil), r.lockErrs...)
	r.mu.Unlock()
	if len(lockErrs) != 1 || lockErrs[0] != nil {
		t.Fatalf("the service started while the workspace was locked: %v", lockErrs)
	}
	if calls := strings.Join(r.fake.Calls(), ","); !strings.Contains(calls, "Install(true)") {
		t.Errorf("manager calls %s", calls)
	}

	// The relaunch attaches to the service core.
	done = d.launch("")
	u = d.ui()
	st, err := u.Backend.Status(context.Background())
	if !u.Attached || err != nil || !st.Gateway.Running || st.Tray {
		t.Fatalf("relaunch: attached=%v status=%+v err=%v\n%s", u.Attached, st, err, d.errs.String())
	}
	if s := u.Service.State(); !s.Installed || !s.Active {
		t.Errorf("attached: service %+v", s)
	}
	// Another launch finds a tray attached already: no second tray.
	if code := Main(MainOptions{Workspace: ws.Dir, Stdout: &d.out, Stderr: &d.errs, Desktop: true,
		RunUI: func(UI) { t.Error("a second attached tray") }}); code != 0 {
		t.Errorf("third launch: exit %d\n%s", code, d.errs.String())
	}

	// Removing the service: it stops, and the app comes back as the desktop core.
	if err := u.Service.Uninstall(); err != nil {
		t.Fatal(err)
	}
	if code, notice := d.exit(done); code != 0 || notice != "" {
		t.Fatalf("uninstall: exit %d notice %q", code, notice)
	}
	if _, err := os.Stat(r.fake.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unit file left: %v", err)
	}
	done = d.launch("")
	u = d.ui()
	if st, _ := u.Backend.Status(context.Background()); u.Attached || !st.Tray || !st.Gateway.Running {
		t.Errorf("after uninstall: attached=%v %+v", u.Attached, st)
	}
	u.Quit(false)
	if code := <-done; code != 0 {
		t.Errorf("quit: exit %d", code)
	}
}

// TestDesktopServiceInstallFails: a manager that fails leaves nothing
// installed, and the relaunched desktop core shows why.
func TestDesktopServiceInstallFails(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	r := newServiceRig(t, ws.Dir)
	r.fake.Fail = map[string]error{"Install(true)": errors.New("launchctl load: Input/output error")}
	d := &desktop{t: t, dir: ws.Dir, uis: make(chan UI, 1), relaunches: make(chan string, 4),
		svc: func(string) (*service.Controller, error) { return r.ctl, nil }}
	done := d.launch("")
	if err := d.ui().Service.Install(); err != nil {
		t.Fatal(err)
	}
	code, notice := d.exit(done)
	if code != 0 || !strings.Contains(notice, "not installed") || !strings.Contains(notice, "Input/output error") {
		t.Fatalf("exit %d notice %q", code, notice)
	}
	if _, err := os.Stat(r.fake.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed install left the unit: %v", err)
	}
	done = d.launch(notice)
	u := d.ui()
	if u.Attached || u.Notice != notice {
		t.Errorf("after a failed install: attached=%v notice %q", u.Attached, u.Notice)
	}
	u.Quit(false)
	<-done
}

// TestNoServiceManager: the entry is there, unavailable, with a short reason.
func TestNoServiceManager(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	d := &desktop{t: t, dir: ws.Dir, uis: make(chan UI, 1), relaunches: make(chan string, 1),
		svc: func(string) (*service.Controller, error) {
			return nil, fmt.Errorf("%w (this system was not booted with systemd: /run/systemd/system is missing)", service.ErrNoManager)
		}}
	done := d.launch("")
	u := d.ui()
	if st := u.Service.State(); st.Available || st.Reason != "no systemd or launchd found" {
		t.Errorf("state %+v", st)
	}
	if err := u.Service.Install(); err == nil {
		t.Error("install without a manager succeeded")
	}
	u.Quit(false)
	<-done
}
