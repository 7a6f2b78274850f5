package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/server"
	"github.com/modelswitch/modelswitch/gateway/store"
)

// TestPooledBodiesReachEveryReaderIntact: request bodies are pooled and
// handed back by the last of their readers. Under concurrent traffic of
// mixed sizes, over a chain whose first upstream drops the connection
// half-way through the body (the transport is still sending it when the
// attempt fails) and whose second answers, every upstream gets the body the
// client sent, and every conversation record holds it, byte for byte. A
// buffer reused too early shows up as another request's bytes (or, under
// the race detector, as the 'X' a released buffer is filled with).
func TestPooledBodiesReachEveryReaderIntact(t *testing.T) {
	// dropper reads 4 KB of the body and closes the connection.
	dropper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.CopyN(io.Discard, r.Body, 4<<10)
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
	}))
	t.Cleanup(dropper.Close)
	var mu sync.Mutex
	seen := map[string]int{} // upstream bodies by their marker
	good := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		msgs, _ := body["messages"].([]any)
		if len(msgs) == 1 {
			if m, ok := msgs[0].(map[string]any); ok {
				if text, ok := m["content"].(string); ok {
					mu.Lock()
					seen[text]++
					mu.Unlock()
				}
			}
		}
		openAIResponder(w, r, body)
	})
	ws := t.TempDir()
	db, err := store.Open(filepath.Join(ws, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	text := "gateway: {log_bodies: full}\nproviders:\n" + providerYAML("drop", "openai", dropper.URL+"/v1", "k-drop-0000000") +
		providerYAML("good", "openai", good.URL+"/v1", "k-good-0000000") +
		"models:\n  m: {adapters: [{adapter: drop, model_name: x}, {adapter: good, model_name: x}]}\n" +
		"  direct: {adapters: [{adapter: good, model_name: x}]}\napi_keys:\n  - {key: " + adminKey + ", roles: [admin]}\n"
	cfg, _, err := config.Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Config: cfg, DB: db, WorkspaceDir: ws, Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	g := httptest.NewServer(srv.Handler())

	sizes := []int{200, 20 << 10, 150 << 10, 1500 << 10} // each pool class and past the last
	const workers, each = 6, 12
	sent := map[string]string{} // marker -> body
	var wg sync.WaitGroup
	for w := range workers {
		for i := range each {
			marker := fmt.Sprintf("w%d-r%d-", w, i)
			content := marker + strings.Repeat(string(rune('a'+(w*each+i)%26)), sizes[(w+i)%len(sizes)])
			model := []string{"m", "direct"}[i%2]
			body := fmt.Sprintf(`{"model":%q,"stream":%v,"messages":[{"role":"user","content":%q}]}`, model, i%3 == 0, content)
			sent[content] = body
		}
	}
	bodies := make(chan string, len(sent))
	for _, b := range sent {
		bodies <- b
	}
	close(bodies)
	for range workers {
		wg.Go(func() {
			for body := range bodies {
				req, _ := http.NewRequest("POST", g.URL+"/v1/chat/completions", strings.NewReader(body))
				req.Header.Set("X-Api-Key", adminKey)
				if resp, b := send(t, req); resp.StatusCode != 200 {
					t.Errorf("%d: %.200s", resp.StatusCode, b)
				}
			}
		})
	}
	wg.Wait()
	g.Close()
	srv.Close()
	db.Close()

	mu.Lock()
	for content := range sent {
		if seen[content] != 1 {
			t.Errorf("upstream got the body %.20s… %d times, want once", content, seen[content])
		}
	}
	if len(seen) != len(sent) {
		t.Errorf("upstream got %d distinct bodies, want %d (some were another request's bytes)", len(seen), len(sent))
	}
	mu.Unlock()

	logged := 0
	segs, _ := filepath.Glob(filepath.Join(ws, "logs", "conversations-*.jsonl"))
	for _, seg := range segs {
		f, err := os.Open(seg)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 8<<20)
		for sc.Scan() {
			var rec struct {
				Request json.RawMessage `json:"request"`
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s: %v", seg, err)
			}
			var req struct {
				Messages []struct{ Content string }
			}
			_ = json.Unmarshal(rec.Request, &req)
			if len(req.Messages) != 1 || sent[req.Messages[0].Content] != string(rec.Request) {
				t.Errorf("logged request is not one that was sent: %.120s", rec.Request)
				continue
			}
			logged++
		}
		f.Close()
	}
	if logged != len(sent) {
		t.Errorf("%d requests logged intact in %v, want %d", logged, segs, len(sent))
	}
}
