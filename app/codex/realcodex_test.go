package codex

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestRealCodexSendsKey runs the real Codex CLI against a config.toml the
// switch wrote and checks that the gateway key arrives as a bearer token
// with no variable exported. It needs the binary: set MODELSWITCH_CODEX_BIN
// (e.g. after npm install --prefix /tmp/codexpin @openai/codex@0.171.0,
// /tmp/codexpin/node_modules/.bin/codex); otherwise it is skipped.
func TestRealCodexSendsKey(t *testing.T) {
	bin := os.Getenv("MODELSWITCH_CODEX_BIN")
	if bin == "" {
		t.Skip("MODELSWITCH_CODEX_BIN is not set")
	}
	var mu sync.Mutex
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, `{"error":{"message":"probe"}}`, http.StatusInternalServerError)
	}))
	defer srv.Close()

	home := t.TempDir()
	sw, _ := New(Config{ConfigPath: filepath.Join(home, "config.toml"), StatePath: filepath.Join(t.TempDir(), "codex.json")})
	// The loopback-only settings of the traffic notes; the switch keeps them.
	pre := "check_for_update_on_startup = false\n\n[features]\nplugins = false\n\n[analytics]\nenabled = false\n"
	_ = os.WriteFile(filepath.Join(home, "config.toml"), []byte(pre), 0o600)
	if _, err := sw.Enable(Options{BaseURL: srv.URL, Token: "ms-real-codex-probe", Model: "m1"}); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "--color", "never", "hi")
	cmd.Dir = work
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "CODEX_HOME=" + home}
	out, _ := cmd.CombinedOutput() // the server answers 500: Codex gives up
	mu.Lock()
	defer mu.Unlock()
	if len(auth) == 0 {
		t.Fatalf("Codex sent nothing; its output:\n%s", out)
	}
	for _, a := range auth {
		if a != "POST /v1/responses Bearer ms-real-codex-probe" {
			t.Fatalf("request %q; output:\n%s", a, out)
		}
	}
	t.Logf("%d requests, each %q", len(auth), auth[0])
	if _, err := sw.Disable(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(home, "config.toml")); string(b) != pre {
		t.Fatalf("not restored: %q", b)
	}
}
