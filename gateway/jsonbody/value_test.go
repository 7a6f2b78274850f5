package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"
)

func mustScan(t testing.TB, body string) *Object {
	t.Helper()
	o, err := Scan([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestValueString(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`""`, ""},
		{`"claude-sonnet-4"`, "claude-sonnet-4"},
		{`"a\"b\\c\/d\b\f\n\r\t"`, "a\"b\\c/d\b\f\n\r\t"},
		{`"\u006dodel \u00e9 \u4e2d"`, "model é 中"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud83d"`, "\ufffd"},
		{`"\ud83dx"`, "\ufffdx"},
		{`"\ud83d\u0041"`, "\ufffdA"},
		{`"\ude00\ud83d\ude00"`, "\ufffd😀"},
		{"\"a\xffb\"", "a\ufffdb"},
		{"\"\xe2\x82\"", "\ufffd\ufffd"},
	}
	for _, tt := range tests {
		body := `{"k":` + tt.raw + `}`
		o := mustScan(t, body)
		v, _ := o.Get("k")
		got, err := v.String([]byte(body))
		var ref string
		if jerr := json.Unmarshal([]byte(tt.raw), &ref); jerr != nil {
			t.Fatal(jerr)
		}
		if err != nil || got != tt.want || got != ref {
			t.Errorf("String(%s) = %q, %v; want %q (encoding/json %q)", tt.raw, got, err, tt.want, ref)
		}
	}
}

func TestValueKindErrors(t *testing.T) {
	body := []byte(`{"model":1,"stream":"yes","max_tokens":null,"o":{},"a":[],"b":true}`)
	o := mustScan(t, string(body))
	get := func(k string) Value { v, _ := o.Get(k); return v }

	_, err := get("model").String(body)
	if msg := fmt.Sprintf("%q %v", "model", err); msg != `"model" must be a string, got a number` {
		t.Errorf("message = %s", msg)
	}
	var ke *KindError
	if !errors.As(err, &ke) || ke.Want != KindString || ke.Got != KindNumber {
		t.Errorf("error = %#v", err)
	}
	if _, err := get("stream").Bool(body); err == nil || err.Error() != "must be a boolean, got a string" {
		t.Errorf("Bool: %v", err)
	}
	if _, err := get("max_tokens").Int(body); err == nil || err.Error() != "must be a number, got null" {
		t.Errorf("Int: %v", err)
	}
	if _, err := get("o").String(body); err == nil || err.Error() != "must be a string, got an object" {
		t.Errorf("object: %v", err)
	}
	if _, err := get("a").Bool(body); err == nil || err.Error() != "must be a boolean, got an array" {
		t.Errorf("array: %v", err)
	}
	if b, err := get("b").Bool(body); err != nil || !b {
		t.Errorf("Bool = %v, %v", b, err)
	}
	for k, want := range map[Kind]string{KindString: "string", KindNumber: "number", KindBool: "boolean", KindNull: "null", KindObject: "object", KindArray: "array", Invalid: "invalid", 42: "Kind(42)"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), want)
		}
	}
}

func TestValueInt(t *testing.T) {
	tests := []struct {
		raw  string
		want int64
		err  string
	}{
		{"0", 0, ""},
		{"-0", 0, ""},
		{"32000", 32000, ""},
		{"9223372036854775807", math.MaxInt64, ""},
		{"-9223372036854775808", math.MinInt64, ""},
		{"9223372036854775808", 0, "is out of range"},
		{"-9223372036854775809", 0, "is out of range"},
		{"123456789012345678901234567890", 0, "is out of range"},
		{"1e3", 1000, ""},
		{"2.0", 2, ""},
		{"-1.5", 0, "must be an integer"},
		{"1e300", 0, "is out of range"},
	}
	for _, tt := range tests {
		body := []byte(`{"n":` + tt.raw + `}`)
		v, _ := mustScan(t, string(body)).Get("n")
		got, err := v.Int(body)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Int(%s) = %d, %v; want error %q", tt.raw, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Int(%s) = %d, %v; want %d", tt.raw, got, err, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, s := range []string{
		"", "claude-opus-4", `a"b\c`, "\x00\x01\x1f\x7f", "\b\f\n\r\t", "<a href='x'>&</a>",
		"é中😀", "\u2028\u2029", "bad\xffutf8\xe2\x82", "\xed\xa0\x80",
	} {
		var ref bytes.Buffer
		enc := json.NewEncoder(&ref)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(ref.Bytes(), []byte("\n"))
		got := Quote(s)
		if !bytes.Equal(got, want) || len(got) != cap(got) || quotedLen(s) != len(want) {
			t.Errorf("Quote(%q) = %s (cap %d), want %s", s, got, cap(got), want)
		}
		if string(AppendQuote([]byte("x"), s)) != "x"+string(want) {
			t.Errorf("AppendQuote(%q) wrong", s)
		}
	}
}
