// Package smoke is the desktop smoke test (make test-desktop, tag
// desktopsmoke): the real desktop binaries from bin/desktop under Xvfb and a
// private D-Bus session, driven the way a panel and a user drive them — the
// tray through StatusNotifierItem and com.canonical.dbusmenu, the window
// through xwininfo and a probe script in its page. build/desktop-smoke.sh
// provides the display and the bus.
package smoke
