// Command modelswitch is the ModelSwitch core: the gateway with its CLI. This
// file only parses flags and wires packages together (conventions C10).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/modelswitch/modelswitch/app/core"
	"github.com/modelswitch/modelswitch/frontend"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type options struct {
	workspace string
	host      string
	port      int
	start     bool
	version   bool
	svc       *serviceFlags
	add       addFlags
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("modelswitch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.workspace, "workspace", "", "workspace directory (default $MODELSWITCH_WORKSPACE, else ~/.modelswitch)")
	fs.StringVar(&o.workspace, "w", "", "shorthand for --workspace")
	fs.StringVar(&o.host, "host", "", "listen host (overrides gateway.host)")
	fs.IntVar(&o.port, "port", 0, "listen port (overrides gateway.port)")
	fs.BoolVar(&o.start, "start", false, "run the gateway in the foreground (headless)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	o.svc = addServiceFlags(fs)
	o.add.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: modelswitch [--start] [--workspace DIR] [--host H] [--port P]\n"+
			"       modelswitch --install [--system] [--linger] | --uninstall | --start-service | --stop | --restart | --status [--json] | --log | --print-unit\n"+
			"       modelswitch --add-provider PRESET [--api-key KEY] [--protocol P] [--name N] [--with-models]\n"+
			"       modelswitch --version\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if o.port < 0 || o.port > 65535 {
		return nil, fmt.Errorf("--port %d is out of range 1..65535", o.port)
	}
	return o, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without os.Exit, for tests. Exit codes: 0 ok, 1 runtime failure,
// 2 bad flags or configuration.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		if !strings.HasPrefix(err.Error(), "flag") && !strings.Contains(err.Error(), "flag provided") {
			fmt.Fprintln(stderr, "modelswitch:", err)
		} // the flag package has already printed its own errors with the usage
		return 2
	}
	if o.version {
		fmt.Fprintln(stdout, "modelswitch", version)
		return 0
	}
	if o.add.preset != "" {
		return o.add.run(o.workspace, stdout, stderr)
	}
	if handled, code := runServiceVerb(o.svc, o.workspace, o.host, o.port, stdout, stderr); handled {
		return code
	}
	// Without --start a desktop build with a display runs the core with its
	// tray (runDesktop); everything else runs the headless core.
	if !o.start {
		if handled, code := runDesktop(o, stdout, stderr); handled {
			return code
		}
	}
	return serve(o, stdout, stderr)
}

// serve runs the headless core: gateway and control channel, in the
// foreground until SIGINT/SIGTERM (SIGHUP reloads). The service runs the same.
func serve(o *options, stdout, stderr io.Writer) int {
	return core.Main(core.MainOptions{Workspace: o.workspace, Host: o.host, Port: o.port, Version: version,
		Stdout: stdout, Stderr: stderr, UI: frontend.Handler()})
}
