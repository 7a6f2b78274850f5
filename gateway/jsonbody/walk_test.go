package jsonbody

import (
	"bytes"
	"encoding/json"
	"testing"
)

// walkAll flattens raw with Members/Elements into key=value lines, recursing
// into nested containers, the way encoding/json's refWalk does.
func walkAll(raw []byte) []string { return walk(raw, true) }

// walk is walkAll; unquote false leaves keys raw, for text that is not valid
// JSON (Unquote requires a valid string).
func walk(raw []byte, unquote bool) []string {
	var out []string
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '{':
		it := Members(raw)
		for {
			k, v, ok := it.NextMember()
			if !ok {
				break
			}
			if unquote {
				out = append(out, "key "+Unquote(k))
			} else {
				out = append(out, "key "+string(k))
			}
			out = append(out, walk(v, unquote)...)
		}
		out = append(out, "}")
	case len(raw) > 0 && raw[0] == '[':
		it := Elements(raw)
		for {
			v, ok := it.NextElement()
			if !ok {
				break
			}
			out = append(out, walk(v, unquote)...)
		}
		out = append(out, "]")
	default:
		out = append(out, "value "+string(raw))
	}
	return out
}

// refWalk is walkAll done with encoding/json.
func refWalk(t *testing.T, raw []byte) []string {
	t.Helper()
	var out []string
	raw = bytes.TrimSpace(raw)
	switch {
	case raw[0] == '{':
		dec := json.NewDecoder(bytes.NewReader(raw))
		_, _ = dec.Token()
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, "key "+tok.(string))
			out = append(out, refWalk(t, v)...)
		}
		out = append(out, "}")
	case raw[0] == '[':
		var vs []json.RawMessage
		if err := json.Unmarshal(raw, &vs); err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			out = append(out, refWalk(t, v)...)
		}
		out = append(out, "]")
	default:
		out = append(out, "value "+string(raw))
	}
	return out
}

func TestWalk(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, ` { } `, `[ ]`, `{"a":1}`, `{ "a" : [ 1 , "x" , { "b" : null } ] , "c" : true }`,
		`{"\u0061\"":"\"}{][","k":-1.5e+3}`, `[[[]],[{}],"]",false]`, "{\"t\":\"a\\\\\",\"u\":\"\xff\"}",
		`{"a":"0123456789abcdef0123456789\"abcdef","b":"x"}`,
	} {
		got, want := walkAll([]byte(s)), refWalk(t, []byte(s))
		if !equalStrings(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", s, got, want)
		}
	}
	// The wrong walker for the kind yields nothing; so does a non-container.
	for _, s := range []string{`{"a":1}`, `"x"`, `1`, ``} {
		it := Elements([]byte(s))
		if _, ok := it.NextElement(); ok {
			t.Errorf("Elements(%s) yielded", s)
		}
	}
	it := Members([]byte(`[1]`))
	if _, _, ok := it.NextMember(); ok {
		t.Error("Members([1]) yielded")
	}
	if got := SkipValid([]byte(`{"a":[1,2]} x`), 0); got != 11 {
		t.Errorf("SkipValid = %d", got)
	}
	if got := SkipValid([]byte(`123,`), 0); got != 3 {
		t.Errorf("SkipValid number = %d", got)
	}
	if NeedsUnquote([]byte(`"abc"`)) || !NeedsUnquote([]byte(`"a\nb"`)) || !NeedsUnquote([]byte("\"\xff\"")) {
		t.Error("NeedsUnquote")
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzWalk: on valid JSON the walk agrees with encoding/json; on anything
// else it neither panics nor loops.
func FuzzWalk(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"\"}"}],"c":null}`, `[1,[2,[3]],"x\\"]`, `{"a":`, `[1,`, `{"a" 1}`,
		`[}`, `{"\u00e9":"\ud800"}`, `["\`, string(claudeCodeBody(1, 1))} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		t2 := bytes.TrimSpace(raw)
		if !json.Valid(raw) || len(t2) == 0 || t2[0] != '{' && t2[0] != '[' {
			_ = walk(raw, false) // must terminate without panicking
			_ = SkipValid(raw, 0)
			return
		}
		if got, want := walkAll(raw), refWalk(t, raw); !equalStrings(got, want) {
			t.Fatalf("%q:\n got %q\nwant %q", raw, got, want)
		}
		if end := SkipValid(t2, 0); end != len(t2) {
			t.Fatalf("SkipValid(%q) = %d, want %d", t2, end, len(t2))
		}
	})
}
