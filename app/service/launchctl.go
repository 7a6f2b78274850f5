package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	ksvc "github.com/kardianos/service"
)

// launchdManager drives launchctl: kardianos/service for load/unload (start/stop/restart),
// launchctl list and tail for status and logs.
type launchdManager struct {
	label, path string
	ks          ksvc.Service
}

func newLaunchd(label, path string) (Manager, error) {
	ks, err := kardianos("darwin-launchd", &ksvc.Config{Name: label, Option: ksvc.KeyValue{"UserService": true}})
	if err != nil {
		return nil, err
	}
	return &launchdManager{label: label, path: path, ks: ks}, nil
}

func (m *launchdManager) Kind() Kind       { return Launchd }
func (m *launchdManager) UnitPath() string { return m.path }
func (m *launchdManager) Describe() string { return "launchd agent " + m.label }

func (m *launchdManager) Install(changed bool) error {
	st, err := m.Status()
	if err != nil {
		return err
	}
	if st.Loaded {
		if !changed {
			return nil
		}
		if err := control(m.ks, m.Describe(), "stop"); err != nil {
			return err
		}
	}
	return control(m.ks, m.Describe(), "start")
}

func (m *launchdManager) Uninstall(remove func() error) error {
	var errs []error
	if st, err := m.Status(); err == nil && st.Loaded {
		if err := control(m.ks, m.Describe(), "stop"); err != nil {
			errs = append(errs, err)
		}
	}
	if err := remove(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (m *launchdManager) Start() error   { return control(m.ks, m.Describe(), "start") }
func (m *launchdManager) Stop() error    { return control(m.ks, m.Describe(), "stop") }
func (m *launchdManager) Restart() error { return control(m.ks, m.Describe(), "restart") }

var (
	launchdPID  = regexp.MustCompile(`"PID" = ([0-9]+);`)
	launchdExit = regexp.MustCompile(`"LastExitStatus" = (-?[0-9]+);`)
)

func (m *launchdManager) Status() (State, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := runCmd(ctx, "launchctl", "list", m.label)
	if err != nil { // not loaded: launchctl list exits non-zero for an unknown label
		return State{Detail: "not loaded"}, nil
	}
	st := State{Loaded: true, Enabled: true, Detail: "loaded, not running"}
	if g := launchdPID.FindStringSubmatch(out); g != nil {
		st.PID, _ = strconv.Atoi(g[1])
		st.Active, st.Detail = true, "running"
	} else if g := launchdExit.FindStringSubmatch(out); g != nil && g[1] != "0" {
		st.Detail = "loaded, not running (last exit status " + g[1] + ")"
	}
	return st, nil
}

// Logs tails the files the plist sends stdout and stderr to (in the plist's workspace).
func (m *launchdManager) Logs(ctx context.Context, follow bool, lines int, w io.Writer) error {
	data, err := os.ReadFile(m.path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", m.path, err)
	}
	s, err := ParseLaunchd(data)
	if err != nil {
		return fmt.Errorf("reading %s: %w", m.path, err)
	}
	out, errPath := LaunchdLogs(s.Workspace)
	var files []string
	for _, f := range []string{out, errPath} {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return fmt.Errorf("no log file yet in %s", filepath.Dir(out))
	}
	return tailFiles(ctx, lines, follow, w, files...)
}

func (m *launchdManager) EnableLinger(string) error {
	return &UsageError{"--linger is for systemd user units; a LaunchAgent runs while you are logged in"}
}
