package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// inbound is a client's request as far as the gateway needs to know it.
type inbound struct {
	family protocol.Family
	body   []byte
	held   *bodyBuffer // the pooled buffer body was read into (prepareResponses may replace body)
	obj    *jsonbody.Object
	model  string // as the client wrote it
	stream bool
}

// LimitedBody is a request body that knows the most it will yield: the
// server wraps every body in one, sized by gateway.max_body_mb. readBody then
// grows its buffer to that limit and one byte more (enough to see the limit
// crossed), never past it: append's growth of a chunked body allocated some
// five times the limit before the 413.
type LimitedBody interface {
	io.ReadCloser
	Limit() int64
}

// MinAnswerCap is the least a whole (non-stream) upstream answer may be; the
// cap is the larger of it and gateway.max_body_mb (see answerCap). A variable
// so that tests can lower it.
var MinAnswerCap int64 = 64 << 20

// answerCap bounds a whole upstream answer read into memory. Chat answers are
// kilobytes; 64 MiB leaves room for images in base64, and a gateway configured
// to accept larger requests may expect answers of the same order.
func answerCap(g config.Gateway) int64 {
	return max(MinAnswerCap, int64(g.MaxBodyMB)<<20)
}

// readBody reads the whole request body into a pooled buffer, held once for
// the caller; the server's MaxBytesReader turns an oversize body into a 413
// here.
func readBody(r *http.Request) (*bodyBuffer, *protocol.Error) {
	limit := int64(-1)
	if lb, ok := r.Body.(LimitedBody); ok {
		limit = lb.Limit()
	}
	size := r.ContentLength
	if size < 0 || size > 1<<20 {
		size = 4096 // a large Content-Length is not trusted with memory before the bytes arrive
	}
	b := newBodyBuffer(int(size)+1, readCap(limit))
	for {
		buf := b.buf
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		b.buf = buf[:len(buf)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			b.Release()
			return nil, bodyError(err)
		}
		if len(b.buf) == cap(b.buf) {
			b = grow(b, limit)
		}
	}
}

// readCap is the most a body buffer needs for limit: one byte past it (enough
// to see it crossed), or -1 when the limit is not known.
func readCap(limit int64) int64 {
	if limit < 0 {
		return -1
	}
	return limit + 1
}

// grow returns a buffer holding b's bytes with room to read on: twice the
// size, but no more than limit+1 bytes when the limit is known (limit >= 0).
// b is released.
func grow(b *bodyBuffer, limit int64) *bodyBuffer {
	n := 2 * int64(cap(b.buf))
	if limit >= 0 {
		n = min(n, limit+1)
	}
	if n <= int64(len(b.buf)) { // a body yielding more than it said: grow as append does
		n = int64(len(b.buf)) + int64(len(b.buf))/4 + 1
	}
	g := newBodyBuffer(int(n), readCap(limit))
	g.buf = append(g.buf, b.buf...)
	b.Release()
	return g
}

// bodyError answers a failed body read: the server's body wrapper fails with
// a ready answer of its own (busy, too slow), the MaxBytesReader with 413.
func bodyError(err error) *protocol.Error {
	var perr *protocol.Error
	if errors.As(err, &perr) {
		return perr
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return protocol.Errorf(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("request body is larger than the limit of %d MiB (gateway.max_body_mb)", mbe.Limit>>20))
	}
	return protocol.Errorf(http.StatusBadRequest, "reading request body: "+err.Error())
}

// parseInbound validates the parts of the body the gateway relies on: a JSON
// object with a string "model", an optional boolean "stream" and, when
// needMessages, a "messages" array. The rest is the upstream's business.
func parseInbound(r *http.Request, f protocol.Family, needMessages bool) (*inbound, *protocol.Error) {
	held, perr := readBody(r)
	if perr != nil {
		return nil, perr
	}
	body := held.buf
	if perr := checkText(body); perr != nil {
		held.Release()
		return nil, perr
	}
	// Only the top level is checked here (DESIGN §16: no whole-body
	// validation on pass-through). The converters decode the whole body and
	// refuse what is not JSON with a *convert.RequestError of their own.
	obj, err := jsonbody.ScanTop(body)
	if err != nil {
		held.Release()
		return nil, protocol.Errorf(http.StatusBadRequest, "invalid request body: "+err.Error())
	}
	in := &inbound{family: f, body: body, obj: obj, held: held}
	if perr := in.readFields(needMessages); perr != nil {
		held.Release()
		return nil, perr
	}
	return in, nil
}

// holder is what keeps the request body alive while a transport reads it:
// pass-through parts alias it. (A nil *bodyBuffer in an interface would not
// be nil, hence the check.)
func (in *inbound) holder() upstream.BodyHolder {
	if in.held == nil {
		return nil
	}
	return in.held
}

// readFields reads and checks model, stream and (when needMessages) messages.
func (in *inbound) readFields(needMessages bool) *protocol.Error {
	obj, body := in.obj, in.body
	var err error
	mv, ok := obj.Get("model")
	if !ok {
		return protocol.Errorf(http.StatusBadRequest, `"model" is required`)
	}
	if in.model, err = mv.String(body); err != nil {
		return protocol.Errorf(http.StatusBadRequest, `"model" `+err.Error())
	}
	if in.model == "" {
		return protocol.Errorf(http.StatusBadRequest, `"model" must not be empty`)
	}
	if sv, ok := obj.Get("stream"); ok && sv.Kind != jsonbody.KindNull {
		if in.stream, err = sv.Bool(body); err != nil {
			return protocol.Errorf(http.StatusBadRequest, `"stream" `+err.Error())
		}
	}
	if needMessages {
		msgs, ok := obj.Get("messages")
		if !ok {
			return protocol.Errorf(http.StatusBadRequest, `"messages" is required`)
		}
		if msgs.Kind != jsonbody.KindArray {
			kerr := &jsonbody.KindError{Want: jsonbody.KindArray, Got: msgs.Kind}
			return protocol.Errorf(http.StatusBadRequest, `"messages" `+kerr.Error())
		}
	}
	return nil
}

// checkText refuses a body that is not UTF-8 text or holds a NUL byte, the
// same on every lane (issue 21). The converters' decoders refused a raw NUL
// but replaced invalid UTF-8 silently, and pass-through sent both on to
// upstreams, which answer them each in their own way. Both checks are
// vectorised in the standard library: ~3 µs on a 76 KB Claude Code body.
// An escaped \u0000 is valid JSON and passes.
func checkText(body []byte) *protocol.Error {
	if i := bytes.IndexByte(body, 0); i >= 0 {
		return protocol.Errorf(http.StatusBadRequest, fmt.Sprintf("request body has a NUL byte at offset %d; JSON text may not contain one (write \\u0000 inside a string)", i))
	}
	if !utf8.Valid(body) {
		return protocol.Errorf(http.StatusBadRequest, fmt.Sprintf("request body is not valid UTF-8 (first bad byte at offset %d)", firstInvalidUTF8(body)))
	}
	return nil
}

// firstInvalidUTF8 is the offset of the first byte of b that does not start
// a valid UTF-8 sequence; only called once b is known to have one.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
