package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// checker is the type-directed pass that runs over the YAML node tree before it is decoded.
// It mirrors the seed's lax (pydantic) coercion by rewriting quoted numbers and booleans that
// sit where the Go field is numeric or boolean, drops `key: null` pairs so that null means
// "absent" (and the default applies), turns shape and type mismatches into Problems (and
// nulls the offending node so the decoder does not report it twice), warns about unknown
// keys, and records the line of every key by field path for the validator.
type checker struct {
	file     string
	problems []Problem
	warnings []Warning
	lines    map[string]int // field path ("providers[0].base_url") → line of its key or item
}

var (
	modelsType = reflect.TypeOf(Models{})
	anyType    = reflect.TypeOf((*any)(nil)).Elem()
)

func (c *checker) problem(n *yaml.Node, field, format string, args ...any) {
	c.problems = append(c.problems, Problem{Line: n.Line, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) record(path string, line int) {
	if _, ok := c.lines[path]; !ok {
		c.lines[path] = line
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// walk checks node n against Go type t. path is the field path; where names the enclosing
// object for messages (`provider "x"`, `gateway`).
func (c *checker) walk(n *yaml.Node, t reflect.Type, path, where string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if isNull(n) || t == anyType {
		return
	}
	switch {
	case t == modelsType:
		if !c.expect(n, yaml.MappingNode, path, "a mapping of model names") {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinPath(path, k.Value)
			c.record(p, k.Line)
			c.walk(v, t.Elem(), p, fmt.Sprintf("model %q", k.Value))
		}
	case t.Kind() == reflect.Struct:
		c.walkStruct(n, t, path, where)
	case t.Kind() == reflect.Slice:
		if !c.expect(n, yaml.SequenceNode, path, "a list") {
			return
		}
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			c.record(p, item.Line)
			c.walk(item, t.Elem(), p, itemLabel(path, where, item, i))
		}
	case t.Kind() == reflect.Map:
		if !c.expect(n, yaml.MappingNode, path, "a mapping") {
			return
		}
		for i := 1; i < len(n.Content); i += 2 {
			c.walk(n.Content[i], t.Elem(), joinPath(path, n.Content[i-1].Value), where)
		}
	default:
		c.scalar(n, t, path)
	}
}

func (c *checker) walkStruct(n *yaml.Node, t reflect.Type, path, where string) {
	if !c.expect(n, yaml.MappingNode, path, "a mapping") {
		return
	}
	fields := yamlFields(t)
	kept := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" { // merge key: check the merged mapping(s) as this type
			kept = append(kept, k, v)
			c.walkMerge(v, t, path, where)
			continue
		}
		f, known := fields[k.Value]
		if !known {
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, where)
			if where == "" {
				msg = fmt.Sprintf("unknown top-level key %q", k.Value)
			}
			c.warnings = append(c.warnings, Warning{File: c.file, Line: k.Line, Message: msg})
			kept = append(kept, k, v)
			continue
		}
		if isNull(v) {
			continue // null means absent: the default applies
		}
		p := joinPath(path, k.Value)
		c.record(p, k.Line)
		kept = append(kept, k, v)
		childWhere := where
		if ft := derefType(f.Type); ft.Kind() == reflect.Struct {
			childWhere = strings.TrimSpace(where + " " + k.Value)
		}
		c.walk(v, f.Type, p, childWhere)
	}
	n.Content = kept
}

func (c *checker) walkMerge(v *yaml.Node, t reflect.Type, path, where string) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind == yaml.SequenceNode {
		for _, item := range v.Content {
			c.walkMerge(item, t, path, where)
		}
		return
	}
	c.walk(v, t, path, where)
}

// expect reports a shape mismatch and turns the node into null so the decoder skips it.
func (c *checker) expect(n *yaml.Node, kind yaml.Kind, path, what string) bool {
	if n.Kind == kind {
		return true
	}
	c.problem(n, path, "%s must be %s", path, what)
	setNull(n)
	return false
}

// scalar coerces or rejects a scalar destined for a string, number or boolean field.
func (c *checker) scalar(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.ScalarNode {
		c.problem(n, path, "%s must be a single value, not a list or mapping", path)
		setNull(n)
		return
	}
	text := strings.TrimSpace(n.Value)
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, err := strconv.ParseInt(text, 10, 64); err == nil {
			setPlain(n, text, "!!int")
			return
		}
		f, err := strconv.ParseFloat(text, 64)
		switch {
		case err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53:
			setPlain(n, strconv.FormatInt(int64(f), 10), "!!int")
		case err == nil && !math.IsInf(f, 0) && !math.IsNaN(f):
			c.problem(n, path, "%s must be a whole number, got %s", path, text)
			setNull(n)
		default:
			c.problem(n, path, "%s must be a whole number, got %q", path, n.Value)
			setNull(n)
		}
	case reflect.Float32, reflect.Float64:
		if f, err := strconv.ParseFloat(text, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			setPlain(n, text, "!!float")
			return
		}
		c.problem(n, path, "%s must be a number, got %q", path, n.Value)
		setNull(n)
	case reflect.Bool:
		// The strings pydantic's lax mode accepts for a bool.
		switch strings.ToLower(text) {
		case "true", "t", "yes", "y", "on", "1":
			setPlain(n, "true", "!!bool")
		case "false", "f", "no", "n", "off", "0":
			setPlain(n, "false", "!!bool")
		default:
			c.problem(n, path, "%s must be true or false, got %q", path, n.Value)
			setNull(n)
		}
	}
	// Strings take the scalar's text as written, quoted or not; nothing to do.
}

// itemLabel names list item i for messages, never using a secret: `provider "x"`,
// `api key "name"`, `model "m" adapter 2` (1-based), or `providers item 3`.
func itemLabel(path, where string, item *yaml.Node, i int) string {
	name := scalarField(item, "name")
	switch path {
	case "providers":
		if name != "" {
			return fmt.Sprintf("provider %q", name)
		}
		return fmt.Sprintf("provider %d", i+1)
	case "api_keys":
		if name != "" {
			return fmt.Sprintf("api key %q", name)
		}
		return fmt.Sprintf("api key %d", i+1)
	}
	if strings.HasSuffix(path, ".adapters") {
		return fmt.Sprintf("%s adapter %d", where, i+1)
	}
	return fmt.Sprintf("%s item %d", where, i+1)
}

func scalarField(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

type field struct{ Type reflect.Type }

// yamlFields maps the yaml keys of struct t to their fields, skipping `yaml:"-"`.
func yamlFields(t reflect.Type) map[string]field {
	out := make(map[string]field, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = field{Type: f.Type}
	}
	return out
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func setNull(n *yaml.Node) {
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "", Line: n.Line, Column: n.Column}
}

func setPlain(n *yaml.Node, value, tag string) {
	n.Value, n.Tag, n.Style = value, tag, 0
}
