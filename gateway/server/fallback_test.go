package server_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

// deadURL returns an address nothing listens on (listen, then close).
func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/v1"
}

func TestFallback(t *testing.T) {
	for _, tc := range []struct {
		name       string
		first      string // "dead", "500", "429", "502", "400"
		wantStatus int
		wantSecond bool
	}{
		{"connection refused", "dead", 200, true},
		{"server error", "500", 200, true},
		{"rate limited", "429", 200, true},
		{"bad gateway", "502", 200, true},
		{"client error is not retried", "400", 400, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var firstURL string
			var first *fakeUpstream
			if tc.first == "dead" {
				firstURL = deadURL(t)
			} else {
				status := map[string]int{"500": 500, "429": 429, "502": 502, "400": 400}[tc.first]
				first = newUpstream(t, statusResponder(status))
				firstURL = first.URL + "/v1"
			}
			second := newUpstream(t, openAIResponder)
			g := newGateway(t, "providers:\n"+
				providerYAML("p1", "openai", firstURL, "k1")+
				providerYAML("p2", "openai", second.URL+"/v1", "k2")+`
models:
  glm-5:
    mode: chain
    adapters:
      - {adapter: p2, model_name: second-model, priority: 2}
      - {adapter: p1, model_name: first-model, priority: 1}
`)
			resp, b := g.do(t, "POST", "/v1/chat/completions", chatBody, "X-Api-Key", userKey)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, b)
			}
			if got := len(second.requests()) == 1; got != tc.wantSecond {
				t.Fatalf("second adapter used = %v, want %v", got, tc.wantSecond)
			}
			if first != nil && first.last(t).Body["model"] != "first-model" {
				t.Errorf("priority order not followed")
			}
			if tc.wantSecond && resp.Header.Get("X-Adapter-Name") != "p2" {
				t.Errorf("X-Adapter-Name = %q", resp.Header.Get("X-Adapter-Name"))
			}
			if tc.first == "400" && !strings.Contains(string(b), "upstream says 400") {
				t.Errorf("client error not returned as the upstream sent it: %s", b)
			}
		})
	}
}

func TestAllAdaptersFail(t *testing.T) {
	bad := newUpstream(t, statusResponder(429))
	g := newGateway(t, "providers:\n"+
		providerYAML("p1", "openai", deadURL(t), "k1")+
		providerYAML("p2", "openai", bad.URL+"/v1", "k2")+
		"  - {name: p3, provider: openai, base_url: http://127.0.0.1:9/v1, enabled: false}\n"+`
models:
  glm-5: {adapters: [{adapter: p1, model_name: a}, {adapter: p2, model_name: b, priority: 2}, {adapter: p3, model_name: c, priority: 3}]}
`)
	c := openAIClient(g, userKey)
	_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "glm-5", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
	var apiErr *openai.Error
	if !errorsAs(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("err = %v", err)
	}
	if apiErr.Response.Header.Get("Retry-After") != "7" {
		t.Errorf("Retry-After = %q, want the upstream's 7", apiErr.Response.Header.Get("Retry-After"))
	}
	for _, want := range []string{"p1", "p2", "HTTP 429", "upstream says 429", "p3", "disabled"} {
		if !strings.Contains(apiErr.Message, want) {
			t.Errorf("message %q does not name %q", apiErr.Message, want)
		}
	}
}

func TestStreamFallbackBeforeFirstEvent(t *testing.T) {
	// The first upstream answers 200 with an in-band error event: nothing reached
	// the client yet, so the gateway falls over.
	broken := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("data: {\"error\":{\"message\":\"overloaded\"}}\n\n"))
	})
	good := newUpstream(t, openAIResponder)
	g := newGateway(t, "providers:\n"+
		providerYAML("p1", "openai", broken.URL+"/v1", "k1")+
		providerYAML("p2", "openai", good.URL+"/v1", "k2")+
		"models:\n  glm-5: {adapters: [{adapter: p1, model_name: a}, {adapter: p2, model_name: b, priority: 2}]}\n")
	resp, b := g.do(t, "POST", "/v1/chat/completions", `{"model":"glm-5","stream":true,"messages":[]}`, "X-Api-Key", userKey)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Hello") || strings.Contains(string(b), "overloaded") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}
