package server

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/proxy"
)

// access is what a route requires of the caller.
type access uint8

const (
	public    access = iota // no credentials
	anyKey                  // any valid key (inference; usage, logs, conversations)
	adminOnly               // a key with role admin
)

// accessFor classifies a request (DESIGN §5, seed-behaviour §4.4). Unknown
// paths outside /api/ are public so that they get a plain 404.
func accessFor(r *http.Request) access {
	p := r.URL.Path
	switch {
	case p == "/api/config/health", p == "/health", p == "/metrics":
		return public
	case p == "/api/conversations/rebuild", p == "/api/conversations/index/stats", p == "/api/usage/recompute":
		return adminOnly
	case p == "/api/whoami":
		return anyKey
	case hasPathPrefix(p, "/api/usage"), hasPathPrefix(p, "/api/logs"), hasPathPrefix(p, "/api/conversations"):
		return anyKey
	case hasPathPrefix(p, "/api"):
		return adminOnly
	case hasPathPrefix(p, "/v1"), hasPathPrefix(p, "/openai"), hasPathPrefix(p, "/anthropic"):
		return anyKey
	default:
		return public
	}
}

// hasPathPrefix matches whole path segments: /api/usage matches /api/usage and
// /api/usage/x, not /api/usagex.
func hasPathPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// guard authenticates every non-public route, whatever the method, and puts
// the key in the context. A CORS preflight from an allowed origin never gets
// here: the cors middleware answers it; any other OPTIONS needs a key like
// GET does (issue 21: an OPTIONS bypass reached the profiler). Limits are
// counted by the inference handlers, after the request is known to be
// well-formed (DESIGN §8: only inference endpoints count).
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		need := accessFor(r)
		if need == public {
			next.ServeHTTP(w, r)
			return
		}
		key, e := s.authenticate(r)
		if e == nil && need == adminOnly {
			e = auth.RequireRole(key, config.RoleAdmin)
		}
		if e != nil {
			protocol.WriteError(w, protocol.FamilyOf(r.URL.Path), proxy.FromAuth(e))
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithKey(r.Context(), key)))
	})
}

// authenticate checks the request's key, refusing first a client that has
// presented too many wrong ones (auth.Throttle). A wrong key counts against
// its client; a request with no key at all does not.
func (s *Server) authenticate(r *http.Request) (*auth.Key, *auth.Error) {
	now := time.Now()
	client := clientAddr(r)
	if e := s.throttle.Check(client, now); e != nil {
		return nil, e
	}
	key, e := s.Snapshot().Keys.Authenticate(r.Header, now)
	if e != nil && e.Status == http.StatusUnauthorized && auth.HasCredential(r.Header) {
		s.throttle.Failed(client, now)
	}
	return key, e
}

// clientAddr is the client's IP address, without the port (a guesser opens
// a new connection, and so a new port, at will).
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
