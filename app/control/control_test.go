package control

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeBackend records calls and answers from its fields.
type fakeBackend struct {
	mu      sync.Mutex
	calls   []string
	running bool
	route   RouteRequest
	cc      bool
	codex   CodexRequest
	lang    string
	err     error
}

func (f *fakeBackend) note(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeBackend) st() Status {
	return Status{PID: 7, Version: "test", Gateway: Gateway{Running: f.running, Address: "127.0.0.1:1"}}
}

func (f *fakeBackend) Status(context.Context) (Status, error) { f.note("status"); return f.st(), f.err }
func (f *fakeBackend) StartGateway(context.Context) (Status, error) {
	f.note("start")
	f.running = true
	return f.st(), f.err
}
func (f *fakeBackend) StopGateway(context.Context) (Status, error) {
	f.note("stop")
	f.running = false
	return f.st(), f.err
}
func (f *fakeBackend) OpenWindow(context.Context) error { f.note("open"); return f.err }
func (f *fakeBackend) Route(_ context.Context, r RouteRequest) (Status, error) {
	f.note("route")
	f.route = r
	return f.st(), f.err
}
func (f *fakeBackend) SetClaudeCode(_ context.Context, on bool) (ClaudeCode, error) {
	f.note("claudecode")
	f.cc = on
	return ClaudeCode{Enabled: on}, f.err
}
func (f *fakeBackend) SetCodex(_ context.Context, r CodexRequest) (Codex, error) {
	f.note("codex")
	f.codex = r
	return Codex{Enabled: r.Enabled, Model: r.Model}, f.err
}
func (f *fakeBackend) SetLanguage(_ context.Context, l string) error {
	f.note("lang")
	f.lang = l
	return f.err
}
func (f *fakeBackend) Quit(_ context.Context, r QuitRequest) error {
	if r.KeepCodex {
		f.note("quit-keep-codex")
	} else if r.KeepClaudeCode {
		f.note("quit-keep")
	} else {
		f.note("quit")
	}
	return f.err
}

// serve starts a Server for b on a socket in a temp dir and returns a client.
func serve(t *testing.T, b Backend, api APISource) *Client {
	t.Helper()
	path := SocketPath(t.TempDir())
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(b, api, nil)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	c := NewClient(path)
	t.Cleanup(func() {
		c.CloseIdle()
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return c
}

func TestListenPrivateAndSingle(t *testing.T) {
	path := SocketPath(t.TempDir())
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept so that Answers sees a live peer
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want 0600", fi.Mode().Perm())
	}
	_, err = Listen(path)
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("second Listen: %v, want *InUseError", err)
	}
}

func TestListenRemovesStaleSocket(t *testing.T) {
	path := SocketPath(t.TempDir())
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // a core that died: the file stays, nobody answers
	if _, err := os.Lstat(path); err != nil {
		t.Fatal("the stale socket should still exist:", err)
	}
	ln2, err := Listen(path)
	if err != nil {
		t.Fatal("stale socket not replaced:", err)
	}
	ln2.Close()
}

