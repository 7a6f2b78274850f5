package server

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

const debugConfig = "api_keys:\n  - {name: admin, key: sk-debug-admin-0000001, roles: [admin]}\n" +
	"  - {name: user, key: sk-debug-user-00000001}\n"

func getWith(h http.Handler, path, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Host = "127.0.0.1"
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPprofOnlyWhenAskedAndOnlyForAdmins(t *testing.T) {
	off := testServer(t, debugConfig, nil).Handler()
	if rec := getWith(off, "/api/debug/pprof/heap", "sk-debug-admin-0000001"); rec.Code != http.StatusNotFound {
		t.Fatalf("without %s: %d, want 404", PprofEnv, rec.Code)
	}
	t.Setenv(PprofEnv, "1")
	on := testServer(t, debugConfig, nil).Handler()
	for _, tc := range []struct {
		path, key string
		want      int
		body      string
	}{
		{"/api/debug/pprof/heap?debug=1", "sk-debug-admin-0000001", 200, "heap profile"},
		{"/api/debug/pprof/goroutine?debug=1", "sk-debug-admin-0000001", 200, "goroutine profile"},
		{"/api/debug/pprof/", "sk-debug-admin-0000001", 200, "allocs"},
		{"/api/debug/pprof/cmdline", "sk-debug-admin-0000001", 200, ""},
		{"/api/debug/pprof/heap", "sk-debug-user-00000001", 403, ""},
		{"/api/debug/pprof/heap", "", 401, ""},
	} {
		rec := getWith(on, tc.path, tc.key)
		if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s as %q: %d %.200s, want %d with %q", tc.path, tc.key, rec.Code, rec.Body, tc.want, tc.body)
		}
	}
}

func TestRequestIDsSortByTime(t *testing.T) {
	shape := regexp.MustCompile(`^req_[0-9a-f]{24}$`)
	prev := ""
	for i := 0; i < 2000; i++ {
		id := newRequestID()
		if !shape.MatchString(id) {
			t.Fatalf("id %q does not look like req_ and 24 hex digits", id)
		}
		if stamp := id[:4+16]; stamp < prev {
			t.Fatalf("id %d (%s) sorts before the one made earlier (%s)", i, id, prev)
		} else {
			prev = stamp
		}
	}
}
