package proxy

import (
	"net/http"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/pricing"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// Snapshot is everything a request needs from one configuration. Its config
// part is immutable: a reload builds a new one and in-flight requests keep
// theirs. Breakers and queues are shared with the next snapshot for providers
// whose connection did not change, so their state survives a reload.
type Snapshot struct {
	Config    *config.Config
	Keys      *auth.Keyring
	Upstreams map[string]*upstream.Client // by provider name
	Queues    map[string]*router.Queue    // by provider name
	Breakers  *router.Breakers
	Prices    *pricing.Table // what each (model, provider, upstream model) costs
	// transports by upstream.TransportKey, handed to the next snapshot so that
	// warm connections survive a reload.
	transports map[string]*http.Transport
}

// NewSnapshot builds the snapshot for cfg, reusing prev's transports, queues
// and breakers for providers whose connection settings did not change. prev
// may be nil.
func NewSnapshot(cfg *config.Config, prev *Snapshot) *Snapshot {
	s := &Snapshot{
		Config:     cfg,
		Keys:       auth.NewKeyringIn(cfg.APIKeys, cfg.Gateway.Location()),
		Prices:     pricing.NewTable(cfg),
		Upstreams:  make(map[string]*upstream.Client, len(cfg.Providers)),
		Queues:     make(map[string]*router.Queue, len(cfg.Providers)),
		transports: make(map[string]*http.Transport, len(cfg.Providers)),
	}
	unchanged := map[string]bool{}
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

		wait := time.Duration(p.QueueTimeout * float64(time.Second))
		if q := prevQueue(prev, p.Name); q != nil {
			q.Configure(p.MaxConcurrent, p.MaxQueueSize, wait)
			s.Queues[p.Name] = q
		} else {
			s.Queues[p.Name] = router.NewQueue(p.Name, p.MaxConcurrent, p.MaxQueueSize, wait)
		}
		if prev != nil {
			if old := prev.Config.FindProvider(p.Name); old != nil && upstream.TransportKey(old) == tk && old.Protocol() == p.Protocol() {
				unchanged[p.Name] = true
			}
		}
	}
	if prev != nil {
		s.Breakers = prev.Breakers
		s.Breakers.Retain(func(provider string) bool { return unchanged[provider] })
	} else {
		s.Breakers = router.NewBreakers()
	}
	return s
}

func prevQueue(prev *Snapshot, name string) *router.Queue {
	if prev == nil {
		return nil
	}
	return prev.Queues[name]
}

// Retire closes idle connections of transports the next snapshot no longer uses.
func (s *Snapshot) Retire(next *Snapshot) {
	for k, tr := range s.transports {
		if next == nil || next.transports[k] != tr {
			tr.CloseIdleConnections()
		}
	}
}

// targets turns a model's adapters, in the order the router tries them
// (Model.Targets), into router targets, each with its provider's queue and
// its (provider, model) breaker; Target.Index points into adapters.
func (s *Snapshot) targets(adapters []config.Adapter) []router.Target {
	ts := make([]router.Target, len(adapters))
	for i, a := range adapters {
		ts[i] = router.Target{Index: i, Provider: a.Adapter, Model: a.ModelName}
		if p := s.Config.FindProvider(a.Adapter); p != nil {
			cb := s.Config.Breaker(p)
			ts[i].Breaker = s.Breakers.Get(p.Name, a.ModelName, cb.Failures, time.Duration(cb.OpenSeconds*float64(time.Second)))
			ts[i].Queue = s.Queues[p.Name]
		}
	}
	return ts
}
