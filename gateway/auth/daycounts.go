package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
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

// Generation counts changes to the daily counters (admissions and day
// changes); it only grows, so a caller may compare it with a saved value.
func (l *Limiter) Generation() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gen
}

// Dirty reports whether the daily counters changed since the last successful Persist.
func (l *Limiter) Dirty() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gen != l.savedGen
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

// FileStore keeps DayCounts in one JSON file.
type FileStore struct {
	Path string
}

// Load reads the file. A missing file is an empty DayCounts and no error; a
// corrupt one is an error (the caller logs it and starts from zero).
func (f FileStore) Load() (DayCounts, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return DayCounts{Counts: map[string]int{}}, nil
	}
	if err != nil {
		return DayCounts{}, fmt.Errorf("reading day counts: %w", err)
	}
	var dc DayCounts
	if err := json.Unmarshal(b, &dc); err != nil {
		return DayCounts{}, fmt.Errorf("decoding day counts %s: %w", f.Path, err)
	}
	if _, err := time.Parse(dayLayout, dc.Day); err != nil && dc.Day != "" {
		return DayCounts{}, fmt.Errorf("decoding day counts %s: bad day %q", f.Path, dc.Day)
	}
	if dc.Counts == nil {
		dc.Counts = map[string]int{}
	}
	return dc, nil
}

// Save writes dc atomically: a temporary file in the same directory, fsynced,
// then renamed over Path. The file is 0600 and a created directory 0700.
func (f FileStore) Save(dc DayCounts) error {
	b, err := json.Marshal(dc)
	if err != nil {
		return fmt.Errorf("encoding day counts: %w", err)
	}
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("saving day counts: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(f.Path)+".tmp-*") // created 0600
	if err != nil {
		return fmt.Errorf("saving day counts: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.Path)
	}
	if err != nil {
		return fmt.Errorf("saving day counts: %w", err)
	}
	return nil
}
