package server

import (
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/responses"
	"github.com/modelswitch/modelswitch/gateway/store"
)

// TestPruneResponsesRemovesExpired: a stored response past its TTL leaves
// the store on the timer, with no request coming to prune it.
func TestPruneResponsesRemovesExpired(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := testServer(t, "", db)
	var clock atomic.Int64 // unix nanos
	clock.Store(time.Now().UnixNano())
	rs, err := responses.Open(db, responses.Options{TTL: time.Hour, Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	s.responses = rs
	if err := rs.Put(responses.Record{ID: "resp_old", KeyID: "k", Model: "m", Input: []byte(`[]`), Response: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	clock.Add(int64(2 * time.Hour)) // expired: Get says so at once, the disk still holds it
	if st, err := rs.Stats(); err != nil || st.Records != 1 {
		t.Fatalf("before the timer: %+v %v, want the expired record still on disk", st, err)
	}
	defer func(d time.Duration) { responsesPruneEvery = d }(responsesPruneEvery)
	responsesPruneEvery = 10 * time.Millisecond
	stop := s.pruneResponses()
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := s.responses.Stats()
		if err == nil && st.Records == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s of timer: %+v %v", st, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := s.responses.Get("resp_old", "k"); !errors.Is(err, responses.ErrNotFound) {
		t.Errorf("Get after pruning: %v, want ErrNotFound", err)
	}
}

// TestEveryStopsAndWaits: stop returns after the call in progress and no
// call starts after it; a second stop is harmless.
func TestEveryStopsAndWaits(t *testing.T) {
	calls := make(chan struct{}, 100)
	stop := every(time.Millisecond, func() { calls <- struct{}{}; time.Sleep(5 * time.Millisecond) })
	<-calls
	stop()
	n := len(calls)
	time.Sleep(20 * time.Millisecond)
	if len(calls) != n {
		t.Errorf("%d calls after stop", len(calls)-n)
	}
	stop()
}
