package convert

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

var updateA2OResp = flag.Bool("updateA2OResp", false, "rewrite testdata/a2o_response/*.want.json")

func TestAnthropicToOpenAIResponseGolden(t *testing.T) {
	defer ostreamFixClock()()
	files, _ := filepath.Glob("testdata/a2o_response/*.in.json")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range files {
		t.Run(strings.TrimSuffix(filepath.Base(in), ".in.json"), func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, usage, err := AnthropicToOpenAIResponse(body, "client-model")
			if err != nil {
				t.Fatal(err)
			}
			oreqGolden(t, strings.TrimSuffix(in, ".in.json")+".want.json", got, *updateA2OResp)

			// The official SDK must read it, and usage must match the body's.
			var cc openai.ChatCompletion
			if err := json.Unmarshal(got, &cc); err != nil {
				t.Fatal(err)
			}
			if len(cc.Choices) != 1 || cc.Choices[0].Message.Role != "assistant" || cc.Choices[0].FinishReason == "" {
				t.Fatalf("SDK sees %+v", cc.Choices)
			}
			if int(cc.Usage.PromptTokens) != usage.Input+usage.CacheRead+usage.CacheWrite ||
				int(cc.Usage.CompletionTokens) != usage.Output {
				t.Errorf("usage %+v vs %+v", cc.Usage, usage)
			}
			var src struct {
				Content []struct{ Type, ID string } `json:"content"`
			}
			_ = json.Unmarshal(body, &src)
			var ids []string
			for _, b := range src.Content {
				if b.Type == "tool_use" {
					ids = append(ids, b.ID)
				}
			}
			calls := cc.Choices[0].Message.ToolCalls
			if len(calls) != len(ids) {
				t.Fatalf("%d tool calls, want %d", len(calls), len(ids))
			}
			for i, c := range calls {
				if c.ID != ids[i] || !json.Valid([]byte(c.Function.Arguments)) {
					t.Errorf("tool call %d: id %q arguments %q", i, c.ID, c.Function.Arguments)
				}
			}
		})
	}
}

func TestAnthropicToOpenAIResponseErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `<html>bad gateway</html>`, "anthropic response is not valid JSON"},
		{"error body", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
			"anthropic upstream error (overloaded_error): Overloaded"},
		{"not a message", `{"hello":"world"}`, "anthropic response is not a message"},
		{"array", `[1]`, "anthropic response is not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := AnthropicToOpenAIResponse([]byte(tc.body), "m")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %s, %v; want error %q", out, err, tc.want)
			}
		})
	}
}

func TestAnthropicFinishReason(t *testing.T) {
	for stop, want := range map[string]string{"end_turn": "stop", "stop_sequence": "stop", "pause_turn": "stop",
		"max_tokens": "length", "tool_use": "tool_calls", "refusal": "content_filter", "": "stop", "new_reason": "stop"} {
		if got := arespFinishReason(stop, false); got != want {
			t.Errorf("%q → %q, want %q", stop, got, want)
		}
	}
	if got := arespFinishReason("", true); got != "tool_calls" {
		t.Errorf("missing reason with tools → %q", got)
	}
}
