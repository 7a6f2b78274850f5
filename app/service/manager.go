package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Kind is the service manager's family, which decides the file format.
type Kind int

// The supported service managers.
const (
	Systemd Kind = iota + 1
	Launchd
)

// State is what a Manager knows about the installed service.
type State struct {
	Loaded  bool   // the manager knows the unit/job
	Enabled bool   // starts on its own (systemd: enabled; launchd: loaded with RunAtLoad)
	Active  bool   // running
	Detail  string // the manager's own words, e.g. "active (running)" or "failed (exit-code)"
	PID     int    // 0 when not running
	Linger  string // systemd user units: "yes" or "no"; "" when not applicable or unknown
}

// Manager hides systemctl/launchctl/journalctl. The Controller owns the unit file itself (it
// renders, compares and writes it atomically); a Manager only tells the service manager.
type Manager interface {
	Kind() Kind
	Describe() string // e.g. "systemd user unit modelswitch.service"
	UnitPath() string // where the unit file or plist lives
	// Install registers the unit file already in place, enables it and starts it; changed
	// means its content is new, so a running service is restarted.
	Install(changed bool) error
	// Uninstall stops and deregisters the service, calling remove to delete the file at the
	// point where the manager must no longer see it.
	Uninstall(remove func() error) error
	Start() error
	Stop() error
	Restart() error
	Status() (State, error)
	// Logs writes the service's recent log (lines of it) to w, and keeps following it until
	// ctx ends when follow is set.
	Logs(ctx context.Context, follow bool, lines int, w io.Writer) error
	// EnableLinger lets the user's service manager run without a login (systemd user units).
	EnableLinger(user string) error
}

// ErrNoManager says there is nothing to install into. Never a silent success.
var ErrNoManager = errors.New("no systemd or launchd found: run `modelswitch --start` under your own supervisor")

// DetectOptions selects the manager Detect returns.
type DetectOptions struct {
	System  bool    // a systemd system unit instead of a user unit
	Account Account // who the service runs as; its home holds user units and LaunchAgents
	Name    string  // unit name or launchd label; "" = the default
	// Getenv reads XDG_CONFIG_HOME for the invoking user; nil for os.Getenv.
	Getenv func(string) string
}

// Detect finds the platform's service manager: systemd when /run/systemd/system exists (it was
// booted with systemd) and, for a user unit, `systemctl --user` answers; launchd on macOS.
// Anything else is ErrNoManager with the reason.
func Detect(o DetectOptions) (Manager, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	spec := Spec{Name: o.Name}
	switch runtime.GOOS {
	case "darwin":
		if o.System {
			return nil, &UsageError{"--system is for systemd; on macOS the service is a LaunchAgent of your account"}
		}
		path := filepath.Join(o.Account.Home, "Library", "LaunchAgents", spec.Label()+".plist")
		return newLaunchd(spec.Label(), path)
	case "linux":
	default:
		return nil, fmt.Errorf("%w (this is %s)", ErrNoManager, runtime.GOOS)
	}
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return nil, fmt.Errorf("%w (this system was not booted with systemd: /run/systemd/system is missing)", ErrNoManager)
	}
	if _, err := exec.LookPath("systemctl"); err != nil {
		return nil, fmt.Errorf("%w (systemctl is not on PATH)", ErrNoManager)
	}
	if o.System {
		return newSystemd(spec.UnitName(), filepath.Join("/etc/systemd/system", spec.UnitName()), false)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := runCmd(ctx, "systemctl", "--user", "show-environment"); err != nil {
		return nil, fmt.Errorf("%w: systemd runs, but your user manager does not answer (%v); "+
			"log in through a session (or `loginctl enable-linger %s` as root), or use "+
			"`sudo modelswitch --install --system`", ErrNoManager, err, o.Account.Name)
	}
	return newSystemd(spec.UnitName(), filepath.Join(userConfigDir(o), "systemd", "user", spec.UnitName()), true)
}

// userConfigDir is where the user's systemd reads units: $XDG_CONFIG_HOME, else ~/.config.
func userConfigDir(o DetectOptions) string {
	if x := o.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return x
	}
	return filepath.Join(o.Account.Home, ".config")
}

// runCmd runs a command and returns its stdout; a failure carries its stderr.
func runCmd(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return stdout.String(), fmt.Errorf("%s %s: %s", name, strings.Join(args, " "), msg)
	}
	return stdout.String(), nil
}
