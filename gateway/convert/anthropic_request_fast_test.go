package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/modelswitch/modelswitch/bench/bodies"
)

// areqEncodeRef encodes o with encoding/json as AnthropicToOpenAIRequest did
// before it had its own encoder.
func areqEncodeRef(t testing.TB, o *areqOut) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(o); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// areqCheckPaths converts body on both decoding paths and checks that they
// agree and that the hand encoder writes what encoding/json writes. It
// returns whether the fast path took the request.
func areqCheckPaths(t testing.TB, body []byte, opt Options) bool {
	t.Helper()
	slowO, slowNames, slowErr := areqBuild(body, opt, false)
	fastO, fastNames, fastErr := areqBuild(body, opt, true)
	if fastErr != nil && fastErr != errAreqSlow {
		var re *RequestError
		if !errors.As(fastErr, &re) {
			t.Fatalf("fast path error %T %v", fastErr, fastErr)
		}
		if slowErr == nil {
			t.Fatalf("fast path refused (%v) what encoding/json converts", fastErr)
		}
	}
	if slowErr != nil {
		if fastErr == nil {
			t.Fatalf("fast path converted what encoding/json refuses (%v)", slowErr)
		}
		if _, _, err := AnthropicToOpenAIRequest(body, opt); !reflect.DeepEqual(err, slowErr) {
			t.Fatalf("error %v, want the slow path's %v", err, slowErr)
		}
		return false
	}
	slow := slowO.appendJSON(nil)
	if ref := areqEncodeRef(t, slowO); !bytes.Equal(slow, ref) {
		t.Fatalf("hand encoder differs from encoding/json:\n got %s\nwant %s", slow, ref)
	}
	if fastErr != nil {
		return false
	}
	if fast := fastO.appendJSON(nil); !bytes.Equal(fast, slow) || !reflect.DeepEqual(fastNames, slowNames) {
		t.Fatalf("fast path differs:\n got %s\nwant %s", fast, slow)
	}
	return true
}

// TestAreqFastPath: the goldens and the benchmark bodies all take the fast
// path and convert as encoding/json does.
func TestAreqFastPath(t *testing.T) {
	files, _ := filepath.Glob("testdata/a2o_request/*.in.json")
	for _, in := range files {
		body, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, reasoning := range []string{"", "reasoning_content"} {
			if !areqCheckPaths(t, body, Options{UpstreamModel: "m", IncludeUsage: true, Reasoning: reasoning}) {
				t.Errorf("%s: not on the fast path", in)
			}
		}
	}
	for _, body := range [][]byte{bodies.AnthropicSmall("c", false), bodies.ClaudeCode("c", true)} {
		if !areqCheckPaths(t, body, benchOpt) {
			t.Errorf("benchmark body not on the fast path")
		}
	}
}

// TestAreqUnusualInput: shapes the fast path leaves to encoding/json, or
// decodes itself, convert exactly as encoding/json does.
func TestAreqUnusualInput(t *testing.T) {
	const msgs = `"messages":[{"role":"user","content":"hi"}]`
	for _, tt := range []struct {
		body string
		fast bool
	}{
		{`{` + msgs + `}`, true},
		{` {"model":"x", ` + msgs + ` , "stream" : null, "max_tokens":null,"temperature":null,"metadata":null,"tool_choice":null,"tools":null} `, true},
		{`{"Messages":[{"role":"user","content":"hi"}]}`, false},                 // case-insensitive key
		{`{"MESSAGES":[],` + msgs + `}`, false},                                  // both spellings
		{`{"\u006dessages":[{"role":"user","content":"hi"}]}`, true},             // escaped key
		{`{` + msgs + `,` + msgs + `}`, false},                                   // repeated key
		{`{` + msgs + `,"max_tokens":1e3}`, false},                               // integer with an exponent
		{`{` + msgs + `,"max_tokens":-0,"temperature":1E-7,"top_p":0.95}`, true}, // number forms
		{`{` + msgs + `,"max_tokens":12345678901234567890}`, false},
		{`{` + msgs + `,"temperature":1e400}`, false},
		{`{` + msgs + `,"stop_sequences":["a",null,"\u00e9"]}`, false},
		{`{` + msgs + `,"stop_sequences":["a","","\u00e9 <&>"]}`, true},
		{`{` + msgs + `,"metadata":{"user_id":5}}`, true},
		{`{` + msgs + `,"metadata":{"user_id":"u\u2028","USER_ID":"v"}}`, false},
		{`{` + msgs + `,"thinking":{"type":"enabled","budget_tokens":20000,"type":null}}`, true},
		{`{` + msgs + `,"thinking":{"type":"enabled","budget_tokens":2.5}}`, false},
		{`{` + msgs + `,"stream":"yes"}`, false},
		{`{"messages":[{"role":"user","content":[{"type":"text","text":"a","Text":"b"}]}]}`, false},
		{`{"messages":[{"role":"user","content":[{"type":"text","text":"a","text":"b","cache_control":{"type":"ephemeral"}}]}]}`, true},
		{`{"messages":[{"role":"user","content":[{"type":"text","text":"a\ud800\"<>\u0000"}]}]}`, true},
		{"{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\xfe \u2028\"}]}", true},
		{`{"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}`, false},
		{`{"tools":[{"name":"t","input_schema":{"type":"object"},"Name":"u"}],` + msgs + `}`, false},
		{`{"tools":[{"name":"t","description":"<d>","input_schema":{"$schema":"x","properties":{"$schema":{}}}}],"tool_choice":{"type":"tool","name":"t","disable_parallel_tool_use":true},` + msgs + `}`, true},
		{`{"tools":[{"name":"a.b"}],"tool_choice":{"type":"any"},` + msgs + `}`, true},
		{`{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{ "x" : [1, "<"] }}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,"content":[{"type":"text","text":"r"}]}]}]}`, true},
		{`{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":"yes"}]}]}`, false},
		{`{"messages":`, false},
		{`{"messages":[]}`, false},
	} {
		if fast := areqCheckPaths(t, []byte(tt.body), Options{UpstreamModel: "m", IncludeUsage: true}); fast != tt.fast {
			t.Errorf("%s: fast path %v, want %v", tt.body, fast, tt.fast)
		}
	}
}

func TestAppendFloatJSON(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1.5e-9, 1e20, 1e21, 123456789.125,
		1e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, 0.95, 2.0000000000000004} {
		want, _ := json.Marshal(f)
		if got := appendFloatJSON(nil, f); string(got) != string(want) {
			t.Errorf("%s: got %s, want %s", strconv.FormatFloat(f, 'g', -1, 64), got, want)
		}
	}
}
