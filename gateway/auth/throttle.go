package auth

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Failed authentications a client may make at once, and how fast it earns
// another. A person who mistypes a key stays far below; a script guessing
// keys gets one guess a second, which next to a key's length (MinKeyLength,
// and 190 bits for generated ones) is no chance at all.
const (
	failBurst = 10
	failEvery = time.Second
)

// maxClients bounds the memory of a Throttle: past it, clients that have
// earned back their whole burst are forgotten.
const maxClients = 4096

// Throttle refuses, with a 429, clients that have presented too many wrong
// keys (issue 21). A client is its network address; on loopback every local
// process shares 127.0.0.1, so a local guesser slows the user's own clients
// too while it guesses — accepted: such a process can hinder the user in
// many other ways, and guessing must not be free. Requests that present no
// key at all are not counted (they are not guesses).
type Throttle struct {
	mu      sync.Mutex
	clients map[string]*rate.Limiter
	// any is set once a failure was recorded, so that the requests of a
	// gateway nobody guesses at never take the lock.
	any atomic.Bool
}

// NewThrottle returns an empty Throttle.
func NewThrottle() *Throttle { return &Throttle{clients: map[string]*rate.Limiter{}} }

// Check returns a 429 *Error when client must wait before its next attempt.
func (t *Throttle) Check(client string, now time.Time) *Error {
	if t == nil || !t.any.Load() {
		return nil
	}
	t.mu.Lock()
	l := t.clients[client]
	t.mu.Unlock()
	if l == nil {
		return nil
	}
	tokens := l.TokensAt(now)
	if tokens >= 1 {
		return nil
	}
	wait := int(math.Ceil((1 - tokens) * failEvery.Seconds()))
	return rateError(wait, "too many failed authentications from this address; retry in %d s", max(wait, 1))
}

// Failed records a wrong key presented by client.
func (t *Throttle) Failed(client string, now time.Time) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.clients[client]
	if l == nil {
		if len(t.clients) >= maxClients {
			t.forgetRested(now)
		}
		l = rate.NewLimiter(rate.Every(failEvery), failBurst)
		t.clients[client] = l
	}
	l.AllowN(now, 1)
	t.any.Store(true)
}

// forgetRested drops the clients that have their whole burst back.
func (t *Throttle) forgetRested(now time.Time) {
	for c, l := range t.clients {
		if l.TokensAt(now) >= failBurst {
			delete(t.clients, c)
		}
	}
}
