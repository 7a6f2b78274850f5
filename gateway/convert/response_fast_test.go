package convert

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// responseCheckPaths checks, for any body, that the fast decoders decode as
// encoding/json does whenever they accept it, and that the answers' hand
// encoders write what encoding/json writes.
func responseCheckPaths(t *testing.T, body []byte) {
	t.Helper()
	fastCheck := func(name string, fast, slow any, fastErr, slowErr error) {
		t.Helper()
		if fastErr == nil && (slowErr != nil || !reflect.DeepEqual(fast, slow)) {
			t.Fatalf("%s: fast path decoded %+v, encoding/json %+v (%v)", name, fast, slow, slowErr)
		}
	}
	var am, am2 arespMessage
	fastCheck("anthropic message", &am, &am2, am.decodeFast(body), json.Unmarshal(body, &am2))
	var or, or2 orespResponse
	fastCheck("openai response", &or, &or2, or.decodeFast(body), json.Unmarshal(body, &or2))
	var au, au2 anthropicUsage
	fastCheck("anthropic usage", &au, &au2, au.decodeFast(body), json.Unmarshal(body, &au2))
	var ou, ou2 openAIUsage
	fastCheck("openai usage", &ou, &ou2, ou.decodeFast(body), json.Unmarshal(body, &ou2))

	if c, _, err := arespBuild(body, "client"); err == nil {
		if want, err := arespMarshal(c); err != nil || !bytes.Equal(c.appendJSON(nil), want) {
			t.Fatalf("chat.completion encoder:\n got %s\nwant %s", c.appendJSON(nil), want)
		}
	}
	if m, _, err := orespBuild(body, nil, "client"); err == nil {
		if want, err := arespMarshal(m); err != nil || !bytes.Equal(m.appendJSON(nil), want) {
			t.Fatalf("message encoder:\n got %s\nwant %s", m.appendJSON(nil), want)
		}
	}
}

func responseSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, glob := range []string{"testdata/a2o_response/*.in.json", "testdata/o2a_response/*.in.json"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, b)
		}
	}
	for _, s := range []string{
		`{"type":"message","content":[],"usage":null}`, `{"content":[null]}`, `{"Content":[{"TYPE":"text","text":"a"}],"type":"message"}`,
		`{"type":"message","content":[{"type":"tool_use","id":"t","name":"n","input":{ "a" : "<" }}],"stop_reason":"tool_use"}`,
		`{"choices":[{"message":{"content":[{"type":"text","text":"a"}],"tool_calls":[{"id":"c","function":{"name":"f","arguments":" {\"a\": 1} "}}]},"finish_reason":null}]}`,
		`{"choices":[{"message":{"function_call":{"name":"f","arguments":{"x":1}}},"finish_reason":"function_call"}],"usage":{"prompt_tokens":5,"prompt_tokens_details":null}}`,
		`{"choices":[{"message":{"content":"hi","content":"again"}}]}`, `{"input_tokens":1.5}`, `{"prompt_tokens":3,"PROMPT_TOKENS":4}`,
		`{"input_tokens":10,"output_tokens":2,"cache_read_input_tokens":0,"cache_creation_input_tokens":7,"service_tier":"standard"}`,
		`{"prompt_tokens":10,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":1}}`,
		`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, `[]`, `{`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return append(seeds, benchAnthropicResponse, benchOpenAIResponse)
}

func TestResponseFastPaths(t *testing.T) {
	for _, b := range responseSeeds(t) {
		responseCheckPaths(t, b)
	}
	// The benchmark bodies and the goldens decode on the fast path.
	var m arespMessage
	var r orespResponse
	if m.decodeFast(benchAnthropicResponse) != nil || r.decodeFast(benchOpenAIResponse) != nil {
		t.Error("benchmark response not on the fast path")
	}
}

func FuzzResponses(f *testing.F) {
	for _, b := range responseSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		defer ostreamFixClock()()
		responseCheckPaths(t, body)
	})
}
