package pricing

import (
	"strings"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/presets"
)

// Table prices the requests of one configuration: an adapter's own price in
// config.yaml first, else the price its provider's preset lists for the
// upstream model, else none. Costs come out in gateway.currency; a price in
// another currency is converted at gateway.exchange_rates, or is no price.
// Built with each configuration snapshot, read by every request.
type Table struct {
	currency string
	rates    map[string]float64
	adapters map[adapterKey]*Price // an adapter's own price
	listed   map[adapterKey]*Price // its provider's preset's, model ""
}

type adapterKey struct{ model, provider, upstream string }

// NewTable builds the table for cfg.
func NewTable(cfg *config.Config) *Table {
	t := &Table{currency: cfg.Gateway.CostCurrency(), rates: cfg.Gateway.ExchangeRates,
		adapters: map[adapterKey]*Price{}, listed: map[adapterKey]*Price{}}
	for i := range cfg.Providers {
		p := &cfg.Providers[i]
		pr := presets.Of(p.Preset, p.BaseURL)
		if pr == nil {
			continue
		}
		for _, m := range pr.Models {
			if m.Price != nil {
				t.listed[adapterKey{"", p.Name, strings.ToLower(m.ID)}] = &Price{Input: m.Price.Input, Output: m.Price.Output,
					CacheRead: m.Price.CacheRead, CacheWrite: m.Price.CacheWrite, CacheWrite1h: m.Price.CacheWrite1h, Currency: pr.Currency}
			}
		}
	}
	for _, m := range cfg.Models {
		for _, a := range m.Adapters {
			if a.Price == nil {
				continue
			}
			cur := a.Price.Currency
			if cur == "" {
				cur = t.currency
			}
			t.adapters[adapterKey{m.Name, a.Adapter, strings.ToLower(a.ModelName)}] = &Price{Input: a.Price.Input,
				Output: a.Price.Output, CacheRead: a.Price.CacheRead, CacheWrite: a.Price.CacheWrite,
				CacheWrite1h: a.Price.CacheWrite1h, Currency: cur}
		}
	}
	return t
}

// Currency is the currency of every cost the table gives.
func (t *Table) Currency() string { return t.currency }

// Price returns the price of upstream (the model_name sent) on provider for
// the virtual model, or nil.
func (t *Table) Price(model, provider, upstream string) *Price {
	up := strings.ToLower(upstream)
	if p := t.adapters[adapterKey{model, provider, up}]; p != nil {
		return p
	}
	return t.listed[adapterKey{"", provider, up}]
}

// Cost returns what the tokens cost in the table's currency, in nanos, and
// whether there was a price to compute it from (false: "no price", never 0).
func (t *Table) Cost(model, provider, upstream string, tok Tokens) (int64, bool) {
	p := t.Price(model, provider, upstream)
	if p == nil {
		return 0, false
	}
	return Convert(p.Cost(tok), p.Currency, t.currency, t.rates)
}
