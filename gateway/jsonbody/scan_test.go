package jsonbody

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

type wantMember struct {
	key  string
	kind Kind
	raw  string
}

func TestScanValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []wantMember
	}{
		{name: "empty object", in: "{}"},
		{name: "empty object with space", in: " \t\r\n{ \n } \n"},
		{name: "all kinds", in: `{"s":"x","n":-1.5e+3,"b":false,"z":null,"o":{"k":[1,{}]},"a":[]}`, want: []wantMember{
			{"s", KindString, `"x"`}, {"n", KindNumber, "-1.5e+3"}, {"b", KindBool, "false"},
			{"z", KindNull, "null"}, {"o", KindObject, `{"k":[1,{}]}`}, {"a", KindArray, "[]"},
		}},
		{name: "pretty printed", in: "{\n  \"model\" : \"claude\" ,\n  \"stream\": true\n}\n", want: []wantMember{
			{"model", KindString, `"claude"`}, {"stream", KindBool, "true"},
		}},
		{name: "escaped key", in: `{"\u006dodel":"m","a\"b":1,"\ud83d\ude00":2}`, want: []wantMember{
			{"model", KindString, `"m"`}, {`a"b`, KindNumber, "1"}, {"😀", KindNumber, "2"},
		}},
		{name: "tricky nested strings", in: `{"m":[{"t":"{\"[}]\\"},"\\\\",","],"x":"\"}"}`, want: []wantMember{
			{"m", KindArray, `[{"t":"{\"[}]\\"},"\\\\",","]`}, {"x", KindString, `"\"}"`},
		}},
		{name: "nested duplicates allowed", in: `{"a":{"k":1,"k":2}}`, want: []wantMember{{"a", KindObject, `{"k":1,"k":2}`}}},
		{name: "invalid utf8 allowed", in: "{\"a\":\"\xff\xfe\"}", want: []wantMember{{"a", KindString, "\"\xff\xfe\""}}},
		{name: "numbers", in: `{"a":0,"b":-0,"c":0.5,"d":1E9,"e":12e-3}`, want: []wantMember{
			{"a", KindNumber, "0"}, {"b", KindNumber, "-0"}, {"c", KindNumber, "0.5"}, {"d", KindNumber, "1E9"}, {"e", KindNumber, "12e-3"},
		}},
		{name: "long strings cross the 8-byte fast path", in: `{"k":"` + strings.Repeat("abcdefg\\n", 30) + `é"}`, want: []wantMember{
			{"k", KindString, `"` + strings.Repeat("abcdefg\\n", 30) + `é"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid([]byte(tt.in)) {
				t.Fatal("test input is not valid JSON")
			}
			o, err := Scan([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			ms := o.Members()
			if len(ms) != len(tt.want) {
				t.Fatalf("%d members, want %d", len(ms), len(tt.want))
			}
			for i, w := range tt.want {
				m := &ms[i]
				key, err := m.Key.String([]byte(tt.in))
				if err != nil || m.Key.Kind != KindString || key != w.key || m.Value.Kind != w.kind || string(m.Value.Raw([]byte(tt.in))) != w.raw {
					t.Errorf("member %d = %q %v %q, want %q %v %q", i, key, m.Value.Kind, m.Value.Raw([]byte(tt.in)), w.key, w.kind, w.raw)
				}
				if m.Start != m.Key.Start || tt.in[m.Start] != '"' || m.End != m.Value.End {
					t.Errorf("member %d span %d..%d", i, m.Start, m.End)
				}
				if v, ok := o.Get(w.key); !ok || v != m.Value {
					t.Errorf("Get(%q) = %v, %v", w.key, v, ok)
				}
			}
			if _, ok := o.Get("absent"); ok {
				t.Error("Get found an absent key")
			}
		})
	}
}

func TestScanInvalid(t *testing.T) {
	tests := []struct {
		in     string
		offset int64
		msg    string
	}{
		{"", 0, "request body is empty"},
		{"  \n", 0, "request body is empty"},
		{"\xEF\xBB\xBF{}", 0, "request body starts with a UTF-8 byte order mark (BOM); send the JSON without it"},
		{"[1]", 0, "request body must be a JSON object, got an array"},
		{` "x"`, 1, "request body must be a JSON object, got a string"},
		{"-1", 0, "request body must be a JSON object, got a number"},
		{"true", 0, "request body must be a JSON object, got a boolean"},
		{"null", 0, "request body must be a JSON object, got null"},
		{"nope", 0, "invalid JSON at byte 0: expected '{' to start a JSON object, found 'n'"},
		{`{"a":1 "b":2}`, 7, `invalid JSON at byte 7: expected ',' or '}' after object member, found '"'`},
		{`{"a" 1}`, 5, "invalid JSON at byte 5: expected ':' after object key, found '1'"},
		{`{"a":}`, 5, "invalid JSON at byte 5: expected a value, found '}'"},
		{`{"a":1,}`, 7, "invalid JSON at byte 7: expected an object key after ',', found '}' (trailing commas are not allowed)"},
		{`{,}`, 1, "invalid JSON at byte 1: expected a string for an object key, found ','"},
		{`{1:2}`, 1, "invalid JSON at byte 1: expected a string for an object key, found '1'"},
		{`{"a":[1, ]}`, 9, "invalid JSON at byte 9: expected a value, found ']' (trailing commas are not allowed)"},
		{`{"a":[1 2]}`, 8, "invalid JSON at byte 8: expected ',' or ']' after array element, found '2'"},
		{`{"a":{"b":1,}}`, 12, "invalid JSON at byte 12: expected an object key after ',', found '}' (trailing commas are not allowed)"},
		{`{"a":{"b" 1}}`, 10, "invalid JSON at byte 10: expected ':' after object key, found '1'"},
		{`{"a":[}]}`, 6, "invalid JSON at byte 6: expected a value, found '}'"},
		{`{"a":{]}`, 6, "invalid JSON at byte 6: expected a string for an object key, found ']'"},
		{`{"a":[1}`, 7, "invalid JSON at byte 7: expected ',' or ']' after array element, found '}'"},
		{"{\"a\":\"x\ny\"}", 7, "invalid JSON at byte 7: control character 0x0a inside a string must be escaped"},
		{"{\"a\x01\":1}", 3, "invalid JSON at byte 3: control character 0x01 inside a string must be escaped"},
		{`{"a":"\x"}`, 6, `invalid JSON at byte 6: invalid escape sequence "\\x" in string`},
		{`{"a":"\u12g4"}`, 6, `invalid JSON at byte 6: invalid \u escape in string: expected four hex digits`},
		{`{"a":"\u12"}`, 6, `invalid JSON at byte 6: invalid \u escape in string: expected four hex digits`},
		{`{"a":01}`, 6, "invalid JSON at byte 6: invalid number: leading zeros are not allowed"},
		{`{"a":-}`, 6, "invalid JSON at byte 6: invalid number: expected a digit, found '}'"},
		{`{"a":+1}`, 5, "invalid JSON at byte 5: expected a value, found '+'"},
		{`{"a":.5}`, 5, "invalid JSON at byte 5: expected a value, found '.'"},
		{`{"a":1.}`, 7, "invalid JSON at byte 7: invalid number: expected a digit after the decimal point, found '}'"},
		{`{"a":1e}`, 7, "invalid JSON at byte 7: invalid number: expected a digit in the exponent, found '}'"},
		{`{"a":1x}`, 6, "invalid JSON at byte 6: expected ',' or '}' after object member, found 'x'"},
		{`{"a":tru}`, 5, "invalid JSON at byte 5: invalid literal, expected true"},
		{`{"a":True}`, 5, "invalid JSON at byte 5: expected a value, found 'T'"},
		{`{"a":nulll}`, 9, "invalid JSON at byte 9: expected ',' or '}' after object member, found 'l'"},
		{`{"a":1} x`, 8, "unexpected data after the JSON object at byte 8"},
		{`{"a":1}{}`, 7, "unexpected data after the JSON object at byte 7"},
		{`{"a"`, 4, "invalid JSON at byte 4: unexpected end of input after an object key; expected ':'"},
		{`{"a":"abc`, 9, "invalid JSON at byte 9: unexpected end of input inside the string that starts at byte 5"},
		{`{"a":"abc\`, 10, "invalid JSON at byte 10: unexpected end of input inside the string that starts at byte 5"},
		{`{"a":[`, 6, "invalid JSON at byte 6: unexpected end of input where a value was expected"},
		{`{"a":{`, 6, "invalid JSON at byte 6: unexpected end of input inside an object; expected a key"},
		{`{"a":1`, 6, "invalid JSON at byte 6: unexpected end of input inside the JSON object; expected ',' or '}'"},
		{`{"a":[1`, 7, "invalid JSON at byte 7: unexpected end of input inside an array; expected ',' or ']'"},
		{`{"a":-`, 6, "invalid JSON at byte 6: unexpected end of input inside a number; expected a digit"},
		{`{`, 1, "invalid JSON at byte 1: unexpected end of input inside an object; expected a key"},
		{`{"model":"a","model":"b"}`, 13, `duplicate top-level key "model"`},
		{`{"model":"a","x":1,"\u006dodel":"b"}`, 19, `duplicate top-level key "model"`},
		{`{"a\u0000":1,"a\u0000":2}`, 13, `duplicate top-level key "a\x00"`},
		{"{\"\xff\":1,\"\\ufffd\":2}", 7, `duplicate top-level key "�"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			o, err := Scan([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Scan = %v, %v; want a *SyntaxError", o, err)
			}
			if se.Msg != tt.msg || se.Offset != tt.offset || err.Error() != tt.msg {
				t.Fatalf("error at %d %q\n        want at %d %q", se.Offset, se.Msg, tt.offset, tt.msg)
			}
		})
	}
}

func TestScanManyMembers(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 40 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strings.Repeat("x", i) + `":` + string(rune('0'+i%10)))
	}
	body := b.String() + "}"
	o, err := Scan([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Members()) != 40 {
		t.Fatalf("%d members", len(o.Members()))
	}
	if v, ok := o.Get("k" + strings.Repeat("x", 33)); !ok || string(v.Raw([]byte(body))) != "3" {
		t.Fatalf("Get = %v %v", v, ok)
	}
	dup := body[:len(body)-1] + `,"k\u0078":1}`
	if _, err := Scan([]byte(dup)); err == nil || err.Error() != `duplicate top-level key "kx"` {
		t.Fatalf("duplicate past the inline members: %v", err)
	}
}

func TestScanDepth(t *testing.T) {
	nest := func(levels int) []byte {
		// The top-level object is level 1; levels-1 arrays inside it.
		return []byte(`{"a":` + strings.Repeat("[", levels-1) + strings.Repeat("]", levels-1) + "}")
	}
	for _, levels := range []int{2, 64, 65, 129, MaxDepth} {
		if _, err := Scan(nest(levels)); err != nil || !json.Valid(nest(levels)) {
			t.Errorf("%d levels: %v (json.Valid %v)", levels, err, json.Valid(nest(levels)))
		}
	}
	deep := nest(MaxDepth + 1)
	if _, err := Scan(deep); err == nil || !strings.Contains(err.Error(), "JSON nested deeper than 10000 levels") || json.Valid(deep) {
		t.Errorf("%d levels: %v (json.Valid %v)", MaxDepth+1, err, json.Valid(deep))
	}
	// Mixed objects and arrays past one stack word must still match brackets.
	mixed := `{"a":` + strings.Repeat(`[{"b":`, 100) + "1" + strings.Repeat("}]", 100) + "}"
	if _, err := Scan([]byte(mixed)); err != nil {
		t.Errorf("mixed nesting: %v", err)
	}
	bad := `{"a":` + strings.Repeat(`[{"b":`, 100) + "1" + strings.Repeat("}]", 99) + "]]}"
	if _, err := Scan([]byte(bad)); err == nil {
		t.Error("mismatched bracket deep inside accepted")
	}
	// A million '[' fails fast without recursion.
	if _, err := Scan([]byte(`{"a":` + strings.Repeat("[", 1<<20))); err == nil {
		t.Error("unterminated deep nesting accepted")
	}
}

// TestScanEveryByteInStrings puts every byte value at every position of the
// eight-byte fast path (and its tail) and compares with json.Valid.
func TestScanEveryByteInStrings(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 19; pos++ {
			s := []byte(strings.Repeat("a", 19))
			s[pos] = byte(c)
			for _, body := range [][]byte{
				[]byte(`{"k":"` + string(s) + `"}`),
				[]byte(`{"k":["` + string(s) + `"]}`),
				[]byte(`{"` + string(s) + `":1}`),
			} {
				_, err := Scan(body)
				if (err == nil) != json.Valid(body) {
					t.Fatalf("byte 0x%02x at %d in %q: Scan error %v, json.Valid %v", c, pos, body, err, json.Valid(body))
				}
			}
		}
	}
}
