package router

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrQueueFull and ErrQueueTimeout are wrapped in a *QueueError.
var (
	ErrQueueFull    = errors.New("queue full")
	ErrQueueTimeout = errors.New("queue wait timed out")
)

// QueueError says which provider's queue refused a request and why.
type QueueError struct {
	Provider string
	Err      error
	Limit    int
	Wait     time.Duration
}

func (e *QueueError) Error() string {
	if errors.Is(e.Err, ErrQueueFull) {
		return fmt.Sprintf("provider %q is busy: %d requests already waiting (max_queue_size)", e.Provider, e.Limit)
	}
	return fmt.Sprintf("provider %q is busy: no free slot within %s (queue_timeout)", e.Provider, e.Wait)
}

func (e *QueueError) Unwrap() error { return e.Err }

// IsRetryable lets the chain fall over to the next adapter.
func (e *QueueError) IsRetryable() bool { return true }

// Neutral: a busy queue says nothing about the upstream's health.
func (e *QueueError) Neutral() bool { return true }

// Queue limits the requests in flight to one provider: MaxConcurrent slots
// held for a whole exchange (stream included), at most MaxWaiting requests
// waiting in FIFO order, each for at most Timeout. It is a semaphore acquired
// on the request's own goroutine: no worker pool, no hand-off (performance
// notes §2.4). Limits can change while requests are waiting.
type Queue struct {
	provider string
	// after makes the timeout's timer; tests replace it to control time.
	after func(time.Duration) <-chan time.Time

	mu            sync.Mutex
	maxConcurrent int // 0 = unlimited
	maxWaiting    int
	timeout       time.Duration // 0 = wait as long as the request lives
	active        int
	waiters       list.List // of chan struct{}; closed when a slot is handed over
}

// NewQueue returns a queue for provider.
func NewQueue(provider string, maxConcurrent, maxWaiting int, timeout time.Duration) *Queue {
	q := &Queue{provider: provider, after: time.After}
	q.Configure(maxConcurrent, maxWaiting, timeout)
	return q
}

// Configure changes the limits live; a raised limit admits waiters at once.
func (q *Queue) Configure(maxConcurrent, maxWaiting int, timeout time.Duration) {
	q.mu.Lock()
	q.maxConcurrent, q.maxWaiting, q.timeout = maxConcurrent, maxWaiting, timeout
	q.handOff()
	q.mu.Unlock()
}

func (q *Queue) free() bool { return q.maxConcurrent <= 0 || q.active < q.maxConcurrent }

// handOff gives free slots to waiters in order. Callers hold mu.
func (q *Queue) handOff() {
	for q.waiters.Len() > 0 && q.free() {
		e := q.waiters.Front()
		q.waiters.Remove(e)
		q.active++
		close(e.Value.(chan struct{}))
	}
}

// Acquire waits for a slot. The returned release must be called exactly once
// when the exchange is over (after the stream is consumed).
func (q *Queue) Acquire(ctx context.Context) (release func(), err error) {
	q.mu.Lock()
	if q.free() && q.waiters.Len() == 0 {
		q.active++
		q.mu.Unlock()
		return q.releaser(), nil
	}
	if q.waiters.Len() >= q.maxWaiting {
		limit := q.maxWaiting
		q.mu.Unlock()
		return nil, &QueueError{Provider: q.provider, Err: ErrQueueFull, Limit: limit}
	}
	ready := make(chan struct{})
	elem := q.waiters.PushBack(ready)
	timeout := q.timeout
	q.mu.Unlock()

	var expired <-chan time.Time
	if timeout > 0 {
		expired = q.after(timeout)
	}
	select {
	case <-ready:
		return q.releaser(), nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-expired:
		err = &QueueError{Provider: q.provider, Err: ErrQueueTimeout, Wait: timeout}
	}
	q.mu.Lock()
	select {
	case <-ready: // the slot arrived as we gave up: pass it on
		q.active--
		q.handOff()
	default:
		q.waiters.Remove(elem)
	}
	q.mu.Unlock()
	return nil, err
}

func (q *Queue) releaser() func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			q.active--
			q.handOff()
			q.mu.Unlock()
		})
	}
}

// QueueStats is a queue's state for /api/config/queue-stats and the UI.
type QueueStats struct {
	Provider      string `json:"provider"`
	Active        int    `json:"active"`
	Waiting       int    `json:"waiting"`
	MaxConcurrent int    `json:"max_concurrent"`
	MaxQueueSize  int    `json:"max_queue_size"`
}

// Stats reports the queue's current state.
func (q *Queue) Stats() QueueStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return QueueStats{Provider: q.provider, Active: q.active, Waiting: q.waiters.Len(),
		MaxConcurrent: q.maxConcurrent, MaxQueueSize: q.maxWaiting}
}
