package tray

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

// Toolkit is the menu library (getlantern/systray in the desktop build, a
// fake in tests). Items are only ever added: systray v1.2.2 cannot remove
// one, so items that go away are hidden.
type Toolkit interface {
	AddItem(title string, checkable, checked bool) Item
	AddSubItem(parent Item, title string, checkable, checked bool) Item
	AddSeparator()
}

// Item is one menu entry.
type Item interface {
	SetTitle(string)
	SetChecked(bool)
	SetEnabled(bool)
	SetVisible(bool)
	Clicked() <-chan struct{}
}

// Options are the tray's collaborators.
type Options struct {
	Backend control.Backend // the core, in process or through its socket
	// Quit ends the application (the core's Quit); the toolkit's loop ends in OnQuit.
	Quit func()
	// Copy puts text on the clipboard; OpenFolder shows a directory in the file manager.
	Copy       func(text string) error
	OpenFolder func(dir string) error
	// Autostart is the login item (app/autostart); nil hides "Start at login".
	Autostart Autostart
	Log       *slog.Logger
	// Poll is how often the status is read again (default 2 s).
	Poll time.Duration
}

// Autostart starts the app at login.
type Autostart interface {
	Enabled() bool
	Set(on bool) error
}

// node caches what an item shows, so a refresh changes only what differs.
// After a click on a checkable item the toolkit has flipped its mark by
// itself, so dirty forces the next refresh to set it again.
type node struct {
	it               Item
	title            string
	checked, enabled bool
	visible, dirty   bool
}

func newNode(it Item, title string, checked bool) *node {
	return &node{it: it, title: title, checked: checked, enabled: true, visible: true}
}

func (n *node) set(title string, checked, enabled, visible bool) {
	if !visible {
		if n.visible { // updating a hidden systray item shows it again: leave it alone
			n.it.SetVisible(false)
			n.visible = false
		}
		return
	}
	if !n.visible {
		n.it.SetVisible(true)
		n.visible = true
	}
	if title != n.title {
		n.it.SetTitle(title)
		n.title = title
	}
	if checked != n.checked || n.dirty {
		n.it.SetChecked(checked)
		n.checked, n.dirty = checked, false
	}
	if enabled != n.enabled {
		n.it.SetEnabled(enabled)
		n.enabled = enabled
	}
}

// modelMenu is one model's submenu under Route.
type modelMenu struct {
	entry    *node
	auto     *node
	adapters map[string]*node // by Adapter.ID
	order    []string
}

// Tray is the menu of DESIGN §13, driven by the core's status.
type Tray struct {
	tk   Toolkit
	o    Options
	log  *slog.Logger
	work chan func() // clicks and refreshes, run one at a time

	mu                                  sync.Mutex // guards what refresh and the actions share
	last                                control.Status
	lang                                string
	open, status, today, toggle, routes *node
	claude, copyURL, folder, quit       *node
	login                               *node
	models                              map[string]*modelMenu
	modelOrder                          []string
	notice                              string // the last action's failure, shown for a while
	noticeUntil                         time.Time
}

// New builds the menu: "Open ModelSwitch…" first, then the status lines,
// Start/Stop, Route, the Claude Code switch, Copy base URL, the workspace
// folder and Quit. Call it from the toolkit's ready callback.
func New(tk Toolkit, o Options) *Tray {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	t := &Tray{tk: tk, o: o, log: o.Log, work: make(chan func(), 64), lang: "en", models: map[string]*modelMenu{}}
	add := func(key int, checkable bool, do func()) *node {
		n := newNode(tk.AddItem(text(t.lang, key), checkable, false), text(t.lang, key), false)
		t.onClick(n, do)
		return n
	}
	t.open = add(lOpen, false, t.doOpen)
	tk.AddSeparator()
	t.status = add(lStopped, false, nil)
	t.status.it.SetEnabled(false)
	t.status.enabled = false
	t.today = add(lTodayNone, false, nil)
	t.today.it.SetEnabled(false)
	t.today.enabled = false
	t.toggle = add(lStart, false, t.doToggle)
	tk.AddSeparator()
	t.routes = add(lRoutes, false, nil)
	t.claude = add(lClaude, true, t.doClaude)
	tk.AddSeparator()
	t.copyURL = add(lCopy, false, t.doCopy)
	t.folder = add(lFolder, false, t.doFolder)
	t.login = add(lLogin, true, t.doLogin)
	tk.AddSeparator()
	t.quit = add(lQuit, false, t.doQuit)
	return t
}

// onClick forwards n's clicks to the worker; the toolkit drops clicks that
// find nobody receiving, so every item has its own receiving goroutine.
func (t *Tray) onClick(n *node, do func()) {
	if do == nil {
		return
	}
	ch := n.it.Clicked()
	go func() {
		for range ch {
			t.mu.Lock()
			n.dirty = true
			t.mu.Unlock()
			t.work <- func() { do(); t.refresh() }
		}
	}()
}

// Run polls the status and runs clicks until ctx ends.
func (t *Tray) Run(ctx context.Context) {
	t.refresh()
	tick := time.NewTicker(t.o.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-t.work:
			f()
		case <-tick.C:
			t.refresh()
		}
	}
}

func (t *Tray) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// refresh reads the status and shows it.
func (t *Tray) refresh() {
	ctx, cancel := t.ctx()
	defer cancel()
	st, err := t.o.Backend.Status(ctx)
	if err != nil {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.status.set(ellipsis(sprintf(text(t.lang, lUnreachable), err.Error()), 96), false, false, true)
		return
	}
	t.Show(st)
}

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
	if st.Gateway.Running {
		t.toggle.set(text(l, lStop), false, true, true)
	} else {
		t.toggle.set(text(l, lStart), false, true, true)
	}
	t.showRoutes(st.Models)
	t.claude.set(text(l, lClaude), st.ClaudeCode.Enabled, st.ClaudeCode.Error == "", true)
	t.copyURL.set(text(l, lCopy), false, st.Gateway.BaseURL != "", true)
	t.folder.set(text(l, lFolder), false, true, true)
	t.login.set(text(l, lLogin), t.o.Autostart != nil && t.o.Autostart.Enabled(), true, t.o.Autostart != nil)
	t.quit.set(text(l, lQuit), false, true, true)
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

func (t *Tray) snapshot() control.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

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

func (t *Tray) doQuit() {
	if t.o.Quit != nil {
		t.o.Quit()
	}
}
