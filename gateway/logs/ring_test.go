package logs

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/modelswitch/modelswitch/gateway/auth"
)

// ringLogger returns a logger that records into a new ring of size n.
func ringLogger(n int) (*slog.Logger, *Ring) {
	r := NewRing(n)
	return slog.New(r.Handler(slog.LevelDebug)), r
}

func seqs(es []Entry) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func TestRingWrapAround(t *testing.T) {
	for _, tc := range []struct {
		size, logged int
		want         []uint64
	}{
		{size: 3, logged: 0, want: []uint64{}},
		{size: 3, logged: 2, want: []uint64{2, 1}},
		{size: 3, logged: 3, want: []uint64{3, 2, 1}},
		{size: 3, logged: 7, want: []uint64{7, 6, 5}},
		{size: 1, logged: 5, want: []uint64{5}},
	} {
		log, r := ringLogger(tc.size)
		for range tc.logged {
			log.Info("x")
		}
		got := r.Query(Filter{})
		if diff := cmp.Diff(tc.want, seqs(got)); diff != "" {
			t.Errorf("size %d, %d logged: seqs (-want +got):\n%s", tc.size, tc.logged, diff)
		}
		if r.Len() != len(tc.want) {
			t.Errorf("Len = %d, want %d", r.Len(), len(tc.want))
		}
	}
	if got := len(NewRing(0).items); got != DefaultRingSize {
		t.Errorf("NewRing(0) capacity = %d", got)
	}
}

func TestRingQueryFilters(t *testing.T) {
	log, r := ringLogger(100)
	log.Debug("d1", "request_id", "r1", "key_id", "k1", "model", "m1")  // 1
	log.Info("i2", "request_id", "r1", "key_id", "k1", "model", "m2")   // 2
	log.Warn("w3", "request_id", "r2", "key_id", "k2", "model", "m1")   // 3
	log.Error("e4", "request_id", "r2", "key_id", "k1", "model", "m1")  // 4
	log.With("request_id", "r3").Info("i5", "key", &auth.Key{ID: "k3"}) // 5
	for _, tc := range []struct {
		name string
		f    Filter
		want []uint64
	}{
		{"all, newest first", Filter{}, []uint64{5, 4, 3, 2, 1}},
		{"level is a minimum", Filter{Level: slog.LevelWarn}, []uint64{4, 3}},
		{"debug", Filter{Level: slog.LevelDebug}, []uint64{5, 4, 3, 2, 1}},
		{"request id", Filter{RequestID: "r1"}, []uint64{2, 1}},
		{"request id from With", Filter{RequestID: "r3"}, []uint64{5}},
		{"key id", Filter{KeyID: "k1"}, []uint64{4, 2, 1}},
		{"key id from an auth.Key", Filter{KeyID: "k3"}, []uint64{5}},
		{"model", Filter{Model: "m1"}, []uint64{4, 3, 1}},
		{"combined", Filter{Model: "m1", KeyID: "k1", Level: slog.LevelInfo}, []uint64{4}},
		{"since", Filter{Since: 3}, []uint64{5, 4}},
		{"since the newest", Filter{Since: 5}, []uint64{}},
		{"limit keeps the newest", Filter{Limit: 2}, []uint64{5, 4}},
		{"limit after filtering", Filter{Model: "m1", Limit: 2}, []uint64{4, 3}},
		{"no match", Filter{Model: "nope"}, []uint64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Query(tc.f)
			if diff := cmp.Diff(tc.want, seqs(got)); diff != "" {
				t.Errorf("seqs (-want +got):\n%s", diff)
			}
			for _, e := range got {
				if !tc.f.Match(e) {
					t.Errorf("Match(%d) = false for an entry Query returned", e.Seq)
				}
			}
		})
	}
}

func TestRingEntryShape(t *testing.T) {
	log, r := ringLogger(10)
	log.With("request_id", "r1").WithGroup("up").With("provider", "p-in-group").
		Info("done", "model", "m", "status", 200, "latency", 1500*time.Millisecond,
			slog.Group("usage", "in", 3, "out", 4), slog.Group("", "inlined", true), slog.Attr{})
	log.Info("bare", "provider", "p1")
	want := []Entry{
		{Seq: 2, Level: "INFO", Message: "bare", Provider: "p1"},
		{Seq: 1, Level: "INFO", Message: "done", RequestID: "r1", Attrs: map[string]any{
			"up": map[string]any{ // grouped attributes are not lifted
				"provider": "p-in-group", "model": "m", "status": int64(200), "latency": "1.5s",
				"usage": map[string]any{"in": int64(3), "out": int64(4)}, "inlined": true,
			},
		}},
	}
	if diff := cmp.Diff(want, r.Query(Filter{}), cmpopts.IgnoreFields(Entry{}, "Time")); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestRingLevelFollowsTheLogger(t *testing.T) {
	var lv slog.LevelVar
	r := NewRing(10)
	log := slog.New(r.Handler(&lv))
	log.Debug("hidden")
	lv.Set(slog.LevelDebug)
	log.Debug("shown")
	if got := r.Query(Filter{}); len(got) != 1 || got[0].Message != "shown" || got[0].Level != "DEBUG" {
		t.Errorf("entries = %+v", got)
	}
}

func TestSubscribe(t *testing.T) {
	log, r := ringLogger(10)
	log.Info("before") // not delivered: subscribers see records from now on
	ch, cancel := r.Subscribe(4)
	log.Info("one", "model", "m")
	log.Info("two")
	for _, want := range []Entry{{Seq: 2, Level: "INFO", Message: "one", Model: "m"}, {Seq: 3, Level: "INFO", Message: "two"}} {
		got := <-ch
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Entry{}, "Time")); diff != "" {
			t.Errorf("entry (-want +got):\n%s", diff)
		}
	}
	cancel()
	cancel() // idempotent
	if _, ok := <-ch; ok {
		t.Error("channel still open after cancel")
	}
	log.Info("after") // no panic: nothing sends on the closed channel
}

// TestSlowSubscriberDropsAndNeverBlocks fills a subscriber that never reads:
// logging goes on, the overflow is counted, and the buffered entries are the
// oldest ones.
func TestSlowSubscriberDropsAndNeverBlocks(t *testing.T) {
	log, r := ringLogger(100)
	ch, cancel := r.Subscribe(2)
	defer cancel()
	fast, cancelFast := r.Subscribe(100)
	defer cancelFast()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			log.Info("x")
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second): // a deadlock guard, not a timing assertion
		t.Fatal("logging blocked on a full subscriber")
	}
	if got := r.Dropped(); got != 48 {
		t.Errorf("Dropped = %d, want 48", got)
	}
	if a, b := <-ch, <-ch; a.Seq != 1 || b.Seq != 2 {
		t.Errorf("slow subscriber kept %d, %d; want 1, 2", a.Seq, b.Seq)
	}
	if len(fast) != 50 {
		t.Errorf("fast subscriber got %d entries, want 50", len(fast))
	}
}

func TestRingConcurrentUse(t *testing.T) {
	log, r := ringLogger(64)
	ch, cancel := r.Subscribe(8)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			l := log.With("key_id", string(rune('a'+i)))
			for range 200 {
				l.InfoContext(context.Background(), "x", "model", "m")
			}
		})
	}
	wg.Go(func() {
		for range 100 {
			r.Query(Filter{Model: "m", Limit: 10})
		}
	})
	wg.Wait()
	cancel()
	for range ch {
	}
	if got := r.Query(Filter{}); len(got) != 64 || got[0].Seq != 1600 {
		t.Errorf("after 1600 records: %d entries, newest %d", len(got), got[0].Seq)
	}
}
