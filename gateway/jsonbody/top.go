package jsonbody

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Scanning the top level only.
//
// DESIGN §16 asks pass-through to make no whole-body validation: a 76 KB
// Claude Code body spends ~57 µs in Scan's full check, while the upstream
// parses the body anyway and answers a malformed one with its own 400.
// ScanTop checks everything the gateway itself reads or edits: one object,
// its top-level keys (duplicates rejected), scalar top-level values in full,
// and for nested objects and arrays only their framing — strings closed,
// brackets matched, nesting within MaxDepth — so the members' offsets are
// right and a truncated body is still refused. Inside them it does not check
// the number grammar, literals, escapes, commas or colons. Whoever decodes
// the body (the converters) validates it as it decodes.

// ScanTop is Scan without checking the inside of nested objects and arrays.
func ScanTop(body []byte) (*Object, error) {
	o := new(Object)
	if err := o.ScanTop(body); err != nil {
		return nil, err
	}
	return o, nil
}

// ScanTop is like the package function ScanTop but fills o (see Object.Scan).
func (o *Object) ScanTop(body []byte) error {
	o.body, o.open, o.close = body, 0, 0
	o.members, o.canon, o.index = o.inline[:0], o.canon[:0], nil
	if err := o.scanWith(body, true); err != nil {
		o.members, o.canon, o.index = o.inline[:0], o.canon[:0], nil
		return err
	}
	return nil
}

// skipFramed returns the offset just past the object or array starting at
// b[i], checking only that its strings end and its brackets match.
func (s *scanner) skipFramed(i int) (int, error) {
	b := s.b
	start := i
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			end, ok := endOfString(b, i)
			if !ok {
				return len(b), s.eof(fmt.Sprintf("inside the string that starts at byte %d", i))
			}
			i = end
			continue
		case '{', '[':
			if depth+2 > MaxDepth {
				return i, errAt(i, "JSON nested deeper than %d levels", MaxDepth)
			}
			if bit := uint64(1) << (depth & 63); c == '[' {
				s.stack[depth>>6] |= bit
			} else {
				s.stack[depth>>6] &^= bit
			}
			depth++
		case '}', ']':
			inArray := s.stack[(depth-1)>>6]&(1<<((depth-1)&63)) != 0
			if inArray != (c == ']') {
				want := byte('}')
				if inArray {
					want = ']'
				}
				return i, errAt(i, "expected '%c' to close the value that starts at byte %d, found '%c'", want, start, c)
			}
			if depth--; depth == 0 {
				return i + 1, nil
			}
		}
		i++
	}
	return len(b), s.eof(fmt.Sprintf("inside the value that starts at byte %d", start))
}

// endOfString returns the offset just past the string whose opening quote is
// at b[start], reporting false when the body ends first. A quote ends the
// string unless an odd number of backslashes precedes it. Short strings (keys,
// enum values) are checked eight bytes at a time; past 16 bytes the next quote
// is found with bytes.IndexByte, which is vectorised: prompts and tool
// descriptions are most of a Claude Code body's bytes.
func endOfString(b []byte, start int) (int, bool) {
	i := start + 1
	for n := 0; n < 2 && i+8 <= len(b); n++ {
		m := quoteOrBackslash(binary.LittleEndian.Uint64(b[i:]))
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) >> 3
		if b[i] == '"' {
			return i + 1, true
		}
		break // an escape: let the quote search below count backslashes
	}
	for {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return len(b), false
		}
		q += i
		n := 0
		for p := q - 1; p > start && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, true
		}
		i = q + 1
	}
}

// quoteOrBackslash has the high bit set in each byte of x that is '"' or '\\'
// (the lowest such byte is exact; see stringSpecial).
func quoteOrBackslash(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ (lo * '"')
	s := x ^ (lo * '\\')
	return ((q-lo)&^q | (s-lo)&^s) & hi
}
