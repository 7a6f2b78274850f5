// Package window is ModelSwitch's admin window (DESIGN §2): a Wails v2 app
// in its own process (cmd/modelswitch-ui), spawned by the core's tray on
// "Open ModelSwitch…" and ended by its close button, so the ~450 MB of
// WebKit are only paid while it is open.
//
// Its AssetServer serves the embedded admin SPA (package frontend) through
// Handler, which forwards /api/* to the core over the control socket; the
// core adds the admin credential, so the window shows no login and never
// holds a key. Three private paths are answered by the window itself: the
// SPA's language (for the tray), a log line, and GET /__modelswitch/gateway,
// the gateway's address as the core reports it (the page's own origin is
// wails://wails; the Models tab's Codex and Claude Code snippets need the
// real one). Build with cgo and the tags desktop,production,webkit2_41:
// without webkit2_41 WebKitGTK 4.0's legacy path turns every POST into a
// GET without a body (desktop.md §3).
//
// One window per workspace: the window listens on <workspace>/run/window.sock
// (control.WindowSocketPath); a second window, or the core's second "Open",
// finds it answering and sends "focus", and the first unminimises and raises
// itself. (Not SIGUSR1: WebKit's JavaScriptCore uses that signal for its
// garbage collector, and taking it over crashed the window.)
//
// The Wails parts are gated with desktop || dev || bindings (the wails CLI
// drops the desktop tag when it generates bindings and builds dev with dev);
// Handler is plain Go and tested without a display.
package window
