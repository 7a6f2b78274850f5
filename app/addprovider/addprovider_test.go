package addprovider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/presets"
)

func newConfig(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, config.DefaultYAML("sk-ms-admin-0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAddFromPresetWithoutTypingAURL: the provider gets the preset's
// endpoint, the key and the preset's name; its models become virtual models
// routed to it; the file stays valid and its comments stay.
func TestAddFromPresetWithoutTypingAURL(t *testing.T) {
	path := newConfig(t)
	before, _ := os.ReadFile(path)
	res, err := Add(path, Options{Preset: "deepseek", APIKey: "sk-deepseek-test-0001", Models: true})
	if err != nil {
		t.Fatal(err)
	}
	p := presets.Find("deepseek")
	text, _ := os.ReadFile(path)
	cfg, _, err := config.Parse(text, path)
	if err != nil {
		t.Fatalf("result invalid: %v\n%s", err, text)
	}
	prov := cfg.FindProvider("deepseek")
	if prov == nil || prov.BaseURL != p.BaseURL(res.Protocol) || prov.APIKey != "sk-deepseek-test-0001" || prov.Preset != "deepseek" {
		t.Fatalf("provider %+v, want the preset's endpoint and the key\n%s", prov, text)
	}
	if len(res.Models) != len(p.Models) {
		t.Errorf("models added %v, want one per preset model (%d)", res.Models, len(p.Models))
	}
	for _, m := range p.Models {
		vm := cfg.FindModel(m.ID)
		if vm == nil || len(vm.Adapters) != 1 || vm.Adapters[0].Adapter != "deepseek" || vm.Adapters[0].ModelName != m.ID {
			t.Errorf("virtual model %q: %+v", m.ID, vm)
		}
	}
	if firstComment := strings.SplitN(string(before), "\n", 2)[0]; !strings.Contains(string(text), firstComment) {
		t.Errorf("the file's comments were lost")
	}
	if _, err := Add(path, Options{Preset: "deepseek", APIKey: "k-0000000000"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("adding it twice: %v", err)
	}
	if _, err := Add(path, Options{Preset: "deepseek", Name: "deepseek-2", Protocol: "anthropic", APIKey: "k-0000000000"}); err != nil && p.Endpoints.Anthropic != "" {
		t.Errorf("a second one on the Anthropic endpoint: %v", err)
	}
}

func TestAddRefusesWhatItCannotDo(t *testing.T) {
	path := newConfig(t)
	before, _ := os.ReadFile(path)
	cases := map[string]Options{
		"unknown preset":   {Preset: "nope", APIKey: "k"},
		"no key":           {Preset: "deepseek"},
		"unknown protocol": {Preset: "deepseek", Protocol: "grpc", APIKey: "k"},
	}
	ps, _ := presets.All()
	for _, p := range ps { // a preset without some endpoint, whichever it is
		for _, proto := range []string{"openai", "anthropic", "responses"} {
			if p.BaseURL(proto) == "" {
				cases["no such endpoint"] = Options{Preset: p.ID, Protocol: proto, APIKey: "k"}
			}
		}
	}
	if _, ok := cases["no such endpoint"]; !ok {
		t.Fatal("every preset has every endpoint: pick another case")
	}
	for name, o := range cases {
		if _, err := Add(path, o); err == nil {
			t.Errorf("%s: added", name)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a refused add changed the file")
	}
	// A local server needs no key.
	if _, err := Add(path, Options{Preset: "ollama"}); err != nil {
		t.Errorf("ollama without a key: %v", err)
	}
}
