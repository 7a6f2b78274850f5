package server

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/proxy"
)

// requestID makes every request carry an id: the client's X-Request-ID when it
// is sane, else a fresh one. The id is echoed on the response and left in the
// request's header for handlers and logs.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := protocol.HeaderValue(r.Header, protocol.RequestIDHeader)
		v := r.Header[protocol.RequestIDHeader]
		if !validRequestID(id) {
			id = newRequestID()
			v = []string{id}
			r.Header[protocol.RequestIDHeader] = v
		} else if len(v) > 1 {
			v = v[:1]
		}
		w.Header()[protocol.RequestIDHeader] = v[:1:1] // shared: both maps only ever replace it
		next.ServeHTTP(w, r)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:", c) >= 0) {
			return false
		}
	}
	return true
}

// newRequestID is "req_" and 24 hex digits: the time in nanoseconds, then 4
// random bytes. Ids that sort by time make the conversation index's by-id
// bucket grow at its end, as the other index buckets do; random ids put each
// batch's keys on as many bbolt pages as there are records, which was most
// of the writer's commit cost at c=32 (docs/performance-log.md).
func newRequestID() string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixNano()))
	_, _ = rand.Read(b[8:])
	return "req_" + hex.EncodeToString(b[:])
}

// trackingWriter remembers whether the response has started, so a panic can
// still be answered with a proper error when nothing was sent yet.
type trackingWriter struct {
	http.ResponseWriter
	started bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.started = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.started = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and SetWriteDeadline.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// recoverPanics turns a handler panic into a 500 in the route's shape and a log
// line with the stack, instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("handler panic", "request_id", protocol.HeaderValue(r.Header, protocol.RequestIDHeader), "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if tw.started {
				panic(http.ErrAbortHandler) // too late for an error body: cut the connection
			}
			protocol.WriteError(w, protocol.FamilyOf(r.URL.Path),
				protocol.Errorf(http.StatusInternalServerError, "internal error (request "+protocol.HeaderValue(r.Header, protocol.RequestIDHeader)+"); see gateway.log"))
		}()
		next.ServeHTTP(tw, r)
	})
}

