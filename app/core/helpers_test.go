package core

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

const testConfig = `# test workspace
gateway:
  host: 127.0.0.1
  port: %d # the gateway

providers:
  - name: up1
    provider: openai
    base_url: http://127.0.0.1:9/v1
    api_key: x
  - name: up2
    provider: openai
    base_url: http://127.0.0.1:9/v1
    api_key: x

models:
  m1:
    adapters:
      - adapter: up1
        model_name: a
        priority: 1
      - adapter: up2
        model_name: b
        priority: 2 # backup
      - adapter: up2
        model_name: c

api_keys:
  - key: sk-admin-test
    name: admin
    roles: [admin]
`

// freePort returns a port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// testWorkspace writes a workspace whose gateway uses port and returns it.
// Unix socket paths are short, so it lives under /tmp rather than t.TempDir.
func testWorkspace(t *testing.T, port int) *workspace.Workspace {
	t.Helper()
	dir, err := os.MkdirTemp("", "mscore")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(fmt.Sprintf(testConfig, port)), 0o600); err != nil {
		t.Fatal(err)
	}
	ws, _, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

type fakeWindow struct {
	mu     sync.Mutex
	opens  int
	open   bool
	closed int
}

func (f *fakeWindow) Open(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opens++
	f.open = true
	return nil
}

func (f *fakeWindow) IsOpen() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.open }

func (f *fakeWindow) Close() { f.mu.Lock(); defer f.mu.Unlock(); f.closed++; f.open = false }

func (f *fakeWindow) count() (opens, closed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.opens, f.closed
}

// startCore builds and starts a core on ws; Shutdown runs at cleanup.
func startCore(t *testing.T, ws *workspace.Workspace, settings string) (*Core, *control.Client, *fakeWindow) {
	t.Helper()
	db, err := store.Open(filepath.Join(ws.DataDir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return startCoreDB(t, ws, settings, db)
}

// startCoreDB is startCore with db (nil: no database, so several cores can
// follow one another on ws within a test).
func startCoreDB(t *testing.T, ws *workspace.Workspace, settings string, db *store.DB) (*Core, *control.Client, *fakeWindow) {
	t.Helper()
	win := &fakeWindow{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := New(Options{Workspace: ws, Version: "test", Log: log, DB: db, ShutdownGrace: time.Second,
		ClaudeSettings: settings, CodexConfig: codexPath(ws), Window: win, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cl := control.NewClient(c.SocketPath())
	t.Cleanup(func() {
		cl.CloseIdle()
		c.Shutdown()
		if db != nil {
			db.Close()
		}
	})
	return c, cl, win
}

// codexPath is the Codex config.toml the test cores use: inside the
// temporary workspace, never the user's ~/.codex.
func codexPath(ws *workspace.Workspace) string {
	return filepath.Join(ws.Dir, "codex-home", "config.toml")
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// apiGet reads the admin API through the control channel.
func apiGet(t *testing.T, cl *control.Client, path string) (int, string) {
	t.Helper()
	srv := &http.Server{Handler: cl.APIProxy()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	return get(t, "http://"+ln.Addr().String()+path)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// testWorkspaceAt opens the workspace at dir (written by testWorkspace).
func testWorkspaceAt(t *testing.T, dir string) *workspace.Workspace {
	t.Helper()
	ws, _, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}
