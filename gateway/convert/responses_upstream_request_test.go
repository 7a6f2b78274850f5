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

	"github.com/modelswitch/modelswitch/bench/bodies"
)

var updateO2RRequest = flag.Bool("update-o2r-request", false, "rewrite testdata/o2r_request/*.want.json")

func TestChatToResponsesRequestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/o2r_request/*.in.json")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".in.json")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := ChatToResponsesRequest(body, Options{UpstreamModel: "gpt-5.1-codex"})
			if err != nil {
				t.Fatal(err)
			}
			oreqGolden(t, strings.TrimSuffix(in, ".in.json")+".want.json", out, *updateO2RRequest)
		})
	}
}

// TestChatToResponsesRequestChain runs Anthropic requests through
// AnthropicToOpenAIRequest and then ChatToResponsesRequest, the
// anthropicToResponses lane: every recorded request must pass, and the
// Claude Code one is kept as a golden file.
func TestChatToResponsesRequestChain(t *testing.T) {
	files, _ := filepath.Glob("testdata/a2o_request/*.in.json")
	for _, in := range files {
		body, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		mid, _, err := AnthropicToOpenAIRequest(body, Options{UpstreamModel: "gpt-5.1", IncludeUsage: true})
		if err != nil {
			continue // refused already by the first step
		}
		out, err := ChatToResponsesRequest(mid, Options{UpstreamModel: "gpt-5.1"})
		if err != nil {
			t.Errorf("%s: %v\n%s", in, err, mid)
			continue
		}
		var r RespRequest
		if err := json.Unmarshal(out, &r); err != nil || r.Store == nil || *r.Store || len(r.Input) == 0 {
			t.Errorf("%s: %v %s", in, err, out)
		}
		if strings.HasSuffix(in, "/claude_code.in.json") {
			oreqGolden(t, "testdata/o2r_request/chain_claude_code.want.json", out, *updateO2RRequest)
		}
	}
}

// o2rReq converts a request with a user message added to fields.
func o2rReq(t *testing.T, fields string) (map[string]any, error) {
	t.Helper()
	body := `{"model":"client","messages":[{"role":"user","content":"hi"}]` + fields + `}`
	out, err := ChatToResponsesRequest([]byte(body), Options{UpstreamModel: "up"})
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	return m, nil
}

func o2rJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

// TestChatToResponsesRequestFields checks each top-level mapping: key is
// the output field, want its JSON ("" for absent).
func TestChatToResponsesRequestFields(t *testing.T) {
	const tool = `,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]`
	for _, tc := range []struct{ in, key, want string }{
		{``, "model", `"up"`},
		{``, "store", `false`},
		{`,"store":true`, "store", `false`},
		{`,"stream":true,"stream_options":{"include_usage":true}`, "stream", `true`},
		{`,"stream":true,"stream_options":{"include_usage":true}`, "stream_options", ``},
		{`,"stop":["x"]`, "stop", ``},
		{`,"seed":1,"logit_bias":{"1":2}`, "seed", ``},
		{`,"max_tokens":100`, "max_output_tokens", `100`},
		{`,"max_tokens":100,"max_completion_tokens":200`, "max_output_tokens", `200`},
		{`,"max_tokens":1`, "max_output_tokens", `16`},
		{`,"temperature":0.2,"top_p":0.5`, "temperature", `0.2`},
		{`,"temperature":0.2,"top_p":0.5`, "top_p", `0.5`},
		{`,"reasoning_effort":"minimal"`, "reasoning", `{"effort":"minimal"}`},
		{`,"user":"u1"`, "user", `"u1"`},
		{`,"safety_identifier":"s","prompt_cache_key":"k","service_tier":"priority"`, "safety_identifier", `"s"`},
		{`,"safety_identifier":"s","prompt_cache_key":"k","service_tier":"priority"`, "prompt_cache_key", `"k"`},
		{`,"safety_identifier":"s","prompt_cache_key":"k","service_tier":"priority"`, "service_tier", `"priority"`},
		{`,"response_format":{"type":"json_object"}`, "text", `{"format":{"type":"json_object"}}`},
		{`,"response_format":{"type":"text"}`, "text", ``},
		{`,"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object"},"strict":true,"description":"d"}}`,
			"text", `{"format":{"type":"json_schema","name":"n","description":"d","schema":{"type":"object"},"strict":true}}`},
		{`,"verbosity":"high"`, "text", `{"verbosity":"high"}`},
		{tool, "tools", `[{"type":"function","name":"f","parameters":{"type":"object"},"strict":false}]`},
		{`,"tools":[{"type":"function","function":{"name":"f","description":"d","strict":true}}]`, "tools",
			`[{"type":"function","name":"f","description":"d","parameters":{"type":"object","properties":{}},"strict":true}]`},
		{tool, "tool_choice", ``},
		{tool + `,"tool_choice":"auto"`, "tool_choice", `"auto"`},
		{tool + `,"tool_choice":"none"`, "tool_choice", `"none"`},
		{tool + `,"tool_choice":"required"`, "tool_choice", `"required"`},
		{tool + `,"tool_choice":{"type":"function","function":{"name":"f"}}`, "tool_choice", `{"type":"function","name":"f"}`},
		{tool + `,"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[{"type":"function","function":{"name":"f"}}]}}`,
			"tool_choice", `{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"f"}]}`},
		{tool + `,"parallel_tool_calls":false`, "parallel_tool_calls", `false`},
		{`,"tool_choice":"required","parallel_tool_calls":false`, "tool_choice", ``}, // no tools
		{`,"tool_choice":"required","parallel_tool_calls":false`, "parallel_tool_calls", ``},
		{``, "instructions", ``},
	} {
		m, err := o2rReq(t, tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		got, ok := m[tc.key]
		if tc.want == "" {
			if ok {
				t.Errorf("%s: %s = %v, want absent", tc.in, tc.key, got)
			}
		} else if want := o2rJSON(t, tc.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s = %v, want %v", tc.in, tc.key, got, want)
		}
	}
}

// TestChatToResponsesRequestMessages checks the message mappings: want is
// the input (and instructions when given after a '|').
func TestChatToResponsesRequestMessages(t *testing.T) {
	for _, tc := range []struct{ messages, input, instructions string }{
		{`{"role":"system","content":"a"},{"role":"developer","content":[{"type":"text","text":"b"}]},{"role":"user","content":"q"}`,
			`[{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]}]`, `"a\n\nb"`},
		{`{"role":"user","content":"q"},{"role":"system","content":"later"}`,
			`[{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]},
			  {"type":"message","role":"developer","content":[{"type":"input_text","text":"later"}]}]`, ``},
		{`{"role":"user","content":[{"type":"text","text":"see"},{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}},{"type":"image_url","image_url":"https://x/z.png"}]}`,
			`[{"type":"message","role":"user","content":[{"type":"input_text","text":"see"},
			  {"type":"input_image","image_url":"https://x/y.png","detail":"low"},{"type":"input_image","image_url":"https://x/z.png","detail":"auto"}]}]`, ``},
		{`{"role":"user","content":"q"},{"role":"assistant","content":"a","reasoning_content":"secret","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]},{"role":"tool","tool_call_id":"call_1","content":"r"}`,
			`[{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]},
			  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"a","annotations":[]}]},
			  {"type":"function_call","call_id":"call_1","name":"f","arguments":"{\"x\":1}"},
			  {"type":"function_call_output","call_id":"call_1","output":"r"}]`, ``},
		{`{"role":"user","content":"q"},{"role":"assistant","content":null,"tool_calls":[{"id":"c","function":{"name":"f"}}]},{"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}`,
			`[{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]},
			  {"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
			  {"type":"function_call_output","call_id":"c","output":"a\n\nb"}]`, ``},
		{`{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"refusal","refusal":"no"}]},{"role":"assistant","refusal":"never"},{"role":"assistant","content":""}`,
			`[{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]},
			  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"no","annotations":[]}]},
			  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"never","annotations":[]}]}]`, ``},
		{`{"role":"system","content":"only"}`,
			`[{"type":"message","role":"developer","content":[{"type":"input_text","text":"only"}]}]`, ``},
	} {
		out, err := ChatToResponsesRequest([]byte(`{"model":"m","messages":[`+tc.messages+`]}`), Options{UpstreamModel: "up"})
		if err != nil {
			t.Errorf("%s: %v", tc.messages, err)
			continue
		}
		var r struct {
			Input        any `json:"input"`
			Instructions any `json:"instructions"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		if want := o2rJSON(t, tc.input); !reflect.DeepEqual(r.Input, want) {
			got, _ := json.Marshal(r.Input)
			t.Errorf("%s:\ninput %s\nwant  %s", tc.messages, got, tc.input)
		}
		var want any
		if tc.instructions != "" {
			want = o2rJSON(t, tc.instructions)
		}
		if !reflect.DeepEqual(r.Instructions, want) {
			t.Errorf("%s: instructions %v, want %v", tc.messages, r.Instructions, want)
		}
	}
}

func TestChatToResponsesRequestErrors(t *testing.T) {
	user := `{"role":"user","content":"q"}`
	for _, tc := range []struct{ body, want string }{
		{`not json`, "request body is not a valid JSON object"},
		{`{"messages":"x"}`, "messages must be an array"},
		{`{"messages":[]}`, "messages: at least one message is required"},
		{`{"messages":[1]}`, "messages[0] must be an object"},
		{`{"messages":[{"role":"user","content":5}]}`, "messages[0].content must be a string or an array of content parts"},
		{`{"messages":[` + user + `],"n":2}`, "n > 1 is not supported by Responses upstreams"},
		{`{"messages":[` + user + `],"functions":[{"name":"f"}]}`, "legacy functions and function_call are not supported"},
		{`{"messages":[` + user + `],"function_call":"auto"}`, "legacy functions and function_call are not supported"},
		{`{"messages":[` + user + `],"modalities":["text","audio"]}`, "audio output is not supported"},
		{`{"messages":[{"role":"function","name":"f","content":"x"}]}`, "messages[0]: the legacy function role is not supported"},
		{`{"messages":[{"role":"robot","content":"x"}]}`, `messages[0]: unknown role "robot"`},
		{`{"messages":[` + user + `,{"role":"assistant","function_call":{"name":"f","arguments":"{}"}}]}`, "messages[1]: legacy function_call is not supported"},
		{`{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]}`,
			`messages[0].content[0]: content part type "input_audio" is not supported by Responses upstreams`},
		{`{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"file","file":{"file_id":"file-1"}}]}]}`,
			`messages[0].content[1]: content part type "file" is not supported by Responses upstreams`},
		{`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}`, "messages[0].content[0]: image_url must be an object with a url"},
		{`{"messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x"}}]},` + user + `]}`,
			`messages[0].content[0]: content part type "image_url" is not supported in a system message`},
		{`{"messages":[` + user + `,{"role":"tool","content":"r"}]}`, "messages[1]: tool message has no tool_call_id"},
		{`{"messages":[` + user + `,{"role":"assistant","tool_calls":[{"id":"c","type":"custom","custom":{"name":"f","input":"x"}}]}]}`,
			`messages[1].tool_calls[0]: tool call type "custom" is not supported by Responses upstreams`},
		{`{"messages":[` + user + `,{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f"}}]}]}`,
			"messages[1].tool_calls[0]: a tool call needs an id and a function name"},
		{`{"messages":[` + user + `],"tools":[{"type":"custom","custom":{"name":"f"}}]}`, `tools[0]: tool type "custom" is not supported by Responses upstreams`},
		{`{"messages":[` + user + `],"tools":[{"type":"function","function":{}}]}`, "tools[0]: function.name is required"},
		{`{"messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]}`, "tools[0].function.parameters: must be a JSON object"},
		{`{"messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"any"}`, `tool_choice "any" is not supported`},
		{`{"messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"custom","custom":{"name":"f"}}}`, "tool_choice must be"},
		{`{"messages":[` + user + `],"max_tokens":0}`, "max_tokens must be a positive integer"},
		{`{"messages":[` + user + `],"max_completion_tokens":1.5}`, "max_completion_tokens must be a positive integer"},
		{`{"messages":[` + user + `],"temperature":"hot"}`, "temperature: unexpected JSON string"},
		{`{"messages":[` + user + `],"response_format":{"type":"json_schema"}}`, "response_format json_schema needs json_schema.name"},
		{`{"messages":[` + user + `],"response_format":{"type":"grammar"}}`, `response_format type "grammar" is not supported`},
	} {
		_, err := ChatToResponsesRequest([]byte(tc.body), Options{UpstreamModel: "up"})
		var re *RequestError
		if !errors.As(err, &re) || !strings.Contains(re.Msg, tc.want) {
			t.Errorf("%s: %v, want RequestError %q", tc.body, err, tc.want)
		}
	}
}

func FuzzChatToResponsesRequest(f *testing.F) {
	for _, glob := range []string{"testdata/o2r_request/*.in.json", "testdata/o2a_request/*.in.json"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":"x"}]}],"tool_choice":{"type":"allowed_tools"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o2rCheckPaths(t, body)
		out, err := ChatToResponsesRequest(body, Options{UpstreamModel: "up"})
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("not a RequestError: %v", err)
			}
			return
		}
		var r RespRequest
		if !json.Valid(out) || json.Unmarshal(out, &r) != nil || r.Store == nil || *r.Store {
			t.Fatalf("invalid output %s", out)
		}
	})
}

// o2rCheckPaths converts body on both decoding paths and checks that they
// agree (the error, when the fast path fails, comes from the slow one). It
// returns whether the fast path took the request.
func o2rCheckPaths(t testing.TB, body []byte) bool {
	t.Helper()
	opt := Options{UpstreamModel: "up"}
	slowR, slowErr := o2rBuild(body, opt, false)
	fastR, fastErr := o2rBuild(body, opt, true)
	switch {
	case slowErr != nil && fastErr == nil:
		t.Fatalf("fast path converted what encoding/json refuses (%v)", slowErr)
	case slowErr != nil:
		return false
	case fastErr != nil && fastErr != errAreqSlow:
		t.Fatalf("fast path refused (%v) what encoding/json converts", fastErr)
	case fastErr != nil:
		return false
	}
	slow, err1 := arespMarshal(slowR)
	fast, err2 := arespMarshal(fastR)
	if err1 != nil || err2 != nil || !bytes.Equal(fast, slow) {
		t.Fatalf("fast path differs (%v, %v):\n got %s\nwant %s", err2, err1, fast, slow)
	}
	return true
}

// TestO2RFastPath: the golden and the benchmark bodies take the fast path
// and convert as encoding/json does.
func TestO2RFastPath(t *testing.T) {
	files, _ := filepath.Glob("testdata/o2r_request/*.in.json")
	for _, in := range files {
		body, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		if !o2rCheckPaths(t, body) {
			t.Errorf("%s: not on the fast path", in)
		}
	}
	if !o2rCheckPaths(t, bodies.OpenAISmall("g", false)) {
		t.Error("benchmark body not on the fast path")
	}
	for _, body := range []string{
		`{"messages":[{"role":"user","content":"a"}],"modalities":["text",null],"verbosity":"low","response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object"},"strict":true}}}`,
		`{"messages":[{"role":"user","content":"a"}],"tools":[{"type":"function","function":{"name":"f","strict":true}}],"prompt_cache_key":"k","service_tier":"flex"}`,
		`{"messages":[{"role":"user","content":"a"}],"response_format":{"type":"json_schema","json_schema":null},"modalities":[]}`,
	} {
		o2rCheckPaths(t, []byte(body))
	}
}
