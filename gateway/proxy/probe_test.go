package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

const (
	openaiSecret = "sk-openai-SECRET-1234567890"
	anthSecret   = "sk-ant-SECRET-0987654321"
	failSecret   = "sk-fail-SECRET-5555555555"
)

// openAIUpstream answers /models and chat completions like OpenAI, checking
// the credentials, the custom header and the test payload.
func openAIUpstream(t *testing.T) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+openaiSecret || r.Header.Get("X-Team") != "core" {
			http.Error(w, `{"error":{"message":"bad credentials"}}`, http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
			_, _ = io.WriteString(w, `{"object":"list","data":[{"id":"gpt-a"},{"id":"gpt-b"}]}`)
		case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
			var req struct {
				Model     string `json:"model"`
				MaxTokens int    `json:"max_tokens"`
				Stream    bool   `json:"stream"`
				Tools     []any  `json:"tools"`
				Messages  []struct{ Content string }
				Seed      int `json:"seed"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Stream || len(req.Messages) != 1 {
				t.Errorf("bad test request: %v %+v", err, req)
			}
			w.Header().Set("Content-Type", "application/json")
			if len(req.Tools) > 0 {
				fmt.Fprintf(w, `{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
					"function":{"name":"get_weather","arguments":"{\"city\":\"Beijing\"}"}}]},"finish_reason":"tool_calls"}],
					"usage":{"prompt_tokens":50,"completion_tokens":9}}`)
				return
			}
			content := fmt.Sprintf("Hello from %s (max_tokens %d, seed %d) %s", req.Model, req.MaxTokens, req.Seed, strings.Repeat("é", 300))
			fmt.Fprintf(w, `{"choices":[{"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],
				"usage":{"prompt_tokens":8,"completion_tokens":5}}`, content)
		default:
			http.NotFound(w, r)
		}
	}))
}

func anthropicUpstream(t *testing.T) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != anthSecret || r.Header.Get("Anthropic-Version") == "" {
			http.Error(w, `{"type":"error","error":{"type":"authentication_error","message":"bad key"}}`, http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/v1/models":
			_, _ = io.WriteString(w, `{"data":[{"id":"claude-x","type":"model"}],"has_more":false}`)
		case "/v1/messages":
			var req struct {
				Model     string `json:"model"`
				MaxTokens int    `json:"max_tokens"`
				Tools     []struct {
					Name string `json:"name"`
				} `json:"tools"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.MaxTokens == 0 {
				t.Errorf("bad anthropic test request: %v %+v", err, req)
			}
			w.Header().Set("Content-Type", "application/json")
			if len(req.Tools) == 1 && req.Tools[0].Name == "get_weather" {
				_, _ = io.WriteString(w, `{"type":"message","role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get_weather",
					"input":{"city":"Beijing"}}],"stop_reason":"tool_use","usage":{"input_tokens":60,"output_tokens":12}}`)
				return
			}
			fmt.Fprintf(w, `{"type":"message","role":"assistant","content":[{"type":"text","text":"Hi from %s"}],
				"stop_reason":"end_turn","usage":{"input_tokens":7,"output_tokens":4}}`, req.Model)
		default:
			http.NotFound(w, r)
		}
	}))
}

func failingUpstream() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s"}}`, failSecret)
	}))
}

type failSink struct{ t *testing.T }

func (s failSink) Record(usage.Record) { s.t.Error("a test produced a usage record") }

