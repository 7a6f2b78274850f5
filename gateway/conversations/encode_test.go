package conversations

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestEncodeLineSplicesBodies: the fast path (bodies spliced in as they are)
// and the slow path (pretty-printed bodies compacted by encoding/json) both
// give one line that decodes to the same record.
func TestEncodeLineSplicesBodies(t *testing.T) {
	for _, tc := range []struct{ name, req, up string }{
		{"one-line bodies", `{"model":"m","messages":[{"role":"user","content":"<hi> & \u00e9"}]}`, `{"model":"x"}`},
		{"pretty body", "{\n  \"model\": \"m\"\n}", `{"model":"x"}`},
		{"no upstream body", `{"model":"m"}`, ``},
		{"invalid body", `{"model":`, `{"model":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Record{ID: "req_1", Model: "m", Status: 200, Request: json.RawMessage(tc.req), UpstreamRequest: json.RawMessage(tc.up),
				Output: Output{Text: "hello"}}
			line, err := encodeLine(r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(string(line), "\n") != 1 || !strings.HasSuffix(string(line), "\n") {
				t.Fatalf("not one line: %q", line)
			}
			var got map[string]any
			if err := json.Unmarshal(line, &got); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			if got["id"] != "req_1" || got["output"].(map[string]any)["text"] != "hello" {
				t.Errorf("fields lost: %s", line)
			}
			if tc.name == "invalid body" {
				if got["request"] != tc.req {
					t.Errorf("invalid body not kept as a string: %v", got["request"])
				}
				return
			}
			var want any
			json.Unmarshal([]byte(tc.req), &want)
			if !reflect.DeepEqual(got["request"], want) {
				t.Errorf("request = %v, want %v", got["request"], want)
			}
			if tc.up == "" && got["upstream_request"] != nil {
				t.Errorf("empty upstream body written: %s", line)
			}
		})
	}
}
