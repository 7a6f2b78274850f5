package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSnapshotRestore(t *testing.T) {
	src := NewLimiter(time.UTC)
	for range 3 {
		src.Allow(&Key{ID: "a", DailyLimit: 5}, t0)
	}
	src.Allow(&Key{ID: "b", DailyLimit: 5}, t0)
	src.Allow(&Key{ID: "c", RateLimit: 5}, t0) // minute-only keys are not in day counts
	snap := src.Snapshot()
	want := DayCounts{Day: "2026-03-10", Counts: map[string]int{"a": 3, "b": 1}}
	if diff := cmp.Diff(want, snap); diff != "" {
		t.Fatalf("Snapshot mismatch (-want +got):\n%s", diff)
	}
	snap.Counts["a"] = 99 // a snapshot is a copy
	if src.Snapshot().Counts["a"] != 3 {
		t.Error("Snapshot shares its map with the Limiter")
	}

	tests := []struct {
		name  string
		dc    DayCounts
		now   time.Time
		wantA int // remaining daily quota of key a (limit 5) after Restore
	}{
		{"same day", want, t0.Add(time.Hour), 2},
		{"stale day ignored", want, t0.Add(24 * time.Hour), 5},
		{"empty ignored", DayCounts{}, t0, 5},
		{"zone decides the day", DayCounts{Day: "2026-03-11", Counts: map[string]int{"a": 4}},
			time.Date(2026, 3, 10, 23, 0, 0, 0, time.FixedZone("UTC-1", -3600)), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLimiter(time.UTC)
			l.Restore(tt.dc, tt.now)
			got := 0
			for l.Allow(&Key{ID: "a", DailyLimit: 5}, tt.now) == nil && got < 10 {
				got++
			}
			if got != tt.wantA {
				t.Errorf("admitted %d after Restore, want %d", got, tt.wantA)
			}
		})
	}
}

type fakeStore struct {
	saved []DayCounts
	err   error
}

func (f *fakeStore) Load() (DayCounts, error) { return DayCounts{}, nil }
func (f *fakeStore) Save(dc DayCounts) error {
	if f.err != nil {
		return f.err
	}
	f.saved = append(f.saved, dc)
	return nil
}

func TestPersistOnlyWhenDirty(t *testing.T) {
	l := NewLimiter(time.UTC)
	st := &fakeStore{}
	k := &Key{ID: "a", DailyLimit: 5}
	steps := []struct {
		name      string
		do        func()
		fail      bool
		wantSaves int // after Persist: a save happens exactly when the counters changed
	}{
		{"fresh limiter is clean", func() {}, false, 0},
		{"unlimited traffic is clean", func() { l.Allow(&Key{ID: "u"}, t0) }, false, 0},
		{"admission dirties", func() { l.Allow(k, t0) }, false, 1},
		{"saved is clean", func() {}, false, 1},
		{"failed save stays dirty", func() { l.Allow(k, t0) }, true, 1},
		{"retry succeeds", func() {}, false, 2},
		{"rejection is clean", func() { l.Allow(&Key{ID: "a", DailyLimit: 1}, t0) }, false, 2},
	}
	for _, s := range steps {
		s.do()
		st.err = nil
		if s.fail {
			st.err = errors.New("disk full")
		}
		if err := l.Persist(st); (err != nil) != s.fail {
			t.Fatalf("%s: Persist error = %v", s.name, err)
		}
		if len(st.saved) != s.wantSaves {
			t.Fatalf("%s: %d saves, want %d", s.name, len(st.saved), s.wantSaves)
		}
	}
	if got := st.saved[1].Counts["a"]; got != 2 {
		t.Errorf("last saved count = %d, want 2", got)
	}
}
