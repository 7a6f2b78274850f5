package pricing

import (
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/presets"
)

func parse(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, _, err := config.Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// firstPriced is a preset (in currency) with a priced model.
func firstPriced(t *testing.T, currency string) (*presets.Preset, *presets.Model) {
	ps, _ := presets.All()
	for i := range ps {
		if ps[i].Currency != currency || ps[i].Local {
			continue
		}
		for j := range ps[i].Models {
			if ps[i].Models[j].Price != nil && ps[i].BaseURL("openai") != "" {
				return &ps[i], &ps[i].Models[j]
			}
		}
	}
	t.Fatalf("no preset priced in %s", currency)
	return nil, nil
}

func TestTablePricesFromTheAdapterThenThePreset(t *testing.T) {
	p, m := firstPriced(t, "USD")
	cfg := parse(t, `
providers:
  - {name: byhand, base_url: "`+p.BaseURL("openai")+`", api_key: k-0000000000000}
  - {name: local, base_url: "http://127.0.0.1:9/v1"}
models:
  listed: {adapters: [{adapter: byhand, model_name: `+m.ID+`}]}
  mine: {adapters: [{adapter: byhand, model_name: `+m.ID+`, price: {input: 10, output: 20, cache_read: 1}}]}
  unknown: {adapters: [{adapter: byhand, model_name: not-a-listed-model}]}
  free: {adapters: [{adapter: local, model_name: llama}]}
`)
	tb := NewTable(cfg)
	tok := Tokens{Input: 1000, Output: 100, CacheRead: 10000}
	// The preset's price, found from the base URL alone (no preset: in the file).
	want := (&Price{Input: m.Price.Input, Output: m.Price.Output, CacheRead: m.Price.CacheRead, CacheWrite: m.Price.CacheWrite}).Cost(tok)
	if got, ok := tb.Cost("listed", "byhand", m.ID, tok); !ok || got != want {
		t.Errorf("preset price: %d %v, want %d", got, ok, want)
	}
	// The adapter's own price wins: 1000×10 + 100×20 + 10000×1 = 22000 per million = 22,000,000 nanos.
	if got, ok := tb.Cost("mine", "byhand", m.ID, tok); !ok || got != 22_000_000 {
		t.Errorf("adapter price: %d %v, want 22000000", got, ok)
	}
	for _, c := range [][3]string{{"unknown", "byhand", "not-a-listed-model"}, {"free", "local", "llama"}} {
		if got, ok := tb.Cost(c[0], c[1], c[2], tok); ok {
			t.Errorf("%v: priced at %d, want no price", c, got)
		}
	}
}

func TestTableConvertsOtherCurrencies(t *testing.T) {
	text := `
providers:
  - {name: p, base_url: "http://127.0.0.1:9/v1"}
models:
  m: {adapters: [{adapter: p, model_name: x, price: {input: 7, output: 14, currency: CNY}}]}
`
	tok := Tokens{Input: 1_000_000}
	if _, ok := NewTable(parse(t, text)).Cost("m", "p", "x", tok); ok {
		t.Error("CNY price without a rate: priced")
	}
	tb := NewTable(parse(t, "gateway: {currency: USD, exchange_rates: {CNY: 0.14}}\n"+text))
	if got, ok := tb.Cost("m", "p", "x", tok); !ok || got != 980_000_000 { // ¥7 × 0.14 = $0.98
		t.Errorf("¥7 at 0.14: %d %v, want 0.98 USD", got, ok)
	}
	if tb.Currency() != "USD" {
		t.Errorf("currency %q", tb.Currency())
	}
}
