package jsonbody_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// ----------------------------------------------------------------- tests

// decodeAny decodes JSON keeping numbers as text.
func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %.80q: %v", b, err)
	}
	return v
}

// TestLibCompareAgree: on the benchmark inputs every implementation gives
// the same answer, so the benchmarks compare the same work.
func TestLibCompareAgree(t *testing.T) {
	for _, in := range lcBodies {
		want := decodeAny(t, in.body).(map[string]any)
		want["model"] = lcNewModel
		want["stream_options"] = map[string]any{"include_usage": true}
		var wantModel string
		if err := json.Unmarshal(bytes.TrimSpace(decodeRaw(t, in.body, "model")), &wantModel); err != nil {
			t.Fatal(err)
		}
		for _, im := range ptImpls {
			r, err := im.fn(in.body)
			if err != nil {
				t.Fatalf("%s %s: %v", in.name, im.name, err)
			}
			if r.model != wantModel || !r.stream {
				t.Errorf("%s %s: model %q stream %v", in.name, im.name, r.model, r.stream)
			}
			if got := decodeAny(t, r.bytes()); !reflect.DeepEqual(got, any(want)) {
				t.Errorf("%s %s: patched body differs", in.name, im.name)
			}
		}
		for _, im := range valImpls {
			if err := im.fn(in.body); err != nil {
				t.Errorf("%s %s: %v", in.name, im.name, err)
			}
		}
	}
	for _, in := range lcWalkInputs {
		var ref walkStats
		for i, im := range walkImpls {
			s, err := im.fn(in.body, in.raw)
			if err != nil {
				t.Fatalf("%s %s: %v", in.name, im.name, err)
			}
			if i == 0 {
				ref = s
				continue
			}
			if s != ref {
				t.Errorf("%s %s: walk %+v, jsonbody %+v", in.name, im.name, s, ref)
			}
		}
	}
	for _, st := range lcStreams {
		if len(st.events) != 200 {
			t.Fatalf("%s: %d events", st.name, len(st.events))
		}
		var ref []evResult
		for i, im := range streamImpls {
			read := im.new()
			got := make([]evResult, len(st.events))
			for j, ev := range st.events {
				if err := read(ev, st.openai, &got[j]); err != nil {
					t.Fatalf("%s %s event %d: %v", st.name, im.name, j, err)
				}
			}
			if i == 0 {
				ref = got
				if st.openai && (ref[5].text == "" || ref[198].finish != "stop" || !ref[199].usage) ||
					!st.openai && (ref[5].text == "" || ref[5].dtype != "text_delta" || ref[198].typ != "message_delta") {
					t.Fatalf("%s: jsonbody read %+v %+v", st.name, ref[5], ref[198])
				}
				continue
			}
			for j := range got {
				if got[j] != ref[j] {
					t.Errorf("%s %s event %d: %+v, jsonbody %+v", st.name, im.name, j, got[j], ref[j])
					break
				}
			}
		}
		for _, im := range valImpls {
			for j, ev := range st.events {
				if err := im.fn(ev); err != nil {
					t.Errorf("%s %s event %d: %v", st.name, im.name, j, err)
				}
			}
		}
	}
	for _, in := range lcQuoteInputs {
		for _, s := range in.strs {
			plain := stdQuote(nil, s)
			html, _ := json.Marshal(s)
			for _, im := range quoteImpls {
				want := plain
				if im.html {
					want = html
				}
				if got := im.fn(nil, s); !bytes.Equal(got, want) {
					t.Errorf("%s %s: %.60q, encoding/json %.60q", in.name, im.name, got, want)
				}
			}
		}
	}
	for _, in := range lcUnquoteInputs {
		want, _ := unquoteImpls[1].fn(in.raw)
		for _, im := range unquoteImpls {
			if got, err := im.fn(in.raw); err != nil || got != want {
				t.Errorf("%s %s: %.40q %v, encoding/json %.40q", in.name, im.name, got, err, want)
			}
		}
	}
}

