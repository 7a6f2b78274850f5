package tray

import (
	"strings"
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

// TestBudgetLineShowsTheFullestBudget: the line appears with a key budget
// past its warning share, says reached at 100 %, counts the others, and
// hides again when no budget is past its warning.
func TestBudgetLineShowsTheFullestBudget(t *testing.T) {
	today := &control.Today{Currency: "USD", Budgets: []control.Budget{
		{Key: "claude-code", Period: "day", Spent: 8_500_000_000, Budget: 10_000_000_000},
		{Key: "ci", Period: "month", Spent: 90, Budget: 100},
	}}
	if got, want := budgetLine("en", today), "⚠ claude-code: 85% of its daily budget ($8.50 of $10.00) (+1 more)"; got != want {
		t.Errorf("budgetLine = %q, want %q", got, want)
	}
	today.Budgets = []control.Budget{{Key: "ci", Period: "month", Spent: 30_000_000_000, Budget: 30_000_000_000}}
	if got, want := budgetLine("en", today), "⛔ ci: monthly budget reached ($30.00 of $30.00)"; got != want {
		t.Errorf("budgetLine = %q, want %q", got, want)
	}
	if got, want := budgetLine("zh", today), "⛔ ci：月预算已用完（$30.00 / $30.00）"; got != want {
		t.Errorf("zh budgetLine = %q, want %q", got, want)
	}

	kit := &fakeKit{}
	tr := New(kit, Options{Backend: &fakeBackend{}, Log: quietLog(), Autostart: &fakeAutostart{}})
	st := sample()
	tr.Show(st)
	for _, title := range kit.titles() {
		if strings.Contains(title, "budget") {
			t.Fatalf("a budget line without a budget warning: %q", kit.titles())
		}
	}
	st.Today = today
	tr.Show(st)
	if got := kit.titles(); len(got) < 5 || got[4] != "⛔ ci: monthly budget reached ($30.00 of $30.00)" {
		t.Errorf("menu %q: want the budget line under Today", got)
	}
	st.Today = &control.Today{Requests: 1}
	tr.Show(st)
	for _, title := range kit.titles() {
		if strings.Contains(title, "budget") {
			t.Errorf("the budget line stays after the warning went: %q", kit.titles())
		}
	}
}
