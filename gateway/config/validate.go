package config

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Problem is one reason a config is invalid.
type Problem struct {
	Line    int    // 1-based line in the file; 0 when unknown (e.g. a config built in memory)
	Field   string // path of the offending field, e.g. "providers[1].base_url" (0-based indexes)
	Message string // human-readable; never contains a secret
}

// ValidationError lists every problem found in one config; Parse never stops at the first.
type ValidationError struct {
	File     string
	Problems []Problem
}

// Error lists the problems one per line as "<file>:<line>: <message>".
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(position(e.File, p.Line) + p.Message)
	}
	return b.String()
}

// Validate checks a config built or edited in memory (run SetDefaults first). Problems carry
// the Line fields recorded by Parse; re-parsing the written bytes gives exact field lines.
func (c *Config) Validate() error {
	v := &validator{}
	v.config(c)
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.sortedProblems()}
	}
	return nil
}

// openAIAliases are seed provider types that speak the OpenAI protocol here (seed §2.2).
var openAIAliases = map[string]bool{"dashscope": true, "glm": true, "deepseek": true, "vllm": true}

var logLevels = map[string]bool{"DEBUG": true, "INFO": true, "WARN": true, "WARNING": true, "ERROR": true, "CRITICAL": true}

type validator struct {
	file     string
	lines    map[string]int // from the checker; nil for in-memory configs
	problems []Problem
	warnings []Warning
}

func (v *validator) line(field string, fallback int) int {
	if l, ok := v.lines[field]; ok {
		return l
	}
	return fallback
}

