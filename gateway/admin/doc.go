// Package admin serves the REST API under /api/ that the admin UI and scripts
// use (docs/admin-api.md): configuration (providers, models, keys, the whole
// file), usage statistics, debug logs and conversations. Handlers are
// func(w, r) error (Caddy's AdminHandler): an error becomes a 4xx/5xx in the
// admin shape {"error":{"message","fields"}}.
//
// The package declares the small interfaces it needs and package server wires
// the concrete stores in. One deviation from conventions C2: the Prober
// interface returns proxy's ProviderTest and ChainTest result types, so admin
// imports proxy for those types (never for behaviour); duplicating them here
// with an adapter in server would only copy fields.
package admin
