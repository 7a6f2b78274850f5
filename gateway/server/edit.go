package server

import (
	"fmt"
	"os"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// Current is the configuration in force.
func (s *Server) Current() *config.Config { return s.Snapshot().Config }

// Edit changes config.yaml through its node tree (comments, order and ${ENV}
// text outside the change survive), validates the whole result, writes it
// atomically (0600) and applies it before returning. Edits are serialised, so
// concurrent admin writes never interleave or lose one another. On any error
// the file on disk is untouched; an invalid result is a *config.ValidationError.
func (s *Server) Edit(change func(doc *config.Document) error) (*config.Config, error) {
	if s.opts.ConfigPath == "" {
		return nil, fmt.Errorf("this gateway has no config file to edit")
	}
	s.editMu.Lock()
	defer s.editMu.Unlock()
	text, err := os.ReadFile(s.opts.ConfigPath)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.opts.ConfigPath, err)
	}
	doc, err := config.ParseDocument(text)
	if err != nil {
		return nil, err
	}
	if err := change(doc); err != nil {
		return nil, err
	}
	next := doc.Bytes()
	cfg, warnings, err := config.Parse(next, s.opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		s.log.Warn("config: " + w.String())
	}
	if s.watcher != nil {
		s.watcher.Expect(next) // our own write: no second reload
	}
	if err := workspace.WriteFileAtomic(s.opts.ConfigPath, next); err != nil {
		return nil, fmt.Errorf("writing %s: %w", s.opts.ConfigPath, err)
	}
	oldAddr := s.Addr()
	s.Apply(cfg)
	s.reload.set(nil)
	s.log.Info("configuration changed through the admin API", "path", s.opts.ConfigPath)
	if s.opts.OnReload != nil {
		s.opts.OnReload(cfg)
	}
	if s.Addr() != oldAddr {
		if err := s.rebind(); err != nil {
			s.log.Error("could not move the listener", "err", err)
		}
	}
	return cfg, nil
}
