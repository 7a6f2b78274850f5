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

// checkFastDecode holds a fast decoder to its encoding/json reference: when
// fast takes data, the value must be what std decodes from it, and must not
// alias the caller's bytes.
func checkFastDecode[T any](t *testing.T, data []byte, fast func(*T, []byte) error, std func([]byte, any) error) {
	t.Helper()
	own := bytes.Clone(data)
	var got, want T
	if fast(&got, own) != nil {
		return
	}
	for i := range own {
		own[i] = 'x'
	}
	err := std(data, &want)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\nfast path     %+v\nencoding/json %+v (%v)", data, got, want, err)
	}
}

// obsRespCheckDecode holds the Responses observer's fast path to
// encoding/json, as obsCheckDecode does the Anthropic one.
func obsRespCheckDecode(t *testing.T, data []byte) {
	t.Helper()
	checkFastDecode(t, data, (*obsRespEvent).decodeFast, json.Unmarshal)
}

func TestObserverResponsesFastPath(t *testing.T) {
	for i, s := range []string{
		`{"type":"response.output_item.added","output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","content":[{"type":"output_text","text":"x","annotations":[]}],"role":"assistant"}}`,
		`{"type":"response.output_item.done","output_index":3,"item":{"type":"custom_tool_call","id":"ct","call_id":"c2","name":"apply_patch","input":"*** Begin"}}`,
		`{"type":"response.completed","response":{"status":"completed","incomplete_details":null,"usage":{"input_tokens":9,"output_tokens":4,"output_tokens_details":{"reasoning_tokens":3},"total_tokens":13,"input_tokens_details":null}}}`,
		`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi \u00e9"}`,
		`{"type":"response.output_text.done","output_index":0,"text":"Hi"}`,
		`{"type":"response.function_call_arguments.done","output_index":2,"arguments":"{\"a\":1}"}`,
		`{"type":"response.custom_tool_call_input.done","output_index":1,"input":null,"refusal":"no"}`,
		`{"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","id":"fc_1","call_id":"c","name":"f","arguments":""}}`,
		`{"type":"response.content_part.added","part":{"type":"reasoning_text","text":""}}`,
		`{"type":"response.completed","response":{"id":"r","status":"completed","tools":[{"type":"function","name":"f"}],"usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":2},"output_tokens":1}}}`,
		`{"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":null}}`,
		`{"type":"response.completed","response":null}`, `{"TYPE":"x","Output_Index":3}`, `{"output_index":1.5}`,
		`{"type":"x","item":{"type":5}}`, `{"type":"x","item":null,"part":null}`, `{"delta":7}`, `{}`,
		`{"type":"a","type":"b"}`, `{"response":{"status":"a","STATUS":"b"}}`,
		`{"item":{"arguments":5}}`, `{"part":"text"}`, `{"response":{"usage":{"input_tokens":"1"}}}`,
		`{"response":{"usage":{"input_tokens_details":{"cached_tokens":1.5}}}}`, `{"response":{"incomplete_details":{"reason":1}}}`,
	} {
		obsRespCheckDecode(t, []byte(s))
		var e obsRespEvent
		if i < 11 && e.decodeFast([]byte(s)) != nil {
			t.Errorf("%s: not on the fast path", s)
		}
	}
}
