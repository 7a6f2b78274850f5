// Package codex is the desktop's "Codex → ModelSwitch" switch: it points
// OpenAI's Codex CLI at the gateway by editing a few keys of Codex's
// config.toml ($CODEX_HOME/config.toml, default ~/.codex/config.toml), and
// puts them back when switched off. It is app/claudecode's twin; both keep
// their files with app/agentconfig (backups, refusals, atomic writes, the
// record).
//
// # What is written
//
// Switch-on writes, and touches nothing else:
//
//	model = "<virtual model>"             # top level
//	model_provider = "modelswitch"        # top level
//
//	[model_providers.modelswitch]
//	name = "ModelSwitch"
//	base_url = "http://127.0.0.1:PORT/v1" # Codex appends /responses
//	wire_api = "responses"
//	experimental_bearer_token = "<key>"
//
// The key travels in experimental_bearer_token: Codex 0.171.0 sends it as
// "Authorization: Bearer <key>" with no variable exported (verified against
// the real binary; the provider's auth resolution reads env_key first, then
// experimental_bearer_token, then auth.json). An env_key in an existing
// [model_providers.modelswitch] table is therefore removed while the switch
// is on (Codex fails when its variable is unset) and put back at its place
// afterwards. The egress settings of the loopback-only setup
// (features.plugins, analytics.enabled, check_for_update_on_startup) are
// not written: they change what Codex does, not where it sends model
// traffic, so they stay the user's choice.
//
// # Editing the text, checked by the parser
//
// A TOML file is edited as text, never re-marshalled: comments, blank
// lines, key order, quoting and line endings (LF or CRLF, with or without
// a final one) stay byte for byte. go-toml/v2 first decides whether the
// file is TOML at all (a *ParseError with line and column otherwise); a
// small scanner (tomltext.go) then splits it into statements — headers and
// key = value lines, values skipped over whatever their kind, multi-line
// strings and arrays included — so the switch can find the top-level keys
// before the first header and the [model_providers.modelswitch] table.
// Existing values are replaced in place; missing top-level keys go after
// the last top-level key (or at the top, followed by a blank line, when
// there is none); missing table keys go after the table's last key with its
// indentation; a missing table is appended at the end after a blank line.
// Before anything is written the result is parsed again and must mean the
// same as before for every key the switch does not own.
//
// Valid files the switch does not edit are refused, untouched: the provider
// written as an inline table or with dotted keys, model as a table
// (ErrLayout); an active profile that sets model_provider or model, which
// would win over the top-level keys, and a provider table with auth or aws,
// which Codex will not combine with a bearer token (ErrConflict).
//
// # Record and restore
//
// As in app/claudecode: Enable first writes a record (Config.StatePath,
// <workspace>/data/codex.json, 0600) with each touched key's previous
// value (its exact text and line), what was written, whether the table and
// its blank line were added, the original file and a hash of the written
// one. Disable restores a key only where the file still holds our value
// (others are reported in Result.Kept); when the file is exactly as
// Enable left it, the original comes back byte for byte (a file that did
// not exist is removed). Backups (config.toml.bak-YYYYMMDD-HHMMSS, the
// newest 10, in "codex-backups" beside the record), and the refusals of a
// symbolic link, a read-only file and a concurrent edit are
// app/agentconfig's.
//
// Status reads the live file on every call and reports the provider in
// effect (an active profile's wins), so the tray shows what Codex will use.
package codex
