package auth

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// step is one call to Allow at t0+at; status 0 means admitted.
type step struct {
	at     time.Duration
	status int
	msg    string
	retry  int
}

func runSteps(t *testing.T, l *Limiter, k *Key, start time.Time, steps []step) {
	t.Helper()
	for i, s := range steps {
		err := l.Allow(k, start.Add(s.at))
		if s.status == 0 {
			if err != nil {
				t.Fatalf("step %d (+%v): Allow = %+v, want admitted", i, s.at, err)
			}
			continue
		}
		if err == nil || err.Status != s.status || err.Kind != KindRateLimit || err.Message != s.msg || err.RetryAfter != s.retry {
			t.Fatalf("step %d (+%v): Allow = %+v, want %d %q retry %d", i, s.at, err, s.status, s.msg, s.retry)
		}
	}
}

func TestAllowMinute(t *testing.T) {
	const full = "rate limit exceeded: 2 requests per minute"
	tests := []struct {
		name  string
		steps []step
	}{
		{"window of two", []step{
			{at: 0}, {at: 10 * time.Second},
			{at: 20 * time.Second, status: 429, msg: full, retry: 40},
			{at: 59*time.Second + 100*time.Millisecond, status: 429, msg: full, retry: 1},
			{at: 60*time.Second - time.Nanosecond, status: 429, msg: full, retry: 1}, // never 0
			{at: 60 * time.Second}, // new window starts here
			{at: 61 * time.Second},
			{at: 62 * time.Second, status: 429, msg: full, retry: 58},
		}},
		{"window starts at first request", []step{
			{at: 30 * time.Second}, {at: 80 * time.Second},
			{at: 89 * time.Second, status: 429, msg: full, retry: 1},
			{at: 90 * time.Second},
		}},
		{"fraction rounds up", []step{
			{at: 0}, {at: 0},
			{at: 500 * time.Millisecond, status: 429, msg: full, retry: 60},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSteps(t, NewLimiter(time.UTC), &Key{ID: "k", RateLimit: 2}, t0, tt.steps)
		})
	}
}

func TestAllowDaily(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	const full = "daily limit of 2 requests reached"
	tests := []struct {
		name  string
		loc   *time.Location
		start time.Time
		steps []step
	}{
		{"until midnight", time.UTC, time.Date(2026, 3, 10, 23, 0, 0, 0, time.UTC), []step{
			{at: 0}, {at: time.Minute},
			{at: 2 * time.Minute, status: 429, msg: full, retry: 3480},
			{at: 59*time.Minute + 59*time.Second + 500*time.Millisecond, status: 429, msg: full, retry: 1},
			{at: time.Hour}, // a new day
			{at: time.Hour + time.Second},
			{at: time.Hour + 2*time.Second, status: 429, msg: full, retry: 86398},
		}},
		// 2026-03-08 is 23 hours long in New York (clocks jump 02:00 → 03:00).
		{"spring forward", ny, time.Date(2026, 3, 8, 0, 30, 0, 0, ny), []step{
			{at: 0}, {at: 0},
			{at: 0, status: 429, msg: full, retry: 22*3600 + 1800},
		}},
		// 2026-11-01 is 25 hours long.
		{"fall back", ny, time.Date(2026, 11, 1, 0, 30, 0, 0, ny), []step{
			{at: 0}, {at: 0},
			{at: 0, status: 429, msg: full, retry: 24*3600 + 1800},
		}},
		{"day is local, not UTC", ny, time.Date(2026, 3, 10, 23, 0, 0, 0, time.UTC), []step{
			{at: 0}, {at: 0},
			{at: 2 * time.Hour, status: 429, msg: full, retry: 3600 * 3}, // 21:00 EDT → midnight
			{at: 5 * time.Hour}, // 00:00 EDT the next day
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSteps(t, NewLimiter(tt.loc), &Key{ID: "k", DailyLimit: 2}, tt.start, tt.steps)
		})
	}
}

func TestRejectionConsumesNothing(t *testing.T) {
	l := NewLimiter(time.UTC)
	k := &Key{ID: "k", RateLimit: 2, DailyLimit: 3}
	runSteps(t, l, k, t0, []step{
		{at: 0}, {at: 1 * time.Second},
		// Minute-limited: must not use daily quota.
		{at: 2 * time.Second, status: 429, msg: "rate limit exceeded: 2 requests per minute", retry: 58},
		{at: 3 * time.Second, status: 429, msg: "rate limit exceeded: 2 requests per minute", retry: 57},
		{at: 60 * time.Second}, // third and last of the day
		// Both exhausted: the daily error wins, and the minute window is untouched.
		{at: 61 * time.Second, status: 429, msg: "daily limit of 3 requests reached", retry: 12*3600 - 61},
	})
	if got := l.Snapshot().Counts["k"]; got != 3 {
		t.Errorf("daily count = %d, want 3", got)
	}
	if w := l.minutes["k"]; w.count != 1 {
		t.Errorf("minute count = %d, want 1 (daily rejection must not consume)", w.count)
	}
}

