// Package control is the core's control channel (DESIGN §2): a small HTTP API
// on the unix socket <workspace>/run/control.sock, kept apart from the gateway
// listener so that the tray, the window and a second launch can still reach a
// core whose gateway is stopped.
//
// Who may use it: the socket is created with mode 0600 inside the 0700 run
// directory, so only the user who runs the core can connect; the file system
// is the credential. That is why /api/* needs no key here: the channel adds
// the core's admin credential itself before handing the request to the
// gateway's handler, and the credential never leaves the core process.
//
// Routes (JSON in and out; errors are {"error":{"message"}}):
//
//	GET  /status           gateway state, address, version, workspace, today's use, routes, Claude Code, Codex
//	POST /gateway/start    bind the gateway listener (a busy port names its holder and a free port)
//	POST /gateway/stop     close the gateway listener; this channel stays
//	POST /window/open      spawn the admin window, or focus the one that is open
//	POST /route            {"model","adapter"|"auto","model_name"?}: pin a primary adapter
//	POST /claudecode       {"enabled": bool}: point Claude Code at the gateway, or restore it
//	POST /codex            {"enabled": bool, "model"?}: point Codex at the gateway (model: a virtual
//	                       model, default the first), or restore its config.toml
//	POST /ui/lang          {"lang": "zh"|"en"}: the UI language, which the tray follows
//	POST /quit             {"keep_claude_code"?, "keep_codex"?}: stop the core (answers before it
//	                       goes); Claude Code's and Codex's previous settings are restored unless kept
//	ANY  /api/...          the gateway's admin API, with the admin credential added
//
// The window has a socket of its own, <workspace>/run/window.sock
// (WindowSocketPath, ServeWindow, FocusWindow): "focus" raises the open
// window, which makes it single-instance.
//
// Server serves a Backend (the core) over a listener from Listen; Client
// speaks to it and is itself a Backend, so the tray can drive a core in its
// own process or, through the socket, in another one.
package control
