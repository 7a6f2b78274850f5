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

// ------------------------------------------------------------------ walk

// walkStats is the result of a walk: strings (keys and values), their
// unescaped bytes, and the other scalars. The value of a member named raw
// is not walked but counted as one scalar, as the request converters keep
// "input_schema" as raw JSON (schema.go rewrites it on its own).
type walkStats struct {
	strings, bytes, scalars int
	raw                     string
}

type walkImpl struct {
	name string
	fn   func(b []byte, raw string) (walkStats, error)
}

var walkImpls = []walkImpl{
	{"jsonbody-Members-Elements-Unquote", func(b []byte, raw string) (walkStats, error) {
		s := walkStats{raw: raw}
		walkJB(b, &s)
		return s, nil
	}},
	{"gjson-ForEach", func(b []byte, raw string) (walkStats, error) {
		s := walkStats{raw: raw}
		walkGJ(gjson.Parse(b2s(b)), &s)
		return s, nil
	}},
	{"jsonparser-ObjectEach-ArrayEach", func(b []byte, raw string) (walkStats, error) {
		s := walkStats{raw: raw}
		err := walkJP(b, jsonparser.Object, &s)
		return s, err
	}},
	{"fastjson-Parse-Visit", func(b []byte, raw string) (s walkStats, err error) {
		s.raw = raw
		p := fjParsers.Get()
		defer fjParsers.Put(p)
		v, err := p.ParseBytes(b)
		if err == nil {
			walkFJ(v, &s)
		}
		return s, err
	}},
	{"sonic-ast-ForEach", func(b []byte, raw string) (s walkStats, err error) {
		s.raw = raw
		root := ast.NewRaw(b2s(b))
		err = walkSN(&root, &s)
		return s, err
	}},
	{"encoding/json-Unmarshal-any", func(b []byte, raw string) (s walkStats, err error) {
		s.raw = raw
		var v any
		if err = json.Unmarshal(b, &v); err == nil {
			walkStd(v, &s)
		}
		return s, err
	}},
}

func walkJB(v []byte, s *walkStats) {
	switch v[0] {
	case '{':
		it := jsonbody.Members(v)
		for k, val, ok := it.NextMember(); ok; k, val, ok = it.NextMember() {
			s.jbString(k)
			if s.raw != "" && keyIs(k, s.raw) {
				s.scalars++
				continue
			}
			walkJB(val, s)
		}
	case '[':
		it := jsonbody.Elements(v)
		for e, ok := it.NextElement(); ok; e, ok = it.NextElement() {
			walkJB(e, s)
		}
	case '"':
		s.jbString(v)
	default:
		s.scalars++
	}
}

// jbString counts a string as the converters read one: in place when it has
// no escapes (NeedsUnquote), else unescaped.
func (s *walkStats) jbString(q []byte) {
	s.strings++
	if jsonbody.NeedsUnquote(q) {
		s.bytes += len(jsonbody.Unquote(q))
	} else {
		s.bytes += len(q) - 2
	}
}

func walkGJ(r gjson.Result, s *walkStats) {
	switch {
	case r.IsObject():
		r.ForEach(func(k, v gjson.Result) bool {
			s.strings++
			s.bytes += len(k.Str)
			if s.raw != "" && k.Str == s.raw {
				s.scalars++
				return true
			}
			walkGJ(v, s)
			return true
		})
	case r.IsArray():
		r.ForEach(func(_, v gjson.Result) bool {
			walkGJ(v, s)
			return true
		})
	case r.Type == gjson.String:
		s.strings++
		s.bytes += len(r.Str)
	default:
		s.scalars++
	}
}

func walkJP(v []byte, t jsonparser.ValueType, s *walkStats) (err error) {
	switch t {
	case jsonparser.Object:
		return jsonparser.ObjectEach(v, func(k, v []byte, t jsonparser.ValueType, _ int) error {
			s.strings++
			s.bytes += len(k) // unescaped by ObjectEach
			if s.raw != "" && string(k) == s.raw {
				s.scalars++
				return nil
			}
			return walkJP(v, t, s)
		})
	case jsonparser.Array:
		_, aerr := jsonparser.ArrayEach(v, func(v []byte, t jsonparser.ValueType, _ int, e error) {
			if err == nil {
				err = e
			}
			if err == nil {
				err = walkJP(v, t, s)
			}
		})
		if err == nil {
			err = aerr
		}
		return err
	case jsonparser.String:
		var buf [64]byte
		u, err := jsonparser.Unescape(v, buf[:])
		s.strings++
		s.bytes += len(u)
		return err
	}
	s.scalars++
	return nil
}

func walkFJ(v *fastjson.Value, s *walkStats) {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(k []byte, v *fastjson.Value) {
			s.strings++
			s.bytes += len(k)
			if s.raw != "" && string(k) == s.raw {
				s.scalars++
				return
			}
			walkFJ(v, s)
		})
	case fastjson.TypeArray:
		a, _ := v.Array()
		for _, e := range a {
			walkFJ(e, s)
		}
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		s.strings++
		s.bytes += len(b)
	default:
		s.scalars++
	}
}

func walkSN(n *ast.Node, s *walkStats) (err error) {
	switch n.TypeSafe() {
	case ast.V_OBJECT:
		ferr := n.ForEach(func(p ast.Sequence, c *ast.Node) bool {
			s.strings++
			s.bytes += len(*p.Key)
			if s.raw != "" && *p.Key == s.raw {
				s.scalars++
				return true
			}
			err = walkSN(c, s)
			return err == nil
		})
		if err == nil {
			err = ferr
		}
		return err
	case ast.V_ARRAY:
		ferr := n.ForEach(func(_ ast.Sequence, c *ast.Node) bool {
			err = walkSN(c, s)
			return err == nil
		})
		if err == nil {
			err = ferr
		}
		return err
	case ast.V_STRING:
		str, err := n.StrictString()
		s.strings++
		s.bytes += len(str)
		return err
	case ast.V_ERROR, ast.V_NONE:
		return n.Check()
	}
	s.scalars++
	return nil
}

func walkStd(v any, s *walkStats) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			s.strings++
			s.bytes += len(k)
			if s.raw != "" && k == s.raw {
				s.scalars++
				continue
			}
			walkStd(e, s)
		}
	case []any:
		for _, e := range v {
			walkStd(e, s)
		}
	case string:
		s.strings++
		s.bytes += len(v)
	default:
		s.scalars++
	}
}

var sinkWalk walkStats

// lcWalkInputs: every value of the bodies ("full"), and the converters'
// walk of the Claude Code body, which keeps each tool's input_schema raw.
var lcWalkInputs = []struct {
	name, raw string
	body      []byte
}{{"1KB-full", "", lcSmall}, {"76KB-full", "", lcLarge}, {"76KB-schemaRaw", "input_schema", lcLarge}}

func BenchmarkLibWalk(b *testing.B) {
	for _, in := range lcWalkInputs {
		for _, im := range walkImpls {
			b.Run(in.name+"/"+im.name, func(b *testing.B) {
				b.SetBytes(int64(len(in.body)))
				b.ReportAllocs()
				for b.Loop() {
					s, err := im.fn(in.body, in.raw)
					if err != nil {
						b.Fatal(err)
					}
					sinkWalk = s
				}
			})
		}
	}
}
