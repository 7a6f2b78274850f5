package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

// topLevel decodes the top-level keys of a valid JSON object with
// encoding/json, reporting whether a key repeats.
func topLevel(body []byte) (keys []string, raws []json.RawMessage, dup bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		panic(err)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			panic(err)
		}
		k := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			panic(err)
		}
		dup = dup || seen[k]
		seen[k] = true
		keys = append(keys, k)
		raws = append(raws, raw)
	}
	return keys, raws, dup
}

// decodeMap decodes a JSON object keeping numbers as text.
func decodeMap(t *testing.T, body []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return m
}

// FuzzScan checks Scan against encoding/json: it never panics, accepts
// exactly the valid objects without duplicate top-level keys, records the
// same members, and Patch output always scans again and decodes to the
// expected object.
func FuzzScan(f *testing.F) {
	seeds := []string{
		`{}`, ` {"model":"claude","stream":true} `, `{"a":[1,{"b":null}],"c":"\u00e9\"\\"}`,
		`{"\u006dodel":"x","model":"y"}`, `{"a":1,}`, `[1,2]`, `"s"`, ``, `{"a":01}`, `{"a":-0.5e+7}`,
		"{\"k\":\"\xff\"}", `{"a":"\ud800\udc00"}`, `{"a":{"a":{"a":[[[]]]}}}`, `{"a":tru}`, `{"a":1}x`,
		"\xEF\xBB\xBF{}", `{"a":"x","b":"y","c":"z","d":1,"e":2,"f":3,"g":4,"h":5,"i":6,"j":7,"k":8,"l":9,"m":0,"n":1,"o":2,"p":3,"q":4}`,
		string(claudeCodeBody(0, 0)),
	}
	for _, s := range seeds {
		f.Add([]byte(s), "gpt-5")
	}
	f.Fuzz(func(t *testing.T, body []byte, model string) {
		o, err := Scan(body)
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		isObject := len(trimmed) > 0 && trimmed[0] == '{'
		valid := json.Valid(body)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Msg == "" || se.Offset < 0 || se.Offset > int64(len(body)) {
				t.Fatalf("error %#v", err)
			}
			if valid && isObject {
				if _, _, dup := topLevel(body); !dup {
					t.Fatalf("Scan rejected a valid object without duplicate keys: %v", err)
				}
			}
			return
		}
		if !valid || !isObject {
			t.Fatalf("Scan accepted %q (json.Valid %v, object %v)", body, valid, isObject)
		}
		keys, raws, dup := topLevel(body)
		if dup || len(keys) != len(o.Members()) {
			t.Fatalf("members %d, encoding/json %d (dup %v)", len(o.Members()), len(keys), dup)
		}
		for i, m := range o.Members() {
			k, err := m.Key.String(body)
			if err != nil || k != keys[i] || !bytes.Equal(m.Value.Raw(body), raws[i]) {
				t.Fatalf("member %d = %q %s, encoding/json %q %s", i, k, m.Value.Raw(body), keys[i], raws[i])
			}
			if v, ok := o.Get(k); !ok || v != m.Value {
				t.Fatalf("Get(%q) = %v %v", k, v, ok)
			}
			if m.Value.Kind == KindString {
				var ref string
				s, _ := m.Value.String(body)
				if json.Unmarshal(raws[i], &ref) != nil || s != ref {
					t.Fatalf("String = %q, encoding/json %q", s, ref)
				}
			}
		}

		if !utf8.ValidString(model) {
			model = string([]rune(model)) // keys and values must be valid UTF-8
		}
		edits := []Edit{{"model", Quote(model)}, {model, []byte(`{"n":[1,2]}`)}}
		if len(keys) > 0 {
			edits = append(edits, Edit{Key: keys[len(keys)/2]})
		}
		out := Patch(body, o, edits...)
		parts, n := PatchParts(nil, body, o, edits...)
		if joined := bytes.Join(parts, nil); !bytes.Equal(joined, out) || n != len(out) {
			t.Fatalf("PatchParts gives %q (%d bytes), Patch %q", joined, n, out)
		}
		o2, err := Scan(out)
		if err != nil {
			t.Fatalf("Patch output does not scan: %v\nin:  %q\nout: %q", err, body, out)
		}
		want := decodeMap(t, body)
		for _, e := range edits {
			if len(e.Value) == 0 {
				delete(want, e.Key)
			} else {
				want[e.Key] = decodeMap(t, []byte(`{"v":`+string(e.Value)+`}`))["v"]
			}
		}
		if got := decodeMap(t, out); !reflect.DeepEqual(got, want) {
			t.Fatalf("Patch output decodes to %v, want %v", got, want)
		}
		if len(o2.Members()) != len(want) {
			t.Fatalf("Patch output has %d members, want %d", len(o2.Members()), len(want))
		}
	})
}
