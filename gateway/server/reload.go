package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/watch"
)

// reloadStatus is what /api/config/health says about the last reload.
type reloadStatus struct {
	mu       sync.Mutex
	at       time.Time
	err      error
	loadedAt time.Time
}

func (rs *reloadStatus) set(err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.at, rs.err = time.Now(), err
	if err == nil {
		rs.loadedAt = rs.at
	}
}

func (rs *reloadStatus) get() (at time.Time, err error, loadedAt time.Time) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.at, rs.err, rs.loadedAt
}

// ReloadFromDisk reads the config file again (SIGHUP, POST /api/config/reload).
func (s *Server) ReloadFromDisk() error {
	if s.opts.ConfigPath == "" {
		return errors.New("no config file to reload")
	}
	data, err := os.ReadFile(s.opts.ConfigPath)
	if err != nil {
		s.reload.set(err)
		s.log.Error("config reload failed; keeping the previous configuration", "err", err)
		return err
	}
	return s.Reload(data)
}

// Reload parses and validates data and, when it is valid, swaps in a complete
// new snapshot: requests in flight finish on the old one. An invalid file keeps
// the last good configuration; the error (with its lines) is logged and shown
// in /api/config/health.
func (s *Server) Reload(data []byte) error {
	s.editMu.Lock() // one configuration change at a time, edits and reloads alike
	defer s.editMu.Unlock()
	name := s.opts.ConfigPath
	if name == "" {
		name = "config.yaml"
	}
	cfg, warnings, err := config.Parse(data, name)
	if err != nil {
		s.reload.set(err)
		s.log.Error("config reload failed; keeping the previous configuration", "err", err)
		return err
	}
	for _, w := range warnings {
		s.log.Warn("config: " + w.String())
	}
	oldAddr := s.Addr()
	s.Apply(cfg)
	s.reload.set(nil)
	s.log.Info("configuration reloaded", "models", len(cfg.Models), "providers", len(cfg.Providers), "keys", len(cfg.APIKeys))
	if s.opts.OnReload != nil {
		s.opts.OnReload(cfg)
	}
	if addr := s.Addr(); addr != oldAddr {
		if err := s.rebind(); err != nil {
			s.log.Error("could not move the listener; still serving on the old address", "from", oldAddr, "to", addr, "err", err)
		}
	}
	return nil
}

// rebind moves the gateway to the address the configuration names now. The
// new listener is up before the old one closes; connections on the old one
// finish normally.
func (s *Server) rebind() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hs == nil {
		return nil // not serving yet: Listen will use the new address
	}
	ln, err := net.Listen("tcp", s.Addr())
	if err != nil {
		return err
	}
	old := s.listener
	s.listener = ln
	s.serve(ln)
	s.log.Info("listening on a new address", "address", "http://"+ln.Addr().String())
	return old.Close()
}

// watchConfig reloads when the config file changes on disk, until stopped.
func (s *Server) watchConfig() (stop func()) {
	if s.opts.ConfigPath == "" {
		return func() {}
	}
	initial, _ := os.ReadFile(s.opts.ConfigPath)
	w, err := watch.New(s.opts.ConfigPath, initial, 250*time.Millisecond, func(data []byte) {
		s.log.Info("config file changed; reloading", "path", s.opts.ConfigPath)
		_ = s.Reload(data)
	}, s.log)
	if err != nil {
		s.log.Warn("config file not watched; edits need SIGHUP or POST /api/config/reload", "err", err)
		return func() {}
	}
	s.watcher = w
	return func() { w.Close() }
}

// postReload serves POST /api/config/reload (admin).
func (s *Server) postReload(w http.ResponseWriter, r *http.Request) {
	if err := s.ReloadFromDisk(); err != nil {
		e := &protocol.Error{Status: http.StatusBadRequest, Message: "reload failed; the previous configuration stays: " + err.Error()}
		var ve *config.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				e.Fields = append(e.Fields, protocol.FieldError{Field: p.Field, Line: p.Line, Message: p.Message})
			}
		}
		protocol.WriteError(w, protocol.Admin, e)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": fmt.Sprintf("configuration reloaded from %s", s.opts.ConfigPath)})
}
