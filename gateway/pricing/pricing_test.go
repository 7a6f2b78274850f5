package pricing

import "testing"

func f(v float64) *float64 { return &v }

// Hand-computed cases: each expected figure is worked out in the comment.
func TestCostAgainstHandComputedCases(t *testing.T) {
	sonnet := Price{Input: 3, Output: 15, CacheRead: f(0.30), CacheWrite: f(3.75), CacheWrite1h: f(6), Currency: "USD"}
	cases := []struct {
		name string
		p    Price
		t    Tokens
		want int64 // nanos
	}{
		// 1000×3 + 500×15 + 20000×0.30 + 2000×3.75 + 1000×6 = 3000+7500+6000+7500+6000 = 30000 per million = $0.03
		{"anthropic, cache read, 5 m and 1 h writes", sonnet, Tokens{Input: 1000, Output: 500, CacheRead: 20000, CacheWrite: 3000, CacheWrite1h: 1000}, 30_000_000},
		// all writes 5-minute: 3000×3.75 = 11250 → with the rest 3000+7500+6000+11250 = 27750 → $0.02775
		{"anthropic, 5 m writes only", sonnet, Tokens{Input: 1000, Output: 500, CacheRead: 20000, CacheWrite: 3000}, 27_750_000},
		// OpenAI: prompt_tokens 10000 with cached_tokens 8000 is normalised to input 2000 + read 8000:
		// 2000×1.25 + 8000×0.125 + 1000×10 = 2500+1000+10000 = 13500 → $0.0135 (not 10000×1.25 + 8000×0.125)
		{"openai, cached part of the prompt", Price{Input: 1.25, Output: 10, CacheRead: f(0.125), Currency: "USD"}, Tokens{Input: 2000, Output: 1000, CacheRead: 8000}, 13_500_000},
		// no cache prices: reads and writes cost input. (100+50+50)×2 + 10×8 = 400+80 = 480 → 0.00048
		{"cache not priced apart", Price{Input: 2, Output: 8, Currency: "CNY"}, Tokens{Input: 100, Output: 10, CacheRead: 50, CacheWrite: 50}, 480_000},
		// one token at $0.0375/M = 0.0375 µ$ = 37.5 nanos → rounds to 38
		{"rounding to the nearest nano", Price{Input: 0.0375, Output: 0.15, Currency: "USD"}, Tokens{Input: 1}, 38},
		// 1h share larger than the writes is clamped to the writes: 10×6 = 60 → 60 nanos? 10×6/1e6 $ = 60e-6 $ = 60000 nanos
		{"1 h share clamped", sonnet, Tokens{CacheWrite: 10, CacheWrite1h: 99}, 60_000},
		{"negative counts are none", sonnet, Tokens{Input: -5, Output: -1}, 0},
		// a long session: 2,000,000 output at $15 = $30
		{"large counts", sonnet, Tokens{Output: 2_000_000}, 30 * NanosPerUnit},
	}
	for _, c := range cases {
		if got := c.p.Cost(c.t); got != c.want {
			t.Errorf("%s: %d nanos, want %d", c.name, got, c.want)
		}
	}
}

func TestConvertAndFormat(t *testing.T) {
	rates := map[string]float64{"CNY": 0.14}
	if got, ok := Convert(7*NanosPerUnit, "CNY", "USD", rates); !ok || got != 980_000_000 {
		t.Errorf("¥7 in USD = %d %v, want 0.98 USD", got, ok)
	}
	if _, ok := Convert(1, "EUR", "USD", rates); ok {
		t.Error("a currency without a rate converted")
	}
	if got, ok := Convert(5, "USD", "USD", nil); !ok || got != 5 {
		t.Errorf("same currency: %d %v", got, ok)
	}
	for nanos, want := range map[int64]string{12_300_000: "$0.0123", 1_500_000_000: "$1.50", 0: "$0.0000"} {
		if got := Format(nanos, "USD"); got != want {
			t.Errorf("Format(%d) = %q, want %q", nanos, got, want)
		}
	}
	if got := Format(2*NanosPerUnit, "CNY"); got != "¥2.00" {
		t.Errorf("CNY: %q", got)
	}
}
