package convert

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// obsCheckDecode holds the observer's fast path to encoding/json: whatever
// it decodes, it decodes as json.Unmarshal does, without aliasing data.
func obsCheckDecode(t *testing.T, data []byte) {
	t.Helper()
	own := bytes.Clone(data)
	fresh := func() obsEvent {
		var e obsEvent
		e.Message.Usage, e.Usage = obsUnset, obsUnset
		return e
	}
	fast, slow := fresh(), fresh()
	if fast.decodeFast(own) != nil {
		return
	}
	for i := range own {
		own[i] = 'x' // the decoded event must not alias the caller's bytes
	}
	err := json.Unmarshal(data, &slow)
	if err != nil || !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s:\nfast path     %+v\nencoding/json %+v (%v)", data, fast, slow, err)
	}
}

func TestObserverFastPath(t *testing.T) {
	for _, s := range []string{
		`{"type":"message_start","message":{"id":"m","usage":{"input_tokens":5,"cache_read_input_tokens":2}}}`,
		`{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"","input":null}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \u00e9"}}`,
		`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}`,
		`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}`,
		`{"type":"message_delta","usage":null}`, `{"type":"weird","index":"x"}`, `{"type":5}`, `{"TYPE":"text"}`,
		`{"type":"ping"}`, `{}`, `{"index":1.5}`,
	} {
		obsCheckDecode(t, []byte(s))
	}
}
