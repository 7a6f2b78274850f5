package config

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// toNode turns a value given to Set or Append into a node. Go values are encoded with
// yaml.v3; a *yaml.Node (or yaml.Node) is copied as it is, a document node unwrapped.
// fromGo reports the former: only those get their style from the node they replace.
func toNode(value any) (n *yaml.Node, fromGo bool, err error) {
	switch v := value.(type) {
	case *yaml.Node:
		if v == nil {
			return nil, false, fmt.Errorf("nil *yaml.Node")
		}
		n = copyNode(v)
	case yaml.Node:
		n = copyNode(&v)
	default:
		if n, err = encodeGo(value); err != nil {
			return nil, false, err
		}
		fromGo = true
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) != 1 {
			return nil, false, fmt.Errorf("empty document node")
		}
		n = n.Content[0]
	}
	if n.Kind == 0 {
		return nil, false, fmt.Errorf("node has no kind")
	}
	return n, fromGo, nil
}

// encodeGo encodes a Go value; yaml.v3 panics on some types (funcs, channels).
func encodeGo(value any) (n *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("cannot encode %T: %v", value, r)
		}
	}()
	n = new(yaml.Node)
	return n, n.Encode(value)
}

// copyNode deep-copies a node tree (aliases keep pointing at the original anchors' copies
// only when those are inside the copied tree; config files do not use them).
func copyNode(n *yaml.Node) *yaml.Node {
	c := *n
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, k := range n.Content {
			c.Content[i] = copyNode(k)
		}
	}
	return &c
}

func stripComments(n *yaml.Node) *yaml.Node {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		stripComments(c)
	}
	return n
}

// inherit makes a freshly encoded value look like the one it replaces or follows: flow
// collections stay flow, quoted strings keep their quotes, and mapping keys keep the old
// order (new keys follow, in yaml.v3's sorted order).
func inherit(n, old *yaml.Node) {
	if old == nil {
		return
	}
	switch {
	case n.Kind == yaml.ScalarNode && old.Kind == yaml.ScalarNode:
		if n.ShortTag() == "!!str" && old.ShortTag() == "!!str" && n.Style == 0 && !strings.Contains(n.Value, "\n") {
			n.Style = old.Style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle)
		}
	case n.Kind != old.Kind || n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode:
	case old.Style&yaml.FlowStyle != 0:
		n.Style |= yaml.FlowStyle
	case n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			if len(old.Content) > 0 {
				inherit(c, old.Content[min(i, len(old.Content)-1)])
			}
		}
	default:
		pairs := make([][2]*yaml.Node, 0, len(n.Content)/2)
		var rest [][2]*yaml.Node
		for i := 0; i+1 < len(old.Content); i += 2 {
			if j := mapIndex(n, old.Content[i].Value); j >= 0 {
				pairs = append(pairs, [2]*yaml.Node{n.Content[2*j], n.Content[2*j+1]})
				inherit(n.Content[2*j+1], old.Content[i+1])
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if mapIndex(old, n.Content[i].Value) < 0 {
				rest = append(rest, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
			}
		}
		if len(pairs)+len(rest) != len(n.Content)/2 {
			return // duplicate keys: keep yaml.v3's order
		}
		n.Content = n.Content[:0]
		for _, p := range append(pairs, rest...) {
			n.Content = append(n.Content, p[0], p[1])
		}
	}
}

// encodeLines encodes n with yaml.v3 and returns its lines without the final newline.
func encodeLines(n *yaml.Node, indent int) ([]string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(indent)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"), nil
}

// render encodes value as it would appear after a mapping's "key:" (inSeq false) or a
// sequence's "-" (inSeq true) whose key or dash starts at column 0: first is the rest of that
// line (" x", " |-", "" for a block collection), body the following lines.
func render(value *yaml.Node, inSeq bool, indent int) (first string, body []string, err error) {
	v := *value
	v.HeadComment, v.FootComment = "", ""
	wrap := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{&v}}
	lead := "-"
	if !inSeq {
		wrap = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "k"}, &v}}
		lead = "k:"
	}
	lines, err := encodeLines(wrap, indent)
	if err != nil {
		return "", nil, err
	}
	if !strings.HasPrefix(lines[0], lead) {
		return "", nil, fmt.Errorf("unexpected encoding %q", lines[0])
	}
	return lines[0][len(lead):], lines[1:], nil
}

// renderEntry encodes a whole new element: "key: value" for a mapping (key non-nil) or
// "- value" for a sequence, as lines starting at column 0.
func renderEntry(key, value *yaml.Node, indent int) ([]string, error) {
	v := *value
	wrap := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{&v}}
	if key != nil {
		wrap = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{key, &v}}
	}
	return encodeLines(wrap, indent)
}

// semEqual reports whether two trees hold the same data: kinds, resolved tags, scalar values
// and anchors. Styles, comments and positions are ignored.
func semEqual(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		ta := a.ShortTag()
		return ta == b.ShortTag() && (ta == "!!null" || a.Value == b.Value)
	case yaml.AliasNode:
		return a.Value == b.Value
	}
	for i := range a.Content {
		if !semEqual(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

func spaces(n int) string { return strings.Repeat(" ", max(n, 0)) }

// indentLines prefixes each non-empty line with n spaces and a newline.
func indentLines(lines []string, n int) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteByte('\n')
		if l != "" {
			b.WriteString(spaces(n))
		}
		b.WriteString(l)
	}
	return b.String()
}
