// Package claudecode is the desktop's "Claude Code → ModelSwitch" switch
// (DESIGN §13): it points Claude Code at the gateway by editing a few env
// keys of Claude Code's settings.json, and puts them back when switched off.
//
// # The switch owns keys, not the file
//
// Desktop peers rewrite the whole settings.json and lose users' hooks,
// statusLine, permissions and plugins (the largest cluster of cc-switch
// complaints), or treat a file that does not parse as {} and overwrite it
// (ccNexus). This package touches only these members of the top-level
// "env" object:
//
//   - ANTHROPIC_BASE_URL: the gateway's URL;
//   - ANTHROPIC_AUTH_TOKEN: a dedicated ModelSwitch key the caller creates;
//   - ANTHROPIC_API_KEY: removed while the switch is on, because Claude Code
//     must see only one token kind (with both it warns, and a custom API key
//     triggers an approval prompt whose default is "No"); its value is
//     recorded and put back on switch-off;
//   - ANTHROPIC_MODEL: only when the caller passes a model.
//
// Edits are made on the text, not on a re-marshalled map: a small tokenizer
// finds the spans of the top-level members, of "env" and of its members,
// and only the touched members are replaced, inserted (after the last
// member, copying the object's own separator, colon spacing, indentation
// unit and line endings) or deleted. "env" is created as the last top-level
// member when absent; a missing or blank file becomes {"env": {...}} with
// two-space indentation. Every other byte stays as it was. Before anything
// is written the result is checked with encoding/json: every other
// top-level member and every other env member must decode to the same
// bytes. A file that is not JSON, not an object, or ambiguous (two "env"
// members, a touched key twice) is refused with a *ParseError giving the
// line and column; nothing is ever written in its place.
//
// # Record and restore
//
// Enable first writes a record (Config.StatePath, e.g.
// <workspace>/data/claudecode.json, mode 0600) holding, per touched key,
// the previous value (absent, or its exact JSON text) and the value written,
// plus the original file and a hash of the written one. Disable restores a
// key only where the file still holds our value; keys the user changed in
// between are left alone and reported in Result.Kept. When the file is
// byte-identical to what Enable wrote, Disable gives back the original
// file byte for byte (removing it if it did not exist). Enabling while
// already on unwinds the earlier switch-on in memory first, so the record
// always holds the user's own values, never ours.
//
// # Writing safely
//
// Each write is preceded by a timestamped backup
// (settings.json.bak-YYYYMMDD-HHMMSS, "-NNN" added within one second) in
// Config.BackupDir, by default "claudecode-backups" beside the record, in
// our data directory rather than beside settings.json: ~/.claude/backups is
// Claude Code's own directory. The newest 10 are kept. No backup is taken of
// a file that already points at the gateway (a copy of our own values would
// push the user's versions out of the rotation; cc-switch #3688), nor when
// the newest backup already holds the same bytes. The file is then written
// to a temporary file in the same directory, synced and renamed over the
// original, keeping its mode (0600 for a new file, in a 0700 directory);
// just before the rename the file is read again, and if someone changed it
// meanwhile nothing is written (ErrChanged).
//
// Refusals, with a message saying what to do, and nothing changed:
//   - a settings.json that is a symbolic link (ErrSymlink). Writing through
//     it would edit the target, often a dotfiles file under version
//     control, and put an API token into it; replacing the link would
//     detach it from the user's dotfiles. Refusing is the safer choice.
//     Status still reads through links.
//   - a file without the owner's write bit (ErrReadOnly): a rename would
//     silently replace it, so the mode is checked explicitly;
//   - a directory the temporary file cannot be created in.
//
// # Finding the file and the gateway
//
// SettingsPath honours CLAUDE_CONFIG_DIR. Status and Enabled read the live
// file on every call, so a tray checkbox reflects what Claude Code will
// really use; Status.Foreign says the file points at some other URL.
// CheckGateway and Switch.Warning report when Claude Code points at the
// gateway but nothing answers on its /health.
//
// Reading, writing, backups, the record and the gateway check are
// app/agentconfig's, shared with the Codex switch (app/codex). The package
// needs no desktop.
package claudecode
