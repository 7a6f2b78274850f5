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
	// Quit ends the application (the core's Quit); the toolkit's loop ends in
	// OnQuit. keepAgents is the user's answer to "restore the previous
	// settings of Claude Code and Codex?", asked only while a switch is on.
	Quit func(keepAgents bool)
	// Attached says the core is another process (the background service):
	// Quit then ends only the tray, the service and the agents' use of it go
	// on, so nothing is asked.
	Attached bool
	// Copy puts text on the clipboard; OpenFolder shows a directory in the file manager.
	Copy       func(text string) error
	OpenFolder func(dir string) error
	// Autostart is the login item (app/autostart); nil hides "Start at login".
	Autostart Autostart
	// Service is the background service; nil hides "Run as a background service".
	Service Service
	// Notice is shown on the status line for a while after start (why the
	// last handover to or from the background service failed).
	Notice string
	Log    *slog.Logger
	// Poll is how often the status is read again (default 2 s).
	Poll time.Duration
}

// Autostart starts the app at login.
type Autostart interface {
	Enabled() bool
	Set(on bool) error
}

// Service is the background service (app/core.Background over app/service).
type Service interface {
	// State is cheap enough for every refresh (the implementation caches).
	State() control.ServiceState
	// Install sets the service up for this workspace and hands the workspace
	// over to it; the tray restarts attached to it.
	Install() error
	// Uninstall stops and removes the service; the tray restarts as the
	// desktop core when it was attached to it.
	Uninstall() error
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

	mu                                          sync.Mutex // guards what refresh and the actions share
	last                                        control.Status
	lang                                        string
	open, status, today, budget, toggle, routes *node
	claude, codex, copyURL, folder              *node
	quit, quitAsk, quitRestore                  *node // quitAsk: Quit as a submenu while an agent switch is on
	quitKeep                                    *node
	login, service                              *node
	models                                      map[string]*modelMenu
	modelOrder                                  []string
	notice                                      string // the last action's failure, shown for a while
	noticeUntil                                 time.Time
}

// New builds the menu: "Open ModelSwitch…" first, then the status lines,
// Start/Stop, Route, the Claude Code and Codex switches, Copy base URL, the workspace
// folder and Quit. Call it from the toolkit's ready callback.
func New(tk Toolkit, o Options) *Tray {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	t := &Tray{tk: tk, o: o, log: o.Log, work: make(chan func(), 64), lang: "en", models: map[string]*modelMenu{}}
	if o.Notice != "" {
		t.notice, t.noticeUntil = o.Notice, time.Now().Add(30*time.Second)
	}
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
	t.budget = add(lTodayNone, false, nil)
	t.budget.it.SetEnabled(false)
	t.budget.enabled = false
	t.budget.set("", false, false, false) // shown when a key budget passes its warning
	t.toggle = add(lStart, false, t.doToggle)
	tk.AddSeparator()
	t.routes = add(lRoutes, false, nil)
	t.claude = add(lClaude, true, t.doClaude)
	t.codex = add(lCodex, true, t.doCodex)
	tk.AddSeparator()
	t.copyURL = add(lCopy, false, t.doCopy)
	t.folder = add(lFolder, false, t.doFolder)
	t.login = add(lLogin, true, t.doLogin)
	t.service = add(lService, true, t.doService)
	tk.AddSeparator()
	// Quit must ask whether to restore Claude Code and Codex, and a systray
	// menu has no dialog: while a switch is on, Quit is a submenu with the two
	// answers (one for both agents) and the plain item is hidden; while both
	// are off, only the plain item shows.
	t.quit = add(lQuit, false, func() { t.doQuit(false) })
	t.quitAsk = add(lQuit, false, nil)
	sub := func(key int, keep bool) *node {
		n := newNode(tk.AddSubItem(t.quitAsk.it, text(t.lang, key), false, false), text(t.lang, key), false)
		t.onClick(n, func() { t.doQuit(keep) })
		return n
	}
	t.quitRestore = sub(lQuitRestore, false)
	t.quitKeep = sub(lQuitKeep, true)
	t.quitAsk.set("", false, true, false)
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

func (t *Tray) snapshot() control.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}
