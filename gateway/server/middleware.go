package server

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/gateway/protocol"
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

// limitBody caps every request body at gateway.max_body_mb; reading past it
// fails with *http.MaxBytesError, which handlers answer with 413.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(s.Snapshot().Config.Gateway.MaxBodyMB) << 20
		if r.ContentLength > limit {
			protocol.WriteError(w, protocol.FamilyOf(r.URL.Path), protocol.Errorf(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body is larger than the limit of %d MiB (gateway.max_body_mb)", limit>>20)))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
