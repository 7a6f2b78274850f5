package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/modelswitch/modelswitch/app/service"
)

// serviceFlags are the service verbs (DESIGN §15, issue #9) and their modifiers.
type serviceFlags struct {
	install, uninstall, startService, stop, restart, log, status, printUnit bool
	system, linger, allowRoot, json                                         bool
	fs                                                                      *flag.FlagSet
}

// addServiceFlags declares the service flags on fs.
func addServiceFlags(fs *flag.FlagSet) *serviceFlags {
	sf := &serviceFlags{fs: fs}
	fs.BoolVar(&sf.install, "install", false, "install the headless core for this workspace as a service (systemd user unit; LaunchAgent on macOS) and start it")
	fs.BoolVar(&sf.uninstall, "uninstall", false, "stop and remove the service (the workspace stays)")
	fs.BoolVar(&sf.startService, "start-service", false, "start the installed service")
	fs.BoolVar(&sf.stop, "stop", false, "stop the installed service")
	fs.BoolVar(&sf.restart, "restart", false, "restart the installed service")
	fs.BoolVar(&sf.log, "log", false, "follow the service's log")
	fs.BoolVar(&sf.status, "status", false, "show whether the service is installed, enabled and running, its pid, address, health and workspace")
	fs.BoolVar(&sf.printUnit, "print-unit", false, "print the unit file (plist on macOS) that --install would write")
	fs.BoolVar(&sf.system, "system", false, "with a service verb: a systemd system unit that runs as you (use sudo) instead of a user unit")
	fs.BoolVar(&sf.linger, "linger", false, "with --install: let your user services run without a login (loginctl enable-linger)")
	fs.BoolVar(&sf.allowRoot, "allow-root", false, "with --install: allow a service that runs as root")
	fs.BoolVar(&sf.json, "json", false, "with --status: print JSON")
	return sf
}

// Seams for tests.
var (
	detectManager  = service.Detect
	currentInvoker = service.CurrentInvoker
	executable     = service.Executable
	getenv         = os.Getenv
	waitHealthy    = 15 * time.Second
)

func (sf *serviceFlags) verbs() []string {
	var v []string
	for _, f := range []struct {
		set  bool
		name string
	}{{sf.install, "--install"}, {sf.uninstall, "--uninstall"}, {sf.startService, "--start-service"},
		{sf.stop, "--stop"}, {sf.restart, "--restart"}, {sf.log, "--log"}, {sf.status, "--status"},
		{sf.printUnit, "--print-unit"}} {
		if f.set {
			v = append(v, f.name)
		}
	}
	return v
}

// check refuses flag combinations that cannot mean anything.
func (sf *serviceFlags) check(verb string) error {
	if f := sf.fs.Lookup("start"); f != nil && f.Value.String() == "true" {
		return fmt.Errorf("--start runs the gateway in the foreground; it cannot be combined with %s", verb)
	}
	switch {
	case sf.linger && verb != "--install":
		return errors.New("--linger goes with --install")
	case sf.linger && sf.system:
		return errors.New("--linger is for user units; a --system unit runs without a login anyway")
	case sf.linger && runtime.GOOS == "darwin":
		return errors.New("--linger is for systemd user units; a LaunchAgent runs while you are logged in")
	case sf.json && verb != "--status":
		return errors.New("--json goes with --status")
	}
	return nil
}

// runServiceVerb runs the service verb given on the command line, if any; handled is false
// when there is none. workspaceDir is the raw --workspace value ("" when not given): under sudo
// the default is resolved in the invoking user's home, not root's. host and port are --host and
// --port (""/0 = from config.yaml); --install bakes them into the unit. Exit codes as main: 0,
// 1 failure (including no systemd or launchd), 2 bad flags.
func runServiceVerb(sf *serviceFlags, workspaceDir string, host string, port int, stdout, stderr io.Writer) (handled bool, exitCode int) {
	fail := func(code int, err error) (bool, int) {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return true, code
	}
	verbs := sf.verbs()
	switch {
	case len(verbs) == 0 && (sf.system || sf.linger || sf.allowRoot || sf.json):
		return fail(2, errors.New("--system, --linger, --allow-root and --json go with a service verb: "+
			"--install, --uninstall, --start-service, --stop, --restart, --log, --status or --print-unit"))
	case len(verbs) == 0:
		return false, 0
	case len(verbs) > 1:
		return fail(2, fmt.Errorf("choose one of %s", strings.Join(verbs, ", ")))
	}
	verb := verbs[0]
	if err := sf.check(verb); err != nil {
		return fail(2, err)
	}
	c, err := newController(sf, verb, workspaceDir, host, port, stdout, stderr)
	if err == nil {
		err = runVerb(sf, c, stdout)
	}
	var ue *service.UsageError
	switch {
	case err == nil:
		return true, 0
	case errors.As(err, &ue):
		return fail(2, err)
	}
	return fail(1, err)
}

// newController resolves who and where the service is for, and finds the service manager
// (not for --print-unit, which prints what --install would write without one).
func newController(sf *serviceFlags, verb, workspaceDir, host string, port int, stdout, stderr io.Writer) (*service.Controller, error) {
	inv, err := currentInvoker()
	if err != nil {
		return nil, err
	}
	writes := sf.install || sf.printUnit
	acct, warning, err := inv.Target(sf.system, sf.allowRoot || !writes)
	if err != nil {
		return nil, err
	}
	if warning != "" && writes {
		fmt.Fprintln(stderr, warning)
	}
	ws, err := service.ResolveWorkspace(workspaceDir, getenv, inv, acct)
	if err != nil {
		return nil, err
	}
	spec := service.Spec{Workspace: ws, Home: acct.Home, Host: host, Port: port, System: sf.system}
	if sf.system {
		spec.User = acct.Name
	}
	if writes {
		if spec.Binary, err = executable(); err != nil {
			return nil, err
		}
	}
	c := &service.Controller{Spec: spec, Account: acct, Out: stdout, Linger: sf.linger, WaitHealthy: waitHealthy}
	if sf.printUnit {
		return c, nil
	}
	c.Manager, err = detectManager(service.DetectOptions{System: sf.system, Account: acct, Getenv: getenv})
	return c, err
}

func runVerb(sf *serviceFlags, c *service.Controller, stdout io.Writer) error {
	switch {
	case sf.printUnit:
		kind := service.Systemd
		if runtime.GOOS == "darwin" {
			kind = service.Launchd
		}
		spec := c.Spec
		spec.ExtraWritable = service.LogDirs(spec.Workspace)
		unit, err := service.Render(kind, spec)
		if err != nil {
			return err
		}
		_, err = stdout.Write(unit)
		return err
	case sf.install:
		return c.Install()
	case sf.uninstall:
		return c.Uninstall()
	case sf.startService:
		return c.Start()
	case sf.stop:
		return c.Stop()
	case sf.restart:
		return c.Restart()
	case sf.status:
		return c.Status(sf.json)
	}
	// --log follows until Ctrl-C, which ends it normally.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return c.Logs(ctx, true)
}
