package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateO2AReq = flag.Bool("updateO2AReq", false, "rewrite testdata/o2a_request/*.want.json")

var oreqOptions = Options{UpstreamModel: "claude-sonnet-4-5"}

func TestOpenAIToAnthropicRequestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/o2a_request/*.in.json")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range files {
		t.Run(strings.TrimSuffix(filepath.Base(in), ".in.json"), func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := OpenAIToAnthropicRequest(body, oreqOptions)
			if err != nil {
				t.Fatal(err)
			}
			oreqCheckShape(t, got)
			oreqGolden(t, strings.TrimSuffix(in, ".in.json")+".want.json", got, *updateO2AReq)
		})
	}
}

func TestOpenAIToAnthropicRequestMaxTokens(t *testing.T) {
	body := []byte(`{"messages":[{"role":"user","content":"hi"}]}`)
	for _, tc := range []struct {
		def  int
		want int
	}{{0, 4096}, {1234, 1234}} {
		out, err := OpenAIToAnthropicRequest(body, Options{UpstreamModel: "m", DefaultMaxTokens: tc.def})
		if err != nil {
			t.Fatal(err)
		}
		var req struct {
			MaxTokens int `json:"max_tokens"`
		}
		if err := json.Unmarshal(out, &req); err != nil || req.MaxTokens != tc.want {
			t.Errorf("DefaultMaxTokens %d: max_tokens %d, want %d (%v)", tc.def, req.MaxTokens, tc.want, err)
		}
	}
}

func TestOpenAIToAnthropicRequestErrors(t *testing.T) {
	user := `{"role":"user","content":"hi"}`
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `{`, "request body is not a valid JSON object"},
		{"body an array", `[]`, "request body is not a valid JSON object"},
		{"messages not an array", `{"messages":{"role":"user"}}`, "messages must be an array"},
		{"messages missing", `{}`, "messages must be an array"},
		{"message not an object", `{"messages":["hi"]}`, "messages[0] must be an object"},
		{"content a number", `{"messages":[{"role":"user","content":42}]}`, "messages[0].content must be a string or an array of content parts"},
		{"part not an object", `{"messages":[{"role":"user","content":["hi"]}]}`, "messages[0].content[0] must be an object"},
		{"n=2", `{"n":2,"messages":[` + user + `]}`, "n > 1 is not supported by Anthropic upstreams"},
		{"unknown part type", `{"messages":[` + user + `,{"role":"assistant","content":"a"},{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAA","format":"wav"}}]}]}`,
			`messages[2].content[0]: content part type "input_audio" is not supported by Anthropic upstreams`},
		{"file part", `{"messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"file","file":{"file_id":"f"}}]}]}`,
			`messages[0].content[1]: content part type "file" is not supported by Anthropic upstreams`},
		{"image in system", `{"messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},` + user + `]}`,
			`messages[0].content[0]: content part type "image_url" is not supported by Anthropic upstreams`},
		{"bad image URL", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}`,
			"messages[0].content[0]: image_url must be an http(s) URL or a base64 data URL"},
		{"data URL not base64", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]}`,
			"messages[0].content[0]: image_url is not a valid base64 data URL"},
		{"bad tool arguments", `{"messages":[` + user + `,{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{city: Paris"}}]}]}`,
			`messages[1].tool_calls[0] (id "call_1", function "get_weather"): arguments are not a valid JSON object`},
		{"tool arguments an array", `{"messages":[` + user + `,{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"[1]"}}]}]}`,
			`messages[1].tool_calls[0] (id "call_1", function "f"): arguments are not a valid JSON object`},
		{"tool call without id", `{"messages":[` + user + `,{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}`,
			"messages[1].tool_calls[0]: a tool call needs an id and a function name"},
		{"legacy function role", `{"messages":[` + user + `,{"role":"function","name":"f","content":"1"}]}`,
			"messages[1]: the legacy function role is not supported; use tool messages"},
		{"legacy function_call message", `{"messages":[` + user + `,{"role":"assistant","function_call":{"name":"f","arguments":"{}"}}]}`,
			"messages[1]: legacy function_call is not supported; use tool_calls"},
		{"legacy functions", `{"functions":[{"name":"f"}],"messages":[` + user + `]}`,
			"legacy functions and function_call are not supported; use tools and tool_choice"},
		{"unknown role", `{"messages":[{"role":"narrator","content":"x"}]}`, `messages[0]: unknown role "narrator"`},
		{"tool without id", `{"messages":[` + user + `,{"role":"tool","content":"1"}]}`, "messages[1]: tool message has no tool_call_id"},
		{"role a number", `{"messages":[{"role":1,"content":"x"}]}`, "messages[0].role: unexpected JSON number"},
		{"first is assistant", `{"messages":[{"role":"system","content":"s"},{"role":"assistant","content":"Hello!"},` + user + `]}`,
			"messages: the first non-system message must be from the user for Anthropic upstreams"},
		{"only system", `{"messages":[{"role":"system","content":"s"}]}`, "messages: at least one user message is required"},
		{"max_tokens zero", `{"max_tokens":0,"messages":[` + user + `]}`, "max_tokens must be a positive integer"},
		{"max_completion_tokens fraction", `{"max_completion_tokens":1.5,"messages":[` + user + `]}`, "max_completion_tokens must be a positive integer"},
		{"temperature a string", `{"temperature":"hot","messages":[` + user + `]}`, "temperature: unexpected JSON string"},
		{"stop a number", `{"stop":1,"messages":[` + user + `]}`, "stop must be a string or an array of strings"},
		{"tool type", `{"tools":[{"type":"custom","custom":{"name":"x"}}],"messages":[` + user + `]}`,
			`tools[0]: tool type "custom" is not supported by Anthropic upstreams`},
		{"tool without name", `{"tools":[{"type":"function","function":{}}],"messages":[` + user + `]}`, "tools[0]: function.name is required"},
		{"tool parameters an array", `{"tools":[{"type":"function","function":{"name":"f","parameters":[]}}],"messages":[` + user + `]}`,
			"tools[0].function.parameters: must be a JSON object"},
		{"tool_choice unknown", `{"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes","messages":[` + user + `]}`,
			`tool_choice "sometimes" is not supported`},
		{"json_schema", `{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}},"messages":[` + user + `]}`,
			"response_format json_schema is not supported by Anthropic upstreams; describe the format in the prompt or use a tool"},
		{"reasoning_effort unknown", `{"reasoning_effort":"max","messages":[` + user + `]}`, `reasoning_effort "max" is not supported`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := OpenAIToAnthropicRequest([]byte(tc.body), oreqOptions)
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("got %s, %v; want a RequestError", out, err)
			}
			if re.Msg != tc.want {
				t.Errorf("error %q\n want %q", re.Msg, tc.want)
			}
		})
	}
}

// oreqGolden compares got (indented when JSON) with the file at path, or
// rewrites the file when update is set.
func oreqGolden(t *testing.T, path string, got []byte, update bool) {
	t.Helper()
	if strings.HasSuffix(path, ".json") {
		var buf bytes.Buffer
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, got)
		}
		got = append(buf.Bytes(), '\n')
	}
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s missing; run with the update flag", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got: %s\nwant: %s", path, got, want)
	}
}

// oreqCheckShape asserts what Anthropic requires of every converted request.
func oreqCheckShape(t testing.TB, out []byte) {
	var req struct {
		MaxTokens int `json:"max_tokens"`
		Messages  []struct {
			Role    string            `json:"role"`
			Content []json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(out, &req); err != nil {
		t.Fatalf("output is not a request: %v\n%s", err, out)
	}
	if req.MaxTokens <= 0 {
		t.Fatalf("max_tokens %d", req.MaxTokens)
	}
	if len(req.Messages) == 0 {
		t.Fatalf("no messages: %s", out)
	}
	for i, m := range req.Messages {
		if want := []string{"user", "assistant"}[i%2]; m.Role != want || len(m.Content) == 0 {
			t.Fatalf("messages[%d] role %q with %d blocks, want %q: %s", i, m.Role, len(m.Content), want, out)
		}
	}
}

func FuzzOpenAIToAnthropicRequest(f *testing.F) {
	files, _ := filepath.Glob("testdata/o2a_request/*.in.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"messages":[{"role":"user","content":"a"},{"role":"tool","tool_call_id":"x","content":"b"},{"role":"assistant","content":" "}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		oreqCheckPaths(t, body, Options{UpstreamModel: "m"}) // the fast path and the hand encoder agree with encoding/json
		out, err := OpenAIToAnthropicRequest(body, Options{UpstreamModel: "m"})
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("non-request error %T %v", err, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON: %s", out)
		}
		oreqCheckShape(t, out)
	})
}
