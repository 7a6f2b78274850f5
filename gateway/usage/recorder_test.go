package usage

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func TestBatching(t *testing.T) {
	tests := []struct {
		name      string
		batchSize int
		records   int
		then      string // "fire" the window, or "close"
		want      []int  // sizes of the commits, in order
	}{
		{"size fills batches, window commits the rest", 4, 10, "fire", []int{4, 4, 2}},
		{"size fills batches, close commits the rest", 4, 10, "close", []int{4, 4, 2}},
		{"window commits a partial batch", 500, 3, "fire", []int{3}},
		{"close commits a partial batch", 500, 7, "close", []int{7}},
		{"exact multiple needs no window", 5, 10, "close", []int{5, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t)
			tr := newTestRecorder(t, db, Options{BatchSize: tt.batchSize, RetentionDays: -1}, true)
			for i := range tt.records {
				tr.Record(row{at: t0.Add(time.Duration(i) * time.Second), model: "m", status: 200}.rec())
			}
			var got []int
			// Commits that fill a batch happen without any tick.
			for range tt.records / tt.batchSize {
				got = append(got, tr.waitCommit(t))
			}
			switch tt.then {
			case "fire":
				tr.timer.fire()
				if tt.records%tt.batchSize != 0 {
					got = append(got, tr.waitCommit(t))
				}
			case "close":
				tr.Close()
				close(tr.commits)
				for n := range tr.commits {
					got = append(got, n)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("commits = %v, want %v", got, tt.want)
			}
			if n := len(rawRows(t, db)); n != tt.records {
				t.Errorf("raw rows = %d, want %d", n, tt.records)
			}
		})
	}
}

