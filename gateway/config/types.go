package config

// Config is one complete, validated configuration: the typed form of config.yaml.
// A Config is never mutated after Load returns it; a reload builds a new one.
type Config struct {
	Gateway   Gateway    `yaml:"gateway"`
	Providers []Provider `yaml:"providers"`
	Models    Models     `yaml:"models"`
	APIKeys   []APIKey   `yaml:"api_keys"`
}

// Gateway holds the process-wide settings (seed-behaviour §2.1 plus DESIGN §4 additions).
type Gateway struct {
	// Host is the listen address. Default 127.0.0.1 (the seed bound 0.0.0.0).
	Host string `yaml:"host"`
	// Port is the listen port, 1..65535. Default 8000 (also when written as 0).
	Port int `yaml:"port"`
	// LogLevel is DEBUG, INFO, WARN or ERROR (case-insensitive; the seed's WARNING and CRITICAL
	// are accepted). Default INFO.
	LogLevel string `yaml:"log_level"`
	// LogDir holds gateway.log and conversations.jsonl; relative to the workspace. Default "logs".
	LogDir string `yaml:"log_dir"`
	// LogMaxBytes is the rotation size of both log files, in bytes. Default 104857600 (100 MiB).
	LogMaxBytes int64 `yaml:"log_max_bytes"`
	// LogBackupCount is how many rotated files are kept. Default 30 when absent; 0 is kept as 0.
	LogBackupCount int `yaml:"log_backup_count"`
	// Seed fields kept for compatibility; unused by the Go gateway (log_bodies replaces them).
	// LogMaxBodyLength defaults to 4096 as in the seed.
	LogRequestBody   *bool `yaml:"log_request_body"`
	LogResponseBody  *bool `yaml:"log_response_body"`
	LogMaxBodyLength int   `yaml:"log_max_body_length"`
	// UsageDB is the seed's SQLite path, relative to the workspace. Default "data/usage.db".
	// Kept for compatibility; the Go gateway stores usage in data/modelswitch.db (DESIGN §9).
	UsageDB string `yaml:"usage_db"`
	// UsageFlushSeconds is the seed's usage flush period in seconds. Default 10.
	UsageFlushSeconds int `yaml:"usage_flush_interval"`

	// Timezone is an IANA zone name (e.g. Asia/Shanghai) that defines "today" for daily limits
	// and usage days. Default "" = the machine's local zone. See Location.
	Timezone string `yaml:"timezone"`
	// MaxBodyMB caps request bodies, in MiB. Default 32 (also when written as 0).
	MaxBodyMB int `yaml:"max_body_mb"`
	// CORSOrigins lists origins allowed to call the inference API from a browser. Default none.
	CORSOrigins []string `yaml:"cors_origins"`
	// UsageRetentionDays is how long raw usage rows are kept, in days. Default 90 when absent;
	// an explicit 0 means keep them forever.
	UsageRetentionDays int `yaml:"usage_retention_days"`
	// LogBodies controls conversation content in conversations.jsonl: full | truncated | off.
	// Default full.
	LogBodies string `yaml:"log_bodies"`
	// CircuitBreaker is the gateway-wide breaker, used by providers without their own.
	// Default {failures: 5, open_seconds: 30}.
	CircuitBreaker CircuitBreaker `yaml:"circuit_breaker"`
	// Currency is the one costs, totals and budgets are kept in. Default USD.
	Currency string `yaml:"currency"`
	// ExchangeRates value one unit of another currency in Currency (e.g. {CNY: 0.14}), for
	// prices published in it. A price in a currency without a rate is "no price". Default none.
	ExchangeRates map[string]float64 `yaml:"exchange_rates"`

	Line int `yaml:"-"`
}

// CostCurrency is Currency or its default.
func (g *Gateway) CostCurrency() string {
	if g.Currency == "" {
		return "USD"
	}
	return g.Currency
}

// CircuitBreaker configures a breaker: Failures consecutive failures open it for OpenSeconds.
// A zero field means the default: 5 and 30 for the gateway's; the gateway's values for a
// provider's.
type CircuitBreaker struct {
	Failures    int     `yaml:"failures"`     // default 5
	OpenSeconds float64 `yaml:"open_seconds"` // seconds; default 30
}

// Timeouts are per-provider phase timeouts in seconds; zero means the default.
type Timeouts struct {
	Connect   float64 `yaml:"connect"`    // default 10
	FirstByte float64 `yaml:"first_byte"` // default: the adapter's timeout
	Idle      float64 `yaml:"idle"`       // default 120: longest silence inside a stream
}

// Protocols a provider may speak.
const (
	ProtocolOpenAI    = "openai"
	ProtocolAnthropic = "anthropic"
	// ProtocolResponses is the OpenAI Responses API (POST {base_url}/responses).
	ProtocolResponses = "responses"
)

