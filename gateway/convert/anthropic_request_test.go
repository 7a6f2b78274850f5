package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var updateA2O = flag.Bool("update-a2o", false, "rewrite testdata/a2o_request/*.want.json")

// areqGoldenOptions are the options of a golden case: <case>.opt.json if present.
func areqGoldenOptions(t *testing.T, base string) Options {
	opt := Options{UpstreamModel: "upstream-model", IncludeUsage: true}
	if b, err := os.ReadFile(base + ".opt.json"); err == nil {
		if err := json.Unmarshal(b, &opt); err != nil {
			t.Fatalf("%s.opt.json: %v", base, err)
		}
	}
	return opt
}

// areqCompareGolden compares got with the JSON in path (decoded, not bytes),
// rewriting the file when update is set.
func areqCompareGolden(t *testing.T, path string, got []byte, update bool) {
	t.Helper()
	if update {
		var buf bytes.Buffer
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		buf.WriteByte('\n')
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wantB, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with the update flag to create it)", err)
	}
	var got1, want any
	if err := json.Unmarshal(got, &got1); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := json.Unmarshal(wantB, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !reflect.DeepEqual(got1, want) {
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, got, "", "  ")
		t.Errorf("output differs from %s; got:\n%s", path, pretty.String())
	}
}

func TestAnthropicToOpenAIRequestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/a2o_request/*.in.json")
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
			out, names, err := AnthropicToOpenAIRequest(body, areqGoldenOptions(t, base))
			if err != nil {
				t.Fatalf("convert: %v", err)
			}
			if names == nil {
				t.Fatal("nil names")
			}
			validateStrictOpenAI(t, out)
			if bytes.Contains(out, []byte("signature")) || bytes.Contains(out, []byte("cache_control")) {
				t.Errorf("signature or cache_control leaked upstream (pitfalls 18, 26)")
			}
			areqCompareGolden(t, base+".want.json", out, *updateA2O)
		})
	}
}

// TestA2OToolNamesRoundTrip: long MCP names are shortened for the upstream and
// restored by the returned names (pitfall 23).
func TestA2OToolNamesRoundTrip(t *testing.T) {
	body, _ := os.ReadFile("testdata/a2o_request/pitfall23_long_tool_names.in.json")
	out, names, err := AnthropicToOpenAIRequest(body, Options{UpstreamModel: "m"})
	if err != nil {
		t.Fatal(err)
	}
	var req struct {
		Tools []struct{ Function struct{ Name string } }
	}
	_ = json.Unmarshal(out, &req)
	want := []string{"mcp__claude_in_chrome__computer_use_take_screenshot_of_the_current_browser_tab_and_return_it",
		"mcp__server.name__tool:with:colons", "Bash"}
	for i, tool := range req.Tools {
		if got := names.Client(tool.Function.Name); got != want[i] {
			t.Errorf("tools[%d]: %q maps back to %q, want %q", i, tool.Function.Name, got, want[i])
		}
	}
}

func TestA2OReasoningEffort(t *testing.T) {
	tests := []struct{ thinking, outputConfig, want string }{
		{`{"type":"enabled","budget_tokens":1024}`, ``, "low"},
		{`{"type":"enabled","budget_tokens":4095}`, ``, "low"},
		{`{"type":"enabled","budget_tokens":4096}`, ``, "medium"},
		{`{"type":"enabled","budget_tokens":16383}`, ``, "medium"},
		{`{"type":"enabled","budget_tokens":16384}`, ``, "high"},
		{`{"type":"enabled"}`, ``, "medium"},
		{`{"type":"adaptive"}`, ``, "medium"},
		{`{"type":"adaptive","display":"omitted"}`, `{"effort":"low"}`, "low"},
		{`{"type":"adaptive"}`, `{"effort":"high"}`, "high"},
		{`{"type":"adaptive"}`, `{"effort":"max"}`, "high"},
		{`{"type":"adaptive"}`, `{"effort":"bogus"}`, "medium"},
		{`{"type":"disabled"}`, `{"effort":"high"}`, ""}, // pitfall 19
		{``, `{"effort":"high"}`, ""},
		{`null`, ``, ""},
	}
	for _, tt := range tests {
		body := `{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]`
		if tt.thinking != "" {
			body += `,"thinking":` + tt.thinking
		}
		if tt.outputConfig != "" {
			body += `,"output_config":` + tt.outputConfig
		}
		out, _, err := AnthropicToOpenAIRequest([]byte(body+"}"), Options{UpstreamModel: "m"})
		if err != nil {
			t.Fatalf("%s %s: %v", tt.thinking, tt.outputConfig, err)
		}
		var got struct {
			ReasoningEffort *string `json:"reasoning_effort"`
			MaxTokens       int     `json:"max_tokens"`
		}
		_ = json.Unmarshal(out, &got)
		if tt.want == "" && got.ReasoningEffort != nil || tt.want != "" && (got.ReasoningEffort == nil || *got.ReasoningEffort != tt.want) {
			t.Errorf("thinking %s output_config %s: reasoning_effort %v, want %q", tt.thinking, tt.outputConfig, got.ReasoningEffort, tt.want)
		}
		if got.MaxTokens != 10 {
			t.Errorf("max_tokens changed to %d (P4)", got.MaxTokens)
		}
	}
}

func TestA2OStreamOptions(t *testing.T) {
	for _, tt := range []struct {
		stream, include bool
		want            string
	}{{true, true, `{"include_usage":true}`}, {true, false, ``}, {false, true, ``}} {
		body := `{"stream":` + map[bool]string{true: "true", false: "false"}[tt.stream] + `,"messages":[{"role":"user","content":"hi"}]}`
		out, _, err := AnthropicToOpenAIRequest([]byte(body), Options{UpstreamModel: "m", IncludeUsage: tt.include})
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]json.RawMessage
		_ = json.Unmarshal(out, &got)
		if string(got["stream_options"]) != tt.want || string(got["stream"]) != map[bool]string{true: "true", false: "false"}[tt.stream] {
			t.Errorf("stream=%v include=%v: %s", tt.stream, tt.include, out)
		}
	}
}

func TestA2ORequestErrors(t *testing.T) {
	const tools = `"tools":[{"name":"Bash","input_schema":{"type":"object"}}],`
	tests := []struct{ name, body, want string }{
		{"not_json", `{"messages":`, "request body is not valid JSON"},
		{"body_array", `[1]`, "request body: must be an object, got array"},
		{"messages_missing", `{"model":"x"}`, "messages: required"},
		{"messages_not_array", `{"messages":{"role":"user"}}`, "messages: must be an array, got object"},
		{"messages_empty", `{"messages":[]}`, "messages: no non-empty user or assistant message"},
		{"only_empty_text", `{"messages":[{"role":"user","content":"  "}]}`, "messages: no non-empty user or assistant message"},
		{"message_not_object", `{"messages":["hi"]}`, "messages[0]: must be an object, got string"},
		{"content_number", `{"messages":[{"role":"user","content":5}]}`, "messages[0].content: must be a string or an array of content blocks, got number"},
		{"content_missing", `{"messages":[{"role":"user"}]}`, "messages[0].content: must be a string or an array of content blocks, got null"},
		{"unknown_role", `{"messages":[{"role":"bot","content":"x"}]}`, `messages[0].role: unknown role "bot"`},
		{"unknown_block", `{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":[{"type":"text","text":"x"},{"type":"foo"}]}]}`, `messages[2].content[1]: unknown content block type "foo"`},
		{"block_not_object", `{"messages":[{"role":"user","content":["x"]}]}`, "messages[0].content[0]: must be a content block object, got string"},
		{"text_wrong_type", `{"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}`, "messages[0].content[0].text: must be a string, got number"},
		{"search_result", `{"messages":[{"role":"user","content":[{"type":"search_result","source":"s","title":"t","content":[]}]}]}`, `messages[0].content[0]: "search_result" blocks are not allowed in a user message`},
		{"pdf_document", `{"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBER"}}]}]}`, `messages[0].content[0]: document blocks with a "base64" source cannot be sent`},
		{"image_file_source", `{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}`, `messages[0].content[0].source: image source of type "file" cannot be converted`},
		{"tool_use_in_user", `{"messages":[{"role":"user","content":[{"type":"tool_use","id":"a","name":"b","input":{}}]}]}`, `messages[0].content[0]: "tool_use" blocks are not allowed in a user message`},
		{"image_in_assistant", `{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]}`, `messages[1].content[0]: "image" blocks are not allowed in an assistant message`},
		{"tool_result_without_tool_use", `{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"r"}]}]}`, `messages[0].content[0]: tool_result for tool_use_id "toolu_x" has no matching tool_use in the preceding assistant message`},
		{"tool_result_twice", `{` + tools + `"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"},{"type":"tool_result","tool_use_id":"t1"}]}]}`, `messages[2].content[1]: tool_result for tool_use_id "t1" has no matching tool_use`},
		{"tool_result_for_older_turn", `{` + tools + `"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]}`, `messages[4].content[0]: tool_result for tool_use_id "t1" has no matching tool_use`},
		{"trailing_tool_use_prefill", `{` + tools + `"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"text","text":"x"},{"type":"tool_use","id":"t1","name":"Bash","input":{}}]}]}`, `messages[1]: the conversation ends with an assistant tool_use (id "t1") that has no tool_result`},
		{"tool_use_without_id", `{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","name":"Bash","input":{}}]}]}`, "messages[1].content[0]: tool_use needs a non-empty id and name"},
		{"tool_use_duplicate_id", `{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"A","input":{}},{"type":"tool_use","id":"t","name":"B","input":{}}]}]}`, `messages[1].content[1].id: duplicate tool_use id "t"`},
		{"tool_use_input_string", `{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"A","input":"x"}]}]}`, "messages[1].content[0].input: must be an object, got string"},
		{"tool_result_bad_block", `{` + tools + `"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"bar"}]}]}]}`, `messages[2].content[0].content[0]: unknown content block type "bar"`},
		{"tool_result_content_number", `{` + tools + `"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":3}]}]}`, "messages[2].content[0].content: must be a string or an array of content blocks, got number"},
		{"system_number", `{"system":1,"messages":[{"role":"user","content":"a"}]}`, "system: must be a string or an array of content blocks, got number"},
		{"system_image_block", `{"system":[{"type":"image"}],"messages":[{"role":"user","content":"a"}]}`, `system[0]: only text blocks are allowed in a system prompt, got "image"`},
		{"max_tokens_string", `{"max_tokens":"big","messages":[{"role":"user","content":"a"}]}`, "max_tokens: must be an integer, got string"},
		{"max_tokens_float", `{"max_tokens":1.5,"messages":[{"role":"user","content":"a"}]}`, "max_tokens: must be an integer, got number"},
		{"stream_string", `{"stream":"yes","messages":[{"role":"user","content":"a"}]}`, "stream: must be a boolean, got string"},
		{"budget_string", `{"thinking":{"type":"enabled","budget_tokens":"x"},"messages":[{"role":"user","content":"a"}]}`, "thinking.budget_tokens: must be an integer, got string"},
		{"tools_not_array", `{"tools":{},"messages":[{"role":"user","content":"a"}]}`, "tools: must be an array, got object"},
		{"tool_without_name", `{"tools":[{"input_schema":{}}],"messages":[{"role":"user","content":"a"}]}`, "tools[0].name: required"},
		{"tool_schema_array", `{"tools":[{"name":"a","input_schema":[]}],"messages":[{"role":"user","content":"a"}]}`, "tools[0].input_schema: must be a JSON Schema object, got array"},
		{"tool_schema_type_string", `{"tools":[{"name":"a","input_schema":{"type":"string"}}],"messages":[{"role":"user","content":"a"}]}`, `tools[0].input_schema.type: must be "object"`},
		{"tool_choice_unknown_tool", `{` + tools + `"tool_choice":{"type":"tool","name":"Nope"},"messages":[{"role":"user","content":"a"}]}`, `tool_choice.name: no tool named "Nope" is sent upstream`},
		{"tool_choice_unknown_type", `{` + tools + `"tool_choice":{"type":"sometimes"},"messages":[{"role":"user","content":"a"}]}`, `tool_choice.type: unknown value "sometimes"`},
		{"tool_choice_string", `{` + tools + `"tool_choice":"auto","messages":[{"role":"user","content":"a"}]}`, "tool_choice: must be an object, got string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, names, err := AnthropicToOpenAIRequest([]byte(tt.body), Options{UpstreamModel: "m"})
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("got %v (%T), out %s; want a *RequestError", err, err, out)
			}
			if out != nil || names != nil {
				t.Errorf("output returned with an error")
			}
			if !strings.HasPrefix(re.Msg, tt.want) {
				t.Errorf("message %q\nwant prefix   %q", re.Msg, tt.want)
			}
		})
	}
}
