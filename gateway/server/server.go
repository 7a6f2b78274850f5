package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/conversations"
	"github.com/modelswitch/modelswitch/gateway/logs"
	"github.com/modelswitch/modelswitch/gateway/metrics"
	"github.com/modelswitch/modelswitch/gateway/proxy"
	"github.com/modelswitch/modelswitch/gateway/responses"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/usage"
	"github.com/modelswitch/modelswitch/gateway/watch"
)

// Options are the plain values the server is built from.
type Options struct {
	Config *config.Config // loaded and validated
	// Host and Port override gateway.host/port when set (--host/--port).
	Host string
	Port int
	// DayCounts persists the daily limit counters; nil uses the database when
	// DB is set and keeps them in memory otherwise.
	DayCounts auth.DayStore
	Log       *slog.Logger
	Version   string
	// ShutdownGrace bounds how long Run waits for in-flight requests (default 30 s).
	ShutdownGrace time.Duration
	// BodyReadTimeout bounds how long a request body may take to arrive after
	// its headers (default 60 s; tests shorten it). Answers are not bounded by it.
	BodyReadTimeout time.Duration
	// ConfigPath is the file Run watches and ReloadFromDisk reads; "" disables reloading.
	ConfigPath string
	// OnReload is called after a new configuration took effect (e.g. to change the log level).
	OnReload func(*config.Config)
	// DB is the workspace database (usage, conversation index); nil keeps no records.
	DB *store.DB
	// WorkspaceDir anchors a relative gateway.log_dir.
	WorkspaceDir string
	// Exposure lists what leaves the workspace open to other users
	// (workspace.Workspace.Exposure), shown to the admin in
	// /api/config/health; nil reports nothing.
	Exposure func() []string
	// LogRing feeds GET /api/logs; nil serves an empty log.
	LogRing *logs.Ring
	// UI serves the admin SPA at / and every path outside the APIs; nil serves
	// a plain text page at /. (gateway/ must not import frontend/: cmd wires it.)
	UI http.Handler
}

// Server is one gateway: configuration, handlers and listener.
type Server struct {
	opts     Options
	log      *slog.Logger
	snap     atomic.Pointer[proxy.Snapshot]
	limiter  *auth.Limiter
	budgets  *auth.Budgets
	throttle *auth.Throttle // failed authentications per client (issue 21)
	proxy    *proxy.Handler
	handler  http.Handler
	started  time.Time

	metrics       *metrics.Metrics
	conversations *conversations.Writer
	usage         *usage.Recorder
	responses     *responses.Store
	closeOnce     sync.Once
	querier       *usage.Querier
	stopStreams   chan struct{} // closed at shutdown: ends /api/logs/stream

	reload  reloadStatus
	watcher *watch.Watcher
	editMu  sync.Mutex // serialises config edits (admin API)
	// stopWatch ends the config watcher started by Listen.
	stopWatch func()

	mu       sync.Mutex
	listener net.Listener
	hs       *http.Server // set while Run serves
	served   chan served  // each Serve's end, so Run can tell a retired listener from a failure
}

type served struct {
	ln  net.Listener
	err error
}

// serve runs hs.Serve(ln) and reports its end to Run.
func (s *Server) serve(ln net.Listener) {
	go func() {
		err := s.hs.Serve(ln)
		select {
		case s.served <- served{ln, err}:
		default: // Run is gone or busy shutting down; nobody waits for a retired listener
		}
	}()
}

// New builds a server for opts.Config without binding anything yet.
func New(opts Options) (*Server, error) {
	if opts.Config == nil {
		return nil, errors.New("server: no configuration")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 30 * time.Second
	}
	s := &Server{opts: opts, log: opts.Log, started: time.Now()}
	s.limiter = auth.NewLimiter(opts.Config.Gateway.Location())
	s.throttle = auth.NewThrottle()
	if opts.DayCounts == nil && opts.DB != nil {
		s.opts.DayCounts = dayStore{usage.NewDayCounter(opts.DB)}
		opts.DayCounts = s.opts.DayCounts
	}
	if opts.DayCounts != nil {
		dc, err := opts.DayCounts.Load()
		if err != nil {
			s.log.Warn("daily limit counters unreadable; starting from zero", "err", err)
		} else {
			s.limiter.Restore(dc, time.Now())
		}
	}
	s.snap.Store(proxy.NewSnapshot(opts.Config, nil))
	s.reload.set(nil)
	s.budgets = auth.NewBudgets(opts.Config.Gateway.Location())
	s.proxy = &proxy.Handler{Snapshot: s.Snapshot, Limiter: s.limiter, Budgets: s.budgets, Log: s.log}
	s.stopStreams = make(chan struct{})
	if err := s.openRecords(); err != nil {
		return nil, err
	}
	s.restoreSpend(time.Now())
	s.handler = s.routes()
	return s, nil
}