func decodeRaw(t *testing.T, body []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

// lcCheckCases are bodies a pass-through or validating reader must get
// right. ok is encoding/json's verdict (json.Valid, an object, no
// duplicate top-level key); top is what ScanTop must accept (it checks only
// the framing of nested values).
var lcCheckCases = []struct {
	name    string
	body    string
	ok, top bool
}{
	{"valid", `{"model":"m","messages":[1,{"b":"c"}]}`, true, true},
	{"dup key", `{"model":"a","messages":[],"model":"b"}`, false, false},
	{"escaped dup key", `{"model":"a","messages":[],"\u006dodel":"b"}`, false, false},
	{"nested ] for }", `{"model":"m","messages":[1,{"a":2]]}`, false, false},
	{"nested } for ]", `{"model":"m","messages":[1,2}}`, false, false},
	{"unclosed nested string", `{"model":"m","messages":["x]}`, false, false},
	{"truncated", `{"model":"m","messages":[1`, false, false},
	{"trailing data", `{"model":"m","messages":[]} x`, false, false},
	{"not an object", `[{"model":"m","messages":[]}]`, false, false},
	{"top-level 01", `{"model":"m","messages":[],"n":01}`, false, false},
	{"top-level tru", `{"model":"m","messages":[],"b":tru}`, false, false},
	{"top missing colon", `{"model":"m","messages":[],"b" 1}`, false, false},
	{"nested 01", `{"model":"m","messages":[01]}`, false, true},
	{"nested tru", `{"model":"m","messages":[tru]}`, false, true},
	{"nested trailing comma", `{"model":"m","messages":[1,]}`, false, true},
	{"nested missing colon", `{"model":"m","messages":[{"b" 1}]}`, false, true},
	{"nested bad escape", `{"model":"m","messages":["\q"]}`, false, true},
	{"nested raw control char", "{\"model\":\"m\",\"messages\":[\"x\x01y\"]}", false, true},
	{"nested NaN", `{"model":"m","messages":[NaN]}`, false, true},
	{"invalid UTF-8 (valid JSON)", "{\"model\":\"m\",\"messages\":[\"\xff\"]}", true, true},
	{"depth 301 (valid JSON)", `{"model":"m","messages":[` + strings.Repeat("[", 299) + strings.Repeat("]", 299) + `]}`, true, true},
	{"depth 5000 (valid JSON)", `{"model":"m","messages":[` + strings.Repeat("[", 4998) + strings.Repeat("]", 4998) + `]}`, true, true},
	{"depth 10001", `{"model":"m","messages":[` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `]}`, false, false},
}

// TestLibCompareChecks records which of lcCheckCases each implementation
// accepts (run with -v for the table); it fails only if jsonbody disagrees
// with encoding/json, which FuzzScan and FuzzScanTop check in depth.
func TestLibCompareChecks(t *testing.T) {
	type impl struct {
		name string
		fn   func([]byte) error
	}
	var impls []impl
	for _, im := range ptImpls {
		impls = append(impls, impl{"pass-through " + im.name, func(b []byte) error { _, err := im.fn(b); return err }})
	}
	for _, im := range valImpls {
		impls = append(impls, impl{"validate " + im.name, im.fn})
	}
	for _, im := range streamImpls {
		read := im.new()
		impls = append(impls, impl{"stream " + im.name, func(b []byte) error { var r evResult; return read(b, false, &r) }})
	}
	var log strings.Builder
	for _, im := range impls {
		var wrong []string
		for _, tc := range lcCheckCases {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("panic: %v", p)
						wrong = append(wrong, tc.name+" (PANIC)")
					}
				}()
				err = im.fn([]byte(tc.body))
			}()
			want := tc.ok
			if strings.Contains(im.name, "ScanTop") {
				want = tc.top
			}
			switch {
			case err == nil && !want:
				wrong = append(wrong, tc.name+" (accepted)")
			case err != nil && want && !strings.HasPrefix(err.Error(), "panic"):
				wrong = append(wrong, tc.name+" (refused)")
			}
		}
		if strings.Contains(im.name, " jsonbody") && len(wrong) > 0 {
			t.Errorf("%s: %v", im.name, wrong)
		}
		fmt.Fprintf(&log, "%-60s %d/%d", im.name, len(lcCheckCases)-len(wrong), len(lcCheckCases))
		if len(wrong) > 0 {
			fmt.Fprintf(&log, "  wrong: %s", strings.Join(wrong, "; "))
		}
		log.WriteByte('\n')
	}
	t.Log("\n" + log.String())
}

// TestLibCompareQuoteEdges records where the libraries' string encoders
// differ from encoding/json (which jsonbody.AppendQuote matches; FuzzQuote
// in gateway/convert checks it): control characters, U+2028/U+2029,
// invalid UTF-8, HTML characters.
func TestLibCompareQuoteEdges(t *testing.T) {
	edges := []string{"a\x01b", "\x7f", "\u2028\u2029", "bad\xff", "\xed\xa0\x80", "<&>", "\b\f\n\r\t", `"\`}
	var log strings.Builder
	for _, im := range quoteImpls {
		var diffs []string
		for _, s := range edges {
			want := stdQuote(nil, s)
			if im.html {
				want, _ = json.Marshal(s)
			}
			var got []byte
			func() {
				defer func() {
					if p := recover(); p != nil {
						got = []byte(fmt.Sprintf("panic: %v", p))
					}
				}()
				got = im.fn(nil, s)
			}()
			if !bytes.Equal(got, want) {
				valid := json.Valid(got)
				diffs = append(diffs, fmt.Sprintf("%q → %q (want %q, valid JSON %v)", s, got, want, valid))
			}
		}
		if strings.HasPrefix(im.name, "jsonbody") && len(diffs) > 0 {
			t.Errorf("%s differs from encoding/json: %v", im.name, diffs)
		}
		fmt.Fprintf(&log, "%-36s %d/%d same as encoding/json", im.name, len(edges)-len(diffs), len(edges))
		for _, d := range diffs {
			log.WriteString("\n      " + d)
		}
		log.WriteByte('\n')
	}
	t.Log("\n" + log.String())
}

// TestLibCompareUnquoteEdges records where the libraries' string decoders
// differ from encoding/json (which jsonbody.Unquote matches; FuzzScan and
// FuzzWalk check it): invalid UTF-8, lone and reversed surrogates.
func TestLibCompareUnquoteEdges(t *testing.T) {
	edges := []string{"\"bad\xff\"", `"\ud800"`, `"\udc00\ud800"`, `"\ud83d\ude00"`, `"\u00e9\/\b"`, "\"\xed\xa0\x80\""}
	var log strings.Builder
	for _, im := range unquoteImpls {
		var diffs []string
		for _, raw := range edges {
			var want string
			if err := json.Unmarshal([]byte(raw), &want); err != nil {
				t.Fatal(err)
			}
			got, err := im.fn([]byte(raw))
			if err != nil || got != want {
				diffs = append(diffs, fmt.Sprintf("%q → %q %v (want %q)", raw, got, err, want))
			}
		}
		if strings.HasPrefix(im.name, "jsonbody") && len(diffs) > 0 {
			t.Errorf("%s differs from encoding/json: %v", im.name, diffs)
		}
		fmt.Fprintf(&log, "%-28s %d/%d same as encoding/json", im.name, len(edges)-len(diffs), len(edges))
		for _, d := range diffs {
			log.WriteString("\n      " + d)
		}
		log.WriteByte('\n')
	}
	t.Log("\n" + log.String())
}
