package auth

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/pricing"
)

func TestBudgetRefusesAtTheLimitAndResets(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*3600)
	b := NewBudgets(loc)
	k := &Key{ID: "key_a", DailyBudget: 1 * pricing.NanosPerUnit, MonthlyBudget: 3 * pricing.NanosPerUnit}
	day1 := time.Date(2026, 5, 30, 10, 0, 0, 0, loc)
	if e := b.Allow(k, day1, "USD"); e != nil {
		t.Fatalf("nothing spent: %v", e)
	}
	b.Spend("key_a", 600_000_000, day1)
	if e := b.Allow(k, day1, "USD"); e != nil {
		t.Fatalf("$0.60 of $1: %v", e)
	}
	b.Spend("key_a", 400_000_000, day1)
	e := b.Allow(k, day1, "USD")
	if e == nil || e.Status != 429 || !strings.Contains(e.Message, "daily budget of $1.00 reached") {
		t.Fatalf("$1.00 of $1: %v", e)
	}
	if want := 14 * 3600; e.RetryAfter != want { // 10:00 → midnight in loc
		t.Errorf("Retry-After %d, want %d", e.RetryAfter, want)
	}
	day2 := day1.Add(24 * time.Hour)
	if e := b.Allow(k, day2, "USD"); e != nil {
		t.Fatalf("next day: %v", e)
	}
	b.Spend("key_a", 2*pricing.NanosPerUnit, day2) // month: $3 of $3
	e = b.Allow(k, day2.Add(time.Hour), "USD")
	if e == nil || !strings.Contains(e.Message, "monthly budget of $3.00 reached") {
		t.Fatalf("month spent: %v", e)
	}
	if want := int(time.Date(2026, 6, 1, 0, 0, 0, 0, loc).Sub(day2.Add(time.Hour)) / time.Second); e.RetryAfter != want {
		t.Errorf("Retry-After %d, want %d (to June 1st)", e.RetryAfter, want)
	}
	if d, m := b.Spent("key_a", time.Date(2026, 6, 1, 0, 0, 1, 0, loc)); d != 0 || m != 0 {
		t.Errorf("new month: spent %d / %d, want none", d, m)
	}
	// A key without budgets is never refused; another key's spend is its own.
	if e := b.Allow(&Key{ID: "key_b"}, day2, "USD"); e != nil {
		t.Errorf("no budget: %v", e)
	}
}

// TestBudgetSpendIsExactUnderConcurrency: 64 clients spending at once add
// up to the exact total, and the budget holds once reached.
func TestBudgetSpendIsExactUnderConcurrency(t *testing.T) {
	b := NewBudgets(time.UTC)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	const clients, each, cost = 64, 100, 1_234_567
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range each {
				b.Spend("key_a", cost, now)
			}
		})
	}
	wg.Wait()
	if d, m := b.Spent("key_a", now); d != clients*each*cost || m != d {
		t.Errorf("spent %d / %d, want %d", d, m, clients*each*cost)
	}
	k := &Key{ID: "key_a", DailyBudget: clients * each * cost}
	if b.Allow(k, now, "USD") == nil {
		t.Error("budget reached exactly: allowed")
	}
}

func TestBudgetRestoreAndLateStamps(t *testing.T) {
	b := NewBudgets(time.UTC)
	now := time.Date(2026, 5, 2, 0, 0, 5, 0, time.UTC)
	b.Restore(map[string]int64{"key_a": 5}, map[string]int64{"key_a": 50}, now)
	// A request that began before midnight is counted in the current day, which it does not reset.
	b.Spend("key_a", 7, now.Add(-10*time.Second))
	if d, m := b.Spent("key_a", now); d != 12 || m != 57 {
		t.Errorf("spent %d / %d, want 12 / 57", d, m)
	}
}

// TestBudgetAdjustAndWarnings: a recompute's correction moves today's and
// this month's spend (never below zero, never an old day's), and a key past
// its warning share is listed, the fullest first.
func TestBudgetAdjustAndWarnings(t *testing.T) {
	b := NewBudgets(time.UTC)
	now := time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)
	b.Spend("key_a", 500, now)
	b.Adjust("key_a", 300, now.Add(-time.Hour), now)    // today
	b.Adjust("key_a", 1000, now.AddDate(0, 0, -3), now) // earlier this month: the month only
	b.Adjust("key_a", 5000, now.AddDate(0, -1, 0), now) // last month: nothing
	b.Adjust("key_b", -70, now, now)                    // never below zero
	if d, m := b.Spent("key_a", now); d != 800 || m != 1800 {
		t.Fatalf("key_a spent %d / %d, want 800 / 1800", d, m)
	}
	if d, m := b.Spent("key_b", now); d != 0 || m != 0 {
		t.Fatalf("key_b spent %d / %d, want 0 / 0", d, m)
	}

	a := &Key{ID: "key_a", Name: "a", DailyBudget: 1000, MonthlyBudget: 1800, BudgetWarning: 0.8}
	c := &Key{ID: "key_c", Name: "c", DailyBudget: 1000, BudgetWarning: 0.9}
	quiet := &Key{ID: "key_q", Name: "q", DailyBudget: 1000, BudgetWarning: 0.8}
	b.Spend("key_c", 850, now) // 85 %, under c's 90 %
	b.Spend("key_q", 100, now)
	ws := b.Warnings([]*Key{quiet, c, a}, now)
	if len(ws) != 2 {
		t.Fatalf("warnings %+v, want a's month (reached) then a's day (80 %%)", ws)
	}
	if ws[0].Key != a || ws[0].Period != Monthly || !ws[0].Reached() || ws[1].Key != a || ws[1].Period != Daily || ws[1].Reached() {
		t.Errorf("warnings %+v", ws)
	}
	b.Spend("key_c", 50, now) // 90 %
	if ws := b.Warnings([]*Key{c}, now); len(ws) != 1 || ws[0].Spent != 900 {
		t.Errorf("c at 90 %%: %+v", ws)
	}
	if ws := b.Warnings([]*Key{c}, now.AddDate(0, 0, 1)); len(ws) != 0 {
		t.Errorf("the next day starts from zero: %+v", ws)
	}
}
