package jsonbody_test

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/buger/jsonparser"
	"github.com/bytedance/sonic/ast"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"github.com/valyala/fastjson"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// ---------------------------------------------------------- pass-through

// ptResult is what parseInbound and buildRequest take from a body: the
// model, the stream flag, and the upstream body (pieces or one copy).
type ptResult struct {
	model  string
	stream bool
	parts  [][]byte
	out    []byte
}

func (r ptResult) bytes() []byte {
	if r.parts != nil {
		return bytes.Join(r.parts, nil)
	}
	return r.out
}

type ptImpl struct {
	name string
	fn   func([]byte) (ptResult, error)
}

var ptImpls = []ptImpl{
	{"jsonbody-ScanTop-PatchParts", func(b []byte) (ptResult, error) { return ptJSONBody(b, false, false) }},
	{"jsonbody-ScanTop-Patch", func(b []byte) (ptResult, error) { return ptJSONBody(b, false, true) }},
	{"jsonbody-Scan-Patch", func(b []byte) (ptResult, error) { return ptJSONBody(b, true, true) }},
	{"gjson-Valid-ForEach+sjson", func(b []byte) (ptResult, error) { return ptGJSON(b, true) }},
	{"gjson-ForEach+sjson-novalidate", func(b []byte) (ptResult, error) { return ptGJSON(b, false) }},
	{"jsonparser-ObjectEach-Set", ptJSONParser},
	{"fastjson-Parse-Set-Marshal", ptFastJSON},
	{"sonic-ast-NewRaw-Set-Marshal", ptSonic},
	{"encoding/json-Decoder-rebuild", ptStdDecoder},
	{"encoding/json-map-Marshal", ptStdMap},
}

func ptJSONBody(body []byte, full, copyOut bool) (r ptResult, err error) {
	var o *jsonbody.Object
	if full {
		o, err = jsonbody.Scan(body)
	} else {
		o, err = jsonbody.ScanTop(body)
	}
	if err != nil {
		return r, err
	}
	mv, ok := o.Get("model")
	if !ok {
		return r, errShape
	}
	if r.model, err = mv.String(body); err != nil {
		return r, err
	}
	if sv, ok := o.Get("stream"); ok && sv.Kind != jsonbody.KindNull {
		if r.stream, err = sv.Bool(body); err != nil {
			return r, err
		}
	}
	if msgs, ok := o.Get("messages"); !ok || msgs.Kind != jsonbody.KindArray {
		return r, errShape
	}
	var editBuf [2]jsonbody.Edit
	edits := append(editBuf[:0], jsonbody.Edit{Key: "model", Value: jsonbody.Quote(lcNewModel)})
	if _, ok := o.Get("stream_options"); !ok {
		edits = append(edits, jsonbody.Edit{Key: "stream_options", Value: lcIncludeUsage})
	}
	if copyOut {
		r.out = jsonbody.Patch(body, o, edits...)
	} else {
		r.parts, _ = jsonbody.PatchParts(nil, body, o, edits...)
	}
	return r, nil
}

func ptGJSON(body []byte, validate bool) (r ptResult, err error) {
	if validate && !gjson.ValidBytes(body) {
		return r, errInvalid
	}
	root := gjson.Parse(b2s(body))
	if !root.IsObject() {
		return r, errInvalid
	}
	var d dupKeys
	hasModel, hasMessages, hasSO := false, false, false
	root.ForEach(func(k, v gjson.Result) bool {
		if d.seen(k.Str) {
			err = errDup
			return false
		}
		switch k.Str {
		case "model":
			if v.Type != gjson.String {
				err = errShape
				return false
			}
			r.model, hasModel = v.Str, true
		case "stream":
			switch v.Type {
			case gjson.True, gjson.False:
				r.stream = v.Type == gjson.True
			case gjson.Null:
			default:
				err = errShape
				return false
			}
		case "messages":
			hasMessages = v.IsArray()
		case "stream_options":
			hasSO = true
		}
		return true
	})
	if err != nil {
		return r, err
	}
	if !hasModel || !hasMessages {
		return r, errShape
	}
	// The model is copied: r.model aliases body, and sjson's result does not.
	if r.out, err = sjson.SetRawBytesOptions(body, "model", lcQuotedModel, &sjson.Options{Optimistic: true}); err != nil {
		return r, err
	}
	if !hasSO {
		r.out, err = sjson.SetRawBytes(r.out, "stream_options", lcIncludeUsage)
	}
	return r, err
}

