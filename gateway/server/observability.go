package server

import (
	"path/filepath"
	"time"

	"github.com/modelswitch/modelswitch/gateway/admin"
	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/conversations"
	"github.com/modelswitch/modelswitch/gateway/metrics"
	"github.com/modelswitch/modelswitch/gateway/responses"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// openRecords starts the stores fed by every request: the conversation log
// (when a database is given) and the metrics (always).
func (s *Server) openRecords() error {
	s.metrics = metrics.New(gauges{s})
	s.proxy.Metrics = s.metrics
	if s.opts.DB == nil {
		return nil
	}
	g := s.opts.Config.Gateway
	s.usage = usage.NewRecorder(s.opts.DB, usage.Options{RetentionDays: g.UsageRetentionDays, Logger: s.log})
	s.querier = usage.NewQuerier(s.opts.DB)
	s.proxy.Usage = s.usage
	cw, err := conversations.NewWriter(conversations.Options{
		Dir:       s.logDir(),
		DB:        s.opts.DB,
		LogBodies: g.LogBodies,
		MaxBytes:  g.LogMaxBytes,
		Backups:   g.LogBackupCount,
		// A queued record holds its request body (a Claude Code turn is ~76 KB):
		// 256 of them bound the memory when the disk falls behind; beyond that
		// records are dropped and counted, never the request slowed.
		Buffer: 256,
		Logger: s.log,
	})
	if err != nil {
		return err
	}
	s.conversations = cw
	s.proxy.Conversations = cw
	rs, err := responses.Open(s.opts.DB, responses.Options{})
	if err != nil {
		return err
	}
	s.responses, s.proxy.Store = rs, rs
	return nil
}

// closeRecords drains what is queued: at shutdown no record is lost. Only
// the first call does anything.
func (s *Server) closeRecords() { s.closeOnce.Do(s.drainRecords) }

func (s *Server) drainRecords() {
	if s.usage != nil {
		s.usage.Close()
	}
	if s.conversations != nil {
		if err := s.conversations.Close(); err != nil {
			s.log.Error("closing the conversation log", "err", err)
		}
	}
}

// logDir is gateway.log_dir, relative to the workspace (which, when not
// given, is the directory holding the database's data/ directory).
func (s *Server) logDir() string {
	d := s.opts.Config.Gateway.LogDir
	if filepath.IsAbs(d) {
		return d
	}
	ws := s.opts.WorkspaceDir
	if ws == "" {
		ws = filepath.Dir(filepath.Dir(s.opts.DB.Path))
	}
	return filepath.Join(ws, d)
}

// gauges feeds the metrics' scrape-time gauges from the live snapshot.
type gauges struct{ s *Server }

func (g gauges) Breakers(f func(provider, model string, state int)) {
	snap := g.s.Snapshot()
	now := g.s.now()
	snap.Breakers.Each(func(provider, model string, b *router.Breaker) {
		f(provider, model, int(b.Status(now).State))
	})
}

func (g gauges) Queues(f func(provider string, active, waiting int)) {
	for name, q := range g.s.Snapshot().Queues {
		st := q.Stats()
		f(name, st.Active, st.Waiting)
	}
}

// dayStore keeps the limiter's daily counters in the database.
type dayStore struct{ c *usage.DayCounter }

func (d dayStore) Load() (auth.DayCounts, error) {
	day, counts, err := d.c.Load()
	return auth.DayCounts{Day: day, Counts: counts}, err
}

func (d dayStore) Save(dc auth.DayCounts) error { return d.c.Save(dc.Day, dc.Counts) }

// liveState shows each provider's queue and breakers in the admin API.
type liveState struct{ s *Server }

func (l liveState) Queue(provider string) (active, waiting int) {
	if q := l.s.Snapshot().Queues[provider]; q != nil {
		st := q.Stats()
		return st.Active, st.Waiting
	}
	return 0, 0
}

func (l liveState) Breakers(provider string) []admin.BreakerState {
	var out []admin.BreakerState
	now := l.s.now()
	l.s.Snapshot().Breakers.Each(func(p, model string, b *router.Breaker) {
		if p == provider {
			out = append(out, admin.BreakerState{Model: model, State: b.Status(now).State.String()})
		}
	})
	return out
}

// todayCounts answers a key's requests today (gateway.timezone) from the
// usage rollups.
type todayCounts struct{ s *Server }

func (t todayCounts) Today(keyID string) int {
	if t.s.querier == nil {
		return 0
	}
	loc := t.s.Snapshot().Config.Gateway.Location()
	now := time.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	rep, err := t.s.querier.Summary(usage.Params{From: from, To: from.AddDate(0, 0, 1), Location: loc, KeyID: keyID})
	if err != nil {
		return 0
	}
	return int(rep.Totals.Requests)
}
