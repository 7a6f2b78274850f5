#!/usr/bin/env bash
# Assembles ModelSwitch.app from the two desktop binaries (built on macOS with `make desktop`):
#
#   ModelSwitch.app/Contents/Info.plist               LSUIElement: no Dock icon while only the tray runs
#   ModelSwitch.app/Contents/MacOS/modelswitch        the core (gateway, control channel, tray)
#   ModelSwitch.app/Contents/Resources/ModelSwitch.icns
#   ModelSwitch.app/Contents/Helpers/ModelSwitch Window.app/   the admin window, a bundle of its own without
#       LSUIElement, so it has a Dock icon and a menu bar while open; the core finds it there (app/core WindowBinary)
#
# Usage: build/darwin/bundle.sh [BIN_DIR] [OUT_DIR] [VERSION]   (defaults: bin/desktop, bin, git describe)
# On macOS it also makes the .icns (sips, iconutil) and signs ad hoc (codesign -s -) so Gatekeeper lets a local
# build start; a release needs a Developer ID signature and notarization instead. Elsewhere it assembles the
# layout only (used to check it).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-bin/desktop}
out=${2:-bin}
version=${3:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
version=${version#v}
for f in "$bin/modelswitch" "$bin/modelswitch-ui"; do
  [ -x "$f" ] || { echo "bundle: $f missing: run make desktop first" >&2; exit 1; }
done
app="$out/ModelSwitch.app"
helper="$app/Contents/Helpers/ModelSwitch Window.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources" "$helper/Contents/MacOS" "$helper/Contents/Resources"
# The plists carry @VERSION@, which macOS wants as up to three numbers: a build from an untagged commit is 0.0.0.
[[ "$version" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || version=0.0.0
sed "s/@VERSION@/$version/g" build/darwin/Info.plist > "$app/Contents/Info.plist"
sed "s/@VERSION@/$version/g" build/darwin/Window-Info.plist > "$helper/Contents/Info.plist"
cp "$bin/modelswitch" "$app/Contents/MacOS/modelswitch"
cp "$bin/modelswitch-ui" "$helper/Contents/MacOS/modelswitch-ui"
if command -v iconutil >/dev/null && command -v sips >/dev/null; then
  set_dir=$(mktemp -d)/ModelSwitch.iconset
  mkdir -p "$set_dir"
  for s in 16 32 128 256 512; do
    sips -z $s $s build/appicon.png --out "$set_dir/icon_${s}x${s}.png" >/dev/null
    sips -z $((s * 2)) $((s * 2)) build/appicon.png --out "$set_dir/icon_${s}x${s}@2x.png" >/dev/null
  done
  iconutil -c icns "$set_dir" -o "$app/Contents/Resources/ModelSwitch.icns"
  cp "$app/Contents/Resources/ModelSwitch.icns" "$helper/Contents/Resources/ModelSwitch.icns"
else
  echo "bundle: no iconutil here (not macOS): the bundle has no .icns" >&2
fi
if command -v codesign >/dev/null; then
  codesign --force -s - "$helper"   # inner bundle first: signing the outer one seals it
  codesign --force -s - "$app"
fi
echo "bundle: $app ($version)"
