package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLinuxEntry(t *testing.T) {
	home := t.TempDir()
	e := New(home, "/opt/Model Switch/modelswitch", "/home/u/my ws 50%", func(string) string { return "" })
	e.goos = "linux"
	if want := filepath.Join(home, ".config", "autostart", "modelswitch.desktop"); e.Path != want {
		t.Fatalf("path %s, want %s", e.Path, want)
	}
	if e.Enabled() {
		t.Fatal("enabled before Set")
	}
	if err := e.Set(true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(e.Path)
	want := `Exec="/opt/Model Switch/modelswitch" "--workspace" "/home/u/my ws 50%%"`
	if !strings.Contains(string(b), want) || !e.Enabled() {
		t.Fatalf("entry:\n%s\nwant a line %s", b, want)
	}
	if err := e.Set(false); err != nil || e.Enabled() {
		t.Fatalf("disable: %v, enabled %v", err, e.Enabled())
	}
	if err := e.Set(false); err != nil {
		t.Fatalf("disabling twice: %v", err)
	}
}

func TestXDGConfigHomeAndQuoting(t *testing.T) {
	e := New("/home/u", "/bin/ms", "/ws", func(k string) string { return map[string]string{"XDG_CONFIG_HOME": "/cfg"}[k] })
	e.goos = "linux"
	if e.Path != "/cfg/autostart/modelswitch.desktop" {
		t.Errorf("path %s", e.Path)
	}
	if got := desktopQuote(`a"b$c\d`); got != `"a\\"b\\$c\\\\d"` {
		t.Errorf("quote = %s", got)
	}
}

func TestMacOSLaunchAgent(t *testing.T) {
	e := New("/Users/u", "/Applications/ModelSwitch.app/Contents/MacOS/modelswitch", "/Users/u/a&b", nil)
	e.goos = "darwin"
	e.Path = filepath.Join("/Users/u", "Library", "LaunchAgents", "com.modelswitch.desktop.plist")
	out := e.Render()
	for _, want := range []string{"<string>/Users/u/a&amp;b</string>", "<key>RunAtLoad</key><true/>", "<string>--workspace</string>"} {
		if !strings.Contains(out, want) {
			t.Errorf("plist lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "KeepAlive") {
		t.Error("a login item must not be kept alive: quitting from the tray must stay quit")
	}
}
