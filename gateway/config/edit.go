package config

// The YAML editor: the admin API changes one provider, model or key in config.yaml through a
// Document, and everything outside the changed node — comments, key order, blank lines,
// quoting, ${ENV} text — stays byte for byte as the user wrote it.
//
// Each operation resolves its Path in the node tree, builds the tree it should produce (the
// "want" tree), and splices freshly encoded YAML into the text at the changed node only:
//
//   - A node's start is its yaml.Node line and column (columns count characters, not bytes).
//   - Its end is found by reading the text from the start: quoted scalars to their closing
//     quote, plain scalars to the end of the line (or a " #" comment), plus indented
//     continuation lines; block scalars and block collections to their last content line
//     indented deeper than their entry; flow collections to the matching bracket.
//   - An element of a block collection owns its key or dash line through its last content
//     line, the comment lines directly above it in its own column, and the comment lines
//     directly below it indented deeper than it. Delete removes those lines; insertions go
//     after them.
//
// Replacing a value keeps the key, the comment on the key's line and the comment after a
// one-line value (in its column when there is room); new text is indented like its siblings,
// with the file's indentation step and newline style.
//
// After every splice the new text is parsed again and compared with the want tree (kinds,
// tags, values); a failed edit leaves the Document unchanged. If the precise splice is
// impossible or does not produce the want tree — edits inside flow collections such as
// `{adapter: a, priority: 1}`, anchors, exotic layouts — the smallest enclosing node whose
// parent is a block collection is re-encoded from the want tree instead (without the comments
// inside it; flow collections stay flow), then its parent, and so on. Re-encoding the whole
// document, which loses the layout, is the last resort (the random-edit test checks that the
// sample configs never need it).

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Document is config.yaml as written: its bytes and node tree. Edits change only the text of
// the node they address. A Document is not safe for concurrent use.
type Document struct {
	text    []byte
	root    *yaml.Node // a document node holding the top-level node
	x       *textIndex
	nl      string // "\n" or "\r\n", as the file's first line ends
	unit    int    // indentation step used for new block collections
	virtual bool   // the top-level mapping is not in the text (the file is empty)

	// reencoded tells tests how the last edit was written: 0 by a precise splice, n > 0 by
	// re-encoding the node n steps down its path, -1 by re-encoding the whole document.
	reencoded int
}

// ParseDocument parses config.yaml text. Syntax errors carry the YAML line; an empty file
// (or one with only comments) is an empty mapping. Only one YAML document is supported.
func ParseDocument(text []byte) (*Document, error) {
	text = bytes.Clone(text)
	dec := yaml.NewDecoder(bytes.NewReader(text))
	root := new(yaml.Node)
	if err := dec.Decode(root); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config: parsing YAML: %w", err)
	}
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, fmt.Errorf("config: parsing YAML: %w", err)
		}
		return nil, errors.New("config: parsing YAML: the file holds more than one document")
	}
	d := &Document{text: text, root: root, x: newTextIndex(text), nl: "\n", unit: 2}
	if i := bytes.IndexByte(text, '\n'); i > 0 && text[i-1] == '\r' {
		d.nl = "\r\n"
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		d.root, d.virtual = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{emptyMap()}}, true
	} else if top := root.Content[0]; top.Kind == yaml.ScalarNode {
		if o, err := d.x.pos(top); err != nil || d.x.isEmptyNull(top, o) {
			root.Content[0], d.virtual = emptyMap(), true
		}
	}
	d.unit = detectUnit(d.top())
	return d, nil
}

func emptyMap() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

// detectUnit returns the file's indentation step: how much deeper the first nested block
// mapping is than its key (2 when there is none).
func detectUnit(n *yaml.Node) int {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && v.Line > k.Line {
			if u := v.Content[0].Column - k.Column; u >= 2 && u <= 9 {
				return u
			}
		}
	}
	for _, c := range n.Content {
		if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
			if u := detectUnit(c); u != 2 {
				return u
			}
		}
	}
	return 2
}

// Bytes returns the current text.
func (d *Document) Bytes() []byte { return bytes.Clone(d.text) }

