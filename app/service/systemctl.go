package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	ksvc "github.com/kardianos/service"
)

// noProgram satisfies kardianos' Interface: we only control the service, never run as one
// through it (the core's --start is its own main loop).
type noProgram struct{}

func (noProgram) Start(ksvc.Service) error { return nil }
func (noProgram) Stop(ksvc.Service) error  { return nil }

// kardianos returns kardianos/service's backend by name. Its own choice (ChosenSystem) is not
// used: on Linux without systemd it falls back to SysV init, which "detects" everywhere.
func kardianos(system string, c *ksvc.Config) (ksvc.Service, error) {
	for _, s := range ksvc.AvailableSystems() {
		if s.String() == system {
			return s.New(noProgram{}, c)
		}
	}
	return nil, fmt.Errorf("%w (kardianos/service has no %s backend on %s)", ErrNoManager, system, runtime.GOOS)
}

// control runs a kardianos start/stop/restart. Its errors carry only an exit status (it
// discards systemctl's stderr), so say where to look.
func control(ks ksvc.Service, what, action string) error {
	if err := ksvc.Control(ks, action); err != nil {
		return fmt.Errorf("%s of the %s failed: %w; `modelswitch --status` and `modelswitch --log` tell why",
			action, what, err)
	}
	return nil
}

// systemdManager drives systemctl: kardianos/service for start/stop/restart, systemctl,
// journalctl and loginctl directly for what kardianos does not offer.
type systemdManager struct {
	unit, path string
	user       bool
	ks         ksvc.Service
}

func newSystemd(unit, path string, user bool) (Manager, error) {
	ks, err := kardianos("linux-systemd", &ksvc.Config{Name: strings.TrimSuffix(unit, ".service"),
		Option: ksvc.KeyValue{"UserService": user}})
	if err != nil {
		return nil, err
	}
	return &systemdManager{unit: unit, path: path, user: user, ks: ks}, nil
}

func (m *systemdManager) Kind() Kind       { return Systemd }
func (m *systemdManager) UnitPath() string { return m.path }
func (m *systemdManager) Describe() string {
	if m.user {
		return "systemd user unit " + m.unit
	}
	return "systemd system unit " + m.unit
}

// ctl runs systemctl (--user for a user unit) with a bounded wait.
func (m *systemdManager) ctl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if m.user {
		args = append([]string{"--user"}, args...)
	}
	return runCmd(ctx, "systemctl", args...)
}

func (m *systemdManager) Install(changed bool) error {
	if _, err := m.ctl("daemon-reload"); err != nil {
		return err
	}
	if _, err := m.ctl("enable", m.unit); err != nil {
		return err
	}
	_, _ = m.ctl("reset-failed", m.unit) // a unit that hit its start limit before may start again
	if changed {
		return control(m.ks, m.Describe(), "restart") // restart also starts a stopped unit
	}
	return control(m.ks, m.Describe(), "start")
}

func (m *systemdManager) Uninstall(remove func() error) error {
	var errs []error
	if st, err := m.Status(); err == nil && st.Active {
		if err := control(m.ks, m.Describe(), "stop"); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := m.ctl("disable", m.unit); err != nil {
		errs = append(errs, err)
	}
	if err := remove(); err != nil {
		return errors.Join(append(errs, err)...)
	}
	_, _ = m.ctl("daemon-reload")
	_, _ = m.ctl("reset-failed", m.unit)
	return errors.Join(errs...)
}

func (m *systemdManager) Start() error { return control(m.ks, m.Describe(), "start") }
func (m *systemdManager) Stop() error  { return control(m.ks, m.Describe(), "stop") }

func (m *systemdManager) Restart() error {
	if _, err := m.ctl("daemon-reload"); err != nil { // pick up an edited unit file
		return err
	}
	_, _ = m.ctl("reset-failed", m.unit)
	return control(m.ks, m.Describe(), "restart")
}

func (m *systemdManager) Status() (State, error) {
	out, err := m.ctl("show", m.unit, "--property=LoadState,ActiveState,SubState,UnitFileState,MainPID")
	if err != nil {
		return State{}, err
	}
	p := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok {
			p[k] = v
		}
	}
	st := State{
		Loaded:  p["LoadState"] == "loaded",
		Enabled: p["UnitFileState"] == "enabled",
		Active:  p["ActiveState"] == "active",
		Detail:  p["ActiveState"] + " (" + p["SubState"] + ")",
	}
	st.PID, _ = strconv.Atoi(p["MainPID"])
	if m.user {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if v, err := runCmd(ctx, "loginctl", "show-user", strconv.Itoa(os.Getuid()), "--property=Linger", "--value"); err == nil {
			st.Linger = strings.TrimSpace(v)
		}
	}
	return st, nil
}

// Logs uses `journalctl --user-unit` for a user unit rather than `--user -u`: it reads every
// journal the user may read, so it also works where user messages land in the system journal
// (volatile storage, no per-user split).
func (m *systemdManager) Logs(ctx context.Context, follow bool, lines int, w io.Writer) error {
	args := []string{"-u", m.unit}
	if m.user {
		args = []string{"--user-unit=" + m.unit}
	}
	args = append(args, "--no-pager", "-n", strconv.Itoa(lines))
	if follow {
		args = append(args, "-f")
	}
	cmd := exec.CommandContext(ctx, "journalctl", args...)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("journalctl %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

func (m *systemdManager) EnableLinger(user string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := runCmd(ctx, "loginctl", "enable-linger", user)
	return err
}
