package core

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/usage"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// Status is GET /status; everything in it is cheap to read (today's use
// comes from the hourly rollups), so the tray polls it.
func (c *Core) Status(context.Context) (control.Status, error) {
	st := control.Status{PID: os.Getpid(), Version: c.opts.Version, Workspace: c.ws.Dir,
		Language: c.Language(), WindowOpen: c.win.IsOpen(), Models: []control.Model{}, Tray: c.opts.Tray}
	running, addr, lastErr, busy := c.gw.state()
	st.Gateway = control.Gateway{Running: running, Address: addr, BaseURL: baseURL(addr)}
	if lastErr != nil {
		st.Gateway.Error = lastErr.Error()
	}
	if busy != nil {
		st.Gateway.PortHolder, st.Gateway.FreePort = busy.Holder, busy.FreePort
	}
	srv, err := c.gw.current()
	if err != nil {
		st.Gateway.Error = "config.yaml cannot be loaded: " + err.Error()
	} else {
		cfg := srv.Current()
		if addr == "" {
			st.Gateway.Address = srv.Addr()
			st.Gateway.BaseURL = baseURL(srv.Addr())
		}
		rec, _ := loadRoutes(c.routesPath())
		st.Models = modelRoutes(cfg, rec)
		st.Today = c.today(cfg)
		if st.Today != nil {
			for _, w := range srv.BudgetWarnings(time.Now()) {
				st.Today.Budgets = append(st.Today.Budgets, control.Budget{Key: w.Key.Name, Period: string(w.Period), Spent: w.Spent, Budget: w.Budget})
			}
		}
	}
	st.ClaudeCode = c.claudeStatus()
	st.Codex = c.codexStatus()
	return st, nil
}

// today is the use since local midnight in gateway.timezone; nil without a database.
func (c *Core) today(cfg *config.Config) *control.Today {
	if c.querier == nil {
		return nil
	}
	loc := cfg.Gateway.Location()
	now := time.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	rep, err := c.querier.Summary(usage.Params{From: from, To: from.AddDate(0, 0, 1), Location: loc})
	if err != nil {
		c.log.Debug("today's usage", "err", err)
		return nil
	}
	t := rep.Totals
	return &control.Today{Requests: t.Requests, Failures: t.Failures, Tokens: t.TotalTokens,
		CostNanos: t.CostNanos, Priced: t.Cost != nil, Unpriced: t.Unpriced, Currency: cfg.Gateway.CostCurrency()}
}

// prefs are the desktop's own settings, in <workspace>/data/desktop.json.
type prefs struct {
	Language string `json:"language,omitempty"`
}

func (c *Core) prefsPath() string { return filepath.Join(c.ws.DataDir, "desktop.json") }

// Language is the tray's language: the admin UI's choice when the window
// has reported one, else the locale (LC_ALL, LC_MESSAGES, LANG): zh or en.
func (c *Core) Language() string {
	var p prefs
	if data, err := os.ReadFile(c.prefsPath()); err == nil && json.Unmarshal(data, &p) == nil && (p.Language == "zh" || p.Language == "en") {
		return p.Language
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := c.opts.Getenv(v); l != "" {
			if strings.HasPrefix(strings.ToLower(l), "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}

// SetLanguage stores the admin UI's language for the tray.
func (c *Core) SetLanguage(_ context.Context, lang string) error {
	if lang != "zh" && lang != "en" {
		return control.Errorf(http.StatusBadRequest, "language %q is not zh or en", lang)
	}
	data, _ := json.Marshal(prefs{Language: lang})
	if err := workspace.WriteFileAtomic(c.prefsPath(), data); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}
