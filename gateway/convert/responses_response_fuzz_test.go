package convert

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// responseFuzzSeeds are a golden directory's inputs.
func responseFuzzSeeds(f *testing.F, dir string, extra ...string) {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.in.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// FuzzResponsesToChatResponse: whatever a Responses upstream answers, the
// Chat client gets a chat.completion with one choice or an error, never a
// panic or broken JSON, and the usage it is told is the usage recorded.
func FuzzResponsesToChatResponse(f *testing.F) {
	responseFuzzSeeds(f, "o2r_response", `{}`, `null`, `[]`, `{"status":"failed","error":{"code":1}}`,
		`{"object":"response","status":"completed","output":[{"type":"function_call","call_id":"c","arguments":"{"},{"type":"reasoning","summary":[{"text":"t"}]}],"usage":{"input_tokens":3,"input_tokens_details":{"cached_tokens":9}}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		defer ostreamFixClock()()
		respCheckDecode(t, body)
		out, usage, err := ResponsesToChatResponse(body, "client-model")
		if err != nil {
			return
		}
		var c struct {
			Object  string            `json:"object"`
			Choices []json.RawMessage `json:"choices"`
			Usage   *struct {
				Prompt     int `json:"prompt_tokens"`
				Completion int `json:"completion_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal(out, &c); err != nil {
			t.Fatalf("output is not JSON (%v): %s", err, out)
		}
		if c.Object != "chat.completion" || len(c.Choices) != 1 {
			t.Fatalf("not a one-choice chat.completion: %s", out)
		}
		if c.Usage != nil && (c.Usage.Completion != usage.Output || usage.Input < 0 || usage.CacheRead < 0) {
			t.Fatalf("usage told %+v, recorded %+v", *c.Usage, usage)
		}
	})
}

// FuzzChatToResponsesResponse: whatever a Chat upstream answers, the
// Responses client gets a response object under the gateway's id, with item
// ids it can follow, or an error.
func FuzzChatToResponsesResponse(f *testing.F) {
	responseFuzzSeeds(f, "r2o_response", `{}`, `null`, `{"choices":[]}`, `{"choices":[{"message":{"tool_calls":[{"function":{"arguments":"x"}}]}}]}`,
		`{"choices":[{"message":{"content":[{"type":"text","text":"a"}],"reasoning_content":"r"},"finish_reason":"length"}],"usage":{"prompt_tokens":-1}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		defer ostreamFixClock()()
		out, resp, _, err := ChatToResponsesResponse(body, RespMeta{ID: "resp_fuzz", Model: "client-model", CreatedAt: 1})
		if err != nil {
			return
		}
		var r RespResponse
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("output is not JSON (%v): %s", err, out)
		}
		if r.ID != "resp_fuzz" || r.Object != "response" || r.Model != "client-model" || resp == nil || len(resp.Output) != len(r.Output) {
			t.Fatalf("head or output differs from the kept response: %s", out)
		}
		seen := map[string]bool{}
		for _, it := range r.Output {
			if it.ID == "" || seen[it.ID] {
				t.Fatalf("item id %q empty or repeated: %s", it.ID, out)
			}
			seen[it.ID] = true
			if it.Type == "function_call" && (it.CallID == "" || it.Arguments == nil) {
				t.Fatalf("function_call without call_id or arguments: %s", out)
			}
		}
	})
}

// respCheckDecode holds respDecode's fast path to o2rUnmarshal.
func respCheckDecode(t *testing.T, body []byte) {
	t.Helper()
	checkFastDecode(t, body, func(r *RespAnswer, b []byte) error {
		if len(b) == 0 || b[0] != '{' || !areqScanned(b) {
			return errAreqSlow
		}
		return r.decodeFast(b)
	}, o2rUnmarshal)
}

func TestRespDecodeFastPath(t *testing.T) {
	files, _ := filepath.Glob("testdata/o2r_response/*.json")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, p := range files {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		respCheckDecode(t, body)
		var r RespAnswer
		if !strings.HasSuffix(p, ".want.json") && (!areqScanned(body) || r.decodeFast(body) != nil) {
			t.Errorf("%s: not on the fast path", p)
		}
	}
}
