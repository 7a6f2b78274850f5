package router

import (
	"context"
	"errors"
	"testing"
	"time"
)

type fakeErr struct{ retry bool }

func (e fakeErr) Error() string     { return "fake" }
func (e fakeErr) IsRetryable() bool { return e.retry }

func TestTry(t *testing.T) {
	targets := []Target{{Index: 0, Provider: "a", Model: "m1"}, {Index: 1, Provider: "b", Model: "m2"}, {Index: 2, Provider: "c", Model: "m3"}}
	tests := []struct {
		name      string
		results   map[string]error
		wantTried []string
		wantErr   string // "" = success; "exhausted"; "fake"
	}{
		{"first wins", map[string]error{}, []string{"a"}, ""},
		{"fall over on retryable", map[string]error{"a": fakeErr{true}}, []string{"a", "b"}, ""},
		{"stop on client error", map[string]error{"a": fakeErr{false}}, []string{"a"}, "fake"},
		{"skip disabled", map[string]error{"a": &Skip{"disabled"}, "b": fakeErr{true}}, []string{"a", "b", "c"}, ""},
		{"all fail", map[string]error{"a": fakeErr{true}, "b": fakeErr{true}, "c": fakeErr{true}}, []string{"a", "b", "c"}, "exhausted"},
		{"plain error is final", map[string]error{"a": errors.New("boom")}, []string{"a"}, "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tried []string
			res, err := Try(context.Background(), time.Now, targets, func(t Target) error {
				tried = append(tried, t.Provider)
				return tc.results[t.Provider]
			})
			if len(tried) != len(tc.wantTried) || len(res.Attempts) != len(tried) {
				t.Fatalf("tried %v (attempts %d), want %v", tried, len(res.Attempts), tc.wantTried)
			}
			for i := range tried {
				if tried[i] != tc.wantTried[i] {
					t.Fatalf("tried %v, want %v", tried, tc.wantTried)
				}
			}
			var ex *ExhaustedError
			switch tc.wantErr {
			case "":
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			case "exhausted":
				if !errors.As(err, &ex) || len(ex.Attempts) != 3 {
					t.Fatalf("err = %v, want exhausted with 3 attempts", err)
				}
			default:
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			}
		})
	}
}

func TestTryStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := Try(ctx, time.Now, []Target{{Provider: "a", Model: "m"}, {Index: 1, Provider: "b", Model: "m"}}, func(Target) error {
		n++
		cancel()
		return fakeErr{true}
	})
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("tried %d, err %v; want 1 try and context.Canceled", n, err)
	}
}

type coolErr struct{ d time.Duration }

func (e coolErr) Error() string          { return "429" }
func (e coolErr) IsRetryable() bool      { return true }
func (e coolErr) Neutral() bool          { return true }
func (e coolErr) CoolFor() time.Duration { return e.d }

func TestTryWithBreakers(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	a := Target{Provider: "a", Model: "m", Breaker: NewBreaker(2, 30*time.Second)}
	b := Target{Index: 1, Provider: "b", Model: "m", Breaker: NewBreaker(2, 30*time.Second)}
	calls := map[string]int{}
	run := func() *Result {
		res, err := Try(context.Background(), now, []Target{a, b}, func(t Target) error {
			calls[t.Provider]++
			if t.Provider == "a" {
				return fakeErr{true}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for i := 0; i < 2; i++ {
		run().Finish(now(), Success)
	}
	if calls["a"] != 2 || a.Breaker.Status(now()).State != Open {
		t.Fatalf("a tried %d times, state %v", calls["a"], a.Breaker.Status(now()).State)
	}
	res := run()
	if calls["a"] != 2 || !res.Attempts[0].Skipped || res.Winner.Provider != "b" {
		t.Fatalf("open breaker not skipped: calls %v, attempts %+v", calls, res.Attempts)
	}
	var oe *OpenError
	if !errors.As(res.Attempts[0].Err, &oe) || !oe.Until.Equal(clock.Add(30*time.Second)) {
		t.Errorf("skip reason = %v", res.Attempts[0].Err)
	}
	res.Finish(now(), Failure) // a stream that broke after commit counts against b
	if b.Breaker.Status(now()).Failures != 1 {
		t.Errorf("Finish did not record on the winner's breaker")
	}
}

func TestTryCoolsOn429AndReleasesProbeOnCancel(t *testing.T) {
	clock := time.Now()
	now := func() time.Time { return clock }
	a := Target{Provider: "a", Model: "m", Breaker: NewBreaker(5, time.Minute)}
	_, err := Try(context.Background(), now, []Target{a}, func(Target) error { return coolErr{7 * time.Second} })
	var ex *ExhaustedError
	if !errors.As(err, &ex) || a.Breaker.Allow(clock.Add(6*time.Second)) {
		t.Fatalf("429 did not cool the breaker: %v", err)
	}
	clock = clock.Add(8 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Try(ctx, now, []Target{a}, func(Target) error { cancel(); return fakeErr{true} })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if !a.Breaker.Allow(clock) {
		t.Fatal("a cancelled probe did not release its slot")
	}
}

func TestTryQueueFullFallsOver(t *testing.T) {
	q := NewQueue("a", 1, 0, 0)
	hold, _ := q.Acquire(context.Background())
	defer hold()
	a := Target{Provider: "a", Model: "m", Queue: q}
	b := Target{Index: 1, Provider: "b", Model: "m", Queue: NewQueue("b", 1, 0, 0)}
	res, err := Try(context.Background(), time.Now, []Target{a, b}, func(t Target) error { return nil })
	if err != nil || res.Winner.Provider != "b" || !errors.Is(res.Attempts[0].Err, ErrQueueFull) {
		t.Fatalf("res %+v, err %v", res, err)
	}
	if b.Queue.Stats().Active != 1 {
		t.Fatal("the winner does not hold its slot")
	}
	res.Finish(time.Now(), Success)
	res.Finish(time.Now(), Success)
	if b.Queue.Stats().Active != 0 {
		t.Fatal("Finish did not free the slot (exactly once)")
	}
}

// TestTryUnfitTargetTouchesNeitherQueueNorBreaker: a target marked Unfit is
// recorded as skipped with its reason; its full queue does not stop the
// walk, its attempt never runs, and its breaker keeps no verdict.
func TestTryUnfitTargetTouchesNeitherQueueNorBreaker(t *testing.T) {
	q := NewQueue("a", 1, 0, 0)
	hold, _ := q.Acquire(context.Background())
	defer hold()
	a := Target{Provider: "a", Model: "small", Queue: q, Breaker: NewBreaker(1, time.Minute), Unfit: "too large"}
	b := Target{Index: 1, Provider: "b", Model: "m"}
	var tried []string
	res, err := Try(context.Background(), time.Now, []Target{a, b}, func(t Target) error { tried = append(tried, t.Provider); return nil })
	var u *UnfitError
	if err != nil || res.Winner.Provider != "b" || !res.Attempts[0].Skipped || !errors.As(res.Attempts[0].Err, &u) || u.Reason != "too large" {
		t.Fatalf("res %+v, err %v", res, err)
	}
	if len(tried) != 1 || tried[0] != "b" {
		t.Errorf("attempts ran on %v, want only b", tried)
	}
	if st := a.Breaker.Status(time.Now()); st.State != Closed || st.Failures != 0 {
		t.Errorf("the unfit target's breaker moved: %+v", st)
	}
	if q.Stats().Active != 1 || q.Stats().Waiting != 0 {
		t.Errorf("the unfit target's queue was used: %+v", q.Stats())
	}
	res.Finish(time.Now(), Success)
}