// checkHost refuses requests whose Host is not a loopback name while the
// gateway listens on loopback only: a web page the user visits cannot then
// reach the gateway through DNS rebinding (DESIGN §12).
func (s *Server) checkHost(next http.Handler) http.Handler {
	host, _, _ := net.SplitHostPort(s.Addr())
	if !isLoopbackName(host) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Host
		if hh, _, err := net.SplitHostPort(h); err == nil {
			h = hh
		}
		if h != "" && !isLoopbackName(h) {
			protocol.WriteError(w, protocol.FamilyOf(r.URL.Path), protocol.Errorf(http.StatusForbidden,
				fmt.Sprintf("host %q is not allowed: the gateway listens on loopback only", h)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopbackName(h string) bool {
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// cors answers browsers only for the origins listed in gateway.cors_origins;
// with none configured, no CORS header is ever sent.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !slices.Contains(s.Snapshot().Config.Gateway.CORSOrigins, origin) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "X-Request-ID, Retry-After")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Api-Key, X-Request-ID, Anthropic-Version, Anthropic-Beta")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Bounds on request bodies (security issue point 4).
const (
	// defaultBodyReadTimeout is how long a body may take to arrive after its
	// headers (Options.BodyReadTimeout overrides it): ample for 32 MiB on a
	// slow link, and a body trickled a byte at a time frees its connection.
	// ReadHeaderTimeout covers the headers only.
	defaultBodyReadTimeout = 60 * time.Second
	// bodyBudgetFactor sizes the gateway-wide budget of request-body bytes
	// being buffered at once: four maximal bodies (128 MiB by default). A
	// Claude Code turn is ~76 KB, so only a pile of near-limit uploads
	// reaches it; a request that would cross it is refused at once with 503
	// and Retry-After: 1 rather than made to wait, so nothing queues on memory.
	bodyBudgetFactor = 4
	// refusedBodyGrace is how long net/http may go on reading a body after an
	// error answered before it was read (it drains up to 256 KB so that a
	// client still sending sees the answer rather than a reset), instead of
	// the whole body deadline.
	refusedBodyGrace = time.Second
)

// limitBody bounds every request body: at gateway.max_body_mb (reading past
// it fails with *http.MaxBytesError, which handlers answer with 413), by the
// gateway-wide budget of bytes buffered at once, and by a read deadline. An
// error answered before the body was read to its end closes the connection,
// so that net/http does not wait on the rest of it.
func (s *Server) limitBody(next http.Handler) http.Handler {
	timeout := s.opts.BodyReadTimeout
	if timeout <= 0 {
		timeout = defaultBodyReadTimeout
	}
	inFlight := new(atomic.Int64) // bytes read by the bodies of the requests in progress
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 { // no body (net/http gives chunked ones -1)
			next.ServeHTTP(w, r)
			return
		}
		limit := int64(s.Snapshot().Config.Gateway.MaxBodyMB) << 20
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close") // the body is not read
			protocol.WriteError(w, protocol.FamilyOf(r.URL.Path), protocol.Errorf(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body is larger than the limit of %d MiB (gateway.max_body_mb)", limit>>20)))
			return
		}
		b := &guardedBody{src: http.MaxBytesReader(w, r.Body, limit), limit: limit,
			inFlight: inFlight, budget: bodyBudgetFactor * limit, conn: readDeadliner(w), timeout: timeout}
		b.out = closingWriter{ResponseWriter: w, body: b}
		// Cleared when the body ends (guardedBody.end): a streamed answer may
		// then take as long as it needs.
		b.setDeadline(time.Now().Add(timeout))
		r.Body = b
		defer b.done()
		next.ServeHTTP(&b.out, r)
	})
}

// guardedBody is a request body under limitBody's bounds. It is read by the
// handler's goroutine only.
type guardedBody struct {
	src      io.ReadCloser // the MaxBytesReader
	limit    int64
	inFlight *atomic.Int64
	budget   int64     // the most inFlight may reach
	taken    int64     // this body's share of inFlight
	conn     deadliner // nil when w has no connection (httptest.ResponseRecorder)
	timeout  time.Duration
	err      error // how the body ended; nil while it is being read
	sawEOF   bool
	out      closingWriter // allocated with the body: one allocation per request
}

var _ proxy.LimitedBody = (*guardedBody)(nil)

// Limit tells readBody how far its buffer may grow.
func (b *guardedBody) Limit() int64 { return b.limit }

func (b *guardedBody) Close() error { return b.src.Close() }

// Read counts what it read against the budget, once per chunk.
func (b *guardedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.src.Read(p)
	if n > 0 && !b.take(int64(n)) {
		n, err = 0, &protocol.Error{Status: http.StatusServiceUnavailable, RetryAfter: 1,
			Message: "the gateway is receiving too many large request bodies at once; retry shortly"}
	}
	if err != nil {
		b.end(err)
	}
	return n, b.err
}

// take adds n bytes to the gateway-wide count unless that would cross the
// budget. Add-then-check may refuse a body that a racing one only briefly
// crowded out; it never admits one past the budget.
func (b *guardedBody) take(n int64) bool {
	if b.inFlight.Add(n) > b.budget {
		b.inFlight.Add(-n)
		return false
	}
	b.taken += n
	return true
}

// done runs when the handler returns: it gives this body's bytes back to the
// budget and, after an early refusal, cuts the drain of the rest short.
func (b *guardedBody) done() {
	if b.taken > 0 {
		b.inFlight.Add(-b.taken)
	}
	if b.out.refused {
		b.setDeadline(time.Now().Add(refusedBodyGrace))
	}
}

// end records how the body ended and lifts the read deadline, which from here
// on could only cut a long answer short: net/http's background read, started
// at EOF, would fail on it and cancel the request's context. (net/http clears
// the deadline itself when it starts that read; this does not rely on it.)
func (b *guardedBody) end(err error) {
	b.sawEOF = err == io.EOF
	b.err = err
	if errors.Is(err, os.ErrDeadlineExceeded) {
		b.err = protocol.Errorf(http.StatusRequestTimeout,
			fmt.Sprintf("the request body did not arrive within %s", b.timeout))
	}
	b.setDeadline(time.Time{})
}

func (b *guardedBody) setDeadline(t time.Time) {
	if b.conn != nil {
		_ = b.conn.SetReadDeadline(t)
	}
}

type deadliner interface{ SetReadDeadline(time.Time) error }

// readDeadliner finds what sets the read deadline of w's connection, as
// http.ResponseController does; but once per request, and without the error
// (three allocations) the controller makes each time when there is none.
func readDeadliner(w http.ResponseWriter) deadliner {
	for {
		switch t := w.(type) {
		case deadliner:
			return t
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return nil
		}
	}
}

// closingWriter closes the connection after an error answered while the
// request body was not read to its end (a refused key, a 413, a 503): net/http
// would otherwise read up to 256 KB more of it before replying, for as long as
// a trickling client likes.
type closingWriter struct {
	http.ResponseWriter
	body    *guardedBody
	refused bool // an error was answered before the body's end
}

func (c *closingWriter) WriteHeader(code int) {
	if code >= 400 && !c.body.sawEOF {
		c.refused = true
		c.Header().Set("Connection", "close")
	}
	c.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach Flush and the deadlines.
func (c *closingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
