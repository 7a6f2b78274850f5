package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/admin"
	"github.com/modelswitch/modelswitch/gateway/logs"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/router"
)

// routes builds the route table (DESIGN §5) wrapped in the middleware chain.
func (s *Server) routes() http.Handler {
	var h http.Handler = s.router()
	h = s.guard(h)
	h = s.limitBody(h)
	h = s.cors(h)
	h = s.checkHost(h)
	h = s.recoverPanics(h)
	h = requestID(h)
	return h
}

// router is the route table alone. Every route names its methods: the guard
// authenticates every method alike, and a route open to any method would
// answer one nobody meant it to (issue 21: OPTIONS on the profiler).
func (s *Server) router() *mux.Router {
	r := mux.NewRouter()
	p := s.proxy
	for _, path := range []string{"/v1/chat/completions", "/openai/chat/completions", "/openai/v1/chat/completions"} {
		r.HandleFunc(path, p.ChatCompletions).Methods(http.MethodPost)
	}
	for _, path := range []string{"/v1/responses", "/openai/responses", "/openai/v1/responses"} {
		r.HandleFunc(path, p.Responses).Methods(http.MethodPost)
		r.HandleFunc(path+"/input_tokens", p.InputTokens).Methods(http.MethodPost)
		r.HandleFunc(path+"/{id}", p.GetResponse).Methods(http.MethodGet)
		r.HandleFunc(path+"/{id}", p.DeleteResponse).Methods(http.MethodDelete)
		r.HandleFunc(path+"/{id}/input_items", p.ResponseInputItems).Methods(http.MethodGet)
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
	r.HandleFunc("/api/config/queue-stats", s.queueStats).Methods(http.MethodGet)
	r.HandleFunc("/api/config/reload", s.postReload).Methods(http.MethodPost)
	r.Handle("/metrics", s.metrics.Handler()).Methods(http.MethodGet)
	logsAPI := admin.LogsAPI{Ring: s.opts.LogRing, Stop: s.stopStreams}
	if logsAPI.Ring == nil {
		logsAPI.Ring = logs.NewRing(1)
	}
	r.Handle("/api/logs", admin.HandlerFunc(logsAPI.List)).Methods(http.MethodGet)
	r.Handle("/api/logs/stream", admin.HandlerFunc(logsAPI.Stream)).Methods(http.MethodGet)
	(&admin.ConfigAPI{Store: s, Live: liveState{s}, Probe: s.proxy, Today: todayCounts{s}, Spend: s.budgets, Now: time.Now}).Register(r)
	if s.querier != nil {
		(&admin.UsageAPI{Q: s.querier, Location: func() *time.Location { return s.Snapshot().Config.Gateway.Location() },
			Currency: func() string { return s.Snapshot().Config.Gateway.CostCurrency() }, Recompute: s.recomputeCosts}).Register(r)
	}
	if s.conversations != nil {
		(&admin.ConversationsAPI{Store: s.conversations, Location: s.opts.Config.Gateway.Location()}).Register(r)
	}
	if pprofEnabled() {
		registerPprof(r)
	}
	r.HandleFunc("/", s.root).Methods(http.MethodGet, http.MethodHead)

	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.UI != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) && accessFor(r) == public {
			s.opts.UI.ServeHTTP(w, r) // the SPA's files and routes
			return
		}
		protocol.WriteError(w, protocol.FamilyOf(r.URL.Path), protocol.Errorf(http.StatusNotFound, "no route for "+r.Method+" "+r.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		protocol.WriteError(w, protocol.FamilyOf(r.URL.Path), protocol.Errorf(http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed on "+r.URL.Path))
	})

	return r
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// root answers GET and HEAD / without credentials (Claude Code probes it):
// the admin UI when one is wired, else a plain page.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	if s.opts.UI != nil {
		s.opts.UI.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte("ModelSwitch " + s.opts.Version + " is running.\n" +
		"OpenAI API:    POST /v1/chat/completions, GET /v1/models\n" +
		"Responses API: POST /v1/responses, GET/DELETE /v1/responses/{id}\n" +
		"Anthropic API: POST /v1/messages\n"))
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// queueStats serves GET /api/config/queue-stats (admin): each provider's
// concurrency and waiting requests.
func (s *Server) queueStats(w http.ResponseWriter, r *http.Request) {
	snap := s.Snapshot()
	stats := make([]router.QueueStats, 0, len(snap.Config.Providers))
	for _, p := range snap.Config.Providers {
		if q := snap.Queues[p.Name]; q != nil {
			stats = append(stats, q.Stats())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"queues": stats})
}
