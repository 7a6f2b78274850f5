// Package presets is the shipped list of well-known providers (issue 17):
// their base URLs per protocol, the models they serve with context window,
// output limit and price, and the models Claude Code's tiers map to. The
// facts live in data/*.yaml, one file per provider, each naming the
// provider's own pages it came from and when they were read; this package
// only loads and checks them. "Add provider" (UI and --add-provider) starts
// from a preset, and the cost of a request is looked up here when
// config.yaml sets no price.
package presets

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed data/*.yaml
var files embed.FS

// Preset is one provider.
type Preset struct {
	ID         string     `yaml:"id" json:"id"`
	Name       string     `yaml:"name" json:"name"`
	Homepage   string     `yaml:"homepage" json:"homepage,omitempty"`
	KeysURL    string     `yaml:"keys_url" json:"keys_url,omitempty"`
	Local      bool       `yaml:"local" json:"local,omitempty"` // runs on the user's machine; no key needed
	Endpoints  Endpoints  `yaml:"endpoints" json:"endpoints"`
	Currency   string     `yaml:"currency" json:"currency,omitempty"` // of every price in the file
	Models     []Model    `yaml:"models" json:"models"`
	ClaudeCode ClaudeCode `yaml:"claude_code" json:"claude_code,omitzero"`
	Sources    []Source   `yaml:"sources" json:"sources"`
}

// Endpoints are the provider's base URLs, written as config.yaml's base_url.
type Endpoints struct {
	OpenAI    string `yaml:"openai" json:"openai,omitempty"`       // Chat Completions, with its version path
	Anthropic string `yaml:"anthropic" json:"anthropic,omitempty"` // Messages, as the Anthropic SDK's base_url
	Responses string `yaml:"responses" json:"responses,omitempty"` // the OpenAI Responses API
}

// Model is one model the provider serves.
type Model struct {
	ID        string `yaml:"id" json:"id"`
	Context   int    `yaml:"context" json:"context"`       // tokens
	MaxOutput int    `yaml:"max_output" json:"max_output"` // tokens
	Price     *Price `yaml:"price" json:"price,omitempty"` // nil: the provider publishes none
}

// Price is per million tokens, in the preset's currency. Omitted cache
// prices mean the provider does not price them apart (see pricing).
type Price struct {
	Input        float64  `yaml:"input" json:"input"`
	Output       float64  `yaml:"output" json:"output"`
	CacheRead    *float64 `yaml:"cache_read" json:"cache_read,omitempty"`
	CacheWrite   *float64 `yaml:"cache_write" json:"cache_write,omitempty"`       // Anthropic: the 5-minute write
	CacheWrite1h *float64 `yaml:"cache_write_1h" json:"cache_write_1h,omitempty"` // Anthropic: the 1-hour write
}

// ClaudeCode maps the tiers Claude Code asks for to the provider's models.
type ClaudeCode struct {
	Opus   string `yaml:"opus" json:"opus,omitempty"`
	Sonnet string `yaml:"sonnet" json:"sonnet,omitempty"`
	Haiku  string `yaml:"haiku" json:"haiku,omitempty"`
}

// Source is a page facts were taken from.
type Source struct {
	URL   string `yaml:"url" json:"url"`
	Facts string `yaml:"facts" json:"facts"`
	Read  string `yaml:"read" json:"read"` // YYYY-MM-DD
}

var (
	loadOnce sync.Once
	all      []Preset
	loadErr  error
)

// All returns every preset, sorted by id. The data is embedded and checked
// by the tests, so an error here is a build that shipped a broken file.
func All() ([]Preset, error) {
	loadOnce.Do(func() { all, loadErr = load(files) })
	return all, loadErr
}

// Find returns the preset with id, or nil.
func Find(id string) *Preset {
	ps, _ := All()
	for i := range ps {
		if ps[i].ID == id {
			return &ps[i]
		}
	}
	return nil
}

// Model returns the preset's model with id (case-insensitive), or nil.
func (p *Preset) Model(id string) *Model {
	for i := range p.Models {
		if strings.EqualFold(p.Models[i].ID, id) {
			return &p.Models[i]
		}
	}
	return nil
}

// BaseURL is the preset's base URL for protocol (openai | anthropic |
// responses), or "".
func (p *Preset) BaseURL(protocol string) string {
	switch protocol {
	case "anthropic":
		return p.Endpoints.Anthropic
	case "responses":
		return p.Endpoints.Responses
	}
	return p.Endpoints.OpenAI
}

// Of is the preset of a provider: the one its preset field names, else the
// one ForBaseURL finds; nil for none.
func Of(preset, baseURL string) *Preset {
	if p := Find(preset); p != nil {
		return p
	}
	return ForBaseURL(baseURL)
}

// ForBaseURL returns the preset one of whose endpoints has the host (and
// path prefix) of baseURL, or nil: a provider configured by hand still gets
// its preset's prices.
func ForBaseURL(baseURL string) *Preset {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || u.Host == "" {
		return nil
	}
	ps, _ := All()
	var best *Preset
	bestLen := -1
	for i := range ps {
		if ps[i].Local {
			continue // localhost:port says nothing about which server it is
		}
		for _, e := range []string{ps[i].Endpoints.OpenAI, ps[i].Endpoints.Anthropic, ps[i].Endpoints.Responses} {
			eu, err := url.Parse(strings.TrimRight(e, "/"))
			if e == "" || err != nil || !strings.EqualFold(eu.Host, u.Host) {
				continue
			}
			// The longest shared path wins: one host can serve two presets.
			if n := sharedPrefix(eu.Path, u.Path); n > bestLen {
				best, bestLen = &ps[i], n
			}
		}
	}
	return best
}

func sharedPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func load(fsys fs.FS) ([]Preset, error) {
	names, err := fs.Glob(fsys, "data/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []Preset
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var p Preset
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); p.ID != want {
			return nil, fmt.Errorf("%s: id %q, want %q (the file's name)", name, p.ID, want)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Preset) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
