#!/bin/sh
# Draws the ModelSwitch icon (two opposed arrows on a blue rounded square)
# with ImageMagick and writes every size the build embeds. Run from the repo root.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
convert -size 512x512 xc:none -fill '#2563eb' -draw 'roundrectangle 16,16 495,495 96,96' \
  -fill white -draw 'rectangle 112,172 330,212' -draw 'polygon 320,122 410,192 320,262' \
  -draw 'rectangle 182,300 400,340' -draw 'polygon 192,250 102,320 192,390' -depth 8 "$tmp/icon512.png"
convert "$tmp/icon512.png" -resize 1024x1024 -depth 8 build/appicon.png     # Wails (wails.json) and packaging
convert "$tmp/icon512.png" -resize 64x64 -depth 8 app/tray/icon.png         # tray icon
convert "$tmp/icon512.png" -resize 256x256 -depth 8 app/window/appicon.png  # window icon (Linux)
