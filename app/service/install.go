package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// Controller runs the service verbs for one target: it owns the unit file (render, compare,
// atomic write) and leaves the service manager to its Manager.
type Controller struct {
	Manager Manager
	Spec    Spec    // what --install writes; the other verbs prefer what the installed file says
	Account Account // who the service runs as: what Install creates for it becomes theirs
	Out     io.Writer
	Linger  bool // --install: let the user's systemd run without a login
	// WaitHealthy bounds how long Install, Start and Restart wait for the gateway to answer
	// /api/config/health; 0 skips the wait.
	WaitHealthy time.Duration
	// Probe checks the gateway's health; nil means ProbeHealth.
	Probe func(ctx context.Context, addr string) Health
}

// Render renders s in the format of the manager kind k.
func Render(k Kind, s Spec) ([]byte, error) {
	if k == Launchd {
		return RenderLaunchd(s)
	}
	return RenderSystemd(s)
}

// Install writes the unit (atomically; "already installed (unchanged)" when it is identical),
// enables and starts it, and waits for the gateway to answer. Refusals (workspace in use, port
// taken) happen before anything is written; a manager failure restores the previous state.
func (c *Controller) Install() error {
	path := c.Manager.UnitPath()
	if _, err := Render(c.Manager.Kind(), c.Spec); err != nil { // refuse bad paths before creating anything
		return err
	}
	ws, err := c.openWorkspace()
	if err != nil {
		return err
	}
	spec := c.Spec
	spec.ExtraWritable = LogDirs(ws.Dir)
	for _, d := range spec.ExtraWritable {
		if err := c.mkdirFor(d); err != nil {
			return err
		}
	}
	content, err := Render(c.Manager.Kind(), spec)
	if err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	fresh := errors.Is(err, fs.ErrNotExist)
	if err != nil && !fresh {
		return fmt.Errorf("reading the installed %s: %w", path, err)
	}
	changed := fresh || !bytes.Equal(old, content)
	st, err := c.Manager.Status()
	if err != nil {
		return err
	}
	if !st.Active {
		if err := c.preflight(ws, spec); err != nil {
			return err
		}
	}
	switch {
	case !changed:
		fmt.Fprintf(c.Out, "%s already installed (unchanged): %s\n", c.Manager.Describe(), path)
	default:
		if err := writeAtomic(path, content); err != nil {
			return err
		}
		verb := "Installed"
		if !fresh {
			verb = "Updated"
			if prev, perr := c.parse(old); perr == nil && prev.Workspace != spec.Workspace {
				verb += fmt.Sprintf(" (workspace was %s)", prev.Workspace)
			}
		}
		fmt.Fprintf(c.Out, "%s %s: %s\n", verb, c.Manager.Describe(), path)
	}
	if err := c.Manager.Install(changed); err != nil {
		return c.rollback(path, fresh, changed, old, err)
	}
	if c.Linger {
		if err := c.Manager.EnableLinger(c.Account.Name); err != nil {
			return fmt.Errorf("the service is installed, but enabling lingering failed: %w", err)
		}
		fmt.Fprintf(c.Out, "Lingering enabled for %s: the service runs without a login.\n", c.Account.Name)
	} else if st, err := c.Manager.Status(); err == nil && st.Linger == "no" {
		fmt.Fprintln(c.Out, "Note: the service runs while you are logged in; `modelswitch --install --linger` keeps it running without a login.")
	}
	if err := c.waitHealthy(spec); err != nil {
		return err
	}
	fmt.Fprintln(c.Out, "Manage it with: modelswitch --status | --stop | --start-service | --restart | --log | --uninstall")
	return nil
}

// rollback undoes a failed Manager.Install: a new unit is removed, an updated one restored.
func (c *Controller) rollback(path string, fresh, changed bool, old []byte, cause error) error {
	switch {
	case fresh:
		_ = c.Manager.Uninstall(func() error { return os.Remove(path) })
		return fmt.Errorf("%w; the unit was removed again, nothing is installed", cause)
	case changed:
		if err := writeAtomic(path, old); err != nil {
			return errors.Join(cause, err)
		}
		_ = c.Manager.Install(true)
		return fmt.Errorf("%w; the previous unit file was restored", cause)
	}
	return cause
}

