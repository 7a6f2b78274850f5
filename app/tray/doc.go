// Package tray is the core's tray icon and menu (DESIGN §13), on
// github.com/getlantern/systray v1.2.2 in the desktop build (tag desktop,
// cgo, libayatana-appindicator3 on Linux).
//
// The menu, in order: "Open ModelSwitch…"; the status line (running on an
// address, or stopped and why); today's requests and tokens; Start/Stop
// gateway; Route, with a submenu per virtual model (Auto failover, or one
// adapter pinned as primary); the "Claude Code → ModelSwitch" and "Codex →
// ModelSwitch" checkboxes, read from the live settings.json and config.toml
// (with a warning when nothing answers where the agent points); Copy base
// URL; Open workspace folder; Start at login; Quit. Labels are zh or en,
// following the admin UI's stored choice, else the locale.
//
// Quit must ask whether to restore the agents' previous backends, and a
// systray menu has no dialog: while a switch is on, the plain Quit is
// hidden and a Quit submenu shows the two answers, naming the agents whose
// switch is on ("Quit and restore Claude Code's previous settings", "Quit
// and keep Codex on ModelSwitch", "… Claude Code and Codex …"); one answer
// covers both. While both are off, Quit quits at once. A tray attached to
// the background service (Options.Attached) quits only itself and asks nothing.
//
// The menu logic (tray.go) knows the toolkit only through Toolkit and Item
// and the core only through control.Backend, so it is tested without a
// display, and it could drive a core in another process through
// control.Client. The status is polled every two seconds (cheap: the core
// answers from memory, the settings file and the usage rollups), and lines
// are updated in place. Clicks run one at a time on one goroutine.
//
// On macOS the icon is a template image (icon_template.png: the glyph
// alone, which the menu bar tints for light and dark mode); the Dock icon is
// left out by the bundle's LSUIElement (build/darwin/bundle.sh).
//
// systray v1.2.2 facts this package works around: items cannot be removed
// (a model that goes away is hidden); updating a hidden item shows it again
// (hidden items are left alone); GTK flips a check mark on click by itself
// (the next refresh sets the real state); a click nobody is receiving is
// dropped (every item has a receiving goroutine); SetTitle of the icon calls
// GTK off its thread (not used).
package tray