func (d *Document) top() *yaml.Node { return d.root.Content[0] }

// Get returns the node at p. The node belongs to the Document: do not modify it; it is
// replaced by the next edit.
func (d *Document) Get(p Path) (*yaml.Node, bool) {
	frames, err := resolve(d.top(), p)
	if err != nil {
		return nil, false
	}
	return frames[len(frames)-1].node, true
}

// Set replaces the value at p with value: a Go value encoded with yaml.v3 (maps, structs,
// scalars) or a *yaml.Node written as it is. When the last step is a key the mapping does not
// have, the key is added after the mapping's last entry, in its column; a null or {} parent
// becomes a block mapping. A Go value takes the style of the value it replaces (flow stays
// flow, quoted strings stay quoted, mapping keys keep their order). Strings are written as
// given: ${ENV} is never expanded.
func (d *Document) Set(p Path, value any) error {
	if err := d.set(p, value); err != nil {
		return fmt.Errorf("config: set %s: %w", p, err)
	}
	return nil
}

func (d *Document) set(p Path, value any) error {
	if len(p) == 0 {
		return errors.New("empty path")
	}
	n, fromGo, err := toNode(value)
	if err != nil {
		return err
	}
	frames, err := resolve(d.top(), p[:len(p)-1])
	if err != nil {
		return err
	}
	pf, last := frames[len(frames)-1], p[len(p)-1]
	parent, want := pf.node, copyNode(d.root)
	wparent := wantAt(want.Content[0], frames)
	if last.kind == stepKey && isNullOrEmptyFlow(parent, yaml.MappingNode) && !(d.virtual && pf.parent == nil) {
		m := emptyMap()
		m.Content = []*yaml.Node{strNode(last.Key), n}
		*wparent = *copyNode(m)
		return d.apply(want, func() (splice, error) { return d.replaceAt(pf, m) }, frames)
	}
	idx, err := child(parent, last, p)
	if errors.Is(err, ErrPathNotFound) && last.kind == stepKey {
		wparent.Content = append(wparent.Content, strNode(last.Key), copyNode(n))
		return d.apply(want, func() (splice, error) { return d.insertKey(parent, last.Key, n) }, frames)
	} else if err != nil {
		return err
	}
	old := parent.Content[idx]
	if parent.Kind == yaml.MappingNode {
		old = parent.Content[2*idx+1]
	}
	if fromGo {
		inherit(n, old)
	}
	f := frame{node: old, parent: parent, index: idx}
	*wantAt(want.Content[0], append(frames, f)) = *copyNode(n)
	return d.apply(want, func() (splice, error) { return d.replaceAt(f, n) }, append(frames, f))
}

// Delete removes the mapping entry or sequence element at p, with the comment lines directly
// above it. Deleting the only element of a block collection leaves `key: []` or `key: {}`.
func (d *Document) Delete(p Path) error {
	if err := d.delete(p); err != nil {
		return fmt.Errorf("config: delete %s: %w", p, err)
	}
	return nil
}

func (d *Document) delete(p Path) error {
	if len(p) == 0 {
		return errors.New("cannot delete the whole document")
	}
	frames, err := resolve(d.top(), p)
	if err != nil {
		return err
	}
	f, up := frames[len(frames)-1], frames[:len(frames)-1]
	c, want := f.parent, copyNode(d.root)
	wc := wantAt(want.Content[0], up)
	size := pairSize(c)
	wc.Content = append(wc.Content[:f.index*size:f.index*size], wc.Content[(f.index+1)*size:]...)
	var precise func() (splice, error)
	switch {
	case c.Style&yaml.FlowStyle != 0:
	case len(c.Content) == size && len(up) > 1:
		wc.Style |= yaml.FlowStyle
		empty := &yaml.Node{Kind: c.Kind, Tag: c.Tag, Style: yaml.FlowStyle}
		precise = func() (splice, error) { return d.replaceAt(up[len(up)-1], empty) }
	default:
		precise = func() (splice, error) { return d.x.deleteEntry(c, f.index) }
	}
	return d.apply(want, precise, up)
}

