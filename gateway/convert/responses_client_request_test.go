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

var updateR2ORequest = flag.Bool("update-r2o-request", false, "rewrite testdata/r2o_request/*.want.json")

func TestResponsesToChatRequestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/r2o_request/*.in.json")
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
			out, err := ResponsesToChatRequest(body, areqGoldenOptions(t, base))
			if err != nil {
				t.Fatalf("convert: %v", err)
			}
			validateStrictOpenAI(t, out)
			areqCompareGolden(t, base+".want.json", out, *updateR2ORequest)
		})
	}
}

// TestResponsesToChatRequestCodex checks the Codex first turn (41 KB, 4
// message items, 9 tools) beyond its golden file: what reaches the upstream.
func TestResponsesToChatRequestCodex(t *testing.T) {
	body, err := os.ReadFile("testdata/r2o_request/codex_first_turn.in.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := ResponsesToChatRequest(body, Options{UpstreamModel: "qwen3-coder", IncludeUsage: true})
	if err != nil {
		t.Fatal(err)
	}
	var req struct {
		Model    string
		Messages []struct{ Role, Content string }
		Tools    []struct {
			Function struct{ Name string }
		}
		ToolChoice        string `json:"tool_choice"`
		ParallelToolCalls bool   `json:"parallel_tool_calls"`
		Stream            bool
		StreamOptions     struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	if err := json.Unmarshal(out, &req); err != nil {
		t.Fatal(err)
	}
	var roles, names []string
	for _, m := range req.Messages {
		roles = append(roles, m.Role)
	}
	for _, tool := range req.Tools {
		names = append(names, tool.Function.Name)
	}
	wantNames := []string{"exec_command", "write_stdin", "request_user_input", "view_image",
		"multi_agent_v1__close_agent", "multi_agent_v1__resume_agent", "multi_agent_v1__send_input",
		"multi_agent_v1__spawn_agent", "multi_agent_v1__wait_agent", "get_goal", "create_goal", "update_goal"}
	switch {
	case req.Model != "qwen3-coder" || !req.Stream || !req.StreamOptions.IncludeUsage:
		t.Errorf("model %q stream %v include_usage %v", req.Model, req.Stream, req.StreamOptions.IncludeUsage)
	case strings.Join(roles, ",") != "system,user,user":
		t.Errorf("roles %v, want the two developer messages folded into one system message", roles)
	case !strings.HasPrefix(req.Messages[0].Content, "You are a coding agent") || !strings.Contains(req.Messages[0].Content, "\n\n<skills_instructions>"):
		t.Errorf("system message %.100q…", req.Messages[0].Content)
	case !reflect.DeepEqual(names, wantNames):
		t.Errorf("tools %v, want %v (namespace flattened, web_search dropped)", names, wantNames)
	case req.ToolChoice != "auto" || !req.ParallelToolCalls:
		t.Errorf("tool_choice %q parallel_tool_calls %v", req.ToolChoice, req.ParallelToolCalls)
	}
	for _, leak := range []string{"msg_", "client_metadata", "prompt_cache_key", "encrypted_content", "web_search", `"store"`, `"include"`} {
		if strings.Contains(string(out), leak) {
			t.Errorf("output contains %q", leak)
		}
	}
}

// TestResponsesToChatRequestThenAnthropic runs the Codex turns through the
// Anthropic lane's two steps (Responses → Chat → Messages).
func TestResponsesToChatRequestThenAnthropic(t *testing.T) {
	files, _ := filepath.Glob("testdata/r2o_request/codex_*.in.json")
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			chat, err := ResponsesToChatRequest(body, Options{UpstreamModel: "claude", IncludeUsage: true})
			if err != nil {
				t.Fatal(err)
			}
			out, err := OpenAIToAnthropicRequest(chat, Options{UpstreamModel: "claude"})
			if err != nil || !json.Valid(out) {
				t.Fatalf("%v: %.300s", err, out)
			}
		})
	}
}

// TestResponsesToChatRequestFields checks one mapping per case on the
// output's top-level members (want: members that must be there with these
// values; absent: members that must not be sent).
func TestResponsesToChatRequestFields(t *testing.T) {
	const fn = `{"type":"function","name":"f","parameters":{"type":"object","properties":{}}}`
	const user = `"input":"hi"`
	cases := []struct {
		name, body string
		opt        Options
		want       string // a JSON object of members
		absent     []string
	}{
		{"model replaced", `{"model":"codex",` + user + `}`, Options{UpstreamModel: "up"}, `{"model":"up","messages":[{"role":"user","content":"hi"}]}`, nil},
		{"stream without usage", `{"stream":true,` + user + `}`, Options{}, `{"stream":true}`, []string{"stream_options"}},
		{"stream with usage", `{"stream":true,` + user + `}`, Options{IncludeUsage: true}, `{"stream":true,"stream_options":{"include_usage":true}}`, nil},
		{"usage only when streaming", `{` + user + `}`, Options{IncludeUsage: true}, `{}`, []string{"stream", "stream_options"}},
		{"max_output_tokens", `{"max_output_tokens":77,` + user + `}`, Options{}, `{"max_completion_tokens":77}`, []string{"max_tokens", "max_output_tokens"}},
		{"sampling", `{"temperature":0,"top_p":0.5,` + user + `}`, Options{}, `{"temperature":0,"top_p":0.5}`, nil},
		{"user", `{"user":"u",` + user + `}`, Options{}, `{"user":"u"}`, nil},
		{"effort", `{"reasoning":{"effort":"minimal","summary":"auto"},` + user + `}`, Options{}, `{"reasoning_effort":"minimal"}`, []string{"reasoning"}},
		{"effort none", `{"reasoning":{"effort":"none"},` + user + `}`, Options{}, `{}`, []string{"reasoning_effort"}},
		{"json_object", `{"text":{"format":{"type":"json_object"}},` + user + `}`, Options{}, `{"response_format":{"type":"json_object"}}`, []string{"text"}},
		{"json_schema without name", `{"text":{"format":{"type":"json_schema","schema":{"type":"object"}}},` + user + `}`, Options{},
			`{"response_format":{"type":"json_schema","json_schema":{"name":"response","schema":{"type":"object"}}}}`, nil},
		{"text format text", `{"text":{"format":{"type":"text"},"verbosity":"high"},` + user + `}`, Options{}, `{}`, []string{"response_format", "verbosity"}},
		{"not sent", `{"metadata":{"a":"b"},"store":true,"include":["x"],"prompt_cache_key":"k","previous_response_id":"p","truncation":"auto","service_tier":"auto","client_metadata":{},"safety_identifier":"s",` + user + `}`,
			Options{}, `{}`, []string{"metadata", "store", "include", "prompt_cache_key", "previous_response_id", "truncation", "service_tier", "client_metadata", "safety_identifier"}},
		{"function tool", `{"tools":[{"type":"function","name":"f","description":"d","strict":true,"parameters":{"type":"object","properties":{"a":{"type":"string"}}}}],` + user + `}`, Options{},
			`{"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}]}`, nil},
		{"parameters default", `{"tools":[{"type":"function","name":"a"},{"type":"function","name":"b","parameters":{ }}],` + user + `}`, Options{},
			`{"tools":[{"type":"function","function":{"name":"a","parameters":{"type":"object","properties":{}}}},{"type":"function","function":{"name":"b","parameters":{"type":"object","properties":{}}}}]}`, nil},
		{"namespace flattened", `{"tools":[{"type":"namespace","name":"crm_","description":"CRM","tools":[{"type":"function","name":"_lookup"},{"type":"custom","name":"free"}]}],` + user + `}`, Options{},
			`{"tools":[{"type":"function","function":{"name":"crm__lookup","parameters":{"type":"object","properties":{}}}}]}`, nil},
		{"long name shortened", `{"tools":[{"type":"function","name":"mcp.server.a_tool_name_that_is_much_longer_than_sixty_four_characters_in_all"}],` + user + `}`, Options{},
			`{"tools":[{"type":"function","function":{"name":"mcp_server_a_tool_name_that_is_much_longer_than_sixty_f_e3ef7933","parameters":{"type":"object","properties":{}}}}]}`, nil},
		{"built-in tools dropped", `{"tools":[{"type":"web_search"},{"type":"file_search"},{"type":"computer_use_preview"},{"type":"code_interpreter"},{"type":"image_generation"},{"type":"local_shell"},{"type":"custom","name":"c"},{"type":"mcp"}],"tool_choice":"required","parallel_tool_calls":true,` + user + `}`,
			Options{}, `{}`, []string{"tools", "tool_choice", "parallel_tool_calls"}},
		{"tool_choice none", `{"tools":[` + fn + `],"tool_choice":"none",` + user + `}`, Options{}, `{"tool_choice":"none"}`, nil},
		{"tool_choice required", `{"tools":[` + fn + `],"tool_choice":"required","parallel_tool_calls":false,` + user + `}`, Options{}, `{"tool_choice":"required","parallel_tool_calls":false}`, nil},
		{"tool_choice function", `{"tools":[` + fn + `],"tool_choice":{"type":"function","name":"f"},` + user + `}`, Options{}, `{"tool_choice":{"type":"function","function":{"name":"f"}}}`, nil},
		{"tool_choice dropped tool", `{"tools":[` + fn + `,{"type":"web_search"}],"tool_choice":{"type":"function","name":"web_search"},` + user + `}`, Options{}, `{"tool_choice":"auto"}`, nil},
		{"tool_choice hosted", `{"tools":[` + fn + `],"tool_choice":{"type":"web_search_preview"},` + user + `}`, Options{}, `{"tool_choice":"auto"}`, nil},
		{"tool_choice allowed_tools", `{"tools":[` + fn + `],"tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"f"}]},` + user + `}`, Options{}, `{"tool_choice":"required"}`, nil},
		{"developer folded", `{"instructions":"I","input":[{"role":"user","content":"u"},{"role":"developer","content":"d"},{"role":"system","content":[{"type":"input_text","text":"s"}]}]}`, Options{},
			`{"messages":[{"role":"system","content":"I\n\nd\n\ns"},{"role":"user","content":"u"}]}`, nil},
		{"item without type", `{"input":[{"role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}]}`, Options{},
			`{"messages":[{"role":"user","content":"a\n\nb"}]}`, nil},
		{"assistant texts merged", `{"input":[{"role":"user","content":"u"},{"role":"assistant","content":"a"},{"type":"message","role":"assistant","id":"msg_x","content":[{"type":"output_text","text":"b"}]}]}`, Options{},
			`{"messages":[{"role":"user","content":"u"},{"role":"assistant","content":"a\n\nb"}]}`, nil},
		{"namespaced call in history", `{"tools":[{"type":"namespace","name":"ns","tools":[{"type":"function","name":"f"}]}],"input":[{"role":"user","content":"u"},{"type":"function_call","namespace":"ns","name":"f","call_id":"c","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"ok"}]}`, Options{},
			`{"messages":[{"role":"user","content":"u"},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"ns__f","arguments":"{}"}}]},{"role":"tool","content":"ok","tool_call_id":"c"}]}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ResponsesToChatRequest([]byte(tc.body), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got, want map[string]json.RawMessage
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			for k, w := range want {
				var a, b any
				_ = json.Unmarshal(got[k], &a)
				_ = json.Unmarshal(w, &b)
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s = %s, want %s", k, got[k], w)
				}
			}
			for _, k := range tc.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s sent: %s", k, got[k])
				}
			}
		})
	}
}

func TestResponsesToChatRequestErrors(t *testing.T) {
	cases := []struct{ name, body, msg string }{
		{"bad json", `{"input":`, "request body is not valid JSON"},
		{"not an object", `[1]`, "request body: must be an object, got array"},
		{"input number", `{"input":5}`, "input: must be a string or an array of items, got number"},
		{"no messages", `{"input":[]}`, "input: no message with content to send"},
		{"unknown item", `{"input":[{"role":"user","content":"a"},{"type":"x"}]}`, `input[1]: item type "x" is not supported`},
		{"item_reference", `{"input":[{"type":"item_reference","id":"msg_1"}]}`, `input[0]: item type "item_reference" is not supported`},
		{"item not object", `{"input":["hi"]}`, "input[0]: must be an object, got string"},
		{"no type no role", `{"input":[{"content":"a"}]}`, "input[0]: an item needs a type or a role"},
		{"bad role", `{"input":[{"role":"tool","content":"a"}]}`, `input[0].role: "tool" is not supported`},
		{"content missing", `{"input":[{"role":"user"}]}`, "input[0].content: required"},
		{"content number", `{"input":[{"role":"user","content":1}]}`, "input[0].content: must be a string or an array of content parts, got number"},
		{"file_id image", `{"input":[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}]}`, "input[0].content[0]: input_image with a file_id is not supported"},
		{"image without url", `{"input":[{"role":"user","content":[{"type":"input_image"}]}]}`, "input[0].content[0].image_url: required"},
		{"image in assistant", `{"input":[{"role":"assistant","content":[{"type":"input_image","image_url":"https://x"}]}]}`, "input[0].content[0]: images are only allowed in user messages"},
		{"input_file", `{"input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}`, "input[0].content[0]: input_file parts are not supported"},
		{"unknown part", `{"input":[{"role":"user","content":[{"type":"video"}]}]}`, `input[0].content[0]: unknown content part type "video"`},
		{"part type wrong", `{"input":[{"role":"user","content":[{"type":1}]}]}`, "input[0].content.type: must be a string, got number"},
		{"call without name", `{"input":[{"type":"function_call","call_id":"c"}]}`, "input[0].name: required"},
		{"call without call_id", `{"input":[{"type":"function_call","name":"f"}]}`, "input[0].call_id: required"},
		{"duplicate call_id", `{"input":[{"type":"function_call","name":"f","call_id":"c"},{"type":"function_call","name":"f","call_id":"c"}]}`, `input[1].call_id: "c" is used by an earlier call`},
		{"orphan output", `{"input":[{"role":"user","content":"a"},{"type":"function_call_output","call_id":"c","output":"x"}]}`, `input[1]: call_id "c" matches no function_call before it`},
		{"second output", `{"input":[{"type":"function_call","name":"f","call_id":"c"},{"type":"function_call_output","call_id":"c","output":"x"},{"type":"function_call_output","call_id":"c","output":"y"}]}`, `input[2]: call_id "c" already has an output`},
		{"output number", `{"input":[{"type":"function_call","name":"f","call_id":"c"},{"type":"function_call_output","call_id":"c","output":3}]}`, "input[1].output: must be a string or an array of content parts, got number"},
		{"instructions array", `{"instructions":[],"input":"a"}`, "instructions: must be a string, got array"},
		{"tool without name", `{"tools":[{"type":"function"}],"input":"a"}`, "tools[0].name: required"},
		{"namespace tool without name", `{"tools":[{"type":"namespace","name":"n","tools":[{"type":"function"}]}],"input":"a"}`, "tools[0].tools[0].name: required"},
		{"parameters not object", `{"tools":[{"type":"function","name":"f","parameters":[]}],"input":"a"}`, "tools[0].parameters: must be a JSON Schema object, got array"},
		{"tool_choice unknown", `{"tools":[{"type":"function","name":"f"}],"tool_choice":"any","input":"a"}`, `tool_choice: unknown value "any"`},
		{"tool_choice function without name", `{"tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function"},"input":"a"}`, "tool_choice.name: required"},
		{"format unknown", `{"text":{"format":{"type":"yaml"}},"input":"a"}`, `text.format.type: unknown value "yaml"`},
		{"schema missing", `{"text":{"format":{"type":"json_schema","name":"x"}},"input":"a"}`, "text.format.schema: must be a JSON Schema object, got null"},
		{"max_output_tokens string", `{"max_output_tokens":"5","input":"a"}`, "max_output_tokens: must be an integer, got string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ResponsesToChatRequest([]byte(tc.body), Options{UpstreamModel: "m"})
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T), want a *RequestError", err, err)
			}
			if !strings.Contains(re.Msg, tc.msg) {
				t.Errorf("error %q, want it to contain %q", re.Msg, tc.msg)
			}
		})
	}
}

func FuzzResponsesToChatRequest(f *testing.F) {
	files, _ := filepath.Glob("testdata/r2o_request/*.in.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && len(b) < 8000 { // the Codex bodies would slow every run
			f.Add(b, false)
		}
	}
	for _, s := range []string{`{}`, `null`, `"x"`, `{"input":"a"}`, `{"input":[{"role":"user","content":[{"type":"input_image","image_url":"u"}]}]}`,
		`{"input":[{"type":"function_call","name":"f","call_id":"c","arguments":"{"},{"type":"custom_tool_call_output","call_id":"c","output":[{"type":"x"}]}]}`,
		`{"tools":[{"type":"namespace","name":"n__","tools":[{"name":"__f"}]}],"tool_choice":{"type":"function","name":"f","namespace":"n__"},"input":"a"}`} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, reasoning bool) {
		opt := Options{UpstreamModel: "m", IncludeUsage: true}
		if reasoning {
			opt.Reasoning = "reasoning_content"
		}
		checkFastDecode(t, body, (*RespRequest).decodeFast, json.Unmarshal)
		if req, err := ParseResponsesRequest(body); err == nil {
			respCheckArrays(t, req.Input)
		}
		out, err := ResponsesToChatRequest(body, opt)
		if err != nil {
			if _, ok := err.(*RequestError); !ok {
				t.Fatalf("error is %T, not *RequestError: %v", err, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("output is not JSON: %s", out)
		}
		for _, p := range areqStrictProblems(out) {
			// Blank or non-object arguments can come through from the
			// client's own history; everything else is the converter's.
			if !strings.Contains(p, "arguments") {
				t.Fatalf("%s\n%s", p, out)
			}
		}
	})
}

// respCheckArrays holds respArray's fast path for input items, and for the
// parts of each item's content, to json.Unmarshal; raw is valid JSON.
func respCheckArrays(t *testing.T, raw json.RawMessage) {
	t.Helper()
	if len(raw) == 0 {
		return
	}
	var fast, slow []RespItem
	if respObjects(&fast, bytes.Clone(raw), (*RespItem).decodeFast) != nil {
		return
	}
	if err := json.Unmarshal(raw, &slow); err != nil || !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s:\nfast path %+v\nstd       %+v (%v)", raw, fast, slow, err)
	}
	for _, it := range fast {
		var fp, sp []RespPart
		if len(it.Content) == 0 || respObjects(&fp, it.Content, (*RespPart).decodeFast) != nil {
			continue
		}
		if err := json.Unmarshal(it.Content, &sp); err != nil || !reflect.DeepEqual(fp, sp) {
			t.Fatalf("%s:\nfast path %+v\nstd       %+v (%v)", it.Content, fp, sp, err)
		}
	}
}

// TestRespRequestFastPath: the golden requests (Codex's first turns among
// them) are decoded in place, exactly as encoding/json decodes them.
func TestRespRequestFastPath(t *testing.T) {
	files, _ := filepath.Glob("testdata/r2o_request/*.in.json")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, p := range files {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		checkFastDecode(t, body, (*RespRequest).decodeFast, json.Unmarshal)
		var req RespRequest
		if err := req.decodeFast(body); err != nil {
			t.Errorf("%s: not on the fast path", p)
		}
	}
	for _, s := range []string{`{"input":null,"tools":null,"store":null,"temperature":1e400}`, `{"model":"a","Model":"b"}`,
		`{"tools":[{"type":"function","strict":"yes"}]}`, `{"include":["a",1]}`, `{"text":{"format":[]}}`} {
		checkFastDecode(t, []byte(s), (*RespRequest).decodeFast, json.Unmarshal)
	}
}