func TestOutOfOrderStamps(t *testing.T) {
	midnight := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		key   *Key
		start time.Time
		steps []step
	}{
		{"earlier stamp stays in the window", &Key{ID: "k", RateLimit: 2}, t0, []step{
			{at: 10 * time.Second}, {at: 9 * time.Second},
			{at: 8 * time.Second, status: 429, msg: "rate limit exceeded: 2 requests per minute", retry: 60},
		}},
		{"earlier stamp does not reset the day", &Key{ID: "k", DailyLimit: 2}, midnight, []step{
			{at: 0}, {at: -time.Millisecond},
			{at: -2 * time.Millisecond, status: 429, msg: "daily limit of 2 requests reached", retry: 1},
			{at: time.Second, status: 429, msg: "daily limit of 2 requests reached", retry: 86399},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSteps(t, NewLimiter(time.UTC), tt.key, tt.start, tt.steps)
		})
	}
}

func TestLimitChangeAndUnlimited(t *testing.T) {
	l := NewLimiter(time.UTC)
	old := &Key{ID: "k", RateLimit: 5}
	for range 3 {
		if err := l.Allow(old, t0); err != nil {
			t.Fatal(err)
		}
	}
	// A reload lowers the limit: the counter (keyed by ID) carries over.
	reloaded := &Key{ID: "k", RateLimit: 3}
	if err := l.Allow(reloaded, t0); err == nil {
		t.Error("lowered limit not applied at the next request")
	}
	// Removing the limit (0 = unlimited) admits at once.
	for range 100 {
		if err := l.Allow(&Key{ID: "k"}, t0); err != nil {
			t.Fatalf("unlimited key refused: %v", err)
		}
	}
	if err := l.Allow(nil, t0); err != nil {
		t.Errorf("nil key: %v", err)
	}
}

func TestAllowConcurrent(t *testing.T) {
	tests := []struct {
		name string
		key  *Key
		want int64
	}{
		{"rate 50", &Key{ID: "k", RateLimit: 50}, 50},
		{"daily 37", &Key{ID: "k", DailyLimit: 37}, 37},
		{"both", &Key{ID: "k", RateLimit: 50, DailyLimit: 37}, 37},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLimiter(time.UTC)
			var admitted atomic.Int64
			var wg sync.WaitGroup
			for g := range 64 {
				wg.Go(func() {
					for i := range 20 {
						if l.Allow(tt.key, t0.Add(time.Duration(g*20+i)*time.Millisecond)) == nil {
							admitted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if got := admitted.Load(); got != tt.want {
				t.Errorf("admitted %d, want exactly %d", got, tt.want)
			}
		})
	}
}

func TestPrune(t *testing.T) {
	l := NewLimiter(time.UTC)
	for _, id := range []string{"a", "b", "c"} {
		l.Allow(&Key{ID: id, RateLimit: 10, DailyLimit: 10}, t0)
	}
	l.Allow(&Key{ID: "d", RateLimit: 10}, t0.Add(50*time.Second))
	// 30 s after the last prune: nothing is pruned yet.
	l.Allow(&Key{ID: "d", RateLimit: 10}, t0.Add(30*time.Second))
	if len(l.minutes) != 4 {
		t.Fatalf("pruned early: %d windows", len(l.minutes))
	}
	// A minute later, windows a–c have ended and go; d's is still live.
	l.Allow(&Key{ID: "d", RateLimit: 10}, t0.Add(70*time.Second))
	if _, ok := l.minutes["d"]; len(l.minutes) != 1 || !ok {
		t.Errorf("after prune: %d windows, want only d", len(l.minutes))
	}
	// The next day drops previous days' counters.
	l.Allow(&Key{ID: "a", DailyLimit: 10}, t0.Add(24*time.Hour))
	dc := l.Snapshot()
	if dc.Day != "2026-03-11" || len(dc.Counts) != 1 || dc.Counts["a"] != 1 {
		t.Errorf("after day change: %+v", dc)
	}
}
