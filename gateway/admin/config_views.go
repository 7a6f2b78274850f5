package admin

// What the configuration API returns: the typed config as JSON, with every
// secret masked (seed defect S2). A provider's api_key written as ${VAR} is
// shown as written: the reference is not a secret and tells the operator where
// the value comes from.

import (
	"regexp"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/presets"
)

type timeoutsView struct {
	Connect   float64 `json:"connect"`
	FirstByte float64 `json:"first_byte"`
	Idle      float64 `json:"idle"`
}

type breakerView struct {
	Failures    int     `json:"failures"`
	OpenSeconds float64 `json:"open_seconds"`
}

type liveView struct {
	Active   int            `json:"active"`
	Waiting  int            `json:"waiting"`
	Breakers []BreakerState `json:"breakers"`
}

type providerView struct {
	Name                 string            `json:"name"`
	Provider             string            `json:"provider"`
	BaseURL              string            `json:"base_url"`
	Preset               string            `json:"preset"`       // as configured
	PricePreset          string            `json:"price_preset"` // the presets entry whose prices apply: Preset, or the one matching base_url
	APIKey               string            `json:"api_key"`
	APIKeySet            bool              `json:"api_key_set"`
	CustomHeaders        map[string]string `json:"custom_headers"`
	Enabled              bool              `json:"enabled"`
	MaxConcurrent        int               `json:"max_concurrent"`
	MaxQueueSize         int               `json:"max_queue_size"`
	QueueTimeout         float64           `json:"queue_timeout"`
	DisableStreamOptions bool              `json:"disable_stream_options"`
	Reasoning            string            `json:"reasoning"`
	Timeouts             timeoutsView      `json:"timeouts"`
	CircuitBreaker       *breakerView      `json:"circuit_breaker"`
	UsedBy               []string          `json:"used_by"`
	Live                 liveView          `json:"live"`
}

type adapterView struct {
	Adapter   string         `json:"adapter"`
	ModelName string         `json:"model_name"`
	Priority  int            `json:"priority"`
	Timeout   float64        `json:"timeout"`
	Params    map[string]any `json:"params"`
	Weight    int            `json:"weight"`         // 0 = 1
	Window    int            `json:"context_window"` // 0 = the preset's, if any
}

type modelView struct {
	Name        string        `json:"name"`
	Mode        string        `json:"mode"`
	Description string        `json:"description"`
	Aliases     []string      `json:"aliases"`
	Balance     string        `json:"balance"`  // "" = file order
	Affinity    bool          `json:"affinity"` // conversations pinned (when balanced)
	Routes      []routeDoc    `json:"routes"`
	Adapters    []adapterView `json:"adapters"`
}

type keyView struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Key         string   `json:"key"`
	Roles       []string `json:"roles"`
	Enabled     bool     `json:"enabled"`
	RateLimit   *int     `json:"rate_limit"`
	DailyLimit  int      `json:"daily_limit"`
	// Budgets in Currency (0 = none), and the spend so far: today and this month.
	DailyBudget   float64  `json:"daily_budget"`
	MonthlyBudget float64  `json:"monthly_budget"`
	BudgetWarning float64  `json:"budget_warning"` // as configured; 0 = the default 0.8
	SpentToday    float64  `json:"spent_today"`
	SpentMonth    float64  `json:"spent_month"`
	Currency      string   `json:"currency"`
	AllowedModels []string `json:"allowed_models"`
	ExpiresAt     *string  `json:"expires_at"`
	CreatedAt     string   `json:"created_at"`
	TodayRequests int      `json:"today_requests"`
}

// gatewayView is the gateway section. The seed's unused fields (log_request_body,
// usage_db, …) are left out; PUT /api/config accepts and ignores them.
type gatewayView struct {
	Host               string      `json:"host"`
	Port               int         `json:"port"`
	LogLevel           string      `json:"log_level"`
	LogDir             string      `json:"log_dir"`
	LogMaxBytes        int64       `json:"log_max_bytes"`
	LogBackupCount     int         `json:"log_backup_count"`
	Timezone           string      `json:"timezone"`
	MaxBodyMB          int         `json:"max_body_mb"`
	CORSOrigins        []string    `json:"cors_origins"`
	UsageRetentionDays int         `json:"usage_retention_days"`
	LogBodies          string      `json:"log_bodies"`
	CircuitBreaker     breakerView `json:"circuit_breaker"`
}

type configView struct {
	Gateway   gatewayView    `json:"gateway"`
	Providers []providerView `json:"providers"`
	Models    []modelView    `json:"models"`
	APIKeys   []keyView      `json:"api_keys"`
}

var envRef = regexp.MustCompile(`\$\{[A-Za-z0-9_]+\}`)

// shownSecret is what a response says of a secret: the ${VAR} text when the
// file holds only references, else the resolved value masked.
func shownSecret(raw, resolved string) string {
	if raw != "" && envRef.ReplaceAllString(raw, "") == "" {
		return raw
	}
	if resolved == "" {
		return ""
	}
	return config.MaskSecret(resolved)
}

// isMasked reports a value that came from a response: it must never be
// written back (seed defect A6).
func isMasked(s string) bool { return strings.Contains(s, "****") }

