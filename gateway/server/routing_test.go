package server_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/server"
)

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// waitLog waits up to 5 s for the log to contain want.
func waitLog(logs *syncBuffer, want string) bool {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if strings.Contains(logs.String(), want) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// TestAliasesRouteAgentModelNames: Claude Code's and Codex's own model names
// reach the virtual model whose alias matches them, and the request log
// names the name asked for and the alias that routed it.
func TestAliasesRouteAgentModelNames(t *testing.T) {
	up := newUpstream(t, anthropicResponder)
	text := "providers:\n" + providerYAML("an", "anthropic", up.URL, upstreamAN) + `models:
  fast: {aliases: ["claude-*haiku*"], adapters: [{adapter: an, model_name: small-model}]}
  main: {aliases: ["claude-*", gpt-5-codex], adapters: [{adapter: an, model_name: big-model}]}
api_keys:
  - {key: ` + adminKey + `, name: admin, roles: [admin]}
  - {key: ` + limitedKey + `, name: limited, allowed_models: [main]}
`
	var logs syncBuffer
	g := serveGateway(t, text, func(o *server.Options) { o.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	for ask, want := range map[string]string{
		"claude-3-5-haiku-20241022": "small-model",
		"claude-sonnet-4-5":         "big-model",
		"gpt-5-codex":               "big-model",
		"main":                      "big-model",
	} {
		resp, b := g.do(t, "POST", "/v1/messages", `{"model":"`+ask+`","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, "x-api-key", adminKey)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", ask, resp.StatusCode, b)
		}
		if got := up.last(t).Body["model"]; got != want {
			t.Errorf("%s reached upstream model %v, want %s", ask, got, want)
		}
	}
	for _, want := range []string{"model=fast", "requested_model=claude-3-5-haiku-20241022", `route="alias claude-*haiku*"`} {
		if !waitLog(&logs, want) {
			t.Errorf("the request log lacks %s:\n%s", want, logs.String())
		}
	}
	// The allowlist applies to the model the alias resolves to.
	if resp, b := g.do(t, "POST", "/v1/messages", `{"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, "x-api-key", limitedKey); resp.StatusCode != 403 || !strings.Contains(string(b), `model \"fast\" is not allowed`) {
		t.Errorf("a key limited to main reached fast through an alias: %d %s", resp.StatusCode, b)
	}
	if resp, b := g.do(t, "POST", "/v1/messages", `{"model":"claude-opus-4-1","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, "x-api-key", limitedKey); resp.StatusCode != 200 {
		t.Errorf("a key limited to main was refused main through an alias: %d %s", resp.StatusCode, b)
	}
	if resp, b := g.do(t, "POST", "/v1/messages", `{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, "x-api-key", adminKey); resp.StatusCode != 404 {
		t.Errorf("an unmatched name: %d %s", resp.StatusCode, b)
	}
}

// TestRoutesByRequestAndContextWindow: a model's routes send long, thinking
// and scripted requests elsewhere, first match first; an adapter whose
// context window the request overflows is skipped, not tried; when every
// adapter is too small the client gets a 400 saying so.
func TestRoutesByRequestAndContextWindow(t *testing.T) {
	up := newUpstream(t, anthropicResponder)
	up2 := newUpstream(t, anthropicResponder)
	text := "providers:\n" + providerYAML("an", "anthropic", up.URL, upstreamAN) + providerYAML("an2", "anthropic", up2.URL, upstreamAN) + `models:
  main:
    routes:
      - {name: long, when: {input_tokens_over: 500}, to: big}
      - {name: think, when: {thinking: true}, adapter: an2}
      - {name: script, when: {header: cheap}, to: fast}
    adapters: [{adapter: an, model_name: m-main}, {adapter: an2, model_name: m-think}]
  big: {adapters: [{adapter: an, model_name: small-window, context_window: 100}, {adapter: an, model_name: m-big}]}
  fast: {adapters: [{adapter: an, model_name: m-fast}]}
  tiny: {adapters: [{adapter: an, model_name: t, context_window: 10}]}
api_keys:
  - {key: ` + adminKey + `, name: admin, roles: [admin]}
`
	var logs syncBuffer
	g := serveGateway(t, text, func(o *server.Options) { o.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	long := strings.Repeat("lorem ipsum ", 250)
	for _, tc := range []struct {
		name, body, header string
		up                 *fakeUpstream
		want               string
	}{
		{"plain", `{"model":"main","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, "", up, "m-main"},
		{"long", `{"model":"main","max_tokens":10,"messages":[{"role":"user","content":"` + long + `"}]}`, "", up, "m-big"},
		{"thinking", `{"model":"main","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"hi"}]}`, "", up2, "m-think"},
		{"script", `{"model":"main","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, "cheap", up, "m-fast"},
	} {
		resp, b := g.do(t, "POST", "/v1/messages", tc.body, "x-api-key", adminKey, "x-modelswitch-route", tc.header)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", tc.name, resp.StatusCode, b)
		}
		if got := tc.up.last(t).Body["model"]; got != tc.want {
			t.Errorf("%s reached %v, want %s", tc.name, got, tc.want)
		}
	}
	for _, r := range up.requests() {
		if r.Body["model"] == "small-window" {
			t.Error("an adapter whose window the request overflows was tried")
		}
	}
	// The records follow the answer (the log line is written after the client has it).
	for _, want := range []string{`route="route long"`, `route="route think"`, `route="route script"`, "model=big", "exceed its 100-token context window"} {
		if !waitLog(&logs, want) {
			t.Errorf("the request log lacks %s:\n%s", want, logs.String())
		}
	}
	resp, b := g.do(t, "POST", "/v1/messages", `{"model":"tiny","max_tokens":10,"messages":[{"role":"user","content":"`+long+`"}]}`, "x-api-key", adminKey)
	if resp.StatusCode != 400 || !strings.Contains(string(b), `"type":"invalid_request_error"`) || !strings.Contains(string(b), "larger than the context window of every adapter") {
		t.Errorf("a request too large for every adapter: %d %s", resp.StatusCode, b)
	}
}
