// Package addprovider adds a provider to config.yaml from a preset
// (gateway/presets): `modelswitch --add-provider deepseek --api-key …`.
// It edits the file the way the admin API does (comments and order kept,
// the whole result validated, written atomically); a running core's watcher
// applies it.
package addprovider

import (
	"fmt"
	"os"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/presets"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// Options say what to add.
type Options struct {
	Preset   string // preset id
	Name     string // provider name; default the preset id
	Protocol string // openai | anthropic | responses; default the preset's OpenAI endpoint, else its first
	APIKey   string // the key or a ${ENV} reference; required unless the preset is a local server
	Models   bool   // also add a virtual model per preset model, named as the model
}

// Result is what was added.
type Result struct {
	Provider string
	BaseURL  string
	Protocol string
	Models   []string // virtual models added
}

// entry is the provider written to the file, in this key order.
type entry struct {
	Name     string `yaml:"name"`
	Provider string `yaml:"provider"`
	BaseURL  string `yaml:"base_url"`
	Preset   string `yaml:"preset"`
	APIKey   string `yaml:"api_key,omitempty"`
}

type model struct {
	Adapters []adapter `yaml:"adapters"`
}

type adapter struct {
	Adapter   string `yaml:"adapter"`
	ModelName string `yaml:"model_name"`
}

// Add adds the provider (and models) to the config file at path.
func Add(path string, o Options) (*Result, error) {
	p := presets.Find(o.Preset)
	if p == nil {
		return nil, fmt.Errorf("no preset %q; known: %s", o.Preset, strings.Join(ids(), ", "))
	}
	protocol := o.Protocol
	if protocol == "" {
		for _, pr := range []string{config.ProtocolOpenAI, config.ProtocolAnthropic, config.ProtocolResponses} {
			if p.BaseURL(pr) != "" {
				protocol = pr
				break
			}
		}
	}
	base := p.BaseURL(protocol)
	if base == "" {
		return nil, fmt.Errorf("preset %q has no %s endpoint", p.ID, protocol)
	}
	if o.APIKey == "" && !p.Local {
		where := "the provider's console"
		if p.KeysURL != "" {
			where = p.KeysURL
		}
		return nil, fmt.Errorf("%s needs an API key: give --api-key KEY or --api-key '${ENV_VAR}' (keys: %s)", p.Name, where)
	}
	name := o.Name
	if name == "" {
		name = p.ID
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s (start ModelSwitch once to create it): %w", path, err)
	}
	cur, _, err := config.Parse(text, path)
	if err != nil {
		return nil, fmt.Errorf("%s is invalid; fix it first: %w", path, err)
	}
	if cur.FindProvider(name) != nil {
		return nil, fmt.Errorf("provider %q already exists in %s (choose another with --name)", name, path)
	}
	doc, err := config.ParseDocument(text)
	if err != nil {
		return nil, err
	}
	if err := doc.Append(config.Path{config.K("providers")}, entry{name, protocol, base, p.ID, o.APIKey}); err != nil {
		return nil, err
	}
	res := &Result{Provider: name, BaseURL: base, Protocol: protocol}
	if o.Models {
		for _, m := range p.Models {
			if cur.FindModel(m.ID) != nil {
				continue // keep the user's own model of that name
			}
			if err := addModel(doc, m.ID, model{[]adapter{{name, m.ID}}}); err != nil {
				return nil, err
			}
			res.Models = append(res.Models, m.ID)
		}
	}
	next := doc.Bytes()
	if _, _, err := config.Parse(next, path); err != nil {
		return nil, fmt.Errorf("the result would be invalid, nothing written: %w", err)
	}
	if err := workspace.WriteFileAtomic(path, next); err != nil {
		return nil, err
	}
	return res, nil
}

func addModel(doc *config.Document, name string, m model) error {
	if _, ok := doc.Get(config.Path{config.K("models")}); !ok {
		return doc.Set(config.Path{config.K("models")}, map[string]model{name: m})
	}
	return doc.Set(config.Path{config.K("models"), config.K(name)}, m)
}

func ids() []string {
	ps, err := presets.All()
	if err != nil {
		return []string{err.Error()}
	}
	out := make([]string, len(ps))
	for i := range ps {
		out[i] = ps[i].ID
	}
	return out
}
