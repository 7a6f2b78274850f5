// Package sse reads and writes Server-Sent Events (text/event-stream) as
// defined by the WHATWG HTML specification, section "Server-sent events".
// It knows nothing about JSON or about either LLM protocol: an event is a
// name, data, an id and the exact bytes it came from.
//
// # Why
//
// The gateway forwards same-protocol streams byte for byte (Event.Raw) and
// feeds converters and usage observers from the parsed fields of the same
// events. One pull-based Reader per upstream response serves both, on the
// handler's goroutine, without a per-event allocation in the steady state.
//
// # Reading
//
// NewReader wraps an upstream body; each call to Reader.Next returns the next
// event. Lines end with "\n", "\r\n" or "\r"; "field: value" loses one
// leading space of value; lines starting with ':' are comments; an event ends
// at a blank line. Next returns io.EOF only at a clean event boundary. When
// the stream ends inside an event, Next returns the partial event together
// with ErrTruncated, which wraps io.ErrUnexpectedEOF. An event larger than
// the reader's limit yields ErrEventTooLarge. Errors are sticky.
//
// Deviations from a browser's EventSource, all made for a proxy: every
// blank-line-terminated block is returned, even one with no data line (a
// browser drops it), so Raw covers every byte of the stream; a block of
// comments only is returned with Comment set, so keep-alives can be
// forwarded; Event.ID is the block's own "id" field, not the last-event-id
// carried over from earlier events; "retry" and unknown fields are ignored
// (they remain in Raw). Blank lines before an event belong to that event's
// Raw; blank lines after the last event are consumed and dropped at io.EOF.
// Next never waits for more input once an event is complete: if the blank
// line that ends it is a "\r" at the very end of the bytes received so far,
// the event is returned at once, and a "\n" that arrives next (the rest of a
// CRLF) starts the next event's Raw, so the concatenation of all Raw slices
// is always the stream itself.
// A UTF-8 byte order mark at the very start of the stream is skipped when
// parsing (and kept in the first event's Raw).
//
// # Ownership of buffers
//
// The Reader owns one buffer that starts at 4 KiB and grows on demand up to
// the event size limit (16 MiB by default); it is kept for the life of the
// Reader, so drop the Reader when the stream ends. Event.Data and Event.Raw
// alias that buffer (or a scratch buffer for multi-line data) and are valid
// only until the next call to Next. Call Event.Clone to keep an event longer,
// for example when it is handed to an asynchronous logger. Name and ID are
// ordinary strings; common event names are interned so that they do not
// allocate per event.
//
// A Reader is not safe for concurrent use; it belongs to the goroutine that
// drains the stream, which also owns (and closes) the underlying body.
//
// # Writing
//
// WriteEvent, WriteComment and WriteRaw each issue exactly one Write call per
// event, so an event is never split across writes by this package and never
// coalesced with another one. The event bytes are built in a pooled buffer
// that is returned to the pool after Write returns (buffers above 64 KiB are
// not pooled). Flushing is the caller's job (http.ResponseController.Flush
// after every event).
package sse