func TestListenRefusesNonSocket(t *testing.T) {
	path := SocketPath(t.TempDir())
	if err := os.WriteFile(path, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("Listen over a regular file: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "mine" {
		t.Error("the regular file was touched")
	}
}

func TestRoutes(t *testing.T) {
	b := &fakeBackend{}
	c := serve(t, b, nil)
	ctx := context.Background()
	st, err := c.Status(ctx)
	if err != nil || st.PID != 7 || st.Gateway.Running {
		t.Fatalf("status %+v %v", st, err)
	}
	if st, err = c.StartGateway(ctx); err != nil || !st.Gateway.Running {
		t.Fatalf("start %+v %v", st, err)
	}
	if st, err = c.StopGateway(ctx); err != nil || st.Gateway.Running {
		t.Fatalf("stop %+v %v", st, err)
	}
	if err := c.OpenWindow(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Route(ctx, RouteRequest{Model: "m", Adapter: "p", ModelName: "x"}); err != nil {
		t.Fatal(err)
	}
	if b.route != (RouteRequest{Model: "m", Adapter: "p", ModelName: "x"}) {
		t.Errorf("route %+v", b.route)
	}
	if cc, err := c.SetClaudeCode(ctx, true); err != nil || !cc.Enabled || !b.cc {
		t.Fatalf("claudecode %+v %v", cc, err)
	}
	if cx, err := c.SetCodex(ctx, CodexRequest{Enabled: true, Model: "glm-5"}); err != nil || !cx.Enabled || b.codex != (CodexRequest{Enabled: true, Model: "glm-5"}) {
		t.Fatalf("codex %+v %+v %v", cx, b.codex, err)
	}
	if err := c.SetLanguage(ctx, "zh"); err != nil || b.lang != "zh" {
		t.Fatalf("lang %q %v", b.lang, err)
	}
	if err := c.Quit(ctx, QuitRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx, QuitRequest{KeepClaudeCode: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx, QuitRequest{KeepCodex: true}); err != nil {
		t.Fatal(err)
	}
	// A bare POST /quit (curl, older clients) restores: the safe default.
	if resp, err := c.hc.Post(base+"/quit", "", nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("bare quit: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	want := "status start stop open route claudecode codex lang quit quit-keep quit-keep-codex quit"
	if got := strings.Join(b.calls, " "); got != want {
		t.Errorf("calls %q, want %q", got, want)
	}
}

func TestBadRequestsAndErrors(t *testing.T) {
	b := &fakeBackend{}
	c := serve(t, b, nil)
	ctx := context.Background()
	_, err := c.Route(ctx, RouteRequest{Model: "m"})
	if StatusOf(err) != http.StatusBadRequest {
		t.Errorf("route without adapter: %v", err)
	}
	resp, err := c.hc.Post(base+"/claudecode", "application/json", strings.NewReader(`[1]`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("non-object body: %d", resp.StatusCode)
	}
	// POST /codex needs "enabled".
	resp, err = c.hc.Post(base+"/codex", "application/json", strings.NewReader(`{"model":"m"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || b.codex.Model != "" {
		t.Errorf("codex without enabled: %d %+v", resp.StatusCode, b.codex)
	}
	b.err = Errorf(http.StatusConflict, "port 8000 is in use by nginx (pid 1)")
	_, err = c.StartGateway(ctx)
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusConflict || !strings.Contains(e.Message, "nginx") {
		t.Errorf("start error %#v", err)
	}
	b.err = errors.New("plain")
	if _, err := c.Status(ctx); StatusOf(err) != http.StatusInternalServerError || err.Error() != "plain" {
		t.Errorf("plain error %v", err)
	}
	// /api without a source answers 503 in the admin shape.
	if err := c.do(ctx, http.MethodGet, "/api/config", nil, nil); StatusOf(err) != http.StatusServiceUnavailable {
		t.Errorf("/api without source: %v", err)
	}
}

func TestAPIForwardingAddsCredential(t *testing.T) {
	var mu sync.Mutex
	var got *http.Request
	var gotBody string
	gw := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, gotBody = r, string(b)
		mu.Unlock()
		if r.URL.Path == "/api/stream" {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			for i := 0; i < 3; i++ {
				io.WriteString(w, "data: tick\n\n")
				w.(http.Flusher).Flush()
				time.Sleep(20 * time.Millisecond)
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})
	unavailable := false
	c := serve(t, &fakeBackend{}, func() (http.Handler, string, error) {
		if unavailable {
			return nil, "", errors.New("no admin key")
		}
		return gw, "sk-admin-proxy", nil
	})

	// Through the window's proxy, as the window uses it.
	proxy := c.APIProxy()
	front := &http.Server{Handler: proxy}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go front.Serve(ln)
	defer front.Close()
	url := "http://" + ln.Addr().String()

	req, _ := http.NewRequest(http.MethodPost, url+"/api/config/providers?x=1", strings.NewReader(`{"name":"p1","provider":"openai"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-forged-key-1")
	req.Header.Set("X-Api-Key", "sk-forged-key-1")
	req.Header.Set("Origin", "wails://wails")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"ok":true}` {
		t.Fatalf("forwarded answer %d %s", resp.StatusCode, body)
	}
	mu.Lock()
	if got.Method != http.MethodPost || got.URL.Path != "/api/config/providers" || got.URL.RawQuery != "x=1" {
		t.Errorf("forwarded %s %s", got.Method, got.URL)
	}
	if gotBody != `{"name":"p1","provider":"openai"}` || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("body %q type %q", gotBody, got.Header.Get("Content-Type"))
	}
	if a := got.Header.Get("Authorization"); a != "Bearer sk-admin-proxy" || got.Header.Get("X-Api-Key") != "" || got.Header.Get("Origin") != "" {
		t.Errorf("credential headers: %q %q %q", a, got.Header.Get("X-Api-Key"), got.Header.Get("Origin"))
	}
	if got.Host != "127.0.0.1" {
		t.Errorf("host %q", got.Host)
	}
	mu.Unlock()

	// Streams arrive event by event.
	resp, err = http.Get(url + "/api/stream")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := resp.Body.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "data: tick") {
		t.Errorf("first event %q %v", buf[:n], err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	unavailable = true
	resp, err = http.Get(url + "/api/config")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "no admin key") {
		t.Errorf("unavailable: %d %s", resp.StatusCode, body)
	}
}

func TestProxyWithoutCore(t *testing.T) {
	c := NewClient(filepath.Join(t.TempDir(), "none.sock"))
	srv := &http.Server{Handler: c.APIProxy()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/config")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "does not answer") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	if _, err := c.Status(context.Background()); err == nil || !strings.Contains(err.Error(), "reaching the ModelSwitch core") {
		t.Errorf("status without core: %v", err)
	}
}

func TestWindowSocket(t *testing.T) {
	path := WindowSocketPath(t.TempDir())
	if err := FocusWindow(path); err == nil {
		t.Fatal("focus without a window succeeded")
	}
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	focused := make(chan struct{}, 1)
	go ServeWindow(ln, func() { focused <- struct{}{} })
	defer ln.Close()
	if err := FocusWindow(path); err != nil {
		t.Fatal(err)
	}
	select {
	case <-focused:
	case <-time.After(5 * time.Second):
		t.Fatal("focus not delivered")
	}
	var inUse *InUseError
	if _, err := Listen(path); !errors.As(err, &inUse) {
		t.Errorf("a second window could listen: %v", err)
	}
}
