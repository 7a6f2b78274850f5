package tray

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

type fakeService struct {
	mu    sync.Mutex
	st    control.ServiceState
	calls []string
	err   error
}

func (f *fakeService) State() control.ServiceState { f.mu.Lock(); defer f.mu.Unlock(); return f.st }
func (f *fakeService) set(st control.ServiceState) { f.mu.Lock(); f.st = st; f.mu.Unlock() }
func (f *fakeService) Install() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "install")
	if f.err == nil {
		f.st.Installed, f.st.Active = true, true
	}
	return f.err
}
func (f *fakeService) Uninstall() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "uninstall")
	f.st.Installed, f.st.Active = false, false
	return nil
}
func (f *fakeService) callList() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, ",")
}

// TestBackgroundService: the entry installs the service when it is not
// installed and removes it when it is; the check mark follows the unit;
// without a service manager the entry is disabled and says why.
func TestBackgroundService(t *testing.T) {
	kit := &fakeKit{}
	svc := &fakeService{st: control.ServiceState{Available: true}}
	tr := New(kit, Options{Backend: &fakeBackend{st: sample()}, Log: quietLog(), Poll: time.Hour, Service: svc})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tr.Run(ctx)
	waitFor(t, func() bool { return kit.item("Run as a background service") != nil })
	item := kit.item("Run as a background service")
	if got := kit.titles(); got[len(got)-3] != "Run as a background service" || got[len(got)-2] != "---" {
		t.Errorf("menu %q", got)
	}
	if _, checked, _ := item.get(); checked {
		t.Error("checked before anything is installed")
	}
	item.click()
	waitFor(t, func() bool { _, checked, _ := item.get(); return svc.callList() == "install" && checked })

	// Installed but stopped (a failed unit, or --stop): it says so, still checked.
	svc.set(control.ServiceState{Available: true, Installed: true})
	tr.Show(sample())
	if title, checked, _ := item.get(); title != "Run as a background service (installed, not running)" || !checked {
		t.Errorf("installed, not running: %q checked=%v", title, checked)
	}
	item.click()
	waitFor(t, func() bool { _, checked, _ := item.get(); return svc.callList() == "install,uninstall" && !checked })

	// A refused install is reported on the status line.
	svc.mu.Lock()
	svc.err = errors.New("the workspace is in use by another ModelSwitch core (pid 7)")
	svc.mu.Unlock()
	item.click()
	waitFor(t, func() bool {
		title, _, _ := kit.top[2].get()
		return strings.Contains(title, "pid 7")
	})
	if _, checked, _ := item.get(); checked {
		t.Error("checked after a refused install")
	}

	// No systemd or launchd: disabled, with the reason.
	svc.set(control.ServiceState{Reason: "no systemd or launchd found"})
	tr.Show(sample())
	kit.mu.Lock()
	enabled := item.enabled
	kit.mu.Unlock()
	if title, _, _ := item.get(); enabled || title != "Run as a background service (unavailable: no systemd or launchd found)" {
		t.Errorf("unavailable: %q enabled=%v", title, enabled)
	}
	st := sample()
	st.Language = "zh"
	tr.Show(st)
	if title, _, _ := item.get(); title != "作为后台服务运行（不可用：no systemd or launchd found）" {
		t.Errorf("zh: %q", title)
	}
}

// TestNoServiceEntry: without a Service the entry is not shown at all.
func TestNoServiceEntry(t *testing.T) {
	kit := &fakeKit{}
	tr := New(kit, Options{Backend: &fakeBackend{}, Log: quietLog(), Notice: "handover failed: port taken"})
	tr.Show(sample())
	if kit.item("Run as a background service") != nil {
		t.Error("service entry shown without a service")
	}
	if title, _, _ := kit.top[2].get(); !strings.Contains(title, "handover failed: port taken") {
		t.Errorf("the start notice is not on the status line: %q", title)
	}
}
