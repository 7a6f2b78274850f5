package admin

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// How a key body is read: its secret is chosen by the gateway on create, is
// read-only through /api/keys/{id}, and may be set through PUT /api/config.
type keyMode uint8

const (
	keyCreate keyMode = iota
	keyUpdate
	keyWhole
)

// keyPatch is an API key as a request gives it: nil fields are absent.
type keyPatch struct {
	at                    string
	id, secret            *string
	name, description     *string
	roles, allowedModels  *[]string
	enabled               *bool
	rateLimit, dailyLimit *int
	dailyBudget           *float64
	monthlyBudget         *float64
	budgetWarning         *float64
	rateLimitNull         bool
	expiresAt             *string
	expiresNull           bool // null or "": never expires
	errs                  *fieldErrors
}

func decodeKey(o *object, mode keyMode) *keyPatch {
	k := &keyPatch{at: o.at, errs: o.errs, name: o.str("name"), description: o.str("description"),
		enabled: o.boolean("enabled"), rateLimitNull: o.null("rate_limit"), rateLimit: o.nonNegative("rate_limit"),
		dailyLimit: o.nonNegative("daily_limit"), allowedModels: o.strings("allowed_models"),
		dailyBudget: o.seconds("daily_budget"), monthlyBudget: o.seconds("monthly_budget"), budgetWarning: o.seconds("budget_warning"),
		expiresNull: o.null("expires_at"), expiresAt: o.str("expires_at")}
	if k.roles = o.strings("roles"); k.roles != nil {
		for _, r := range *k.roles {
			if r != config.RoleAdmin && r != config.RoleUser {
				o.errs.add(o.at+"roles", "unknown role %q (want admin or user)", r)
			}
		}
	}
	if e := k.expiresAt; e != nil && strings.TrimSpace(*e) == "" {
		k.expiresAt, k.expiresNull = nil, true
	} else if e != nil {
		if _, ok := (&config.APIKey{ExpiresAt: *e}).Expiry(time.UTC); !ok {
			o.errs.add(o.at+"expires_at", "%q is not a date or date-time (RFC 3339, e.g. 2026-12-31T23:59:59+08:00, or null)", *e)
		}
	}
	switch mode {
	case keyCreate:
		for _, f := range []string{"id", "key"} {
			if o.has(f) {
				o.known[f] = true
				o.errs.add(o.at+f, "is chosen by the gateway")
			}
		}
	case keyUpdate:
		if s := o.str("key"); s != nil && !isMasked(*s) {
			o.errs.add(o.at+"key", "cannot be changed; create a new key instead")
		}
		o.ignore("id")
	case keyWhole:
		k.id, k.secret = o.str("id"), o.str("key")
	}
	o.ignore("created_at", "today_requests", "spent_today", "spent_month", "currency")
	o.done()
	return k
}

// checkModels refuses allowed_models entries that are not models of c.
func (k *keyPatch) checkModels(c *config.Config) error {
	errs := fieldErrors{}
	if k.allowedModels != nil {
		for _, m := range *k.allowedModels {
			if c.FindModel(m) == nil {
				errs.add(k.at+"allowed_models", "model %q does not exist", m)
			}
		}
	}
	return errs.err()
}

// apply writes the fields that differ from cur.
func (k *keyPatch) apply(w *writer, cur *config.APIKey) {
	if s := k.secret; s != nil && !isMasked(*s) && *s != cur.RawKey {
		w.set("key", *s)
	}
	setIf(w, "name", k.name, cur.Name)
	setIf(w, "description", k.description, cur.Description)
	if k.roles != nil {
		roles := *k.roles
		if len(roles) == 0 {
			roles = []string{config.DefaultRole}
		}
		if !slices.Equal(roles, cur.Roles) {
			w.set("roles", *k.roles)
		}
	}
	setIf(w, "enabled", k.enabled, cur.IsEnabled())
	switch {
	case k.rateLimitNull && cur.RateLimit != nil:
		w.remove("rate_limit")
	case k.rateLimit != nil && cur.RateLimit == nil && *k.rateLimit != 0:
		w.set("rate_limit", *k.rateLimit)
	case k.rateLimit != nil && cur.RateLimit != nil:
		setIf(w, "rate_limit", k.rateLimit, *cur.RateLimit)
	}
	setIf(w, "daily_limit", k.dailyLimit, cur.DailyLimit)
	setIf(w, "daily_budget", k.dailyBudget, cur.DailyBudget)
	setIf(w, "monthly_budget", k.monthlyBudget, cur.MonthlyBudget)
	setIf(w, "budget_warning", k.budgetWarning, cur.BudgetWarning)
	setList(w, "allowed_models", k.allowedModels, cur.AllowedModels)
	if k.expiresNull && cur.ExpiresAt != "" {
		w.remove("expires_at")
	}
	setIf(w, "expires_at", k.expiresAt, cur.ExpiresAt)
}

