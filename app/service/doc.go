// Package service installs the headless core as an OS service (DESIGN §15, issue #9): a
// systemd user unit by default, a system unit with --system (running as the invoking user,
// never as root unless --allow-root), a launchd LaunchAgent on macOS. The unit runs
// `modelswitch --start --workspace DIR`, restarts on failure and is hardened (NoNewPrivileges,
// ProtectSystem=strict with ReadWritePaths for the workspace, PrivateTmp; seed §16 S9).
//
// Shape. Rendering is pure: RenderSystemd and RenderLaunchd are functions of a Spec (binary,
// workspace, user, home, host/port overrides, system or user), pinned by golden files in
// testdata and read back by ParseSystemd/ParseLaunchd for --status. A Controller owns the unit
// file — renders it, compares it with the installed one ("already installed (unchanged)" or
// "Updated"), writes it atomically (temp file + rename), and rolls back when the service
// manager then fails. Everything that talks to systemctl, launchctl, journalctl or loginctl is
// behind the small Manager interface; servicetest.Fake stands in for it where no real manager
// exists, and Detect reports ErrNoManager rather than pretending to succeed.
//
// Where github.com/kardianos/service is used: the start, stop and restart verbs
// (service.Control on its linux-systemd and darwin-launchd backends, which run
// `systemctl [--user] start|stop|restart` and `launchctl load|unload`).
//
// Where we wrote our own, and why:
//
//   - The unit file and plist. kardianos renders them only inside Install, with unexported
//     templates compiled per OS, so there is no --print-unit and no golden test of the plist on
//     Linux. Its Install writes the file in place (O_WRONLY|O_CREATE, no truncate, no rename),
//     so a failure can leave half a file, and it refuses a second install ("Init already
//     exists") instead of comparing. Its quoting (`"` escaped only) does not double % and $,
//     which systemd expands in ExecStart, and its Environment= lines are not quoted at all, so
//     a workspace with a space or a % would break. Its user units say WantedBy=multi-user.target,
//     a target user managers do not have, and its plist has KeepAlive as a plain bool, not
//     "restart on failure". A custom template through the SystemdScript/LaunchdConfig options
//     would fix the text but not the write, the dry run or the tests.
//   - Detection. kardianos falls back to SysV init, whose Detect is always true, so on a machine
//     without systemd it would "install" an init script nobody runs. Detect requires
//     /run/systemd/system and, for a user unit, a `systemctl --user` that answers; kardianos'
//     backends are then looked up by name, not by its own choice.
//   - Status, logs and lingering. kardianos' Status is running/stopped/unknown (a failed unit is
//     an error), with no enabled state and no pid; it has no logs or linger. We use `systemctl
//     show`, `journalctl --user-unit` (which also finds user messages kept in the system
//     journal), `loginctl`, `launchctl list` and tail of <workspace>/logs/launchd-*.log.
//   - Who and where. Under sudo the service targets SUDO_USER (its home, its workspace, files we
//     create chowned to it); a user unit under sudo is refused. kardianos uses the effective
//     user's home.
//
// Costs of kardianos: its errors carry only an exit status (it discards systemctl's stderr),
// so ours point at --status and --log; and importing it runs its init-time detection (a few
// stat calls) in every modelswitch process.
//
// Preflight. --install refuses, before writing anything, a workspace another core holds
// (workspace.LockedError), a port another process listens on, paths systemd cannot carry
// (control characters, quotes in the binary path) and paths under /tmp or /var/tmp (the unit's
// PrivateTmp would hide them). After starting, it waits for GET /api/config/health and shows the
// recent log when the gateway does not answer.
package service
