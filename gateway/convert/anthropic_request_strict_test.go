package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// areqOpenAIFields are the top-level fields a strict OpenAI-compatible server accepts.
var areqOpenAIFields = map[string]bool{"model": true, "messages": true, "stream": true,
	"stream_options": true, "max_tokens": true, "max_completion_tokens": true, "temperature": true,
	"top_p": true, "stop": true, "tools": true, "tool_choice": true, "parallel_tool_calls": true,
	"user": true, "reasoning_effort": true, "n": true, "seed": true, "response_format": true,
	"presence_penalty": true, "frequency_penalty": true, "logprobs": true, "top_logprobs": true,
	"logit_bias": true, "metadata": true,
	"prompt_cache_key": true} // OpenAI Chat Completions has it since 2025; the converter derives it from metadata.user_id

var areqFunctionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

type areqStrictMsg struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	ToolCallID *string         `json:"tool_call_id"`
	ToolCalls  []struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function struct {
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
}

// validateStrictOpenAI checks that out is a Chat Completions request a strict
// OpenAI-compatible server (OpenAI, vLLM chat templates) accepts.
func validateStrictOpenAI(t *testing.T, out []byte) {
	t.Helper()
	for _, p := range areqStrictProblems(out) {
		t.Error(p)
	}
}

type areqProblems []string

