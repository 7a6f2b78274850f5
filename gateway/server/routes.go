package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/protocol"
)

// routes builds the route table (DESIGN §5) wrapped in the middleware chain.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	p := s.proxy
	for _, path := range []string{"/v1/chat/completions", "/openai/chat/completions", "/openai/v1/chat/completions"} {
		r.HandleFunc(path, p.ChatCompletions).Methods(http.MethodPost)
	}
	for _, path := range []string{"/v1/messages", "/anthropic/messages", "/anthropic/v1/messages"} {
		r.HandleFunc(path, p.Messages).Methods(http.MethodPost)
		r.HandleFunc(path+"/count_tokens", p.CountTokens).Methods(http.MethodPost)
	}
	for _, path := range []string{"/v1/models", "/openai/models", "/openai/v1/models", "/anthropic/v1/models"} {
		r.HandleFunc(path, p.Models).Methods(http.MethodGet)
	}
	r.HandleFunc("/health", s.health).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/api/config/health", s.configHealth).Methods(http.MethodGet)
	r.HandleFunc("/", s.root).Methods(http.MethodGet, http.MethodHead)

	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		protocol.WriteError(w, protocol.FamilyOf(r.URL.Path), protocol.Errorf(http.StatusNotFound, "no route for "+r.Method+" "+r.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		protocol.WriteError(w, protocol.FamilyOf(r.URL.Path), protocol.Errorf(http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path))
	})

	var h http.Handler = r
	h = s.guard(h)
	h = s.limitBody(h)
	h = s.cors(h)
	h = s.checkHost(h)
	h = s.recoverPanics(h)
	h = requestID(h)
	return h
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// root answers GET and HEAD / without credentials (Claude Code probes it).
// The admin UI takes this route over in a later version.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte("ModelSwitch " + s.opts.Version + " is running.\n" +
		"OpenAI API:    POST /v1/chat/completions, GET /v1/models\n" +
		"Anthropic API: POST /v1/messages\n"))
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// providerHealth is the public view of a provider: no secrets.
type providerHealth struct {
	Enabled  bool   `json:"enabled"`
	Protocol string `json:"provider"`
	BaseURL  string `json:"base_url"`
}

// configHealth serves GET /api/config/health (public, seed-behaviour §3.5 plus
// version and uptime). Breaker states and the last reload error join it later.
func (s *Server) configHealth(w http.ResponseWriter, r *http.Request) {
	cfg := s.Snapshot().Config
	models := make([]string, len(cfg.Models))
	for i, m := range cfg.Models {
		models[i] = m.Name
	}
	providers := make(map[string]providerHealth, len(cfg.Providers))
	for _, p := range cfg.Providers {
		providers[p.Name] = providerHealth{Enabled: p.IsEnabled(), Protocol: p.Protocol(), BaseURL: p.RawBaseURL}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"status":         "healthy",
		"version":        s.opts.Version,
		"uptime_seconds": int64(time.Since(s.started).Seconds()),
		"models":         models,
		"providers":      providers,
	})
}
