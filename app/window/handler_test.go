package window

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/modelswitch/modelswitch/app/control"
)

// backend is the core's side for the handler: only the language and the
// gateway's address matter here.
type backend struct {
	control.Backend // nil: other methods are not called
	mu              sync.Mutex
	lang            string
}

func (b *backend) Status(context.Context) (control.Status, error) {
	return control.Status{Gateway: control.Gateway{Running: true, Address: "0.0.0.0:8123", BaseURL: "http://127.0.0.1:8123"}}, nil
}

func (b *backend) SetLanguage(_ context.Context, l string) error {
	if l != "zh" && l != "en" {
		return control.Errorf(http.StatusBadRequest, "bad language %q", l)
	}
	b.mu.Lock()
	b.lang = l
	b.mu.Unlock()
	return nil
}

type logBuf struct {
	mu sync.Mutex
	sb strings.Builder
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.sb.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.sb.String() }

func TestHandler(t *testing.T) {
	dir, err := os.MkdirTemp("", "mswin")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := control.SocketPath(dir)
	ln, err := control.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{}
	var gotAuth, gotBody string
	gw := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		gotAuth, gotBody = r.Header.Get("Authorization"), string(body)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"created":true}`)
	})
	srv := control.NewServer(b, func() (http.Handler, string, error) { return gw, "sk-admin-window", nil }, nil)
	go srv.Serve(ln)
	defer srv.Close()

	cl := control.NewClient(sock)
	defer cl.CloseIdle()
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "SPA "+r.URL.Path) })
	var logs logBuf
	h := Handler(cl, ui, slog.New(slog.NewTextHandler(&logs, nil)))

	do := func(method, path, body string) (int, string) {
		t.Helper()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, "wails://wails"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, body := do("POST", "/api/config/providers", `{"name":"p"}`); code != 201 || body != `{"created":true}` {
		t.Errorf("api: %d %s", code, body)
	}
	if gotAuth != "Bearer sk-admin-window" || gotBody != `{"name":"p"}` {
		t.Errorf("forwarded auth %q body %q", gotAuth, gotBody)
	}
	if code, body := do("GET", "/", ""); code != 200 || body != "SPA /" {
		t.Errorf("ui: %d %s", code, body)
	}
	if code, _ := do("POST", langPath, `{"lang":"zh"}`); code != http.StatusNoContent || b.lang != "zh" {
		t.Errorf("lang: %d %q", code, b.lang)
	}
	if code, _ := do("POST", langPath, `{"lang":"fr"}`); code != http.StatusBadRequest {
		t.Errorf("bad lang: %d", code)
	}
	if code, _ := do("POST", logPath, "probe-post 201"); code != http.StatusNoContent || !strings.Contains(logs.String(), "probe-post 201") {
		t.Errorf("log: %d %s", code, logs.String())
	}
	if code, body := do("GET", gatewayPath, ""); code != 200 || body != `{"base_url":"http://127.0.0.1:8123","running":true}`+"\n" {
		t.Errorf("gateway address: %d %s", code, body)
	}
	if code, body := do("GET", langPath, ""); code != 200 || body != "SPA "+langPath {
		t.Errorf("GET on the private path goes to the SPA: %d %s", code, body)
	}
}
