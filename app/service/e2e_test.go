package service_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/service"
)

// TestEndToEndUserSystemd installs a real systemd user unit (under a test-only name, on a free
// port, in a workspace with a space and non-ASCII), checks its health and uninstalls it. It
// needs a user systemd bus; without one it skips and says why — the fake-manager tests cover
// the logic, this covers systemd's reading of the unit.
func TestEndToEndUserSystemd(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("the end-to-end test drives systemd; this is %s", runtime.GOOS)
	}
	if testing.Short() {
		t.Skip("-short: skipping the end-to-end install")
	}
	inv, err := service.CurrentInvoker()
	if err != nil {
		t.Fatal(err)
	}
	acct := inv.Current
	name := "modelswitch-e2e-" + strconv.Itoa(os.Getpid())
	mgr, err := service.Detect(service.DetectOptions{Account: acct, Name: name})
	if err != nil {
		t.Skipf("no user systemd to install into, skipping the end-to-end test: %v", err)
	}
	// Not under /tmp: the unit's PrivateTmp would hide it from the service.
	base, err := os.MkdirTemp(acct.Home, ".modelswitch-e2e-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	bin := filepath.Join(base, "bin", "modelswitch")
	build := exec.Command("go", "build", "-o", bin, "github.com/modelswitch/modelswitch/cmd/modelswitch")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building modelswitch: %v\n%s", err, out)
	}
	var out bytes.Buffer
	c := &service.Controller{
		Manager: mgr,
		Spec: service.Spec{Name: name, Binary: bin, Workspace: filepath.Join(base, `e2e ws 模型 %h $HOME 'q'`), Home: acct.Home,
			Host: "127.0.0.1", Port: freePort(t)},
		Account:     acct,
		Out:         &out,
		WaitHealthy: 30 * time.Second,
	}
	t.Cleanup(func() {
		if err := c.Uninstall(); err != nil {
			t.Errorf("cleanup uninstall: %v", err)
		}
	})
	if err := c.Install(); err != nil {
		t.Fatalf("install: %v\n%s", err, out.String())
	}
	rep, err := c.Report()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Installed || !rep.Enabled || !rep.Active || rep.PID == 0 || !rep.Health.OK || rep.Workspace != c.Spec.Workspace {
		t.Fatalf("status after install: %+v\n%s", rep, out.String())
	}
	t.Logf("install said:\n%s", out.String())
	checkHardening(t, rep.PID, c.Spec.Workspace)
	// The service holds the lock of exactly this workspace: the quoting survived systemd.
	lock, err := os.ReadFile(filepath.Join(c.Spec.Workspace, "run", "core.lock"))
	if err != nil || strings.TrimSpace(string(lock)) != strconv.Itoa(rep.PID) {
		t.Errorf("the workspace lock holds %q (%v), want the service's pid %d", lock, err, rep.PID)
	}
	out.Reset()
	if err := c.Install(); err != nil || !strings.Contains(out.String(), "already installed (unchanged)") {
		t.Errorf("second install: %v\n%s", err, out.String())
	}
	if err := c.Restart(); err != nil {
		t.Errorf("restart: %v\n%s", err, out.String())
	}
	// A port taken while the service is down: start-service says so instead of succeeding.
	if err := c.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Spec.Port)))
	if err != nil {
		t.Fatal(err)
	}
	c.WaitHealthy = 3 * time.Second
	out.Reset()
	if err := c.Start(); err == nil || !strings.Contains(err.Error(), "is not serving") {
		t.Errorf("start with the port taken: %v\n%s", err, out.String())
	}
	t.Logf("start with the port taken said:\n%s", out.String())
	ln.Close()
	if err := c.Uninstall(); err != nil {
		t.Fatalf("uninstall: %v", err)
	}
	if rep, err := c.Report(); err != nil || rep.Installed || rep.Active {
		t.Errorf("status after uninstall: %+v, %v", rep, err)
	}
}

// checkHardening looks at the running service: no new privileges, / read-only, the
// workspace writable.
func checkHardening(t *testing.T, pid int, ws string) {
	t.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Errorf("reading the service's status: %v", err)
		return
	}
	if !strings.Contains(string(status), "NoNewPrivs:\t1") {
		t.Errorf("the service runs without NoNewPrivileges")
	}
	mounts, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/mountinfo")
	if err != nil {
		t.Errorf("reading the service's mounts: %v", err)
		return
	}
	var rootRO, wsRW bool
	for _, l := range strings.Split(string(mounts), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			continue
		}
		mnt := strings.ReplaceAll(strings.ReplaceAll(f[4], `\040`, " "), `\134`, `\\`)
		opts := "," + f[5] + ","
		rootRO = rootRO || (mnt == "/" && strings.Contains(opts, ",ro,"))
		wsRW = wsRW || (strings.HasPrefix(ws, mnt) && mnt != "/" && strings.Contains(opts, ",rw,"))
	}
	if !rootRO || !wsRW {
		t.Errorf("ProtectSystem=strict with the workspace writable is not in effect (/ read-only %v, workspace writable %v):\n%s",
			rootRO, wsRW, mounts)
	}
}
