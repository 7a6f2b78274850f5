package claudecode

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestIndentUnit(t *testing.T) {
	cases := map[string]string{
		"{\n  \"a\": {\n    \"b\": 1\n  }\n}": "  ",
		"{\n    \"a\": 1\n}":                  "    ",
		"{\n\t\"a\": 1\n}":                    "\t",
		`{"a":1}`:                             "  ",
		"{\r\n   \"a\": 1\r\n}":               "   ",
	}
	for in, want := range cases {
		if got := indentUnit([]byte(in)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// TestInsertDeleteInverse: deleting a member just inserted gives back the
// original text byte for byte, whatever the layout.
func TestInsertDeleteInverse(t *testing.T) {
	for _, in := range []string{
		"{}", "{\n}", "{\"a\":1}", "{ \"a\" : 1 , \"b\" : [1,{\"}\":\"{\"}] }",
		"{\n  \"a\": 1,\n  \"b\": 2\n}\n", "{\n\t\"a\": \"x\\\"y\"\n}",
	} {
		o, err := parseObject([]byte(in), 0)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		out := insertMember([]byte(in), o, "NEW", []byte(`"v"`), false)
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil || m["NEW"] != "v" {
			t.Fatalf("%q: inserted %q: %v", in, out, err)
		}
		o2, _ := parseObject(out, 0)
		back := deleteMember(out, o2, len(o2.members)-1)
		if len(o.members) == 0 { // white space inside an empty object is not kept
			if string(back) != "{}" {
				t.Errorf("%q: got %q", in, back)
			}
			continue
		}
		if string(back) != in {
			t.Errorf("%q: insert+delete gave %q", in, back)
		}
	}
}

// FuzzEdit: on any input the editor either refuses with an error or
// produces valid JSON that differs only in the touched env keys, and
// unwinding it through the generic path restores the original values.
func FuzzEdit(f *testing.F) {
	for _, s := range []string{"{}", manyKeys, hooksAndStatusLine, `{"env":{"ANTHROPIC_API_KEY":1}}`,
		"{\"env\": {\n}, \"x\": [\"\\u00e9\"]}", "", "[]", `{"env":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := parseDoc("settings.json", in)
		if err != nil {
			return
		}
		st := &state{Previous: map[string]value{}, Ours: map[string]value{}, EnvCreated: d.env == nil,
			Original: snapshot{Exists: true, Text: in}, Written: "never"}
		for _, kv := range []struct {
			k string
			v value
		}{{KeyBaseURL, stringValue(testURL)}, {KeyAuthToken, stringValue(testToken)}, {KeyAPIKey, value{}}} {
			st.Previous[kv.k], st.Ours[kv.k] = d.get(kv.k), kv.v
			if err := d.set(kv.k, kv.v); err != nil {
				t.Fatalf("set %s: %v", kv.k, err)
			}
		}
		if err := verify("settings.json", in, d.text); err != nil {
			t.Fatalf("%v\n%q\n%q", err, in, d.text)
		}
		snap, res, err := unwind(st, file{Exists: true, Text: d.text}, "settings.json")
		if err != nil || len(res.Kept) != 0 {
			t.Fatalf("unwind: %v %v", err, res.Kept)
		}
		if len(bytes.TrimSpace(in)) == 0 {
			return
		}
		var a, b any
		_ = json.Unmarshal(in, &a)
		if err := json.Unmarshal(snap.Text, &b); err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("unwind gave %q for %q (%v)", snap.Text, in, err)
		}
	})
}
