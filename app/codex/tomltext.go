package codex

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// stmt is one statement of a TOML document, as byte offsets into its text:
// a table header ([a.b] or [[a.b]]) or a key/value pair. Comments and blank
// lines are not statements. Every statement starts a line and ends one
// (TOML has one statement per line, values may span lines): [start, end)
// runs from the start of its first line to just after the line ending of
// its last one, or to the end of the text.
type stmt struct {
	header, array bool
	path          []string // the header's table, or the pair's dotted key (relative to its table)
	table         int      // a pair's header: its index in the statement list, -1 for the root table
	start, end    int
	valStart      int // a pair's value: [valStart, valEnd)
	valEnd        int
}

// abs is a pair's key from the root of the document.
func (s stmt) abs(stmts []stmt) []string {
	if s.header || s.table < 0 {
		return s.path
	}
	return append(append([]string{}, stmts[s.table].path...), s.path...)
}

// errScan is a statement the scanner does not understand. Every document it
// is given has already been accepted by the TOML parser, so this means a
// construct the scanner misreads; the switch then refuses to edit.
var errScan = errors.New("unrecognised TOML")

func scanErr(off int, what string) error { return fmt.Errorf("%w at byte %d: %s", errScan, off, what) }

// scan splits a valid TOML document into its statements. It decodes keys
// (bare, "basic" with escapes, 'literal', dotted) and skips over values
// without interpreting them: strings of the four kinds, arrays and inline
// tables (both may span lines, with comments), and every other scalar
// (numbers, booleans, dates, times, "1979-05-27 07:32:00" with its space).
func scan(text []byte) ([]stmt, error) {
	var out []stmt
	table := -1
	i := 0
	for i < len(text) {
		start := i
		i = skipSpace(text, i)
		if i == len(text) {
			break
		}
		switch c := text[i]; {
		case c == '\n':
			i++
			continue
		case c == '\r' && i+1 < len(text) && text[i+1] == '\n':
			i += 2
			continue
		case c == '#':
			end, err := lineEnd(text, i)
			if err != nil {
				return nil, err
			}
			i = end
			continue
		case c == '[':
			s := stmt{header: true, start: start, table: -1}
			i++
			if i < len(text) && text[i] == '[' {
				s.array = true
				i++
			}
			var err error
			if s.path, i, err = scanKey(text, skipSpace(text, i)); err != nil {
				return nil, err
			}
			i = skipSpace(text, i)
			closing := "]"
			if s.array {
				closing = "]]"
			}
			if !strings.HasPrefix(string(text[i:min(len(text), i+len(closing))]), closing) {
				return nil, scanErr(i, "expected "+closing)
			}
			if s.end, err = lineEnd(text, i+len(closing)); err != nil {
				return nil, err
			}
			i = s.end
			table = len(out)
			out = append(out, s)
		default:
			s := stmt{start: start, table: table}
			var err error
			if s.path, i, err = scanKey(text, i); err != nil {
				return nil, err
			}
			i = skipSpace(text, i)
			if i >= len(text) || text[i] != '=' {
				return nil, scanErr(i, "expected =")
			}
			s.valStart = skipSpace(text, i+1)
			if s.valEnd, err = skipValue(text, s.valStart); err != nil {
				return nil, err
			}
			if s.end, err = lineEnd(text, s.valEnd); err != nil {
				return nil, err
			}
			i = s.end
			out = append(out, s)
		}
	}
	return out, nil
}

