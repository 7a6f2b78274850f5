package conversations

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asdine/storm/v3"

	"github.com/modelswitch/modelswitch/gateway/store"
)

// Defaults of Options.
const (
	DefaultMaxBytes = 100 << 20
	DefaultBackups  = 30
	DefaultBuffer   = 4096
)

// Batching of the writer goroutine (DESIGN §9): a batch is written, fsynced
// and indexed when it holds maxBatch records or flushEvery after its first.
const maxBatch = 500

// writeChunk bounds the batch's bytes held in memory: past it the encoded
// lines go to the file (not yet fsynced or indexed) and the buffer is reused.
// A batch of 500 Claude Code records is ~75 MB, which the heap would
// otherwise hold until the batch ends (issue 16: the RSS goal under load).
const writeChunk = 1 << 20

var flushEvery = 200 * time.Millisecond

// ErrClosed is returned by the index operations of a closed Writer.
var ErrClosed = errors.New("conversation log is closed")

// Options configure a Writer.
type Options struct {
	Dir       string       // the log directory (created 0700 when missing)
	DB        *store.DB    // the index lives in its node NodeName
	LogBodies string       // full (default) | truncated | off
	MaxBytes  int64        // segment size that starts the next segment; default 100 MiB
	Backups   int          // segments kept, the live one included; default 30
	Buffer    int          // records waiting for the writer goroutine; default 4096
	Logger    *slog.Logger // default: discard
}

// Writer appends conversation records to the segment files and indexes them.
// Write is safe for concurrent use and never blocks; everything else (files,
// index) belongs to one goroutine, except List/Get/Stats (read transactions
// and ReadAt) and rebuilds (their own goroutine, see rebuild.go).
type Writer struct {
	opt  Options
	log  *slog.Logger
	db   *store.DB
	node storm.Node

	mu      sync.RWMutex // closed and the channel's close against Write
	closed  bool
	ch      chan item
	done    chan struct{}
	dropped atomic.Uint64

	// Owned by the writer goroutine.
	seg      int
	f        *os.File
	size     int64 // bytes of the live segment written so far
	synced   int64 // bytes of the live segment fsynced and indexed: the batch starts here
	buf      []byte
	pending  []entry
	reported uint64
	err      error // the first write error, returned by Close

	// segMu orders pruning against a rebuild's commits: a rebuild never
	// indexes a segment at or below oldest (the lowest number kept).
	segMu  sync.Mutex
	oldest atomic.Int64

	job jobState // rebuilds and catch-ups
}

// item is a record, or a Sync request when sync is set.
type item struct {
	rec  Record
	sync chan struct{}
}

// NewWriter opens the log directory and the live segment and starts the
// writer goroutine. It returns quickly: an index that must be rebuilt from
// the files (a new database, an interrupted rebuild) is rebuilt in the
// background; the small tail a crash can leave unindexed is indexed here.
func NewWriter(opt Options) (*Writer, error) {
	if opt.Dir == "" || opt.DB == nil {
		return nil, errors.New("conversations: Options.Dir and Options.DB are required")
	}
	switch opt.LogBodies {
	case "":
		opt.LogBodies = BodiesFull
	case BodiesFull, BodiesTruncated, BodiesOff:
	default:
		return nil, fmt.Errorf("conversations: unknown LogBodies %q (want full, truncated or off)", opt.LogBodies)
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.Backups <= 0 {
		opt.Backups = DefaultBackups
	}
	if opt.Buffer <= 0 {
		opt.Buffer = DefaultBuffer
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(opt.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the log directory: %w", err)
	}
	w := &Writer{opt: opt, log: opt.Logger, db: opt.DB, node: opt.DB.From(NodeName),
		ch: make(chan item, opt.Buffer), done: make(chan struct{})}
	w.job.init()

	segs, err := listSegments(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("listing the log directory: %w", err)
	}
	w.seg = 1
	if len(segs) > 0 {
		w.seg = segs[len(segs)-1].Num
		w.oldest.Store(int64(segs[0].Num))
	} else {
		w.oldest.Store(1)
	}
	if w.f, w.size, err = openSegment(opt.Dir, w.seg); err != nil {
		return nil, err
	}
	w.synced = w.size
	if err := w.recover(segs); err != nil {
		_ = w.f.Close()
		return nil, err
	}
	w.prune()
	go w.run()
	return w, nil
}

// Write queues r. It never blocks: when the buffer is full, or the Writer is
// closed, r is dropped and counted (Stats.Dropped). r's slices (the bodies,
// attempts, tool calls) now belong to the Writer: the caller must not modify
// them afterwards, and r.Release is called once they are no longer read. A
// record without an ID gets a "conv_…" one and one
// without a Time the time it is written.
func (w *Writer) Write(r Record) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.dropped.Add(1)
		r.release()
		return
	}
	select {
	case w.ch <- item{rec: r}:
	default:
		w.dropped.Add(1)
		r.release()
	}
}

// Sync waits until every record queued before it is written, fsynced and
// indexed. Unlike Write it blocks (while the buffer is full, too), so it is
// for tests and shutdown paths, not for request handlers.
func (w *Writer) Sync() {
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return
	}
	done := make(chan struct{})
	w.ch <- item{sync: done}
	w.mu.RUnlock()
	<-done
}

// Close stops accepting records, writes, fsyncs and indexes the queued ones,
// stops a running rebuild, and returns once all of that is done. It returns
// the first write error the writer goroutine met. Close the Writer before
// the database.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return nil
	}
	w.closed = true
	close(w.ch)
	w.mu.Unlock()
	<-w.done
	w.job.stop()
	return w.err
}

