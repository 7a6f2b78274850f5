package router

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeTimers lets a test fire queue timeouts by hand.
type fakeTimers struct {
	mu    sync.Mutex
	chans []chan time.Time
}

func (f *fakeTimers) after(time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan time.Time, 1)
	f.chans = append(f.chans, c)
	return c
}

func (f *fakeTimers) fireAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.chans {
		c <- time.Time{}
	}
	f.chans = nil
}

func (f *fakeTimers) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.chans)
}

// waitFor polls a condition that another goroutine makes true.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestQueueLimitsAndOrder(t *testing.T) {
	q := NewQueue("p", 2, 2, 0)
	ctx := context.Background()
	r1, _ := q.Acquire(ctx)
	r2, _ := q.Acquire(ctx)
	got := make(chan int, 2)
	for i := 1; i <= 2; i++ {
		i := i
		go func() {
			rel, err := q.Acquire(ctx)
			if err == nil {
				got <- i
				rel()
			}
		}()
		waitFor(t, "waiter", func() bool { return q.Stats().Waiting == i })
	}
	if _, err := q.Acquire(ctx); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("third waiter: %v, want queue full", err)
	}
	var qe *QueueError
	if _, err := q.Acquire(ctx); !errors.As(err, &qe) || qe.Provider != "p" || !qe.IsRetryable() {
		t.Fatalf("error does not name the provider: %v", err)
	}
	r1()
	r1() // releasing twice is harmless
	if first := <-got; first != 1 {
		t.Fatalf("waiters served out of order: %d first", first)
	}
	<-got
	r2()
	waitFor(t, "drain", func() bool { s := q.Stats(); return s.Active == 0 && s.Waiting == 0 })
}

func TestQueueTimeoutAndCancel(t *testing.T) {
	ft := &fakeTimers{}
	q := NewQueue("p", 1, 10, time.Minute)
	q.after = ft.after
	hold, _ := q.Acquire(context.Background())

	errc := make(chan error, 1)
	go func() { _, err := q.Acquire(context.Background()); errc <- err }()
	waitFor(t, "timer", func() bool { return ft.count() == 1 })
	ft.fireAll()
	if err := <-errc; !errors.Is(err, ErrQueueTimeout) {
		t.Fatalf("err = %v, want timeout", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, err := q.Acquire(ctx); errc <- err }()
	waitFor(t, "waiter", func() bool { return q.Stats().Waiting == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	if s := q.Stats(); s.Waiting != 0 || s.Active != 1 {
		t.Fatalf("stats after cancel = %+v", s)
	}
	hold()
	if s := q.Stats(); s.Active != 0 {
		t.Fatalf("slot not freed: %+v", s)
	}
}

func TestQueueReconfigureAdmitsWaiters(t *testing.T) {
	q := NewQueue("p", 1, 5, 0)
	hold, _ := q.Acquire(context.Background())
	done := make(chan struct{})
	go func() {
		rel, err := q.Acquire(context.Background())
		if err == nil {
			rel()
		}
		close(done)
	}()
	waitFor(t, "waiter", func() bool { return q.Stats().Waiting == 1 })
	q.Configure(2, 5, 0)
	<-done
	hold()
	if s := q.Stats(); s.Active != 0 || s.MaxConcurrent != 2 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestQueueUnlimited(t *testing.T) {
	q := NewQueue("p", 0, 0, 0)
	var rels []func()
	for i := 0; i < 100; i++ {
		rel, err := q.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rels = append(rels, rel)
	}
	if q.Stats().Active != 100 {
		t.Fatal("active not counted")
	}
	for _, r := range rels {
		r()
	}
}

// TestQueueExactUnderContention: with 4 slots, never more than 4 holders.
func TestQueueExactUnderContention(t *testing.T) {
	q := NewQueue("p", 4, 1000, 0)
	var mu sync.Mutex
	holders, peak := 0, 0
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel, err := q.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			holders++
			if holders > peak {
				peak = holders
			}
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			mu.Lock()
			holders--
			mu.Unlock()
			rel()
		}()
	}
	wg.Wait()
	if peak > 4 || peak < 1 {
		t.Fatalf("peak holders %d, limit 4", peak)
	}
}
