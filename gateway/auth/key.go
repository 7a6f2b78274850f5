package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/pricing"
)

// Key is the authenticated identity of a client: what the rest of the gateway
// sees of a config.APIKey. It never holds the secret, so a Key may be logged.
// Keys are shared by concurrent requests and must not be modified.
type Key struct {
	ID            string    // "key_" + first 12 hex digits of sha256(secret); stable across reloads
	Name          string    // display name: the configured name or a masked secret
	Roles         []string  // as configured; [user] when empty
	Enabled       bool      // false → 403
	RateLimit     int       // requests per minute; 0 = unlimited (absent in config = 0)
	DailyLimit    int       // requests per calendar day; 0 = unlimited
	DailyBudget   int64     // nanos of the gateway currency per calendar day; 0 = none
	MonthlyBudget int64     // nanos per calendar month; 0 = none
	BudgetWarning float64   // share of a budget past which the UI warns (0.8 when not set)
	AllowedModels []string  // resolved model names; empty = all
	Expiry        time.Time // zero = never expires
}

// newKey converts a config entry; zone-less expiries are read in loc.
func newKey(c *config.APIKey, loc *time.Location) *Key {
	k := &Key{
		ID:            keyID(c.Key),
		Name:          displayName(c.Name, c.Key),
		Roles:         slices.Clone(c.Roles),
		Enabled:       c.IsEnabled(),
		DailyLimit:    max(c.DailyLimit, 0),
		DailyBudget:   budgetNanos(c.DailyBudget),
		MonthlyBudget: budgetNanos(c.MonthlyBudget),
		BudgetWarning: c.BudgetWarning,
		AllowedModels: slices.Clone(c.AllowedModels),
		Expiry:        parseExpiry(c.ExpiresAt, loc),
	}
	if len(k.Roles) == 0 {
		k.Roles = []string{config.RoleUser}
	}
	if k.BudgetWarning <= 0 || k.BudgetWarning > 1 {
		k.BudgetWarning = 0.8
	}
	if c.RateLimit != nil {
		k.RateLimit = max(*c.RateLimit, 0)
	}
	return k
}

// keyID names a key in logs, usage rows and limiter counters without revealing it.
func keyID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "key_" + hex.EncodeToString(sum[:6])
}

// displayName is the configured name or, like the seed, the secret masked to
// its first 3 and last 4 characters (first 3 only when it has ≤ 7).
func displayName(name, secret string) string {
	if name != "" {
		return name
	}
	if len(secret) <= 7 {
		return secret[:min(3, len(secret))] + "****"
	}
	return secret[:3] + "****" + secret[len(secret)-4:]
}

// expiryLayouts are tried in order; the first carries a zone, the others are
// read in the Keyring's location. Parsing accepts a fractional second after
// the seconds field even when the layout has none.
var expiryLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999",
	"2006-01-02 15:04:05.999999",
	"2006-01-02",
}

// parseExpiry returns the zero time (no expiry) for an empty or unparseable
// value: validation rejects unparseable values at load, so one can only reach
// here through a caller that skipped validation, and the seed kept such keys valid.
func parseExpiry(s string, loc *time.Location) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	for _, layout := range expiryLayouts[1:] {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	return time.Time{}
}

// Expired reports whether the key has expired at now; it expires at the
// instant Expiry names.
func (k *Key) Expired(now time.Time) bool {
	return !k.Expiry.IsZero() && !now.Before(k.Expiry)
}

// IsAdmin reports whether the key carries the admin role.
func (k *Key) IsAdmin() bool { return k.HasRole(config.RoleAdmin) }

// HasRole reports whether the key carries role r.
func (k *Key) HasRole(r string) bool { return slices.Contains(k.Roles, r) }

// AllowsModel reports whether the key may use the model whose canonical,
// already-resolved name is resolved. Matching is case-insensitive, like model
// resolution, so an allow-list entry need not repeat the config's spelling.
// An empty list allows every model.
func (k *Key) AllowsModel(resolved string) bool {
	if len(k.AllowedModels) == 0 {
		return true
	}
	return slices.ContainsFunc(k.AllowedModels, func(m string) bool {
		return strings.EqualFold(m, resolved)
	})
}

// CheckModel is AllowsModel as a 403 Error for the HTTP layer; nil = allowed.
func (k *Key) CheckModel(resolved string) *Error {
	if k.AllowsModel(resolved) {
		return nil
	}
	return permissionError("API key is not allowed to use model " + resolved)
}

// String shows only the id and display name.
func (k Key) String() string { return k.ID + " (" + k.Name + ")" }

// LogValue makes slog log a Key as {id, name}, never its other fields.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", k.ID), slog.String("name", k.Name))
}

// budgetNanos is a budget in currency units as nanos; negative is none.
func budgetNanos(units float64) int64 {
	if units <= 0 {
		return 0
	}
	return int64(math.Round(units * pricing.NanosPerUnit))
}
