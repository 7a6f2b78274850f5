package floor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/modelswitch/modelswitch/bench/bodies"
	"github.com/modelswitch/modelswitch/bench/floor"
	"github.com/modelswitch/modelswitch/bench/load"
	"github.com/modelswitch/modelswitch/bench/mock"
)

func TestSwapModel(t *testing.T) {
	for in, want := range map[string]string{
		`{"model":"gpt-x","stream":true}`:         `{"model":"m","stream":true}`,
		`{"model" : "a\"b", "x":1}`:               `{"model" : "m", "x":1}`,
		`{"messages":[],"model":"late"}`:          `{"messages":[],"model":"m"}`,
		`{"stream":true}`:                         `{"stream":true}`,
		`{"model":null}`:                          `{"model":null}`,
		`{"model":"unterminated`:                  `{"model":"unterminated`,
		`{"model":"","max_tokens":8,"stream":no}`: `{"model":"m","max_tokens":8,"stream":no}`,
	} {
		if got := string(floor.SwapModel([]byte(in), "m")); got != want {
			t.Errorf("SwapModel(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestChain runs the load generator through the floor to the mock, whole and
// streamed, in the three protocols.
func TestChain(t *testing.T) {
	up := httptest.NewServer(&mock.Server{})
	defer up.Close()
	fl := httptest.NewServer(floor.New(up.URL, "mock-model"))
	defer fl.Close()
	for _, tc := range []struct {
		path          string
		body          []byte
		first, marker string
	}{
		{"/v1/chat/completions", bodies.OpenAISmall("x", false), "", ""},
		{"/v1/chat/completions", bodies.OpenAISmall("x", true), "", ""},
		{"/v1/messages", bodies.AnthropicSmall("x", false), "", ""},
		{"/v1/messages", bodies.ClaudeCode("x", true), "", ""},
		{"/v1/responses", bodies.ResponsesSmall("x", false), "", ""},
		{"/v1/responses", bodies.ResponsesSmall("x", true), mock.ResponsesFirstMarker, mock.ResponsesChunkMarker},
		{"/v1/responses", bodies.Codex("x", true), mock.ResponsesFirstMarker, mock.ResponsesChunkMarker},
	} {
		for _, base := range []string{up.URL, fl.URL} {
			r := load.Run(context.Background(), load.Options{URL: base + tc.path, Body: tc.body, Concurrency: 2, Requests: 6,
				FirstMarker: tc.first, ChunkMarker: tc.marker,
				Header: http.Header{"Content-Type": {"application/json"}, "X-Mock-Chunks": {"5"}}})
			if r.Errors != 0 || r.Requests != 6 {
				t.Fatalf("%s%s: %d ok, %d errors, first %q", base, tc.path, r.Requests, r.Errors, r.FirstError)
			}
			if stream := r.TTFT != nil; stream && (r.ChunksMin != 5 || r.ChunksMax != 5 || r.Gap == nil) {
				t.Errorf("%s%s: token lines %d..%d, want 5", base, tc.path, r.ChunksMin, r.ChunksMax)
			}
		}
	}
	if n := len(bodies.ClaudeCode("claude-bench", true)); n < 74<<10 || n > 80<<10 {
		t.Errorf("Claude Code body is %d bytes, want about 76 KB", n)
	}
}
