package core

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/app/claudecode"
	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/config"
)

// ClaudeKeyName names the API key the desktop creates for Claude Code: a
// user key of its own, so that its traffic shows apart in the usage and can
// be disabled without touching the admin key.
const ClaudeKeyName = "Claude Code (desktop)"

// SetClaudeCode turns the "Claude Code → ModelSwitch" switch on or off
// (app/claudecode edits only its own env keys of settings.json and restores
// them on switch-off).
func (c *Core) SetClaudeCode(ctx context.Context, on bool) (control.ClaudeCode, error) {
	if !on {
		res, err := c.cc.Disable()
		if errors.Is(err, claudecode.ErrNotEnabled) {
			if st := c.claudeStatus(); st.Enabled {
				return st, control.Errorf(http.StatusConflict, "%v", err)
			}
			return c.claudeStatus(), nil // already off
		}
		if err != nil {
			return c.claudeStatus(), control.Errorf(http.StatusConflict, "%v", err)
		}
		c.log.Info("Claude Code pointed back at its previous backend", "settings", res.Path, "restored", res.Changed, "kept", len(res.Kept))
		return c.claudeStatus(), nil
	}
	srv, err := c.gw.current()
	if err != nil {
		return c.claudeStatus(), control.Errorf(http.StatusServiceUnavailable, "config.yaml cannot be loaded: %v", err)
	}
	token, err := c.agentKey(srv, ClaudeKeyName, "the Claude Code switch")
	if err != nil {
		return c.claudeStatus(), err
	}
	cfg := srv.Current()
	_, addr, _, _ := c.gw.state()
	opts := claudecode.Options{BaseURL: baseURL(addr), Token: token}
	if len(cfg.Models) > 0 {
		opts.Model = cfg.Models[0].Name
	}
	res, err := c.cc.Enable(opts)
	if err != nil {
		return c.claudeStatus(), control.Errorf(http.StatusConflict, "%v", err)
	}
	c.log.Info("Claude Code now uses ModelSwitch", "settings", res.Path, "backup", res.Backup, "base_url", opts.BaseURL, "model", opts.Model)
	return c.claudeStatus(), nil
}

// agentKey returns the secret of the desktop's key named name (one per
// coding-agent switch), creating the key in config.yaml — a user key, so
// that the agent's traffic shows apart in the usage and can be disabled
// without touching the admin key — when it is missing or unusable. purpose
// goes into its description.
func (c *Core) agentKey(ed configEditor, name, purpose string) (string, error) {
	c.editMu.Lock()
	defer c.editMu.Unlock()
	if k := findKey(ed.Current(), name, time.Now()); k != "" {
		return k, nil
	}
	secret := config.NewSecret()
	type yamlKey struct {
		Key         string   `yaml:"key"`
		Name        string   `yaml:"name"`
		Roles       []string `yaml:"roles"`
		Description string   `yaml:"description"`
		CreatedAt   string   `yaml:"created_at"`
	}
	_, err := ed.Edit(func(doc *config.Document) error {
		return doc.Append(config.Path{config.K("api_keys")}, yamlKey{Key: secret, Name: name, Roles: []string{config.RoleUser},
			Description: "Created by the ModelSwitch tray for " + purpose,
			CreatedAt:   time.Now().Format(time.RFC3339)})
	})
	if err != nil {
		return "", control.Errorf(http.StatusConflict, "creating an API key %q in config.yaml: %v", name, err)
	}
	c.log.Info("created an API key", "name", name, "for", purpose)
	return secret, nil
}

// findKey is the secret of the first enabled, unexpired, unrestricted key named name.
func findKey(cfg *config.Config, name string, now time.Time) string {
	for i := range cfg.APIKeys {
		k := &cfg.APIKeys[i]
		if k.Name != name || !k.IsEnabled() || len(k.AllowedModels) > 0 || k.Key == "" {
			continue
		}
		if exp, ok := k.Expiry(cfg.Gateway.Location()); ok && !now.Before(exp) {
			continue
		}
		return k.Key
	}
	return ""
}

// claudeStatus reads the live settings file. While the switch is on it also
// says whether anything answers where Claude Code is pointed: after a quit
// that kept the switch on, the next start may listen on another port, and a
// stopped gateway fails every Claude Code request.
func (c *Core) claudeStatus() control.ClaudeCode {
	st, err := c.cc.Status()
	out := control.ClaudeCode{Enabled: st.Enabled, Foreign: st.Foreign, Path: st.Path, BaseURL: st.BaseURL}
	if err != nil {
		out.Error = err.Error()
	}
	if out.Enabled {
		running, addr, _, _ := c.gw.state()
		// Our own running listener needs no probe; anything else is asked
		// /health (loopback, refused at once when nothing listens).
		if !running || strings.TrimRight(st.BaseURL, "/") != baseURL(addr) {
			if err := claudecode.CheckGateway(st.BaseURL, 500*time.Millisecond); err != nil {
				out.Warning = strings.TrimPrefix(err.Error(), "claudecode: ")
			}
		}
	}
	return out
}

// settleClaudeCode is Quit's question about Claude Code: keep leaves the
// switch on (its record stays, so the next start shows it on and switching
// off later still restores the user's values); otherwise a switch that is on
// is turned off, restoring Claude Code's previous settings.
func (c *Core) settleClaudeCode(keep bool) {
	st, err := c.cc.Status()
	if err != nil || !st.Enabled || !st.Recorded {
		return
	}
	if keep {
		c.log.Warn("Claude Code stays pointed at ModelSwitch; its requests fail until ModelSwitch runs again",
			"settings", st.Path, "base_url", st.BaseURL)
		return
	}
	if res, err := c.cc.Disable(); err != nil {
		c.log.Error("could not point Claude Code back at its previous backend", "err", err)
	} else {
		c.log.Info("Claude Code pointed back at its previous backend", "settings", res.Path, "restored", res.Changed)
	}
}
