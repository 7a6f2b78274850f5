package tray

import (
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

// Show updates every item from st.
func (t *Tray) Show(st control.Status) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last = st
	if st.Language != "" {
		t.lang = st.Language
	}
	l := t.lang
	t.open.set(text(l, lOpen), false, true, true)
	line := statusLine(l, st)
	if t.notice != "" && time.Now().Before(t.noticeUntil) {
		line = ellipsis("⚠ "+t.notice, 96)
	}
	t.status.set(line, false, false, true)
	t.today.set(todayLine(l, st.Today), false, false, true)
	budget := budgetLine(l, st.Today)
	t.budget.set(budget, false, false, budget != "")
	if st.Gateway.Running {
		t.toggle.set(text(l, lStop), false, true, true)
	} else {
		t.toggle.set(text(l, lStart), false, true, true)
	}
	t.showRoutes(st.Models)
	claude := text(l, lClaude)
	if st.ClaudeCode.Enabled && st.ClaudeCode.Warning != "" {
		claude = ellipsis(sprintf(text(l, lClaudeWarn), st.ClaudeCode.BaseURL), 96)
	}
	t.claude.set(claude, st.ClaudeCode.Enabled, st.ClaudeCode.Error == "", true)
	cx := text(l, lCodex)
	if st.Codex.Enabled && st.Codex.Warning != "" {
		cx = ellipsis(sprintf(text(l, lCodexWarn), st.Codex.BaseURL), 96)
	}
	t.codex.set(cx, st.Codex.Enabled, st.Codex.Error == "", true)
	t.copyURL.set(text(l, lCopy), false, st.Gateway.BaseURL != "", true)
	t.folder.set(text(l, lFolder), false, true, true)
	t.login.set(text(l, lLogin), t.o.Autostart != nil && t.o.Autostart.Enabled(), true, t.o.Autostart != nil)
	t.showService()
	ask := (st.ClaudeCode.Enabled || st.Codex.Enabled) && !t.o.Attached
	if t.o.Attached {
		t.quit.set(text(l, lQuitTray), false, true, true)
	} else {
		t.quit.set(text(l, lQuit), false, true, !ask)
	}
	t.quitAsk.set(text(l, lQuit), false, true, ask)
	restore, keep := quitLabels(st)
	t.quitRestore.set(text(l, restore), false, true, true)
	t.quitKeep.set(text(l, keep), false, true, true)
}

// quitLabels are the Quit submenu's answers, naming the agents whose
// switch is on.
func quitLabels(st control.Status) (restore, keep int) {
	switch {
	case st.ClaudeCode.Enabled && st.Codex.Enabled:
		return lQuitRestoreBoth, lQuitKeepBoth
	case st.Codex.Enabled:
		return lQuitRestoreCodex, lQuitKeepCodex
	}
	return lQuitRestore, lQuitKeep
}

// showRoutes keeps one submenu per model: Auto failover, then each adapter,
// the one in force checked.
func (t *Tray) showRoutes(models []control.Model) {
	l := t.lang
	if len(models) == 0 {
		t.routes.set(text(l, lNoModels), false, false, true)
	} else {
		t.routes.set(text(l, lRoutes), false, true, true)
	}
	seen := map[string]bool{}
	for _, m := range models {
		seen[m.Name] = true
		mm := t.models[m.Name]
		if mm == nil {
			mm = &modelMenu{adapters: map[string]*node{}}
			mm.entry = newNode(t.tk.AddSubItem(t.routes.it, modelLabel(l, m), false, false), modelLabel(l, m), false)
			mm.auto = newNode(t.tk.AddSubItem(mm.entry.it, text(l, lAuto), true, m.Pinned == ""), text(l, lAuto), m.Pinned == "")
			name := m.Name
			t.onClick(mm.auto, func() { t.doRoute(name, control.Auto) })
			t.models[m.Name] = mm
			t.modelOrder = append(t.modelOrder, m.Name)
		}
		mm.entry.set(modelLabel(l, m), false, true, true)
		mm.auto.set(text(l, lAuto), m.Pinned == "", true, true)
		ids := map[string]bool{}
		for _, a := range m.Adapters {
			ids[a.ID] = true
			n := mm.adapters[a.ID]
			if n == nil {
				n = newNode(t.tk.AddSubItem(mm.entry.it, adapterLabel(a), true, m.Pinned == a.ID), adapterLabel(a), m.Pinned == a.ID)
				name, id := m.Name, a.ID
				t.onClick(n, func() { t.doRoute(name, id) })
				mm.adapters[a.ID] = n
				mm.order = append(mm.order, a.ID)
			}
			n.set(adapterLabel(a), m.Pinned == a.ID, true, true)
		}
		for _, id := range mm.order {
			if !ids[id] {
				mm.adapters[id].set("", false, false, false)
			}
		}
	}
	for _, name := range t.modelOrder {
		if !seen[name] {
			t.models[name].entry.set("", false, false, false)
		}
	}
}

// showService is "Run as a background service": checked while a unit for
// this workspace is installed; disabled, with the reason, where there is no
// service manager (no systemd user session, no launchd).
func (t *Tray) showService() {
	if t.o.Service == nil {
		t.service.set("", false, false, false)
		return
	}
	l := t.lang
	s := t.o.Service.State()
	switch {
	case !s.Available:
		t.service.set(ellipsis(sprintf(text(l, lServiceNA), s.Reason), 96), false, false, true)
	case s.Installed && !s.Active:
		t.service.set(text(l, lServiceDown), true, true, true)
	default:
		t.service.set(text(l, lService), s.Installed, true, true)
	}
}
