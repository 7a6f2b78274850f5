package convert

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateO2AResp = flag.Bool("update-o2a-resp", false, "rewrite testdata/o2a_response/*.want.json")

const orespClientModel = "claude-sonnet-4-5"

// TestOpenAIToAnthropicResponseGolden converts testdata/o2a_response/<case>.in.json
// (names registered from <case>.names.json) and compares {"response", "usage"}
// with <case>.want.json.
func TestOpenAIToAnthropicResponseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/o2a_response/*.in.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range files {
		base := strings.TrimSuffix(in, ".in.json")
		t.Run(filepath.Base(base), func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			names := &ToolNames{}
			if b, err := os.ReadFile(base + ".names.json"); err == nil {
				var list []string
				if err := json.Unmarshal(b, &list); err != nil {
					t.Fatal(err)
				}
				for _, n := range list {
					names.Upstream(n)
				}
			}
			out, usage, err := OpenAIToAnthropicResponse(body, names, orespClientModel)
			if err != nil {
				t.Fatalf("convert: %v", err)
			}
			orespCheckShape(t, out)
			got, _ := json.Marshal(map[string]any{"response": json.RawMessage(out), "usage": usage})
			areqCompareGolden(t, base+".want.json", got, *updateO2AResp)
		})
	}
}

var orespToolID = regexp.MustCompile(`^toolu_[0-9a-f]{24}$`)

// orespCheckShape checks what every Anthropic client relies on.
func orespCheckShape(t *testing.T, out []byte) {
	t.Helper()
	var m struct {
		ID         string `json:"id"`
		Type, Role string
		Model      string
		Content    []map[string]any
		StopReason *string         `json:"stop_reason"`
		StopSeq    json.RawMessage `json:"stop_sequence"`
		Usage      map[string]int
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("not a message: %v", err)
	}
	if !strings.HasPrefix(m.ID, "msg_") || m.Type != "message" || m.Role != "assistant" || m.Model == "" ||
		m.StopReason == nil || string(m.StopSeq) != "null" || m.Content == nil {
		t.Errorf("bad envelope: %s", out)
	}
	tools := 0
	for _, b := range m.Content {
		switch b["type"] {
		case "thinking":
			if sig, ok := b["signature"].(string); !ok || sig != "" {
				t.Errorf("thinking block without an empty signature: %v", b)
			}
		case "text":
			if s, _ := b["text"].(string); strings.TrimSpace(s) == "" {
				t.Errorf("blank text block")
			}
		case "tool_use":
			tools++
			if _, ok := b["input"].(map[string]any); !ok || b["id"] == "" {
				t.Errorf("tool_use without object input or id: %v", b)
			}
		default:
			t.Errorf("unexpected block %v", b)
		}
	}
	if tools > 0 && *m.StopReason != "tool_use" && *m.StopReason != "max_tokens" {
		t.Errorf("tool_use blocks with stop_reason %q", *m.StopReason)
	}
}

// TestPitfall9StopReasonMapping covers every finish_reason, with and without tool calls.
func TestPitfall9StopReasonMapping(t *testing.T) {
	for _, tt := range []struct {
		finish          string
		tools           bool
		want, wantTools string
	}{
		{`"stop"`, false, "end_turn", "tool_use"},
		{`"length"`, false, "max_tokens", "max_tokens"},
		{`"tool_calls"`, false, "tool_use", "tool_use"},
		{`"function_call"`, false, "tool_use", "tool_use"},
		{`"content_filter"`, false, "refusal", "tool_use"},
		{`null`, false, "end_turn", "tool_use"},
		{`"eos"`, false, "end_turn", "tool_use"},
		{`7`, false, "end_turn", "tool_use"},
	} {
		for _, withTools := range []bool{false, true} {
			calls := ``
			if withTools {
				calls = `,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]`
			}
			body := `{"id":"x","choices":[{"message":{"content":"hi"` + calls + `},"finish_reason":` + tt.finish + `}]}`
			out, _, err := OpenAIToAnthropicResponse([]byte(body), nil, "m")
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				StopReason string `json:"stop_reason"`
			}
			_ = json.Unmarshal(out, &m)
			want := tt.want
			if withTools {
				want = tt.wantTools
			}
			if m.StopReason != want {
				t.Errorf("finish_reason %s tools=%v: stop_reason %q, want %q", tt.finish, withTools, m.StopReason, want)
			}
		}
	}
}

// TestOpenAIToAnthropicResponseGeneratedIDs: ids are generated only when the
// upstream gives none (pitfall 34), e.g. for a legacy function_call.
func TestOpenAIToAnthropicResponseGeneratedIDs(t *testing.T) {
	body := `{"choices":[{"message":{"content":null,"function_call":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}},"finish_reason":"function_call"}]}`
	out, _, err := OpenAIToAnthropicResponse([]byte(body), nil, orespClientModel)
	if err != nil {
		t.Fatal(err)
	}
	orespCheckShape(t, out)
	var m struct {
		ID, Model  string
		StopReason string `json:"stop_reason"`
		Content    []struct{ ID, Name string }
	}
	_ = json.Unmarshal(out, &m)
	if !regexp.MustCompile(`^msg_[0-9a-f]{24}$`).MatchString(m.ID) || m.Model != orespClientModel {
		t.Errorf("id %q model %q", m.ID, m.Model)
	}
	if len(m.Content) != 1 || !orespToolID.MatchString(m.Content[0].ID) || m.Content[0].Name != "Bash" || m.StopReason != "tool_use" {
		t.Errorf("legacy function_call: %s", out)
	}
	out2, _, _ := OpenAIToAnthropicResponse([]byte(body), nil, orespClientModel)
	if string(out2) == string(out) {
		t.Errorf("generated ids repeat")
	}
}

func TestOpenAIToAnthropicResponseErrors(t *testing.T) {
	for _, tt := range []struct{ name, body, want string }{
		{"not_json", `<html>502 Bad Gateway</html>`, "decoding upstream response"},
		{"empty", ``, "decoding upstream response"},
		{"array", `[]`, "decoding upstream response"},
		{"no_choices", `{"id":"x","choices":[],"usage":{"prompt_tokens":1}}`, "upstream response has no choices"},
		{"error_body", `{"error":{"message":"overloaded","type":"server_error"}}`, "upstream response has no choices"},
		{"choices_wrong_type", `{"choices":"x"}`, "decoding upstream response"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, usage, err := OpenAIToAnthropicResponse([]byte(tt.body), nil, "m")
			var re *RequestError
			if err == nil || errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an upstream error containing %q", err, tt.want)
			}
			if out != nil || usage != (Usage{}) {
				t.Errorf("output with an error")
			}
		})
	}
}

// TestA2OThenO2ARoundTrip: the names returned by the request converter restore
// shortened names in the response, and ids survive both ways (pitfalls 23, 34).
func TestA2OThenO2ARoundTrip(t *testing.T) {
	body, _ := os.ReadFile("testdata/a2o_request/pitfall23_long_tool_names.in.json")
	req, names, err := AnthropicToOpenAIRequest(body, Options{UpstreamModel: "m"})
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Tools []struct{ Function struct{ Name string } }
	}
	_ = json.Unmarshal(req, &r)
	upstream := r.Tools[1].Function.Name
	resp := `{"id":"a","choices":[{"message":{"tool_calls":[{"id":"call_X:1","type":"function","function":{"name":"` + upstream + `","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`
	out, _, err := OpenAIToAnthropicResponse([]byte(resp), names, "m")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"id":"call_X:1","name":"mcp__server.name__tool:with:colons"`) {
		t.Errorf("name or id not restored: %s", out)
	}
}
