//go:build desktop || dev || bindings

package window

import (
	"context"
	_ "embed"
	"log/slog"
	"net"
	"net/http"
	"sync"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/modelswitch/modelswitch/app/control"
)

//go:embed appicon.png
var appIcon []byte

// Options configure Run.
type Options struct {
	Handler http.Handler // see Handler
	Log     *slog.Logger
	// Eval is JavaScript run once the page's DOM is ready, after the
	// window's own script (the smoke test's probe; empty in normal use).
	Eval string
	// Focus is the window's socket (control.WindowSocketPath, from
	// control.Listen): "focus" requests on it raise the window. Run closes it.
	Focus net.Listener
}

// Run shows the window and returns when it is closed (or on SIGINT/SIGTERM,
// which Wails turns into a normal close).
func Run(o Options) error {
	a := &app{log: o.Log, eval: o.Eval}
	if o.Focus != nil {
		go control.ServeWindow(o.Focus, a.focus)
		defer o.Focus.Close()
	}
	return wails.Run(&options.App{
		Title:            "ModelSwitch",
		Width:            1200,
		Height:           780,
		MinWidth:         760,
		MinHeight:        520,
		BackgroundColour: &options.RGBA{R: 255, G: 255, B: 255, A: 255},
		AssetServer:      &assetserver.Options{Handler: o.Handler},
		OnStartup:        a.startup,
		OnDomReady:       a.domReady,
		Linux:            &linux.Options{Icon: appIcon, ProgramName: "modelswitch"},
	})
}

type app struct {
	log  *slog.Logger
	eval string
	mu   sync.Mutex
	ctx  context.Context // Wails' runtime context, set in startup
}

// startup runs in a goroutine of Wails' (not the GUI thread): it only keeps the context.
func (a *app) startup(ctx context.Context) {
	a.mu.Lock()
	a.ctx = ctx
	a.mu.Unlock()
}

func (a *app) domReady(ctx context.Context) {
	runtime.WindowExecJS(ctx, langScript)
	if a.eval != "" {
		runtime.WindowExecJS(ctx, a.eval)
	}
}

// focus raises the window; runtime calls are marshalled to the GUI thread by Wails.
func (a *app) focus() {
	a.mu.Lock()
	ctx := a.ctx
	a.mu.Unlock()
	if ctx == nil {
		return // not shown yet: it is about to be, in front
	}
	a.log.Info("bringing the window to the front")
	runtime.WindowUnminimise(ctx)
	runtime.WindowShow(ctx)
	runtime.WindowSetAlwaysOnTop(ctx, true)
	runtime.WindowSetAlwaysOnTop(ctx, false)
}
