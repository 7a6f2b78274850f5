package server

import (
	"net/http"
	"sort"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/router"
)

// publicHealth is all GET /api/config/health tells a caller without an admin
// key: whether the gateway serves its configuration and which version it is.
// The rest (reload errors with absolute paths and mistyped values, provider
// base URLs, model names, breakers) describes the user's setup and is for the
// admin key only (issue 21), also when gateway.host is not loopback.
type publicHealth struct {
	Status  string `json:"status"` // healthy | degraded
	Version string `json:"version"`
}

// providerHealth is the admin's view of a provider: no secrets.
type providerHealth struct {
	Enabled  bool   `json:"enabled"`
	Protocol string `json:"provider"`
	BaseURL  string `json:"base_url"`
}

// breakerHealth is one breaker that is not plainly closed.
type breakerHealth struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
	State    string `json:"state"`
	Failures int    `json:"consecutive_failures"`
	Until    string `json:"open_until,omitempty"`
}

// configHealth serves GET /api/config/health. Without a key (service
// status, probes) it is publicHealth; with an admin key it adds
// seed-behaviour §3.5's models and providers, uptime, the breakers, the last
// reload and warnings about the workspace.
func (s *Server) configHealth(w http.ResponseWriter, r *http.Request) {
	snap := s.Snapshot()
	reloadAt, reloadErr, loadedAt := s.reload.get()
	status := "healthy"
	if reloadErr != nil {
		status = "degraded" // serving the last good configuration
	}
	if !s.isAdmin(r) {
		writeJSON(w, http.StatusOK, publicHealth{Status: status, Version: s.opts.Version})
		return
	}
	cfg := snap.Config
	last := map[string]any{"at": reloadAt.UTC().Format(time.RFC3339), "ok": reloadErr == nil,
		"loaded_at": loadedAt.UTC().Format(time.RFC3339)}
	if reloadErr != nil {
		last["error"] = reloadErr.Error()
	}
	models := make([]string, len(cfg.Models))
	for i, m := range cfg.Models {
		models[i] = m.Name
	}
	providers := make(map[string]providerHealth, len(cfg.Providers))
	for _, p := range cfg.Providers {
		providers[p.Name] = providerHealth{Enabled: p.IsEnabled(), Protocol: p.Protocol(), BaseURL: p.RawBaseURL}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"status":         status,
		"config_reload":  last,
		"version":        s.opts.Version,
		"uptime_seconds": int64(time.Since(s.started).Seconds()),
		"models":         models,
		"providers":      providers,
		"breakers":       s.breakers(snap.Breakers),
		"warnings":       s.workspaceWarnings(),
	})
}

// isAdmin reports a valid admin key on a public route, which the guard lets
// through without looking. A wrong key counts as a failed authentication
// like anywhere else.
func (s *Server) isAdmin(r *http.Request) bool {
	if !auth.HasCredential(r.Header) {
		return false
	}
	key, err := s.authenticate(r)
	return err == nil && auth.RequireRole(key, config.RoleAdmin) == nil
}

// breakers lists the breakers that are not plainly closed, in a stable order.
func (s *Server) breakers(all *router.Breakers) []breakerHealth {
	now := time.Now()
	out := []breakerHealth{}
	all.Each(func(provider, model string, b *router.Breaker) {
		st := b.Status(now)
		if st.State == router.Closed && st.Failures == 0 {
			return
		}
		bh := breakerHealth{Provider: provider, Model: model, State: st.State.String(), Failures: st.Failures}
		if !st.Until.IsZero() {
			bh.Until = st.Until.UTC().Format(time.RFC3339)
		}
		out = append(out, bh)
	})
	sort.Slice(out, func(i, j int) bool {
		return out[i].Provider+"\x00"+out[i].Model < out[j].Provider+"\x00"+out[j].Model
	})
	return out
}

// workspaceWarnings are problems with the workspace the admin should fix.
func (s *Server) workspaceWarnings() []string {
	if s.opts.Exposure == nil {
		return []string{}
	}
	return append([]string{}, s.opts.Exposure()...)
}
