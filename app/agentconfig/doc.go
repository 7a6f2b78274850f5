// Package agentconfig is what the desktop's coding-agent switches
// (app/claudecode for Claude Code's settings.json, app/codex for Codex's
// config.toml) share: reading a file the user owns, refusing what must not
// be written through, writing it back atomically, timestamped backups, the
// switch-on record, and asking whether the gateway answers.
//
// The two switches differ only in the file's format and the keys they own;
// the way they touch the disk is the same, so it lives here once:
//
//   - ReadForWrite refuses a symbolic link (ErrSymlink: writing through it
//     would put an API key into the target, often a dotfiles file under
//     version control; replacing it would detach the user's dotfiles), a
//     file without the owner's write bit (ErrReadOnly: a rename would
//     silently replace it) and anything that is not a regular file. Read,
//     for status, follows links.
//   - WriteAtomic writes a temporary file in the same directory (keeping the
//     mode; 0600 for a new file in a 0700 directory), syncs it, reads the
//     original once more and renames over it only if nobody changed it
//     meanwhile (ErrChanged).
//   - Backups keeps the newest N copies under timestamped names
//     (<prefix>YYYYMMDD-HHMMSS, "-NNN" within one second or after the clock
//     went back), and does not copy a file identical to the newest backup.
//   - LoadJSON and SaveJSON keep a switch's record (mode 0600).
//
// Errors carry no package prefix: each switch prefixes its own ("claudecode:",
// "codex:") where it returns them.
package agentconfig
