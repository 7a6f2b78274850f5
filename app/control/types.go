package control

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
)

// SocketName is the control socket's file name in the workspace's run directory.
const SocketName = "control.sock"

// SocketPath is the control socket of the workspace whose run directory is runDir.
func SocketPath(runDir string) string { return filepath.Join(runDir, SocketName) }

// Status is what GET /status answers.
type Status struct {
	PID        int        `json:"pid"`
	Version    string     `json:"version"`
	Workspace  string     `json:"workspace"`
	Gateway    Gateway    `json:"gateway"`
	Today      *Today     `json:"today,omitempty"` // nil without a database
	Models     []Model    `json:"models"`
	ClaudeCode ClaudeCode `json:"claude_code"`
	Codex      Codex      `json:"codex"`
	Language   string     `json:"language"` // zh | en: the labels the tray uses
	WindowOpen bool       `json:"window_open"`
	// Tray says this core runs a tray of its own (the desktop core). A desktop
	// launch that finds a core without one (the background service) runs a
	// tray attached to it; otherwise it only asks for the window.
	Tray bool `json:"tray"`
}

// ServiceState is the background service (app/service: a systemd user unit
// or a LaunchAgent) as the tray's "Run as a background service" entry shows it.
type ServiceState struct {
	Available bool   // a service manager answers here
	Reason    string // why not, when !Available
	Installed bool   // a unit for this workspace is installed
	Active    bool   // and running
}

// Gateway is the state of the gateway listener.
type Gateway struct {
	Running bool `json:"running"`
	// Address is host:port: the bound one while running, else the configured one.
	Address string `json:"address"`
	// BaseURL is what clients use: http://Address, with 127.0.0.1 for an unspecified host.
	BaseURL string `json:"base_url"`
	// Error says why the gateway is not running (or why its configuration is stale).
	Error string `json:"error,omitempty"`
	// PortHolder names the process holding the port when starting failed with a busy
	// port ("nginx (pid 42)"), when it could be found.
	PortHolder string `json:"port_holder,omitempty"`
	// FreePort is the next free port after a busy one (0: none found or not asked).
	FreePort int `json:"free_port,omitempty"`
}

// Today is the use of the gateway since local midnight (gateway.timezone).
type Today struct {
	Requests int64 `json:"requests"`
	Failures int64 `json:"failures"`
	Tokens   int64 `json:"tokens"`
	// CostNanos is what today's priced requests cost in Currency; Priced is false when
	// none had a price, Unpriced counts those without one.
	CostNanos int64  `json:"cost_nanos"`
	Priced    bool   `json:"priced"`
	Unpriced  int64  `json:"unpriced"`
	Currency  string `json:"currency,omitempty"`
	// Budgets are the key budgets past their warning share, the fullest first.
	Budgets []Budget `json:"budgets,omitempty"`
}

// Budget is a key's daily or monthly budget that has passed the key's warning share.
type Budget struct {
	Key    string `json:"key"`    // the key's name
	Period string `json:"period"` // day | month
	Spent  int64  `json:"spent"`  // nanos of Today.Currency
	Budget int64  `json:"budget"` // nanos
}

// Model is a virtual model and its adapters, for the tray's Route menu.
type Model struct {
	Name string `json:"name"`
	Mode string `json:"mode"` // chain | adapter
	// Pinned is the ID of the adapter pinned as primary; "" for automatic failover
	// in the order config.yaml gives.
	Pinned   string    `json:"pinned,omitempty"`
	Adapters []Adapter `json:"adapters"`
}

// Adapter is one step of a model's chain.
type Adapter struct {
	// ID names the adapter in a RouteRequest: the provider name, or
	// provider/model_name when the provider appears more than once in the chain.
	ID        string `json:"id"`
	Adapter   string `json:"adapter"`    // provider name
	ModelName string `json:"model_name"` // upstream model
	Priority  int    `json:"priority"`
	Primary   bool   `json:"primary"` // tried first
}

