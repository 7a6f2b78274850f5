package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/store"
)

func testServer(t *testing.T, text string, db *store.DB) *Server {
	t.Helper()
	cfg, _, err := config.Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Config: cfg, DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestPanicBecomesProtocolError(t *testing.T) {
	s := testServer(t, "", nil)
	h := requestID(s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })))
	for path, shape := range map[string]string{"/v1/messages": `"type":"error"`, "/v1/chat/completions": `"type":"server_error"`, "/api/x": `"message"`} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", path, nil))
		if rec.Code != 500 || !strings.Contains(rec.Body.String(), shape) || !strings.Contains(rec.Body.String(), rec.Header().Get("X-Request-ID")) {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

func TestAccessFor(t *testing.T) {
	for _, tc := range []struct {
		path string
		want access
	}{
		{"/", public}, {"/health", public}, {"/api/config/health", public}, {"/metrics", public},
		{"/v1/chat/completions", anyKey}, {"/openai/models", anyKey}, {"/anthropic/v1/messages", anyKey},
		{"/api/usage", anyKey}, {"/api/usage/x/detail", anyKey}, {"/api/logs", anyKey}, {"/api/conversations/1", anyKey},
		{"/api/conversations/rebuild", adminOnly}, {"/api/conversations/index/stats", adminOnly}, {"/api/config", adminOnly}, {"/api/keys/k1", adminOnly},
		{"/api/usagex", adminOnly}, {"/api/config/healthz", adminOnly},
	} {
		if got := accessFor(httptest.NewRequest("GET", tc.path, nil)); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.path, got, tc.want)
		}
	}
}

// TestDailyCountersSurviveRestart: a daily limit used up before a restart is
// still used up after it.
func TestDailyCountersSurviveRestart(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[]}`)
	}))
	defer up.Close()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	text := "providers:\n  - {name: p, base_url: " + up.URL + "}\nmodels:\n  m: {adapters: [{adapter: p, model_name: x}]}\n" +
		"api_keys:\n  - {key: sk-daily-limit-1, daily_limit: 1}\n"
	ask := func(s *Server) int {
		req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[]}`))
		req.Host = "127.0.0.1"
		req.Header.Set("Authorization", "Bearer sk-daily-limit-1")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	s1 := testServer(t, text, db)
	s1.opts.Host, s1.opts.Port = "127.0.0.1", freeTCPPort(t)
	if _, err := s1.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s1.Run(ctx) }()
	if code := ask(s1); code != 200 {
		t.Fatalf("first request: %d", code)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s2 := testServer(t, text, db)
	if code := ask(s2); code != 429 {
		t.Fatalf("after restart: %d, want 429", code)
	}
	var dc auth.DayCounts
	b, _ := json.Marshal(s2.limiter.Snapshot())
	_ = json.Unmarshal(b, &dc)
	if len(dc.Counts) != 1 {
		t.Errorf("counts = %+v", dc)
	}
}

func freeTCPPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestBreakerStateSurvivesReload: an edit that leaves a provider's connection
// alone keeps its breaker; changing its base URL starts afresh.
func TestBreakerStateSurvivesReload(t *testing.T) {
	base := "providers:\n  - {name: p, base_url: http://127.0.0.1:9/v1}\nmodels:\n  m: {adapters: [{adapter: p, model_name: x}]}\n"
	s := testServer(t, base, nil)
	b := s.Snapshot().Breakers.Get("p", "x", 1, time.Minute)
	b.Record(time.Now(), router.Failure)
	reload := func(text string) {
		cfg, _, err := config.Parse([]byte(text), "config.yaml")
		if err != nil {
			t.Fatal(err)
		}
		s.Apply(cfg)
	}
	reload(base + "  n: {adapters: [{adapter: p, model_name: y}]}\n")
	if st := s.Snapshot().Breakers.Get("p", "x", 1, time.Minute).Status(time.Now()); st.State != router.Open {
		t.Fatalf("breaker reset by an unrelated edit: %+v", st)
	}
	reload(strings.Replace(base, "127.0.0.1:9", "127.0.0.1:10", 1))
	if st := s.Snapshot().Breakers.Get("p", "x", 1, time.Minute).Status(time.Now()); st.State != router.Closed {
		t.Fatalf("breaker kept after the provider's address changed: %+v", st)
	}
}

// TestUIServesOutsideTheAPIs: the SPA gets / and unknown public paths; API
// paths keep their protocol's 404.
func TestUIServesOutsideTheAPIs(t *testing.T) {
	cfg, _, _ := config.Parse([]byte("api_keys:\n  - {key: sk-ui-admin-1, roles: [admin]}\n"), "c.yaml")
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "SPA "+r.URL.Path) })
	s, err := New(Options{Config: cfg, UI: ui, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	for path, want := range map[string]string{
		"/": "SPA /", "/assets/app.js": "SPA /assets/app.js", "/providers": "SPA /providers",
		"/v1/nope": `"type":"not_found_error"`, "/api/nope": `{"error":{"message":"no route`,
	} {
		req := httptest.NewRequest("GET", path, nil)
		req.Host = "127.0.0.1"
		req.Header.Set("X-Api-Key", "sk-ui-admin-1")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s = %d %q, want %q", path, rec.Code, rec.Body.String(), want)
		}
	}
}
