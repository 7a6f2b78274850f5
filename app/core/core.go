package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/app/claudecode"
	"github.com/modelswitch/modelswitch/app/codex"
	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/logs"
	"github.com/modelswitch/modelswitch/gateway/server"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/usage"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// Options are what a Core is built from; Main fills them from the command line.
type Options struct {
	Workspace *workspace.Workspace // opened and locked by the caller
	Host      string               // --host: overrides gateway.host
	Port      int                  // --port: overrides gateway.port
	Version   string
	Log       *slog.Logger
	Logs      *logs.Logs   // the ring for /api/logs and the level on reload; nil: none
	DB        *store.DB    // usage and conversations; nil keeps no records
	UI        http.Handler // the admin SPA the gateway serves at /
	// ShutdownGrace bounds how long stopping waits for requests in flight (default 10 s).
	ShutdownGrace time.Duration
	// ClaudeSettings is Claude Code's settings.json (default: $CLAUDE_CONFIG_DIR or ~/.claude).
	ClaudeSettings string
	// CodexConfig is Codex's config.toml (default: $CODEX_HOME or ~/.codex).
	CodexConfig string
	// Window opens the admin window; nil: the modelswitch-ui binary next to this executable.
	Window WindowLauncher
	// OnQuit runs once Quit has stopped everything (the tray ends its loop there).
	OnQuit func()
	// Getenv reads the environment (LANG for the tray's language); default os.Getenv.
	Getenv func(string) string
	// Tray says this core runs a tray of its own (Status.Tray).
	Tray bool
}

// Core is the always-on process: the gateway, which can be stopped and
// started again, and the control channel, which stays.
type Core struct {
	opts    Options
	log     *slog.Logger
	ws      *workspace.Workspace
	gw      *gateway
	cc      *claudecode.Switch
	cx      *codex.Switch
	win     WindowLauncher
	querier *usage.Querier

	ctl     *control.Server
	ctlDone chan error

	editMu   sync.Mutex // route and agent key edits, with their record files
	quitOnce sync.Once
	done     chan struct{}
}

var _ control.Backend = (*Core)(nil)

