package tray

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

type fakeItem struct {
	tk       *fakeKit
	parent   *fakeItem
	title    string
	checked  bool
	enabled  bool
	visible  bool
	sets     int // SetChecked calls
	clicked  chan struct{}
	children []*fakeItem
}

func (i *fakeItem) SetTitle(s string)        { i.tk.mu.Lock(); i.title = s; i.tk.mu.Unlock() }
func (i *fakeItem) SetChecked(b bool)        { i.tk.mu.Lock(); i.checked = b; i.sets++; i.tk.mu.Unlock() }
func (i *fakeItem) SetEnabled(b bool)        { i.tk.mu.Lock(); i.enabled = b; i.tk.mu.Unlock() }
func (i *fakeItem) SetVisible(b bool)        { i.tk.mu.Lock(); i.visible = b; i.tk.mu.Unlock() }
func (i *fakeItem) Clicked() <-chan struct{} { return i.clicked }
func (i *fakeItem) click()                   { i.clicked <- struct{}{} }
func (i *fakeItem) get() (string, bool, bool) {
	i.tk.mu.Lock()
	defer i.tk.mu.Unlock()
	return i.title, i.checked, i.visible
}
func (k *fakeKit) item(title string) *fakeItem { return k.find(k.top, title) }

type fakeKit struct {
	mu  sync.Mutex
	top []*fakeItem
}

func (k *fakeKit) add(parent *fakeItem, title string, checkable, checked bool) *fakeItem {
	it := &fakeItem{tk: k, parent: parent, title: title, checked: checked, enabled: true, visible: true, clicked: make(chan struct{})}
	k.mu.Lock()
	defer k.mu.Unlock()
	if parent == nil {
		k.top = append(k.top, it)
	} else {
		parent.children = append(parent.children, it)
	}
	return it
}

func (k *fakeKit) AddItem(title string, checkable, checked bool) Item {
	return k.add(nil, title, checkable, checked)
}
func (k *fakeKit) AddSubItem(p Item, title string, checkable, checked bool) Item {
	return k.add(p.(*fakeItem), title, checkable, checked)
}
func (k *fakeKit) AddSeparator() { k.add(nil, "---", false, false) }

func (k *fakeKit) find(items []*fakeItem, prefix string) *fakeItem {
	k.mu.Lock()
	defer k.mu.Unlock()
	var walk func([]*fakeItem) *fakeItem
	walk = func(items []*fakeItem) *fakeItem {
		for _, it := range items {
			if !it.visible { // hidden, with its submenu: as a user sees the menu
				continue
			}
			if strings.HasPrefix(it.title, prefix) {
				return it
			}
			if f := walk(it.children); f != nil {
				return f
			}
		}
		return nil
	}
	return walk(items)
}

func (k *fakeKit) titles() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, it := range k.top {
		if it.visible {
			out = append(out, it.title)
		}
	}
	return out
}

type fakeBackend struct {
	mu    sync.Mutex
	st    control.Status
	calls []string
}

func (f *fakeBackend) note(s string) { f.mu.Lock(); f.calls = append(f.calls, s); f.mu.Unlock() }
func (f *fakeBackend) callList() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, ",")
}
func (f *fakeBackend) Status(context.Context) (control.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st, nil
}
func (f *fakeBackend) StartGateway(context.Context) (control.Status, error) {
	f.note("start")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.Gateway.Running = true
	return f.st, nil
}
func (f *fakeBackend) StopGateway(context.Context) (control.Status, error) {
	f.note("stop")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.Gateway.Running = false
	return f.st, nil
}
func (f *fakeBackend) OpenWindow(context.Context) error { f.note("open"); return nil }
func (f *fakeBackend) Route(_ context.Context, r control.RouteRequest) (control.Status, error) {
	f.note("route:" + r.Model + ":" + r.Adapter)
	return f.st, nil
}
func (f *fakeBackend) SetClaudeCode(_ context.Context, on bool) (control.ClaudeCode, error) {
	if on {
		f.note("cc:on")
	} else {
		f.note("cc:off")
	}
	return control.ClaudeCode{}, errors.New("settings.json is a symbolic link") // the switch refuses
}
func (f *fakeBackend) SetCodex(_ context.Context, r control.CodexRequest) (control.Codex, error) {
	f.note(fmt.Sprintf("codex:%v:%s", r.Enabled, r.Model))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.Codex.Enabled = r.Enabled
	return f.st.Codex, nil
}
func (f *fakeBackend) SetLanguage(context.Context, string) error { return nil }
func (f *fakeBackend) Quit(context.Context, control.QuitRequest) error {
	return nil
}