// Provider is one upstream connection (seed-behaviour §2.2).
type Provider struct {
	Name string `yaml:"name"` // required, unique; models refer to it
	// Provider is openai | anthropic (any case); default openai. The seed's dashscope, glm,
	// deepseek and vllm are accepted as openai with a warning. Use Protocol() to read it.
	Provider string `yaml:"provider"`
	BaseURL  string `yaml:"base_url"` // ${ENV} resolved; RawBaseURL keeps the file's text
	// Preset names the presets entry (gateway/presets) the provider was made from: its
	// prices apply. Default "" = the preset whose endpoint has the base URL's host, if any.
	Preset        string            `yaml:"preset"`
	APIKey        string            `yaml:"api_key"`        // ${ENV} resolved; RawAPIKey keeps the file's text
	CustomHeaders map[string]string `yaml:"custom_headers"` // extra upstream headers; default none
	// Enabled defaults to true; a pointer so that "absent" and "false" differ while decoding.
	Enabled       *bool   `yaml:"enabled"`
	MaxConcurrent int     `yaml:"max_concurrent"` // concurrent upstream calls; default 0 = unlimited
	MaxQueueSize  int     `yaml:"max_queue_size"` // waiters when full; default 100 when absent
	QueueTimeout  float64 `yaml:"queue_timeout"`  // seconds in the queue; default 300 when absent
	// DisableStreamOptions stops the gateway adding stream_options.include_usage. Default false.
	DisableStreamOptions bool `yaml:"disable_stream_options"`
	// CircuitBreaker overrides the gateway's breaker for this provider; nil = use the gateway's.
	CircuitBreaker *CircuitBreaker `yaml:"circuit_breaker"`
	Timeouts       Timeouts        `yaml:"timeouts"` // default {connect: 10, first_byte: 0, idle: 120}
	// Reasoning says what happens to thinking history sent to an OpenAI-style upstream:
	// drop | reasoning_content. Default drop.
	Reasoning string `yaml:"reasoning"`

	// RawBaseURL and RawAPIKey are base_url and api_key as written, before ${ENV} substitution.
	// Anything that writes the file back must use these, never the resolved values.
	RawBaseURL string `yaml:"-"`
	RawAPIKey  string `yaml:"-"`

	Line int `yaml:"-"`
}

// IsEnabled reports whether the provider takes traffic.
func (p *Provider) IsEnabled() bool { return p.Enabled == nil || *p.Enabled }

// Model modes.
const (
	ModeChain   = "chain"
	ModeAdapter = "adapter"
)

// Model is one virtual model (seed-behaviour §2.3). Name is the key of the models mapping.
type Model struct {
	Name        string `yaml:"-"`
	Mode        string `yaml:"mode"`        // chain | adapter; default chain
	Description string `yaml:"description"` // shown in /v1/models; default ""
	// Aliases are other names a client may ask for this model by (issue 18: Claude Code's
	// and Codex's own model names): exact names, or path.Match patterns such as
	// "claude-*haiku*", matched case-insensitively. See Config.FindModel for the order.
	Aliases []string `yaml:"aliases,flow"`
	// Routes send some requests elsewhere (issue 18): evaluated in order, the first whose
	// conditions all hold wins; none matching, the model's own adapters serve.
	Routes []Route `yaml:"routes"`
	// Balance shares the load among adapters of equal priority (issue 18): "" keeps
	// file order (the first healthy one serves), or BalanceWeighted, BalanceLeastInFlight,
	// BalanceLatency. The breaker and queue still apply per adapter.
	Balance string `yaml:"balance"`
	// Affinity keeps the requests of one conversation on the adapter that served it
	// while it is healthy, so upstream prompt caches keep hitting; on (nil) unless
	// false. Only a balanced model has a choice to pin.
	Affinity *bool     `yaml:"affinity"`
	Adapters []Adapter `yaml:"adapters"` // see Targets for the order they are tried in

	Line int `yaml:"-"`
}

// Adapter is one step of a model's chain.
type Adapter struct {
	Adapter   string `yaml:"adapter"`    // required: a provider name
	ModelName string `yaml:"model_name"` // required: the upstream model id
	// Priority orders a chain, ascending. Default 1 when absent; an explicit 0 stays 0.
	Priority int            `yaml:"priority"`
	Timeout  float64        `yaml:"timeout"` // seconds; default 60 (also when written as 0)
	Params   map[string]any `yaml:"params"`  // per-adapter request overrides, e.g. max_tokens cap
	// Price overrides the preset's price of this model; nil = the preset's (or none).
	Price *Price `yaml:"price"`
	// ContextWindow is the upstream model's window in tokens; 0 = its preset's, if any. A
	// request estimated larger skips the adapter instead of failing on it.
	ContextWindow int `yaml:"context_window"`
	// Weight is the adapter's share of its priority level under BalanceWeighted;
	// 0 (absent) counts as 1.
	Weight int `yaml:"weight"`

	Line int `yaml:"-"`
}

