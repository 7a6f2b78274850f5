package convert

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// o2aCheckDecode checks that when o2aChunk.decodeFast accepts data it decodes
// it as encoding/json does, and keeps nothing of data.
func o2aCheckDecode(t *testing.T, data []byte) {
	t.Helper()
	own := bytes.Clone(data)
	var fast, slow o2aChunk
	fast.reset()
	if fast.decodeFast(own) != nil {
		return
	}
	for i := range own {
		own[i] = 'x' // the decoded chunk must not alias the caller's bytes
	}
	if err := json.Unmarshal(data, &slow); err != nil || !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s:\nfast path     %+v\nencoding/json %+v (%v)", data, fast, slow, err)
	}
}

func TestO2AChunkFastPath(t *testing.T) {
	for _, s := range []string{
		`{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi \u00e9"},"logprobs":null,"finish_reason":null}],"usage":null}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\""}}]},"finish_reason":"tool_calls","stop_reason":"</s>"}]}`,
		`{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4},"ID":"x","MODEL":5}`,
		`{"error":{"message":"boom"},"choices":null}`, `{"choices":[{"delta":{"reasoning":"r","REASONING_content":"rc"}}]}`,
		`{"choices":[{"stop_reason":151645}]}`, `{"choices":[{"index":1.0}]}`, `{"id":"a","Id":"b"}`, `[]`, `{"choices":[null]}`,
	} {
		o2aCheckDecode(t, []byte(s))
	}
	var c o2aChunk
	c.reset()
	if c.decodeFast([]byte(`{"id":"x","choices":[{"index":0,"delta":{"content":"a"}}]}`)) != nil || c.Choices[0].Delta.Content != "a" {
		t.Error("a plain chunk is not on the fast path")
	}
}
