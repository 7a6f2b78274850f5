package tray

import (
	"errors"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

// report logs a failed action and shows it on the status line for ten seconds.
func (t *Tray) report(what string, err error) {
	if err == nil {
		return
	}
	t.log.Error("tray: "+what, "err", err)
	t.mu.Lock()
	t.notice, t.noticeUntil = err.Error(), time.Now().Add(10*time.Second)
	t.mu.Unlock()
}

func (t *Tray) doOpen() {
	ctx, cancel := t.ctx()
	defer cancel()
	t.report("opening the window", t.o.Backend.OpenWindow(ctx))
}

func (t *Tray) doToggle() {
	ctx, cancel := t.ctx()
	defer cancel()
	var err error
	if t.snapshot().Gateway.Running {
		_, err = t.o.Backend.StopGateway(ctx)
	} else {
		_, err = t.o.Backend.StartGateway(ctx)
	}
	t.report("starting or stopping the gateway", err)
}

func (t *Tray) doRoute(model, adapter string) {
	ctx, cancel := t.ctx()
	defer cancel()
	_, err := t.o.Backend.Route(ctx, control.RouteRequest{Model: model, Adapter: adapter})
	t.report("changing the route of "+model, err)
}

func (t *Tray) doClaude() {
	ctx, cancel := t.ctx()
	defer cancel()
	_, err := t.o.Backend.SetClaudeCode(ctx, !t.snapshot().ClaudeCode.Enabled)
	t.report("switching Claude Code", err)
}

// doCodex flips the Codex switch; switching on lets the core pick the model
// (the first virtual model).
func (t *Tray) doCodex() {
	ctx, cancel := t.ctx()
	defer cancel()
	_, err := t.o.Backend.SetCodex(ctx, control.CodexRequest{Enabled: !t.snapshot().Codex.Enabled})
	t.report("switching Codex", err)
}

func (t *Tray) doCopy() {
	if u := t.snapshot().Gateway.BaseURL; u != "" && t.o.Copy != nil {
		t.report("copying the base URL", t.o.Copy(u))
	}
}

func (t *Tray) doFolder() {
	if dir := t.snapshot().Workspace; dir != "" && t.o.OpenFolder != nil {
		t.report("opening the workspace folder", t.o.OpenFolder(dir))
	}
}

// doLogin flips the login item; the checkmark follows the file on the next refresh.
func (t *Tray) doLogin() {
	if t.o.Autostart != nil {
		t.report("changing start at login", t.o.Autostart.Set(!t.o.Autostart.Enabled()))
	}
}

// doService installs or removes the background service. Installing ends
// this process's core (the service takes the workspace over) and the tray
// comes back attached to the service; the check mark follows the unit file.
func (t *Tray) doService() {
	if t.o.Service == nil {
		return
	}
	s := t.o.Service.State()
	switch {
	case !s.Available:
		t.report("the background service", errors.New(s.Reason))
	case s.Installed:
		t.report("removing the background service", t.o.Service.Uninstall())
	default:
		t.report("installing the background service", t.o.Service.Install())
	}
}

func (t *Tray) doQuit(keepAgents bool) {
	if t.o.Quit != nil {
		t.o.Quit(keepAgents)
	}
}
