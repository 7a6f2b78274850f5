package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/service"
	"github.com/modelswitch/modelswitch/app/service/servicetest"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// rig is a Controller on a fake manager in a temporary HOME, whose "service" serves a
// health endpoint on a free port while the fake says it runs.
type rig struct {
	c    *service.Controller
	fake *servicetest.Fake
	out  *bytes.Buffer
	home string
	port int

	mu  sync.Mutex
	srv *http.Server
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func newRig(t *testing.T, wsName string) *rig {
	t.Helper()
	home := t.TempDir()
	r := &rig{out: &bytes.Buffer{}, home: home, port: freePort(t)}
	r.fake = servicetest.New(filepath.Join(home, ".config", "systemd", "user", "modelswitch.service"))
	r.fake.OnStart, r.fake.OnStop = func() { r.serve(t) }, r.shutdown
	r.fake.Log = "listen tcp: bind: address already in use\n"
	t.Cleanup(r.shutdown)
	r.c = &service.Controller{
		Manager: r.fake,
		Spec: service.Spec{Binary: "/usr/local/bin/modelswitch", Workspace: filepath.Join(home, wsName),
			Home: home, Port: r.port},
		Account:     service.Account{Name: "alice", UID: os.Getuid(), GID: os.Getgid(), Home: home},
		Out:         r.out,
		WaitHealthy: 3 * time.Second,
	}
	return r
}

func (r *rig) serve(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/config/health", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"status":"healthy","version":"test","uptime_seconds":3}`))
	})
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", itoa(r.port)))
	if err != nil {
		t.Errorf("fake service: %v", err)
		return
	}
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
}

func (r *rig) shutdown() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		_ = srv.Shutdown(context.Background())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// unitDirEntries lists the unit directory, to catch temp files left behind.
func unitDirEntries(t *testing.T, path string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Dir(path))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestInstallTwiceIsIdempotentAndUninstallRemoves(t *testing.T) {
	r := newRig(t, "My Models 模型")
	if err := r.c.Install(); err != nil {
		t.Fatalf("install: %v\n%s", err, r.out)
	}
	path := r.fake.UnitPath()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("unit mode %v", fi.Mode())
	}
	if back, err := service.ParseSystemd(data); err != nil || back.Workspace != r.c.Spec.Workspace || back.Port != r.port {
		t.Errorf("installed unit reads back as %+v, %v", back, err)
	}
	for _, want := range []string{"Created " + filepath.Join(r.c.Spec.Workspace, "config.yaml"), "Installed fake unit",
		"is serving http://127.0.0.1:"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("install output lacks %q:\n%s", want, r.out)
		}
	}
	if _, err := os.Stat(filepath.Join(r.c.Spec.Workspace, "config.yaml")); err != nil {
		t.Errorf("the workspace was not created: %v", err)
	}

	r.out.Reset()
	if err := r.c.Install(); err != nil {
		t.Fatalf("second install: %v\n%s", err, r.out)
	}
	if !strings.Contains(r.out.String(), "already installed (unchanged)") {
		t.Errorf("second install output:\n%s", r.out)
	}
	if got := strings.Join(r.fake.Calls(), " "); !strings.Contains(got, "Install(true)") || !strings.Contains(got, "Install(false)") {
		t.Errorf("calls: %s", got)
	}

	r.out.Reset()
	r.c.Spec.Workspace = filepath.Join(r.home, "other ws")
	if err := r.c.Install(); err != nil {
		t.Fatalf("install with another workspace: %v\n%s", err, r.out)
	}
	if !strings.Contains(r.out.String(), "Updated (workspace was "+filepath.Join(r.home, "My Models 模型")+")") {
		t.Errorf("update output:\n%s", r.out)
	}
	if names := unitDirEntries(t, path); len(names) != 1 {
		t.Errorf("unit directory holds %v, want only the unit", names)
	}

	r.out.Reset()
	if err := r.c.Uninstall(); err != nil {
		t.Fatalf("uninstall: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unit still there: %v", err)
	}
	if !strings.Contains(r.out.String(), "Removed fake unit") || !strings.Contains(r.out.String(), "left in place") {
		t.Errorf("uninstall output:\n%s", r.out)
	}
	r.out.Reset()
	if err := r.c.Uninstall(); err != nil || !strings.Contains(r.out.String(), "not installed") {
		t.Errorf("uninstall when not installed: %v\n%s", err, r.out)
	}
}

func TestInstallRefusesATakenPortWithoutWritingAnything(t *testing.T) {
	r := newRig(t, "ws")
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", itoa(r.port)))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = r.c.Install()
	if err == nil || !strings.Contains(err.Error(), "already in use by another process") || !strings.Contains(err.Error(), "nothing was installed") {
		t.Fatalf("install on a taken port: %v", err)
	}
	if names := unitDirEntries(t, r.fake.UnitPath()); len(names) != 0 {
		t.Errorf("unit directory holds %v", names)
	}
	if strings.Contains(strings.Join(r.fake.Calls(), " "), "Install") {
		t.Errorf("the manager was asked to install: %v", r.fake.Calls())
	}
}

