package tray

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

// TestQuitAsksAboutClaudeCode: with the Claude Code switch off Quit is one
// item that quits at once; with it on, Quit is a submenu whose two entries
// say whether Claude Code's previous settings come back.
func TestQuitAsksAboutClaudeCode(t *testing.T) {
	kit := &fakeKit{}
	b := &fakeBackend{st: sample()}
	answers := make(chan bool, 4)
	tr := New(kit, Options{Backend: b, Log: quietLog(), Poll: time.Hour, Quit: func(keep bool) { answers <- keep }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tr.Run(ctx)
	waitFor(t, func() bool { return kit.item("Stop gateway") != nil })

	top := func() string { return strings.Join(kit.titles(), "|") }
	if !strings.HasSuffix(top(), "---|Quit") || strings.Count(top(), "Quit") != 1 {
		t.Fatalf("switch off: menu %q", top())
	}
	quit := kit.item("Quit")
	if len(quit.children) != 0 {
		t.Fatalf("switch off: Quit has a submenu")
	}
	quit.click()
	if keep := answer(t, answers); keep {
		t.Error("plain Quit kept Claude Code")
	}

	// The state lives in the backend, as the clicks' refreshes read it.
	show := func(edit func(*control.Status)) {
		b.mu.Lock()
		edit(&b.st)
		st := b.st
		b.mu.Unlock()
		tr.Show(st)
	}
	show(func(st *control.Status) { st.ClaudeCode.Enabled = true })
	if strings.Count(top(), "Quit") != 1 {
		t.Fatalf("switch on: menu %q", top())
	}
	ask := kit.item("Quit")
	if ask == quit || len(ask.children) != 2 {
		t.Fatalf("switch on: Quit is not the submenu (%d entries)", len(ask.children))
	}
	if _, _, visible := quit.get(); visible {
		t.Error("the plain Quit is still shown")
	}
	clickShown(t, kit, "Quit and keep Claude Code on ModelSwitch")
	if keep := answer(t, answers); !keep {
		t.Error("keep answered as restore")
	}
	clickShown(t, kit, "Quit and restore Claude Code's previous settings")
	if keep := answer(t, answers); keep {
		t.Error("restore answered as keep")
	}

	// zh labels, and back to the plain item once the switch is off.
	show(func(st *control.Status) { st.Language = "zh" })
	if kit.item("退出并恢复 Claude Code 之前的设置") == nil || kit.item("退出并让 Claude Code 继续使用 ModelSwitch") == nil {
		t.Errorf("zh submenu missing: %q", top())
	}
	show(func(st *control.Status) { st.ClaudeCode.Enabled = false })
	if kit.item("退出") != quit {
		t.Errorf("switch off again: %q", top())
	}
}

// TestAttachedQuitEndsTrayOnly: a tray attached to the background service
// never asks: quitting it leaves the service, and Claude Code's use of it, alone.
func TestAttachedQuitEndsTrayOnly(t *testing.T) {
	kit := &fakeKit{}
	st := sample()
	st.ClaudeCode.Enabled = true
	tr := New(kit, Options{Backend: &fakeBackend{st: st}, Log: quietLog(), Attached: true})
	tr.Show(st)
	if got := kit.titles(); got[len(got)-1] != "Quit tray (the background service keeps running)" || strings.Count(strings.Join(got, "|"), "Quit") != 1 {
		t.Errorf("attached menu %q", got)
	}
}

// TestClaudeCodeWarning: the switch item says when nothing answers where
// Claude Code points (kept on after a quit, or the gateway stopped).
func TestClaudeCodeWarning(t *testing.T) {
	kit := &fakeKit{}
	tr := New(kit, Options{Backend: &fakeBackend{}, Log: quietLog()})
	st := sample()
	st.ClaudeCode = control.ClaudeCode{Enabled: true, BaseURL: "http://127.0.0.1:8000", Warning: "not running"}
	tr.Show(st)
	it := kit.item("Claude Code")
	if title, checked, _ := it.get(); !checked || title != "Claude Code → ModelSwitch (⚠ nothing answers at http://127.0.0.1:8000)" {
		t.Errorf("warning item %q checked=%v", title, checked)
	}
	st.ClaudeCode.Warning = ""
	tr.Show(st)
	if title, _, _ := it.get(); title != "Claude Code → ModelSwitch" {
		t.Errorf("warning not cleared: %q", title)
	}
}

// clickShown clicks the item once the menu shows it: a click's refresh may
// still be updating the menu when the test moves on.
func clickShown(t *testing.T, kit *fakeKit, title string) {
	t.Helper()
	waitFor(t, func() bool { return kit.item(title) != nil })
	kit.item(title).click()
}

func answer(t *testing.T, ch chan bool) bool {
	t.Helper()
	select {
	case keep := <-ch:
		return keep
	case <-time.After(5 * time.Second):
		t.Fatal("Quit not called")
		return false
	}
}

// TestQuitNamesTheAgents: the Quit submenu appears when either switch is on
// and its answers name the agents whose switch is on; one answer for both.
func TestQuitNamesTheAgents(t *testing.T) {
	kit := &fakeKit{}
	b := &fakeBackend{st: sample()}
	answers := make(chan bool, 4)
	tr := New(kit, Options{Backend: b, Log: quietLog(), Poll: time.Hour, Quit: func(keep bool) { answers <- keep }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tr.Run(ctx)
	waitFor(t, func() bool { return kit.item("Stop gateway") != nil })
	show := func(cc, cx bool, lang string) {
		b.mu.Lock()
		b.st.ClaudeCode.Enabled, b.st.Codex.Enabled, b.st.Language = cc, cx, lang
		st := b.st
		b.mu.Unlock()
		tr.Show(st)
	}
	show(false, true, "en")
	if kit.item("Quit and restore Codex's previous settings") == nil || kit.item("Quit and keep Codex on ModelSwitch") == nil {
		t.Fatalf("Codex only: %q", kit.titles())
	}
	clickShown(t, kit, "Quit and keep Codex on ModelSwitch")
	if keep := answer(t, answers); !keep {
		t.Error("keep answered as restore")
	}
	show(true, true, "en")
	if kit.item("Quit and keep Claude Code and Codex on ModelSwitch") == nil || kit.item("Quit and restore Codex's") != nil {
		t.Fatalf("both: %q", kit.titles())
	}
	clickShown(t, kit, "Quit and restore Claude Code's and Codex's previous settings")
	if keep := answer(t, answers); keep {
		t.Error("restore answered as keep")
	}
	show(false, true, "zh")
	if kit.item("退出并让 Codex 继续使用 ModelSwitch") == nil || kit.item("退出并恢复 Codex 之前的设置") == nil {
		t.Errorf("zh: %q", kit.titles())
	}
	show(false, false, "en")
	if q := kit.item("Quit"); q == nil || len(q.children) != 0 {
		t.Errorf("both off: Quit is not the plain item")
	}
}

// TestCodexItem: the Codex checkbox follows the live config.toml, says when
// nothing answers where Codex points, and is disabled when the file cannot
// be read.
func TestCodexItem(t *testing.T) {
	kit := &fakeKit{}
	tr := New(kit, Options{Backend: &fakeBackend{}, Log: quietLog()})
	st := sample()
	tr.Show(st)
	it := kit.item("Codex")
	if title, checked, _ := it.get(); checked || title != "Codex → ModelSwitch" {
		t.Fatalf("off: %q checked=%v", title, checked)
	}
	st.Codex = control.Codex{Enabled: true, BaseURL: "http://127.0.0.1:8000/v1", Warning: "not running"}
	tr.Show(st)
	if title, checked, _ := it.get(); !checked || title != "Codex → ModelSwitch (⚠ nothing answers at http://127.0.0.1:8000/v1)" {
		t.Errorf("warning item %q checked=%v", title, checked)
	}
	st.Codex = control.Codex{Error: "codex: config.toml is not valid TOML"}
	tr.Show(st)
	kit.mu.Lock()
	enabled := it.enabled
	kit.mu.Unlock()
	if title, checked, _ := it.get(); checked || enabled || title != "Codex → ModelSwitch" {
		t.Errorf("broken file: %q checked=%v enabled=%v", title, checked, enabled)
	}
}
