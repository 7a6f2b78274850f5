package router

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Target is one adapter of a chain: which provider, which upstream model, and
// the breaker and queue that guard it (nil for none).
type Target struct {
	Index    int    // position in priority order, from 0
	Provider string // provider name
	Model    string // upstream model name
	Breaker  *Breaker
	Queue    *Queue
	// Unfit, when set, says why the request cannot go to this target at all
	// (it overflows the upstream model's context window): Try skips it
	// without waiting in its queue or touching its breaker.
	Unfit string
	// Priority and Weight place the target in its level for a Balancer;
	// Load, when set, is kept up to date by Try (requests in flight, time to
	// first content).
	Priority int
	Weight   int
	Load     *Load
}

func (t Target) String() string { return t.Provider + " (" + t.Model + ")" }

// Retryable is implemented by errors that tell the chain whether to fall over.
type Retryable interface {
	error
	IsRetryable() bool
}

// Neutral is implemented by errors that say nothing about the upstream's
// health (the client left, a 429, a full queue): they release a half-open
// probe without a verdict. Other errors count as a Failure when retryable and a
// Success otherwise (the upstream answered; the request was at fault).
type Neutral interface {
	Neutral() bool
}

// Cooling is implemented by errors that ask for a pause before the upstream is
// tried again (429 with Retry-After).
type Cooling interface {
	CoolFor() time.Duration
}

// Attempt is one tried target and how it ended.
type Attempt struct {
	Target Target
	Err    error // nil for the winner
	// Skipped is true when the target was not tried (disabled, breaker open).
	Skipped bool
}

// UnfitError is the reason of a target skipped as Unfit.
type UnfitError struct{ Reason string }

func (e *UnfitError) Error() string { return e.Reason }

// Skip is returned by an attempt function for a target it will not try; the
// chain records it and moves on without counting it as a failure.
type Skip struct{ Reason string }

func (s *Skip) Error() string { return s.Reason }

// OpenError is the reason a target was skipped: its breaker is open.
type OpenError struct {
	Until time.Time
}

func (e *OpenError) Error() string {
	return "circuit breaker open until " + e.Until.Format(time.TimeOnly)
}

// ExhaustedError is returned when no target succeeded and the last failure
// allowed falling over (or every target was skipped).
type ExhaustedError struct {
	Attempts []Attempt
}

func (e *ExhaustedError) Error() string {
	if len(e.Attempts) == 0 {
		return "no adapters configured"
	}
	parts := make([]string, 0, len(e.Attempts))
	for _, a := range e.Attempts {
		parts = append(parts, fmt.Sprintf("%s: %v", a.Target, a.Err))
	}
	return "all adapters failed: " + strings.Join(parts, "; ")
}

// Result is a committed exchange. The caller must call Finish once the
// exchange is over (the stream consumed), which records the winner's outcome
// on its breaker and frees its queue slot.
type Result struct {
	Attempts []Attempt
	Winner   Target
	release  func()
	done     bool
}

// Finish records how the committed exchange ended and releases its slot.
func (r *Result) Finish(now time.Time, o Outcome) {
	if r.done {
		return
	}
	r.done = true
	if r.Winner.Breaker != nil {
		r.Winner.Breaker.Record(now, o)
	}
	r.Winner.Load.end()
	if r.release != nil {
		r.release()
	}
}

// Try walks targets in order: a target whose breaker is open is skipped; a
// target with a queue waits for a slot; then attempt runs. The first attempt
// that returns nil wins. A non-retryable error ends the walk and is returned as
// is; when every target failed or was skipped, the error is *ExhaustedError.
// now is the clock for breakers (time.Now in production).
func Try(ctx context.Context, now func() time.Time, targets []Target, attempt func(Target) error) (*Result, error) {
	attempts := make([]Attempt, 0, len(targets))
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return &Result{Attempts: attempts}, err
		}
		if t.Unfit != "" {
			attempts = append(attempts, Attempt{Target: t, Skipped: true, Err: &UnfitError{Reason: t.Unfit}})
			continue
		}
		if t.Breaker != nil && !t.Breaker.Allow(now()) {
			attempts = append(attempts, Attempt{Target: t, Skipped: true, Err: &OpenError{Until: t.Breaker.Status(now()).Until}})
			continue
		}
		var release func()
		if t.Queue != nil {
			var err error
			if release, err = t.Queue.Acquire(ctx); err != nil {
				record(t, now(), NoVerdict, 0)
				attempts = append(attempts, Attempt{Target: t, Err: err})
				continue // a full queue falls over; a cancelled wait ends at the loop's top
			}
		}
		began := time.Now() // the wall clock: now may be a test's fixed one
		t.Load.begin()
		err := attempt(t)
		if err == nil {
			t.Load.observe(time.Since(began), began)
			return &Result{Attempts: append(attempts, Attempt{Target: t}), Winner: t, release: release}, nil
		}
		t.Load.end()
		if release != nil {
			release()
		}
		var skip *Skip
		if errors.As(err, &skip) {
			record(t, now(), NoVerdict, 0)
			attempts = append(attempts, Attempt{Target: t, Err: err, Skipped: true})
			continue
		}
		attempts = append(attempts, Attempt{Target: t, Err: err})
		if ctx.Err() != nil { // the client left: no verdict on the upstream
			record(t, now(), NoVerdict, 0)
			return &Result{Attempts: attempts}, ctx.Err()
		}
		o, cool := classify(err)
		record(t, now(), o, cool)
		var r Retryable
		if !errors.As(err, &r) || !r.IsRetryable() {
			return &Result{Attempts: attempts}, err
		}
	}
	return &Result{Attempts: attempts}, &ExhaustedError{Attempts: attempts}
}

func classify(err error) (Outcome, time.Duration) {
	var cool time.Duration
	var c Cooling
	if errors.As(err, &c) {
		cool = c.CoolFor()
	}
	var n Neutral
	if errors.As(err, &n) && n.Neutral() {
		return NoVerdict, cool
	}
	var r Retryable
	if errors.As(err, &r) && r.IsRetryable() {
		return Failure, cool
	}
	return Success, cool
}

func record(t Target, now time.Time, o Outcome, cool time.Duration) {
	if t.Breaker == nil {
		return
	}
	if cool > 0 {
		t.Breaker.Cool(now, cool)
		return
	}
	t.Breaker.Record(now, o)
}