// sensitiveHeader reports custom headers that carry credentials; their values
// are masked like api_key.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"auth", "key", "token", "secret", "cookie", "password", "signature", "credential"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func headersView(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if sensitiveHeader(k) {
			v = shownSecret(v, v)
		}
		out[k] = v
	}
	return out
}

func (a *ConfigAPI) providerView(c *config.Config, p *config.Provider) providerView {
	v := providerView{
		Name: p.Name, Provider: p.Protocol(), BaseURL: p.RawBaseURL, Preset: p.Preset, PricePreset: presetOf(p), APIKey: shownSecret(p.RawAPIKey, p.APIKey),
		APIKeySet: p.APIKey != "", CustomHeaders: headersView(p.CustomHeaders), Enabled: p.IsEnabled(),
		MaxConcurrent: p.MaxConcurrent, MaxQueueSize: p.MaxQueueSize, QueueTimeout: p.QueueTimeout,
		DisableStreamOptions: p.DisableStreamOptions, Reasoning: p.Reasoning,
		Timeouts: timeoutsView{p.Timeouts.Connect, p.Timeouts.FirstByte, p.Timeouts.Idle},
		UsedBy:   usedBy(c, p.Name), Live: liveView{Breakers: []BreakerState{}},
	}
	if cb := p.CircuitBreaker; cb != nil {
		v.CircuitBreaker = &breakerView{cb.Failures, cb.OpenSeconds}
	}
	if a.Live != nil {
		v.Live.Active, v.Live.Waiting = a.Live.Queue(p.Name)
		if bs := a.Live.Breakers(p.Name); bs != nil {
			v.Live.Breakers = bs
		}
	}
	return v
}

// usedBy lists the models with an adapter on provider, in file order.
func usedBy(c *config.Config, provider string) []string {
	out := []string{}
	for _, m := range c.Models {
		for _, ad := range m.Adapters {
			if ad.Adapter == provider {
				out = append(out, m.Name)
				break
			}
		}
	}
	return out
}

func modelViewOf(m *config.Model) modelView {
	v := modelView{Name: m.Name, Mode: m.Mode, Description: m.Description, Aliases: append([]string{}, m.Aliases...),
		Balance: m.Balance, Affinity: m.Affinity == nil || *m.Affinity, Routes: routeDocsOf(m.Routes),
		Adapters: make([]adapterView, len(m.Adapters))}
	for i, ad := range m.Adapters {
		params := ad.Params
		if params == nil {
			params = map[string]any{}
		}
		v.Adapters[i] = adapterView{ad.Adapter, ad.ModelName, ad.Priority, ad.Timeout, params, ad.Weight, ad.ContextWindow}
	}
	return v
}

func (a *ConfigAPI) keyView(k *config.APIKey) keyView {
	v := keyView{
		ID: k.ID(), Name: k.Name, Description: k.Description, Key: config.MaskSecret(k.Key),
		Roles: append([]string{}, k.Roles...), Enabled: k.IsEnabled(), RateLimit: k.RateLimit,
		DailyLimit: k.DailyLimit, AllowedModels: append([]string{}, k.AllowedModels...), CreatedAt: k.CreatedAt,
		DailyBudget: k.DailyBudget, MonthlyBudget: k.MonthlyBudget, BudgetWarning: k.BudgetWarning,
		Currency: a.Store.Current().Gateway.CostCurrency(),
	}
	if a.Spend != nil {
		day, month := a.Spend.Spent(v.ID, a.now())
		v.SpentToday, v.SpentMonth = float64(day)/1e9, float64(month)/1e9
	}
	if k.ExpiresAt != "" {
		v.ExpiresAt = &k.ExpiresAt
	}
	if a.Today != nil {
		v.TodayRequests = a.Today.Today(v.ID)
	}
	return v
}

func gatewayViewOf(g *config.Gateway) gatewayView {
	return gatewayView{
		Host: g.Host, Port: g.Port, LogLevel: g.LogLevel, LogDir: g.LogDir, LogMaxBytes: g.LogMaxBytes,
		LogBackupCount: g.LogBackupCount, Timezone: g.Timezone, MaxBodyMB: g.MaxBodyMB,
		CORSOrigins: append([]string{}, g.CORSOrigins...), UsageRetentionDays: g.UsageRetentionDays,
		LogBodies: g.LogBodies, CircuitBreaker: breakerView{g.CircuitBreaker.Failures, g.CircuitBreaker.OpenSeconds},
	}
}

func (a *ConfigAPI) configView(c *config.Config) configView {
	v := configView{Gateway: gatewayViewOf(&c.Gateway), Providers: make([]providerView, len(c.Providers)),
		Models: make([]modelView, len(c.Models)), APIKeys: make([]keyView, len(c.APIKeys))}
	for i := range c.Providers {
		v.Providers[i] = a.providerView(c, &c.Providers[i])
	}
	for i := range c.Models {
		v.Models[i] = modelViewOf(&c.Models[i])
	}
	for i := range c.APIKeys {
		v.APIKeys[i] = a.keyView(&c.APIKeys[i])
	}
	return v
}

// presetOf is the preset whose prices apply to p: the one it names, else
// the one whose endpoint has its base URL's host.
func presetOf(p *config.Provider) string {
	if p.Preset != "" {
		return p.Preset
	}
	if pr := presets.Of("", p.BaseURL); pr != nil {
		return pr.ID
	}
	return ""
}