// Append adds value as the last element of the sequence at p. When p does not exist (its
// parent being a mapping), is null or is an empty sequence, it becomes a block sequence
// holding value. A Go value takes the style of the sequence's last element.
func (d *Document) Append(p Path, value any) error {
	if err := d.append(p, value); err != nil {
		return fmt.Errorf("config: append to %s: %w", p, err)
	}
	return nil
}

func (d *Document) append(p Path, value any) error {
	n, fromGo, err := toNode(value)
	if err != nil {
		return err
	}
	frames, err := resolve(d.top(), p)
	newSeq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{n}}
	if errors.Is(err, ErrPathNotFound) && len(frames) == len(p) && p[len(p)-1].kind == stepKey {
		return d.set(p, newSeq)
	} else if err != nil {
		return err
	}
	seq := frames[len(frames)-1].node
	if isNullOrEmptyFlow(seq, yaml.SequenceNode) {
		return d.set(p, newSeq)
	}
	if seq.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s is %s, not a sequence", p, kindName(seq))
	}
	if fromGo {
		inherit(n, seq.Content[len(seq.Content)-1])
	}
	want := copyNode(d.root)
	ws := wantAt(want.Content[0], frames)
	ws.Content = append(ws.Content, copyNode(n))
	return d.apply(want, func() (splice, error) {
		e, err := d.x.entry(seq, len(seq.Content)-1)
		if err != nil {
			return splice{}, err
		}
		lines, err := renderEntry(nil, n, d.unit)
		return d.x.insertAfter(e, lines, e.indent), err
	}, frames)
}

// RenameKey renames the mapping key at p (the last step must be a key) to newKey in place,
// keeping its value, comments and position. It fails if the mapping already has newKey.
func (d *Document) RenameKey(p Path, newKey string) error {
	if err := d.renameKey(p, newKey); err != nil {
		return fmt.Errorf("config: rename %s: %w", p, err)
	}
	return nil
}

func (d *Document) renameKey(p Path, newKey string) error {
	if len(p) == 0 || p[len(p)-1].kind != stepKey {
		return errors.New("the path must end with a key")
	}
	if strings.ContainsAny(newKey, "\r\n") {
		return errors.New("a key cannot contain a line break")
	}
	frames, err := resolve(d.top(), p)
	if err != nil || newKey == p[len(p)-1].Key {
		return err
	}
	f, up := frames[len(frames)-1], frames[:len(frames)-1]
	if mapIndex(f.parent, newKey) >= 0 {
		return fmt.Errorf("%s already has the key %q", describePrefix(p), newKey)
	}
	k := f.parent.Content[2*f.index]
	nk := strNode(newKey)
	nk.Style = k.Style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle)
	want := copyNode(d.root)
	wantAt(want.Content[0], up).Content[2*f.index] = copyNode(nk)
	return d.apply(want, func() (splice, error) {
		s, err := d.x.pos(k)
		if err != nil {
			return splice{}, err
		}
		e, err := d.x.scalarEnd(k, s, -1, f.parent.Style&yaml.FlowStyle != 0)
		if err != nil {
			return splice{}, err
		}
		lines, err := encodeLines(nk, d.unit)
		if err != nil || len(lines) != 1 {
			return splice{}, fmt.Errorf("key %q does not fit on one line", newKey)
		}
		return splice{s, e, lines[0]}, nil
	}, up)
}

func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func isNullOrEmptyFlow(n *yaml.Node, kind yaml.Kind) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" || n.Kind == kind && len(n.Content) == 0
}

// wantAt follows frames (as resolved in the current tree) through the want tree top.
func wantAt(top *yaml.Node, frames []frame) *yaml.Node {
	cur := top
	for _, f := range frames[1:] {
		i := f.index
		if f.parent.Kind == yaml.MappingNode {
			i = 2*i + 1
		}
		if cur == nil || i >= len(cur.Content) {
			return nil
		}
		cur = cur.Content[i]
	}
	return cur
}
