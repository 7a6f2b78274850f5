package config

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// splice is one text replacement: text[start:end] becomes repl (written with "\n" newlines).
type splice struct {
	start, end int
	repl       string
}

// entry is one element of a block collection as written: a mapping's "key: value" or a
// sequence's "- value".
type entry struct {
	start  int // offset of the key or the dash
	ind    int // offset just after the ':' or the '-'
	indent int // 0-based column of the key or the dash
	vstart int // offset of the value; ind when the value is empty
	end    int // offset just after the value's text; ind when the value is empty
	value  *yaml.Node
	seq    bool
}

// entry locates element i of the block collection c (a pair index for a mapping).
func (x *textIndex) entry(c *yaml.Node, i int) (entry, error) {
	var e entry
	if c.Style&yaml.FlowStyle != 0 {
		return e, fmt.Errorf("flow collection at line %d", c.Line)
	}
	var err error
	if c.Kind == yaml.MappingNode {
		k := c.Content[2*i]
		e.value, e.indent = c.Content[2*i+1], k.Column-1
		if k.Kind != yaml.ScalarNode {
			return e, fmt.Errorf("complex key at line %d", k.Line)
		}
		if e.start, err = x.pos(k); err != nil {
			return e, err
		}
		o, err := x.scalarEnd(k, e.start, -1, false)
		if err != nil {
			return e, err
		}
		for o < len(x.text) && isSpace(x.text[o]) {
			o++
		}
		if o >= len(x.text) || x.text[o] != ':' {
			return e, fmt.Errorf("no ':' after the key at line %d", k.Line)
		}
		e.ind = o + 1
	} else {
		e.seq, e.value, e.indent = true, c.Content[i], c.Column-1
		if e.start, err = x.dash(c, i); err != nil {
			return e, err
		}
		e.ind = e.start + 1
	}
	if e.vstart, err = x.pos(e.value); err != nil {
		return e, err
	}
	if x.isEmptyNull(e.value, e.vstart) {
		e.vstart, e.end = e.ind, e.ind
		return e, nil
	}
	e.end, err = x.end(e.value, e.indent, false)
	return e, err
}

// dash finds the '-' of element i of the block sequence seq: the last one in the sequence's
// column at or before the element.
func (x *textIndex) dash(seq *yaml.Node, i int) (int, error) {
	if o, err := x.pos(seq); err != nil || x.text[o] != '-' {
		return 0, fmt.Errorf("no '-' where the sequence at line %d starts", seq.Line)
	}
	item, low := seq.Content[i], seq.Line
	if i > 0 {
		low = seq.Content[i-1].Line
	}
	for l := item.Line; l >= low; l-- {
		o, err := x.offset(l, seq.Column)
		if err != nil || x.text[o] != '-' {
			continue
		}
		if next := o + 1; next < len(x.text) && !isSpace(x.text[next]) && x.text[next] != '\n' && x.text[next] != '\r' {
			continue
		}
		if l < item.Line || seq.Column < item.Column {
			return o, nil
		}
	}
	return 0, fmt.Errorf("no '-' for the element at line %d", item.Line)
}

// ownLines returns the whole lines an entry owns: the comment lines directly above it in its own
// column, its text, and the comment lines directly below it indented deeper than it.
func (x *textIndex) ownLines(e entry) (first, last int) {
	first, last = x.lineOf(e.start), x.lineOf(e.end)
	for first > 0 && x.comment(first-1) && x.indent(first-1) == e.indent {
		first--
	}
	for last+1 < x.count() && x.comment(last+1) && x.indent(last+1) > e.indent {
		last++
	}
	return first, last
}

// replaceValue replaces the value of e with n, keeping the key or dash, the comment on the
// key's line and the comment after a one-line value.
func (x *textIndex) replaceValue(e entry, n *yaml.Node, unit int) (splice, error) {
	first, body, err := render(n, e.seq, unit)
	if err != nil {
		return splice{}, err
	}
	l := x.lineOf(e.ind)
	oneLine := x.lineOf(e.vstart) == l && x.lineOf(e.end) == l
	switch {
	case oneLine && len(body) == 0 && e.vstart == e.end:
		return splice{e.ind, e.ind, first}, nil
	case oneLine && len(body) == 0:
		return x.replaceInline(e, bytes.TrimLeft([]byte(first), " ")), nil
	}
	var keep []byte
	if oneLine {
		keep = x.text[e.end:x.eol(e.end)]
	} else if x.lineOf(e.vstart) > l {
		keep = x.text[e.ind:x.eol(e.ind)]
	}
	if t := bytes.TrimLeft(keep, " \t"); len(t) == 0 || t[0] != '#' {
		keep = nil
	}
	return splice{e.ind, x.eol(e.end), first + string(keep) + indentLines(body, e.indent)}, nil
}

// replaceInline replaces a one-line value by a one-line text, keeping a comment after it in
// its column when there is room.
func (x *textIndex) replaceInline(e entry, repl []byte) splice {
	s := splice{e.vstart, e.end, string(repl)}
	tail := x.text[e.end:x.eol(e.end)]
	sp := len(tail) - len(bytes.TrimLeft(tail, " "))
	if sp >= 2 && sp < len(tail) && tail[sp] == '#' {
		grow := utf8.RuneCount(repl) - utf8.RuneCount(x.text[e.vstart:e.end])
		s.end += sp
		s.repl += spaces(max(sp-grow, 1))
	}
	return s
}

// insertAfter adds lines (at column indent) after entry e and the comments it owns.
func (x *textIndex) insertAfter(e entry, lines []string, indent int) splice {
	_, last := x.ownLines(e)
	at := x.lineEnd(last)
	return splice{at, at, indentLines(lines, indent)}
}

// deleteEntry removes element i of the block collection c, which has other elements.
func (x *textIndex) deleteEntry(c *yaml.Node, i int) (splice, error) {
	e, err := x.entry(c, i)
	if err != nil {
		return splice{}, err
	}
	if !x.atLineStart(e.start) { // "- key: v" or "- - v": the next element moves up onto the line
		if i+1 >= len(c.Content)/pairSize(c) {
			return splice{}, fmt.Errorf("element at line %d shares its line", c.Line)
		}
		next, err := x.entry(c, i+1)
		if err != nil {
			return splice{}, err
		}
		return splice{e.start, next.start, ""}, nil
	}
	first, last := x.ownLines(e)
	if (i == 0 || first > 0 && x.blank(first-1)) && last+1 < x.count() && x.lineStart(last+1) < len(x.text) && x.blank(last+1) {
		last++ // keep one blank line, not two, between the neighbours (and none after the key)
	}
	start, end := x.lineStart(first), len(x.text)
	if last+1 < x.count() {
		end = x.lineStart(last + 1)
	} else if first > 0 { // the last line has no newline: take the one before it
		start = x.lineEnd(first - 1)
	}
	return splice{start, end, ""}, nil
}

func pairSize(c *yaml.Node) int {
	if c.Kind == yaml.MappingNode {
		return 2
	}
	return 1
}
