package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

const (
	// DefaultMaxEvent is the event size limit used when NewReader gets 0.
	DefaultMaxEvent = 16 << 20

	initialBufSize = 4 << 10
	maxEmptyReads  = 100 // like bufio: give up on a reader that never makes progress
	maxInterned    = 64  // distinct event names kept as shared strings
)

var (
	// ErrEventTooLarge is returned when an event (including the blank lines
	// before it) exceeds the Reader's size limit.
	ErrEventTooLarge = errors.New("sse: event exceeds the maximum event size")

	// ErrTruncated is returned, together with the partial event, when the
	// stream ends in the middle of an event. It wraps io.ErrUnexpectedEOF.
	ErrTruncated = fmt.Errorf("sse: stream ended in the middle of an event: %w", io.ErrUnexpectedEOF)

	errNegativeRead = errors.New("sse: reader returned an invalid count from Read")
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Event is one server-sent event. Data and Raw may alias the Reader's
// buffers and are valid only until the next call to Reader.Next.
type Event struct {
	// Name is the value of the last "event:" field, "" if there was none.
	Name string
	// Data is the values of the "data:" fields joined with "\n"; nil when the
	// event has no data field, empty (non-nil) when the field is empty.
	Data []byte
	// ID is the value of the event's own "id:" field ("" if none, or if the
	// value contains a NUL byte, which the specification ignores).
	ID string
	// Raw is the exact bytes of the event, including blank lines before it,
	// the end of line of its last field and its terminating blank line.
	Raw []byte
	// Comment reports that the event consists only of comment lines (for
	// example a ": keep-alive"); Data is then nil.
	Comment bool
}

// Clone returns a copy of e whose slices do not alias the Reader's buffers.
// It makes a single allocation.
func (e Event) Clone() Event {
	if e.Raw == nil && e.Data == nil {
		return e
	}
	buf := make([]byte, len(e.Raw)+len(e.Data))
	n := copy(buf, e.Raw)
	copy(buf[n:], e.Data)
	if e.Raw != nil {
		e.Raw = buf[:n:n]
	}
	if e.Data != nil {
		e.Data = buf[n:]
	}
	return e
}

// IsDone reports whether the event's data is the OpenAI end-of-stream marker
// "[DONE]" (surrounding ASCII white space is ignored).
func (e Event) IsDone() bool {
	return string(bytes.TrimSpace(e.Data)) == "[DONE]"
}

// Reader parses a stream of server-sent events. See the package
// documentation for buffer ownership.
type Reader struct {
	src     io.Reader
	max     int
	buf     []byte
	r, w    int   // buf[r:w] holds bytes read but not yet returned in an event
	pending error // error returned by src together with data, reported on the next fill
	eof     bool  // src returned io.EOF
	err     error // sticky error returned by Next
	skipLF  bool  // the previous event ended with '\r'; a following '\n' completes that CRLF
	started bool  // the optional byte order mark at the start has been handled

	data   []byte            // scratch for data spread over several lines
	names  map[string]string // interned event names
	lastID string            // the last id, reused when repeated
}

// NewReader returns a Reader that reads events from r. maxEvent limits the
// size of one event in bytes; 0 means DefaultMaxEvent.
func NewReader(r io.Reader, maxEvent int) *Reader {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEvent
	}
	size := initialBufSize
	if maxEvent < size {
		size = maxEvent + 1 // room to notice that the limit was crossed
	}
	return &Reader{src: r, max: maxEvent, buf: make([]byte, size)}
}

// Next returns the next event. It returns io.EOF when the stream ends at an
// event boundary, and the partial event with ErrTruncated when it ends inside
// an event. Next only reads from the underlying reader when the bytes already
// buffered do not hold a complete event, so a complete event is never held
// back waiting for more input.
func (r *Reader) Next() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	from := 0 // offset of the first byte to parse (past a byte order mark)
	if !r.started {
		for r.w-r.r < len(utf8BOM) && !r.eof {
			if err := r.readMore(); err != nil {
				return Event{}, err
			}
		}
		r.started = true
		if bytes.HasPrefix(r.buf[r.r:r.w], utf8BOM) {
			from = len(utf8BOM)
		}
	}

	// Offsets below are relative to r.r, which readMore may move.
	var (
		skipLF    = r.skipLF // a '\n' here completes a "\r\n" begun earlier
		first     = skipLF
		off       = from // next byte to examine
		lineStart = from // first byte of the current line
		sawField  = false
	)
	for {
		if r.r+off == r.w {
			if r.eof {
				r.err = io.EOF
				if !sawField && off == lineStart {
					r.r = r.w // only blank lines were left
					return Event{}, io.EOF
				}
				if off > r.max {
					r.err = ErrEventTooLarge
					return Event{}, r.err
				}
				r.err = ErrTruncated
				ev := r.event(off, from, first)
				return ev, ErrTruncated
			}
			if off > r.max {
				r.err = ErrEventTooLarge
				return Event{}, r.err
			}
			if err := r.readMore(); err != nil {
				return Event{}, err
			}
			continue
		}
		seg := r.buf[r.r+off : r.w]
		if skipLF {
			skipLF = false
			if seg[0] == '\n' {
				off++
				lineStart = off
				continue
			}
		}
		i := indexEOL(seg)
		if i < 0 {
			off += len(seg)
			continue
		}
		eol := seg[i]
		off += i + 1
		if off-1 > lineStart {
			sawField = true
		} else if sawField {
			// A blank line ends the event.
			r.skipLF = false
			if eol == '\r' {
				// Take the '\n' of a CRLF if it has arrived; otherwise the
				// event is returned now and the '\n' starts the next Raw.
				if r.r+off < r.w {
					if r.buf[r.r+off] == '\n' {
						off++
					}
				} else {
					r.skipLF = true
				}
			}
			if off > r.max {
				r.err = ErrEventTooLarge
				return Event{}, r.err
			}
			return r.event(off, from, first), nil
		}
		lineStart = off
		skipLF = eol == '\r'
	}
}

