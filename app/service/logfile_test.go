package service_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLogsShowGatewayLog: --log shows the service manager's record and then
// gateway.log, where the core writes when it has no terminal; with
// gateway.log_dir set, from there.
func TestLogsShowGatewayLog(t *testing.T) {
	for _, logDir := range []string{"", "elsewhere"} {
		r := newRig(t, "ws")
		dir := filepath.Join(r.c.Spec.Workspace, "logs")
		if logDir != "" {
			dir = filepath.Join(r.c.Spec.Workspace, logDir)
			writeFile(t, filepath.Join(r.c.Spec.Workspace, "config.yaml"), "gateway: {log_dir: "+logDir+"}\n")
		}
		writeFile(t, filepath.Join(dir, "gateway.log"), `{"level":"INFO","msg":"ModelSwitch is serving"}`+"\n")
		if err := r.c.Logs(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		got := r.out.String()
		journal, file := strings.Index(got, "address already in use"), strings.Index(got, `"msg":"ModelSwitch is serving"`)
		if journal < 0 || file < journal || !strings.Contains(got, filepath.Join(dir, "gateway.log")) {
			t.Errorf("log_dir %q: --log shows\n%s", logDir, got)
		}
	}
}

// TestLogsFollowGatewayLog: --log follows what the gateway appends.
func TestLogsFollowGatewayLog(t *testing.T) {
	r := newRig(t, "ws")
	path := filepath.Join(r.c.Spec.Workspace, "logs", "gateway.log")
	writeFile(t, path, "first line\n")
	out := &lockedBuffer{}
	r.c.Out = out
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.c.Logs(ctx, true) }()
	time.Sleep(300 * time.Millisecond)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("appended while following\n")
	f.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "appended while following") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("follow ended with %v", err)
	}
	if got := out.String(); !strings.Contains(got, "first line") || !strings.Contains(got, "appended while following") {
		t.Errorf("the log was not followed:\n%s", got)
	}
}

// lockedBuffer is written by tail's output copier while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
