package jsonbody_test

import (
	"encoding/json"
	"testing"

	"github.com/buger/jsonparser"
	"github.com/bytedance/sonic/ast"
	"github.com/tidwall/gjson"
	"github.com/valyala/fastjson"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// ---------------------------------------------------------------- stream

// evResult is what the gateway reads from one event.
type evResult struct {
	typ, dtype, text, finish string
	index                    int64
	usage                    bool
}

type streamImpl struct {
	name string
	// new returns a per-stream reader (its state reused across events,
	// as the gateway pools its Objects).
	new func() func(ev []byte, openai bool, r *evResult) error
}

var streamImpls = []streamImpl{
	{"jsonbody-Scan-Members", func() func([]byte, bool, *evResult) error {
		var o jsonbody.Object
		return func(ev []byte, openai bool, r *evResult) error { return evJSONBody(&o, ev, openai, r) }
	}},
	{"gjson-Valid-ForEach-Get", func() func([]byte, bool, *evResult) error { return evGJSON }},
	{"jsonparser-ObjectEach-Get-novalidate", func() func([]byte, bool, *evResult) error { return evJSONParser }},
	{"fastjson-Validate-Parse-Get", func() func([]byte, bool, *evResult) error {
		var p fastjson.Parser
		return func(ev []byte, openai bool, r *evResult) error { return evFastJSON(&p, ev, openai, r) }
	}},
	{"sonic-ast-NewRaw-Get", func() func([]byte, bool, *evResult) error { return evSonic }},
	{"encoding/json-Unmarshal-struct-nodup", func() func([]byte, bool, *evResult) error { return evStd }},
}

func keyIs(quoted []byte, name string) bool {
	if jsonbody.NeedsUnquote(quoted) {
		return jsonbody.Unquote(quoted) == name
	}
	return string(quoted[1:len(quoted)-1]) == name
}

// jbString reads a string or null member value (v aliases the event).
func jbString(v []byte) (string, error) {
	switch v[0] {
	case '"':
		return jsonbody.Unquote(v), nil
	case 'n':
		return "", nil
	}
	return "", errShape
}

func evJSONBody(o *jsonbody.Object, ev []byte, openai bool, r *evResult) (err error) {
	*r = evResult{}
	if err := o.Scan(ev); err != nil {
		return err
	}
	if openai {
		if c, ok := o.Get("choices"); ok && c.Kind == jsonbody.KindArray {
			it := jsonbody.Elements(c.Raw(ev))
			if first, ok := it.NextElement(); ok && first[0] == '{' {
				m := jsonbody.Members(first)
				for k, v, ok := m.NextMember(); ok; k, v, ok = m.NextMember() {
					switch {
					case keyIs(k, "finish_reason"):
						if r.finish, err = jbString(v); err != nil {
							return err
						}
					case keyIs(k, "delta") && v[0] == '{':
						dm := jsonbody.Members(v)
						for k, v, ok := dm.NextMember(); ok; k, v, ok = dm.NextMember() {
							if keyIs(k, "content") {
								if r.text, err = jbString(v); err != nil {
									return err
								}
							}
						}
					}
				}
			}
		}
		u, ok := o.Get("usage")
		r.usage = ok && u.Kind != jsonbody.KindNull
		return nil
	}
	if t, ok := o.Get("type"); ok {
		if r.typ, err = t.String(ev); err != nil {
			return err
		}
	}
	if i, ok := o.Get("index"); ok {
		if r.index, err = i.Int(ev); err != nil {
			return err
		}
	}
	if d, ok := o.Get("delta"); ok && d.Kind == jsonbody.KindObject {
		m := jsonbody.Members(d.Raw(ev))
		for k, v, ok := m.NextMember(); ok; k, v, ok = m.NextMember() {
			switch {
			case keyIs(k, "type"):
				r.dtype, err = jbString(v)
			case keyIs(k, "text"):
				r.text, err = jbString(v)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func gjString(v gjson.Result) (string, error) {
	switch v.Type {
	case gjson.String:
		return v.Str, nil
	case gjson.Null:
		return "", nil
	}
	if !v.Exists() {
		return "", nil
	}
	return "", errShape
}

func evGJSON(ev []byte, openai bool, r *evResult) (err error) {
	*r = evResult{}
	if !gjson.ValidBytes(ev) {
		return errInvalid
	}
	root := gjson.Parse(b2s(ev))
	if !root.IsObject() {
		return errInvalid
	}
	var d dupKeys
	root.ForEach(func(k, v gjson.Result) bool {
		if d.seen(k.Str) {
			err = errDup
			return false
		}
		if openai {
			switch k.Str {
			case "choices":
				first := v.Get("0")
				if r.finish, err = gjString(first.Get("finish_reason")); err == nil {
					r.text, err = gjString(first.Get("delta.content"))
				}
			case "usage":
				r.usage = v.Type != gjson.Null
			}
			return err == nil
		}
		switch k.Str {
		case "type":
			r.typ, err = gjString(v)
		case "index":
			r.index = v.Int()
		case "delta":
			if r.dtype, err = gjString(v.Get("type")); err == nil {
				r.text, err = gjString(v.Get("text"))
			}
		}
		return err == nil
	})
	return err
}

func jpString(v []byte, t jsonparser.ValueType) (string, error) {
	switch t {
	case jsonparser.String:
		return jsonparser.ParseString(v)
	case jsonparser.Null, jsonparser.NotExist:
		return "", nil
	}
	return "", errShape
}

func evJSONParser(ev []byte, openai bool, r *evResult) error {
	*r = evResult{}
	var d dupKeys
	return jsonparser.ObjectEach(ev, func(k, v []byte, t jsonparser.ValueType, _ int) (err error) {
		key := b2s(k)
		if d.seen(key) {
			return errDup
		}
		if openai {
			switch key {
			case "choices":
				first, ft, _, _ := jsonparser.Get(v, "[0]")
				if ft != jsonparser.Object {
					return nil
				}
				fr, frt, _, _ := jsonparser.Get(first, "finish_reason")
				if r.finish, err = jpString(fr, frt); err != nil {
					return err
				}
				c, ct, _, _ := jsonparser.Get(first, "delta", "content")
				r.text, err = jpString(c, ct)
			case "usage":
				r.usage = t != jsonparser.Null
			}
			return err
		}
		switch key {
		case "type":
			r.typ, err = jpString(v, t)
		case "index":
			r.index, err = jsonparser.ParseInt(v)
		case "delta":
			dt, dtt, _, _ := jsonparser.Get(v, "type")
			if r.dtype, err = jpString(dt, dtt); err == nil {
				tx, txt, _, _ := jsonparser.Get(v, "text")
				r.text, err = jpString(tx, txt)
			}
		}
		return err
	})
}

func fjString(v *fastjson.Value) (string, error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return "", nil
	}
	s, err := v.StringBytes()
	return string(s), err
}

func evFastJSON(p *fastjson.Parser, ev []byte, openai bool, r *evResult) (err error) {
	*r = evResult{}
	if err := fastjson.ValidateBytes(ev); err != nil {
		return err
	}
	v, err := p.ParseBytes(ev)
	if err != nil {
		return err
	}
	o, err := v.Object()
	if err != nil {
		return err
	}
	var d dupKeys
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if d.seen(b2s(k)) {
			err = errDup
		}
	})
	if err != nil {
		return err
	}
	if openai {
		if first := v.Get("choices", "0"); first != nil {
			if r.finish, err = fjString(first.Get("finish_reason")); err != nil {
				return err
			}
			if r.text, err = fjString(first.Get("delta", "content")); err != nil {
				return err
			}
		}
		u := v.Get("usage")
		r.usage = u != nil && u.Type() != fastjson.TypeNull
		return nil
	}
	if r.typ, err = fjString(v.Get("type")); err != nil {
		return err
	}
	if i := v.Get("index"); i != nil {
		n, err := i.Int64()
		if err != nil {
			return err
		}
		r.index = n
	}
	if dv := v.Get("delta"); dv != nil {
		if r.dtype, err = fjString(dv.Get("type")); err != nil {
			return err
		}
		r.text, err = fjString(dv.Get("text"))
	}
	return err
}

func snString(n *ast.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	switch n.TypeSafe() {
	case ast.V_NONE, ast.V_NULL:
		return "", nil
	case ast.V_STRING:
		return n.StrictString()
	}
	return "", errShape
}

func evSonic(ev []byte, openai bool, r *evResult) (err error) {
	*r = evResult{}
	root := ast.NewRaw(b2s(ev))
	if err := root.Check(); err != nil {
		return err
	}
	if root.Type() != ast.V_OBJECT {
		return errInvalid
	}
	it, err := root.Properties()
	if err != nil {
		return err
	}
	var d dupKeys
	var p ast.Pair
	for it.Next(&p) {
		if d.seen(p.Key) {
			return errDup
		}
		if openai {
			switch p.Key {
			case "choices":
				first := p.Value.Index(0)
				if first == nil || first.TypeSafe() != ast.V_OBJECT {
					continue
				}
				if r.finish, err = snString(first.Get("finish_reason")); err != nil {
					return err
				}
				if r.text, err = snString(first.GetByPath("delta", "content")); err != nil {
					return err
				}
			case "usage":
				r.usage = p.Value.TypeSafe() != ast.V_NULL
			}
			continue
		}
		switch p.Key {
		case "type":
			r.typ, err = snString(&p.Value)
		case "index":
			r.index, err = p.Value.StrictInt64()
		case "delta":
			if r.dtype, err = snString(p.Value.Get("type")); err == nil {
				r.text, err = snString(p.Value.Get("text"))
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type stdAnthropicEvent struct {
	Type  string `json:"type"`
	Index int64  `json:"index"`
	Delta *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"delta"`
}

type stdChunk struct {
	Choices []struct {
		Delta struct {
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage json.RawMessage `json:"usage"`
}

func evStd(ev []byte, openai bool, r *evResult) error {
	*r = evResult{}
	if openai {
		var c stdChunk
		if err := json.Unmarshal(ev, &c); err != nil {
			return err
		}
		if len(c.Choices) > 0 {
			if f := c.Choices[0].FinishReason; f != nil {
				r.finish = *f
			}
			if t := c.Choices[0].Delta.Content; t != nil {
				r.text = *t
			}
		}
		r.usage = len(c.Usage) > 0 && string(c.Usage) != "null"
		return nil
	}
	var e stdAnthropicEvent
	if err := json.Unmarshal(ev, &e); err != nil {
		return err
	}
	r.typ, r.index = e.Type, e.Index
	if e.Delta != nil {
		r.dtype, r.text = e.Delta.Type, e.Delta.Text
	}
	return nil
}

var sinkEv evResult

func BenchmarkLibStream(b *testing.B) {
	for _, st := range lcStreams {
		for _, im := range streamImpls {
			b.Run(st.name+"/"+im.name, func(b *testing.B) {
				read := im.new()
				b.SetBytes(int64(totalLen(st.events)))
				b.ReportAllocs()
				for b.Loop() {
					for _, ev := range st.events {
						if err := read(ev, st.openai, &sinkEv); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
