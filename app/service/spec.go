package service

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// Default names of what is installed: the systemd unit <DefaultName>.service and the
// launchd label DefaultLabel (the seed's, seed-behaviour §13.4).
const (
	DefaultName  = "modelswitch"
	DefaultLabel = "com.modelswitch.gateway"
)

// Spec is everything a unit file or plist is rendered from. Renderers are pure functions of it.
type Spec struct {
	Name      string // unit name without .service, or the launchd label; "" = the default
	Binary    string // absolute path of the modelswitch executable
	Workspace string // absolute workspace directory
	User      string // system units: the account the service runs as (User=)
	Home      string // that account's home: where user units and LaunchAgents live
	Host      string // --host baked into the command line; "" = gateway.host from config.yaml
	Port      int    // --port baked into the command line; 0 = gateway.port from config.yaml
	System    bool   // a system unit (root installs it; it runs as User)
	// ExtraWritable lists more directories the hardened unit may write (an absolute
	// gateway.log_dir outside the workspace).
	ExtraWritable []string
}

// Args is the command line after the binary: the headless core for this workspace.
func (s Spec) Args() []string {
	a := []string{"--start", "--workspace", s.Workspace}
	if s.Host != "" {
		a = append(a, "--host", s.Host)
	}
	if s.Port != 0 {
		a = append(a, "--port", strconv.Itoa(s.Port))
	}
	return a
}

// UnitName is the systemd unit's file name.
func (s Spec) UnitName() string {
	if s.Name == "" {
		return DefaultName + ".service"
	}
	return s.Name + ".service"
}

