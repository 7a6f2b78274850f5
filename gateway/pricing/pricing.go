// Package pricing turns a request's token counts into what it cost (issue
// 17). Money is integer nanos (1e-9) of a currency, so sums over a day, a
// month or 64 concurrent clients are exact; a price is per million tokens as
// providers publish it.
//
// The token counts are the gateway's normalised ones (convert.Usage): input
// excludes cache reads and writes, as Anthropic counts it, where OpenAI's
// prompt_tokens includes cached_tokens; most peers' cost bugs are that
// difference. Cache reads, 5-minute and 1-hour cache writes are priced apart.
package pricing

import (
	"fmt"
	"math"
)

// Price is a model's price per million tokens in Currency. A cache price
// left nil is not priced apart by the provider: reads and writes then cost
// what input costs, and a 1-hour write what a 5-minute write costs.
type Price struct {
	Input        float64  `json:"input"`
	Output       float64  `json:"output"`
	CacheRead    *float64 `json:"cache_read,omitempty"`
	CacheWrite   *float64 `json:"cache_write,omitempty"`
	CacheWrite1h *float64 `json:"cache_write_1h,omitempty"`
	Currency     string   `json:"currency"`
}

// Tokens are one request's normalised counts. CacheWrite includes
// CacheWrite1h, the part written with Anthropic's 1-hour lifetime.
type Tokens struct {
	Input, Output, CacheRead, CacheWrite, CacheWrite1h int
}

// NanosPerUnit is how many nanos make one unit of a currency.
const NanosPerUnit = 1_000_000_000

// Cost returns what t cost at p, in nanos of p.Currency, rounded to the
// nearest nano. Each price is first made integer picos per token (a price
// per million with up to six decimals is exact), so the sum is integer.
func (p *Price) Cost(t Tokens) int64 {
	input := picosPerToken(p.Input)
	read, write := input, input
	if p.CacheRead != nil {
		read = picosPerToken(*p.CacheRead)
	}
	if p.CacheWrite != nil {
		write = picosPerToken(*p.CacheWrite)
	}
	write1h := write
	if p.CacheWrite1h != nil {
		write1h = picosPerToken(*p.CacheWrite1h)
	}
	w1h := min(max(t.CacheWrite1h, 0), max(t.CacheWrite, 0))
	picos := int64(max(t.Input, 0))*input + int64(max(t.Output, 0))*picosPerToken(p.Output) +
		int64(max(t.CacheRead, 0))*read + int64(max(t.CacheWrite, 0)-w1h)*write + int64(w1h)*write1h
	return (picos + 500) / 1000
}

// picosPerToken is a price per million tokens as picos (1e-12) per token.
func picosPerToken(perMillion float64) int64 { return int64(math.Round(perMillion * 1e6)) }

// Convert turns nanos of from into nanos of to at rates, which give the
// value of one unit of each currency in to (e.g. to USD: {"CNY": 0.14}).
// ok is false when from has no rate.
func Convert(nanos int64, from, to string, rates map[string]float64) (int64, bool) {
	if from == to || from == "" {
		return nanos, true
	}
	r, ok := rates[from]
	if !ok || r <= 0 {
		return 0, false
	}
	return int64(math.Round(float64(nanos) * r)), true
}

// Format writes nanos of a currency for people: "$0.0123", "¥1.50", with
// four decimals under one unit and two above.
func Format(nanos int64, currency string) string {
	v := float64(nanos) / NanosPerUnit
	sym := map[string]string{"USD": "$", "CNY": "¥", "EUR": "€"}[currency]
	digits := 2
	if math.Abs(v) < 1 {
		digits = 4
	}
	if sym == "" {
		return fmt.Sprintf("%.*f %s", digits, v, currency)
	}
	return fmt.Sprintf("%s%.*f", sym, digits, v)
}
