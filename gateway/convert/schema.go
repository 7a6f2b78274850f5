package convert

// Byte-level rewriting of tool input schemas for AnthropicToOpenAIRequest
// (issue 7). A Claude Code turn carries 24 schemas; decoding each into a map
// and encoding it again was 29 % of the conversion's CPU. These functions
// walk the bytes instead and write exactly what that map round trip wrote,
// so upstream prompt caches see the same bytes as before:
//   - the schema's own members sorted by key, as encoding/json sorts map keys;
//   - a member whose text contains "$schema" re-encoded in full (keys sorted
//     at every level, strings re-escaped) with the keyword stripped, as
//     decoding it into `any` and encoding it again did;
//   - every other member compacted with <, > and & escaped, as json.Marshal
//     does with a json.RawMessage.
// FuzzAreqSchema checks this against the map round trip kept in the tests.

import (
	"bytes"
	"slices"
	"unsafe"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// areqSchemaMaps are keywords whose value maps names to schemas, so their own
// keys are property names, never keywords.
var areqSchemaMaps = map[string]bool{"properties": true, "$defs": true, "definitions": true,
	"patternProperties": true, "dependentSchemas": true}

// areqMember is an object member with its key decoded.
type areqMember struct {
	key, val []byte
}

// areqSchema turns an input_schema into OpenAI function parameters: "$schema"
// stripped everywhere (pitfall 24), an empty schema becomes an empty object
// schema (pitfall 25), a missing "type" becomes "object". raw is valid JSON
// (or empty when the field is missing).
func areqSchema(raw []byte, path areqPath) ([]byte, error) {
	if k := areqKind(raw); k != "null" && k != "object" {
		return nil, badRequest("%s: must be a JSON Schema object, got %s", path(), k)
	}
	var buf [16]areqMember
	ms := areqMembers(buf[:0], raw)
	ms = slices.DeleteFunc(ms, func(m areqMember) bool { return string(m.key) == "$schema" })
	if i := areqFind(ms, "type"); i < 0 {
		ms = append(ms, areqMember{[]byte("type"), []byte(`"object"`)})
	} else if string(ms[i].val) != `"object"` {
		return nil, badRequest(`%s.type: must be "object"`, path())
	}
	if areqFind(ms, "properties") < 0 {
		ms = append(ms, areqMember{[]byte("properties"), []byte(`{}`)})
	}
	areqSortMembers(ms)
	out := make([]byte, 0, len(raw)+32)
	out = append(out, '{')
	for i, m := range ms {
		if i > 0 {
			out = append(out, ',')
		}
		out = areqQuoteHTML(out, m.key)
		out = append(out, ':')
		if bytes.Contains(m.val, []byte(`"$schema"`)) {
			out = areqCanonical(out, m.val, areqSchemaMaps[string(m.key)])
		} else {
			out = areqCompact(out, m.val, true)
		}
	}
	return append(out, '}'), nil
}

// areqMembers appends the members of the valid JSON object raw with decoded
// keys, a repeated key keeping its last value (as decoding into a map does).
// It yields nothing for a value that is not an object.
func areqMembers(ms []areqMember, raw []byte) []areqMember {
	it := jsonbody.Members(raw)
	for {
		k, v, ok := it.NextMember()
		if !ok {
			return ms
		}
		key := k[1 : len(k)-1]
		if jsonbody.NeedsUnquote(k) {
			key = []byte(jsonbody.Unquote(k))
		}
		if i := areqFind(ms, string(key)); i >= 0 {
			ms[i].val = v
		} else {
			ms = append(ms, areqMember{key, v})
		}
	}
}

func areqFind(ms []areqMember, key string) int {
	for i := range ms {
		if string(ms[i].key) == key {
			return i
		}
	}
	return -1
}

// areqSortMembers sorts by key bytes, the order encoding/json writes map keys in.
func areqSortMembers(ms []areqMember) {
	slices.SortFunc(ms, func(a, b areqMember) int { return bytes.Compare(a.key, b.key) })
}

// areqCanonical appends raw (valid JSON) as encoding/json writes it after
// decoding it into `any` and areqStrip has removed "$schema" keywords: keys
// sorted and deduplicated, strings decoded and re-escaped with <, > and &
// escaped, numbers and literals as written. In a name map (nameMap) only a
// member named "$schema" whose value is an object stays: it is a property.
func areqCanonical(dst, raw []byte, nameMap bool) []byte {
	switch raw[0] {
	case '{':
		var buf [8]areqMember
		ms := areqMembers(buf[:0], raw)
		if i := areqFind(ms, "$schema"); i >= 0 && (!nameMap || ms[i].val[0] != '{') {
			ms = slices.Delete(ms, i, i+1)
		}
		areqSortMembers(ms)
		dst = append(dst, '{')
		for i, m := range ms {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = areqQuoteHTML(dst, m.key)
			dst = append(dst, ':')
			dst = areqCanonical(dst, m.val, !nameMap && areqSchemaMaps[string(m.key)])
		}
		return append(dst, '}')
	case '[':
		dst = append(dst, '[')
		it := jsonbody.Elements(raw)
		for n := 0; ; n++ {
			v, ok := it.NextElement()
			if !ok {
				break
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = areqCanonical(dst, v, false)
		}
		return append(dst, ']')
	case '"':
		if !jsonbody.NeedsUnquote(raw) {
			return areqQuoteHTML(dst, raw[1:len(raw)-1])
		}
		return areqQuoteHTML(dst, []byte(jsonbody.Unquote(raw)))
	}
	return append(dst, raw...) // number, true, false, null
}

// areqCompact appends valid JSON src without white space outside strings,
// as json.Compact does. With html, <, >, &, U+2028 and U+2029 are escaped as
// encoding/json escapes them when it marshals a json.RawMessage. Runs that
// need no change are copied whole.
func areqCompact(dst, src []byte, html bool) []byte {
	start := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case ' ', '\t', '\n', '\r': // only outside strings: strings are skipped below
			dst = append(dst, src[start:i]...)
			start = i + 1
		case '"':
			end := jsonbody.SkipValid(src, i)
			if html {
				dst = append(dst, src[start:i]...)
				dst = areqEscapeHTML(dst, src[i:end])
				start = end
			}
			i = end - 1
		}
	}
	return append(dst, src[start:]...)
}

const areqHex = "0123456789abcdef"

// areqEscapeHTML appends the JSON string s (quotes included) with <, >, &,
// U+2028 and U+2029 written as \u escapes.
func areqEscapeHTML(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', areqHex[c>>4], areqHex[c&0xF])
			start = i + 1
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8:
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', areqHex[s[i+2]&0xF])
			start = i + 3
			i += 2
		}
	}
	return append(dst, s[start:]...)
}

// areqQuoteHTML appends s as a JSON string the way encoding/json's default
// (HTML-escaping) encoder writes a string or a map key. s is read as a string
// without a copy: AppendQuoteHTML does not keep it.
func areqQuoteHTML(dst, s []byte) []byte {
	return jsonbody.AppendQuoteHTML(dst, unsafe.String(unsafe.SliceData(s), len(s)))
}