func (p *areqProblems) add(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

// areqStrictProblems lists what a strict server would reject in out.
func areqStrictProblems(out []byte) []string {
	var pr areqProblems
	t := &pr
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil {
		t.add("output is not a JSON object: %v", err)
		return pr
	}
	for k := range top {
		if !areqOpenAIFields[k] {
			t.add("unknown top-level field %q", k)
		}
	}
	var req struct {
		Model    string          `json:"model"`
		Messages []areqStrictMsg `json:"messages"`
		Tools    []struct {
			Type     string `json:"type"`
			Function struct {
				Name       string          `json:"name"`
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
		ToolChoice json.RawMessage `json:"tool_choice"`
	}
	if err := json.Unmarshal(out, &req); err != nil {
		t.add("output has wrong field types: %v", err)
		return pr
	}
	if len(req.Messages) == 0 {
		t.add("no messages")
	}
	for _, tool := range req.Tools {
		f := tool.Function
		if tool.Type != "function" || !areqFunctionName.MatchString(f.Name) {
			t.add("bad tool type %q or function name %q", tool.Type, f.Name)
		}
		var params map[string]any
		if err := json.Unmarshal(f.Parameters, &params); err != nil || params["type"] != "object" {
			t.add("tool %s: parameters %s lack \"type\":\"object\"", f.Name, f.Parameters)
		}
		if bytes.Contains(f.Parameters, []byte(`"$schema":"`)) {
			t.add("tool %s: parameters keep $schema: %s", f.Name, f.Parameters)
		}
	}
	if len(req.ToolChoice) > 0 {
		if len(req.Tools) == 0 {
			t.add("tool_choice without tools")
		}
		var tc struct {
			Function struct{ Name string } `json:"function"`
		}
		if json.Unmarshal(req.ToolChoice, &tc) == nil && !areqFunctionName.MatchString(tc.Function.Name) {
			t.add("tool_choice names %q", tc.Function.Name)
		}
	}
	areqStrictMessages(t, req.Messages)
	return pr
}

func areqStrictMessages(t *areqProblems, msgs []areqStrictMsg) {
	var open map[string]bool // tool calls of the last assistant message still unanswered
	prev := ""
	for i, m := range msgs {
		if m.Role != "tool" && len(open) > 0 {
			t.add("messages[%d]: %s message while tool calls %v are unanswered", i, m.Role, open)
			open = nil
		}
		switch m.Role {
		case "system":
			if i != 0 {
				t.add("messages[%d]: system message not first", i)
			}
			areqStrictText(t, i, m.Content, false)
		case "user":
			areqStrictText(t, i, m.Content, false)
		case "assistant":
			areqStrictText(t, i, m.Content, len(m.ToolCalls) > 0)
			open = map[string]bool{}
			for _, c := range m.ToolCalls {
				if c.ID == "" || c.Type != "function" || !areqFunctionName.MatchString(c.Function.Name) {
					t.add("messages[%d]: bad tool call %+v", i, c)
				}
				var args map[string]any
				if json.Unmarshal([]byte(c.Function.Arguments), &args) != nil {
					t.add("messages[%d]: arguments %q are not a JSON object", i, c.Function.Arguments)
				}
				if open[c.ID] {
					t.add("messages[%d]: duplicate tool call id %q", i, c.ID)
				}
				open[c.ID] = true
			}
		case "tool":
			if prev != "assistant" && prev != "tool" {
				t.add("messages[%d]: tool message does not follow an assistant message", i)
			}
			if m.ToolCallID == nil || !open[*m.ToolCallID] {
				t.add("messages[%d]: tool_call_id %v answers no open tool call", i, m.ToolCallID)
			} else {
				delete(open, *m.ToolCallID)
			}
			areqStrictText(t, i, m.Content, false)
		default:
			t.add("messages[%d]: role %q", i, m.Role)
		}
		prev = m.Role
	}
	if len(open) > 0 {
		t.add("tool calls %v never answered", open)
	}
}

// areqStrictText checks content: a non-blank string, or non-empty parts; null only
// when allowed (assistant with tool calls).
func areqStrictText(t *areqProblems, i int, raw json.RawMessage, nullOK bool) {
	if s := strings.TrimSpace(string(raw)); s == "" || s == "null" {
		if !nullOK {
			t.add("messages[%d]: content missing or null", i)
		}
		return
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			t.add("messages[%d]: empty text content", i)
		}
		return
	}
	var parts []struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		ImageURL struct {
			URL string `json:"url"`
		} `json:"image_url"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) == 0 {
		t.add("messages[%d]: content %s is neither text nor parts", i, raw)
	}
	for _, p := range parts {
		if p.Type == "text" && strings.TrimSpace(p.Text) == "" || p.Type == "image_url" && p.ImageURL.URL == "" ||
			p.Type != "text" && p.Type != "image_url" {
			t.add("messages[%d]: bad content part %+v", i, p)
		}
	}
}

func FuzzAnthropicToOpenAIRequest(f *testing.F) {
	files, _ := filepath.Glob("testdata/a2o_request/*.in.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	for _, s := range []string{`{}`, `[]`, `null`, `{"messages":[]}`, `{"messages":[{"role":"user","content":5}]}`,
		`{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"n","input":null}]}]}`,
		`{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"x"}]}]}`,
		`{"system":[{"type":"text","text":"s"}],"messages":[{"role":"system","content":"x"}]}`,
		`{"tools":[{"name":"a.b","input_schema":{"$schema":1,"properties":{"$schema":{}}}}],"tool_choice":{"type":"tool","name":"a.b"},"messages":[{"role":"user","content":"hi"}]}`} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, reasoning bool) {
		opt := Options{UpstreamModel: "m", IncludeUsage: true}
		if reasoning {
			opt.Reasoning = "reasoning_content"
		}
		areqCheckPaths(t, body, opt) // the fast path and the hand encoder agree with encoding/json
		out, names, err := AnthropicToOpenAIRequest(body, opt)
		if err != nil {
			if _, ok := err.(*RequestError); !ok {
				t.Fatalf("error is %T, not *RequestError: %v", err, err)
			}
			return
		}
		if names == nil || !json.Valid(out) {
			t.Fatalf("no names or invalid JSON: %s", out)
		}
		validateStrictOpenAI(t, out)
	})
}

// TestValidateStrictOpenAI: the validator itself catches what strict servers reject.
func TestValidateStrictOpenAI(t *testing.T) {
	const u = `{"role":"user","content":"hi"}`
	const a = `{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}`
	const tool = `{"role":"tool","tool_call_id":"c1","content":"r"}`
	for _, tt := range []struct{ name, body, want string }{
		{"ok", `{"model":"m","messages":[` + u + `,` + a + `,` + tool + `,` + u + `]}`, ""},
		{"unknown_field", `{"model":"m","top_k":3,"messages":[` + u + `]}`, `unknown top-level field "top_k"`},
		{"system_not_first", `{"messages":[` + u + `,{"role":"system","content":"s"}]}`, "system message not first"},
		{"unanswered", `{"messages":[` + u + `,` + a + `,` + u + `]}`, "unanswered"},
		{"orphan_tool", `{"messages":[` + u + `,` + tool + `]}`, "tool message does not follow"},
		{"empty_text", `{"messages":[{"role":"user","content":" "}]}`, "empty text content"},
		{"null_user", `{"messages":[{"role":"user","content":null}]}`, "content missing or null"},
		{"bad_name", `{"messages":[` + u + `],"tools":[{"type":"function","function":{"name":"a.b","parameters":{"type":"object"}}}]}`, "function name"},
		{"schema_kept", `{"messages":[` + u + `],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","$schema":"x"}}}]}`, "keep $schema"},
		{"no_object_type", `{"messages":[` + u + `],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}]}`, "lack"},
		{"role", `{"messages":[{"role":"developer","content":"x"}]}`, `role "developer"`},
	} {
		got := strings.Join(areqStrictProblems([]byte(tt.body)), "; ")
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: problems %q, want %q", tt.name, got, tt.want)
		}
	}
}