func TestRealWindowCommitsWithoutClose(t *testing.T) {
	db := openDB(t)
	commits := make(chan int, 1)
	r := NewRecorder(db, Options{BatchWindow: 5 * time.Millisecond, Logger: quiet, OnCommit: func(n int) { commits <- n }})
	defer r.Close()
	r.Record(row{at: t0, model: "m", status: 200}.rec())
	select {
	case n := <-commits:
		if n != 1 {
			t.Fatalf("commit of %d rows, want 1", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the batch window never committed")
	}
}

func TestCloseDrainsEverything(t *testing.T) {
	db := openDB(t)
	r := NewRecorder(db, Options{Logger: quiet, RetentionDays: -1})
	const writers, each = 4, 2500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r.Record(row{at: t0.Add(time.Duration(i) * time.Second), model: "m", key: string(rune('a' + w)), status: 200, in: 1, out: 2, lat: 10}.rec())
			}
		}()
	}
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(rawRows(t, db)); got != writers*each {
		t.Errorf("raw rows = %d, want %d", got, writers*each)
	}
	if r.Dropped() != 0 || r.Committed() != writers*each {
		t.Errorf("dropped %d, committed %d", r.Dropped(), r.Committed())
	}
	rep := mustSummary(t, NewQuerier(db), Params{From: allFrom, To: allTo})
	if rep.Total != writers*each || rep.Totals.InputTokens != writers*each || rep.Totals.OutputTokens != 2*writers*each {
		t.Errorf("rollup totals = %+v", rep.Totals)
	}
	r.Record(row{at: t0, status: 200}.rec()) // after Close: dropped, not lost silently
	if r.Dropped() != 1 {
		t.Errorf("a record after Close: dropped = %d, want 1", r.Dropped())
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestDropWhenFull(t *testing.T) {
	db := openDB(t)
	tr := newTestRecorder(t, db, Options{Buffer: 5, RetentionDays: -1}, false)
	for i := range 8 {
		tr.Record(row{at: t0.Add(time.Duration(i) * time.Second), model: "m", status: 200}.rec())
	}
	if got := tr.Dropped(); got != 3 {
		t.Fatalf("dropped = %d, want 3", got)
	}
	tr.begin()
	tr.Close()
	if got := len(rawRows(t, db)); got != 5 {
		t.Errorf("raw rows = %d, want 5", got)
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	db := openDB(t)
	tr := newTestRecorder(t, db, Options{Buffer: 64, RetentionDays: -1}, false)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // stands in for the writer: takes rows without storing them
		defer close(done)
		for {
			select {
			case <-tr.ch:
			case <-stop:
				return
			}
		}
	}()
	rec := row{at: t0, model: "glm-5", provider: "p", key: "k", status: 200, in: 10, out: 20, lat: 300}.rec()
	allocs := testing.AllocsPerRun(1000, func() { tr.Record(rec) })
	close(stop)
	<-done
	if allocs > 1 {
		t.Errorf("Record allocates %.1f times per call, want ≤ 1", allocs)
	}
}

func TestRawRowsAreStoredAsGiven(t *testing.T) {
	db := openDB(t)
	in := Record{ID: 77, RequestID: "req-1", Time: t0.In(time.FixedZone("X", 3600)), KeyID: "key_a", KeyName: "alice",
		Model: "glm-5", Provider: "zhipu", UpstreamModel: "glm-5-air", Protocol: "anthropic", Stream: true,
		Status: 200, Attempts: 2, InputTokens: 5, OutputTokens: 6, CacheReadTokens: 7, CacheWriteTokens: 8,
		ReasoningTokens: 3, Estimated: true, LatencyMs: 900, TTFTMs: 120}
	r := NewRecorder(db, Options{Logger: quiet, RetentionDays: -1})
	r.Record(in)
	r.Close()
	want := in
	want.ID = 1 // the caller's ID is replaced by the next one
	want.Time = t0
	if diff := cmp.Diff([]Record{want}, rawRows(t, db)); diff != "" {
		t.Errorf("stored row (-want +got):\n%s", diff)
	}
}

func TestZeroTimeIsStamped(t *testing.T) {
	db := openDB(t)
	recordAll(t, db, Options{Now: func() time.Time { return t0 }, RetentionDays: -1}, row{model: "m", status: 200})
	if got := rawRows(t, db)[0].Time; !got.Equal(t0) {
		t.Errorf("time = %v, want %v", got, t0)
	}
}

// testClock is a settable clock shared with the writer goroutine.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// commitAndSettle fires the window, waits for the commit, and fires once
// more: the writer takes that tick only after the prune following the
// commit, so the database is settled when it returns.
func (tr *testRecorder) commitAndSettle(t *testing.T) {
	t.Helper()
	tr.timer.fire()
	tr.waitCommit(t)
	tr.timer.fire()
}

func TestRetentionPrunesRawRowsKeepsRollups(t *testing.T) {
	db := openDB(t)
	clk := &testClock{now: t0}
	tr := newTestRecorder(t, db, Options{RetentionDays: 90, Now: clk.Now}, true)
	q := NewQuerier(db)
	old, recent := t0.AddDate(0, 0, -100), t0.AddDate(0, 0, -1)
	steps := []struct {
		name      string
		advance   time.Duration
		rows      []time.Time
		wantRaw   int
		wantTotal int64
	}{
		{"the first commit prunes", 0, []time.Time{old, recent}, 1, 2},
		{"within the hour: no prune", 30 * time.Minute, []time.Time{old}, 2, 3},
		{"an hour after the last prune: pruned", 31 * time.Minute, []time.Time{old}, 1, 4},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		for _, at := range st.rows {
			tr.Record(row{at: at, model: "m", status: 200}.rec())
		}
		tr.commitAndSettle(t)
		if got := len(rawRows(t, db)); got != st.wantRaw {
			t.Errorf("%s: raw rows = %d, want %d", st.name, got, st.wantRaw)
		}
		if got := mustSummary(t, q, Params{From: allFrom, To: allTo}).Total; got != st.wantTotal {
			t.Errorf("%s: rollup total = %d, want %d (rollups are never pruned)", st.name, got, st.wantTotal)
		}
	}
	oldDay := mustSummary(t, q, Params{From: old.Truncate(24 * time.Hour), To: old.Truncate(24*time.Hour).AddDate(0, 0, 1)})
	if oldDay.Total != 3 {
		t.Errorf("the pruned day still reports %d requests from rollups, want 3", oldDay.Total)
	}
}

func TestPruneWorksInChunks(t *testing.T) {
	db := openDB(t)
	clk := &testClock{now: t0}
	tr := newTestRecorder(t, db, Options{RetentionDays: 1, Now: clk.Now}, false)
	tr.pruneChunk = 2
	tr.begin()
	for i := range 5 {
		tr.Record(row{at: t0.AddDate(0, 0, -10).Add(time.Duration(i) * time.Minute), model: "old", status: 200}.rec())
	}
	tr.Record(row{at: t0, model: "new", status: 200}.rec())
	var got []int
	for range 4 {
		tr.commitAndSettle(t)
		got = append(got, len(rawRows(t, db)))
		tr.Record(row{at: t0, model: "new", status: 200}.rec()) // the next commit
	}
	// 6 rows; each commit adds one and a chunk prunes at most 2 old ones,
	// continuing at once (not an hour later) while a chunk came back full.
	if want := []int{4, 3, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("raw rows after each commit = %v, want %v", got, want)
	}
}