// run is the writer goroutine.
func (w *Writer) run() {
	defer close(w.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	for {
		select {
		case it, ok := <-w.ch:
			if !ok {
				w.flush()
				if err := w.f.Close(); err != nil && w.err == nil {
					w.err = err
				}
				timer.Stop()
				return
			}
			if it.sync != nil {
				w.flush()
				close(it.sync)
				continue
			}
			w.add(it.rec)
			if len(w.pending) >= maxBatch {
				w.flush()
			} else if !armed {
				timer.Reset(flushEvery)
				armed = true
			}
		case <-timer.C:
			armed = false
			w.flush()
		}
	}
}

// add encodes r into the batch, starting the next segment first when r would
// take the live one past MaxBytes.
func (w *Writer) add(r Record) {
	if r.ID == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		r.ID = "conv_" + hex.EncodeToString(b[:])
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	applyBodies(&r, w.opt.LogBodies)
	start := len(w.buf)
	buf, err := appendLine(w.buf, &r)
	r.release() // the bodies are copied into the batch, or not logged
	if err != nil {
		w.buf = buf[:start]
		w.dropped.Add(1)
		w.log.Error("conversation record not logged", "request_id", r.ID, "error", err)
		return
	}
	n := len(buf) - start
	w.buf = buf
	if w.size+int64(start) > 0 && w.size+int64(start+n) > w.opt.MaxBytes {
		line := bytes.Clone(buf[start:]) // rare: once a segment
		w.buf = buf[:start]
		w.flush()
		w.rotate()
		start = len(w.buf)
		w.buf = append(w.buf, line...)
	}
	off := w.size + int64(start)
	w.pending = append(w.pending, entry{Key: entryKey(r.Time, w.seg, off),
		Summary: summarize(&r, SegmentName(w.seg), off, n-1)})
	if len(w.buf) >= writeChunk {
		w.writeBuf()
	}
}

// writeBuf appends the buffered lines to the segment. On an error it cuts the
// segment back to the batch's start, so no torn line is left for the next
// batch to follow, and drops the batch: its lines were never indexed.
func (w *Writer) writeBuf() bool {
	if len(w.buf) == 0 {
		return true
	}
	if _, err := w.f.Write(w.buf); err != nil {
		w.fail(fmt.Errorf("writing %s: %w", w.f.Name(), err))
		_ = w.f.Truncate(w.synced)
		w.size = w.synced
		w.dropped.Add(uint64(len(w.pending)))
		w.buf, w.pending = w.buf[:0], w.pending[:0]
		return false
	}
	w.size += int64(len(w.buf))
	w.buf = w.buf[:0]
	return true
}

// flush writes the batch, fsyncs the segment and indexes the batch in one
// transaction (file first: the index never points at bytes not yet written).
func (w *Writer) flush() {
	if !w.writeBuf() {
		return
	}
	if w.size > w.synced {
		if err := w.f.Sync(); err != nil {
			w.fail(fmt.Errorf("syncing %s: %w", w.f.Name(), err))
		}
		w.synced = w.size
	}
	if len(w.pending) > 0 {
		err := w.update(func(ix *ixTx) error {
			for i := range w.pending {
				if err := ix.add(&w.pending[i]); err != nil {
					return err
				}
			}
			return ix.setMark(w.seg, w.size)
		})
		if err != nil {
			// The lines are on disk; the next start (or a rebuild) indexes them.
			w.fail(fmt.Errorf("indexing %d conversation records: %w", len(w.pending), err))
		}
		clear(w.pending)
		w.pending = w.pending[:0]
	}
	if d := w.dropped.Load(); d != w.reported {
		w.log.Warn("conversation records dropped (buffer full or write failed)", "dropped_total", d, "new", d-w.reported)
		w.reported = d
	}
}

func (w *Writer) fail(err error) {
	w.log.Error("conversation log", "error", err)
	if w.err == nil {
		w.err = err
	}
}

// rotate closes the live segment and opens the next number.
func (w *Writer) rotate() {
	next, size, err := openSegment(w.opt.Dir, w.seg+1)
	if err != nil {
		w.fail(fmt.Errorf("starting the next conversation segment: %w", err))
		return // keep appending to the current one
	}
	if err := w.f.Close(); err != nil {
		w.fail(err)
	}
	w.f, w.size, w.synced = next, size, size
	w.seg++
	w.prune()
}

// prune deletes the oldest segments beyond Backups: their index entries
// first, then the file, so the index never names a missing file for longer
// than a failed removal.
func (w *Writer) prune() {
	segs, err := listSegments(w.opt.Dir)
	if err != nil {
		w.fail(err)
		return
	}
	for len(segs) > w.opt.Backups && segs[0].Num < w.seg {
		s := segs[0]
		segs = segs[1:]
		w.segMu.Lock()
		w.oldest.Store(int64(s.Num + 1))
		var n int
		err := w.update(func(ix *ixTx) (err error) {
			n, err = ix.dropFile(s.Name)
			return err
		})
		w.segMu.Unlock()
		if err != nil {
			w.fail(fmt.Errorf("dropping the index entries of %s: %w", s.Name, err))
			return
		}
		if err := os.Remove(filepath.Join(w.opt.Dir, s.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			w.fail(err)
		}
		w.log.Info("conversation segment deleted", "file", s.Name, "records", n)
	}
}
