package frontend

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var built = fstest.MapFS{
	"index.html":              {Data: []byte(`<!doctype html><div id="app"></div><script src="/assets/index-AbC123.js"></script>`)},
	"assets/index-AbC123.js":  {Data: []byte(`console.log("hi")`)},
	"assets/index-AbC123.css": {Data: []byte(`body{}`)},
	"assets/font-X1.woff2":    {Data: []byte{0, 1, 2}},
	"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	".gitkeep":                {Data: nil},
}

func get(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestIndexAndFallback(t *testing.T) {
	h := newHandler(built)
	for _, p := range []string{"/", "/index.html", "/providers", "/usage/by/model", "/conversations?id=x"} {
		res, body := get(t, h, http.MethodGet, p)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `<div id="app">`) {
			t.Fatalf("GET %s: %d %q, want the index", p, res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", p, cc)
		}
	}
	// A missing file with an extension is a 404, not the index.
	for _, p := range []string{"/assets/gone-123.js", "/missing.png"} {
		if res, body := get(t, h, http.MethodGet, p); res.StatusCode != http.StatusNotFound || strings.Contains(body, "<div") {
			t.Errorf("GET %s: %d %q, want 404", p, res.StatusCode, body)
		}
	}
	// The API is never answered with the SPA.
	for _, p := range []string{"/api", "/api/unknown"} {
		if res, _ := get(t, h, http.MethodGet, p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	// HEAD / (Claude Code probes it) answers without a body.
	if res, body := get(t, h, http.MethodHead, "/"); res.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD /: %d %q", res.StatusCode, body)
	}
	if res, _ := get(t, h, http.MethodPost, "/"); res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") == "" {
		t.Errorf("POST /: %d Allow=%q, want 405 with Allow", res.StatusCode, res.Header.Get("Allow"))
	}
	// A path that tries to climb out stays inside.
	if res, body := get(t, h, http.MethodGet, "/../../etc/passwd"); res.StatusCode != http.StatusNotFound && !strings.Contains(body, `<div id="app">`) {
		t.Errorf("GET /../../etc/passwd: %d", res.StatusCode)
	}
}

func TestAssetTypesAndCaching(t *testing.T) {
	h := newHandler(built)
	cases := []struct{ path, ctype, cache string }{
		{"/assets/index-AbC123.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/assets/index-AbC123.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/assets/font-X1.woff2", "font/woff2", "public, max-age=31536000, immutable"},
		{"/favicon.svg", "image/svg+xml", "no-cache"},
	}
	for _, c := range cases {
		res, body := get(t, h, http.MethodGet, c.path)
		if res.StatusCode != http.StatusOK || body == "" && c.path != "/assets/font-X1.woff2" {
			t.Fatalf("GET %s: %d", c.path, res.StatusCode)
		}
		if got := res.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if got := res.Header.Get("Cache-Control"); got != c.cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", c.path)
		}
	}
}

func TestNotBuilt(t *testing.T) {
	h := newHandler(fstest.MapFS{".gitkeep": {Data: nil}})
	for _, p := range []string{"/", "/providers", "/assets/x.js"} {
		res, body := get(t, h, http.MethodGet, p)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", p, res.StatusCode)
		}
		if !strings.Contains(body, "admin UI is not built") || !strings.Contains(body, "make") {
			t.Errorf("GET %s: %q, want the not-built page", p, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
	}
	if res, body := get(t, h, http.MethodHead, "/"); res.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD /: %d %q", res.StatusCode, body)
	}
	if res, _ := get(t, h, http.MethodGet, "/api/x"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/x: %d, want 404", res.StatusCode)
	}
}

// The embedded dist works whether or not the SPA was built.
func TestEmbedded(t *testing.T) {
	res, body := get(t, Handler(), http.MethodGet, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d", res.StatusCode)
	}
	if Built() != strings.Contains(body, `id="app"`) {
		t.Errorf("Built() = %v but the body is %.80q", Built(), body)
	}
}
