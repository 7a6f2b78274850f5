package proxy

import (
	"github.com/modelswitch/modelswitch/gateway/pricing"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// price sets rec's cost from the configuration in force (issue 17), once,
// when the request is recorded: a later price change does not rewrite it.
// The key's spend counts it against its budgets.
func (h *Handler) price(rec *usage.Record) {
	snap := h.Snapshot()
	if snap == nil || snap.Prices == nil {
		return
	}
	PriceRecord(snap.Prices, rec)
	if rec.Priced && h.Budgets != nil {
		h.Budgets.Spend(rec.KeyID, rec.CostNanos, rec.Time)
	}
}

// PriceRecord sets rec's CostNanos, Priced and Currency from prices: at
// record time, and again when a recompute asks (usage.Recorder.Recompute).
func PriceRecord(prices *pricing.Table, rec *usage.Record) {
	rec.Currency = prices.Currency()
	if rec.Provider == "" { // refused before any upstream: it cost nothing, and that is known
		rec.CostNanos, rec.Priced = 0, true
		return
	}
	tok := pricing.Tokens{Input: rec.InputTokens, Output: rec.OutputTokens, CacheRead: rec.CacheReadTokens,
		CacheWrite: rec.CacheWriteTokens, CacheWrite1h: rec.CacheWrite1hTokens}
	rec.CostNanos, rec.Priced = prices.Cost(rec.Model, rec.Provider, rec.UpstreamModel, tok)
}
