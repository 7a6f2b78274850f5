package proxy

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/presets"
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
	Balancer  *router.Balancer // balanced models' loads, turns and pins; shared like Breakers
	Prices    *pricing.Table   // what each (model, provider, upstream model) costs
	// windows are the context windows the providers' presets list, by
	// provider and lower-case upstream model (an adapter's context_window wins).
	windows map[[2]string]int
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
		windows:    presetWindows(cfg),
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
		s.Breakers, s.Balancer = prev.Breakers, prev.Balancer
		s.Breakers.Retain(func(provider string) bool { return unchanged[provider] })
	} else {
		s.Breakers, s.Balancer = router.NewBreakers(), router.NewBalancer()
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

// presetWindows lists, per provider, the context windows of its preset's models.
func presetWindows(cfg *config.Config) map[[2]string]int {
	out := map[[2]string]int{}
	for i := range cfg.Providers {
		p := &cfg.Providers[i]
		if pr := presets.Of(p.Preset, p.BaseURL); pr != nil {
			for _, m := range pr.Models {
				if m.Context > 0 {
					out[[2]string{p.Name, strings.ToLower(m.ID)}] = m.Context
				}
			}
		}
	}
	return out
}

// window is the context window of an adapter's upstream model in tokens;
// 0 when unknown.
func (s *Snapshot) window(a config.Adapter) int {
	if a.ContextWindow > 0 {
		return a.ContextWindow
	}
	if len(s.windows) == 0 {
		return 0
	}
	return s.windows[[2]string{a.Adapter, strings.ToLower(a.ModelName)}]
}

// targets is targetsFor without a size to check.
func (s *Snapshot) targets(adapters []config.Adapter) []router.Target {
	return s.targetsFor(adapters, 0)
}

// targetsFor turns a model's adapters, in the order the router tries them
// (Model.Targets), into router targets, each with its provider's queue and
// its (provider, model) breaker; Target.Index points into adapters. An
// adapter whose context window is smaller than the request's estimated
// tokens is marked Unfit: skipped, not tried.
func (s *Snapshot) targetsFor(adapters []config.Adapter, tokens int) []router.Target {
	ts := make([]router.Target, len(adapters))
	for i, a := range adapters {
		ts[i] = router.Target{Index: i, Provider: a.Adapter, Model: a.ModelName, Priority: a.Priority, Weight: a.Weight}
		if w := s.window(a); tokens > 0 && w > 0 && tokens > w {
			ts[i].Unfit = fmt.Sprintf("~%d input tokens exceed its %d-token context window", tokens, w)
		}
		if p := s.Config.FindProvider(a.Adapter); p != nil {
			cb := s.Config.Breaker(p)
			ts[i].Breaker = s.Breakers.Get(p.Name, a.ModelName, cb.Failures, time.Duration(cb.OpenSeconds*float64(time.Second)))
			ts[i].Queue = s.Queues[p.Name]
		}
	}
	return ts
}
