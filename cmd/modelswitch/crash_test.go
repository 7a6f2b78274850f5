package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// The crash test runs the core in a child process: this test binary, re-run
// with MODELSWITCH_TEST_CHILD set, becomes `modelswitch` with the given args.
func init() {
	if args := os.Getenv("MODELSWITCH_TEST_CHILD"); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
}

func startChild(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MODELSWITCH_TEST_CHILD="+strings.Join(args, "\x1f"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

func waitGatewayHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway at %s never became healthy", base)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKill9UnderLoad: kill -9 while requests flow; the database opens
// afterwards with at most one batch window of usage rows missing, the config
// is intact, and the core starts again on the same workspace.
func TestKill9UnderLoad(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c","object":"chat.completion","created":1,"model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}))
	defer up.Close()
	ws := t.TempDir()
	cfgText := fmt.Sprintf("# hand-written config\nproviders:\n  - {name: p, base_url: %q}\nmodels:\n  m: {adapters: [{adapter: p, model_name: x}]}\napi_keys:\n  - {key: sk-crash-test-1}\n", up.URL+"/v1")
	cfgPath := filepath.Join(ws, "config.yaml")
	os.WriteFile(cfgPath, []byte(cfgText), 0o600)
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	args := []string{"--start", "--workspace", ws, "--port", strconv.Itoa(port)}

	child, out := startChild(t, args...)
	waitGatewayHealthy(t, base)
	send := func() bool {
		req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[]}`))
		req.Header.Set("X-Api-Key", "sk-crash-test-1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == 200
	}
	const settled = 100
	for i := 0; i < settled; i++ {
		if !send() {
			t.Fatalf("request %d failed: %s", i, out.String())
		}
	}
	time.Sleep(600 * time.Millisecond) // longer than one batch window: these rows are committed
	stop := make(chan struct{})
	go func() { // load continues while the process dies
		for {
			select {
			case <-stop:
				return
			default:
				send()
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	close(stop)
	http.DefaultClient.CloseIdleConnections()

	if b, err := os.ReadFile(cfgPath); err != nil || string(b) != cfgText {
		t.Fatalf("config changed by the crash: %v\n%s", err, b)
	}
	if _, _, err := config.Load(cfgPath); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(ws, "data", store.FileName))
	if err != nil {
		t.Fatalf("database does not open after kill -9: %v", err)
	}
	now := time.Now()
	rep, err := usage.NewQuerier(db).Summary(usage.Params{From: now.Add(-time.Hour), To: now.Add(time.Hour)})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Requests < settled {
		t.Errorf("usage rows after kill -9: %d, want at least the %d committed before it", rep.Totals.Requests, settled)
	}

	child2, out2 := startChild(t, args...)
	waitGatewayHealthy(t, base)
	if !send() {
		t.Errorf("restarted core does not serve: %s", out2.String())
	}
	child2.Process.Signal(syscall.SIGTERM)
	if err := child2.Wait(); err != nil {
		t.Errorf("restarted core did not stop cleanly: %v\n%s", err, out2.String())
	}
	http.DefaultClient.CloseIdleConnections()
}