func (v *validator) fail(field string, fallback int, format string, args ...any) {
	v.problems = append(v.problems, Problem{Line: v.line(field, fallback), Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) warn(field string, fallback int, format string, args ...any) {
	v.warnings = append(v.warnings, Warning{File: v.file, Line: v.line(field, fallback), Message: fmt.Sprintf(format, args...)})
}

// positive reports a zero or negative value where only a positive one makes sense.
func (v *validator) positive(field string, fallback int, where, key string, n float64) {
	if n <= 0 {
		v.fail(field, fallback, "%s: %s must be greater than zero (got %v)", where, key, n)
	}
}

func (v *validator) nonNegative(field string, fallback int, where, key string, n float64) {
	if n < 0 {
		v.fail(field, fallback, "%s: %s must not be negative (got %v)", where, key, n)
	}
}

func (v *validator) config(c *Config) {
	v.gateway(&c.Gateway)
	v.providers(c)
	v.models(c)
	v.apiKeys(c)
}

func (v *validator) gateway(g *Gateway) {
	at := func(key string) string { return "gateway." + key }
	if g.Port < 1 || g.Port > 65535 {
		v.fail(at("port"), g.Line, "gateway: port must be between 1 and 65535 (got %d)", g.Port)
	}
	if !logLevels[strings.ToUpper(g.LogLevel)] {
		v.fail(at("log_level"), g.Line, "gateway: unknown log_level %q (want DEBUG, INFO, WARN or ERROR)", g.LogLevel)
	}
	switch g.LogBodies {
	case LogBodiesFull, LogBodiesTruncated, LogBodiesOff:
	default:
		v.fail(at("log_bodies"), g.Line, "gateway: unknown log_bodies %q (want full, truncated or off)", g.LogBodies)
	}
	for _, kv := range []struct {
		key string
		n   float64
	}{
		{"log_max_bytes", float64(g.LogMaxBytes)}, {"log_backup_count", float64(g.LogBackupCount)},
		{"log_max_body_length", float64(g.LogMaxBodyLength)}, {"usage_flush_interval", float64(g.UsageFlushSeconds)},
		{"max_body_mb", float64(g.MaxBodyMB)}, {"usage_retention_days", float64(g.UsageRetentionDays)},
	} {
		v.nonNegative(at(kv.key), g.Line, "gateway", kv.key, kv.n)
	}
	v.positive(at("circuit_breaker.failures"), g.Line, "gateway", "circuit_breaker.failures", float64(g.CircuitBreaker.Failures))
	v.positive(at("circuit_breaker.open_seconds"), g.Line, "gateway", "circuit_breaker.open_seconds", g.CircuitBreaker.OpenSeconds)
	if g.Timezone != "" {
		if _, err := time.LoadLocation(g.Timezone); err != nil {
			v.fail(at("timezone"), g.Line, "gateway: unknown timezone %q", g.Timezone)
		}
	}
	for i, o := range g.CORSOrigins {
		if strings.TrimSpace(o) == "" {
			v.fail(fmt.Sprintf("gateway.cors_origins[%d]", i), g.Line, "gateway: cors_origins has an empty entry")
		}
	}
}

func (v *validator) breaker(cb *CircuitBreaker, field string, fallback int, where string) {
	v.nonNegative(field+".failures", fallback, where, "circuit_breaker.failures", float64(cb.Failures))
	v.nonNegative(field+".open_seconds", fallback, where, "circuit_breaker.open_seconds", cb.OpenSeconds)
}

func providerLabel(p *Provider, i int) string {
	if p.Name != "" {
		return fmt.Sprintf("provider %q", p.Name)
	}
	return fmt.Sprintf("provider %d", i+1)
}

func (v *validator) providers(c *Config) {
	seen := map[string]int{}
	for i := range c.Providers {
		p := &c.Providers[i]
		f := func(key string) string { return fmt.Sprintf("providers[%d].%s", i, key) }
		where := providerLabel(p, i)
		if p.Name == "" {
			v.fail(f("name"), p.Line, "%s: name is required", where)
		} else if first, dup := seen[p.Name]; dup {
			v.fail(f("name"), p.Line, "%s: duplicate provider name (first defined at line %d)", where, first)
		} else {
			seen[p.Name] = v.line(fmt.Sprintf("providers[%d]", i), p.Line)
		}
		v.baseURL(p, f("base_url"), where)
		v.notSelf(p, &c.Gateway, f("base_url"), where)
		if names := unresolvedEnv(p.APIKey); len(names) > 0 {
			v.warn(f("api_key"), p.Line, "%s: api_key uses ${%s}, which is not set; the text is sent as written", where, names[0])
		}
		switch kind := strings.ToLower(p.Provider); {
		case kind == ProtocolOpenAI || kind == ProtocolAnthropic || kind == ProtocolResponses:
		case openAIAliases[kind]:
			v.warn(f("provider"), p.Line, "%s: provider %q is treated as %q (an OpenAI-compatible API)", where, p.Provider, ProtocolOpenAI)
		default:
			v.fail(f("provider"), p.Line, "%s: unknown provider %q (want openai, anthropic or responses)", where, p.Provider)
		}
		v.nonNegative(f("max_concurrent"), p.Line, where, "max_concurrent", float64(p.MaxConcurrent))
		v.nonNegative(f("max_queue_size"), p.Line, where, "max_queue_size", float64(p.MaxQueueSize))
		v.nonNegative(f("queue_timeout"), p.Line, where, "queue_timeout", p.QueueTimeout)
		v.positive(f("timeouts.connect"), p.Line, where, "timeouts.connect", p.Timeouts.Connect)
		v.nonNegative(f("timeouts.first_byte"), p.Line, where, "timeouts.first_byte", p.Timeouts.FirstByte)
		v.positive(f("timeouts.idle"), p.Line, where, "timeouts.idle", p.Timeouts.Idle)
		if p.CircuitBreaker != nil {
			v.breaker(p.CircuitBreaker, f("circuit_breaker"), p.Line, where)
		}
		if p.Reasoning != ReasoningDrop && p.Reasoning != ReasoningContent {
			v.fail(f("reasoning"), p.Line, "%s: unknown reasoning %q (want drop or reasoning_content)", where, p.Reasoning)
		}
	}
}

func (v *validator) baseURL(p *Provider, field, where string) {
	if strings.TrimSpace(p.BaseURL) == "" {
		v.fail(field, p.Line, "%s: base_url is required", where)
		return
	}
	if names := unresolvedEnv(p.BaseURL); len(names) > 0 {
		v.fail(field, p.Line, "%s: base_url uses ${%s}, which is not set", where, names[0])
		return
	}
	u, err := url.Parse(p.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail(field, p.Line, "%s: base_url %q is not an http:// or https:// URL", where, p.BaseURL)
	}
}

// notSelf refuses a provider whose base_url is this gateway's own listener:
// every request would loop back into the gateway until the queue or the
// timeouts gave up. (A --port override is not known here; the listener's
// address is compared as configured.)
func (v *validator) notSelf(p *Provider, g *Gateway, field, where string) {
	u, err := url.Parse(p.BaseURL)
	if err != nil || u.Hostname() == "" {
		return
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if port != strconv.Itoa(g.Port) {
		return
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	loopback := strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())
	if loopback || host == g.Host || (ip != nil && ip.IsUnspecified()) {
		v.fail(field, p.Line, "%s: base_url %q points at this gateway itself (gateway.port %d); requests would loop", where, p.BaseURL, g.Port)
	}
}

func (v *validator) models(c *Config) {
	seen := map[string]int{}
	aliases := map[string]string{} // exact alias, lower case → its model
	lines := v.lines
	defer func() { v.lines = lines }()
	for i := range c.Models {
		m := &c.Models[i]
		base := "models." + m.Name
		where := fmt.Sprintf("model %q", m.Name)
		v.lines = lines
		if m.Name == "" {
			v.fail(base, m.Line, "a model has an empty name")
		} else if first, dup := seen[m.Name]; dup {
			// The field paths of a duplicate name point at the first definition; use the
			// struct lines for this one instead.
			v.lines = nil
			v.fail(base, m.Line, "%s is defined twice (first at line %d)", where, first)
		} else {
			seen[m.Name] = m.Line
		}
		if m.Mode != ModeChain && m.Mode != ModeAdapter {
			v.fail(base+".mode", m.Line, "%s: unknown mode %q (want chain or adapter)", where, m.Mode)
		}
		if len(m.Adapters) == 0 {
			v.warn(base, m.Line, "%s has no adapters; requests for it will fail", where)
		}
		switch m.Balance {
		case "", BalanceWeighted, BalanceLeastInFlight, BalanceLatency:
		default:
			v.fail(base+".balance", m.Line, "%s: unknown balance %q (want %s, %s or %s)", where, m.Balance,
				BalanceWeighted, BalanceLeastInFlight, BalanceLatency)
		}
		v.aliases(c, m, base, where, aliases)
		v.routes(c, m, base, where)
		for j := range m.Adapters {
			a := &m.Adapters[j]
			f := func(key string) string { return fmt.Sprintf("%s.adapters[%d].%s", base, j, key) }
			aw := fmt.Sprintf("%s adapter %d", where, j+1)
			if a.Adapter == "" {
				v.fail(f("adapter"), a.Line, "%s: adapter (the provider name) is required", aw)
			} else if c.FindProvider(a.Adapter) == nil {
				v.fail(f("adapter"), a.Line, "%s names provider %q, which does not exist", aw, a.Adapter)
			}
			if a.ModelName == "" {
				v.fail(f("model_name"), a.Line, "%s: model_name is required", aw)
			}
			v.positive(f("timeout"), a.Line, aw, "timeout", a.Timeout)
			if a.Weight < 0 {
				v.fail(f("weight"), a.Line, "%s: weight must not be negative (got %d)", aw, a.Weight)
			}
			if a.ContextWindow < 0 {
				v.fail(f("context_window"), a.Line, "%s: context_window must not be negative (got %d)", aw, a.ContextWindow)
			}
			if p := a.Price; p != nil {
				v.nonNegative(f("price.input"), a.Line, aw, "price.input", p.Input)
				v.nonNegative(f("price.output"), a.Line, aw, "price.output", p.Output)
				for key, x := range map[string]*float64{"cache_read": p.CacheRead, "cache_write": p.CacheWrite, "cache_write_1h": p.CacheWrite1h} {
					if x != nil {
						v.nonNegative(f("price."+key), a.Line, aw, "price."+key, *x)
					}
				}
				if cur := p.Currency; cur != "" && cur != c.Gateway.CostCurrency() && c.Gateway.ExchangeRates[cur] <= 0 {
					v.warn(f("price.currency"), a.Line, "%s: price in %s but gateway.exchange_rates has no rate for it; its requests show no price", aw, cur)
				}
			}
		}
	}
}

// aliases checks m's aliases: each a name or a valid pattern, no exact alias
// that is a model's name or another model's alias (a request would go to one
// of them by file order, silently).
func (v *validator) aliases(c *Config, m *Model, base, where string, seen map[string]string) {
	for j, a := range m.Aliases {
		f := fmt.Sprintf("%s.aliases[%d]", base, j)
		switch {
		case strings.TrimSpace(a) == "":
			v.fail(f, m.Line, "%s: an alias is empty", where)
		case IsAliasPattern(a):
			if _, err := path.Match(a, ""); err != nil {
				v.fail(f, m.Line, "%s: alias %q is not a valid pattern (* ? [a-z] as in shell globs): %v", where, a, err)
			}
		default:
			low := strings.ToLower(a)
			if other := c.modelNamed(a); other != nil {
				v.fail(f, m.Line, "%s: alias %q is the name of model %q", where, a, other.Name)
			} else if first, dup := seen[low]; dup && first != m.Name {
				v.fail(f, m.Line, "%s: alias %q is also an alias of model %q", where, a, first)
			} else {
				seen[low] = m.Name
			}
		}
	}
}

// routes checks m's routes: each names one target that exists (another
// model, or a provider of m's own chain) and has a condition.
func (v *validator) routes(c *Config, m *Model, base, where string) {
	names := map[string]bool{}
	for j := range m.Routes {
		r := &m.Routes[j]
		f := fmt.Sprintf("%s.routes[%d]", base, j)
		rw := fmt.Sprintf("%s route %q", where, r.Label(j))
		if names[r.Label(j)] {
			v.fail(f+".name", r.Line, "%s: the name is used twice", rw)
		}
		names[r.Label(j)] = true
		switch {
		case (r.To == "") == (r.Adapter == ""):
			v.fail(f, r.Line, "%s: give either to (a virtual model) or adapter (a provider of this model), not both or neither", rw)
		case r.To != "":
			if t := c.modelNamed(r.To); t == nil {
				v.fail(f+".to", r.Line, "%s: to names model %q, which does not exist", rw, r.To)
			} else if t == m {
				v.fail(f+".to", r.Line, "%s: to names the model itself", rw)
			}
		case !slices.ContainsFunc(m.Adapters, func(a Adapter) bool { return a.Adapter == r.Adapter }):
			v.fail(f+".adapter", r.Line, "%s: adapter %q is not one of this model's adapters", rw, r.Adapter)
		}
		w := r.When
		if w.InputTokensOver < 0 {
			v.fail(f+".when.input_tokens_over", r.Line, "%s: input_tokens_over must not be negative", rw)
		}
		if w == (RouteWhen{}) {
			v.fail(f+".when", r.Line, "%s: when needs a condition (input_tokens_over, thinking, web_search, images, tier or header)", rw)
		}
	}
}

func keyLabel(k *APIKey, i int) string {
	if k.Name != "" {
		return fmt.Sprintf("api key %q", k.Name)
	}
	return fmt.Sprintf("api key %d", i+1)
}

func (v *validator) apiKeys(c *Config) {
	seen := map[string]int{}
	for i := range c.APIKeys {
		k := &c.APIKeys[i]
		f := func(key string) string { return fmt.Sprintf("api_keys[%d].%s", i, key) }
		where := keyLabel(k, i)
		switch {
		case k.Key == "":
			v.fail(f("key"), k.Line, "%s: key is required", where)
		case len(unresolvedEnv(k.Key)) > 0:
			// Kept literally, "${NAME}" would be a guessable working credential.
			v.fail(f("key"), k.Line, "%s: key uses ${%s}, which is not set", where, unresolvedEnv(k.Key)[0])
		case len(k.Key) < MinKeyLength:
			v.fail(f("key"), k.Line, "%s: key has %d characters; at least %d are required (generated keys have %d)",
				where, len(k.Key), MinKeyLength, len(SecretPrefix)+secretLength)
		default:
			if first, dup := seen[k.Key]; dup {
				v.fail(f("key"), k.Line, "%s: duplicate key (same secret as the key at line %d)", where, first)
			} else {
				seen[k.Key] = v.line(fmt.Sprintf("api_keys[%d]", i), k.Line)
			}
		}
		for _, r := range k.Roles {
			if r != RoleAdmin && r != RoleUser {
				v.fail(f("roles"), k.Line, "%s: unknown role %q (want admin or user)", where, r)
			}
		}
		if k.RateLimit != nil {
			v.nonNegative(f("rate_limit"), k.Line, where, "rate_limit", float64(*k.RateLimit))
		}
		v.nonNegative(f("daily_limit"), k.Line, where, "daily_limit", float64(k.DailyLimit))
		v.nonNegative(f("daily_budget"), k.Line, where, "daily_budget", k.DailyBudget)
		v.nonNegative(f("monthly_budget"), k.Line, where, "monthly_budget", k.MonthlyBudget)
		if k.BudgetWarning < 0 || k.BudgetWarning > 1 {
			v.fail(f("budget_warning"), k.Line, "%s: budget_warning %v must be a share between 0 and 1 (e.g. 0.8)", where, k.BudgetWarning)
		}
		if k.ExpiresAt != "" {
			if _, ok := parseTime(k.ExpiresAt, time.UTC); !ok {
				v.fail(f("expires_at"), k.Line, "%s: expires_at %q is not a date or date-time (e.g. 2026-12-31T23:59:59+08:00)", where, k.ExpiresAt)
			}
		}
		for _, name := range k.AllowedModels {
			if c.FindModel(name) == nil {
				v.warn(f("allowed_models"), k.Line, "%s: allowed_models names %q, which is not a model", where, name)
			}
		}
	}
}

// sortedProblems orders problems by line, keeping discovery order within a line; unknown lines last.
func (v *validator) sortedProblems() []Problem {
	out := append([]Problem(nil), v.problems...)
	sort.SliceStable(out, func(i, j int) bool { return lineKey(out[i].Line) < lineKey(out[j].Line) })
	return out
}

func (v *validator) sortedWarnings() []Warning {
	out := append([]Warning(nil), v.warnings...)
	sort.SliceStable(out, func(i, j int) bool { return lineKey(out[i].Line) < lineKey(out[j].Line) })
	return out
}

func lineKey(l int) int {
	if l <= 0 {
		return int(^uint(0) >> 1)
	}
	return l
}
