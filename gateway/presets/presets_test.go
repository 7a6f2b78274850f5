package presets

import (
	"testing"
	"testing/fstest"
)

// The presets every user is promised (issue 17).
var required = []string{"anthropic", "openai", "deepseek", "zhipu", "zai", "moonshot", "dashscope", "minimax",
	"openrouter", "siliconflow", "volcengine", "gemini", "ollama", "lmstudio", "vllm", "llamacpp"}

func TestShippedPresetsAreValid(t *testing.T) {
	ps, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		if err := ps[i].Check(); err != nil {
			t.Error(err)
		}
	}
	for _, id := range required {
		if Find(id) == nil {
			t.Errorf("no preset %q", id)
		}
	}
}

func TestCheckFindsEachProblem(t *testing.T) {
	price := func(in, out float64) *Price { return &Price{Input: in, Output: out} }
	good := Preset{ID: "x", Name: "X", Endpoints: Endpoints{OpenAI: "https://api.x.com/v1"}, Currency: "USD",
		Models:     []Model{{ID: "m", Context: 1000, MaxOutput: 100, Price: price(1, 2)}},
		ClaudeCode: ClaudeCode{Opus: "m", Sonnet: "m", Haiku: "m"},
		Sources:    []Source{{URL: "https://x.com/docs", Facts: "all", Read: "2026-12-07"}}}
	if err := good.Check(); err != nil {
		t.Fatalf("a good preset: %v", err)
	}
	for name, edit := range map[string]func(p *Preset){
		"bad id":             func(p *Preset) { p.ID = "X Y" },
		"no endpoint":        func(p *Preset) { p.Endpoints = Endpoints{} },
		"endpoint not a URL": func(p *Preset) { p.Endpoints.Anthropic = "api.x.com" },
		"no window":          func(p *Preset) { p.Models[0].Context = 0 },
		"output past window": func(p *Preset) { p.Models[0].MaxOutput = 5000 },
		"tier not listed":    func(p *Preset) { p.ClaudeCode.Haiku = "other" },
		"tier missing":       func(p *Preset) { p.ClaudeCode.Sonnet = "" },
		"no currency":        func(p *Preset) { p.Currency = "" },
		"zero price":         func(p *Preset) { p.Models[0].Price = price(0, 0) },
		"no sources":         func(p *Preset) { p.Sources = nil },
		"source undated":     func(p *Preset) { p.Sources[0].Read = "recently" },
		"duplicate model":    func(p *Preset) { p.Models = append(p.Models, p.Models[0]) },
	} {
		p := good
		p.Models = append([]Model(nil), good.Models...)
		p.Sources = append([]Source(nil), good.Sources...)
		edit(&p)
		if p.Check() == nil {
			t.Errorf("%s: not reported", name)
		}
	}
}

func TestLoadRefusesUnknownFieldsAndMisnamedFiles(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"unknown field": {"data/a.yaml": {Data: []byte("id: a\nname: A\nbase: x\n")}},
		"id not file":   {"data/a.yaml": {Data: []byte("id: b\nname: B\n")}},
	} {
		if _, err := load(fsys); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestForBaseURLMatchesHostAndLongestPath(t *testing.T) {
	ps := []Preset{
		{ID: "intl", Endpoints: Endpoints{OpenAI: "https://api.example.com/v1"}},
		{ID: "coding", Endpoints: Endpoints{OpenAI: "https://api.example.com/coding/v1"}},
		{ID: "local", Local: true, Endpoints: Endpoints{OpenAI: "http://localhost:11434/v1"}},
	}
	_, _ = All() // loaded first, then swapped for this test's presets
	old := all
	all = ps
	t.Cleanup(func() { all = old })
	for url, want := range map[string]string{
		"https://api.example.com/v1/":       "intl",
		"https://API.example.com/coding/v1": "coding",
		"https://other.example.com/v1":      "",
		"http://localhost:11434/v1":         "",
	} {
		got := ""
		if p := ForBaseURL(url); p != nil {
			got = p.ID
		}
		if got != want {
			t.Errorf("ForBaseURL(%q) = %q, want %q", url, got, want)
		}
	}
}
