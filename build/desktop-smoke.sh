#!/usr/bin/env bash
# Desktop smoke test (make test-desktop): runs build/smoke under a private
# D-Bus session and a virtual X display. Needs the desktop binaries in
# bin/desktop (make desktop) and the test tools of desktop.md §1:
#   apt-get install xvfb xauth dbus dbus-x11 x11-utils xdotool imagemagick \
#     haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in xvfb-run dbus-run-session xwininfo xdotool import status-notifier-watcher gtk-sni-tray-standalone; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "desktop-smoke: missing ${missing[*]}; install: apt-get install --no-install-recommends xvfb xauth dbus dbus-x11 x11-utils xdotool imagemagick haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils" >&2
  exit 1
fi
mkdir -p docs/screenshots
export NO_AT_BRIDGE=1 GDK_BACKEND=x11
# dbus-run-session ends the bus (and what it started) when the test ends; without
# it GTK and WebKit would spawn their own dbus-daemon and at-spi that outlive us.
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  ${GO:-go} test -tags desktopsmoke -count=1 -v -timeout 5m ./build/smoke "$@"
