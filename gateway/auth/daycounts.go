package auth

import (
	"maps"
	"time"
)

// DayCounts is the persisted form of the daily counters.
type DayCounts struct {
	Day    string         `json:"day"`    // YYYY-MM-DD in the Limiter's location
	Counts map[string]int `json:"counts"` // key ID → requests admitted that day
}

// DayStore keeps DayCounts across restarts. FileStore is the current
// implementation; a database-backed store can replace it behind these two methods.
type DayStore interface {
	Load() (DayCounts, error)
	Save(DayCounts) error
}

// Snapshot returns a copy of the current day's counters.
func (l *Limiter) Snapshot() DayCounts {
	l.mu.Lock()
	defer l.mu.Unlock()
	return DayCounts{Day: l.day, Counts: maps.Clone(l.days)}
}

// Restore loads counters saved earlier today; dc is ignored when dc.Day is not
// now's date in the Limiter's location. A count never decreases: restoring
// merges by maximum, so a late Restore cannot hand out extra requests.
func (l *Limiter) Restore(dc DayCounts, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if dc.Day != now.In(l.loc).Format(dayLayout) {
		return
	}
	l.rollDay(now)
	for id, n := range dc.Counts {
		if n > l.days[id] {
			l.days[id] = n
			l.gen++
		}
	}
}

// Persist saves a snapshot to s when the counters are dirty. A failed Save
// leaves them dirty, so the next Persist retries. Concurrent calls are
// serialised so an older snapshot never overwrites a newer one.
func (l *Limiter) Persist(s DayStore) error {
	l.persistMu.Lock()
	defer l.persistMu.Unlock()
	l.mu.Lock()
	gen := l.gen
	if gen == l.savedGen {
		l.mu.Unlock()
		return nil
	}
	dc := DayCounts{Day: l.day, Counts: maps.Clone(l.days)}
	l.mu.Unlock()

	if err := s.Save(dc); err != nil {
		return err
	}
	l.mu.Lock()
	l.savedGen = gen
	l.mu.Unlock()
	return nil
}