// Snapshot returns the configuration snapshot in force.
func (s *Server) Snapshot() *proxy.Snapshot { return s.snap.Load() }

// Apply swaps in a new configuration; requests in flight finish on the old one.
func (s *Server) Apply(cfg *config.Config) {
	prev := s.snap.Load()
	next := proxy.NewSnapshot(cfg, prev)
	s.snap.Store(next)
	prev.Retire(next)
}

// Handler is the complete HTTP handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Addr is the address to listen on: the flags' override, else gateway.host:port.
func (s *Server) Addr() string {
	g := s.Snapshot().Config.Gateway
	host, port := g.Host, g.Port
	if s.opts.Host != "" {
		host = s.opts.Host
	}
	if s.opts.Port != 0 {
		port = s.opts.Port
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// Listen binds the listening socket, so that a caller learns of a taken port
// before it reports the gateway as started.
func (s *Server) Listen() (net.Addr, error) {
	ln, err := net.Listen("tcp", s.Addr())
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", s.Addr(), err)
	}
	s.mu.Lock()
	s.listener = ln
	s.mu.Unlock()
	// Watch the config from here on, so an edit saved right after the gateway
	// reported its address is not missed; Run stops the watcher.
	s.stopWatch = sync.OnceFunc(s.watchConfig())
	return ln.Addr(), nil
}

// Run serves until ctx is cancelled, then shuts down gracefully: it stops
// accepting, lets in-flight requests and streams finish (up to ShutdownGrace),
// and saves the daily counters. Listen must have been called.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	ln := s.listener
	s.mu.Unlock()
	if ln == nil {
		return errors.New("server: Run before Listen")
	}
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.mu.Lock()
	s.hs = hs
	s.served = make(chan served, 8)
	s.mu.Unlock()
	s.serve(ln)

	stopWatch := s.stopWatch
	defer stopWatch()
	stopPersist := s.persistDayCounts()
	stopPrune := s.pruneResponses()
	var err error
	for done := false; !done; {
		select {
		case sv := <-s.served:
			s.mu.Lock()
			current := sv.ln == s.listener
			s.mu.Unlock()
			if current { // the listener in use failed; one retired by rebind just ends
				err, done = sv.err, true
			}
		case <-ctx.Done():
			stopWatch() // no reload (or rebind) while shutting down
			close(s.stopStreams)
			s.log.Info("shutting down: waiting for requests in flight", "grace", s.opts.ShutdownGrace)
			sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownGrace)
			err = hs.Shutdown(sctx)
			cancel()
			if err != nil {
				hs.Close()
			}
			done = true
		}
	}
	stopPersist()
	stopPrune()
	s.closeRecords()
	s.CloseIdle()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// persistDayCounts saves the daily counters every few seconds when they
// changed, and once more when stopped.
func (s *Server) persistDayCounts() (stop func()) {
	if s.opts.DayCounts == nil {
		return func() {}
	}
	save := func() {
		if err := s.limiter.Persist(s.opts.DayCounts); err != nil {
			s.log.Error("saving daily limit counters", "err", err)
		}
	}
	stopTicker := every(2*time.Second, save)
	return func() {
		stopTicker()
		save()
	}
}

// pruneResponses removes expired stored Responses every hour: Put prunes as
// it goes, but a gateway nobody uses would keep what has expired until the
// next request.
func (s *Server) pruneResponses() (stop func()) {
	if s.responses == nil {
		return func() {}
	}
	return every(responsesPruneEvery, func() {
		if _, err := s.responses.Prune(); err != nil {
			s.log.Error("pruning stored responses", "err", err)
		}
	})
}

// responsesPruneEvery is how often pruneResponses runs (tests shorten it).
var responsesPruneEvery = time.Hour

// every calls fn every d on its own goroutine until stop is called; stop
// returns once a call in progress has finished.
func every(d time.Duration, fn func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fn()
			case <-done:
				return
			}
		}
	}()
	return sync.OnceFunc(func() {
		close(done)
		<-finished
	})
}

// Close drains the records of a server that was never Run (tests, tools);
// Run does the same at shutdown.
func (s *Server) Close() {
	s.closeRecords()
	s.CloseIdle()
}

// CloseIdle drops the idle upstream connections (at shutdown, and in tests
// that check for leaked goroutines).
func (s *Server) CloseIdle() { s.Snapshot().Retire(nil) }

func (s *Server) now() time.Time { return time.Now() }
