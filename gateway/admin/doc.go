// Package admin serves the REST API under /api/ that the admin UI and scripts
// use: usage statistics, debug logs, conversations, and (in a later version)
// configuration. Handlers are func(w, r) error (Caddy's AdminHandler): an
// error becomes a 4xx/5xx in the admin shape {"error":{"message","fields"}}.
// The package declares the small interfaces it needs; package server wires
// the concrete stores in.
package admin