func sample() control.Status {
	return control.Status{
		Workspace: "/ws", Language: "en",
		Gateway: control.Gateway{Running: true, Address: "127.0.0.1:8000", BaseURL: "http://127.0.0.1:8000"},
		Today:   &control.Today{Requests: 12, Tokens: 12345},
		Models: []control.Model{{Name: "m1", Adapters: []control.Adapter{
			{ID: "up1", Adapter: "up1", ModelName: "a", Priority: 1, Primary: true},
			{ID: "up2", Adapter: "up2", ModelName: "b", Priority: 2},
		}}},
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestMenuShowsStatus(t *testing.T) {
	kit := &fakeKit{}
	tr := New(kit, Options{Backend: &fakeBackend{}, Log: quietLog(), Autostart: &fakeAutostart{}})
	tr.Show(sample())
	want := []string{"Open ModelSwitch…", "---", "● Running on 127.0.0.1:8000", "Today: 12 requests · 12.3k tokens",
		"Stop gateway", "---", "Route", "Claude Code → ModelSwitch", "Codex → ModelSwitch", "---", "Copy base URL", "Open workspace folder",
		"Start at login", "---", "Quit"}
	if got := kit.titles(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("menu\n%q\nwant\n%q", got, want)
	}
	model := kit.item("m1")
	if title, _, _ := model.get(); title != "m1 (Auto failover)" {
		t.Errorf("model entry %q", title)
	}
	if _, checked, _ := kit.item("Auto failover").get(); !checked {
		t.Error("Auto failover not checked")
	}

	st := sample()
	st.Models[0].Pinned = "up2"
	st.Gateway = control.Gateway{Error: "port 8000 is already in use by nginx (pid 9); port 8001 is free", Address: "127.0.0.1:8000"}
	st.ClaudeCode.Enabled = true
	tr.Show(st)
	if title, _, _ := model.get(); title != "m1 → up2 · b" {
		t.Errorf("pinned entry %q", title)
	}
	if _, checked, _ := kit.item("Auto failover").get(); checked {
		t.Error("Auto failover still checked")
	}
	if _, checked, _ := kit.item("up2 · b").get(); !checked {
		t.Error("up2 not checked")
	}
	if title, _, _ := kit.top[2].get(); !strings.HasPrefix(title, "○ Stopped — port 8000 is already in use by nginx (pid 9)") {
		t.Errorf("status line %q", title)
	}
	if title, _, _ := kit.top[5].get(); title != "Start gateway" {
		t.Errorf("toggle %q", title)
	}
	if _, checked, _ := kit.item("Claude Code").get(); !checked {
		t.Error("Claude Code not checked")
	}

	st.Language = "zh"
	st.Models = nil
	tr.Show(st)
	if title, _, _ := kit.top[0].get(); title != "打开 ModelSwitch…" {
		t.Errorf("zh open %q", title)
	}
	if title, _, _ := kit.top[5].get(); title != "启动网关" {
		t.Errorf("zh toggle %q", title)
	}
	if _, _, visible := model.get(); visible {
		t.Error("a removed model is still visible")
	}
	st.Models = sample().Models
	tr.Show(st)
	if title, _, visible := model.get(); !visible || title != "m1 (自动故障转移)" {
		t.Errorf("model back: %q visible %v", title, visible)
	}
}

func TestClicks(t *testing.T) {
	kit := &fakeKit{}
	b := &fakeBackend{st: sample()}
	var mu sync.Mutex
	var copied, opened string
	quit := make(chan struct{})
	tr := New(kit, Options{Backend: b, Log: quietLog(), Poll: time.Hour,
		Quit:       func(bool) { close(quit) },
		Copy:       func(s string) error { mu.Lock(); copied = s; mu.Unlock(); return nil },
		OpenFolder: func(s string) error { mu.Lock(); opened = s; mu.Unlock(); return nil },
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tr.Run(ctx)
	waitFor(t, func() bool { return kit.item("up2 · b") != nil })

	step := func(item, call string) {
		t.Helper()
		kit.item(item).click()
		waitFor(t, func() bool { return strings.HasSuffix(b.callList(), call) })
	}
	step("Open ModelSwitch", "open")
	step("Stop gateway", "stop")
	waitFor(t, func() bool { title, _, _ := kit.top[5].get(); return title == "Start gateway" })
	step("up2 · b", "route:m1:up2")
	step("Auto failover", "route:m1:auto")
	cc := kit.item("Claude Code")
	kit.mu.Lock()
	before := cc.sets
	kit.mu.Unlock()
	step("Claude Code", "cc:on")
	step("Codex", "codex:true:")
	waitFor(t, func() bool { _, checked, _ := kit.item("Codex").get(); return checked })
	step("Codex", "codex:false:")
	kit.item("Copy base URL").click()
	kit.item("Open workspace folder").click()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return opened != "" && copied != "" })
	if got := b.callList(); got != "open,stop,route:m1:up2,route:m1:auto,cc:on,codex:true:,codex:false:" {
		t.Errorf("calls %s", got)
	}
	// The refused switch: the mark GTK flipped is set back, and the status line says why.
	waitFor(t, func() bool { kit.mu.Lock(); defer kit.mu.Unlock(); return cc.sets > before && !cc.checked })
	if title, _, _ := kit.top[2].get(); !strings.Contains(title, "symbolic link") {
		t.Errorf("notice %q", title)
	}
	mu.Lock()
	if copied != "http://127.0.0.1:8000" || opened != "/ws" {
		t.Errorf("copied %q opened %q", copied, opened)
	}
	mu.Unlock()
	kit.item("Quit").click()
	select {
	case <-quit:
	case <-time.After(5 * time.Second):
		t.Fatal("quit not called")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCompact(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 9999: "9999", 12345: "12.3k", 2_000_000: "2M", 1_250_000_000: "1.2B"} {
		if got := compact(n); got != want {
			t.Errorf("compact(%d) = %q, want %q", n, got, want)
		}
	}
}

type fakeAutostart struct {
	mu sync.Mutex
	on bool
}

func (f *fakeAutostart) Enabled() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.on }
func (f *fakeAutostart) Set(on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on = on
	return nil
}

// TestStartAtLogin: the checkbox flips the login item and shows the live state.
func TestStartAtLogin(t *testing.T) {
	kit := &fakeKit{}
	as := &fakeAutostart{}
	tr := New(kit, Options{Backend: &fakeBackend{st: sample()}, Log: quietLog(), Poll: time.Hour, Autostart: as})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tr.Run(ctx)
	waitFor(t, func() bool { return kit.item("Start at login") != nil })
	kit.item("Start at login").click()
	waitFor(t, func() bool { _, checked, _ := kit.item("Start at login").get(); return as.Enabled() && checked })
	as.Set(false) // removed by hand: the next refresh shows it
	tr.Show(sample())
	if _, checked, _ := kit.item("Start at login").get(); checked {
		t.Error("checkbox does not follow the login item")
	}
}
