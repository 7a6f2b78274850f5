// Package autostart starts the desktop app at login: an XDG autostart entry
// on Linux (~/.config/autostart/modelswitch.desktop) and a LaunchAgent on macOS
// (~/Library/LaunchAgents/com.modelswitch.desktop.plist, RunAtLoad, no
// KeepAlive: quitting from the tray must stay quit). Written here rather than
// with kardianos/service, which installs services (restart on failure,
// systemd units), not login items. The tray's "Start at login" checkbox reads
// Enabled each time, so an entry removed by hand shows as off.
package autostart

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Entry is the login item for one workspace.
type Entry struct {
	Path string   // the file that makes the desktop start the app
	Args []string // the command: executable first
	goos string
}

// New returns the entry for running exe on workspace, for the user whose
// home is home; env reads XDG_CONFIG_HOME (nil = os.Getenv).
func New(home, exe, workspace string, env func(string) string) *Entry {
	if env == nil {
		env = os.Getenv
	}
	e := &Entry{Args: []string{exe, "--workspace", workspace}, goos: runtime.GOOS}
	if e.goos == "darwin" {
		e.Path = filepath.Join(home, "Library", "LaunchAgents", "com.modelswitch.desktop.plist")
		return e
	}
	cfg := env("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = filepath.Join(home, ".config")
	}
	e.Path = filepath.Join(cfg, "autostart", "modelswitch.desktop")
	return e
}

// Enabled reports whether the login item exists.
func (e *Entry) Enabled() bool {
	_, err := os.Stat(e.Path)
	return err == nil
}

// Set adds (on) or removes (off) the login item.
func (e *Entry) Set(on bool) error {
	if !on {
		if err := os.Remove(e.Path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("removing %s: %w", e.Path, err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(e.Path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(e.Path), ".modelswitch-autostart-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(e.Render()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), e.Path)
}

// Render is the file's content.
func (e *Entry) Render() string {
	if e.goos == "darwin" {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>com.modelswitch.desktop</string>
  <key>ProgramArguments</key>
  <array>
`)
		for _, a := range e.Args {
			b.WriteString("    <string>" + html.EscapeString(a) + "</string>\n")
		}
		b.WriteString("  </array>\n  <key>RunAtLoad</key><true/>\n  <key>ProcessType</key><string>Interactive</string>\n</dict>\n</plist>\n")
		return b.String()
	}
	quoted := make([]string, len(e.Args))
	for i, a := range e.Args {
		quoted[i] = desktopQuote(a)
	}
	return "[Desktop Entry]\nType=Application\nName=ModelSwitch\nComment=Local LLM gateway\n" +
		"Exec=" + strings.Join(quoted, " ") + "\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
}

// desktopQuote quotes one Exec argument per the Desktop Entry specification:
// inside double quotes, ", `, $ and \ are escaped with a backslash, and % is
// doubled; the whole key value then escapes \ once more (string escaping).
func desktopQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '`', '$':
			b.WriteString(`\\`) // a backslash (doubled: the key value escapes it) then the character
			b.WriteRune(r)
		case '\\':
			b.WriteString(`\\\\`)
		case '%':
			b.WriteString("%%")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
