package server

import (
	"path/filepath"

	"github.com/modelswitch/modelswitch/gateway/conversations"
	"github.com/modelswitch/modelswitch/gateway/metrics"
	"github.com/modelswitch/modelswitch/gateway/router"
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
	cw, err := conversations.NewWriter(conversations.Options{
		Dir:       s.logDir(),
		DB:        s.opts.DB,
		LogBodies: g.LogBodies,
		MaxBytes:  g.LogMaxBytes,
		Backups:   g.LogBackupCount,
		Logger:    s.log,
	})
	if err != nil {
		return err
	}
	s.conversations = cw
	s.proxy.Conversations = cw
	return nil
}

// closeRecords drains what is queued: at shutdown no record is lost.
func (s *Server) closeRecords() {
	if s.conversations != nil {
		if err := s.conversations.Close(); err != nil {
			s.log.Error("closing the conversation log", "err", err)
		}
	}
}

// logDir is gateway.log_dir, relative to the workspace.
func (s *Server) logDir() string {
	d := s.opts.Config.Gateway.LogDir
	if filepath.IsAbs(d) || s.opts.WorkspaceDir == "" {
		return d
	}
	return filepath.Join(s.opts.WorkspaceDir, d)
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
