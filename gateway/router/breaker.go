package router

import (
	"sync"
	"time"
)

// State is a breaker's state.
type State uint8

const (
	Closed   State = iota // traffic flows; consecutive failures are counted
	Open                  // traffic is refused until the open time has passed
	HalfOpen              // one probe is let through to decide
)

func (s State) String() string {
	return [...]string{"closed", "open", "half_open"}[s]
}

// Outcome is how an attempt ended, as far as the breaker cares.
type Outcome uint8

const (
	Success   Outcome = iota // the upstream did its job (including refusing a bad request)
	Failure                  // the upstream failed: counts towards opening
	NoVerdict                // the client left, the queue was full: releases a probe
)

// Breaker is a circuit breaker for one (provider, upstream model). It is as
// small as Caddy's passive health check: Threshold consecutive failures open it
// for OpenFor; then exactly one probe is admitted; its success closes the
// breaker, its failure opens it again, and a probe without a verdict (a
// cancelled request) releases the slot for the next one (seed defect R6).
// Time is passed in, so tests need no sleeps.
type Breaker struct {
	mu        sync.Mutex
	threshold int
	openFor   time.Duration
	state     State
	failures  int
	until     time.Time // when an open breaker admits its probe
	probing   bool
}

// NewBreaker returns a closed breaker.
func NewBreaker(threshold int, openFor time.Duration) *Breaker {
	b := &Breaker{}
	b.Configure(threshold, openFor)
	return b
}

// Configure changes the thresholds without touching the state (a reload).
func (b *Breaker) Configure(threshold int, openFor time.Duration) {
	if threshold < 1 {
		threshold = 1
	}
	b.mu.Lock()
	b.threshold, b.openFor = threshold, openFor
	b.mu.Unlock()
}

// Allow reports whether an attempt may go ahead now. When it admits the
// half-open probe, the caller must Record that attempt's outcome.
func (b *Breaker) Allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case Closed:
		return true
	case Open:
		if now.Before(b.until) {
			return false
		}
		b.state = HalfOpen
		fallthrough
	default: // HalfOpen
		if b.probing {
			return false
		}
		b.probing = true
		return true
	}
}

// Record reports the outcome of an attempt that Allow admitted.
func (b *Breaker) Record(now time.Time, o Outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == HalfOpen {
		b.probing = false
		switch o {
		case Success:
			b.state, b.failures = Closed, 0
		case Failure:
			b.state, b.until = Open, now.Add(b.openFor)
		}
		return
	}
	switch o {
	case Success:
		b.failures = 0
	case Failure:
		b.failures++
		if b.state == Closed && b.failures >= b.threshold {
			b.state, b.until = Open, now.Add(b.openFor)
		}
	}
}

// Cool keeps traffic away for d without counting a failure: an upstream that
// answered 429 with Retry-After is healthy but asked us to wait (seed R3).
func (b *Breaker) Cool(now time.Time, d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if until := now.Add(d); until.After(b.until) || b.state != Open {
		b.until = until
	}
	b.state, b.probing = Open, false
}

// Status is a breaker's state for health reports.
type Status struct {
	State    State
	Failures int       // consecutive failures counted so far
	Until    time.Time // when an open breaker admits its probe
}

// Status reports the breaker's state at now.
func (b *Breaker) Status(now time.Time) Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := Status{State: b.state, Failures: b.failures}
	if b.state == Open {
		s.Until = b.until
		if !now.Before(s.Until) {
			s.State = HalfOpen // the next request will probe
		}
	}
	return s
}

// Breakers holds one breaker per (provider, upstream model). It lives as long
// as the gateway, so breaker state survives reloads; Retain drops the breakers
// of providers that changed or went away.
type Breakers struct {
	mu sync.Mutex
	m  map[breakerKey]*Breaker
}

type breakerKey struct{ provider, model string }

// NewBreakers returns an empty set.
func NewBreakers() *Breakers { return &Breakers{m: map[breakerKey]*Breaker{}} }

// Get returns the breaker for (provider, model), creating it closed, and
// applies the current thresholds.
func (bs *Breakers) Get(provider, model string, threshold int, openFor time.Duration) *Breaker {
	bs.mu.Lock()
	b := bs.m[breakerKey{provider, model}]
	if b == nil {
		b = NewBreaker(threshold, openFor)
		bs.m[breakerKey{provider, model}] = b
		bs.mu.Unlock()
		return b
	}
	bs.mu.Unlock()
	b.Configure(threshold, openFor)
	return b
}

// Retain keeps only the breakers whose provider keep reports true for.
func (bs *Breakers) Retain(keep func(provider string) bool) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	for k := range bs.m {
		if !keep(k.provider) {
			delete(bs.m, k)
		}
	}
}

// Each calls f for every breaker, for health reports.
func (bs *Breakers) Each(f func(provider, model string, b *Breaker)) {
	bs.mu.Lock()
	keys := make([]breakerKey, 0, len(bs.m))
	for k := range bs.m {
		keys = append(keys, k)
	}
	bs.mu.Unlock()
	for _, k := range keys {
		bs.mu.Lock()
		b := bs.m[k]
		bs.mu.Unlock()
		if b != nil {
			f(k.provider, k.model, b)
		}
	}
}
