package convert

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/responses"
)

var updateR2OResponse = flag.Bool("update-r2o-response", false, "rewrite testdata/r2o_response/*.want.json")

// r2oResponseCases is what the official SDK must read from each golden
// response (see r2oWant).
var r2oResponseCases = map[string]r2oWant{
	"text_cached_usage": {status: "completed", text: "Hello <you> & all!", usage: Usage{Input: 176, Output: 10, CacheRead: 1024}},
	"deepseek_reasoning_and_tools": {status: "completed", reasoning: "The user wants a listing.", text: "I'll run it and ask a helper.",
		calls: []string{`.exec_command call_00_abc {"cmd":"ls"}`, `multi_agent_v1.spawn_agent call_01_def {"message":"review"}`,
			`.get_goal call_0123456789abcdef01234567_4 {}`},
		usage: Usage{Input: 108, Output: 40, CacheRead: 512, Reasoning: 14}},
	"length_incomplete":                  {status: "incomplete", text: "Once upon a", usage: Usage{Input: 12, Output: 3}},
	"content_filter_refusal":             {status: "incomplete", text: "I can't help with that."},
	"openrouter_reasoning_content_parts": {status: "completed", reasoning: "Thinking done.", text: "Answer: yes", usage: Usage{Input: 40, Output: 9, Reasoning: 5}},
	"empty_answer":                       {status: "completed", usage: Usage{Input: 30}},
	// A lenient local server: the choice of index 0 comes second, one call's
	// arguments are an object instead of a string, another's are null.
	"object_arguments_second_choice": {status: "completed",
		calls: []string{`.shell call_obj {"command":["ls","-la"]}`, `.shell call_empty {}`}, usage: Usage{Input: 20, Output: 9}},
}

func TestChatToResponsesResponseGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/r2o_response/*.in.json")
	if len(files) != len(r2oResponseCases) {
		t.Errorf("%d inputs for %d cases", len(files), len(r2oResponseCases))
	}
	for _, in := range files {
		base := strings.TrimSuffix(in, ".in.json")
		name := filepath.Base(base)
		t.Run(name, func(t *testing.T) {
			want, ok := r2oResponseCases[name]
			if !ok {
				t.Fatal("no expectation in r2oResponseCases")
			}
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, resp, usage, err := ChatToResponsesResponse(body, r2oTestMeta(t))
			if err != nil {
				t.Fatal(err)
			}
			if usage != want.usage {
				t.Errorf("usage %+v, want %+v", usage, want.usage)
			}
			if again, _ := arespMarshal(resp); string(again) != string(out) {
				t.Error("the returned response does not encode to the body")
			}
			var r responses.Response
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("SDK cannot decode it: %v", err)
			}
			r2oCheckWant(t, r, want)
			if r.ID != "resp_0123456789abcdef01234567" || r.Object != "response" || r.CreatedAt != 1765000000 || r.Model != "codex" {
				t.Errorf("id %q object %q created_at %v model %q", r.ID, r.Object, r.CreatedAt, r.Model)
			}
			ids := map[string]bool{}
			for _, o := range r.Output {
				if o.ID == "" || ids[o.ID] {
					t.Errorf("item id %q empty or repeated", o.ID)
				}
				ids[o.ID] = true
			}
			areqCompareGolden(t, base+".want.json", out, *updateR2OResponse)
		})
	}
}

// TestChatToResponsesMatchesStream holds the two converters to the same
// answer: a streamed completion's final response equals the converted whole
// one (pitfall 31 for Responses clients).
func TestChatToResponsesMatchesStream(t *testing.T) {
	const chunks = `data: {"choices":[{"index":0,"delta":{"reasoning_content":"Think."}}]}

data: {"choices":[{"index":0,"delta":{"content":"Text."}}]}

data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"multi_agent_v1__spawn_agent","arguments":"{\"message\":\"m\"}"}}]}}]}

data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":{"prompt_tokens":9,"completion_tokens":5}}

data: [DONE]

`
	const whole = `{"choices":[{"index":0,"message":{"role":"assistant","content":"Text.","reasoning_content":"Think.",
"tool_calls":[{"id":"call_1","type":"function","function":{"name":"multi_agent_v1__spawn_agent","arguments":"{\"message\":\"m\"}"}}]},
"finish_reason":"length"}],"usage":{"prompt_tokens":9,"completion_tokens":5}}`
	conv := NewResponsesStream(r2oTestMeta(t))
	names, payloads := o2aPayloads(t, []byte(chunks))
	r2oFeed(conv, names, payloads)
	streamed, _ := arespMarshal(conv.Response())
	out, _, _, err := ChatToResponsesResponse([]byte(whole), r2oTestMeta(t))
	if err != nil {
		t.Fatal(err)
	}
	if string(streamed) != string(out) {
		t.Errorf("stream and whole response differ:\n%s\n%s", streamed, out)
	}
}

func TestChatToResponsesResponseErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, msg string }{
		{"error object", `{"error":{"message":"model overloaded","type":"server_error"}}`, "upstream error: model overloaded"},
		{"no choices", `{"id":"x","choices":[]}`, "no choices"},
		{"not json", `<html>`, "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, _, err := ChatToResponsesResponse([]byte(tc.body), RespMeta{ID: "resp_1"})
			var re *RequestError
			if err == nil || resp != nil || errors.As(err, &re) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v (%T), want an upstream error containing %q", err, err, tc.msg)
			}
		})
	}
}

func TestRespMetaEchoesRequest(t *testing.T) {
	req, err := ParseResponsesRequest([]byte(`{"model":"m","instructions":"Be brief.","max_output_tokens":50,"temperature":0.5,"top_p":0.9,
"parallel_tool_calls":false,"store":false,"metadata":{"k":"v"},"previous_response_id":"resp_prev","tool_choice":"required",
"reasoning":{"effort":"low","summary":"auto"},"text":{"format":{"type":"json_object"}},"tools":[{"type":"function","name":"f"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	out, _, _, err := ChatToResponsesResponse([]byte(`{"choices":[{"message":{"content":"{}"},"finish_reason":"stop"}]}`),
		RespMeta{ID: "resp_x", Model: "m", Request: req})
	if err != nil {
		t.Fatal(err)
	}
	var r responses.Response
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if r.Instructions.OfString != "Be brief." || r.MaxOutputTokens != 50 || r.Temperature != 0.5 || r.TopP != 0.9 ||
		r.ParallelToolCalls || r2oStore(out) || r.Metadata["k"] != "v" || r.PreviousResponseID != "resp_prev" ||
		r.ToolChoice.OfToolChoiceMode != "required" || r.Reasoning.Effort != "low" || r.Text.Format.Type != "json_object" ||
		len(r.Tools) != 1 || r.Tools[0].Name != "f" || r.Output[0].ID != "msg_x_0" {
		t.Errorf("echo wrong: %s", out)
	}
	// Without a request the defaults are OpenAI's.
	out, _, _, _ = ChatToResponsesResponse([]byte(`{"choices":[{"message":{"content":"a"}}]}`), RespMeta{})
	if err := json.Unmarshal(out, &r); err != nil || !r.ParallelToolCalls || !r2oStore(out) || r.ToolChoice.OfToolChoiceMode != "auto" ||
		!strings.HasPrefix(r.ID, "resp_") || r.Output[0].ID != "msg_"+strings.TrimPrefix(r.ID, "resp_")+"_0" {
		t.Errorf("defaults wrong (%v): %s", err, out)
	}
}

// r2oStore reads a response's store (the SDK's Response has no such field).
func r2oStore(body []byte) bool {
	var v struct{ Store bool }
	_ = json.Unmarshal(body, &v)
	return v.Store
}

// TestChatToResponsesChainedFromAnthropic converts the Anthropic response
// fixtures as the Anthropic lane does (Messages → Chat → Responses).
func TestChatToResponsesChainedFromAnthropic(t *testing.T) {
	files, _ := filepath.Glob("testdata/a2o_response/*.in.json")
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			chat, _, err := AnthropicToOpenAIResponse(body, "codex")
			if err != nil {
				t.Fatal(err)
			}
			out, _, _, err := ChatToResponsesResponse(chat, r2oTestMeta(t))
			var r responses.Response
			if err != nil || json.Unmarshal(out, &r) != nil || r.Status == "" {
				t.Fatalf("%v: %s", err, out)
			}
		})
	}
}
