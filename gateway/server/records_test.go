package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/conversations"
	"github.com/modelswitch/modelswitch/gateway/server"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// TestSIGTERMLosesNoRecord: requests in flight when the gateway is told to
// stop finish, and every one of them is in the usage statistics and the
// conversation log afterwards; /metrics and /api/conversations show traffic.
func TestSIGTERMLosesNoRecord(t *testing.T) {
	up := newUpstream(t, pacedResponder(8, 25*time.Millisecond, nil))
	ws := t.TempDir()
	db, err := store.Open(filepath.Join(ws, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	text := "providers:\n" + providerYAML("p", "openai", up.URL+"/v1", "k") +
		"models:\n  m: {adapters: [{adapter: p, model_name: x}]}\napi_keys:\n  - {key: " + adminKey + ", roles: [admin]}\n"
	cfg, _, err := config.Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Config: cfg, Host: "127.0.0.1", Port: freePort(t), DB: db, WorkspaceDir: ws,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr.String()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()

	// One finished request first, to see it in the APIs while serving.
	req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"first"}]}`))
	req.Header.Set("X-Api-Key", adminKey)
	if resp, b := send(t, req); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	eventually(t, "the request shows in /api/conversations and /metrics", func() bool {
		r, _ := http.NewRequest("GET", base+"/api/conversations", nil)
		r.Header.Set("X-Api-Key", adminKey)
		_, b := send(t, r)
		m, _ := http.NewRequest("GET", base+"/metrics", nil)
		_, mb := send(t, m)
		return strings.Contains(string(b), `"model":"m"`) &&
			strings.Contains(string(mb), `modelswitch_requests_total{model="m",protocol="openai",provider="p",status="200"} 1`)
	})

	const inFlight = 20
	var wg sync.WaitGroup
	started := make(chan struct{}, inFlight)
	for i := 0; i < inFlight; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(`{"model":"m","stream":true,"messages":[]}`))
			r.Header.Set("X-Api-Key", adminKey)
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Error(err)
				return
			}
			started <- struct{}{}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), "[DONE]") {
				t.Errorf("stream cut by shutdown: %s", b)
			}
		}()
	}
	for i := 0; i < inFlight; i++ {
		<-started
	}
	stop() // SIGTERM
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	loc := time.Local
	now := time.Now()
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	rep, err := usage.NewQuerier(db).Summary(usage.Params{From: from.Add(-24 * time.Hour), To: from.Add(48 * time.Hour), Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Requests != inFlight+1 {
		t.Errorf("usage rows after SIGTERM: %d, want %d", rep.Totals.Requests, inFlight+1)
	}
	cw, err := conversations.NewWriter(conversations.Options{Dir: filepath.Join(ws, "logs"), DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer cw.Close()
	_, total, err := cw.List(conversations.Filter{PageSize: 100})
	if err != nil || total != inFlight+1 {
		t.Errorf("conversation records after SIGTERM: %d (%v), want %d", total, err, inFlight+1)
	}
}
