// Package frontend embeds the admin SPA (DESIGN §14) and serves it. The SPA
// is a Vite + Vue 3 build in dist/ (`make` runs `npm ci && npm run build`
// here); dist/.gitkeep is committed so that `go build` works on a fresh clone
// without Node, and then Handler serves a page that says how to build it.
package frontend

import (
	"bytes"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Handler serves the embedded SPA: its files under their paths, index.html
// for / and for unknown paths without a file extension (the SPA routes with
// the URL hash, but a path such as /providers still lands on the app), and a
// 404 for other unknown paths. index.html is sent with Cache-Control:
// no-cache; the hashed files under assets/ are cached for a year. Paths
// under /api/ are never answered with the SPA. When dist holds no index.html
// (the SPA was not built), every path gets a small page that says so.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil { // cannot happen: dist is embedded
		panic("frontend: " + err.Error())
	}
	return newHandler(sub)
}

// Built reports whether the embedded dist holds a built SPA.
func Built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}

func newHandler(files fs.FS) http.Handler {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return notBuilt{}
	}
	return &spa{files: files, index: index}
}

type spa struct {
	files fs.FS
	index []byte
}

const (
	cacheIndex  = "no-cache"
	cacheHashed = "public, max-age=31536000, immutable"
)

// Types that Go's built-in table may lack on a machine without mime.types.
var extraTypes = map[string]string{
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ttf":   "font/ttf",
	".ico":   "image/x-icon",
	".png":   "image/png",
	".webp":  "image/webp",
	".txt":   "text/plain; charset=utf-8",
	".html":  "text/html; charset=utf-8",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := extraTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

func (s *spa) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		notFound(w)
		return
	}
	name := strings.TrimPrefix(p, "/")
	if name == "" || name == "index.html" {
		s.serveIndex(w, r)
		return
	}
	data, err := fs.ReadFile(s.files, name)
	if err != nil { // missing, or a directory
		if path.Ext(name) == "" {
			s.serveIndex(w, r)
			return
		}
		notFound(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(name, "assets/") {
		h.Set("Cache-Control", cacheHashed)
	} else {
		h.Set("Cache-Control", cacheIndex)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

func (s *spa) serveIndex(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheIndex)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(s.index))
}

func allowMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", cacheIndex)
	http.Error(w, "404 page not found", http.StatusNotFound)
}

// notBuilt answers every path when dist has no index.html.
type notBuilt struct{}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ModelSwitch</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>ModelSwitch</h1>
<p>The gateway is running, but the admin UI is not built: run <code>make</code>
(it needs Node.js and npm) and start the binary it builds.</p>
<p>The APIs work without it: <code>POST /v1/chat/completions</code>, <code>POST /v1/messages</code>,
and the admin REST API under <code>/api/</code>.</p>
</body></html>
`

func (notBuilt) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		notFound(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheIndex)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte(notBuiltPage))
}
