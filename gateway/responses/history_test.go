package responses

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestHistory(t *testing.T) {
	for _, tc := range []struct {
		name, input, response string
		want                  string // "" for an error
	}{
		{"input then output",
			`[{"role":"user","content":"hi"}, {"type":"function_call_output","call_id":"c1","output":"42"}]`,
			`{"id":"resp_1","output":[{"type":"reasoning","id":"rs_1","summary":[]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hello"}]}],"usage":{"input_tokens":3}}`,
			`[{"role":"user","content":"hi"},{"type":"function_call_output","call_id":"c1","output":"42"},{"type":"reasoning","id":"rs_1","summary":[]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hello"}]}]`},
		{"empty output", `[{"role":"user","content":"hi"}]`, `{"output":[ ]}`, `[{"role":"user","content":"hi"}]`},
		{"missing output", `[{"role":"user","content":"hi"}]`, `{"id":"resp_1","status":"failed"}`, `[{"role":"user","content":"hi"}]`},
		{"null output", `[{"role":"user","content":"hi"}]`, `{"output":null}`, `[{"role":"user","content":"hi"}]`},
		{"empty input", ` [] `, `{"output":[{"type":"message"}]}`, `[{"type":"message"}]`},
		{"no input", ``, `{"output":[{"type":"message"}]}`, `[{"type":"message"}]`},
		{"both empty", `[]`, `{"output":[]}`, `[]`},
		{"malformed input", `[{"role":"user"`, `{"output":[]}`, ""},
		{"input not an array", `{"role":"user"}`, `{"output":[]}`, ""},
		{"malformed response", `[]`, `{"output":[{"type":"message"}`, ""},
		{"response not an object", `[]`, `[1]`, ""},
		{"no response", `[]`, ``, ""},
		{"output not an array", `[]`, `{"output":{"type":"message"}}`, ""},
		{"output a string", `[]`, `{"output":"text"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Record{ID: "resp_1", Input: []byte(tc.input), Response: []byte(tc.response)}.History()
			if tc.want == "" {
				if err == nil {
					t.Fatalf("History = %s, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Whitespace between items is kept as it was; compare compacted.
			var c bytes.Buffer
			if err := json.Compact(&c, got); err != nil {
				t.Fatalf("History is not valid JSON: %s", got)
			}
			if c.String() != tc.want {
				t.Errorf("History =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestHistoryOfStoredRecord: what Get returns expands like what was Put.
func TestHistoryOfStoredRecord(t *testing.T) {
	s := openStore(t, Options{Now: newClock().Now})
	r := rec("resp_1", "k", t0)
	mustPut(t, s, r)
	got, err := s.Get("resp_1", "k")
	if err != nil {
		t.Fatal(err)
	}
	h, err := got.History()
	if err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(h, &items); err != nil || len(items) != 2 {
		t.Fatalf("History = %s (%v), want the input item and the output item", h, err)
	}
}

func FuzzHistory(f *testing.F) {
	f.Add([]byte(`[{"a":1}]`), []byte(`{"output":[{"b":2}]}`))
	f.Add([]byte(`[`), []byte(`{"output":`))
	f.Fuzz(func(t *testing.T, input, response []byte) {
		h, err := Record{Input: input, Response: response}.History()
		if err == nil && !json.Valid(h) {
			t.Fatalf("History(%q, %q) = %q: not valid JSON", input, response, h)
		}
	})
}
