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

var updateO2RResponse = flag.Bool("update-o2r-response", false, "rewrite testdata/o2r_response/*.want.json")

// o2rResponseWant is what the official SDK must read in one converted answer.
type o2rResponseWant struct {
	content   *string // nil: null
	refusal   string
	reasoning string
	tools     [][3]string
	finish    string
	usage     [4]int64 // prompt, completion, cached, reasoning
}

var o2rResponseCases = map[string]o2rResponseWant{
	"text": {content: new("In a peaceful grove beneath a silver moon, a unicorn named Lumina <slept>."), finish: "stop",
		usage: [4]int64{36, 87, 0, 64}},
	"reasoning_summary": {content: new("2 + 2 = 4."), finish: "stop", usage: [4]int64{40, 120, 0, 96},
		reasoning: "**Adding numbers**\n\nThe user asks 2+2.\n\n**Answering**\n\nThat is 4."},
	"tool_calls": {content: new("Checking both cities."), finish: "tool_calls", usage: [4]int64{610, 120, 512, 64},
		tools: [][3]string{{"call_Paris01xYz", "get_weather", `{"city":"Paris"}`}, {"call_Tokyo02aBc", "get_weather", `{}`}}},
	"refusal":                   {refusal: "I can't help with that.", finish: "stop", usage: [4]int64{20, 9, 0, 0}},
	"incomplete_length":         {content: new("Once upon a time, there was"), finish: "length", usage: [4]int64{9, 16, 0, 0}},
	"incomplete_content_filter": {content: new("I can"), finish: "content_filter", usage: [4]int64{30, 2, 0, 0}},
	"reasoning_text_no_message": {reasoning: "Only thinking.", finish: "stop"},
}

func TestResponsesToChatResponseGolden(t *testing.T) {
	defer ostreamFixClock()()
	files, _ := filepath.Glob("testdata/o2r_response/*.in.json")
	if len(files) != len(o2rResponseCases) {
		t.Errorf("%d files, %d expectations", len(files), len(o2rResponseCases))
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".in.json")
		t.Run(name, func(t *testing.T) {
			want, ok := o2rResponseCases[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, usage, err := ResponsesToChatResponse(body, "client-model")
			if err != nil {
				t.Fatal(err)
			}
			oreqGolden(t, strings.TrimSuffix(in, ".in.json")+".want.json", out, *updateO2RResponse)
			var c openai.ChatCompletion
			if err := json.Unmarshal(out, &c); err != nil {
				t.Fatal(err)
			}
			var raw struct {
				Choices []struct {
					Message struct {
						Content          *string `json:"content"`
						ReasoningContent string  `json:"reasoning_content"`
					} `json:"message"`
				} `json:"choices"`
			}
			if err := json.Unmarshal(out, &raw); err != nil || len(c.Choices) != 1 || len(raw.Choices) != 1 {
				t.Fatalf("%s: %v", out, err)
			}
			m, rm := c.Choices[0].Message, raw.Choices[0].Message
			if (rm.Content == nil) != (want.content == nil) || want.content != nil && *rm.Content != *want.content {
				t.Errorf("content %v, want %v", rm.Content, want.content)
			}
			if m.Refusal != want.refusal || rm.ReasoningContent != want.reasoning || c.Choices[0].FinishReason != want.finish {
				t.Errorf("refusal %q reasoning %q finish %q", m.Refusal, rm.ReasoningContent, c.Choices[0].FinishReason)
			}
			if len(m.ToolCalls) != len(want.tools) {
				t.Fatalf("%d tool calls, want %d", len(m.ToolCalls), len(want.tools))
			}
			for i, tc := range m.ToolCalls {
				if got := [3]string{tc.ID, tc.Function.Name, tc.Function.Arguments}; got != want.tools[i] || tc.Type != "function" {
					t.Errorf("tool call %d = %q, want %q", i, got, want.tools[i])
				}
			}
			u := c.Usage
			if got := [4]int64{u.PromptTokens, u.CompletionTokens, u.PromptTokensDetails.CachedTokens,
				u.CompletionTokensDetails.ReasoningTokens}; got != want.usage {
				t.Errorf("usage %v, want %v", got, want.usage)
			}
			if n := usage.OpenAI(); int64(n.PromptTokens) != want.usage[0] || usage.CacheRead != int(want.usage[2]) {
				t.Errorf("returned usage %+v", usage)
			}
			if c.Object != "chat.completion" || !strings.HasPrefix(c.ID, "chatcmpl-") || strings.Contains(c.ID, "resp_") {
				t.Errorf("head %q %q", c.Object, c.ID)
			}
		})
	}
}

// TestResponsesToChatResponseHead: id, created and model come from the
// upstream, with fallbacks.
func TestResponsesToChatResponseHead(t *testing.T) {
	defer ostreamFixClock()()
	out, _, err := ResponsesToChatResponse([]byte(`{"id":"resp_abc","object":"response","created_at":1764000000,"status":"completed","model":"gpt-5.1","output":[]}`), "m")
	if err != nil || !strings.HasPrefix(string(out), `{"id":"chatcmpl-abc","object":"chat.completion","created":1764000000,"model":"gpt-5.1",`) {
		t.Fatalf("%s %v", out, err)
	}
	out, _, err = ResponsesToChatResponse([]byte(`{"object":"response","status":"completed","output":[]}`), "client")
	if err != nil || !strings.Contains(string(out), `"created":1700000000,"model":"client"`) || !strings.HasPrefix(string(out), `{"id":"chatcmpl-`) {
		t.Fatalf("%s %v", out, err)
	}
}

func TestResponsesToChatResponseErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"id":"resp_1","object":"response","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]}`,
			"responses upstream error (server_error): boom"},
		{`{"id":"resp_1","object":"response","status":"failed","error":null,"output":[]}`, "the response failed"},
		{`{"error":{"message":"Invalid 'input[0]'","type":"invalid_request_error","param":"input","code":null}}`,
			"responses upstream error: Invalid 'input[0]'"},
		{`{"error":{"message":"numeric code","code":400}}`, "responses upstream error: numeric code"},
		{`{"id":"resp_1","object":"response","status":"in_progress","output":[]}`, "in_progress response"},
		{`{"id":"chatcmpl-1","object":"chat.completion","choices":[]}`, "not a response object"},
		{`not json`, "not valid JSON"},
		{`[]`, "not a response object"},
	} {
		if out, _, err := ResponsesToChatResponse([]byte(tc.body), "m"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %s %v, want %q", tc.body, out, err, tc.want)
		}
	}
}
