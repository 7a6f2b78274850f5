package jsonbody

import (
	"errors"
	"strings"
	"testing"
)

func TestScanTopSkipsOnlyTheInsideOfNestedValues(t *testing.T) {
	// Accepted: the inside of nested values is the upstream's business.
	for _, body := range []string{
		`{"model":"m","messages":[1,,x]}`,
		`{"model":"m","tools":{"a" 1 "b"}}`,
		`{"messages":[{"content":"a\"b\\"}],"model":"m"}`,
		`{"messages":["\q"]}`,
		`{"a":[{"b":[]}],"c":{}}`,
	} {
		o, err := ScanTop([]byte(body))
		if err != nil {
			t.Errorf("ScanTop(%s): %v", body, err)
			continue
		}
		if len(o.Members()) == 0 {
			t.Errorf("ScanTop(%s): no members", body)
		}
	}
	// Refused: whatever would make the gateway misread the top level.
	for _, tc := range []struct{ body, want string }{
		{`{"model":"m","messages":[{"a":1}`, "unexpected end of input"},
		{`{"messages":[1,2}`, "expected ']' to close"},
		{`{"messages":{"a":1]}`, "expected '}' to close"},
		{`{"messages":["abc]}`, "inside the string"},
		{`{"messages":["a\"]}`, "inside the string"},
		{`{"model":"m","model":"n","a":[]}`, "duplicate top-level key"},
		{`{"model":tru,"a":[]}`, "invalid JSON"},
		{`{"a":[]} x`, "unexpected data after"},
		{`{"a":[] "b":1}`, "expected ',' or '}'"},
		{`{"a":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, "nested deeper"},
	} {
		_, err := ScanTop([]byte(tc.body))
		var se *SyntaxError
		if err == nil || !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ScanTop(%.60s): %v, want an error with %q", tc.body, err, tc.want)
		}
	}
}

func TestEndOfStringCountsBackslashes(t *testing.T) {
	for _, tc := range []struct {
		s   string
		end int
		ok  bool
	}{
		{`"abc"`, 5, true}, {`"a\"c"`, 6, true}, {`"a\\"c"`, 5, true}, {`"a\\\"c"`, 8, true},
		{`"\\\\"`, 6, true}, {`"abc`, 4, false}, {`"a\"`, 4, false}, {`""`, 2, true},
	} {
		end, ok := endOfString([]byte(tc.s), 0)
		if end != tc.end || ok != tc.ok {
			t.Errorf("endOfString(%s) = %d, %v; want %d, %v", tc.s, end, ok, tc.end, tc.ok)
		}
	}
}

// FuzzScanTop: ScanTop accepts everything Scan accepts, with the same
// members, and whatever it accepts has well-framed top-level members.
func FuzzScanTop(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,{"b":"\"]"}],"c":2}`, `{"a":[}`, `{"a":"\\"}`, `{"a":{"b":[1,2,]}}`,
		string(claudeCodeBody(2, 2))} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		top, terr := ScanTop(body)
		full, ferr := Scan(body)
		if ferr == nil {
			if terr != nil {
				t.Fatalf("Scan accepted, ScanTop refused: %v", terr)
			}
			a, b := full.Members(), top.Members()
			if len(a) != len(b) {
				t.Fatalf("members: Scan %d, ScanTop %d", len(a), len(b))
			}
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("member %d: Scan %+v, ScanTop %+v", i, a[i], b[i])
				}
			}
		}
		if terr != nil {
			var se *SyntaxError
			if !errors.As(terr, &se) || se.Offset < 0 || se.Offset > int64(len(body)) {
				t.Fatalf("error %#v", terr)
			}
			return
		}
		for _, m := range top.Members() {
			raw := m.Value.Raw(body)
			if len(raw) == 0 {
				t.Fatalf("empty value for member at %d", m.Start)
			}
			if c := raw[0]; (c == '{' && raw[len(raw)-1] != '}') || (c == '[' && raw[len(raw)-1] != ']') {
				t.Fatalf("member value %q is not framed", raw)
			}
		}
	})
}
