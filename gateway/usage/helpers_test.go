package usage

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/store"
	bolt "go.etcd.io/bbolt"
)

// openDB opens a fresh database that the test closes.
func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// manualTimer is a batch-window timer that fires only when the test says.
type manualTimer struct {
	c     chan time.Time
	mu    sync.Mutex
	armed bool
}

func newManualTimer() *manualTimer { return &manualTimer{c: make(chan time.Time)} }

func (m *manualTimer) C() <-chan time.Time { return m.c }
func (m *manualTimer) Reset(time.Duration) { m.mu.Lock(); m.armed = true; m.mu.Unlock() }
func (m *manualTimer) Stop()               { m.mu.Lock(); m.armed = false; m.mu.Unlock() }

// fire delivers a tick; it returns once the writer goroutine has taken it.
func (m *manualTimer) fire() { m.c <- time.Time{} }

// testRecorder is a Recorder with a manual window and a commit log.
type testRecorder struct {
	*Recorder
	timer   *manualTimer
	commits chan int
	started bool
}

// begin starts the writer goroutine of a recorder built with start=false.
func (tr *testRecorder) begin() {
	if !tr.started {
		tr.started = true
		tr.start()
	}
}

// newTestRecorder builds a Recorder on db; start says whether its writer
// goroutine runs yet. Close is registered for cleanup.
func newTestRecorder(t testing.TB, db *store.DB, opt Options, start bool) *testRecorder {
	t.Helper()
	tr := &testRecorder{timer: newManualTimer(), commits: make(chan int, 1000)}
	opt.OnCommit = func(n int) { tr.commits <- n }
	if opt.Logger == nil {
		opt.Logger = quiet
	}
	tr.Recorder = newRecorder(db, opt, tr.timer)
	if start {
		tr.begin()
	}
	t.Cleanup(func() {
		tr.begin() // Close waits for the writer
		tr.Close()
	})
	return tr
}

// waitCommit returns the size of the next commit (the timeout only guards
// against a hung test; no test logic depends on it).
func (tr *testRecorder) waitCommit(t testing.TB) int {
	t.Helper()
	select {
	case n := <-tr.commits:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no commit within 10s")
		return 0
	}
}

// row builds a Record for tests.
type row struct {
	at                         time.Time
	model, provider, key, up   string
	status                     int
	in, out, cr, cw, reasoning int
	lat, ttft                  int64
	cost                       int64 // nanos; priced when > 0
}

func (r row) rec() Record {
	return Record{
		Time: r.at, Model: r.model, Provider: r.provider, KeyID: r.key, KeyName: "name-" + r.key, UpstreamModel: r.up,
		Status: r.status, InputTokens: r.in, OutputTokens: r.out, CacheReadTokens: r.cr, CacheWriteTokens: r.cw,
		ReasoningTokens: r.reasoning, LatencyMs: r.lat, TTFTMs: r.ttft, Stream: r.ttft > 0,
		CostNanos: r.cost, Priced: r.cost > 0,
	}
}

// recordAll records rows and closes the recorder so everything is committed.
func recordAll(t testing.TB, db *store.DB, opt Options, rows ...row) *Recorder {
	t.Helper()
	if opt.Logger == nil {
		opt.Logger = quiet
	}
	r := NewRecorder(db, opt)
	for _, x := range rows {
		r.Record(x.rec())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return r
}

// rawRows returns every stored raw row, oldest ID first, and checks that the
// time index lists exactly these rows.
func rawRows(t testing.TB, db *store.DB) []Record {
	t.Helper()
	var all []Record
	indexed := map[uint64]bool{}
	err := db.Bolt.View(func(tx *bolt.Tx) error {
		node := db.From(Node)
		if b := node.GetBucket(tx, rowsBucket); b != nil {
			if err := b.ForEach(func(k, v []byte) error {
				var r Record
				all = append(all, r)
				return json.Unmarshal(v, &all[len(all)-1])
			}); err != nil {
				return err
			}
		}
		if b := node.GetBucket(tx, timeBucket); b != nil {
			return b.ForEach(func(k, _ []byte) error {
				indexed[binary.BigEndian.Uint64(k[8:])] = true
				return nil
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(indexed) != len(all) {
		t.Errorf("%d rows, %d in the time index", len(all), len(indexed))
	}
	for _, r := range all {
		if !indexed[r.ID] {
			t.Errorf("row %d is not in the time index", r.ID)
		}
	}
	return all
}

func mustSummary(t testing.TB, q *Querier, p Params) *Report {
	t.Helper()
	rep, err := q.Summary(p)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// allTime is a range covering every test row.
var allFrom, allTo = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
