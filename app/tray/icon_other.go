//go:build desktop && !darwin

package tray

import (
	_ "embed"

	"github.com/getlantern/systray"
)

//go:embed icon.png
var icon []byte

// showIcon sets the coloured icon: Linux panels draw it as it is.
func showIcon() { systray.SetIcon(icon) }
