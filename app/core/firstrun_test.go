package core

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// runMainUntilUp runs a headless Main on dir until its control channel answers, then quits it
// and returns its exit code.
func runMainUntilUp(t *testing.T, dir string, out, errb *syncBuffer) int {
	t.Helper()
	code := make(chan int, 1)
	go func() {
		code <- Main(MainOptions{Workspace: dir, Host: "127.0.0.1", Port: freePort(t), Version: "t", Stdout: out, Stderr: errb})
	}()
	cl := control.NewClient(control.SocketPath(filepath.Join(dir, "run")))
	defer cl.CloseIdle()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := cl.Status(context.Background()); err == nil {
			break
		}
		select {
		case c := <-code:
			t.Fatalf("Main exited %d before serving:\n%s", c, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the core did not come up:\n%s", errb.String())
		}
	}
	if err := cl.Quit(context.Background(), control.QuitRequest{}); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-code:
		return c
	case <-time.After(15 * time.Second):
		t.Fatal("the core did not quit")
	}
	return -1
}

// shortTempDir is a new empty directory under /tmp: unix socket paths are short.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "mscore")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Under a service stdout is the journal, not a terminal (here a buffer): the first-run admin
// key must not be written there, but saved to a 0600 file whose path is printed.
func TestMainFirstRunOffTerminalSavesKeyToFile(t *testing.T) {
	dir := shortTempDir(t)
	var out, errb syncBuffer
	if code := runMainUntilUp(t, dir, &out, &errb); code != 0 {
		t.Fatalf("exit %d:\n%s", code, errb.String())
	}
	cfg, _, err := config.Load(filepath.Join(dir, "config.yaml"))
	if err != nil || len(cfg.APIKeys) != 1 {
		t.Fatalf("first-run config: %v", err)
	}
	key := cfg.APIKeys[0].Key
	keyFile := filepath.Join(dir, workspace.FirstKeyName)
	if strings.Contains(out.String(), key) || strings.Contains(errb.String(), key) {
		t.Errorf("the admin key was printed off a terminal:\n%s%s", out.String(), errb.String())
	}
	if !strings.Contains(out.String(), keyFile) {
		t.Errorf("stdout does not say where the key is (%s):\n%s", keyFile, out.String())
	}
	if data, err := os.ReadFile(keyFile); err != nil || strings.TrimSpace(string(data)) != key {
		t.Errorf("key file: %q, %v", data, err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v, %v", fi, err)
	}
}

// A workspace made by hand, open to others: the core makes its directories private at start
// and warns, in the log, that config.yaml is readable by other users (it is not chmod'ed).
func TestMainTightensWorkspaceAndWarnsAboutConfig(t *testing.T) {
	ws, _, err := workspace.Open(shortTempDir(t)) // writes the default config
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{ws.Dir, ws.RunDir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(ws.ConfigPath, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb syncBuffer
	if code := runMainUntilUp(t, ws.Dir, &out, &errb); code != 0 {
		t.Fatalf("exit %d:\n%s", code, errb.String())
	}
	logged, _ := os.ReadFile(filepath.Join(ws.LogDir, "gateway.log"))
	if want := "config.yaml is readable by other users (mode 0644); run chmod 600 " + ws.ConfigPath; !strings.Contains(string(logged), want) {
		t.Errorf("gateway.log lacks %q:\n%s", want, logged)
	}
	for path, want := range map[string]os.FileMode{ws.Dir: 0o700, ws.RunDir: 0o700, ws.ConfigPath: 0o644} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, %v; want mode %v", path, fi.Mode().Perm(), err, want)
		}
	}
}

// TestMainConsoleCopyOnlyOnATerminal: with stderr a pipe or a file (a
// service's journal), the log goes to gateway.log alone, not twice.
func TestMainConsoleCopyOnlyOnATerminal(t *testing.T) {
	dir := shortTempDir(t)
	var out, errb syncBuffer
	if code := runMainUntilUp(t, dir, &out, &errb); code != 0 {
		t.Fatalf("exit %d:\n%s", code, errb.String())
	}
	logged, err := os.ReadFile(filepath.Join(dir, "logs", "gateway.log"))
	// "ModelSwitch stopped" is the last line of every run (the quit may come
	// before "is serving" is logged).
	if err != nil || !strings.Contains(string(logged), `"msg":"ModelSwitch stopped"`) {
		t.Fatalf("gateway.log: %v\n%s", err, logged)
	}
	if strings.Contains(errb.String(), "ModelSwitch stopped") || strings.Contains(errb.String(), "gateway listening") {
		t.Errorf("the log was copied to a stderr that is no terminal:\n%s", errb.String())
	}
}