func ptJSONParser(body []byte) (r ptResult, err error) {
	var d dupKeys
	hasModel, hasMessages, hasSO := false, false, false
	err = jsonparser.ObjectEach(body, func(k, v []byte, t jsonparser.ValueType, _ int) error {
		key := b2s(k)
		if d.seen(key) {
			return errDup
		}
		var err error
		switch key {
		case "model":
			if t != jsonparser.String {
				return errShape
			}
			r.model, err = jsonparser.ParseString(v)
			hasModel = true
		case "stream":
			switch t {
			case jsonparser.Boolean:
				r.stream, err = jsonparser.ParseBoolean(v)
			case jsonparser.Null:
			default:
				return errShape
			}
		case "messages":
			hasMessages = t == jsonparser.Array
		case "stream_options":
			hasSO = true
		}
		return err
	})
	if err != nil {
		return r, err
	}
	if !hasModel || !hasMessages {
		return r, errShape
	}
	// Set appends to its input when it inserts: a full slice expression
	// keeps it from writing into the caller's body.
	if r.out, err = jsonparser.Set(body[:len(body):len(body)], lcQuotedModel, "model"); err != nil {
		return r, err
	}
	if !hasSO {
		r.out, err = jsonparser.Set(r.out[:len(r.out):len(r.out)], lcIncludeUsage, "stream_options")
	}
	return r, err
}

var (
	fjParsers fastjson.ParserPool
	fjArenas  fastjson.ArenaPool
)

func ptFastJSON(body []byte) (r ptResult, err error) {
	p := fjParsers.Get()
	defer fjParsers.Put(p)
	a := fjArenas.Get()
	defer fjArenas.Put(a)
	a.Reset()
	v, err := p.ParseBytes(body)
	if err != nil {
		return r, err
	}
	o, err := v.Object()
	if err != nil {
		return r, err
	}
	var d dupKeys
	hasModel, hasMessages, hasSO := false, false, false
	o.Visit(func(k []byte, v *fastjson.Value) {
		key := b2s(k)
		if d.seen(key) {
			err = errDup
		}
		switch key {
		case "model":
			if s, serr := v.StringBytes(); serr == nil {
				r.model, hasModel = string(s), true // the parser's memory is reused
			} else {
				err = errShape
			}
		case "stream":
			switch v.Type() {
			case fastjson.TypeTrue, fastjson.TypeFalse:
				r.stream = v.Type() == fastjson.TypeTrue
			case fastjson.TypeNull:
			default:
				err = errShape
			}
		case "messages":
			hasMessages = v.Type() == fastjson.TypeArray
		case "stream_options":
			hasSO = true
		}
	})
	if err != nil {
		return r, err
	}
	if !hasModel || !hasMessages {
		return r, errShape
	}
	o.Set("model", a.NewString(lcNewModel))
	if !hasSO {
		so := a.NewObject()
		so.Set("include_usage", a.NewTrue())
		o.Set("stream_options", so)
	}
	r.out = v.MarshalTo(make([]byte, 0, len(body)+64))
	return r, nil
}

