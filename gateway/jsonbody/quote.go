package jsonbody

import "unicode/utf8"

// Quote returns s as a JSON string. Like encoding/json it escapes '"', '\\',
// control characters, U+2028 and U+2029, and replaces invalid UTF-8 with
// U+FFFD; unlike encoding/json's default it does not escape <, > and &.
func Quote(s string) []byte {
	return AppendQuote(make([]byte, 0, quotedLen(s)), s)
}

const hexDigits = "0123456789abcdef"

// AppendQuote appends s as a JSON string to dst (see Quote).
func AppendQuote(dst []byte, s string) []byte { return appendQuoted(dst, s, false) }

// AppendQuoteHTML is AppendQuote that also escapes <, > and & (as \u003c,
// \u003e, \u0026), as encoding/json's default encoder writes strings and map
// keys; the converters need it to reproduce encoding/json's output exactly.
func AppendQuoteHTML(dst []byte, s string) []byte { return appendQuoted(dst, s, true) }

// appendQuoted is AppendQuote and AppendQuoteHTML. Without html it skips
// plain ASCII eight bytes at a time: the converters write a Claude Code
// request's ~40 KB of tool descriptions through it.
func appendQuoted(dst []byte, s string, html bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if !html && i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if quoteSpecial(x) == 0 {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!html || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // other control characters, and <, > and & with html
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// quoteSpecial flags, in the high bit of each byte, the bytes of x that are
// '"', '\\', below 0x20 or above 0x7f; nonzero when any is (the flags of bytes
// above a true one may be wrong).
func quoteSpecial(x uint64) uint64 {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	q := x ^ (lsb * '"')
	bs := x ^ (lsb * '\\')
	return (((q - lsb) &^ q) | ((bs - lsb) &^ bs) | ((x - lsb*0x20) &^ x) | x) & msb
}

// quotedLen returns len(Quote(s)) without allocating.
func quotedLen(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c != '"' && c != '\\':
				n++
			case c == '"', c == '\\', c == '\b', c == '\f', c == '\n', c == '\r', c == '\t':
				n += 2
			default:
				n += 6
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == '\u2028', r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}
