package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/store"
)

// everyRouteServer is a server with every route mounted: records (usage,
// conversations, stored responses) and the profiler.
func everyRouteServer(t *testing.T, yaml string) *Server {
	t.Helper()
	t.Setenv(PprofEnv, "1")
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg, _, err := config.Parse([]byte(yaml), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Config: cfg, DB: db, WorkspaceDir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// routePaths lists a concrete path for every registered route.
func routePaths(t *testing.T, r *mux.Router) []string {
	t.Helper()
	vars := regexp.MustCompile(`\{[^}]*\}`)
	var paths []string
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return nil // a route without a path (none today)
		}
		p := vars.ReplaceAllString(tpl, "x")
		if strings.HasSuffix(p, "/") && p != "/" {
			p += "heap" // a prefix route: one of the paths it serves
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// TestNoRouteAnswersWithoutKey walks every registered route with every
// method and no credentials: only the public routes may answer 2xx, and only
// to GET and HEAD. OPTIONS used to pass the guard untouched, which let
// OPTIONS /api/debug/pprof/cmdline (and heap, goroutine, profile, trace)
// answer 200 to anyone.
func TestNoRouteAnswersWithoutKey(t *testing.T) {
	s := everyRouteServer(t, "gateway: {cors_origins: [\"http://allowed.test\"]}\n")
	publicOK := map[string]bool{"/": true, "/health": true, "/api/config/health": true, "/metrics": true}
	paths := routePaths(t, s.router())
	if len(paths) < 30 || !strings.Contains(strings.Join(paths, " "), "/api/debug/pprof/cmdline") {
		t.Fatalf("the walk missed routes: %v", paths)
	}
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}
	for _, p := range paths {
		for _, m := range methods {
			for _, origin := range []string{"", "http://evil.test"} {
				req := httptest.NewRequest(m, "http://127.0.0.1"+p+"?seconds=1&debug=2", strings.NewReader(""))
				if origin != "" {
					req.Header.Set("Origin", origin)
					req.Header.Set("Access-Control-Request-Method", "GET")
				}
				rec := httptest.NewRecorder()
				s.handler.ServeHTTP(rec, req)
				ok := rec.Code >= 200 && rec.Code < 300
				if publicOK[p] && m == "GET" && origin == "" && !ok {
					t.Errorf("GET %s, a public route: %d", p, rec.Code) // the walk reaches the routes, not the host check
				}
				if ok && !(publicOK[p] && (m == "GET" || m == "HEAD")) {
					t.Errorf("%s %s (origin %q) without a key: %d %.120q", m, p, origin, rec.Code, rec.Body.String())
				}
			}
		}
	}
}

// TestPreflightFromAllowedOriginOnly: a real preflight from a configured
// origin is answered by the CORS handler (204, nothing of the route); the
// same OPTIONS from elsewhere needs a key.
func TestPreflightFromAllowedOriginOnly(t *testing.T) {
	s := everyRouteServer(t, "gateway: {cors_origins: [\"http://allowed.test\"]}\n")
	preflight := func(origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("OPTIONS", "http://127.0.0.1/api/debug/pprof/cmdline", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		return rec
	}
	if rec := preflight("http://allowed.test"); rec.Code != http.StatusNoContent || rec.Body.Len() != 0 ||
		rec.Header().Get("Access-Control-Allow-Origin") != "http://allowed.test" {
		t.Errorf("allowed preflight: %d %q %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Body)
	}
	if rec := preflight("http://evil.test"); rec.Code != http.StatusUnauthorized || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign preflight: %d %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
}
