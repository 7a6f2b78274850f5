package logs

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

const (
	flushSize     = 64 << 10 // flush as soon as this much is buffered
	flushInterval = 100 * time.Millisecond
	maxBuffered   = 4 << 20  // beyond this (a stalled disk), new lines are dropped
	chunkSize     = 64 << 10 // largest single write: lumberjack rotates before a write that would not fit
	keepCap       = 1 << 20  // a buffer grown larger than this by a burst is not reused
)

// asyncWriter buffers whole lines (slog writes one record per Write) and
// writes them to dst from its own goroutine, so a logging caller only copies
// bytes under a mutex and never waits on the disk or a terminal.
//
// Ownership: buf is guarded by mu; spare and err belong to the run
// goroutine until it exits, then to Close.
type asyncWriter struct {
	dst      io.Writer
	closer   io.Closer // dst's Close when the writer owns it (the log file), else nil
	interval time.Duration

	mu     sync.Mutex
	buf    []byte
	closed bool

	dropped atomic.Uint64 // lines lost to a full buffer or written after Close

	pending chan struct{} // the buffer went from empty to non-empty
	full    chan struct{} // the buffer reached flushSize
	done    chan struct{} // closed by Close
	exited  chan struct{} // closed when run returns

	spare []byte
	err   error // the first write error
}

func newAsyncWriter(dst io.Writer, closer io.Closer, interval time.Duration) *asyncWriter {
	w := &asyncWriter{dst: dst, closer: closer, interval: interval,
		pending: make(chan struct{}, 1), full: make(chan struct{}, 1),
		done: make(chan struct{}), exited: make(chan struct{})}
	go w.run()
	return w
}

// Write queues p and never blocks on I/O. It always reports success: slog
// has nowhere to send a logging error, and losses are counted in dropped.
func (w *asyncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed || len(w.buf)+len(p) > maxBuffered {
		w.mu.Unlock()
		w.dropped.Add(1)
		return len(p), nil
	}
	wasEmpty := len(w.buf) == 0
	w.buf = append(w.buf, p...)
	full := len(w.buf) >= flushSize
	w.mu.Unlock()
	if wasEmpty {
		signal(w.pending)
	}
	if full {
		signal(w.full)
	}
	return len(p), nil
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// run flushes interval after the first buffered line, sooner when the
// buffer fills, and once more on Close. It sleeps while nothing is buffered,
// so an idle gateway has no timer waking it up.
func (w *asyncWriter) run() {
	defer close(w.exited)
	t := time.NewTimer(w.interval)
	t.Stop()
	for {
		select {
		case <-w.pending:
		case <-w.done:
			w.flush()
			return
		}
		t.Reset(w.interval)
		select {
		case <-t.C:
		case <-w.full:
		case <-w.done:
			t.Stop()
			w.flush()
			return
		}
		t.Stop()
		w.flush()
		select { // a stale "full" would cut the next interval short
		case <-w.full:
		default:
		}
	}
}

// flush swaps the buffers and writes the full one outside the lock.
func (w *asyncWriter) flush() {
	w.mu.Lock()
	b := w.buf
	w.buf = w.spare[:0]
	w.mu.Unlock()
	if len(b) > 0 {
		if err := writeLines(w.dst, b); err != nil && w.err == nil {
			w.err = err
		}
	}
	if cap(b) > keepCap {
		b = nil
	}
	w.spare = b
}

// writeLines writes b in line-aligned chunks of at most chunkSize (a longer
// line alone), so that lumberjack rotates between lines and never sees a
// write larger than its file size. It goes on after an error and returns the
// first one.
func writeLines(dst io.Writer, b []byte) error {
	var first error
	for len(b) > 0 {
		n := len(b)
		if n > chunkSize {
			n = bytes.LastIndexByte(b[:chunkSize], '\n') + 1
			if n == 0 {
				if n = bytes.IndexByte(b, '\n') + 1; n == 0 {
					n = len(b)
				}
			}
		}
		if _, err := dst.Write(b[:n]); err != nil && first == nil {
			first = err
		}
		b = b[n:]
	}
	return first
}

// Close writes what is buffered, stops the goroutine and closes dst if it
// owns it. Later writes are dropped. It returns the first write error.
func (w *asyncWriter) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.done)
	<-w.exited
	err := w.err
	if w.closer != nil {
		err = errors.Join(err, w.closer.Close())
	}
	return err
}