// ClaudeCode is the "Claude Code → ModelSwitch" switch, read from the live settings file.
type ClaudeCode struct {
	Enabled bool   `json:"enabled"` // settings.json points Claude Code at this gateway
	Foreign bool   `json:"foreign"` // it points at some other URL
	Path    string `json:"path"`
	BaseURL string `json:"base_url,omitempty"`
	Error   string `json:"error,omitempty"` // settings.json unreadable or not JSON
	// Warning is set while Claude Code points at this gateway but nothing answers
	// at that URL (the gateway is stopped, or it now listens elsewhere): every
	// Claude Code request would fail.
	Warning string `json:"warning,omitempty"`
}

// Codex is the "Codex → ModelSwitch" switch, read from the live config.toml.
type Codex struct {
	Enabled bool   `json:"enabled"` // config.toml points Codex at this gateway
	Foreign bool   `json:"foreign"` // it chooses some other provider
	Path    string `json:"path"`
	BaseURL string `json:"base_url,omitempty"` // the chosen provider's base_url (…/v1)
	Model   string `json:"model,omitempty"`    // the model Codex asks for
	Error   string `json:"error,omitempty"`    // config.toml unreadable or not TOML
	// Warning is set while Codex points at this gateway but nothing answers
	// at that URL: every Codex request would fail.
	Warning string `json:"warning,omitempty"`
}

// CodexRequest is the body of POST /codex.
type CodexRequest struct {
	Enabled bool `json:"enabled"`
	// Model is the virtual model Codex asks for; "" picks the first one in
	// config.yaml. Ignored when switching off.
	Model string `json:"model,omitempty"`
}

// QuitRequest is the body of POST /quit (optional: an empty body restores).
type QuitRequest struct {
	// KeepClaudeCode leaves Claude Code pointed at the gateway: the switch-on
	// record stays, so the next start shows the switch on and switching off
	// then still restores the user's own values. Otherwise a switch that is
	// on is turned off first, restoring Claude Code's previous settings.
	KeepClaudeCode bool `json:"keep_claude_code,omitempty"`
	// KeepCodex is the same for the Codex switch.
	KeepCodex bool `json:"keep_codex,omitempty"`
}

// RouteRequest is the body of POST /route.
type RouteRequest struct {
	Model string `json:"model"`
	// Adapter is an Adapter.ID or provider name to pin as primary, or "auto" to
	// restore the order config.yaml had before the pin.
	Adapter string `json:"adapter"`
	// ModelName picks among several adapters of the same provider.
	ModelName string `json:"model_name,omitempty"`
}

// Auto is the RouteRequest.Adapter value that undoes a pin.
const Auto = "auto"

// Backend is what the control channel serves: the core. Client implements it
// too, over the socket.
type Backend interface {
	Status(ctx context.Context) (Status, error)
	StartGateway(ctx context.Context) (Status, error)
	StopGateway(ctx context.Context) (Status, error)
	OpenWindow(ctx context.Context) error
	Route(ctx context.Context, r RouteRequest) (Status, error)
	SetClaudeCode(ctx context.Context, enabled bool) (ClaudeCode, error)
	SetCodex(ctx context.Context, r CodexRequest) (Codex, error)
	SetLanguage(ctx context.Context, lang string) error
	// Quit stops the core. It must return before the control channel closes;
	// the work happens in the background.
	Quit(ctx context.Context, r QuitRequest) error
}

// APISource gives the gateway's handler and the admin credential to add to
// forwarded /api requests; an error (best an *Error) explains why there is none.
type APISource func() (h http.Handler, adminKey string, err error)

// Error is a failure with an HTTP status: backends return it to choose the
// status, and Client returns it for every non-2xx answer.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with status and a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// StatusOf is the HTTP status of err: *Error's own, else 500.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) && e.Status != 0 {
		return e.Status
	}
	return http.StatusInternalServerError
}
