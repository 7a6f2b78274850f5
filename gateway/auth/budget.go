package auth

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/gateway/pricing"
)

// Budgets enforces each Key's DailyBudget and MonthlyBudget (issue 17): a key
// whose spend today (this month) has reached its budget is refused with a 429
// until the next day (month) in loc begins. A request's cost is known only
// once it has been answered, so it is admitted while the spend is below the
// budget and counted when recorded (Spend): the spend is exact, and the
// budget can be passed by what the requests in flight at that moment cost,
// never by more. Safe for concurrent use.
//
// The spend is not persisted here: at start the server restores it from the
// usage rollups (Restore), which hold every recorded cost.
type Budgets struct {
	loc *time.Location

	mu     sync.Mutex
	day    string           // YYYY-MM-DD in loc that days counts
	month  string           // YYYY-MM in loc that months counts
	days   map[string]int64 // key ID → nanos spent on day
	months map[string]int64 // key ID → nanos spent in month
}

// NewBudgets returns Budgets whose days and months are those of loc (nil = local).
func NewBudgets(loc *time.Location) *Budgets {
	if loc == nil {
		loc = time.Local
	}
	return &Budgets{loc: loc, days: map[string]int64{}, months: map[string]int64{}}
}

// Allow refuses k at now when a budget of its is spent; currency names the
// unit of the budgets in the message. A nil Key or one without budgets is
// allowed.
func (b *Budgets) Allow(k *Key, now time.Time, currency string) *Error {
	if k == nil || (k.DailyBudget <= 0 && k.MonthlyBudget <= 0) {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	if k.MonthlyBudget > 0 && b.months[k.ID] >= k.MonthlyBudget {
		return rateError(secondsUntilNextMonth(now, b.loc), "monthly budget of %s reached (spent %s); it resets at the start of next month",
			pricing.Format(k.MonthlyBudget, currency), pricing.Format(b.months[k.ID], currency))
	}
	if k.DailyBudget > 0 && b.days[k.ID] >= k.DailyBudget {
		return rateError(secondsUntilMidnight(now, b.loc), "daily budget of %s reached (spent %s); it resets at midnight",
			pricing.Format(k.DailyBudget, currency), pricing.Format(b.days[k.ID], currency))
	}
	return nil
}

// Spend counts nanos against keyID for the day and month of at. A cost
// stamped before the current day (a request that began before midnight)
// counts in the current day, as the Limiter does.
func (b *Budgets) Spend(keyID string, nanos int64, at time.Time) {
	if keyID == "" || nanos <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(at)
	b.days[keyID] += nanos
	b.months[keyID] += nanos
}

// Spent returns keyID's spend today and this month, as of now.
func (b *Budgets) Spent(keyID string, now time.Time) (day, month int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	return b.days[keyID], b.months[keyID]
}

// Restore replaces the spend with day's and month's, by key ID, as of now.
func (b *Budgets) Restore(day, month map[string]int64, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.day, b.month = "", ""
	b.roll(now)
	b.days, b.months = maps.Clone(day), maps.Clone(month)
	if b.days == nil {
		b.days = map[string]int64{}
	}
	if b.months == nil {
		b.months = map[string]int64{}
	}
}

// roll starts a new day or month when now is past the current one; it never
// goes back (see Limiter.rollDay). Caller holds mu.
func (b *Budgets) roll(now time.Time) {
	t := now.In(b.loc)
	if d := t.Format(dayLayout); d > b.day {
		b.day = d
		clear(b.days)
	}
	if m := t.Format("2006-01"); m > b.month {
		b.month = m
		clear(b.months)
	}
}

// secondsUntilNextMonth is the time from now to the first of next month in
// loc, rounded up.
func secondsUntilNextMonth(now time.Time, loc *time.Location) int {
	t := now.In(loc)
	next := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc)
	return ceilSeconds(next.Sub(now))
}

// Adjust corrects keyID's spend by delta nanos (negative to take back) for a
// cost stamped at, as of now: a recompute of past rows moves the spend of today and of
// this month by what it changed in them, so requests counted meanwhile are
// not lost. A stamp outside the current day (month) changes only the month
// (nothing); the spend never goes below zero.
func (b *Budgets) Adjust(keyID string, delta int64, at, now time.Time) {
	if keyID == "" || delta == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	t := at.In(b.loc)
	if t.Format("2006-01") != b.month {
		return
	}
	b.months[keyID] = max(b.months[keyID]+delta, 0)
	if t.Format(dayLayout) == b.day {
		b.days[keyID] = max(b.days[keyID]+delta, 0)
	}
}

// Period names a budget's span.
type Period string

const (
	Daily   Period = "day"
	Monthly Period = "month"
)

// Warning is a budget of a key that has passed its key's warning share.
type Warning struct {
	Key    *Key
	Period Period
	Spent  int64 // nanos
	Budget int64 // nanos
}

// Reached reports whether the budget is spent (further requests are refused).
func (w Warning) Reached() bool { return w.Spent >= w.Budget }

// Warnings returns the budgets of keys whose spend has passed the key's
// BudgetWarning share as of now, the fullest first.
func (b *Budgets) Warnings(keys []*Key, now time.Time) []Warning {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	var out []Warning
	for _, k := range keys {
		for _, p := range [...]struct {
			period Period
			budget int64
			spent  map[string]int64
		}{{Daily, k.DailyBudget, b.days}, {Monthly, k.MonthlyBudget, b.months}} {
			if p.budget <= 0 {
				continue
			}
			if spent := p.spent[k.ID]; float64(spent) >= k.BudgetWarning*float64(p.budget) {
				out = append(out, Warning{Key: k, Period: p.period, Spent: spent, Budget: p.budget})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Warning) int {
		return cmp.Compare(float64(b.Spent)/float64(b.Budget), float64(a.Spent)/float64(a.Budget))
	})
	return out
}
