package jsonbody

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a value.
type Kind uint8

// The JSON value kinds, prefixed with Kind because Object is the scan
// result's type. The zero Kind is Invalid (a Value not found).
const (
	Invalid Kind = iota
	KindString
	KindNumber
	KindBool
	KindNull
	KindObject
	KindArray
)

var kindNames = [...]string{"invalid", "string", "number", "boolean", "null", "object", "array"}
var kindArticles = [...]string{"an invalid value", "a string", "a number", "a boolean", "null", "an object", "an array"}

// String returns the kind's name for error messages: "string", "number",
// "boolean", "null", "object" or "array".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

func (k Kind) withArticle() string {
	if int(k) < len(kindArticles) {
		return kindArticles[k]
	}
	return k.String()
}

// KindError reports that a value has another kind than the one asked for.
// Its message reads "must be a string, got a number", meant to follow a
// key: fmt.Errorf("%q %w", "model", err).
type KindError struct {
	Want, Got Kind
}

func (e *KindError) Error() string {
	return "must be " + e.Want.withArticle() + ", got " + e.Got.withArticle()
}

// Value locates a top-level member's value in the body: body[Start:End] is
// the value's JSON text (for a String, including its quotes).
type Value struct {
	Kind       Kind
	Start, End int
}

// Raw returns the value's JSON text, aliasing body.
func (v Value) Raw(body []byte) []byte { return body[v.Start:v.End] }

// String returns the unescaped string, with \uXXXX escapes and surrogate
// pairs decoded and invalid UTF-8 or lone surrogates replaced by U+FFFD (as
// encoding/json does). It returns a *KindError if the value is not a string.
func (v Value) String(body []byte) (string, error) {
	if v.Kind != KindString {
		return "", &KindError{Want: KindString, Got: v.Kind}
	}
	return unquote(body[v.Start+1 : v.End-1]), nil
}

// Bool returns the value of a true or false literal, or a *KindError.
func (v Value) Bool(body []byte) (bool, error) {
	if v.Kind != KindBool {
		return false, &KindError{Want: KindBool, Got: v.Kind}
	}
	return body[v.Start] == 't', nil
}

var errNotInteger = errors.New("must be an integer")

// Int returns the value of a number that is an integer within int64. A
// number written with a fraction or exponent is accepted when its value is
// integral (1e3, 2.0). Other numbers fail with an error reading "must be an
// integer" or "is out of range"; a non-number gives a *KindError.
func (v Value) Int(body []byte) (int64, error) {
	if v.Kind != KindNumber {
		return 0, &KindError{Want: KindNumber, Got: v.Kind}
	}
	raw := body[v.Start:v.End]
	neg := raw[0] == '-'
	digits := raw
	if neg {
		digits = raw[1:]
	}
	var n uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return intFromFloat(raw)
		}
		if n > (math.MaxUint64-9)/10 {
			return 0, errors.New("is out of range")
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case !neg && n <= math.MaxInt64:
		return int64(n), nil
	case neg && n <= 1<<63:
		return int64(-n), nil // -(1<<63) wraps to itself, which is right
	}
	return 0, errors.New("is out of range")
}

func intFromFloat(raw []byte) (int64, error) {
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f >= 1<<63 || f < -(1<<63) {
		return 0, errors.New("is out of range")
	}
	if f != math.Trunc(f) {
		return 0, errNotInteger
	}
	return int64(f), nil
}

// Member is one top-level member. Key is the key as a JSON string (quotes
// included; Key.String(body) unescapes it). body[Start:End] runs from the
// key's opening quote to the end of the value, excluding the separating
// comma. Member holds no pointers, so a scanned Object costs the garbage
// collector almost nothing.
type Member struct {
	Key, Value Value
	Start, End int
}

// An Object records the top-level members of a scanned body, in order.
type Object struct {
	body        []byte
	open, close int // offsets of the object's '{' and '}'
	members     []Member
	canon       []string       // per member: the unescaped key if it differs from the raw key, else ""
	index       map[string]int // key → member index, for objects above inlineMembers
	inline      [inlineMembers]Member
}

const inlineMembers = 16

// Get returns the value of the top-level member named key (compared with
// the unescaped key).
func (o *Object) Get(key string) (Value, bool) {
	if i := o.find(key); i >= 0 {
		return o.members[i].Value, true
	}
	return Value{}, false
}

// Members returns the top-level members in body order. The slice belongs to
// the Object; do not modify it.
func (o *Object) Members() []Member { return o.members }

func (o *Object) find(key string) int {
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range o.members {
		if o.keyIs(i, key) {
			return i
		}
	}
	return -1
}

// rawKey returns member i's key between its quotes.
func (o *Object) rawKey(i int) []byte {
	k := o.members[i].Key
	return o.body[k.Start+1 : k.End-1]
}

// canonKey returns member i's unescaped key if it differs from the raw key.
// (An unescaped key is never "": escapes and U+FFFD produce characters.)
func (o *Object) canonKey(i int) string {
	if i < len(o.canon) {
		return o.canon[i]
	}
	return ""
}

// keyIs reports whether member i's key equals key, without allocating.
func (o *Object) keyIs(i int, key string) bool {
	if c := o.canonKey(i); c != "" {
		return c == key
	}
	return string(o.rawKey(i)) == key
}

// keyString returns member i's unescaped key.
func (o *Object) keyString(i int) string {
	if c := o.canonKey(i); c != "" {
		return c
	}
	return string(o.rawKey(i))
}

// unquote decodes the contents of a JSON string (without its quotes) that
// Scan has validated.
func unquote(s []byte) string {
	if !needsUnquote(s) {
		return string(s)
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			switch e := s[i+1]; e {
			case 'u':
				r := rune(hex4(s[i+2:]))
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if d := utf16.DecodeRune(r, rune(hex4(s[i+2:]))); d != utf8.RuneError {
							r = d
							i += 6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				b.WriteRune(r)
				continue
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			default: // '"', '\\', '/'
				c = e
			}
			b.WriteByte(c)
			i += 2
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			b.WriteRune(r) // RuneError for an invalid byte, as encoding/json
			i += size
		}
	}
	return b.String()
}

// needsUnquote reports whether s has an escape or invalid UTF-8.
func needsUnquote(s []byte) bool {
	return bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s)
}

// hex4 decodes four hex digits that Scan has validated.
func hex4(b []byte) uint16 {
	var r uint16
	for _, c := range b[:4] {
		r = r<<4 | uint16(hexVal(c))
	}
	return r
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0xff
}

// describe names a byte for an error message.
func describe(c byte) string {
	if c > ' ' && c < 0x7f {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
