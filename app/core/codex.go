package core

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/app/codex"
	"github.com/modelswitch/modelswitch/app/control"
)

// CodexKeyName names the API key the desktop creates for Codex: a user key
// of its own, apart from Claude Code's and the admin key.
const CodexKeyName = "Codex (desktop)"

// SetCodex turns the "Codex → ModelSwitch" switch on or off (app/codex
// edits only its own keys of config.toml and restores them on switch-off).
// Switching on points Codex at r.Model, or at the first virtual model.
func (c *Core) SetCodex(_ context.Context, r control.CodexRequest) (control.Codex, error) {
	if !r.Enabled {
		res, err := c.cx.Disable()
		if errors.Is(err, codex.ErrNotEnabled) {
			if st := c.codexStatus(); st.Enabled {
				return st, control.Errorf(http.StatusConflict, "%v", err)
			}
			return c.codexStatus(), nil // already off
		}
		if err != nil {
			return c.codexStatus(), control.Errorf(http.StatusConflict, "%v", err)
		}
		c.log.Info("Codex pointed back at its previous provider", "config", res.Path, "restored", res.Changed, "kept", len(res.Kept))
		return c.codexStatus(), nil
	}
	srv, err := c.gw.current()
	if err != nil {
		return c.codexStatus(), control.Errorf(http.StatusServiceUnavailable, "config.yaml cannot be loaded: %v", err)
	}
	cfg := srv.Current()
	model := ""
	for _, m := range cfg.Models {
		if r.Model == "" || strings.EqualFold(m.Name, r.Model) {
			model = m.Name
			break
		}
	}
	switch {
	case model == "" && r.Model != "":
		return c.codexStatus(), control.Errorf(http.StatusBadRequest, "config.yaml has no virtual model %q", r.Model)
	case model == "":
		return c.codexStatus(), control.Errorf(http.StatusConflict,
			"config.yaml has no virtual model yet; add one, so that Codex has a model to ask the gateway for")
	}
	token, err := c.agentKey(srv, CodexKeyName, "the Codex switch")
	if err != nil {
		return c.codexStatus(), err
	}
	_, addr, _, _ := c.gw.state()
	if addr == "" {
		addr = srv.Addr() // stopped: where it will listen
	}
	opts := codex.Options{BaseURL: baseURL(addr), Token: token, Model: model}
	res, err := c.cx.Enable(opts)
	if err != nil {
		return c.codexStatus(), control.Errorf(http.StatusConflict, "%v", err)
	}
	c.log.Info("Codex now uses ModelSwitch", "config", res.Path, "backup", res.Backup, "base_url", opts.BaseURL, "model", model)
	return c.codexStatus(), nil
}

// codexStatus reads the live config.toml and, while the switch is on, says
// whether anything answers where Codex is pointed (as claudeStatus does).
func (c *Core) codexStatus() control.Codex {
	st, err := c.cx.Status()
	out := control.Codex{Enabled: st.Enabled, Foreign: st.Foreign, Path: st.Path, BaseURL: st.BaseURL, Model: st.Model}
	if err != nil {
		out.Error = err.Error()
	}
	if out.Enabled {
		running, addr, _, _ := c.gw.state()
		if !running || strings.TrimRight(st.BaseURL, "/") != baseURL(addr)+"/v1" {
			if err := codex.CheckGateway(st.BaseURL, 500*time.Millisecond); err != nil {
				out.Warning = strings.TrimPrefix(err.Error(), "codex: ")
			}
		}
	}
	return out
}

// settleCodex is Quit's question about Codex, answered as for Claude Code:
// keep leaves the switch on (its record stays); otherwise a switch that is
// on is turned off, restoring Codex's previous config.toml.
func (c *Core) settleCodex(keep bool) {
	st, err := c.cx.Status()
	if err != nil || !st.Enabled || !st.Recorded {
		return
	}
	if keep {
		c.log.Warn("Codex stays pointed at ModelSwitch; its requests fail until ModelSwitch runs again",
			"config", st.Path, "base_url", st.BaseURL)
		return
	}
	if res, err := c.cx.Disable(); err != nil {
		c.log.Error("could not point Codex back at its previous provider", "err", err)
	} else {
		c.log.Info("Codex pointed back at its previous provider", "config", res.Path, "restored", res.Changed)
	}
}

// keepAgents is a QuitRequest with one answer for both switches: the tray
// asks once ("keep them on ModelSwitch" or "restore their settings").
func keepAgents(keep bool) control.QuitRequest {
	return control.QuitRequest{KeepClaudeCode: keep, KeepCodex: keep}
}
