package config

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// textIndex maps yaml.Node positions (1-based line, 1-based column counted in characters) to
// byte offsets, and answers line questions. A line's content excludes its "\n" or "\r\n".
type textIndex struct {
	text  []byte
	lines []int // byte offset of each line's start
}

func newTextIndex(text []byte) *textIndex {
	x := &textIndex{text: text, lines: []int{0}}
	if bytes.HasPrefix(text, []byte("\ufeff")) { // yaml.v3 does not count a BOM
		x.lines[0] = 3
	}
	for i, c := range text {
		if c == '\n' {
			x.lines = append(x.lines, i+1)
		}
	}
	return x
}

func (x *textIndex) count() int          { return len(x.lines) }
func (x *textIndex) lineStart(l int) int { return x.lines[l] }
func (x *textIndex) lineOf(off int) int  { return max(sort.SearchInts(x.lines, off+1)-1, 0) }
func (x *textIndex) eol(off int) int     { return x.lineEnd(x.lineOf(off)) }
func (x *textIndex) line(l int) []byte   { return x.text[x.lines[l]:x.lineEnd(l)] }
func (x *textIndex) blank(l int) bool    { return len(bytes.Trim(x.line(l), " \t")) == 0 }
func (x *textIndex) comment(l int) bool {
	return bytes.HasPrefix(bytes.TrimLeft(x.line(l), " \t"), []byte("#"))
}
func (x *textIndex) atLineStart(o int) bool {
	return len(bytes.Trim(x.text[x.lines[x.lineOf(o)]:o], " ")) == 0
}

// lineEnd is the offset of the end of line l's content.
func (x *textIndex) lineEnd(l int) int {
	if l+1 < len(x.lines) {
		e := x.lines[l+1] - 1
		if e > x.lines[l] && x.text[e-1] == '\r' {
			e--
		}
		return e
	}
	return len(x.text)
}

// indent counts the spaces that start line l.
func (x *textIndex) indent(l int) int {
	ln := x.line(l)
	return len(ln) - len(bytes.TrimLeft(ln, " "))
}

// offset converts a node position to a byte offset.
func (x *textIndex) offset(line, col int) (int, error) {
	if line < 1 || line > len(x.lines) || col < 1 {
		return 0, fmt.Errorf("position %d:%d outside the text", line, col)
	}
	o, end := x.lines[line-1], x.lineEnd(line-1)
	for c := 1; c < col; c++ {
		if o >= end {
			return 0, fmt.Errorf("position %d:%d outside line %d", line, col, line)
		}
		_, w := utf8.DecodeRune(x.text[o:end])
		o += w
	}
	return o, nil
}

func (x *textIndex) pos(n *yaml.Node) (int, error) { return x.offset(n.Line, n.Column) }

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func isFlowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }

// skipProps skips an anchor (&a) and a tag (!t) and the blanks after them.
func (x *textIndex) skipProps(o int) int {
	for o < len(x.text) && (x.text[o] == '&' || x.text[o] == '!') {
		for o < len(x.text) && !isSpace(x.text[o]) && x.text[o] != '\n' && x.text[o] != '\r' {
			o++
		}
		for o < len(x.text) && isSpace(x.text[o]) {
			o++
		}
	}
	return o
}

// isEmptyNull reports whether n is a null written as nothing at all (`key:` or `-`).
func (x *textIndex) isEmptyNull(n *yaml.Node, o int) bool {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!null" || n.Value != "" || n.Anchor != "" {
		return false
	}
	return o >= len(x.text) || isSpace(x.text[o]) || x.text[o] == '\n' || x.text[o] == '\r' ||
		x.text[o] == '#' || isFlowIndicator(x.text[o])
}

// end returns the offset just after the text of n: its last character that is not a comment
// or blank. indent is the column (0-based) of the entry holding n — a mapping's key or a
// sequence's dash, -1 at the top — which bounds block scalars and multi-line plain scalars.
func (x *textIndex) end(n *yaml.Node, indent int, flow bool) (int, error) {
	s, err := x.pos(n)
	if err != nil {
		return 0, err
	}
	switch n.Kind {
	case yaml.AliasNode:
		o := s + 1
		for o < len(x.text) && !isSpace(x.text[o]) && x.text[o] != '\n' && x.text[o] != '\r' && !isFlowIndicator(x.text[o]) {
			o++
		}
		return o, nil
	case yaml.ScalarNode:
		return x.scalarEnd(n, s, indent, flow)
	case yaml.MappingNode, yaml.SequenceNode:
		if flow || n.Style&yaml.FlowStyle != 0 {
			return x.flowEnd(x.skipProps(s))
		}
		if len(n.Content) == 0 {
			return 0, fmt.Errorf("empty block collection at line %d", n.Line)
		}
		last, col := n.Content[len(n.Content)-1], n.Column
		if n.Kind == yaml.MappingNode {
			col = n.Content[len(n.Content)-2].Column
		}
		return x.end(last, col-1, false)
	}
	return 0, fmt.Errorf("unexpected node kind %d at line %d", n.Kind, n.Line)
}