func skipSpace(text []byte, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

// lineEnd expects only white space and an optional comment from i to the
// end of the line and returns the offset just after the line ending.
func lineEnd(text []byte, i int) (int, error) {
	i = skipSpace(text, i)
	if i < len(text) && text[i] == '#' {
		for i < len(text) && text[i] != '\n' && !(text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n') {
			i++
		}
	}
	switch {
	case i == len(text):
		return i, nil
	case text[i] == '\n':
		return i + 1, nil
	case text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n':
		return i + 2, nil
	}
	return 0, scanErr(i, "expected the end of the line")
}

// skipGap skips white space, line endings and comments (inside arrays and
// inline tables).
func skipGap(text []byte, i int) int {
	for i < len(text) {
		switch text[i] {
		case ' ', '\t', '\r', '\n':
			i++
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

// scanKey reads a dotted key at i and returns its decoded parts.
func scanKey(text []byte, i int) ([]string, int, error) {
	var parts []string
	for {
		part, next, err := simpleKey(text, i)
		if err != nil {
			return nil, 0, err
		}
		parts = append(parts, part)
		i = skipSpace(text, next)
		if i >= len(text) || text[i] != '.' {
			return parts, next, nil
		}
		i = skipSpace(text, i+1)
	}
}

func isBare(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func simpleKey(text []byte, i int) (string, int, error) {
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		end, err := skipString(text, i)
		if err != nil {
			return "", 0, err
		}
		if text[i] == '\'' {
			return string(text[i+1 : end-1]), end, nil
		}
		s, err := unescape(text[i+1 : end-1])
		return s, end, err
	}
	j := i
	for j < len(text) && isBare(text[j]) {
		j++
	}
	if j == i {
		return "", 0, scanErr(i, "expected a key")
	}
	return string(text[i:j]), j, nil
}

// unescape decodes the body of a one-line basic string.
func unescape(b []byte) (string, error) {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			sb.WriteByte(b[i])
			continue
		}
		if i+1 >= len(b) {
			return "", scanErr(i, "bad escape")
		}
		i++
		n := 0
		switch b[i] {
		case 'b':
			sb.WriteByte('\b')
		case 't':
			sb.WriteByte('\t')
		case 'n':
			sb.WriteByte('\n')
		case 'f':
			sb.WriteByte('\f')
		case 'r':
			sb.WriteByte('\r')
		case 'e':
			sb.WriteByte(0x1b)
		case '"', '\\':
			sb.WriteByte(b[i])
		case 'x':
			n = 2
		case 'u':
			n = 4
		case 'U':
			n = 8
		default:
			return "", scanErr(i, "bad escape")
		}
		if n > 0 {
			if i+n >= len(b) {
				return "", scanErr(i, "short escape")
			}
			r, err := strconv.ParseUint(string(b[i+1:i+1+n]), 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return "", scanErr(i, "bad escape")
			}
			sb.WriteRune(rune(r))
			i += n
		}
	}
	return sb.String(), nil
}

// skipString returns the offset just after the string starting at i (one
// of the four kinds). A multi-line string's closing delimiter may be
// preceded by one or two quotes of its own kind, which belong to the value.
func skipString(text []byte, i int) (int, error) {
	q := text[i]
	triple := string([]byte{q, q, q})
	if strings.HasPrefix(string(text[i:min(len(text), i+3)]), triple) {
		for j := i + 3; j < len(text); j++ {
			if q == '"' && text[j] == '\\' {
				j++
				continue
			}
			if text[j] == q && strings.HasPrefix(string(text[j:min(len(text), j+3)]), triple) {
				n := 3
				for n < 5 && j+n < len(text) && text[j+n] == q {
					n++
				}
				return j + n, nil
			}
		}
		return 0, scanErr(i, "unterminated multi-line string")
	}
	for j := i + 1; j < len(text); j++ {
		switch {
		case q == '"' && text[j] == '\\':
			j++
		case text[j] == q:
			return j + 1, nil
		case text[j] == '\n':
			return 0, scanErr(j, "unterminated string")
		}
	}
	return 0, scanErr(i, "unterminated string")
}

// skipValue returns the offset just after the value starting at i.
func skipValue(text []byte, i int) (int, error) {
	if i >= len(text) {
		return 0, scanErr(i, "expected a value")
	}
	switch text[i] {
	case '"', '\'':
		return skipString(text, i)
	case '[':
		return skipList(text, i+1, ']', false)
	case '{':
		return skipList(text, i+1, '}', true)
	}
	j := scalarEnd(text, i)
	// A date and a time may be separated by one space instead of "T".
	if j-i == 10 && text[i+4] == '-' && text[i+7] == '-' && j+1 < len(text) && text[j] == ' ' && isDigit(text[j+1]) {
		j = scalarEnd(text, j+1)
	}
	if j == i {
		return 0, scanErr(i, "expected a value")
	}
	return j, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func scalarEnd(text []byte, i int) int {
	for i < len(text) && !strings.ContainsRune(" \t\r\n,]}#", rune(text[i])) {
		i++
	}
	return i
}

// skipList skips the rest of an array (items) or an inline table (key =
// value pairs) up to its closing byte; both may span lines, with comments
// and a trailing comma (TOML 1.1 allows them in inline tables too).
func skipList(text []byte, i int, closing byte, pairs bool) (int, error) {
	for {
		i = skipGap(text, i)
		if i < len(text) && text[i] == closing {
			return i + 1, nil
		}
		if pairs {
			_, next, err := scanKey(text, i)
			if err != nil {
				return 0, err
			}
			i = skipGap(text, next)
			if i >= len(text) || text[i] != '=' {
				return 0, scanErr(i, "expected =")
			}
			i = skipGap(text, i+1)
		}
		end, err := skipValue(text, i)
		if err != nil {
			return 0, err
		}
		i = skipGap(text, end)
		if i < len(text) && text[i] == ',' {
			i++
			continue
		}
		if i < len(text) && text[i] == closing {
			return i + 1, nil
		}
		return 0, scanErr(i, "expected , or "+string(closing))
	}
}
