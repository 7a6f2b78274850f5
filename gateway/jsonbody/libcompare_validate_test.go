package jsonbody_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bytedance/sonic/ast"
	"github.com/bytedance/sonic/encoder"
	"github.com/tidwall/gjson"
	"github.com/valyala/fastjson"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// -------------------------------------------------------------- validate

type valImpl struct {
	name string
	fn   func([]byte) error
}

var valImpls = []valImpl{
	{"jsonbody-Check", jsonbody.Check},
	{"jsonbody-Scan", func(b []byte) error { _, err := jsonbody.Scan(b); return err }},
	{"encoding/json-Valid-nodup", func(b []byte) error {
		if !json.Valid(b) || firstByte(b) != '{' {
			return errInvalid
		}
		return nil
	}},
	{"gjson-Valid-ForEach", valGJSON},
	{"fastjson-Validate-nodup", func(b []byte) error {
		if err := fastjson.ValidateBytes(b); err != nil {
			return err
		}
		if firstByte(b) != '{' {
			return errInvalid
		}
		return nil
	}},
	{"fastjson-Validate-Parse-Visit", valFastJSON},
	{"sonic-Valid-nodup", func(b []byte) error {
		if ok, _ := encoder.Valid(b); !ok || firstByte(b) != '{' {
			return errInvalid
		}
		return nil
	}},
	{"sonic-ast-NewRaw-Properties", valSonic},
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func valGJSON(b []byte) (err error) {
	if !gjson.ValidBytes(b) {
		return errInvalid
	}
	root := gjson.Parse(b2s(b))
	if !root.IsObject() {
		return errInvalid
	}
	var d dupKeys
	root.ForEach(func(k, _ gjson.Result) bool {
		if d.seen(k.Str) {
			err = errDup
			return false
		}
		return true
	})
	return err
}

func valFastJSON(b []byte) (err error) {
	if err := fastjson.ValidateBytes(b); err != nil {
		return err
	}
	p := fjParsers.Get()
	defer fjParsers.Put(p)
	v, err := p.ParseBytes(b)
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
	return err
}

func valSonic(b []byte) error {
	root := ast.NewRaw(b2s(b))
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
	}
	return nil
}

var sinkErr error

func BenchmarkLibValidate(b *testing.B) {
	inputs := []struct {
		name   string
		events [][]byte
	}{{"1KB", [][]byte{lcSmall}}, {"76KB", [][]byte{lcLarge}}, {"anthropic200", lcAnthropic}, {"openai200", lcOpenAI}}
	for _, in := range inputs {
		for _, im := range valImpls {
			b.Run(in.name+"/"+im.name, func(b *testing.B) {
				b.SetBytes(int64(totalLen(in.events)))
				b.ReportAllocs()
				for b.Loop() {
					for _, ev := range in.events {
						if err := im.fn(ev); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
