package sse

import (
	"bytes"
	"io"
	"testing"
)

// loopReader replays a stream forever.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.off:])
	l.off = (l.off + n) % len(l.data)
	return n, nil
}

// anthropicStream is a few typical ~300-byte Messages API events.
func anthropicStream() []byte {
	var b bytes.Buffer
	for i := 0; i < 8; i++ {
		WriteEvent(&b, "content_block_delta", []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"The quick brown fox jumps over the lazy dog, and then it keeps running across the field until it reaches the river bank where it finally stops to drink some water and rest for a while."}}`))
	}
	return b.Bytes()
}

func BenchmarkReaderNext(b *testing.B) {
	stream := anthropicStream()
	r := NewReader(&loopReader{data: stream}, 0)
	b.SetBytes(int64(len(stream) / 8))
	b.ReportAllocs()
	for b.Loop() {
		e, err := r.Next()
		if err != nil || e.Name != "content_block_delta" {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderNextMultiLine(b *testing.B) {
	var s bytes.Buffer
	WriteEvent(&s, "message", []byte("line one of the event\nline two of the event\nline three of the event"))
	r := NewReader(&loopReader{data: s.Bytes()}, 0)
	b.SetBytes(int64(s.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteEvent(b *testing.B) {
	data := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"The quick brown fox jumps over the lazy dog, and then it keeps running across the field until it reaches the river bank."}}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteEvent(io.Discard, "content_block_delta", data); err != nil {
			b.Fatal(err)
		}
	}
}