func ptSonic(body []byte) (r ptResult, err error) {
	root := ast.NewRaw(b2s(body)) // a validating skip of the whole body
	if err := root.Check(); err != nil {
		return r, err
	}
	if root.Type() != ast.V_OBJECT {
		return r, errInvalid
	}
	it, err := root.Properties()
	if err != nil {
		return r, err
	}
	var d dupKeys
	hasModel, hasMessages, hasSO := false, false, false
	var p ast.Pair
	for it.Next(&p) {
		if d.seen(p.Key) {
			return r, errDup
		}
		switch p.Key {
		case "model":
			if r.model, err = p.Value.StrictString(); err != nil {
				return r, err
			}
			hasModel = true
		case "stream":
			switch p.Value.TypeSafe() {
			case ast.V_TRUE, ast.V_FALSE:
				r.stream = p.Value.TypeSafe() == ast.V_TRUE
			case ast.V_NULL:
			default:
				return r, errShape
			}
		case "messages":
			hasMessages = p.Value.TypeSafe() == ast.V_ARRAY
		case "stream_options":
			hasSO = true
		}
	}
	if !hasModel || !hasMessages {
		return r, errShape
	}
	if _, err = root.Set("model", ast.NewString(lcNewModel)); err != nil {
		return r, err
	}
	if !hasSO {
		if _, err = root.Set("stream_options", ast.NewRaw(b2s(lcIncludeUsage))); err != nil {
			return r, err
		}
	}
	r.out, err = root.MarshalJSON()
	return r, err
}

// ptStdDecoder is the order-preserving encoding/json way: tokens for the
// keys, a RawMessage per value (each validated), duplicates checked, the
// object rebuilt with the edits.
func ptStdDecoder(body []byte) (r ptResult, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return r, errInvalid
	}
	type member struct {
		key string
		raw json.RawMessage
	}
	members := make([]member, 0, 16)
	var d dupKeys
	hasModel, hasMessages, hasSO := false, false, false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return r, err
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return r, err
		}
		if d.seen(key) {
			return r, errDup
		}
		switch key {
		case "model":
			if raw[0] != '"' {
				return r, errShape
			}
			if err := json.Unmarshal(raw, &r.model); err != nil {
				return r, err
			}
			hasModel = true
			raw = lcQuotedModel
		case "stream":
			var s *bool
			if err := json.Unmarshal(raw, &s); err != nil {
				return r, err
			}
			r.stream = s != nil && *s
		case "messages":
			hasMessages = raw[0] == '['
		case "stream_options":
			hasSO = true
		}
		members = append(members, member{key, raw})
	}
	if _, err := dec.Token(); err != nil { // '}'
		return r, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return r, errInvalid
	}
	if !hasModel || !hasMessages {
		return r, errShape
	}
	if !hasSO {
		members = append(members, member{"stream_options", lcIncludeUsage})
	}
	out := bytes.NewBuffer(make([]byte, 0, len(body)+64))
	out.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		out.Write(k)
		out.WriteByte(':')
		out.Write(m.raw)
	}
	out.WriteByte('}')
	r.out = out.Bytes()
	return r, nil
}

// ptStdMap is the short encoding/json way. It sorts the keys, keeps the
// last of duplicate keys without noticing them, and Marshal compacts and
// validates every RawMessage again.
func ptStdMap(body []byte) (r ptResult, err error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return r, err
	}
	if err := json.Unmarshal(m["model"], &r.model); err != nil {
		return r, err
	}
	if s, ok := m["stream"]; ok {
		var sb *bool
		if err := json.Unmarshal(s, &sb); err != nil {
			return r, err
		}
		r.stream = sb != nil && *sb
	}
	if msgs := m["messages"]; len(msgs) == 0 || msgs[0] != '[' {
		return r, errShape
	}
	m["model"] = lcQuotedModel
	if _, ok := m["stream_options"]; !ok {
		m["stream_options"] = lcIncludeUsage
	}
	r.out, err = json.Marshal(m)
	return r, err
}

var sinkPT ptResult

func BenchmarkLibPassThrough(b *testing.B) {
	for _, in := range lcBodies {
		for _, im := range ptImpls {
			b.Run(in.name+"/"+im.name, func(b *testing.B) {
				b.SetBytes(int64(len(in.body)))
				b.ReportAllocs()
				for b.Loop() {
					r, err := im.fn(in.body)
					if err != nil {
						b.Fatal(err)
					}
					sinkPT = r
				}
			})
		}
	}
}
