package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrPathNotFound is wrapped by the errors of Document methods whose path (or its parent)
// does not exist.
var ErrPathNotFound = errors.New("path not found")

type stepKind uint8

const (
	stepInvalid stepKind = iota
	stepKey
	stepIndex
	stepMatch
)

// Step is one step of a Path. Build steps with K, I and M; a zero Step is invalid.
type Step struct {
	Key          string // K: the mapping key
	Index        int    // I: the sequence index; negative counts from the end (-1 is the last)
	Field, Value string // M: the field and scalar value that pick a sequence element
	kind         stepKind
}

// K steps into a mapping by key: K("providers").
func K(key string) Step { return Step{Key: key, kind: stepKey} }

// I steps into a sequence by index: I(0) is the first element, I(-1) the last.
func I(index int) Step { return Step{Index: index, kind: stepIndex} }

// M steps into a sequence to the first element that is a mapping whose field has the scalar
// value value, as written in the file (${ENV} is not expanded): M("name", "dashscope").
func M(field, value string) Step { return Step{Field: field, Value: value, kind: stepMatch} }

// Path addresses a node of a Document, from the top-level mapping down.
// Example: Path{K("providers"), M("name", "x"), K("enabled")} is providers[name=x].enabled.
type Path []Step

// String formats the step as it appears in Path.String.
func (s Step) String() string {
	switch s.kind {
	case stepKey:
		if s.Key == "" || strings.ContainsAny(s.Key, ".[]=\" ") {
			return strconv.Quote(s.Key)
		}
		return s.Key
	case stepIndex:
		return "[" + strconv.Itoa(s.Index) + "]"
	case stepMatch:
		return "[" + s.Field + "=" + s.Value + "]"
	}
	return "<invalid step>"
}

// String formats the path like providers[name=x].enabled or models.glm-5.adapters[0].
func (p Path) String() string {
	if len(p) == 0 {
		return "<document>"
	}
	var b strings.Builder
	for i, s := range p {
		if i > 0 && s.kind == stepKey {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// frame is one node reached while resolving a path: node sits at index of parent (a pair index
// in a mapping, an element index in a sequence). The first frame is the top-level node.
type frame struct {
	node   *yaml.Node
	parent *yaml.Node
	index  int
}

// resolve walks p from the top-level node. It returns one frame per reached node (the
// top-level node first); on failure the frames reached so far and an error naming the prefix
// that does not exist.
func resolve(top *yaml.Node, p Path) ([]frame, error) {
	frames := []frame{{node: top, index: -1}}
	cur := top
	for i, s := range p {
		at := p[:i+1]
		idx, err := child(cur, s, at)
		if err != nil {
			return frames, err
		}
		next := cur.Content[idx]
		if cur.Kind == yaml.MappingNode {
			next = cur.Content[2*idx+1]
		}
		frames = append(frames, frame{node: next, parent: cur, index: idx})
		cur = next
	}
	return frames, nil
}

// child finds step s inside n: the pair index for a mapping, the element index for a sequence.
func child(n *yaml.Node, s Step, at Path) (int, error) {
	switch s.kind {
	case stepKey:
		if n.Kind != yaml.MappingNode {
			return 0, fmt.Errorf("%s is %s, not a mapping: cannot step into it with key %q", describePrefix(at), kindName(n), s.Key)
		}
		if i := mapIndex(n, s.Key); i >= 0 {
			return i, nil
		}
		return 0, fmt.Errorf("%s: %w", at, ErrPathNotFound)
	case stepIndex, stepMatch:
		if n.Kind != yaml.SequenceNode {
			return 0, fmt.Errorf("%s is %s, not a sequence: cannot step into it with %s", describePrefix(at), kindName(n), s)
		}
		if s.kind == stepIndex {
			i := s.Index
			if i < 0 {
				i += len(n.Content)
			}
			if i < 0 || i >= len(n.Content) {
				return 0, fmt.Errorf("%s: index out of range (%d elements): %w", at, len(n.Content), ErrPathNotFound)
			}
			return i, nil
		}
		for i, e := range n.Content {
			if e.Kind != yaml.MappingNode {
				continue
			}
			if j := mapIndex(e, s.Field); j >= 0 {
				if v := e.Content[2*j+1]; v.Kind == yaml.ScalarNode && v.Value == s.Value {
					return i, nil
				}
			}
		}
		return 0, fmt.Errorf("%s: no element with %s=%s: %w", at, s.Field, s.Value, ErrPathNotFound)
	}
	return 0, fmt.Errorf("%s: invalid step (build steps with K, I or M)", at)
}

func describePrefix(at Path) string {
	if len(at) <= 1 {
		return "the document"
	}
	return at[:len(at)-1].String()
}

// mapIndex returns the pair index of key in mapping n, or -1.
func mapIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return i / 2
		}
	}
	return -1
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "empty"
}
