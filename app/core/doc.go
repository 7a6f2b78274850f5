// Package core is ModelSwitch's always-on process (DESIGN §2): the gateway,
// which the tray and the window can stop and start again, and the control
// channel (app/control), which stays open while the gateway is stopped.
//
// Main is the whole life of a core: it resolves and locks the workspace
// (one core per workspace), loads config.yaml, sets up the logs and the
// database, opens the control socket, starts the gateway, then runs the UI
// (the tray, on the main thread) or waits for a signal or POST /quit. A
// desktop launch that finds the workspace locked and a core answering on its
// control socket asks that core to open its window and exits 0.
//
// Restarting the gateway: a server.Server serves once (its Run drains the
// usage recorder and the conversation log), so the core keeps one standby
// Server built with server.New, whose handler answers the window's /api
// while the listener is closed; Start binds it (re-reading config.yaml
// first) and runs it, and when Run ends a fresh standby is built from the
// last good configuration. The database and the logs outlive every Server.
//
// A port that is taken does not end a desktop core: the status names the
// process holding it (from /proc/net/tcp and /proc/*/fd on Linux, when it is
// ours to see) and the next free port. Headless, it is an error (exit 1).
//
// Desktop state lives in <workspace>/data: routes.json (the priorities a
// Route pin replaced, for "Auto failover"), claudecode.json and codex.json
// (app/claudecode's and app/codex's switch-on records) and desktop.json (the
// UI language the tray follows). Each switch has an API key of its own in
// config.yaml ("Claude Code (desktop)", "Codex (desktop)"), created on first
// use; the Codex switch points Codex at the first virtual model unless
// POST /codex names one.
//
// Quit asks what to do with Claude Code and Codex when a switch is on (the
// tray's Quit becomes a submenu: restore their previous settings, or keep
// them on ModelSwitch; one answer for both); keeping leaves the switch-on
// records in place, so the next start shows the switches on, and the status
// warns while nothing answers where they point. A signal cannot ask: the
// desktop core restores, the headless core (the service) keeps.
package core