func TestInstallRefusesAWorkspaceInUse(t *testing.T) {
	r := newRig(t, "ws")
	ws, _, err := workspace.Open(r.c.Spec.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := ws.Lock()
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	err = r.c.Install()
	if err == nil || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), "nothing was installed") {
		t.Fatalf("install with the workspace locked: %v", err)
	}
	if _, err := os.Stat(r.fake.UnitPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a unit was written: %v", err)
	}
}

func TestInstallRollsBackWhenTheManagerFails(t *testing.T) {
	r := newRig(t, "ws")
	r.fake.Fail = map[string]error{"Install(true)": errors.New("systemctl enable: boom")}
	err := r.c.Install()
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "nothing is installed") {
		t.Fatalf("install: %v", err)
	}
	if names := unitDirEntries(t, r.fake.UnitPath()); len(names) != 0 {
		t.Errorf("unit directory holds %v", names)
	}

	// An update that fails restores the previous unit.
	r.fake.Fail = nil
	if err := r.c.Install(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(r.fake.UnitPath())
	r.fake.Fail = map[string]error{"Install(true)": errors.New("boom")}
	r.c.Spec.Port = freePort(t)
	if err := r.c.Install(); err == nil || !strings.Contains(err.Error(), "restored") {
		t.Fatalf("failed update: %v", err)
	}
	if after, _ := os.ReadFile(r.fake.UnitPath()); !bytes.Equal(before, after) {
		t.Errorf("unit not restored:\n%s", after)
	}
}

func TestInstallReportsAServiceThatDoesNotAnswer(t *testing.T) {
	r := newRig(t, "ws")
	r.fake.OnStart = nil // "starts" but serves nothing
	r.c.WaitHealthy = 300 * time.Millisecond
	err := r.c.Install()
	if err == nil || !strings.Contains(err.Error(), "is not serving") {
		t.Fatalf("install: %v", err)
	}
	if !strings.Contains(r.out.String(), "address already in use") {
		t.Errorf("the log tail is missing:\n%s", r.out)
	}
	if _, err := os.Stat(r.fake.UnitPath()); err != nil {
		t.Errorf("the (valid) unit should stay installed: %v", err)
	}
}

func TestInstallWithLinger(t *testing.T) {
	r := newRig(t, "ws")
	r.c.Linger = true
	if err := r.c.Install(); err != nil {
		t.Fatal(err)
	}
	if got := r.fake.Lingers(); len(got) != 1 || got[0] != "alice" {
		t.Errorf("lingers: %v", got)
	}
}

func TestVerbsNeedAnInstalledService(t *testing.T) {
	r := newRig(t, "ws")
	for name, verb := range map[string]func() error{"start": r.c.Start, "stop": r.c.Stop, "restart": r.c.Restart} {
		var ni *service.NotInstalledError
		if err := verb(); !errors.As(err, &ni) || !strings.Contains(err.Error(), "modelswitch --install") {
			t.Errorf("%s when not installed: %v", name, err)
		}
	}
}

func TestStatusAndControl(t *testing.T) {
	r := newRig(t, "ws")
	if err := r.c.Status(false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.out.String(), "Installed: no") {
		t.Errorf("status before install:\n%s", r.out)
	}
	if err := r.c.Install(); err != nil {
		t.Fatal(err)
	}
	r.out.Reset()
	if err := r.c.Status(false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Installed: yes (" + r.fake.UnitPath(), "Enabled:   yes", "pid 4242",
		"Workspace: " + r.c.Spec.Workspace, "Address:   http://127.0.0.1:" + itoa(r.port), "Health:    healthy (version test"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, r.out)
		}
	}
	if err := r.c.Stop(); err != nil {
		t.Fatal(err)
	}
	r.out.Reset()
	if err := r.c.Status(true); err != nil {
		t.Fatal(err)
	}
	var rep service.Report
	if err := json.Unmarshal(r.out.Bytes(), &rep); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.out)
	}
	if !rep.Installed || rep.Active || rep.Health.OK || rep.Workspace != r.c.Spec.Workspace || rep.PID != 0 {
		t.Errorf("status --json after stop: %+v", rep)
	}
	r.out.Reset()
	if err := r.c.Start(); err != nil || !strings.Contains(r.out.String(), "is serving") {
		t.Errorf("start: %v\n%s", err, r.out)
	}
	if err := r.c.Restart(); err != nil {
		t.Errorf("restart: %v", err)
	}
	r.out.Reset()
	if err := r.c.Logs(context.Background(), false); err != nil || !strings.Contains(r.out.String(), "address already in use") {
		t.Errorf("logs: %v\n%s", err, r.out)
	}
}

func TestUnitWriteFailureLeavesNothing(t *testing.T) {
	r := newRig(t, "ws")
	blocker := filepath.Join(r.home, ".config")
	if err := os.WriteFile(blocker, []byte("a file where a directory should be"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.c.Install(); err == nil {
		t.Fatal("install succeeded with an unwritable unit directory")
	}
	if calls := strings.Join(r.fake.Calls(), " "); strings.Contains(calls, "Install") {
		t.Errorf("the manager was asked to install: %s", calls)
	}
}
