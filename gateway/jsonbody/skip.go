package jsonbody

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
)

// scanner holds the body and the open-container stack of skipValue: bit d
// is set when the container at nesting d is an array.
type scanner struct {
	b     []byte
	stack [MaxDepth/64 + 1]uint64
}

func (s *scanner) eof(where string) error {
	return errAt(len(s.b), "unexpected end of input %s", where)
}

func (s *scanner) expectedKey(i int, afterComma bool) error {
	switch {
	case i >= len(s.b):
		return s.eof("inside an object; expected a key")
	case afterComma && s.b[i] == '}':
		return errAt(i, "expected an object key after ',', found '}' (trailing commas are not allowed)")
	}
	return errAt(i, "expected a string for an object key, found %s", describe(s.b[i]))
}

// colon expects optional white space, ':' and optional white space after an
// object key ending before i, and returns where the value starts.
func (s *scanner) colon(i int) (int, error) {
	i = skipWS(s.b, i)
	if i >= len(s.b) {
		return i, s.eof("after an object key; expected ':'")
	}
	if s.b[i] != ':' {
		return i, errAt(i, "expected ':' after object key, found %s", describe(s.b[i]))
	}
	return skipWS(s.b, i+1), nil
}

// skipValue checks the value starting at i (white space already skipped)
// and returns the offset just past it. Nesting uses s.stack, not recursion.
func (s *scanner) skipValue(i int) (int, error) {
	b := s.b
	depth := 0 // containers open inside this value
	var err error
value:
	for {
		if i >= len(b) {
			return i, s.eof("where a value was expected")
		}
		switch c := b[i]; c {
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
			i = skipWS(b, i+1)
			if i < len(b) && b[i] == c+2 { // '}' or ']'
				depth--
				i++
				break
			}
			if c == '{' {
				if i >= len(b) || b[i] != '"' {
					return i, s.expectedKey(i, false)
				}
				if i, _, err = s.scanString(i); err == nil {
					i, err = s.colon(i)
				}
				if err != nil {
					return i, err
				}
			}
			continue
		case '"':
			i, _, err = s.scanString(i)
		case 't':
			i, err = s.literal(i, "true")
		case 'f':
			i, err = s.literal(i, "false")
		case 'n':
			i, err = s.literal(i, "null")
		default:
			if c != '-' && (c < '0' || c > '9') {
				if (c == ']' || c == '}') && followsComma(b, i) {
					return i, errAt(i, "expected a value, found %s (trailing commas are not allowed)", describe(c))
				}
				return i, errAt(i, "expected a value, found %s", describe(c))
			}
			i, err = s.number(i)
		}
		if err != nil {
			return i, err
		}
		for depth > 0 {
			i = skipWS(b, i)
			inArray := s.stack[(depth-1)>>6]&(1<<((depth-1)&63)) != 0
			if i >= len(b) {
				if inArray {
					return i, s.eof("inside an array; expected ',' or ']'")
				}
				return i, s.eof("inside an object; expected ',' or '}'")
			}
			switch c := b[i]; {
			case c == ',':
				i = skipWS(b, i+1)
				if !inArray {
					if i >= len(b) || b[i] != '"' {
						return i, s.expectedKey(i, true)
					}
					if i, _, err = s.scanString(i); err == nil {
						i, err = s.colon(i)
					}
					if err != nil {
						return i, err
					}
				}
				continue value
			case inArray && c == ']', !inArray && c == '}':
				depth--
				i++
			case inArray:
				return i, errAt(i, "expected ',' or ']' after array element, found %s", describe(c))
			default:
				return i, errAt(i, "expected ',' or '}' after object member, found %s", describe(c))
			}
		}
		return i, nil
	}
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// stringSpecial flags, in the high bit of each byte, the bytes of x that
// are '"', '\\' or below 0x20. Only the lowest flag is exact (a borrow can
// flag bytes above a true one), which is all scanString needs.
func stringSpecial(x uint64) uint64 {
	q := x ^ (lsb * '"')
	bs := x ^ (lsb * '\\')
	return (((q - lsb) &^ q) | ((bs - lsb) &^ bs) | ((x - lsb*0x20) &^ x)) & msb
}

// scanString checks the string whose opening quote is at start and returns
// the offset just past its closing quote and whether it has escapes. Plain
// runs are skipped eight bytes at a time.
func (s *scanner) scanString(start int) (end int, esc bool, err error) {
	b := s.b
	i := start + 1
	for {
		for i+8 <= len(b) {
			if m := stringSpecial(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(b) {
			return i, esc, s.eof(fmt.Sprintf("inside the string that starts at byte %d", start))
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return i, esc, s.eof(fmt.Sprintf("inside the string that starts at byte %d", start))
			}
			switch e := b[i+1]; {
			case simpleEscape[e]:
				i += 2
			case e == 'u':
				if i+6 > len(b) || hexVal(b[i+2])|hexVal(b[i+3])|hexVal(b[i+4])|hexVal(b[i+5]) > 15 {
					return i, esc, errAt(i, `invalid \u escape in string: expected four hex digits`)
				}
				i += 6
			default:
				return i, esc, errAt(i, "invalid escape sequence %s in string", strconv.Quote(string(b[i:i+2])))
			}
		case c < 0x20:
			return i, esc, errAt(i, "control character 0x%02x inside a string must be escaped", c)
		default:
			i++
		}
	}
}

// simpleEscape marks the bytes that may follow '\\' other than 'u'.
var simpleEscape = [256]bool{'"': true, '\\': true, '/': true, 'b': true, 'f': true, 'n': true, 'r': true, 't': true}

// number checks a number per the JSON grammar:
// -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?
func (s *scanner) number(i int) (int, error) {
	b := s.b
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
		if i < len(b) && isDigit(b[i]) {
			return i, errAt(i, "invalid number: leading zeros are not allowed")
		}
	case i < len(b) && isDigit(b[i]):
		i = digits(b, i)
	default:
		return i, s.numErr(i, "a digit")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, s.numErr(i, "a digit after the decimal point")
		}
		i = digits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, s.numErr(i, "a digit in the exponent")
		}
		i = digits(b, i)
	}
	return i, nil
}

func (s *scanner) numErr(i int, want string) error {
	if i >= len(s.b) {
		return s.eof("inside a number; expected " + want)
	}
	return errAt(i, "invalid number: expected %s, found %s", want, describe(s.b[i]))
}

func (s *scanner) literal(i int, lit string) (int, error) {
	if !bytes.HasPrefix(s.b[i:], []byte(lit)) {
		return i, errAt(i, "invalid literal, expected %s", lit)
	}
	return i + len(lit), nil
}

// followsComma reports whether the last non-space byte before i is ','.
func followsComma(b []byte, i int) bool {
	for i--; i >= 0; i-- {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return b[i] == ','
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
