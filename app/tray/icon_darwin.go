//go:build desktop && darwin

package tray

import (
	_ "embed"

	"github.com/getlantern/systray"
)

// icon_template.png is the glyph of icon.png alone, black on transparent at
// 44×44 (22 pt @2x), drawn with build/icon.sh's arrows:
//
//	convert -size 512x512 xc:none -fill black -draw 'rectangle 112,172 330,212' \
//	  -draw 'polygon 320,122 410,192 320,262' -draw 'rectangle 182,300 400,340' \
//	  -draw 'polygon 192,250 102,320 192,390' -resize 44x44 -depth 8 app/tray/icon_template.png
//
//go:embed icon_template.png
var templateIcon []byte

//go:embed icon.png
var icon []byte

// showIcon uses a template image: the menu bar draws only its alpha, in the
// bar's own colour, so the icon follows light and dark mode and the
// highlighted state as macOS's own icons do; a coloured icon would not.
func showIcon() { systray.SetTemplateIcon(templateIcon, icon) }
