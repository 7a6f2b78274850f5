// Command modelswitch is the ModelSwitch core: the gateway with its CLI. This
// file only parses flags and wires packages together (conventions C10).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/modelswitch/modelswitch/frontend"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/logs"
	"github.com/modelswitch/modelswitch/gateway/server"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/workspace"
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
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: modelswitch [--start] [--workspace DIR] [--host H] [--port P]\n"+
			"       modelswitch --install [--system] [--linger] | --uninstall | --start-service | --stop | --restart | --status [--json] | --log | --print-unit\n"+
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
	if handled, code := runServiceVerb(o.svc, o.workspace, o.host, o.port, stdout, stderr); handled {
		return code
	}
	// Every other shape (desktop, service) arrives in later versions; today all
	// of them run the headless core.
	return serve(o, stdout, stderr)
}

func serve(o *options, stdout, stderr io.Writer) int {
	dir, err := workspace.Resolve(o.workspace)
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return 2
	}
	ws, first, err := workspace.Open(dir)
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return 1
	}
	unlock, err := ws.Lock()
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return 1
	}
	defer unlock()
	if first != nil {
		fmt.Fprintf(stdout, "Created %s with a new admin API key (shown only this once):\n\n    %s\n\n"+
			"Add your providers and models to that file; clients use the key as their API key.\n\n",
			first.ConfigPath, first.AdminKey)
	}

	cfg, warnings, err := config.Load(ws.ConfigPath)
	if err != nil {
		fmt.Fprintf(stderr, "modelswitch: configuration %s is invalid:\n%v\n", ws.ConfigPath, err)
		return 2
	}
	logDir := cfg.Gateway.LogDir
	if !filepath.IsAbs(logDir) {
		logDir = filepath.Join(ws.Dir, logDir)
	}
	lg, err := logs.Setup(logs.Options{Dir: logDir, Level: cfg.Gateway.SlogLevel(), MaxBytes: cfg.Gateway.LogMaxBytes,
		Backups: cfg.Gateway.LogBackupCount, Console: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch: setting up logs:", err)
		return 1
	}
	defer lg.Close()
	log := lg.Logger
	for _, w := range warnings {
		log.Warn("config: " + w.String())
	}
	db, err := store.Open(filepath.Join(ws.DataDir, store.FileName))
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return 1
	}
	defer db.Close()

	srv, err := server.New(server.Options{
		Config:       cfg,
		Host:         o.host,
		Port:         o.port,
		Log:          log,
		Version:      version,
		ConfigPath:   ws.ConfigPath,
		DB:           db,
		WorkspaceDir: ws.Dir,
		LogRing:      lg.Ring,
		UI:           frontend.Handler(),
		OnReload:     func(c *config.Config) { lg.SetLevel(c.Gateway.SlogLevel()) },
	})
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return 1
	}
	addr, err := srv.Listen()
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return 1
	}
	log.Info("ModelSwitch is serving", "version", version, "address", "http://"+addr.String(),
		"workspace", ws.Dir, "models", len(cfg.Models), "providers", len(cfg.Providers))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				log.Info("SIGHUP: reloading the configuration")
				_ = srv.ReloadFromDisk()
			case <-ctx.Done():
				return
			}
		}
	}()
	if err := srv.Run(ctx); err != nil {
		log.Error("gateway stopped with an error", "err", err)
		return 1
	}
	log.Info("ModelSwitch stopped")
	return 0
}
