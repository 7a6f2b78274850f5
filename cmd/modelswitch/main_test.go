package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestVersionAndFlags(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"--version"}, 0, "modelswitch dev", ""},
		{[]string{"--port", "70000"}, 2, "", "out of range"},
		{[]string{"--bogus"}, 2, "", "flag provided but not defined"},
		{[]string{"start"}, 2, "", "unexpected argument"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%v: code %d, out %q, err %q", tc.args, code, out.String(), errb.String())
		}
	}
}

func TestInvalidConfigNamesFileAndLine(t *testing.T) {
	ws := t.TempDir()
	cfg := "gateway: {port: 8000}\nmodels:\n  m:\n    adapters: [{adapter: ghost, model_name: x}]\n"
	if err := os.WriteFile(filepath.Join(ws, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"--start", "--workspace", ws}, &out, &errb)
	want := filepath.Join(ws, "config.yaml") + `:4: model "m" adapter 1 names provider "ghost"`
	if code != 2 || !strings.Contains(errb.String(), want) {
		t.Errorf("code %d, stderr %q, want %q", code, errb.String(), want)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFirstRunLockAndSignal starts the core on a new workspace: as stdout is not
// a terminal, it saves the admin key to first-admin-key.txt and prints only that
// file's path, serves, refuses a second core on the same workspace, and
// stops cleanly on SIGTERM.
func TestFirstRunLockAndSignal(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "new ws ü")
	port := freePort(t)
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"--start", "--workspace", ws, "--port", strconv.Itoa(port)}, &out, &errb) }()

	waitServing(t, port, &errb)
	// stdout is a buffer, not a terminal: the key is saved to a 0600 file in the workspace
	// and only that file's path is printed.
	keyFile := filepath.Join(ws, "first-admin-key.txt")
	if strings.Contains(out.String(), "sk-ms-") || !strings.Contains(out.String(), keyFile) {
		t.Errorf("first run on a non-terminal: want the key file %s named and no key printed: %q", keyFile, out.String())
	}
	key, err := os.ReadFile(keyFile)
	adminKey := strings.TrimSpace(string(key))
	if err != nil || !strings.HasPrefix(adminKey, "sk-ms-") {
		t.Errorf("first admin key file: %v %q", err, key)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("first admin key file: mode wanted 0600: %v %v", fi, err)
	}
	if data, err := os.ReadFile(filepath.Join(ws, "config.yaml")); err != nil || !strings.Contains(string(data), "roles: [admin]") ||
		adminKey == "" || !strings.Contains(string(data), adminKey) {
		t.Errorf("config (want the admin key from %s): %v %s", keyFile, err, data)
	}

	var out2, err2 bytes.Buffer
	if code := run([]string{"--start", "--workspace", ws, "--port", strconv.Itoa(freePort(t))}, &out2, &err2); code != 1 ||
		!strings.Contains(err2.String(), "already in use by another ModelSwitch core") {
		t.Errorf("second core: code %d, %q", code, err2.String())
	}

	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not stop the core")
	}

	// A second run prints no key: it is shown only once.
	port = freePort(t)
	var out3, err3 syncBuffer
	go func() {
		done <- run([]string{"--start", "--workspace", ws, "--port", strconv.Itoa(port)}, &out3, &err3)
	}()
	waitServing(t, port, &err3)
	if strings.Contains(out3.String(), "sk-ms-") {
		t.Errorf("key printed again: %q", out3.String())
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	<-done
}

// waitServing waits for the core to answer /health on port, and fails the test (rather
// than hanging until the go test timeout) if it does not within 10s — e.g. because it
// refused the configuration and exited. (Its log is not on errb: stderr is no terminal
// here, so the core writes gateway.log alone.)
func waitServing(t *testing.T, port int, errb *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving: %s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestSIGHUPReloads: a key added to the file works after SIGHUP.
func TestSIGHUPReloads(t *testing.T) {
	ws := t.TempDir()
	path := filepath.Join(ws, "config.yaml")
	os.WriteFile(path, []byte("models: {}\napi_keys:\n  - {key: sk-hup-first-1}\n"), 0o600)
	port := freePort(t)
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"--start", "--workspace", ws, "--port", strconv.Itoa(port)}, &out, &errb) }()
	waitServing(t, port, &errb)
	status := func(key string) int {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:"+strconv.Itoa(port)+"/v1/models", nil)
		req.Header.Set("X-Api-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status("sk-hup-second-2") != 401 {
		t.Fatal("unknown key accepted")
	}
	// Write in place without the watcher noticing a rename; SIGHUP must be enough.
	os.WriteFile(path, []byte("models: {}\napi_keys:\n  - {key: sk-hup-first-1}\n  - {key: sk-hup-second-2}\n"), 0o600)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	deadline := time.Now().Add(5 * time.Second)
	for status("sk-hup-second-2") != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload: %s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	<-done
}
