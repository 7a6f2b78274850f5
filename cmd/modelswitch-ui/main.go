//go:build desktop || dev || bindings

// Command modelswitch-ui is ModelSwitch's admin window (app/window): the
// core's tray starts it from the directory of its own executable. Build it
// with cgo and -tags desktop,production,webkit2_41 (`make desktop`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/app/window"
	"github.com/modelswitch/modelswitch/frontend"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("modelswitch-ui", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ws := fs.String("workspace", "", "workspace directory (default $MODELSWITCH_WORKSPACE, else ~/.modelswitch)")
	sock := fs.String("socket", "", "the core's control socket (default <workspace>/run/control.sock)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil)).With("process", "window")
	runDir := ""
	if *sock == "" || *ws != "" {
		dir, err := workspace.Resolve(*ws)
		if err != nil {
			fmt.Fprintln(stderr, "modelswitch-ui:", err)
			return 2
		}
		runDir = workspace.New(dir).RunDir
	}
	if *sock == "" {
		*sock = control.SocketPath(runDir)
	}
	if runDir == "" {
		runDir = filepath.Dir(*sock)
	}
	var focus net.Listener
	if !window.BindingsBuild { // the wails CLI runs this binary to generate bindings: go straight to Run
		ln, err := control.Listen(control.WindowSocketPath(runDir))
		var inUse *control.InUseError
		if errors.As(err, &inUse) {
			if err := control.FocusWindow(inUse.Path); err != nil {
				fmt.Fprintln(stderr, "modelswitch-ui: a window is already open, but it could not be raised:", err)
				return 1
			}
			log.Info("a window is already open; asked it to come to the front")
			return 0
		}
		if err != nil {
			fmt.Fprintln(stderr, "modelswitch-ui:", err)
			return 1
		}
		focus = ln
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = control.NewClient(*sock).Status(ctx)
		cancel()
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "modelswitch-ui: the ModelSwitch core is not running (start modelswitch first): %v\n", err)
			return 1
		}
	}
	cl := control.NewClient(*sock)
	err := window.Run(window.Options{
		Handler: window.Handler(cl, frontend.Handler(), log),
		Log:     log,
		Eval:    os.Getenv("MODELSWITCH_UI_EVAL"),
		Focus:   focus,
	})
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch-ui:", err)
		return 1
	}
	return 0
}
