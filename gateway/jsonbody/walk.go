package jsonbody

import "bytes"

// Walking nested values of a body that Scan has already accepted.
//
// The request converters read nested objects and arrays of a scanned body.
// Walking them with a validating scanner again (as json.Unmarshal does) would
// check every byte a second time, so these functions trust their input: on
// text that is not valid JSON they return meaningless offsets or stop early,
// but they never panic, never read outside the slice and always terminate.

// SkipValid returns the offset just past the JSON value that starts at b[i]
// (no white space before it). b[i:] must start with a valid JSON value.
func SkipValid(b []byte, i int) int {
	if i >= len(b) || i < 0 {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for ; i < len(b); i++ { // a number or a literal
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// skipString returns the offset just past the string whose opening quote is
// at b[start]. The text was validated, so the string holds no control byte
// and its end is the first '"' after an even run of backslashes: the search
// is bytes.IndexByte, which the runtime does 16–32 bytes at a time. Each
// level of a walk skips its children's strings again, so this is the walk's
// inner loop.
func skipString(b []byte, start int) int {
	i := start + 1
	for i < len(b) {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b)
		}
		q := i + j
		n := 0 // backslashes right before the quote
		for k := q - 1; k > start && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
	return len(b)
}

// Iter walks the members of a valid JSON object or the elements of a valid
// JSON array without allocating. The zero Iter yields nothing.
type Iter struct {
	b     []byte
	i     int
	close byte
}

// Members returns an Iter over the members of raw, a valid JSON object
// (optionally surrounded by white space); for anything else it yields
// nothing. Use NextMember.
func Members(raw []byte) Iter { return newIter(raw, '{') }

// Elements returns an Iter over the elements of raw, a valid JSON array
// (optionally surrounded by white space); for anything else it yields
// nothing. Use NextElement.
func Elements(raw []byte) Iter { return newIter(raw, '[') }

func newIter(raw []byte, open byte) Iter {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != open {
		return Iter{}
	}
	return Iter{b: raw, i: i + 1, close: open + 2} // '}' or ']'
}

// next moves to the start of the next member or element.
func (it *Iter) next() bool {
	i := skipWS(it.b, it.i)
	if i < len(it.b) && it.b[i] == ',' {
		i = skipWS(it.b, i+1)
	}
	if i >= len(it.b) || it.b[i] == it.close {
		it.b, it.i = nil, 0
		return false
	}
	it.i = i
	return true
}

// NextMember returns the next member's key, as a JSON string with its quotes
// (Unquote decodes it), and its value's JSON text, both aliasing the walked
// slice; ok is false after the last member.
func (it *Iter) NextMember() (key, value []byte, ok bool) {
	if it.close != '}' || !it.next() || it.b[it.i] != '"' {
		return nil, nil, false
	}
	b := it.b
	end := skipString(b, it.i)
	key = b[it.i:end]
	i := skipWS(b, end)
	if i < len(b) && b[i] == ':' {
		i = skipWS(b, i+1)
	}
	end = SkipValid(b, i)
	it.i = end
	return key, b[i:end], true
}

// NextElement returns the next element's JSON text, aliasing the walked
// slice; ok is false after the last element.
func (it *Iter) NextElement() (value []byte, ok bool) {
	if it.close != ']' || !it.next() {
		return nil, false
	}
	start := it.i
	it.i = SkipValid(it.b, start)
	if it.i == start { // not a value: stop rather than loop
		it.b, it.i = nil, 0
		return nil, false
	}
	return it.b[start:it.i], true
}

// Unquote decodes a valid JSON string given with its quotes, as encoding/json
// does (see Value.String); it returns "" for anything shorter than two bytes.
func Unquote(quoted []byte) string {
	if len(quoted) < 2 {
		return ""
	}
	return unquote(quoted[1 : len(quoted)-1])
}

// NeedsUnquote reports whether the JSON string quoted (with its quotes)
// differs from its decoded value: it has an escape or invalid UTF-8. When it
// does not, the text between the quotes is the value itself.
func NeedsUnquote(quoted []byte) bool {
	if len(quoted) < 2 {
		return false
	}
	return needsUnquote(quoted[1 : len(quoted)-1])
}
