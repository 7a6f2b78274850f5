package claudecode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ParseError says why settings.json is not JSON the switch can edit. Line and
// Column (both from 1; the column counts bytes) locate the problem when it is
// a syntax error, and are 0 otherwise.
type ParseError struct {
	Path         string
	Line, Column int
	Reason       string
}

func (e *ParseError) Error() string {
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf(" at line %d, column %d", e.Line, e.Column)
	}
	return fmt.Sprintf("%s is not valid JSON%s: %s; ModelSwitch leaves it untouched, fix it by hand and try again",
		e.Path, where, e.Reason)
}

// member is one "name": value pair of a JSON object, as byte offsets into
// the text: keyStart is the opening quote of the name, keyEnd is just after
// its closing quote, [valStart, valEnd) is the value.
type member struct {
	name                     string
	keyStart, keyEnd         int
	valStart, valEnd         int
	valueIsObject, duplicate bool
}

// object is a JSON object in the text: the offsets of its braces and its
// members in file order.
type object struct {
	open, close int
	members     []member
}

// find returns the index of the member named name, or -1.
func (o *object) find(name string) int {
	for i, m := range o.members {
		if m.name == name {
			return i
		}
	}
	return -1
}

// parseRoot checks that text is one JSON object (json.Valid decides; a
// *ParseError with line and column otherwise) and returns the spans of its
// top-level members.
func parseRoot(path string, text []byte) (object, error) {
	if !json.Valid(text) {
		return object{}, syntaxError(path, text)
	}
	i := skipWS(text, 0)
	if text[i] != '{' {
		return object{}, &ParseError{Path: path, Reason: "the top level is not a JSON object"}
	}
	return parseObject(text, i)
}

// syntaxError turns encoding/json's complaint about text into a *ParseError.
func syntaxError(path string, text []byte) error {
	if bytes.HasPrefix(text, []byte("\xEF\xBB\xBF")) {
		return &ParseError{Path: path, Line: 1, Column: 1, Reason: "the file starts with a UTF-8 byte order mark"}
	}
	var v any
	err := json.Unmarshal(text, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return &ParseError{Path: path, Reason: err.Error()}
	}
	// encoding/json counts the offending byte as read; at the end of the
	// input the offset is the length, which points just past the last byte.
	off := min(int(se.Offset), len(text))
	if off > 0 && se.Error() != "unexpected end of JSON input" {
		off--
	}
	line := 1 + bytes.Count(text[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(text[:off], '\n')
	return &ParseError{Path: path, Line: line, Column: col, Reason: se.Error()}
}

func skipWS(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

var errScan = errors.New("claudecode: unexpected JSON text")

// scanString returns the offset just after the string that opens at s[i].
func scanString(s []byte, i int) (int, error) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errScan
}

// skipValue returns the offset just after the value that starts at s[i].
// The text has passed json.Valid, so it only tracks strings and nesting.
func skipValue(s []byte, i int) (int, error) {
	depth := 0
	for i < len(s) {
		switch s[i] {
		case '"':
			end, err := scanString(s, i)
			if err != nil {
				return 0, err
			}
			i = end
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return 0, errScan
			}
			depth--
			i++
		default:
			if depth == 0 {
				j := i
				for j < len(s) && !bytes.ContainsRune([]byte(" \t\r\n,}]:"), rune(s[j])) {
					j++
				}
				if j == i {
					return 0, errScan
				}
				return j, nil
			}
			i++
			continue
		}
		if depth == 0 {
			return i, nil
		}
	}
	return 0, errScan
}

// parseObject records the members of the object whose '{' is at s[open].
// Members whose name appeared before are marked duplicate.
func parseObject(s []byte, open int) (object, error) {
	o := object{open: open}
	seen := map[string]bool{}
	i := skipWS(s, open+1)
	if i < len(s) && s[i] == '}' {
		o.close = i
		return o, nil
	}
	for i < len(s) && s[i] == '"' {
		var m member
		m.keyStart = i
		end, err := scanString(s, i)
		if err != nil {
			return o, err
		}
		m.keyEnd = end
		if err := json.Unmarshal(s[m.keyStart:m.keyEnd], &m.name); err != nil {
			return o, err
		}
		i = skipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return o, errScan
		}
		m.valStart = skipWS(s, i+1)
		if m.valEnd, err = skipValue(s, m.valStart); err != nil {
			return o, err
		}
		m.valueIsObject = s[m.valStart] == '{'
		m.duplicate = seen[m.name]
		seen[m.name] = true
		o.members = append(o.members, m)
		i = skipWS(s, m.valEnd)
		if i < len(s) && s[i] == '}' {
			o.close = i
			return o, nil
		}
		if i >= len(s) || s[i] != ',' {
			return o, errScan
		}
		i = skipWS(s, i+1)
	}
	return o, errScan
}

