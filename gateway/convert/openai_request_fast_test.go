package convert

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/modelswitch/modelswitch/bench/bodies"
)

// oreqCheckPaths converts body on both decoding paths and checks that they
// agree and that the hand encoder writes what encoding/json (arespMarshal)
// writes. It returns whether the fast path took the request.
func oreqCheckPaths(t testing.TB, body []byte, opt Options) bool {
	t.Helper()
	slowR, slowErr := oreqBuild(body, opt, false)
	fastR, fastErr := oreqBuild(body, opt, true)
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
		if _, err := OpenAIToAnthropicRequest(body, opt); !reflect.DeepEqual(err, slowErr) {
			t.Fatalf("error %v, want the slow path's %v", err, slowErr)
		}
		return false
	}
	slow := slowR.appendJSON(nil)
	if ref, err := arespMarshal(slowR); err != nil || !bytes.Equal(slow, ref) {
		t.Fatalf("hand encoder differs from encoding/json (%v):\n got %s\nwant %s", err, slow, ref)
	}
	if fastErr != nil {
		return false
	}
	if fast := fastR.appendJSON(nil); !bytes.Equal(fast, slow) {
		t.Fatalf("fast path differs:\n got %s\nwant %s", fast, slow)
	}
	return true
}

// TestOreqFastPath: the golden and the benchmark bodies take the fast path
// and convert as encoding/json does.
func TestOreqFastPath(t *testing.T) {
	files, _ := filepath.Glob("testdata/o2a_request/*.in.json")
	for _, in := range files {
		body, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		if !oreqCheckPaths(t, body, oreqOptions) {
			t.Errorf("%s: not on the fast path", in)
		}
	}
	cc, _, err := AnthropicToOpenAIRequest(bodies.ClaudeCode("c", true), benchOpt)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range [][]byte{bodies.OpenAISmall("g", false), cc} {
		if !oreqCheckPaths(t, body, oreqOptions) {
			t.Errorf("benchmark body not on the fast path")
		}
	}
}

// TestOreqUnusualInput: shapes the fast path leaves to encoding/json, or
// decodes itself, convert exactly as encoding/json does.
func TestOreqUnusualInput(t *testing.T) {
	const msgs = `"messages":[{"role":"user","content":"hi"}]`
	const call = `{"role":"user","content":"a"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":`
	for _, tt := range []struct {
		body string
		fast bool
	}{
		{`{` + msgs + `}`, true},
		{`{"Messages":[{"ROLE":"user","Content":"hi"}],"STREAM":true}`, true}, // encoding/json folds case
		{`{` + msgs + `,"stream":true,"Stream":false}`, false},                // one field twice
		{`{` + msgs + `,` + msgs + `}`, false},
		{`{"\u006dessages":[{"role":"user","content":"hi"}],"max_tokens":1e3,"top_k":-0,"temperature":2,"top_p":0.5,"n":1}`, true},
		{`{` + msgs + `,"max_completion_tokens":"5"}`, false}, // an error: both paths refuse it
		{`{` + msgs + `,"top_k":1.5}`, false},
		{`{` + msgs + `,"stop":"x"}`, true},
		{`{` + msgs + `,"stop":["a",null,"","\u00e9"]}`, true},
		{`{` + msgs + `,"stop":[1]}`, false},
		{`{` + msgs + `,"user":"u","safety_identifier":"s","parallel_tool_calls":false,"reasoning_effort":"low"}`, true},
		{`{` + msgs + `,"response_format":{"type":"json_object"},"Response_Format":null}`, false},
		{`{` + msgs + `,"tools":[{"type":"function","function":{"name":"f","description":"<d>","parameters":{ "b" : 1 , "a":"<&>" }}},{"type":"function","function":{"name":"g","parameters":{"type":"object", "x" : [ 1 ]}}},{"type":"function","function":{"name":"h"}}],"tool_choice":{"type":"function","function":{"name":"g"}}}`, true},
		{`{` + msgs + `,"tools":[{"type":"function","function":{"Name":"f","NAME":"g"}}]}`, false},
		{`{` + msgs + `,"tools":[null]}`, false},
		{`{"messages":[` + call + `"{ \"a\" : [1, 2] }"}}]},{"role":"tool","tool_call_id":"c1","content":[{"type":"text","text":"r"}]}]}`, true},
		{`{"messages":[` + call + `"{\"a\":1,\"a\":2}"}}]},{"role":"tool","tool_call_id":"c1","content":"r"}]}`, true},
		{`{"messages":[` + call + `"[1]"}}]},{"role":"tool","tool_call_id":"c1","content":"r"}]}`, false},
		{`{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAA"}},{"type":"image_url","image_url":"https://x/y.png"}]}]}`, true},
		{`{"messages":[{"role":"system","content":"s"},{"role":"developer","content":[{"type":"text","text":"d"}]},{"role":"user","content":"\ud800 <>"},{"role":"assistant","content":"ok  "}]}`, true},
		{`{"messages":[{"role":"user","content":"a","role":5}]}`, false},
		{`{"messages":`, false},
	} {
		if fast := oreqCheckPaths(t, []byte(tt.body), oreqOptions); fast != tt.fast {
			t.Errorf("%s: fast path %v, want %v", tt.body, fast, tt.fast)
		}
	}
}
