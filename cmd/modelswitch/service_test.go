package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/service"
	"github.com/modelswitch/modelswitch/app/service/servicetest"
)

// serviceRun parses args as main does (its own flags plus the service flags) and runs the
// service verb.
func serviceRun(t *testing.T, args ...string) (handled bool, code int, out, errOut string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	fs := flag.NewFlagSet("modelswitch", flag.ContinueOnError)
	fs.SetOutput(&stderr)
	ws := fs.String("workspace", "", "")
	host := fs.String("host", "", "")
	port := fs.Int("port", 0, "")
	fs.Bool("start", false, "")
	sf := addServiceFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	handled, code = runServiceVerb(sf, *ws, *host, *port, &stdout, &stderr)
	return handled, code, stdout.String(), stderr.String()
}

// tempDir is a temporary directory outside /tmp, which units refuse (their PrivateTmp hides
// it): /dev/shm on Linux; elsewhere t.TempDir is not under /tmp.
func tempDir(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err != nil || !fi.IsDir() {
		return t.TempDir()
	}
	d, err := os.MkdirTemp("/dev/shm", "modelswitch-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// fakeUser makes the seams describe a non-root user with HOME in a temp dir and a fake
// service manager; it returns the fake.
func fakeUser(t *testing.T) (*servicetest.Fake, string) {
	t.Helper()
	home := tempDir(t)
	fake := servicetest.New(filepath.Join(home, ".config", "systemd", "user", "modelswitch.service"))
	saved := []any{detectManager, currentInvoker, executable, getenv, waitHealthy}
	t.Cleanup(func() {
		detectManager = saved[0].(func(service.DetectOptions) (service.Manager, error))
		currentInvoker = saved[1].(func() (service.Invoker, error))
		executable = saved[2].(func() (string, error))
		getenv = saved[3].(func(string) string)
		waitHealthy = saved[4].(time.Duration)
	})
	alice := service.Account{Name: "alice", UID: os.Getuid(), GID: os.Getgid(), Home: home}
	currentInvoker = func() (service.Invoker, error) { return service.Invoker{EUID: 1000, Current: alice}, nil }
	detectManager = func(service.DetectOptions) (service.Manager, error) { return fake, nil }
	executable = func() (string, error) { return "/usr/local/bin/modelswitch", nil }
	getenv = func(string) string { return "" }
	waitHealthy = 0
	return fake, home
}

func TestNoServiceVerbIsNotHandled(t *testing.T) {
	fakeUser(t)
	if handled, _, _, _ := serviceRun(t, "--start", "--port", "9000"); handled {
		t.Error("plain --start was handled as a service verb")
	}
}

func TestServiceFlagMistakes(t *testing.T) {
	fakeUser(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--install", "--uninstall"}, "choose one of --install, --uninstall"},
		{[]string{"--install", "--start"}, "cannot be combined with --install"},
		{[]string{"--system"}, "go with a service verb"},
		{[]string{"--json"}, "go with a service verb"},
		{[]string{"--json", "--install"}, "--json goes with --status"},
		{[]string{"--linger", "--status"}, "--linger goes with --install"},
		{[]string{"--linger", "--install", "--system"}, "--linger is for user units"},
	} {
		handled, code, _, errOut := serviceRun(t, tc.args...)
		if !handled || code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: handled %v, code %d, stderr %q; want 2 and %q", tc.args, handled, code, errOut, tc.want)
		}
	}
}

func TestRootIsRefusedUnlessAllowed(t *testing.T) {
	fakeUser(t)
	currentInvoker = func() (service.Invoker, error) {
		return service.Invoker{EUID: 0, Current: service.Account{Name: "root", Home: t.TempDir()}}, nil
	}
	if _, code, _, errOut := serviceRun(t, "--install", "--system"); code != 2 || !strings.Contains(errOut, "--allow-root") {
		t.Errorf("root --install: code %d, %q", code, errOut)
	}
	_, code, out, errOut := serviceRun(t, "--print-unit", "--system", "--allow-root")
	if code != 0 || !strings.Contains(errOut, "WARNING") || !strings.Contains(out, "User=root") {
		t.Errorf("root --print-unit --allow-root: code %d, out %q, err %q", code, out, errOut)
	}
}

func TestSudoInstallTargetsTheInvokingUser(t *testing.T) {
	fakeUser(t)
	aliceHome := tempDir(t)
	currentInvoker = func() (service.Invoker, error) {
		return service.Invoker{EUID: 0, SudoUser: "alice", Current: service.Account{Name: "root", Home: "/root"},
			Lookup: func(string) (service.Account, error) {
				return service.Account{Name: "alice", UID: 1000, GID: 1000, Home: aliceHome}, nil
			}}, nil
	}
	_, code, out, errOut := serviceRun(t, "--print-unit", "--system")
	if code != 0 || !strings.Contains(out, "User=alice") || !strings.Contains(out, "--workspace "+filepath.Join(aliceHome, ".modelswitch")) {
		t.Errorf("sudo --print-unit --system: code %d, err %q\n%s", code, errOut, out)
	}
	if _, code, _, errOut := serviceRun(t, "--install"); code != 2 || !strings.Contains(errOut, "without sudo") {
		t.Errorf("sudo --install (user unit): code %d, %q", code, errOut)
	}
}

func TestInstallStatusUninstallWithAFakeManager(t *testing.T) {
	fake, home := fakeUser(t)
	ws := filepath.Join(home, "Mes modèles")
	port := strconv.Itoa(freePort(t))
	_, code, out, errOut := serviceRun(t, "--install", "--workspace", ws, "--port", port)
	if code != 0 || !strings.Contains(out, "Installed fake unit") {
		t.Fatalf("--install: code %d, out %q, err %q", code, out, errOut)
	}
	unit, err := os.ReadFile(fake.UnitPath())
	if err != nil || !strings.Contains(string(unit), `--workspace "`+ws+`" --port `+port) {
		t.Errorf("unit file: %v\n%s", err, unit)
	}
	if _, code, out, _ := serviceRun(t, "--install", "--workspace", ws, "--port", port); code != 0 || !strings.Contains(out, "already installed (unchanged)") {
		t.Errorf("second --install: %d %q", code, out)
	}
	_, code, out, _ = serviceRun(t, "--status", "--json")
	if code != 0 || !strings.Contains(out, `"installed": true`) || !strings.Contains(out, `"workspace": "`+ws+`"`) ||
		!strings.Contains(out, `"address": "http://127.0.0.1:`+port+`"`) {
		t.Errorf("--status --json: %d\n%s", code, out)
	}
	if _, code, out, _ := serviceRun(t, "--uninstall"); code != 0 || !strings.Contains(out, "Removed") {
		t.Errorf("--uninstall: %d %q", code, out)
	}
	if _, code, out, _ := serviceRun(t, "--uninstall"); code != 0 || !strings.Contains(out, "not installed") {
		t.Errorf("second --uninstall: %d %q", code, out)
	}
	if _, code, _, errOut := serviceRun(t, "--stop"); code != 1 || !strings.Contains(errOut, "not installed") {
		t.Errorf("--stop when not installed: %d %q", code, errOut)
	}
}

func TestNoServiceManagerIsAClearFailure(t *testing.T) {
	fakeUser(t)
	detectManager = func(service.DetectOptions) (service.Manager, error) {
		return nil, service.ErrNoManager
	}
	for _, verb := range []string{"--install", "--status", "--uninstall", "--log"} {
		if _, code, out, errOut := serviceRun(t, verb); code != 1 || !strings.Contains(errOut, "no systemd or launchd found") || out != "" {
			t.Errorf("%s without a manager: code %d, out %q, err %q", verb, code, out, errOut)
		}
	}
}

// TestRealDetectionWithoutSystemd runs the real detection where there is no systemd (this
// container): a clear failure, never a silent success.
func TestRealDetectionWithoutSystemd(t *testing.T) {
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		t.Skip("this machine runs systemd; TestNoServiceManagerIsAClearFailure covers the message")
	}
	_, home := fakeUser(t)
	detectManager = service.Detect
	_, code, _, errOut := serviceRun(t, "--install", "--workspace", filepath.Join(home, "ws"))
	if code != 1 || !strings.Contains(errOut, "no systemd or launchd found") {
		t.Errorf("--install: code %d, %q", code, errOut)
	}
}
