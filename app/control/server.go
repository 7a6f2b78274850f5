package control

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Server serves a Backend on the control socket.
type Server struct {
	backend Backend
	api     APISource
	log     *slog.Logger
	hs      *http.Server
}

// NewServer returns a Server for b; api may be nil (then /api answers 503).
func NewServer(b Backend, api APISource, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{backend: b, api: api, log: log}
	s.hs = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	return s
}

// Serve answers on ln until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops accepting, gives requests in flight up to two seconds, then
// cuts the rest (live log tails of the window).
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.hs.Shutdown(ctx); err != nil {
		return s.hs.Close()
	}
	return nil
}

// Handler is the channel's route table, for tests and embedding.
func (s *Server) Handler() http.Handler {
	m := http.NewServeMux()
	b := s.backend
	m.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		st, err := b.Status(r.Context())
		reply(w, st, err)
	})
	m.HandleFunc("POST /gateway/start", func(w http.ResponseWriter, r *http.Request) {
		st, err := b.StartGateway(r.Context())
		reply(w, st, err)
	})
	m.HandleFunc("POST /gateway/stop", func(w http.ResponseWriter, r *http.Request) {
		st, err := b.StopGateway(r.Context())
		reply(w, st, err)
	})
	m.HandleFunc("POST /window/open", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]bool{"ok": true}, b.OpenWindow(r.Context()))
	})
	m.HandleFunc("POST /route", func(w http.ResponseWriter, r *http.Request) {
		var req RouteRequest
		if !decode(w, r, &req) {
			return
		}
		if req.Model == "" || req.Adapter == "" {
			reply(w, nil, Errorf(http.StatusBadRequest, `"model" and "adapter" are required ("adapter": "auto" restores automatic failover)`))
			return
		}
		st, err := b.Route(r.Context(), req)
		reply(w, st, err)
	})
	m.HandleFunc("POST /claudecode", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Enabled *bool `json:"enabled"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Enabled == nil {
			reply(w, nil, Errorf(http.StatusBadRequest, `"enabled" (true or false) is required`))
			return
		}
		cc, err := b.SetClaudeCode(r.Context(), *req.Enabled)
		reply(w, cc, err)
	})
	m.HandleFunc("POST /codex", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Enabled *bool  `json:"enabled"`
			Model   string `json:"model"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Enabled == nil {
			reply(w, nil, Errorf(http.StatusBadRequest, `"enabled" (true or false) is required`))
			return
		}
		cx, err := b.SetCodex(r.Context(), CodexRequest{Enabled: *req.Enabled, Model: req.Model})
		reply(w, cx, err)
	})
	m.HandleFunc("POST /ui/lang", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Lang string `json:"lang"`
		}
		if !decode(w, r, &req) {
			return
		}
		reply(w, map[string]string{"lang": req.Lang}, b.SetLanguage(r.Context(), req.Lang))
	})
	m.HandleFunc("POST /quit", func(w http.ResponseWriter, r *http.Request) {
		var req QuitRequest
		if !decode(w, r, &req) {
			return
		}
		reply(w, map[string]bool{"quitting": true}, b.Quit(r.Context(), req))
	})
	m.HandleFunc("/api/", s.forwardAPI)
	m.HandleFunc("/api", s.forwardAPI)
	return m
}

// forwardAPI hands an /api request to the gateway's handler in this process
// (it works while the gateway listener is stopped) as the admin: whatever
// credential the caller sent is replaced by the core's admin key, and the
// request looks like a loopback one to the gateway's Host check.
func (s *Server) forwardAPI(w http.ResponseWriter, r *http.Request) {
	if s.api == nil {
		reply(w, nil, Errorf(http.StatusServiceUnavailable, "this core serves no admin API"))
		return
	}
	h, key, err := s.api()
	if err != nil {
		if StatusOf(err) == http.StatusInternalServerError {
			err = &Error{Status: http.StatusServiceUnavailable, Message: err.Error()}
		}
		reply(w, nil, err)
		return
	}
	r2 := r.Clone(r.Context())
	for _, name := range []string{"Authorization", "X-Api-Key", "Cookie", "Origin"} {
		r2.Header.Del(name)
	}
	r2.Header.Set("Authorization", "Bearer "+key)
	r2.Host = "127.0.0.1"
	if r2.RemoteAddr == "" || r2.RemoteAddr == "@" {
		r2.RemoteAddr = "127.0.0.1:0" // a unix peer has no address; logs want one
	}
	h.ServeHTTP(w, r2)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err == nil && strings.TrimSpace(string(body)) == "" {
		body = []byte("{}")
	}
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		reply(w, nil, Errorf(http.StatusBadRequest, "the body must be a JSON object: %v", err))
		return false
	}
	return true
}

// reply writes v as JSON, or err as {"error":{"message"}} with its status.
func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(StatusOf(err))
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": err.Error()}})
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}
