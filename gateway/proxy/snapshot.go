package proxy

import (
	"net/http"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// Snapshot is everything a request needs from one configuration. It is
// immutable: a reload builds a new one and in-flight requests keep theirs.
type Snapshot struct {
	Config    *config.Config
	Keys      *auth.Keyring
	Upstreams map[string]*upstream.Client // by provider name
	// transports by upstream.TransportKey, handed to the next snapshot so that
	// warm connections survive a reload.
	transports map[string]*http.Transport
}

// NewSnapshot builds the snapshot for cfg, reusing prev's transports for
// providers whose connection settings did not change. prev may be nil.
func NewSnapshot(cfg *config.Config, prev *Snapshot) *Snapshot {
	s := &Snapshot{
		Config:     cfg,
		Keys:       auth.NewKeyringIn(cfg.APIKeys, cfg.Gateway.Location()),
		Upstreams:  make(map[string]*upstream.Client, len(cfg.Providers)),
		transports: make(map[string]*http.Transport, len(cfg.Providers)),
	}
	for i := range cfg.Providers {
		p := &cfg.Providers[i]
		tk := upstream.TransportKey(p)
		tr := s.transports[tk]
		if tr == nil && prev != nil {
			tr = prev.transports[tk]
		}
		if tr == nil {
			tr = upstream.NewTransport(p)
		}
		s.transports[tk] = tr
		s.Upstreams[p.Name] = upstream.New(p, tr)
	}
	return s
}

// Retire closes idle connections of transports the next snapshot no longer uses.
func (s *Snapshot) Retire(next *Snapshot) {
	for k, tr := range s.transports {
		if next == nil || next.transports[k] != tr {
			tr.CloseIdleConnections()
		}
	}
}