// probeHandler serves a config over the given upstreams.
func probeHandler(t *testing.T, openai, anth, fail, slow string) (*Handler, *Snapshot) {
	t.Helper()
	yaml := fmt.Sprintf(`
providers:
  - {name: oa, base_url: %q, api_key: %q, custom_headers: {X-Team: core}, max_concurrent: 1, max_queue_size: 0}
  - {name: an, provider: anthropic, base_url: %q, api_key: %q}
  - {name: bad, base_url: %q, api_key: %q}
  - {name: off, base_url: %q, api_key: %q, custom_headers: {X-Team: core}, enabled: false}
  - {name: slow, base_url: %q}
models:
  m:
    mode: adapter
    adapters:
      - {adapter: bad, model_name: b-1, priority: 3}
      - {adapter: an, model_name: claude-x, priority: 2}
      - {adapter: off, model_name: o-1, priority: 0}
      - {adapter: oa, model_name: gpt-a, priority: 1, params: {seed: 7, max_tokens: 4096}}
  slowpoke:
    adapters:
      - {adapter: slow, model_name: s, timeout: 0.2}
`, openai+"/v1", openaiSecret, anth, anthSecret, fail+"/v1", failSecret, openai+"/v1", openaiSecret, slow+"/v1")
	cfg, _, err := config.Parse([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snap := NewSnapshot(cfg, nil)
	h := &Handler{Snapshot: func() *Snapshot { return snap }, Log: slog.New(slog.DiscardHandler), Usage: failSink{t}}
	return h, snap
}

func TestProbes(t *testing.T) {
	oa, an, bad := openAIUpstream(t), anthropicUpstream(t), failingUpstream()
	release := make(chan struct{})
	var slowCalls atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slowCalls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	for _, s := range []*httptest.Server{oa, an, bad, slow} {
		defer s.Close()
	}
	defer close(release)
	h, snap := probeHandler(t, oa.URL, an.URL, bad.URL, slow.URL)
	ctx := context.Background()

	t.Run("provider", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			success bool
			status  int
			models  string
			err     string
		}{
			{"oa", true, 200, "[gpt-a gpt-b]", ""},
			{"an", true, 200, "[claude-x]", ""},
			{"off", true, 200, "[gpt-a gpt-b]", ""}, // disabled providers can be tested
			{"bad", false, 401, "[]", "bad: HTTP 401: Incorrect API key provided: sk-****5555"},
			{"nope", false, 0, "[]", `provider "nope" does not exist`},
		} {
			got := h.TestProvider(ctx, tc.name)
			if got.Success != tc.success || got.StatusCode != tc.status || fmt.Sprint(got.Models) != tc.models || got.Error != tc.err {
				t.Errorf("%s: %+v", tc.name, got)
			}
		}
	})

	for _, tc := range []struct {
		testType, preview, toolCalls string
		usage                        [2]int
	}{
		{"simple", "Hello from gpt-a (max_tokens 20, seed 7) é", "[]", [2]int{8, 5}},
		{"tool", "", "[{get_weather {\"city\":\"Beijing\"}}]", [2]int{50, 9}},
	} {
		t.Run("chain/"+tc.testType, func(t *testing.T) {
			got, err := h.TestModel(ctx, "M", tc.testType) // case-insensitive, like requests
			if err != nil {
				t.Fatal(err)
			}
			if !got.Success || got.AdapterUsed != "oa" || got.Mode != "adapter" || got.TestType != tc.testType || len(got.Chain) != 4 {
				t.Fatalf("result: %+v", got)
			}
			var order []string
			for _, s := range got.Chain {
				order = append(order, s.Adapter+":"+s.Status)
			}
			if o := strings.Join(order, " "); o != "off:skipped oa:success an:success bad:failed" {
				t.Errorf("order and statuses: %s", o)
			}
			ok := got.Chain[1]
			if !strings.HasPrefix(ok.Preview, tc.preview) || len([]rune(ok.Preview)) > 200 || fmt.Sprint(ok.ToolCalls) != tc.toolCalls ||
				ok.Usage == nil || [2]int{ok.Usage.InputTokens, ok.Usage.OutputTokens} != tc.usage || ok.StatusCode != 200 {
				t.Errorf("openai step: %+v", ok)
			}
			if a := got.Chain[2]; tc.testType == "tool" && (len(a.ToolCalls) != 1 || a.ToolCalls[0].Name != "get_weather") ||
				tc.testType == "simple" && a.Preview != "Hi from claude-x" {
				t.Errorf("anthropic step: %+v", a)
			}
			if b := got.Chain[3]; b.StatusCode != 401 || strings.Contains(b.Error, failSecret) || !strings.Contains(b.Error, "sk-****5555") {
				t.Errorf("failing step: %+v", b)
			}
			if s := got.Chain[0]; s.Error != `provider "off" is disabled` || s.LatencyMS != 0 {
				t.Errorf("skipped step: %+v", s)
			}
		})
	}

	t.Run("queue slots are respected", func(t *testing.T) {
		rel, err := snap.Queues["oa"].Acquire(ctx) // oa: max_concurrent 1, max_queue_size 0
		if err != nil {
			t.Fatal(err)
		}
		got, _ := h.TestModel(ctx, "m", "")
		rel()
		if s := got.Chain[1]; s.Status != StepFailed || !strings.Contains(s.Error, "busy") {
			t.Errorf("step while the queue is full: %+v", s)
		}
		if st := snap.Queues["oa"].Stats(); st.Active != 0 || st.Waiting != 0 {
			t.Errorf("queue after the tests: %+v", st)
		}
	})

	t.Run("adapter timeout", func(t *testing.T) {
		start := time.Now()
		got, _ := h.TestModel(ctx, "slowpoke", "simple")
		if s := got.Chain[0]; s.Status != StepFailed || !strings.Contains(s.Error, "no answer within 200ms") || time.Since(start) > 5*time.Second {
			t.Errorf("slow step: %+v", s)
		}
	})

	t.Run("errors", func(t *testing.T) {
		var pe *protocol.Error
		if _, err := h.TestModel(ctx, "nope", "simple"); !errors.As(err, &pe) || pe.Status != 404 {
			t.Errorf("unknown model: %v", err)
		}
		if _, err := h.TestModel(ctx, "m", "vision"); !errors.As(err, &pe) || pe.Status != 400 {
			t.Errorf("bad test type: %v", err)
		}
	})

	// Breakers are neither consulted nor updated.
	n := 0
	snap.Breakers.Each(func(string, string, *router.Breaker) { n++ })
	if n != 0 {
		t.Errorf("%d breakers were created by tests", n)
	}
}