// splice returns s with s[from:to] replaced by repl, in a new slice.
func splice(s []byte, from, to int, repl []byte) []byte {
	out := make([]byte, 0, len(s)-(to-from)+len(repl))
	out = append(out, s[:from]...)
	out = append(out, repl...)
	return append(out, s[to:]...)
}

// indentUnit is the file's indentation step: the leading white space of the
// first indented line (two spaces, four spaces, a tab ...), or two spaces
// when no line is indented.
func indentUnit(s []byte) string {
	for _, line := range bytes.Split(s, []byte("\n")) {
		n := 0
		for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
			n++
		}
		if n > 0 && n < len(line) && line[n] != '\r' {
			return string(line[:n])
		}
	}
	return "  "
}

// lineIndent is the leading white space of the line that holds s[pos].
func lineIndent(s []byte, pos int) string {
	start := bytes.LastIndexByte(s[:pos], '\n') + 1
	end := start
	for end < pos && (s[end] == ' ' || s[end] == '\t') {
		end++
	}
	return string(s[start:end])
}

// newline is the file's line ending: "\r\n" if it uses them, else "\n".
func newline(s []byte) string {
	if bytes.Contains(s, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// insertMember adds "name": raw as the last member of o, copying the
// object's own separator and colon style; into an empty object it writes
// one member per line (or inline when compact is set). Deleting the member
// again with deleteMember gives back the original text byte for byte.
func insertMember(s []byte, o object, name string, raw []byte, compact bool) []byte {
	key, _ := json.Marshal(name)
	if len(o.members) == 0 {
		colon := ": "
		var in []byte
		if compact {
			in = append(append(append(in, key...), ':'), raw...)
		} else {
			nl, ind := newline(s), lineIndent(s, o.open)
			in = append(in, nl+ind+indentUnit(s)...)
			in = append(append(append(in, key...), colon...), raw...)
			in = append(in, nl+ind...)
		}
		return splice(s, o.open+1, o.close, in)
	}
	last := o.members[len(o.members)-1]
	colon := s[last.keyEnd:last.valStart]
	var sep []byte
	if len(o.members) > 1 {
		prev := o.members[len(o.members)-2]
		gap := s[prev.valEnd:last.keyStart]
		sep = gap[bytes.IndexByte(gap, ','):]
	} else {
		sep = append([]byte{','}, s[o.open+1:last.keyStart]...)
	}
	in := append(append(append(append([]byte{}, sep...), key...), colon...), raw...)
	return splice(s, last.valEnd, last.valEnd, in)
}

// deleteMember removes member k of o together with one separating comma.
func deleteMember(s []byte, o object, k int) []byte {
	switch {
	case len(o.members) == 1:
		return splice(s, o.open+1, o.close, nil)
	case k > 0:
		return splice(s, o.members[k-1].valEnd, o.members[k].valEnd, nil)
	default:
		return splice(s, o.members[0].keyStart, o.members[1].keyStart, nil)
	}
}
