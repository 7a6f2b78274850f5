package config

import (
	"errors"
	"strings"

	"gopkg.in/yaml.v3"
)

// errUnsplicable means no splice reproduced the wanted tree; it should not happen for files
// yaml.v3 can both read and write.
var errUnsplicable = errors.New("the edit could not be written into the text without breaking it")

// apply commits want, the tree an edit must produce. It tries the precise splice first (nil
// when there is none), then re-encodes the nodes of frames from the deepest up (see the top of
// edit.go). frames are the changed node's ancestors as resolved in the current tree.
func (d *Document) apply(want *yaml.Node, precise func() (splice, error), frames []frame) error {
	if precise != nil {
		if s, err := precise(); err == nil && d.try(s, want) {
			d.reencoded = 0
			return nil
		}
	}
	for j := len(frames) - 1; j > 0; j-- {
		f := frames[j]
		if f.parent.Style&yaml.FlowStyle != 0 {
			continue // re-encode the flow collection that holds it instead
		}
		n := wantAt(want.Content[0], frames[:j+1])
		if n == nil {
			continue
		}
		if s, err := d.replaceAt(f, stripComments(copyNode(n))); err == nil && d.try(s, want) {
			d.reencoded = j
			return nil
		}
	}
	for _, w := range []*yaml.Node{want, stripComments(copyNode(want))} {
		if lines, err := encodeLines(w, d.unit); err == nil && d.try(splice{0, len(d.text), strings.Join(lines, "\n") + "\n"}, want) {
			d.reencoded = -1
			return nil
		}
	}
	return errUnsplicable
}

// try applies s and keeps the result if it parses into want.
func (d *Document) try(s splice, want *yaml.Node) bool {
	repl := s.repl
	if d.nl != "\n" {
		repl = strings.ReplaceAll(repl, "\n", d.nl)
	}
	text := make([]byte, 0, len(d.text)-(s.end-s.start)+len(repl))
	text = append(append(append(text, d.text[:s.start]...), repl...), d.text[s.end:]...)
	nd, err := ParseDocument(text)
	if err != nil || !semEqual(nd.top(), want.Content[0]) {
		return false
	}
	*d = *nd
	return true
}

// replaceAt splices n in place of the value at f, which sits in a block collection.
func (d *Document) replaceAt(f frame, n *yaml.Node) (splice, error) {
	if f.parent == nil {
		return splice{}, errors.New("the top-level node has no entry")
	}
	e, err := d.x.entry(f.parent, f.index)
	if err != nil {
		return splice{}, err
	}
	return d.x.replaceValue(e, n, d.unit)
}

// insertKey adds "key: n" after the last entry of the block mapping m, in its column; into an
// empty file it goes at the end.
func (d *Document) insertKey(m *yaml.Node, key string, n *yaml.Node) (splice, error) {
	lines, err := renderEntry(strNode(key), n, d.unit)
	if err != nil {
		return splice{}, err
	}
	if len(m.Content) == 0 {
		if !d.virtual || m != d.top() {
			return splice{}, errors.New("empty mapping in the text")
		}
		text := strings.Join(lines, "\n")
		if len(d.text) > 0 && d.text[len(d.text)-1] != '\n' {
			return splice{len(d.text), len(d.text), "\n" + text}, nil
		}
		return splice{len(d.text), len(d.text), text + "\n"}, nil
	}
	e, err := d.x.entry(m, len(m.Content)/2-1)
	if err != nil {
		return splice{}, err
	}
	return d.x.insertAfter(e, lines, e.indent), nil
}