// yaml is the entry of a new key with secret.
func (k *keyPatch) yaml(secret, created string) yamlKey {
	y := yamlKey{Key: secret, Roles: []string{config.DefaultRole}, Enabled: k.enabled, RateLimit: k.rateLimit,
		DailyLimit: k.dailyLimit, DailyBudget: k.dailyBudget, MonthlyBudget: k.monthlyBudget, BudgetWarning: k.budgetWarning,
		CreatedAt: created}
	if k.name != nil {
		y.Name = *k.name
	}
	if k.description != nil {
		y.Description = *k.description
	}
	if k.roles != nil && len(*k.roles) > 0 {
		y.Roles = *k.roles
	}
	if k.allowedModels != nil {
		y.AllowedModels = *k.allowedModels
	}
	if k.expiresAt != nil {
		y.ExpiresAt = *k.expiresAt
	}
	return y
}

func keyIndex(c *config.Config, id string) int {
	return slices.IndexFunc(c.APIKeys, func(k config.APIKey) bool { return k.ID() == id })
}

func keyPath(i int) config.Path { return config.Path{config.K("api_keys"), config.I(i)} }

// nameTaken reports whether a key other than the one at index skip (-1: none)
// has this name.
func nameTaken(c *config.Config, name string, skip int) bool {
	for i := range c.APIKeys {
		if i != skip && name != "" && c.APIKeys[i].Name == name {
			return true
		}
	}
	return false
}

// ListKeys is GET /api/keys: every key, masked, with today's request count.
func (a *ConfigAPI) ListKeys(w http.ResponseWriter, r *http.Request) error {
	c := a.Store.Current()
	out := make([]keyView, len(c.APIKeys))
	for i := range c.APIKeys {
		out[i] = a.keyView(&c.APIKeys[i])
	}
	return WriteJSON(w, http.StatusOK, out)
}

// CreateKey is POST /api/keys: a new random secret, written to config.yaml and
// returned once in "secret".
func (a *ConfigAPI) CreateKey(w http.ResponseWriter, r *http.Request) error {
	o, errs, err := readBody(r)
	if err != nil {
		return err
	}
	k := decodeKey(o, keyCreate)
	if err := errs.err(); err != nil {
		return err
	}
	secret := config.NewSecret()
	cfg, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		if k.name != nil && nameTaken(cur, *k.name, -1) {
			return conflict("an API key named %q already exists", *k.name)
		}
		if err := k.checkModels(cur); err != nil {
			return err
		}
		created := a.now().In(cur.Gateway.Location()).Format(time.RFC3339)
		return doc.Append(config.Path{config.K("api_keys")}, k.yaml(secret, created))
	})
	if err != nil {
		return err
	}
	id := (&config.APIKey{Key: secret}).ID()
	return WriteJSON(w, http.StatusCreated, map[string]any{
		"message": "API key created; copy the secret now: it is not shown again",
		"secret":  secret, "key": a.keyView(&cfg.APIKeys[keyIndex(cfg, id)])})
}

// UpdateKey is PUT /api/keys/{id}: any subset; "expires_at": null clears the
// expiry, "rate_limit": null makes it unlimited.
func (a *ConfigAPI) UpdateKey(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	o, errs, err := readBody(r)
	if err != nil {
		return err
	}
	k := decodeKey(o, keyUpdate)
	if err := errs.err(); err != nil {
		return err
	}
	cfg, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		i := keyIndex(cur, id)
		if i < 0 {
			return notFoundf("API key %q does not exist", id)
		}
		if k.name != nil && nameTaken(cur, *k.name, i) {
			return conflict("an API key named %q already exists", *k.name)
		}
		if err := k.checkModels(cur); err != nil {
			return err
		}
		kw := newWriter(doc, keyPath(i))
		k.apply(kw, &cur.APIKeys[i])
		return kw.err()
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"message": "API key updated",
		"key": a.keyView(&cfg.APIKeys[keyIndex(cfg, id)])})
}

// DeleteKey is DELETE /api/keys/{id}; the key stops working at once.
func (a *ConfigAPI) DeleteKey(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	_, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		i := keyIndex(cur, id)
		if i < 0 {
			return notFoundf("API key %q does not exist", id)
		}
		return doc.Delete(keyPath(i))
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"message": fmt.Sprintf("API key %s deleted", id)})
}

// ToggleKey is PATCH /api/keys/{id}/toggle.
func (a *ConfigAPI) ToggleKey(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	var enabled bool
	_, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		i := keyIndex(cur, id)
		if i < 0 {
			return notFoundf("API key %q does not exist", id)
		}
		enabled = !cur.APIKeys[i].IsEnabled()
		return doc.Set(join(keyPath(i), config.K("enabled")), enabled)
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"id": id, "enabled": enabled})
}