// Label is the launchd job label.
func (s Spec) Label() string {
	if s.Name == "" {
		return DefaultLabel
	}
	return s.Name
}

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	// userRE is what systemd accepts in User= without specifier trouble (no %, no spaces).
	userRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$`)
	hostRE = regexp.MustCompile(`^[A-Za-z0-9.:_-]+$`)
)

// Validate checks what the renderers rely on, with messages meant for the user.
func (s Spec) Validate() error {
	if s.Name != "" && !nameRE.MatchString(s.Name) {
		return usagef("service name %q: use letters, digits, '.', '_' and '-'", s.Name)
	}
	for _, p := range append([]struct{ what, path string }{{"the modelswitch binary", s.Binary},
		{"the workspace", s.Workspace}}, extras(s.ExtraWritable)...) {
		if err := checkPath(p.what, p.path); err != nil {
			return err
		}
	}
	if s.System && !userRE.MatchString(s.User) {
		return usagef("a system unit needs the account it runs as; %q is not a valid user name", s.User)
	}
	if s.Host != "" && !hostRE.MatchString(s.Host) {
		return usagef("--host %q is not a host name or IP address", s.Host)
	}
	if s.Port < 0 || s.Port > 65535 {
		return usagef("--port %d is out of range 1..65535", s.Port)
	}
	return nil
}

func extras(dirs []string) []struct{ what, path string } {
	out := make([]struct{ what, path string }, len(dirs))
	for i, d := range dirs {
		out[i] = struct{ what, path string }{"gateway.log_dir", d}
	}
	return out
}

// checkPath accepts any absolute path a unit file and a plist can carry: spaces, quotes and
// non-ASCII are quoted or escaped by the renderers; control characters and invalid UTF-8
// cannot be written faithfully to both, so they are refused.
func checkPath(what, p string) error {
	if p == "" || !filepath.IsAbs(p) {
		return usagef("%s path %q is not absolute", what, p)
	}
	if !utf8.ValidString(p) {
		return usagef("%s path %q is not valid UTF-8, which unit files require", what, p)
	}
	if i := strings.IndexFunc(p, unicode.IsControl); i >= 0 {
		return usagef("%s path %q contains a control character; pick a path without one", what, p)
	}
	return nil
}

// Account is who the service runs as.
type Account struct {
	Name     string
	UID, GID int
	Home     string
}

// Invoker describes the process running the verb; CurrentInvoker fills it in, tests fake it.
type Invoker struct {
	EUID     int
	SudoUser string  // $SUDO_USER: set when sudo started us
	Current  Account // the effective user
	Lookup   func(name string) (Account, error)
}

// CurrentInvoker describes this process.
func CurrentInvoker() (Invoker, error) {
	u, err := user.Current()
	if err != nil {
		return Invoker{}, fmt.Errorf("finding the current user: %w", err)
	}
	cur, err := account(u)
	if err != nil {
		return Invoker{}, err
	}
	return Invoker{EUID: os.Geteuid(), SudoUser: os.Getenv("SUDO_USER"), Current: cur, Lookup: lookupAccount}, nil
}

func lookupAccount(name string) (Account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return Account{}, fmt.Errorf("looking up user %q: %w", name, err)
	}
	return account(u)
}

func account(u *user.User) (Account, error) {
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return Account{}, fmt.Errorf("user %q has a non-numeric uid or gid: %w", u.Username, err)
	}
	if u.HomeDir == "" {
		return Account{}, fmt.Errorf("user %q has no home directory", u.Username)
	}
	return Account{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir}, nil
}

// UsageError is a refusal that the user fixes by changing the command line (exit code 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error { return &UsageError{fmt.Sprintf(format, a...)} }

// Sudoed reports whether root runs us on behalf of another user.
func (in Invoker) Sudoed() bool {
	return in.EUID == 0 && in.SudoUser != "" && in.SudoUser != "root"
}

// Target decides who the service runs as (seed §16 S9, C9). Under sudo it is SUDO_USER, never
// root; a user unit under sudo is refused, as `systemctl --user` would reach root's manager.
// Running as root itself needs allowRoot and comes with a warning.
func (in Invoker) Target(system, allowRoot bool) (acct Account, warning string, err error) {
	switch {
	case in.Sudoed() && !system:
		return Account{}, "", &UsageError{fmt.Sprintf("a user unit belongs to %s: run this without sudo, "+
			"or add --system for a system unit that runs as %s", in.SudoUser, in.SudoUser)}
	case in.Sudoed():
		acct, err := in.Lookup(in.SudoUser)
		return acct, "", err
	case in.EUID == 0 && !allowRoot:
		return Account{}, "", &UsageError{"refusing to set up a service that runs as root: run " +
			"`sudo modelswitch --install --system` from your own account so it runs as you, or pass " +
			"--allow-root if root is really meant"}
	case in.EUID == 0:
		return in.Current, "WARNING: the service will run as root (--allow-root); a compromised " +
			"gateway would own the machine", nil
	}
	return in.Current, "", nil
}

// ResolveWorkspace is workspace.Resolve for acct: under sudo the default workspace and a
// leading "~" mean acct's home, not root's (seed §16 C9).
func ResolveWorkspace(flagDir string, getenv func(string) string, in Invoker, acct Account) (string, error) {
	dir := strings.TrimSpace(flagDir)
	if dir == "" {
		dir = strings.TrimSpace(getenv(workspace.EnvVar))
	}
	if in.Sudoed() {
		switch {
		case dir == "":
			dir = filepath.Join(acct.Home, workspace.DefaultDirName)
		case dir == "~":
			dir = acct.Home
		case strings.HasPrefix(dir, "~/"):
			dir = filepath.Join(acct.Home, dir[2:])
		}
	}
	return workspace.Resolve(dir)
}

// Executable is this program's path with symlinks resolved, refusing the temporary binary of
// `go run` (the unit would break when the build cache is cleaned).
func Executable() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding the modelswitch binary: %w", err)
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	if strings.Contains(p, string(filepath.Separator)+"go-build") {
		return "", fmt.Errorf("%s is a temporary `go run` binary: build modelswitch (make build) and install from that", p)
	}
	return p, nil
}

// LogDirs returns the absolute gateway.log_dir of the workspace's config.yaml when it lies
// outside the workspace (the hardened unit must be allowed to write it); nil otherwise or when
// the config cannot be read.
func LogDirs(ws string) []string {
	cfg, _, err := config.Load(filepath.Join(ws, "config.yaml"))
	if err != nil || cfg.Gateway.LogDir == "" {
		return nil
	}
	d := cfg.Gateway.LogDir
	if !filepath.IsAbs(d) {
		d = filepath.Join(ws, d)
	}
	d = filepath.Clean(d)
	if rel, err := filepath.Rel(ws, d); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil
	}
	return []string{d}
}
