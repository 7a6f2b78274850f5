package router

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Target is one adapter of a chain: which provider, which upstream model.
type Target struct {
	Index    int    // position in priority order, from 0
	Provider string // provider name
	Model    string // upstream model name
}

func (t Target) String() string { return t.Provider + " (" + t.Model + ")" }

// Retryable is implemented by errors that tell the chain whether to fall over.
type Retryable interface {
	error
	IsRetryable() bool
}

// Attempt is one tried target and how it ended.
type Attempt struct {
	Target Target
	Err    error // nil for the winner
	// Skipped is true when the target was not tried (e.g. provider disabled).
	Skipped bool
}

// Skip is returned by an attempt function for a target it will not try; the
// chain records it and moves on without counting it as a failure.
type Skip struct{ Reason string }

func (s *Skip) Error() string { return s.Reason }

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

// Try calls attempt for each target in order until one returns nil or an error
// that is not retryable; it returns the attempts made and, when nothing
// succeeded, the final error (the non-retryable one as is, else *ExhaustedError).
func Try(ctx context.Context, targets []Target, attempt func(Target) error) ([]Attempt, error) {
	attempts := make([]Attempt, 0, len(targets))
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return attempts, err
		}
		err := attempt(t)
		var skip *Skip
		switch {
		case err == nil:
			return append(attempts, Attempt{Target: t}), nil
		case errors.As(err, &skip):
			attempts = append(attempts, Attempt{Target: t, Err: err, Skipped: true})
			continue
		}
		attempts = append(attempts, Attempt{Target: t, Err: err})
		if ctx.Err() != nil { // the client left: report that, not the attempt's symptom
			return attempts, ctx.Err()
		}
		var r Retryable
		if !errors.As(err, &r) || !r.IsRetryable() {
			return attempts, err
		}
	}
	return attempts, &ExhaustedError{Attempts: attempts}
}
