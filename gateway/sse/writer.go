package sse

import (
	"errors"
	"io"
	"strings"
	"sync"
)

// maxPooledBuf caps the buffers kept in the pool so that one huge event does
// not pin its memory for the life of the process.
const maxPooledBuf = 64 << 10

var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

var errNameBreak = errors.New("sse: event name contains a line break")

// WriteEvent writes one event in a single Write call: an "event: name" line
// (omitted when name is ""), one "data: " line per line of data, and a blank
// line. Lines of data may end with "\n", "\r\n" or "\r"; each becomes its own
// data line, so a Reader returns the lines joined with "\n". Nil or empty
// data writes one empty data line. A name containing a line break is
// rejected, because it would end the field early.
func WriteEvent(w io.Writer, name string, data []byte) error {
	if strings.ContainsAny(name, "\r\n") {
		return errNameBreak
	}
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	if name != "" {
		b = append(b, "event: "...)
		b = append(b, name...)
		b = append(b, '\n')
	}
	b = appendLines(b, "data: ", data)
	b = append(b, '\n')
	return writeAndRelease(w, bp, b)
}

// WriteComment writes a comment-only event (": text" lines and a blank line)
// in a single Write call, typically a keep-alive. A Reader returns it with
// Event.Comment set.
func WriteComment(w io.Writer, text string) error {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	rest := text
	for {
		i := strings.IndexAny(rest, "\r\n")
		line := rest
		if i >= 0 {
			line = rest[:i]
		}
		b = append(b, ':')
		if line != "" {
			b = append(b, ' ')
			b = append(b, line...)
		}
		b = append(b, '\n')
		if i < 0 {
			break
		}
		if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
			i++
		}
		rest = rest[i+1:]
	}
	b = append(b, '\n')
	return writeAndRelease(w, bp, b)
}

// WriteRaw writes raw, typically Event.Raw of an upstream event, unchanged
// in a single Write call.
func WriteRaw(w io.Writer, raw []byte) error {
	return writeAll(w, raw)
}

// appendLines appends prefix+line+"\n" for every line of data.
func appendLines(b []byte, prefix string, data []byte) []byte {
	for {
		i := indexEOL(data)
		line := data
		if i >= 0 {
			line = data[:i]
		}
		b = append(b, prefix...)
		b = append(b, line...)
		b = append(b, '\n')
		if i < 0 {
			return b
		}
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
}

func writeAndRelease(w io.Writer, bp *[]byte, b []byte) error {
	err := writeAll(w, b)
	if cap(b) <= maxPooledBuf {
		*bp = b[:0]
		bufPool.Put(bp)
	}
	return err
}

func writeAll(w io.Writer, b []byte) error {
	n, err := w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return err
}
