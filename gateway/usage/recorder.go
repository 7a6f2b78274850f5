package usage

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asdine/storm/v3"
	"github.com/modelswitch/modelswitch/gateway/store"
)

// Node is the storm node (top-level bucket) that holds everything of this
// package: raw rows and their time index, hourly rollups, key names and the
// daily limit counters, each in a bucket of its own below it.
const Node = "usage"

// Bucket names under Node.
const (
	hourlyBucket   = "hourly"
	keyNamesBucket = "keynames"
	dayBucket      = "daycounts"
)

// Options tunes a Recorder. Zero values take the defaults.
type Options struct {
	BatchSize     int           // rows per transaction at most; default 500
	BatchWindow   time.Duration // longest a row waits for its commit; default 200ms
	Buffer        int           // queued rows before Record drops; default 10000
	RetentionDays int           // raw rows older than this are pruned; default 90, <0 keeps them forever
	// Now is the clock (default time.Now): it stamps records without a Time
	// and decides retention.
	Now    func() time.Time
	Logger *slog.Logger // default slog.Default()
	// OnCommit, when set, is called on the writer goroutine after each
	// successful commit with the number of rows it held (metrics, tests).
	OnCommit func(rows int)
}

func (o *Options) defaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.BatchWindow <= 0 {
		o.BatchWindow = 200 * time.Millisecond
	}
	if o.Buffer <= 0 {
		o.Buffer = 10000
	}
	if o.RetentionDays == 0 {
		o.RetentionDays = 90
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// windowTimer is the batch window's timer; tests substitute a manual one.
type windowTimer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

type realTimer struct{ t *time.Timer }

func newRealTimer() windowTimer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return realTimer{t}
}

func (r realTimer) C() <-chan time.Time   { return r.t.C }
func (r realTimer) Reset(d time.Duration) { r.t.Reset(d) }
func (r realTimer) Stop()                 { r.t.Stop() }

// Recorder stores Records off the request path. Record hands a row to a
// bounded channel; one writer goroutine owns everything after that: it
// commits batches in one bbolt transaction each (raw rows and their hourly
// rollups together, so the two always agree) and prunes old raw rows.
type Recorder struct {
	db    *store.DB
	node  storm.Node
	opt   Options
	ch    chan Record
	quit  chan struct{}
	done  chan struct{}
	timer windowTimer

	mu     sync.RWMutex // Record holds it shared; Close exclusively, to flip closed
	closed bool

	dropped   atomic.Uint64
	committed atomic.Uint64
	once      sync.Once

	// Owned by the writer goroutine.
	batch      []Record
	sums       map[string]*counters
	keyBuf     []byte
	keyNames   map[string]string // key ID → name as last stored
	flushed    bool              // a commit happened since the last maybePrune
	lastPrune  time.Time
	pruneMore  bool // the last prune stopped at its chunk limit
	pruneChunk int  // rows per prune at most
}

// NewRecorder starts a Recorder writing to db's Node bucket. Call Close on
// shutdown, after the HTTP server has stopped sending records.
func NewRecorder(db *store.DB, opt Options) *Recorder {
	r := newRecorder(db, opt, newRealTimer())
	r.start()
	return r
}

func newRecorder(db *store.DB, opt Options, t windowTimer) *Recorder {
	opt.defaults()
	return &Recorder{
		db:       db,
		node:     db.From(Node),
		opt:      opt,
		ch:       make(chan Record, opt.Buffer),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
		timer:    t,
		batch:    make([]Record, 0, opt.BatchSize),
		sums:     map[string]*counters{},
		keyNames: map[string]string{},

		pruneChunk: pruneChunk,
	}
}

func (r *Recorder) start() { go r.run() }

// Record queues rec. It never blocks and never touches the disk: when the
// queue is full (or the Recorder closed) the row is dropped and counted in
// Dropped. A zero Time is stamped with the Recorder's clock.
func (r *Recorder) Record(rec Record) {
	if rec.Time.IsZero() {
		rec.Time = r.opt.Now()
	}
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		r.dropped.Add(1)
		return
	}
	select {
	case r.ch <- rec:
	default:
		r.dropped.Add(1)
	}
	r.mu.RUnlock()
}

// Dropped is the number of rows lost so far: refused because the queue was
// full or the Recorder closed, or in a batch whose commit failed (logged).
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Committed is the number of rows committed so far.
func (r *Recorder) Committed() uint64 { return r.committed.Load() }

// Close stops accepting rows, commits everything queued, and returns after
// the last commit. It is safe to call more than once.
func (r *Recorder) Close() error {
	r.once.Do(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		close(r.quit)
	})
	<-r.done
	return nil
}

// run is the writer goroutine.
func (r *Recorder) run() {
	defer close(r.done)
	defer r.timer.Stop()
	for {
		select {
		case rec := <-r.ch:
			r.add(rec)
			r.maybePrune()
		case <-r.timer.C():
			// Take what is already queued too: it is as old as the window allows.
			r.drain(r.opt.BatchSize - len(r.batch))
			r.flush()
			r.maybePrune()
		case <-r.quit:
			// No Record can send any more (closed is set under the lock), so
			// the channel holds the last rows.
			for r.drain(len(r.ch)) > 0 {
			}
			r.flush()
			return
		}
	}
}

// add appends one row, arming the window on a batch's first row and
// committing when the batch is full.
func (r *Recorder) add(rec Record) {
	r.batch = append(r.batch, rec)
	if len(r.batch) == 1 {
		r.timer.Reset(r.opt.BatchWindow)
	}
	if len(r.batch) >= r.opt.BatchSize {
		r.flush()
	}
}

// drain moves up to limit already-queued rows into batches without waiting
// and returns how many it took.
func (r *Recorder) drain(limit int) int {
	n := 0
	for ; n < limit; n++ {
		select {
		case rec := <-r.ch:
			r.add(rec)
		default:
			return n
		}
	}
	return n
}

// flush commits the batch, if any.
func (r *Recorder) flush() {
	r.timer.Stop()
	if n := len(r.batch); n > 0 {
		if err := r.commit(r.batch); err != nil {
			r.dropped.Add(uint64(n))
			r.opt.Logger.Error("usage: committing a batch failed; rows lost", "rows", n, "err", err)
		} else {
			r.committed.Add(uint64(n))
			if r.opt.OnCommit != nil {
				r.opt.OnCommit(n)
			}
		}
		clear(r.batch) // release the strings
		r.batch = r.batch[:0]
		r.flushed = true
	}
}

// maybePrune prunes raw rows past retention after a commit, at most once an
// hour; a prune that stopped at its chunk limit continues after the next one.
func (r *Recorder) maybePrune() {
	if !r.flushed || r.opt.RetentionDays < 0 {
		return
	}
	r.flushed = false
	now := r.opt.Now()
	if !r.pruneMore && !r.lastPrune.IsZero() && now.Sub(r.lastPrune) < time.Hour {
		return
	}
	r.lastPrune = now
	more, err := r.prune(now.AddDate(0, 0, -r.opt.RetentionDays))
	r.pruneMore = more && err == nil
	if err != nil {
		r.opt.Logger.Error("usage: pruning old rows failed", "err", err)
	}
}
