package auth

import (
	"sync"
	"time"
)

const (
	window     = time.Minute // length of a per-minute window
	pruneEvery = time.Minute // minimum spacing of housekeeping, in the caller's time
	dayLayout  = "2006-01-02"
)

// Limiter enforces each Key's RateLimit and DailyLimit. It is long-lived and
// safe for concurrent use; one mutex guards all state, because checking both
// limits and then counting against both must be one atomic step.
type Limiter struct {
	loc *time.Location

	mu        sync.Mutex
	minutes   map[string]*minuteWindow // key ID → current window
	day       string                   // the day (in loc) that days counts; "" before first use
	days      map[string]int           // key ID → requests admitted on day
	gen       uint64                   // bumped on every change to day or days
	lastPrune time.Time

	persistMu sync.Mutex // serialises Persist so saves land in order
	savedGen  uint64     // gen of the last successful Persist; guarded by mu
}

type minuteWindow struct {
	start time.Time // the first request of the window
	count int
}

// NewLimiter returns a Limiter whose calendar days are those of loc (nil = local).
func NewLimiter(loc *time.Location) *Limiter {
	if loc == nil {
		loc = time.Local
	}
	return &Limiter{loc: loc, minutes: map[string]*minuteWindow{}, days: map[string]int{}}
}

// Allow admits one request for k at now, or returns a 429 Error. Limits are
// read from k on every call, so a reloaded Key's new limits apply at once.
// A rejected request consumes neither counter. When both limits are exhausted
// the daily error is returned: its Retry-After is the one that matters.
// A nil Key is allowed (there is nothing to count against).
//
// Callers read now before the lock, so concurrent stamps arrive slightly out
// of order; a now before the current window's start counts in that window
// and never resets it (nor the day, see rollDay), which keeps limits exact.
func (l *Limiter) Allow(k *Key, now time.Time) *Error {
	if k == nil || (k.RateLimit <= 0 && k.DailyLimit <= 0) {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maybePrune(now)
	l.rollDay(now)

	w := l.minutes[k.ID]
	if w != nil && now.Sub(w.start) >= window {
		w = nil // ended; the next admitted request starts a new one
	}
	if k.DailyLimit > 0 && l.days[k.ID] >= k.DailyLimit {
		return rateError(secondsUntilMidnight(now, l.loc), "daily limit of %d requests reached", k.DailyLimit)
	}
	if k.RateLimit > 0 && w != nil && w.count >= k.RateLimit {
		return rateError(ceilSeconds(window-max(now.Sub(w.start), 0)), "rate limit exceeded: %d requests per minute", k.RateLimit)
	}

	if k.RateLimit > 0 {
		if w == nil {
			w = &minuteWindow{start: now}
			l.minutes[k.ID] = w
		}
		w.count++
	}
	if k.DailyLimit > 0 {
		l.days[k.ID]++
		l.gen++
	}
	return nil
}

// rollDay starts a new, empty day when now's date in loc is later than l.day,
// which also drops every previous day's counters. It never goes back: callers
// read the clock before taking the lock, so a request stamped 23:59:59.999 may
// arrive after one stamped 00:00:00 and must not reset the new day's counts;
// it counts against the current day. Caller holds mu.
func (l *Limiter) rollDay(now time.Time) {
	if d := now.In(l.loc).Format(dayLayout); d > l.day {
		l.day = d
		clear(l.days)
		l.gen++
	}
}

// maybePrune drops minute windows that have ended, at most once per minute of
// now; an ended window would be restarted by the next request anyway. Caller holds mu.
func (l *Limiter) maybePrune(now time.Time) {
	if now.Sub(l.lastPrune) < pruneEvery {
		return
	}
	l.lastPrune = now
	for id, w := range l.minutes {
		if now.Sub(w.start) >= window {
			delete(l.minutes, id)
		}
	}
}

// secondsUntilMidnight is the time from now to the next midnight in loc,
// rounded up. time.Date normalises the day overflow and the DST offset, so a
// 23- or 25-hour day is counted correctly.
func secondsUntilMidnight(now time.Time, loc *time.Location) int {
	t := now.In(loc)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
	return ceilSeconds(next.Sub(now))
}

// ceilSeconds rounds d up to whole seconds; the result is at least 1.
func ceilSeconds(d time.Duration) int {
	return max(int((d+time.Second-1)/time.Second), 1)
}
