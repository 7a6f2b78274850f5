package proxy

import (
	"sync"
	"sync/atomic"
)

// Pooled request bodies (issue 16: a fresh buffer per request was three
// quarters of the bytes allocated on the 76 KB Claude Code lane).
//
// A body outlives its handler in two places: the upstream transport may go
// on reading it after RoundTrip returned, until it closes the body reader,
// and the conversation writer encodes it after the handler has answered.
// So a buffer is counted: the handler holds one reference, each upstream
// body reader one (upstream.BodyHolder) and each conversation record one
// (conversations.Record.Release); the last release puts it back. Nothing
// else keeps slices of it past the handler: the Responses store copies what
// it keeps (responses.Store.Put encodes), usage rows and logs hold strings.

// bodyClasses are the pooled capacities; a body larger than the last is
// allocated and left to the collector.
var bodyClasses = [...]int{16 << 10, 128 << 10, 1 << 20, 4 << 20}

var bodyPools [len(bodyClasses)]sync.Pool

// poisonReleased fills a buffer with 'X' when it goes back to the pool, so
// that a test reading a body after its release sees garbage rather than
// the right bytes by luck. Builds with the race detector (make test) set it.
var poisonReleased = false

// bodyBuffer is one pooled request body.
type bodyBuffer struct {
	buf   []byte
	class int // index in bodyClasses, or -1 when not pooled
	refs  atomic.Int32
}

// newBodyBuffer returns a buffer with room for at least size bytes, held
// once (by the caller). A pooled class larger than most (when most >= 0) is
// not taken: a body limited to 1 MiB must not cost 4 MiB.
func newBodyBuffer(size int, most int64) *bodyBuffer {
	for i, c := range bodyClasses {
		if most >= 0 && int64(c) > most {
			break
		}
		if size <= c {
			b, _ := bodyPools[i].Get().(*bodyBuffer)
			if b == nil {
				b = &bodyBuffer{buf: make([]byte, 0, c), class: i}
			}
			b.buf = b.buf[:0]
			b.refs.Store(1)
			return b
		}
	}
	b := &bodyBuffer{buf: make([]byte, 0, size), class: -1}
	b.refs.Store(1)
	return b
}

// Hold adds a reference (upstream.BodyHolder).
func (b *bodyBuffer) Hold() { b.refs.Add(1) }

// Release drops a reference; the last one puts the buffer back.
func (b *bodyBuffer) Release() {
	// n < 0 would be a release too many: never reuse what may still be read.
	if n := b.refs.Add(-1); n != 0 || b.class < 0 {
		return
	}
	if poisonReleased {
		full := b.buf[:cap(b.buf)]
		for i := range full {
			full[i] = 'X'
		}
	}
	bodyPools[b.class].Put(b)
}

// recordRelease holds b for a conversation record and returns the function
// that lets it go; nil for no buffer.
func (b *bodyBuffer) recordRelease() func() {
	if b == nil {
		return nil
	}
	b.Hold()
	return b.Release
}