// readMore compacts the buffer, grows it if it is full and reads once from
// the source. It sets r.eof at io.EOF and returns any other error, which is
// also made sticky.
func (r *Reader) readMore() error {
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		size := 2 * len(r.buf)
		if size > r.max+1 {
			size = r.max + 1
		}
		if size <= r.w {
			r.err = ErrEventTooLarge
			return r.err
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	err := r.pending
	r.pending = nil
	for i := 0; err == nil; i++ {
		if i == maxEmptyReads {
			err = io.ErrNoProgress
			break
		}
		var n int
		n, err = r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			err = errNegativeRead
			break
		}
		r.w += n
		if n > 0 {
			r.pending = err
			return nil
		}
	}
	if err == io.EOF {
		r.eof = true
		return nil
	}
	r.err = err
	return err
}

// event parses buf[r.r+from : r.r+n] into an Event and consumes n bytes.
// skipLF says whether a leading '\n' completes the previous event's CRLF.
func (r *Reader) event(n, from int, skipLF bool) Event {
	raw := r.buf[r.r : r.r+n : r.r+n]
	r.r += n
	block := raw[from:]

	var (
		ev        Event
		ndata     int
		comments  bool
		fields    bool
		firstData []byte
	)
	for len(block) > 0 {
		if skipLF {
			skipLF = false
			if block[0] == '\n' {
				block = block[1:]
				continue
			}
		}
		var line []byte
		if i := indexEOL(block); i >= 0 {
			line = block[:i]
			skipLF = block[i] == '\r'
			block = block[i+1:]
		} else {
			line, block = block, nil
		}
		if len(line) == 0 {
			continue
		}
		if line[0] == ':' {
			comments = true
			continue
		}
		fields = true
		name, value := line, line[len(line):]
		if c := bytes.IndexByte(line, ':'); c >= 0 {
			name, value = line[:c], line[c+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(name) {
		case "data":
			switch ndata {
			case 0:
				firstData = value
			case 1:
				r.data = append(r.data[:0], firstData...)
				fallthrough
			default:
				r.data = append(r.data, '\n')
				r.data = append(r.data, value...)
			}
			ndata++
		case "event":
			ev.Name = r.intern(value)
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				if string(value) != r.lastID {
					r.lastID = string(value)
				}
				ev.ID = r.lastID
			}
		}
	}
	switch ndata {
	case 0:
	case 1:
		ev.Data = firstData
	default:
		ev.Data = r.data
	}
	ev.Raw = raw
	ev.Comment = comments && !fields
	return ev
}

// intern returns b as a string, sharing the string for repeated names.
func (r *Reader) intern(b []byte) string {
	if s, ok := r.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if r.names == nil {
		r.names = make(map[string]string, 8)
	}
	if len(r.names) < maxInterned {
		r.names[s] = s
	}
	return s
}

// indexEOL returns the index of the first '\r' or '\n' in b, or -1. It
// searches windows of growing size so that its cost stays proportional to
// the distance to the line end even when one of the two bytes never occurs
// (a CR-only stream would otherwise make every line scan to the end of the
// buffer for a '\n', quadratic in the buffer size).
func indexEOL(b []byte) int {
	for start, size := 0, 128; start < len(b); start, size = start+size, size*2 {
		win := b[start:min(start+size, len(b))]
		if i := bytes.IndexByte(win, '\n'); i >= 0 {
			win = win[:i]
			if j := bytes.IndexByte(win, '\r'); j >= 0 {
				return start + j
			}
			return start + i
		}
		if j := bytes.IndexByte(win, '\r'); j >= 0 {
			return start + j
		}
	}
	return -1
}

// Ready reports whether Next will return without reading from the source: the
// stream has ended or failed, or a complete event is already buffered. A relay
// uses it to push out what it wrote only before it would wait for the
// upstream, so events that arrived together leave in one write while none is
// ever held back waiting for the network. It errs on the side of false: it
// looks for a non-blank line ending right before a blank line ("x\n\n",
// "x\r\n\r\n", "x\r\r").
func (r *Reader) Ready() bool {
	if r.err != nil || r.eof || r.pending != nil {
		return true
	}
	b := r.buf[r.r:r.w]
	for i := 1; i+1 < len(b); i++ {
		c := b[i]
		if c != '\n' && c != '\r' {
			continue
		}
		if p := b[i-1]; p == '\n' || p == '\r' {
			continue
		}
		switch {
		case b[i+1] == c && c == '\n', b[i+1] == c && c == '\r' && (i+2 == len(b) || b[i+2] != '\n'):
			return true
		case c == '\r' && b[i+1] == '\n' && i+3 < len(b) && b[i+2] == '\r' && b[i+3] == '\n':
			return true
		}
	}
	return false
}
