package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// Client talks to a core over its control socket. It implements Backend.
type Client struct {
	path string
	hc   *http.Client
	tr   *http.Transport
}

var _ Backend = (*Client)(nil)

// NewClient returns a client for the socket at path; nothing is dialled yet.
func NewClient(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConns:    4,
		IdleConnTimeout: 30 * time.Second,
	}
	return &Client{path: path, tr: tr, hc: &http.Client{Transport: tr}}
}

// Path is the socket's path.
func (c *Client) Path() string { return c.path }

// CloseIdle drops idle connections to the socket.
func (c *Client) CloseIdle() { c.tr.CloseIdleConnections() }

// base is the URL every request uses; the host is ignored by the dialer.
const base = "http://modelswitch"

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("reaching the ModelSwitch core at %s: %w", c.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("reading the core's answer to %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := string(bytes.TrimSpace(data))
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		return &Error{Status: resp.StatusCode, Message: msg}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding the core's answer to %s %s: %w", method, path, err)
	}
	return nil
}

// Status is GET /status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
	err := c.do(ctx, http.MethodGet, "/status", nil, &st)
	return st, err
}

// StartGateway is POST /gateway/start.
func (c *Client) StartGateway(ctx context.Context) (Status, error) {
	var st Status
	err := c.do(ctx, http.MethodPost, "/gateway/start", nil, &st)
	return st, err
}

// StopGateway is POST /gateway/stop.
func (c *Client) StopGateway(ctx context.Context) (Status, error) {
	var st Status
	err := c.do(ctx, http.MethodPost, "/gateway/stop", nil, &st)
	return st, err
}

// OpenWindow is POST /window/open.
func (c *Client) OpenWindow(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/window/open", nil, nil)
}

// Route is POST /route.
func (c *Client) Route(ctx context.Context, r RouteRequest) (Status, error) {
	var st Status
	err := c.do(ctx, http.MethodPost, "/route", r, &st)
	return st, err
}

// SetClaudeCode is POST /claudecode.
func (c *Client) SetClaudeCode(ctx context.Context, enabled bool) (ClaudeCode, error) {
	var cc ClaudeCode
	err := c.do(ctx, http.MethodPost, "/claudecode", map[string]bool{"enabled": enabled}, &cc)
	return cc, err
}

// SetCodex is POST /codex.
func (c *Client) SetCodex(ctx context.Context, r CodexRequest) (Codex, error) {
	var cx Codex
	err := c.do(ctx, http.MethodPost, "/codex", r, &cx)
	return cx, err
}

// SetLanguage is POST /ui/lang.
func (c *Client) SetLanguage(ctx context.Context, lang string) error {
	return c.do(ctx, http.MethodPost, "/ui/lang", map[string]string{"lang": lang}, nil)
}

// Quit is POST /quit.
func (c *Client) Quit(ctx context.Context, r QuitRequest) error {
	return c.do(ctx, http.MethodPost, "/quit", r, nil)
}

// APIProxy forwards requests (the window's /api/*) to the core's /api over
// the socket, streaming both ways; the core adds the admin credential.
func (c *Client) APIProxy() http.Handler {
	target, _ := url.Parse(base)
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = "modelswitch"
		},
		Transport:     c.tr,
		FlushInterval: -1, // log tails and other streams go through at once
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			reply(w, nil, Errorf(http.StatusBadGateway, "the ModelSwitch core does not answer on %s: %v", c.path, err))
		},
	}
}