// openWorkspace creates the workspace (and its first config, whose admin key it shows once,
// or saves to a file when c.Out is not a terminal) and says what is left open to other users;
// under sudo whatever it created is handed to the account the service runs as.
func (c *Controller) openWorkspace() (*workspace.Workspace, error) {
	w := workspace.New(c.Spec.Workspace)
	created := missingDirs(w.Dir)
	for _, p := range []string{w.LogDir, w.DataDir, w.RunDir, w.ConfigPath, w.LockPath()} {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			created = append(created, p)
		}
	}
	ws, first, err := workspace.Open(c.Spec.Workspace)
	if err != nil {
		return nil, err
	}
	if first != nil {
		// A terminal shows the key; an install whose output is captured (a provisioning
		// script's log) gets a 0600 file instead, handed to the service's account below.
		// Like every other line of c.Out, a failed write is not a failed install.
		if keyFile, _ := ws.ShowFirstRun(c.Out, first); keyFile != "" {
			created = append(created, keyFile)
		}
	}
	c.warnExposure(ws)
	// Take and drop the lock now, so the lock file exists and is chowned with the rest.
	if unlock, err := ws.Lock(); err == nil {
		_ = unlock()
	}
	return ws, c.chown(created)
}

// warnExposure says what the workspace leaves open to other users: directories Open could
// not make private, a config.yaml others can read.
func (c *Controller) warnExposure(ws *workspace.Workspace) {
	for _, w := range ws.Exposure() {
		fmt.Fprintf(c.Out, "Warning: %s\n", w)
	}
}

// mkdirFor creates dir (an extra writable directory) for the service's account.
func (c *Controller) mkdirFor(dir string) error {
	created := missingDirs(dir)
	if err := os.MkdirAll(dir, workspace.DirMode); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return c.chown(created)
}

// missingDirs lists dir and its ancestors that do not exist yet, outermost first.
func missingDirs(dir string) []string {
	var out []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) || d == filepath.Dir(d) {
			break
		}
		out = append([]string{d}, out...)
	}
	return out
}

// chown gives paths to the service's account when root works on its behalf (sudo).
func (c *Controller) chown(paths []string) error {
	if os.Geteuid() != 0 || c.Account.UID == 0 || c.Account.Name == "" {
		return nil
	}
	for _, p := range paths {
		if err := os.Lchown(p, c.Account.UID, c.Account.GID); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("handing %s to %s: %w", p, c.Account.Name, err)
		}
	}
	return nil
}

// preflight refuses, before anything is written, what would make the service fail at once: a
// core already serving the workspace, or another process on the port.
func (c *Controller) preflight(ws *workspace.Workspace, s Spec) error {
	unlock, err := ws.Lock()
	var locked *workspace.LockedError
	switch {
	case errors.As(err, &locked):
		return fmt.Errorf("%w; the service cannot serve this workspace while it runs, so nothing was installed", err)
	case err != nil:
		return err
	}
	_ = unlock()
	listen, _, _ := Addresses(s)
	ln, err := net.Listen("tcp", listen)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s is already in use by another process; free it or choose another port "+
			"(--port, or gateway.port in %s); nothing was installed", listen, ws.ConfigPath)
	}
	if err != nil {
		return fmt.Errorf("the service could not listen on %s: %w; nothing was installed", listen, err)
	}
	return ln.Close()
}

// writeAtomic replaces path with data (mode 0644: unit files hold no secrets) via a temp file
// in the same directory and a rename, so a failure never leaves half a file.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return permissionHint(path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return permissionHint(path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o644); err == nil {
		if _, err = f.Write(data); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return permissionHint(path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func permissionHint(path string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("writing %s: permission denied; a system unit needs root: "+
			"`sudo modelswitch --install --system`", path)
	}
	return fmt.Errorf("writing %s: %w", path, err)
}

// parse reads an installed unit file or plist back into a Spec.
func (c *Controller) parse(data []byte) (Spec, error) {
	if c.Manager.Kind() == Launchd {
		return ParseLaunchd(data)
	}
	return ParseSystemd(data)
}
