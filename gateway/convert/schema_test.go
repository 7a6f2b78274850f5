package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// areqSchemaMapRoundTrip is the map round trip areqSchema replaced (commit
// 78ce486), kept as the reference its output must match byte for byte.
func areqSchemaMapRoundTrip(raw json.RawMessage, path string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if k := areqKind(raw); k != "null" && (k != "object" || json.Unmarshal(raw, &m) != nil) {
		return nil, badRequest("%s: must be a JSON Schema object, got %s", path, k)
	}
	delete(m, "$schema")
	if t, ok := m["type"]; !ok {
		m["type"] = json.RawMessage(`"object"`)
	} else if string(bytes.TrimSpace(t)) != `"object"` {
		return nil, badRequest(`%s.type: must be "object"`, path)
	}
	if _, ok := m["properties"]; !ok {
		m["properties"] = json.RawMessage(`{}`)
	}
	for k, v := range m {
		if bytes.Contains(v, []byte(`"$schema"`)) {
			var x any
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			_ = d.Decode(&x)
			areqStripRef(x, areqSchemaMaps[k])
			m[k], _ = json.Marshal(x)
		}
	}
	return json.Marshal(m)
}

func areqStripRef(v any, nameMap bool) {
	switch x := v.(type) {
	case map[string]any:
		if _, isObj := x["$schema"].(map[string]any); !nameMap || !isObj {
			delete(x, "$schema") // in a name map, only a property schema named "$schema" stays
		}
		for k, sub := range x {
			areqStripRef(sub, !nameMap && areqSchemaMaps[k])
		}
	case []any:
		for _, e := range x {
			areqStripRef(e, false)
		}
	}
}

var areqSchemaCases = []string{
	``, `null`, `{}`, ` { } `, `{"type":"object"}`, `{"type" : "object" , "properties" : { } }`,
	`{"$schema":"x","type":"object","properties":{"a":{"type":"string"}}}`,
	// "$schema" nested, and a property literally named "$schema" that must stay.
	`{"type":"object","properties":{"$schema":{"type":"string"},"o":{"$schema":"y","type":"object"}}}`,
	`{"properties":{"$schema":"not a schema"},"$defs":{"$schema":{"$schema":"z"}}}`,
	`{"items":[{"$schema":"a"},{"b":{"$schema":"c"}}],"definitions":{"d":{"$schema":1}}}`,
	`{"properties":{"p":{"properties":{"$schema":{"type":"integer"}}}},"x":{"properties":{"$schema":{}}}}`,
	// Escaped keys, duplicates (the last wins), HTML and line separators.
	`{"\u0024schema":"x","t\u0079pe":"object","a":"\u003c\/b\u003e"}`,
	`{"type":"object","type":"object","k":1,"k":2}`,
	`{"description":"<b> & </b> \u2028 ` + "\u2028\u2029" + `","enum":["<",">","&"]}`,
	`{"d":{"$schema":"s","x":"<tag> & \u00e9 \ud83d\ude00 \ud800","n":[1.50,-0,1e+300,2E-7],"z":null,"y":true}}`,
	"{\"type\":\"object\",\n\t\"properties\": {\"a\" : [ 1 , 2 ] ,\r\n \"b\":\"x y\"}}",
	"{\"a\":\"\xff\xfe\",\"\xff\":1,\"c\":{\"$schema\":\"\xff\"}}",
	`{"b":1,"a":2,"B":3,"_":4,"$":5,"é":6}`,
	`{"type":"string"}`, `{"type":["object"]}`, `{"type":" object"}`, `[]`, `"s"`, `1`, `true`,
}

func TestAreqSchema(t *testing.T) {
	for _, in := range areqSchemaCases {
		areqSchemaCompare(t, []byte(in))
	}
	// What pitfall 24 asks for, spelled out.
	out, err := areqSchema([]byte(`{"$schema":"x","type":"object","properties":{"$schema":{"type":"string"},"o":{"$schema":"y"}}}`), func() string { return "s" })
	if want := `{"properties":{"$schema":{"type":"string"},"o":{}},"type":"object"}`; err != nil || string(out) != want {
		t.Errorf("got %s %v, want %s", out, err, want)
	}
}

// areqSchemaCompare checks areqSchema against the map round trip for one
// valid JSON value (or the empty input of a missing field).
func areqSchemaCompare(t *testing.T, raw []byte) {
	t.Helper()
	raw = bytes.TrimSpace(raw) // as a json.RawMessage field holds it
	want, wantErr := areqSchemaMapRoundTrip(raw, "p")
	got, err := areqSchema(raw, func() string { return "p" })
	var re, wantRE *RequestError
	if wantErr != nil {
		if !errors.As(err, &re) || !errors.As(wantErr, &wantRE) || re.Msg != wantRE.Msg {
			t.Fatalf("%q: error %v, want %v", raw, err, wantErr)
		}
		return
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%q:\n got %s (%v)\nwant %s", raw, got, err, want)
	}
}

// FuzzAreqSchema: the byte-level schema rewrite writes exactly what the map
// round trip wrote, for every valid JSON value.
func FuzzAreqSchema(f *testing.F) {
	for _, s := range areqSchemaCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(bytes.TrimSpace(raw)) > 0 && !json.Valid(raw) {
			return
		}
		areqSchemaCompare(t, raw)
	})
}

func TestAreqCompact(t *testing.T) {
	for _, in := range []string{`{}`, ` [ 1 , "a b" , {"c" : "<&>"} ] `, "{\"a\":\"\\\" \u2028\"}", `"x"`, `-1.5e3`} {
		for _, html := range []bool{false, true} {
			var want bytes.Buffer
			_ = json.Compact(&want, []byte(in))
			if html {
				var esc bytes.Buffer
				json.HTMLEscape(&esc, want.Bytes())
				want = esc
			}
			if got := areqCompact(nil, []byte(in), html); string(got) != want.String() {
				t.Errorf("areqCompact(%q, %v) = %q, want %q", in, html, got, want.String())
			}
		}
	}
}

// FuzzQuote: the string encoders the hand encoders use write what
// encoding/json writes, with and without HTML escaping.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\x1f\x7f\b\f\n\r\t", "<a>&</a>", "0123456789abcdef\x00", "01234567\u2028", "plain ascii text 16", "é中😀\u2028\u2029", "bad\xff\xe2\x82", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		html, _ := json.Marshal(s)
		if got := areqQuoteHTML(nil, []byte(s)); !bytes.Equal(got, html) {
			t.Fatalf("areqQuoteHTML(%q) = %s, want %s", s, got, html)
		}
		plain, _ := arespMarshal(s)
		if got := jsonbody.AppendQuote(nil, s); !bytes.Equal(got, plain) {
			t.Fatalf("AppendQuote(%q) = %s, want %s", s, got, plain)
		}
		if got := jsonbody.AppendQuote([]byte("x"), s); !bytes.Equal(got[1:], plain) || got[0] != 'x' {
			t.Fatalf("jsonbody.AppendQuote(%q) = %s, want %s", s, got[1:], plain)
		}
	})
}
