package tray

import (
	"testing"

	"github.com/modelswitch/modelswitch/app/control"
)

// TestTodayLineShowsTheCost: the cost when some request had a price, a lower
// bound when others had none, nothing (not "$0") when none had one.
func TestTodayLineShowsTheCost(t *testing.T) {
	for _, tc := range []struct {
		today control.Today
		want  string
	}{
		{control.Today{Requests: 3, Tokens: 15000, CostNanos: 12_300_000, Priced: true, Currency: "USD"}, "Today: 3 requests · 15k tokens · $0.0123"},
		{control.Today{Requests: 3, Tokens: 15000, CostNanos: 2_500_000_000, Priced: true, Unpriced: 1, Currency: "USD"}, "Today: 3 requests · 15k tokens · ≥ $2.50"},
		{control.Today{Requests: 3, Tokens: 15000, Unpriced: 3, Currency: "USD"}, "Today: 3 requests · 15k tokens"},
		{control.Today{Requests: 1, Tokens: 10, CostNanos: 1_000_000_000, Priced: true, Currency: "CNY"}, "Today: 1 requests · 10 tokens · ¥1.00"},
	} {
		if got := todayLine("en", &tc.today); got != tc.want {
			t.Errorf("todayLine(%+v) = %q, want %q", tc.today, got, tc.want)
		}
	}
}
