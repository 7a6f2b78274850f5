package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"syscall"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/server"
)

// gateway makes server.Server restartable. A Server serves once: its Run
// drains the usage recorder and the conversation log when it ends. So the
// core always holds one current Server: a standby built with server.New
// (its handler answers the window's /api through the control channel while
// the listener is closed), which Start binds and runs; when Run ends, a
// fresh standby is built from the last good configuration. The database and
// the logs outlive every Server.
type gateway struct {
	newServer func(*config.Config) (*server.Server, error)
	load      func() (*config.Config, error) // reads config.yaml
	log       *slog.Logger

	mu      sync.Mutex
	srv     *server.Server // nil only while config.yaml has never loaded
	fresh   bool           // srv was just built from the file: no reload needed before Listen
	run     *runState      // nil while stopped
	lastErr error          // why the last start failed or the last run ended
	busy    *PortError     // lastErr when it was a busy port
}

type runState struct {
	srv      *server.Server
	addr     net.Addr // what Listen bound
	cancel   context.CancelFunc
	done     chan struct{}
	stopping bool
}

// PortError is a start that failed because the port is taken.
type PortError struct {
	Addr     string
	Holder   string // "nginx (pid 42)"; "" when not findable
	FreePort int    // next free port on the same host; 0 if none found
	Err      error
}

func (e *PortError) Error() string {
	msg := "port " + portOf(e.Addr) + " is already in use"
	if e.Holder != "" {
		msg += " by " + e.Holder
	}
	if e.FreePort != 0 {
		msg += fmt.Sprintf("; port %d is free (set gateway.port in config.yaml, or start with --port %d)", e.FreePort, e.FreePort)
	}
	return msg
}

func (e *PortError) Unwrap() error { return e.Err }

func portOf(addr string) string {
	if _, p, err := net.SplitHostPort(addr); err == nil {
		return p
	}
	return addr
}

// current is the Server that answers /api now, or an error saying why there is none.
func (g *gateway) current() (*server.Server, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ensure()
}

// ensure builds the standby when there is none; g.mu held.
func (g *gateway) ensure() (*server.Server, error) {
	if g.srv != nil {
		return g.srv, nil
	}
	cfg, err := g.load()
	if err != nil {
		return nil, err
	}
	srv, err := g.newServer(cfg)
	if err != nil {
		return nil, err
	}
	g.srv, g.fresh = srv, true
	return srv, nil
}

// Start binds the gateway listener and serves in the background. It is a
// no-op while running. A busy port is a *PortError naming the holder and a
// free port; the core stays up with the listener closed.
func (g *gateway) Start() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.run != nil {
		return nil
	}
	srv, err := g.ensure()
	if err != nil {
		g.lastErr, g.busy = err, nil
		return err
	}
	if !g.fresh { // config.yaml may have changed while nothing watched it
		_ = srv.ReloadFromDisk() // an invalid file keeps the last good configuration (and is logged)
	}
	g.fresh = false
	addr, err := srv.Listen()
	if err != nil {
		g.lastErr, g.busy = err, nil
		if errors.Is(err, syscall.EADDRINUSE) {
			pe := &PortError{Addr: srv.Addr(), Err: err}
			host, port, _ := net.SplitHostPort(srv.Addr())
			if p, perr := strconv.Atoi(port); perr == nil {
				pe.Holder = portHolder(p)
				pe.FreePort = nextFreePort(host, p)
			}
			g.lastErr, g.busy = pe, pe
			return pe
		}
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	rs := &runState{srv: srv, addr: addr, cancel: cancel, done: make(chan struct{})}
	g.run, g.lastErr, g.busy = rs, nil, nil
	go func() {
		err := srv.Run(ctx)
		g.finished(rs, err)
	}()
	g.log.Info("gateway listening", "address", "http://"+addr.String())
	return nil
}

// finished runs when a Server's Run returns: by Stop, or by a failure.
func (g *gateway) finished(rs *runState, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer close(rs.done)
	rs.cancel()
	if g.run == rs {
		g.run = nil
	}
	if err != nil && !rs.stopping {
		g.lastErr = fmt.Errorf("the gateway stopped: %w", err)
		g.log.Error("gateway stopped with an error", "err", err)
	}
	if g.srv == rs.srv { // the spent Server is replaced by a standby on its last good config
		g.srv = nil
		next, nerr := g.newServer(rs.srv.Current())
		if nerr != nil {
			g.log.Error("building the standby gateway", "err", nerr)
			return
		}
		g.srv = next
	}
}

// Stop closes the gateway listener and waits (up to the shutdown grace) for
// requests in flight. It is a no-op while stopped.
func (g *gateway) Stop(ctx context.Context) error {
	g.mu.Lock()
	rs := g.run
	if rs != nil {
		rs.stopping = true
		rs.cancel()
	}
	g.mu.Unlock()
	if rs == nil {
		return nil
	}
	select {
	case <-rs.done:
		g.log.Info("gateway stopped; the control channel stays")
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the gateway and drains the standby's records.
func (g *gateway) Close(ctx context.Context) error {
	err := g.Stop(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.srv != nil && g.run == nil {
		g.srv.Close()
		g.srv = nil
	}
	return err
}

// state reports running, the address (bound, else configured) and the last error.
func (g *gateway) state() (running bool, addr string, lastErr error, busy *PortError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.run != nil {
		addr = g.run.srv.Addr()
		if portOf(addr) == "0" {
			addr = g.run.addr.String()
		}
		return true, addr, g.lastErr, nil
	}
	if g.srv != nil {
		addr = g.srv.Addr()
	}
	return false, addr, g.lastErr, g.busy
}
