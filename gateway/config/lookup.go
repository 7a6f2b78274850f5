package config

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FindModel returns the model a client's name resolves to (ResolveModel); nil if none.
func (c *Config) FindModel(name string) *Model {
	m, _ := c.ResolveModel(name)
	return m
}

// ResolveModel returns the model a client's name resolves to, and the alias
// that matched ("" when the model's own name did); nil if none. In order: the
// model of exactly that name, the first whose name matches case-insensitively
// (seed §2.3), the first with an exact alias of it (any case), the first
// whose alias pattern matches it (file order, then the aliases' order). A
// model's own name always wins over an alias.
func (c *Config) ResolveModel(name string) (*Model, string) {
	for i := range c.Models {
		if c.Models[i].Name == name {
			return &c.Models[i], ""
		}
	}
	if m := c.modelNamed(name); m != nil {
		return m, ""
	}
	for i := range c.Models {
		for _, a := range c.Models[i].Aliases {
			if !IsAliasPattern(a) && strings.EqualFold(a, name) {
				return &c.Models[i], a
			}
		}
	}
	lower := ""
	for i := range c.Models {
		for _, a := range c.Models[i].Aliases {
			if !IsAliasPattern(a) {
				continue
			}
			if lower == "" {
				lower = strings.ToLower(name)
			}
			if ok, _ := path.Match(strings.ToLower(a), lower); ok {
				return &c.Models[i], a
			}
		}
	}
	return nil, ""
}

// Label is the route's name, or "route N" (1-based) for the j-th route without one.
func (r *Route) Label(j int) string {
	if r.Name != "" {
		return r.Name
	}
	return "route " + strconv.Itoa(j+1)
}

// modelNamed is the model whose name is name in any case, or nil.
func (c *Config) modelNamed(name string) *Model {
	for i := range c.Models {
		if strings.EqualFold(c.Models[i].Name, name) {
			return &c.Models[i]
		}
	}
	return nil
}

// IsAliasPattern reports whether a model alias is a pattern rather than a name.
func IsAliasPattern(alias string) bool { return strings.ContainsAny(alias, `*?[\`) }

// FindProvider returns the provider with exactly this name, or nil.
func (c *Config) FindProvider(name string) *Provider {
	for i := range c.Providers {
		if c.Providers[i].Name == name {
			return &c.Providers[i]
		}
	}
	return nil
}

// Targets returns the adapters to try, in order: for chain mode all of them sorted by
// ascending priority (ties keep file order); for adapter mode only the one with the lowest
// priority (the first of equals) — the seed took adapters[0] and ignored priority (its R12).
// The slice is a copy; disabled or missing providers are not filtered out here.
func (m *Model) Targets() []Adapter {
	if len(m.Adapters) == 0 {
		return nil
	}
	out := slices.Clone(m.Adapters)
	slices.SortStableFunc(out, func(a, b Adapter) int { return cmp.Compare(a.Priority, b.Priority) })
	if m.Mode == ModeAdapter {
		return out[:1:1]
	}
	return out
}

// ID is a stable identifier for the key that does not reveal it: "key_" and the first 12 hex
// digits of the SHA-256 of the resolved secret. Usage rows and limit counters use it.
func (k *APIKey) ID() string {
	sum := sha256.Sum256([]byte(k.Key))
	return "key_" + hex.EncodeToString(sum[:6])
}

// DisplayName is the key's name, or its masked secret when it has none (seed §2.4).
func (k *APIKey) DisplayName() string {
	if k.Name != "" {
		return k.Name
	}
	return MaskSecret(k.Key)
}

// MaskSecret shows the first 3 and last 4 characters of s around "****", or only the first 3
// when s has 7 characters or fewer (the seed's rule). Secrets of 3 characters or fewer, which
// the seed would print whole, become just "****".
func MaskSecret(s string) string {
	r := []rune(s)
	switch {
	case len(r) <= 3:
		return "****"
	case len(r) <= 7:
		return string(r[:3]) + "****"
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// Expiry parses expires_at. A value without a zone is read in loc (nil means time.Local);
// a bare date means the start of that day. ok is false when the key never expires or the
// value does not parse (Parse rejects such values, so that only happens for in-memory configs).
func (k *APIKey) Expiry(loc *time.Location) (t time.Time, ok bool) {
	if k.ExpiresAt == "" {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.Local
	}
	return parseTime(k.ExpiresAt, loc)
}

// Layouts accepted for expires_at. Go accepts a fractional second after "05" even when the
// layout has none, so these cover "…05.872640" as Python's isoformat writes it.
var (
	zonedLayouts = []string{time.RFC3339, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00"}
	localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"}
)

func parseTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Location is the zone that defines "today" for daily limits and usage days: gateway.timezone,
// or time.Local when unset (or invalid, which Parse rejects). It loads the zone on every call,
// so callers on a hot path should keep the result.
func (g *Gateway) Location() *time.Location {
	if g.Timezone == "" {
		return time.Local
	}
	loc, err := time.LoadLocation(g.Timezone)
	if err != nil {
		return time.Local
	}
	return loc
}

// SlogLevel maps log_level to a slog level; the seed's Python names WARNING and CRITICAL are
// accepted as WARN and ERROR, and anything unknown is INFO.
func (g *Gateway) SlogLevel() slog.Level {
	switch strings.ToUpper(g.LogLevel) {
	case "DEBUG":
		return slog.LevelDebug
	case "WARN", "WARNING":
		return slog.LevelWarn
	case "ERROR", "CRITICAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Protocol is the wire protocol the provider speaks: ProtocolAnthropic for "anthropic",
// ProtocolResponses for "responses" (any case), ProtocolOpenAI for everything else, including
// the seed's OpenAI-compatible types (dashscope, glm, deepseek, vllm).
func (p *Provider) Protocol() string {
	switch {
	case strings.EqualFold(p.Provider, ProtocolAnthropic):
		return ProtocolAnthropic
	case strings.EqualFold(p.Provider, ProtocolResponses):
		return ProtocolResponses
	}
	return ProtocolOpenAI
}