// New builds the core without binding anything.
func New(o Options) (*Core, error) {
	if o.Workspace == nil {
		return nil, errors.New("core: no workspace")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 10 * time.Second
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	c := &Core{opts: o, log: o.Log, ws: o.Workspace, done: make(chan struct{})}
	c.gw = &gateway{log: o.Log, newServer: c.newServer, load: func() (*config.Config, error) {
		cfg, _, err := config.Load(o.Workspace.ConfigPath)
		return cfg, err
	}}
	if o.DB != nil {
		c.querier = usage.NewQuerier(o.DB)
	}
	home, _ := os.UserHomeDir()
	settings := o.ClaudeSettings
	if settings == "" {
		settings = claudecode.SettingsPath(o.Getenv, home)
	}
	cc, err := claudecode.New(claudecode.Config{SettingsPath: settings,
		StatePath: filepath.Join(o.Workspace.DataDir, "claudecode.json")})
	if err != nil {
		return nil, err
	}
	c.cc = cc
	codexConfig := o.CodexConfig
	if codexConfig == "" {
		codexConfig = codex.ConfigPath(o.Getenv, home)
	}
	if c.cx, err = codex.New(codex.Config{ConfigPath: codexConfig,
		StatePath: filepath.Join(o.Workspace.DataDir, "codex.json")}); err != nil {
		return nil, err
	}
	c.win = o.Window
	if c.win == nil {
		c.win = &windowProcess{socket: c.SocketPath(), workspace: o.Workspace.Dir, runDir: o.Workspace.RunDir, log: o.Log}
	}
	return c, nil
}

func (c *Core) newServer(cfg *config.Config) (*server.Server, error) {
	o := c.opts
	var ring *logs.Ring
	if o.Logs != nil {
		ring = o.Logs.Ring
	}
	return server.New(server.Options{
		Config: cfg, Host: o.Host, Port: o.Port, Log: c.log, Version: o.Version,
		ConfigPath: c.ws.ConfigPath, DB: o.DB, WorkspaceDir: c.ws.Dir, Exposure: c.ws.Exposure, LogRing: ring, UI: o.UI,
		ShutdownGrace: o.ShutdownGrace,
		OnReload: func(cfg *config.Config) {
			if o.Logs != nil {
				o.Logs.SetLevel(cfg.Gateway.SlogLevel())
			}
		},
	})
}

// SocketPath is the control socket of the core's workspace.
func (c *Core) SocketPath() string { return control.SocketPath(c.ws.RunDir) }

// Start opens the control channel, then starts the gateway. A gateway that
// cannot start (busy port, invalid config.yaml) is returned as the error
// while the core keeps running with the control channel open; a control
// channel that cannot open (*control.InUseError: another core answers) is
// returned with nothing running.
func (c *Core) Start() (gatewayErr error, err error) {
	ln, err := control.Listen(c.SocketPath())
	if err != nil {
		return nil, err
	}
	c.ctl = control.NewServer(c, c.api, c.log)
	c.ctlDone = make(chan error, 1)
	go func() { c.ctlDone <- c.ctl.Serve(ln) }()
	if err := c.gw.Start(); err != nil {
		c.log.Error("the gateway did not start; the core keeps running", "err", err)
		return err, nil
	}
	return nil, nil
}

// Done is closed when Quit has finished.
func (c *Core) Done() <-chan struct{} { return c.done }

// Reload re-reads config.yaml (SIGHUP).
func (c *Core) Reload() {
	if srv, err := c.gw.current(); err == nil {
		_ = srv.ReloadFromDisk()
	}
}

// api is the control channel's APISource: the current Server and its admin key.
func (c *Core) api() (http.Handler, string, error) {
	srv, err := c.gw.current()
	if err != nil {
		return nil, "", control.Errorf(http.StatusServiceUnavailable, "config.yaml cannot be loaded, so the admin API is unavailable: %v", err)
	}
	key := adminKey(srv.Current(), time.Now())
	if key == "" {
		return nil, "", control.Errorf(http.StatusServiceUnavailable,
			"config.yaml has no enabled admin key; add one (roles: [admin]) so the window can manage the gateway")
	}
	return srv.Handler(), key, nil
}

// adminKey is the first enabled, unexpired key with the admin role.
func adminKey(cfg *config.Config, now time.Time) string {
	for i := range cfg.APIKeys {
		k := &cfg.APIKeys[i]
		if !k.IsEnabled() || !k.HasRole(config.RoleAdmin) || k.Key == "" {
			continue
		}
		if exp, ok := k.Expiry(cfg.Gateway.Location()); ok && !now.Before(exp) {
			continue
		}
		return k.Key
	}
	return ""
}

// StartGateway is the control channel's and the tray's Start.
func (c *Core) StartGateway(ctx context.Context) (control.Status, error) {
	if err := c.gw.Start(); err != nil {
		st, _ := c.Status(ctx)
		var pe *PortError
		if errors.As(err, &pe) {
			return st, control.Errorf(http.StatusConflict, "%v", err)
		}
		return st, control.Errorf(http.StatusServiceUnavailable, "the gateway did not start: %v", err)
	}
	return c.Status(ctx)
}

// StopGateway closes the gateway listener; the control channel stays.
func (c *Core) StopGateway(ctx context.Context) (control.Status, error) {
	if err := c.gw.Stop(ctx); err != nil {
		return control.Status{}, err
	}
	return c.Status(ctx)
}

// OpenWindow spawns the admin window, or focuses the one that is open.
func (c *Core) OpenWindow(ctx context.Context) error {
	if err := c.win.Open(ctx); err != nil {
		return control.Errorf(http.StatusServiceUnavailable, "opening the window: %v", err)
	}
	return nil
}

// Route pins a primary adapter, or restores automatic failover.
func (c *Core) Route(ctx context.Context, req control.RouteRequest) (control.Status, error) {
	srv, err := c.gw.current()
	if err != nil {
		return control.Status{}, control.Errorf(http.StatusServiceUnavailable, "config.yaml cannot be loaded: %v", err)
	}
	c.editMu.Lock()
	err = route(srv, c.routesPath(), req)
	c.editMu.Unlock()
	if err != nil {
		return control.Status{}, err
	}
	c.log.Info("route changed", "model", req.Model, "adapter", req.Adapter)
	return c.Status(ctx)
}

func (c *Core) routesPath() string { return filepath.Join(c.ws.DataDir, "routes.json") }

// Quit stops the core in the background: Claude Code and Codex are pointed
// back at what they used before (each switch that is on and that r does not
// keep), the window closes, the gateway drains, the control channel closes,
// then OnQuit runs and Done closes.
func (c *Core) Quit(_ context.Context, r control.QuitRequest) error {
	go c.shutdown(r)
	return nil
}

// Shutdown is Quit restoring Claude Code and Codex, waiting until everything has stopped.
func (c *Core) Shutdown() {
	c.shutdown(control.QuitRequest{})
	<-c.done
}

func (c *Core) shutdown(r control.QuitRequest) {
	c.quitOnce.Do(func() {
		defer close(c.done)
		c.log.Info("ModelSwitch is quitting")
		c.settleClaudeCode(r.KeepClaudeCode)
		c.settleCodex(r.KeepCodex)
		c.win.Close()
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.ShutdownGrace+5*time.Second)
		defer cancel()
		if err := c.gw.Close(ctx); err != nil {
			c.log.Error("stopping the gateway", "err", err)
		}
		if c.ctl != nil {
			_ = c.ctl.Close()
			if err := <-c.ctlDone; err != nil && !errors.Is(err, net.ErrClosed) {
				c.log.Error("control channel", "err", err)
			}
		}
		if c.opts.OnQuit != nil {
			c.opts.OnQuit()
		}
	})
}

// baseURL is what a client uses for addr: loopback for an unspecified host.
func baseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, port))
}

// Logger is the core's logger (the tray logs through it).
func (c *Core) Logger() *slog.Logger { return c.log }
