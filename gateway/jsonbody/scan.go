package jsonbody

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting Scan accepts, counting the top-level
// object; encoding/json has the same limit.
const MaxDepth = 10000

// SyntaxError describes why a body was rejected. Msg is the whole message,
// written for the API client; Offset is the byte (from 0) where the problem
// was found.
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string { return e.Msg }

// errAt builds an "invalid JSON at byte N: ..." error.
func errAt(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{
		Offset: int64(off),
		Msg:    "invalid JSON at byte " + strconv.Itoa(off) + ": " + fmt.Sprintf(format, args...),
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Scan validates that body is exactly one JSON object, optionally surrounded
// by white space, and records its top-level members. It rejects duplicate
// top-level keys. The returned Object refers to body; see the package
// documentation.
func Scan(body []byte) (*Object, error) {
	o := new(Object)
	if err := o.Scan(body); err != nil {
		return nil, err
	}
	return o, nil
}

// Scan is like the package function Scan but fills o, reusing its storage,
// so that an Object kept in a pooled per-request struct makes scanning
// allocation-free. The zero Object is ready to use. After an error the
// Object holds no members.
func (o *Object) Scan(body []byte) error {
	o.body, o.open, o.close = body, 0, 0
	o.members, o.canon, o.index = o.inline[:0], o.canon[:0], nil
	if err := o.scanWith(body, false); err != nil {
		o.members, o.canon, o.index = o.inline[:0], o.canon[:0], nil
		return err
	}
	return nil
}

// scanWith scans body; framedOnly skips nested objects and arrays with
// skipFramed instead of checking them (ScanTop).
func (o *Object) scanWith(body []byte, framedOnly bool) error {
	i := skipWS(body, 0)
	if i == len(body) {
		return &SyntaxError{Msg: "request body is empty"}
	}
	if body[i] != '{' {
		return notObject(body, i)
	}
	o.open = i
	s := scanner{b: body}

	i = skipWS(body, i+1)
	if i < len(body) && body[i] == '}' {
		o.close = i
		i++
	} else {
		afterComma := false
		for {
			if i >= len(body) || body[i] != '"' {
				return s.expectedKey(i, afterComma)
			}
			keyEnd, esc, err := s.scanString(i)
			if err != nil {
				return err
			}
			m := Member{Key: Value{Kind: KindString, Start: i, End: keyEnd}, Start: i}
			if raw := body[i+1 : keyEnd-1]; esc || !utf8.Valid(raw) {
				o.setCanon(len(o.members), unquote(raw))
			}
			if i, err = s.colon(keyEnd); err != nil {
				return err
			}
			start := i
			if framedOnly && i < len(body) && (body[i] == '{' || body[i] == '[') {
				i, err = s.skipFramed(i)
			} else {
				i, err = s.skipValue(i)
			}
			if err != nil {
				return err
			}
			m.Value = Value{Kind: kindOf(body[start]), Start: start, End: i}
			m.End = i
			if err := o.add(m); err != nil {
				return err
			}
			i = skipWS(body, i)
			if i >= len(body) {
				return s.eof("inside the JSON object; expected ',' or '}'")
			}
			if body[i] == '}' {
				o.close = i
				i++
				break
			}
			if body[i] != ',' {
				return errAt(i, "expected ',' or '}' after object member, found %s", describe(body[i]))
			}
			i = skipWS(body, i+1)
			afterComma = true
		}
	}
	if i = skipWS(body, i); i != len(body) {
		return &SyntaxError{Offset: int64(i), Msg: "unexpected data after the JSON object at byte " + strconv.Itoa(i)}
	}
	return nil
}

// setCanon records the unescaped key of member i (not yet added).
func (o *Object) setCanon(i int, key string) {
	for len(o.canon) < i {
		o.canon = append(o.canon, "")
	}
	o.canon = append(o.canon, key)
}

// add appends m, rejecting a key seen before. Small objects compare keys
// linearly; past inlineMembers an index map takes over.
func (o *Object) add(m Member) error {
	n := len(o.members)
	o.members = append(o.members, m)
	if o.index == nil {
		for i := 0; i < n; i++ {
			if o.sameKey(i, n) {
				return o.duplicate(n)
			}
		}
		if len(o.members) > inlineMembers {
			o.index = make(map[string]int, 2*len(o.members))
			for i := range o.members {
				o.index[o.keyString(i)] = i
			}
		}
		return nil
	}
	k := o.keyString(n)
	if _, ok := o.index[k]; ok {
		return o.duplicate(n)
	}
	o.index[k] = n
	return nil
}

func (o *Object) sameKey(i, j int) bool {
	if c := o.canonKey(i); c != "" {
		return o.keyIs(j, c)
	}
	if c := o.canonKey(j); c != "" {
		return o.keyIs(i, c)
	}
	return string(o.rawKey(i)) == string(o.rawKey(j))
}

func (o *Object) duplicate(i int) error {
	k := o.keyString(i)
	if len(k) > 100 {
		k = k[:100] + "..."
	}
	return &SyntaxError{Offset: int64(o.members[i].Start), Msg: "duplicate top-level key " + strconv.Quote(k)}
}

// notObject explains why a body that does not start with '{' is rejected.
func notObject(b []byte, i int) error {
	got := ""
	switch c := b[i]; {
	case c == '[':
		got = "an array"
	case c == '"':
		got = "a string"
	case c == '-' || c >= '0' && c <= '9':
		got = "a number"
	case bytes.HasPrefix(b[i:], []byte("true")), bytes.HasPrefix(b[i:], []byte("false")):
		got = "a boolean"
	case bytes.HasPrefix(b[i:], []byte("null")):
		got = "null"
	case i == 0 && bytes.HasPrefix(b, utf8BOM):
		return &SyntaxError{Msg: "request body starts with a UTF-8 byte order mark (BOM); send the JSON without it"}
	default:
		return errAt(i, "expected '{' to start a JSON object, found %s", describe(c))
	}
	return &SyntaxError{Offset: int64(i), Msg: "request body must be a JSON object, got " + got}
}

func kindOf(c byte) Kind {
	switch c {
	case '{':
		return KindObject
	case '[':
		return KindArray
	case '"':
		return KindString
	case 't', 'f':
		return KindBool
	case 'n':
		return KindNull
	}
	return KindNumber
}
