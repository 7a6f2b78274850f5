//go:build desktop

package tray

import (
	"context"

	"github.com/getlantern/systray"
)

// Run shows the tray icon and menu and runs the GUI loop on the calling
// goroutine until Quit. It must be called on the main thread (systray locks
// it in its init): on Linux the loop is gtk_main, which the AppIndicator
// (StatusNotifierItem over D-Bus, or an XEmbed icon where no SNI host runs)
// and the menu live on. Empty Copy and OpenFolder use the defaults.
func Run(o Options) {
	if o.Copy == nil {
		o.Copy = Copy
	}
	if o.OpenFolder == nil {
		o.OpenFolder = OpenFolder
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	systray.Run(func() {
		// onReady runs in its own goroutine (systray v1.2.2); it must return.
		showIcon()
		systray.SetTooltip("ModelSwitch")
		t := New(kit{}, o)
		go t.Run(ctx)
	}, cancel)
}

// Quit ends Run's loop. It is safe from any goroutine, even before Run has
// started (the request waits in the GUI loop's queue).
func Quit() { systray.Quit() }

// kit is the Toolkit over getlantern/systray.
type kit struct{}

func (kit) AddItem(title string, checkable, checked bool) Item {
	if checkable {
		return item{systray.AddMenuItemCheckbox(title, "", checked)}
	}
	return item{systray.AddMenuItem(title, "")}
}

func (kit) AddSubItem(parent Item, title string, checkable, checked bool) Item {
	p := parent.(item).m
	if checkable {
		return item{p.AddSubMenuItemCheckbox(title, "", checked)}
	}
	return item{p.AddSubMenuItem(title, "")}
}

func (kit) AddSeparator() { systray.AddSeparator() }

type item struct{ m *systray.MenuItem }

func (i item) SetTitle(s string) { i.m.SetTitle(s) }

func (i item) SetChecked(b bool) {
	if b {
		i.m.Check()
	} else {
		i.m.Uncheck()
	}
}

func (i item) SetEnabled(b bool) {
	if b {
		i.m.Enable()
	} else {
		i.m.Disable()
	}
}

func (i item) SetVisible(b bool) {
	if b {
		i.m.Show()
	} else {
		i.m.Hide()
	}
}

func (i item) Clicked() <-chan struct{} { return i.m.ClickedCh }
