package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// Allocation guards for the request path (DESIGN §16: counts, not times, so
// they hold on a busy CI machine), measured through the whole handler with
// metrics and the per-request log line on (the usage and conversation sinks
// are asynchronous and not attached here). The caps leave ~25 % headroom over what
// was measured when they were set; a change that needs more should say why.
const (
	maxAllocsPassThrough = 215 // measured 166 (178 under -race), the upstream round trip included; 200 before issue 7's second round
	maxAllocsConverted   = 240 // measured 182–186 (194–198 under -race); 258 before the converters decoded in place
)

func allocsPerRequest(t *testing.T, clientPath, body, upstreamProtocol string) float64 {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if upstreamProtocol == "anthropic" {
			io.WriteString(w, `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}`)
			return
		}
		io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`)
	}))
	defer up.Close()
	base := up.URL + "/v1"
	if upstreamProtocol == "anthropic" {
		base = up.URL
	}
	cfg, _, err := config.Parse([]byte("providers:\n  - {name: p, provider: "+upstreamProtocol+", base_url: \""+base+"\"}\n"+
		"models:\n  m: {adapters: [{adapter: p, model_name: x}]}\napi_keys:\n  - {key: sk-allocs-test-1, rate_limit: 1000000}\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	do := func() {
		req := httptest.NewRequest("POST", clientPath, strings.NewReader(body))
		req.Host = "127.0.0.1"
		req.Header.Set("Authorization", "Bearer sk-allocs-test-1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	do() // warm the connection pool
	return testing.AllocsPerRun(200, do)
}

func TestAllocationsPerRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation guard: run without -short")
	}
	chat := `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("hello ", 150) + `"}]}`
	msgs := `{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"` + strings.Repeat("hello ", 150) + `"}]}`
	for _, tc := range []struct {
		name, path, body, upstream string
		max                        float64
	}{
		{"pass-through OpenAI", "/v1/chat/completions", chat, "openai", maxAllocsPassThrough},
		{"pass-through Anthropic", "/v1/messages", msgs, "anthropic", maxAllocsPassThrough},
		{"Anthropic client on OpenAI upstream", "/v1/messages", msgs, "openai", maxAllocsConverted},
		{"OpenAI client on Anthropic upstream", "/v1/chat/completions", chat, "anthropic", maxAllocsConverted},
	} {
		got := allocsPerRequest(t, tc.path, tc.body, tc.upstream)
		t.Logf("%s: %.0f allocs per request (cap %.0f)", tc.name, got, tc.max)
		if got > tc.max {
			t.Errorf("%s: %.0f allocations per request, over the cap of %.0f", tc.name, got, tc.max)
		}
	}
}
