package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Warning is a problem that does not stop the config from loading, such as an unknown key.
type Warning struct {
	File    string // as passed to Parse; may be empty
	Line    int    // 1-based; 0 when unknown
	Message string
}

// String formats the warning as "<file>:<line>: <message>".
func (w Warning) String() string { return position(w.File, w.Line) + w.Message }

// Load reads and parses the config file at path. A missing file is an error (the workspace
// writes a default one on first run); an empty file yields the all-default config.
func Load(path string) (*Config, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes, completes with defaults and validates a config.yaml. filename only labels
// messages. ${NAME} references are resolved from the process environment. On failure the
// error is a *ValidationError listing every problem found, and the Config is nil.
func Parse(data []byte, filename string) (*Config, []Warning, error) {
	return parse(data, filename, os.LookupEnv)
}

func parse(data []byte, filename string, lookup func(string) (string, bool)) (*Config, []Warning, error) {
	cfg := Default()
	chk := &checker{file: filename, lines: map[string]int{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, &ValidationError{File: filename, Problems: []Problem{syntaxProblem(err)}}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 && !isNull(doc.Content[0]) {
		top := doc.Content[0]
		if top.Kind != yaml.MappingNode {
			chk.problem(top, "", "the file must be a mapping with the keys gateway, providers, models and api_keys")
		} else {
			chk.walk(top, reflect.TypeOf(Config{}), "", "")
			if err := top.Decode(cfg); err != nil {
				chk.problems = append(chk.problems, decodeProblems(err)...)
			}
		}
	}
	cfg.resolveEnv(lookup)
	cfg.SetDefaults()
	v := &validator{file: filename, lines: chk.lines, warnings: chk.warnings, problems: chk.problems}
	v.config(cfg)
	if len(v.problems) > 0 {
		return nil, v.sortedWarnings(), &ValidationError{File: filename, Problems: v.sortedProblems()}
	}
	return cfg, v.sortedWarnings(), nil
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func syntaxProblem(err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Problem{Message: "invalid YAML: " + msg}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = "invalid YAML: " + m[2]
	}
	return p
}

// decodeProblems turns what the decoder still reports after the checker (e.g. duplicate keys)
// into Problems with lines.
func decodeProblems(err error) []Problem {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []Problem{syntaxProblem(err)}
	}
	out := make([]Problem, 0, len(te.Errors))
	for _, e := range te.Errors {
		p := Problem{Message: e}
		if m := yamlLineRE.FindStringSubmatch(e); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
		}
		out = append(out, p)
	}
	return out
}

// Each UnmarshalYAML below decodes into a copy pre-filled with the defaults, so a key that is
// absent keeps its default while an explicit zero (e.g. `priority: 0`) stays zero. The copy is
// assigned even when decoding reports a type error, so the remaining fields are still checked.

// UnmarshalYAML decodes the gateway section over its defaults and records its line.
func (g *Gateway) UnmarshalYAML(n *yaml.Node) error {
	type plain Gateway
	p := plain(DefaultGateway())
	err := n.Decode(&p)
	*g = Gateway(p)
	g.Line = n.Line
	return err
}

// UnmarshalYAML decodes one provider over its defaults and records its line.
func (p *Provider) UnmarshalYAML(n *yaml.Node) error {
	type plain Provider
	v := plain(defaultProvider())
	err := n.Decode(&v)
	*p = Provider(v)
	p.Line = n.Line
	return err
}

// UnmarshalYAML decodes one adapter reference over its defaults and records its line.
func (a *Adapter) UnmarshalYAML(n *yaml.Node) error {
	type plain Adapter
	v := plain(defaultAdapter())
	err := n.Decode(&v)
	*a = Adapter(v)
	a.Line = n.Line
	return err
}

// UnmarshalYAML decodes one route and records its line.
func (r *Route) UnmarshalYAML(n *yaml.Node) error {
	type plain Route
	var v plain
	err := n.Decode(&v)
	*r = Route(v)
	r.Line = n.Line
	return err
}

// UnmarshalYAML decodes one API key and records its line.
func (k *APIKey) UnmarshalYAML(n *yaml.Node) error {
	type plain APIKey
	var v plain
	err := n.Decode(&v)
	*k = APIKey(v)
	k.Line = n.Line
	return err
}

// UnmarshalYAML reads the models mapping in file order: Name is the mapping key and Line the
// key's line. Duplicate names are kept here and reported by validation.
func (m *Models) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: models must be a mapping", n.Line)}}
	}
	out := make(Models, 0, len(n.Content)/2)
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var model Model
		if !isNull(v) {
			if err := v.Decode(&model); err != nil {
				var te *yaml.TypeError
				if !errors.As(err, &te) {
					return err
				}
				errs = append(errs, te.Errors...)
			}
		}
		model.Name, model.Line = k.Value, k.Line
		out = append(out, model)
	}
	*m = out
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

var envRE = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// expandEnv replaces each ${NAME} whose variable is set; unset ones stay as written (seed §2.5).
func expandEnv(s string, lookup func(string) (string, bool)) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return envRE.ReplaceAllStringFunc(s, func(ref string) string {
		if v, ok := lookup(ref[2 : len(ref)-1]); ok {
			return v
		}
		return ref
	})
}

// unresolvedEnv lists the ${NAME} references left in a resolved value.
func unresolvedEnv(s string) []string {
	var names []string
	for _, m := range envRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}

// resolveEnv keeps the written text in the Raw fields and substitutes ${NAME} in the three
// fields the seed substitutes: providers[].base_url, providers[].api_key and api_keys[].key.
func (c *Config) resolveEnv(lookup func(string) (string, bool)) {
	for i := range c.Providers {
		p := &c.Providers[i]
		p.RawBaseURL, p.RawAPIKey = p.BaseURL, p.APIKey
		p.BaseURL, p.APIKey = expandEnv(p.BaseURL, lookup), expandEnv(p.APIKey, lookup)
	}
	for i := range c.APIKeys {
		k := &c.APIKeys[i]
		k.RawKey = k.Key
		k.Key = expandEnv(k.Key, lookup)
	}
}

// position formats "<file>:<line>: " leaving out the parts that are unknown.
func position(file string, line int) string {
	switch {
	case file != "" && line > 0:
		return fmt.Sprintf("%s:%d: ", file, line)
	case file != "":
		return file + ": "
	case line > 0:
		return fmt.Sprintf("line %d: ", line)
	}
	return ""
}
