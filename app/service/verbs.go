package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// NotInstalledError says that a verb needs an installed service.
type NotInstalledError struct{ Path string }

func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("ModelSwitch is not installed as a service (no %s): run `modelswitch --install` first", e.Path)
}

// Installed returns what the installed unit file says (binary, workspace, overrides), or a
// *NotInstalledError; the desktop's tray asks it whether the service serves its workspace.
func (c *Controller) Installed() (Spec, error) { return c.installed() }

// installed returns the installed file's Spec, or a *NotInstalledError.
func (c *Controller) installed() (Spec, error) {
	data, err := os.ReadFile(c.Manager.UnitPath())
	if errors.Is(err, fs.ErrNotExist) {
		return Spec{}, &NotInstalledError{c.Manager.UnitPath()}
	}
	if err != nil {
		return Spec{}, fmt.Errorf("reading %s: %w", c.Manager.UnitPath(), err)
	}
	s, err := c.parse(data)
	if err != nil {
		return Spec{}, fmt.Errorf("%s was not written by modelswitch --install: %w", c.Manager.UnitPath(), err)
	}
	return s, nil
}

// Uninstall stops the service and removes its unit; not being installed is reported, not an
// error. The workspace is left alone.
func (c *Controller) Uninstall() error {
	path := c.Manager.UnitPath()
	s, err := c.installed()
	var ni *NotInstalledError
	if errors.As(err, &ni) {
		fmt.Fprintf(c.Out, "ModelSwitch is not installed as a service (no %s); nothing to remove.\n", path)
		return nil
	}
	ws := c.Spec.Workspace
	if err == nil {
		ws = s.Workspace
	}
	err = c.Manager.Uninstall(func() error {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return permissionHint(path, err)
		}
		return nil
	})
	if _, serr := os.Lstat(path); serr == nil {
		return fmt.Errorf("%s is still installed: %w", c.Manager.Describe(), err)
	}
	fmt.Fprintf(c.Out, "Removed %s (%s). The workspace %s was left in place.\n", c.Manager.Describe(), path, ws)
	if err != nil {
		return fmt.Errorf("the unit file is gone, but: %w", err)
	}
	return nil
}

// Start starts the installed service and waits for it to answer.
func (c *Controller) Start() error {
	s, err := c.installed()
	if err != nil {
		return err
	}
	if st, err := c.Manager.Status(); err == nil && st.Active {
		fmt.Fprintf(c.Out, "The %s is already running (pid %d).\n", c.Manager.Describe(), st.PID)
		return nil
	}
	if err := c.Manager.Start(); err != nil {
		return err
	}
	return c.waitHealthy(s)
}

// Stop stops the installed service; it starts again at the next boot or login.
func (c *Controller) Stop() error {
	if _, err := c.installed(); err != nil {
		return err
	}
	if err := c.Manager.Stop(); err != nil {
		return err
	}
	fmt.Fprintln(c.Out, "Service stopped. It starts again at the next login or boot; `modelswitch --uninstall` removes it.")
	return nil
}

// Restart restarts the installed service and waits for it to answer.
func (c *Controller) Restart() error {
	s, err := c.installed()
	if err != nil {
		return err
	}
	if err := c.Manager.Restart(); err != nil {
		return err
	}
	return c.waitHealthy(s)
}

// Logs shows the service's log (showLog), following it when follow is set,
// until ctx ends.
func (c *Controller) Logs(ctx context.Context, follow bool) error {
	var ni *NotInstalledError
	s, err := c.installed()
	if errors.As(err, &ni) {
		fmt.Fprintln(c.Out, "Note:", err)
	}
	if err != nil {
		s = c.Spec
	}
	return c.showLog(ctx, s, follow, 50)
}

// waitHealthy polls the gateway of s until it answers or WaitHealthy passes; on failure it
// shows the last log lines, which say why (a port taken, a bad config).
func (c *Controller) waitHealthy(s Spec) error {
	if c.WaitHealthy <= 0 {
		return nil
	}
	_, dial, _ := Addresses(s)
	deadline := time.Now().Add(c.WaitHealthy)
	var h Health
	for {
		h = c.probe(dial)
		if h.OK {
			fmt.Fprintf(c.Out, "ModelSwitch is serving http://%s (%s).\n", dial, h.Status)
			return nil
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Fprintf(c.Out, "The gateway did not answer at http://%s within %s (%s). Its recent log:\n", dial, c.WaitHealthy, h.Error)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.showLog(ctx, s, false, 20); err != nil {
		fmt.Fprintln(c.Out, "  (", err, ")")
	}
	return fmt.Errorf("the %s is not serving http://%s; see the log above or `modelswitch --log`", c.Manager.Describe(), dial)
}

func (c *Controller) probe(addr string) Health {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if c.Probe != nil {
		return c.Probe(ctx, addr)
	}
	return ProbeHealth(ctx, addr)
}

// Health is what GET /api/config/health said.
type Health struct {
	OK      bool   `json:"ok"`
	Status  string `json:"status,omitempty"`
	Version string `json:"version,omitempty"`
	Uptime  int64  `json:"uptime_seconds,omitempty"`
	Error   string `json:"error,omitempty"`
}

// ProbeHealth asks the gateway at addr (host:port) for /api/config/health; ctx bounds it
// (callers give it 2 s).
func ProbeHealth(ctx context.Context, addr string) Health {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/config/health", nil)
	if err != nil {
		return Health{Error: err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Health{Error: err.Error()}
	}
	defer resp.Body.Close()
	var h Health
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&h); err != nil {
		return Health{Error: fmt.Sprintf("HTTP %d, not a ModelSwitch health answer: %v", resp.StatusCode, err)}
	}
	if resp.StatusCode != http.StatusOK {
		return Health{Status: h.Status, Error: fmt.Sprintf("HTTP %d", resp.StatusCode)}
	}
	h.OK = true
	return h
}

// Addresses says where the core of s listens: s's overrides, else gateway.host/port from the
// workspace's config.yaml, else the defaults. dial is listen with an unspecified host replaced
// by loopback; note explains a config.yaml that could not be read.
func Addresses(s Spec) (listen, dial, note string) {
	host, port := config.DefaultHost, config.DefaultPort
	cfgPath := filepath.Join(s.Workspace, "config.yaml")
	if cfg, _, err := config.Load(cfgPath); err == nil {
		host, port = cfg.Gateway.Host, cfg.Gateway.Port
	} else {
		note = fmt.Sprintf("%s: %v; assuming %s:%d", cfgPath, err, host, port)
	}
	if s.Host != "" {
		host = s.Host
	}
	if s.Port != 0 {
		port = s.Port
	}
	dialHost := host
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		dialHost = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			dialHost = "::1"
		}
	}
	p := strconv.Itoa(port)
	return net.JoinHostPort(host, p), net.JoinHostPort(dialHost, p), note
}