// Balance policies (Model.Balance).
const (
	BalanceWeighted      = "weighted"
	BalanceLeastInFlight = "least_in_flight"
	BalanceLatency       = "latency"
)

// Balanced says whether requests share the load of a priority level.
func (m *Model) Balanced() bool { return m.Balance != "" && m.Mode != ModeAdapter }

// Pinned says whether a conversation stays on the adapter that served it.
func (m *Model) Pinned() bool { return m.Balanced() && (m.Affinity == nil || *m.Affinity) }

// Route sends the requests that meet all of When to another virtual model (To) or to
// the adapters of one provider of this model (Adapter); exactly one of the two is set.
type Route struct {
	Name    string    `yaml:"name"` // for the logs and the x-modelswitch-route header; default "route N"
	When    RouteWhen `yaml:"when"`
	To      string    `yaml:"to"`
	Adapter string    `yaml:"adapter"`

	Line int `yaml:"-"`
}

// RouteWhen are a route's conditions; those left out always hold, and at least one is set.
type RouteWhen struct {
	InputTokensOver int    `yaml:"input_tokens_over"` // estimated input tokens (4 bytes of JSON each) above this
	Thinking        *bool  `yaml:"thinking"`          // extended thinking / reasoning requested (or not)
	WebSearch       *bool  `yaml:"web_search"`        // a web-search tool offered
	Images          *bool  `yaml:"images"`            // an image in the input
	Tier            string `yaml:"tier"`              // the client's model name contains this (haiku, sonnet, opus), any case
	Header          string `yaml:"header"`            // the x-modelswitch-route header equals this
}

// Price is a price per million tokens (issue 17). Cache prices left out are
// not priced apart: they cost what input costs.
type Price struct {
	Input        float64  `yaml:"input"`
	Output       float64  `yaml:"output"`
	CacheRead    *float64 `yaml:"cache_read"`
	CacheWrite   *float64 `yaml:"cache_write"`    // Anthropic's 5-minute write
	CacheWrite1h *float64 `yaml:"cache_write_1h"` // Anthropic's 1-hour write
	Currency     string   `yaml:"currency"`       // default gateway.currency
}

// Models keeps the models mapping in file order: lookups fall back to the first
// case-insensitive match, and /v1/models lists models in this order.
type Models []Model

// Roles.
const (
	RoleAdmin = "admin"
	RoleUser  = "user"
)

// APIKey is a client credential (seed-behaviour §2.4, DESIGN §8).
type APIKey struct {
	Key     string `yaml:"key"`     // required, unique; ${ENV} resolved; RawKey keeps the file's text
	Name    string `yaml:"name"`    // display name; default "" = the masked key (DisplayName)
	Enabled *bool  `yaml:"enabled"` // default true
	// RateLimit is requests per minute; nil (absent) or 0 means unlimited (DESIGN §8).
	RateLimit  *int `yaml:"rate_limit"`
	DailyLimit int  `yaml:"daily_limit"` // requests per local calendar day; 0 = unlimited
	// DailyBudget and MonthlyBudget cap the key's spend per calendar day and month, in
	// gateway.currency; 0 = none. BudgetWarning is the share of a budget past which the UI
	// and the tray warn; default 0.8.
	DailyBudget   float64  `yaml:"daily_budget"`
	MonthlyBudget float64  `yaml:"monthly_budget"`
	BudgetWarning float64  `yaml:"budget_warning"`
	AllowedModels []string `yaml:"allowed_models"` // model names; default empty = all
	Roles         []string `yaml:"roles"`          // admin | user; default (also when empty) [user]
	// ExpiresAt is RFC 3339, or a date-time or date without zone (read in gateway.timezone);
	// null or empty = never. See Expiry.
	ExpiresAt   string `yaml:"expires_at"`
	CreatedAt   string `yaml:"created_at"`  // informational
	Description string `yaml:"description"` // informational

	// RawKey is key as written, before ${ENV} substitution; file writers must use it.
	RawKey string `yaml:"-"`

	Line int `yaml:"-"`
}

// IsEnabled reports whether the key may be used.
func (k *APIKey) IsEnabled() bool { return k.Enabled == nil || *k.Enabled }

// HasRole reports whether the key carries role r.
func (k *APIKey) HasRole(r string) bool {
	for _, have := range k.Roles {
		if have == r {
			return true
		}
	}
	return false
}
