package logs

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the writer's goroutine and the test.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes []int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes = append(s.writes, len(p))
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// gate blocks every Write until released, like a stalled disk.
type gate struct {
	syncBuffer
	release chan struct{}
}

func (g *gate) Write(p []byte) (int, error) {
	<-g.release
	return g.syncBuffer.Write(p)
}

type closeCounter struct{ n int }

func (c *closeCounter) Close() error { c.n++; return nil }

func TestAsyncWriterFlushesOnClose(t *testing.T) {
	var dst syncBuffer
	cc := &closeCounter{}
	w := newAsyncWriter(&dst, cc, time.Hour) // the timer never fires: only Close flushes
	for _, s := range []string{"a\n", "b\n"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if got := dst.String(); got != "" {
		t.Fatalf("written before Close: %q", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := dst.String(); got != "a\nb\n" {
		t.Errorf("after Close: %q", got)
	}
	if err := w.Close(); err != nil || cc.n != 1 {
		t.Errorf("second Close = %v, dst closed %d times", err, cc.n)
	}
	w.Write([]byte("late\n"))
	if got := w.dropped.Load(); got != 1 || strings.Contains(dst.String(), "late") {
		t.Errorf("write after Close: dropped %d, output %q", got, dst.String())
	}
}

// TestAsyncWriterFlushesWithoutClose waits (with a generous deadline, not a
// timing assertion) for the interval and for the size threshold to flush.
func TestAsyncWriterFlushesWithoutClose(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval time.Duration
		line     string
	}{
		{"interval", 10 * time.Millisecond, "tick\n"},
		{"size", time.Hour, strings.Repeat("x", flushSize) + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dst syncBuffer
			w := newAsyncWriter(&dst, nil, tc.interval)
			defer w.Close()
			w.Write([]byte(tc.line))
			deadline := time.Now().Add(10 * time.Second)
			for dst.String() != tc.line {
				if time.Now().After(deadline) {
					t.Fatalf("not flushed; have %d bytes", len(dst.String()))
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}

// TestAsyncWriterNeverWaitsForTheDisk stalls the destination: writes keep
// returning, lines past maxBuffered are dropped, and the rest is written
// once the destination recovers.
func TestAsyncWriterNeverWaitsForTheDisk(t *testing.T) {
	dst := &gate{release: make(chan struct{})}
	w := newAsyncWriter(dst, nil, time.Millisecond)
	line := []byte(strings.Repeat("y", 1023) + "\n")
	total := 2 * maxBuffered / len(line) // twice what may be buffered (plus one in flight)
	for range total {
		w.Write(line) // would hang here if Write waited for dst
	}
	dropped := w.dropped.Load()
	if dropped == 0 || dropped >= uint64(total) {
		t.Errorf("dropped %d of %d lines", dropped, total)
	}
	close(dst.release)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := uint64(len(dst.String())/len(line)), uint64(total)-dropped; got != want {
		t.Errorf("wrote %d lines, want %d", got, want)
	}
}

func TestWriteLines(t *testing.T) {
	short := strings.Repeat("s", 1000) + "\n"
	long := strings.Repeat("L", chunkSize+10) + "\n"
	for _, tc := range []struct {
		name string
		in   string
		want []int // sizes of the writes
	}{
		{"one chunk", short + short, []int{2002}},
		{"split at a line end", strings.Repeat(short, 300), []int{65 * 1001, 65 * 1001, 65 * 1001, 65 * 1001, 40 * 1001}},
		{"a line longer than a chunk goes alone", short + long + short, []int{1001, len(long), 1001}},
		{"no final newline", strings.Repeat("z", chunkSize+5), []int{chunkSize + 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dst syncBuffer
			if err := writeLines(&dst, []byte(tc.in)); err != nil {
				t.Fatal(err)
			}
			if dst.String() != tc.in {
				t.Error("output differs from input")
			}
			if len(dst.writes) != len(tc.want) {
				t.Fatalf("writes %v, want %v", dst.writes, tc.want)
			}
			for i := range tc.want {
				if dst.writes[i] != tc.want[i] {
					t.Errorf("writes %v, want %v", dst.writes, tc.want)
				}
			}
		})
	}
}

type failing struct{ n int }

func (f *failing) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("disk full")
}

func TestAsyncWriterReportsTheFirstError(t *testing.T) {
	f := &failing{}
	w := newAsyncWriter(f, nil, time.Hour)
	w.Write([]byte("a\n"))
	if err := w.Close(); err == nil || err.Error() != "disk full" {
		t.Errorf("Close = %v", err)
	}
}