func (x *textIndex) scalarEnd(n *yaml.Node, s, indent int, flow bool) (int, error) {
	if x.isEmptyNull(n, s) {
		return s, nil
	}
	o := x.skipProps(s)
	t := x.text
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0, n.Style&yaml.SingleQuotedStyle != 0:
		return x.quotedEnd(o)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		e := o
		for e < len(t) && !isSpace(t[e]) && t[e] != '\n' && t[e] != '\r' {
			e++
		}
		for l := x.lineOf(o) + 1; l < x.count(); l++ {
			if x.blank(l) {
				continue
			}
			if x.indent(l) <= indent {
				break
			}
			e = x.lineEnd(l)
		}
		return e, nil
	}
	e, stopped := x.plainLine(o, flow)
	for l := x.lineOf(e) + 1; !flow && !stopped && l < x.count(); l++ {
		// Continuation lines of a multi-line plain scalar are indented more than its entry.
		if x.blank(l) {
			continue
		}
		if x.comment(l) || x.indent(l) <= indent {
			break
		}
		e, stopped = x.plainLine(x.lineStart(l)+x.indent(l), false)
	}
	if o == s && x.lineOf(e) == x.lineOf(o) && string(t[o:e]) != n.Value {
		// A single-line plain scalar is its value verbatim; anything else means we misread it.
		return 0, fmt.Errorf("cannot locate the scalar at line %d", n.Line)
	}
	return e, nil
}

// plainLine scans a plain scalar from o to the end of its line; stopped reports that a comment
// or a ": " (or, in flow context, a flow indicator) ended it first.
func (x *textIndex) plainLine(o int, flow bool) (end int, stopped bool) {
	t, le := x.text, x.eol(o)
	j := o
	for ; j < le; j++ {
		c := t[j]
		if c == '#' && j > o && isSpace(t[j-1]) ||
			c == ':' && (j+1 == le || isSpace(t[j+1]) || flow && isFlowIndicator(t[j+1])) ||
			flow && isFlowIndicator(c) {
			stopped = true
			break
		}
	}
	for j > o && isSpace(t[j-1]) {
		j--
	}
	return j, stopped
}

// quotedEnd returns the offset after the closing quote of the scalar quoted at o.
func (x *textIndex) quotedEnd(o int) (int, error) {
	t := x.text
	if o >= len(t) || t[o] != '"' && t[o] != '\'' {
		return 0, fmt.Errorf("expected a quote at offset %d", o)
	}
	q := t[o]
	for i := o + 1; i < len(t); i++ {
		switch {
		case q == '"' && t[i] == '\\':
			i++
		case t[i] == q && q == '\'' && i+1 < len(t) && t[i+1] == '\'':
			i++
		case t[i] == q:
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated quoted scalar at offset %d", o)
}

// flowEnd returns the offset after the bracket that closes the flow collection opened at o.
func (x *textIndex) flowEnd(o int) (int, error) {
	t := x.text
	if o >= len(t) || t[o] != '[' && t[o] != '{' {
		return 0, fmt.Errorf("expected [ or { at offset %d", o)
	}
	depth, sep := 0, true
	for i := o; i < len(t); i++ {
		c := t[i]
		switch {
		case (c == '"' || c == '\'') && sep:
			e, err := x.quotedEnd(i)
			if err != nil {
				return 0, err
			}
			i = e - 1
		case c == '#' && (isSpace(t[i-1]) || t[i-1] == '\n'):
			i = x.eol(i) - 1
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth--; depth == 0 {
				return i + 1, nil
			}
		}
		sep = isSpace(c) || c == '\n' || c == '\r' || c == ',' || c == ':' || c == '[' || c == '{'
	}
	return 0, fmt.Errorf("unterminated flow collection at offset %d", o)
}
