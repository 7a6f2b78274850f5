package jsonbody_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/buger/jsonparser"
	"github.com/bytedance/sonic/ast"
	"github.com/bytedance/sonic/encoder"
	"github.com/tidwall/gjson"
	"github.com/valyala/fastjson"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// ----------------------------------------------------------------- quote

var (
	lcToolDesc = func() string { // the first tool description of the Claude Code body, ~1.6 KB of prose
		var req struct {
			Tools []struct{ Description string } `json:"tools"`
		}
		if err := json.Unmarshal(lcLarge, &req); err != nil {
			panic(err)
		}
		return req.Tools[0].Description
	}()
	lcMixed = strings.Repeat("func main() {\n\tfmt.Println(\"héllo, 世界 😀\") // <b> & \\n\n}\n", 17) // ~1 KB, escapes and non-ASCII

	lcQuoteInputs = []struct {
		name string
		strs []string
	}{
		{"model26B", []string{"claude-sonnet-4-5-20250929"}},
		{"delta200", streamTexts(200)},
		{"desc1600B", []string{lcToolDesc}},
		{"mixed1KB", []string{lcMixed}},
	}
)

type quoteImpl struct {
	name string
	fn   func(dst []byte, s string) []byte
	html bool // escapes <, > and & (compare with json.Marshal)
}

var quoteImpls = []quoteImpl{
	{name: "jsonbody-AppendQuote", fn: jsonbody.AppendQuote},
	{name: "encoding/json-Encoder-noHTML", fn: stdQuote},
	{name: "gjson-AppendJSONString", fn: gjson.AppendJSONString},
	{name: "sonic-encoder-Quote", fn: func(dst []byte, s string) []byte { return append(dst, encoder.Quote(s)...) }},
	{name: "sonic-EncodeInto-ValidateString", fn: func(dst []byte, s string) []byte {
		if err := encoder.EncodeInto(&dst, s, encoder.ValidateString); err != nil {
			panic(err)
		}
		return dst
	}},
	{name: "fastjson-Arena-MarshalTo", fn: func(dst []byte, s string) []byte {
		var a fastjson.Arena
		return a.NewString(s).MarshalTo(dst)
	}},
	{name: "jsonbody-AppendQuoteHTML", fn: jsonbody.AppendQuoteHTML, html: true},
	{name: "encoding/json-Marshal-HTML", fn: func(dst []byte, s string) []byte {
		b, err := json.Marshal(s)
		if err != nil {
			panic(err)
		}
		return append(dst, b...)
	}, html: true},
}

// stdQuote is encoding/json's string encoding without HTML escaping: an
// Encoder with SetEscapeHTML(false), its newline dropped.
func stdQuote(dst []byte, s string) []byte {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	out := buf.Bytes()
	return out[:len(out)-1]
}

var sinkBuf []byte

func BenchmarkLibQuote(b *testing.B) {
	for _, in := range lcQuoteInputs {
		n := 0
		for _, s := range in.strs {
			n += len(s)
		}
		for _, im := range quoteImpls {
			b.Run(in.name+"/"+im.name, func(b *testing.B) {
				buf := make([]byte, 0, 4<<10)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					for _, s := range in.strs {
						buf = im.fn(buf[:0], s)
					}
				}
				sinkBuf = buf
			})
		}
	}
}

// --------------------------------------------------------------- unquote

var lcUnquoteInputs = []struct {
	name string
	raw  []byte
}{
	{"desc1600B", []byte(quoteJSON(lcToolDesc))},
	{"mixed1KB", []byte(`"` + string(jsonbody.Quote(lcMixed)[1:len(jsonbody.Quote(lcMixed))-1]) + `\u00e9\ud83d\ude00\/"`)},
}

type unquoteImpl struct {
	name string
	fn   func(raw []byte) (string, error)
}

var unquoteImpls = []unquoteImpl{
	{"jsonbody-Unquote", func(raw []byte) (string, error) { return jsonbody.Unquote(raw), nil }},
	{"encoding/json-Unmarshal", func(raw []byte) (s string, err error) { err = json.Unmarshal(raw, &s); return s, err }},
	{"gjson-Parse-String", func(raw []byte) (string, error) { return strings.Clone(gjson.Parse(b2s(raw)).Str), nil }},
	{"jsonparser-ParseString", func(raw []byte) (string, error) { return jsonparser.ParseString(raw[1 : len(raw)-1]) }},
	{"fastjson-Parse-StringBytes", func(raw []byte) (string, error) {
		p := fjParsers.Get()
		defer fjParsers.Put(p)
		v, err := p.ParseBytes(raw)
		if err != nil {
			return "", err
		}
		b, err := v.StringBytes()
		return string(b), err
	}},
	{"sonic-ast-NewRaw-String", func(raw []byte) (string, error) {
		n := ast.NewRaw(b2s(raw))
		return n.StrictString()
	}},
}

var sinkStr string

func BenchmarkLibUnquote(b *testing.B) {
	for _, in := range lcUnquoteInputs {
		for _, im := range unquoteImpls {
			b.Run(in.name+"/"+im.name, func(b *testing.B) {
				b.SetBytes(int64(len(in.raw)))
				b.ReportAllocs()
				for b.Loop() {
					s, err := im.fn(in.raw)
					if err != nil {
						b.Fatal(err)
					}
					sinkStr = s
				}
			})
		}
	}
}
