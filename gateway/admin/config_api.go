package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/proxy"
)

// ConfigStore owns config.yaml and the configuration in force (*server.Server).
type ConfigStore interface {
	// Current is the configuration in force.
	Current() *config.Config
	// Edit applies change to the file's node tree, validates the whole result,
	// writes it atomically and applies it before returning; edits are
	// serialised. On any error the file is untouched; an invalid result is a
	// *config.ValidationError.
	Edit(change func(doc *config.Document) error) (*config.Config, error)
}

// BreakerState is one circuit breaker of a provider, for the provider list.
type BreakerState struct {
	Model string `json:"model"`
	State string `json:"state"` // closed | open | half_open
}

// Live reports a provider's live state from the snapshot in force.
type Live interface {
	Queue(provider string) (active, waiting int)
	Breakers(provider string) []BreakerState
}

// Prober runs connectivity and chain tests (*proxy.Handler).
type Prober interface {
	TestProvider(ctx context.Context, name string) proxy.ProviderTest
	// TestModel's error is a *protocol.Error (404 unknown model, 400 bad test type).
	TestModel(ctx context.Context, name, testType string) (proxy.ChainTest, error)
}

// TodayCounts is today's request count of a key (the limiter's daily counters).
type TodayCounts interface {
	Today(keyID string) int
}

// ConfigAPI serves the configuration part of the admin API (docs/admin-api.md):
// whoami, the whole configuration, providers, models and API keys. Every
// mutation is validated first and goes through Store.Edit, which changes only
// the nodes it addresses in config.yaml and applies the result at once.
// Responses never contain a secret.
type ConfigAPI struct {
	Store ConfigStore
	Live  Live        // nil: no live state in the provider list
	Probe Prober      // nil: the test routes answer 501
	Today TodayCounts // nil: today_requests is 0
	Spend KeySpend    // nil: spent_today and spent_month are 0
	Now   func() time.Time
}

// KeySpend is what keys spent, in nanos of the gateway currency (auth.Budgets).
type KeySpend interface {
	Spent(keyID string, now time.Time) (day, month int64)
}

// Register adds the routes to r. /api/whoami accepts any valid key; the rest
// need an admin key (the server's guard decides).
func (a *ConfigAPI) Register(r *mux.Router) {
	route := func(path string, h HandlerFunc, method string) { r.Handle(path, h).Methods(method) }
	route("/api/whoami", a.WhoAmI, http.MethodGet)
	route("/api/config", a.GetConfig, http.MethodGet)
	route("/api/config", a.PutConfig, http.MethodPut)

	route("/api/config/providers", a.ListProviders, http.MethodGet)
	route("/api/config/providers", a.CreateProvider, http.MethodPost)
	route("/api/config/providers/{name:.+}/toggle", a.ToggleProvider, http.MethodPatch)
	route("/api/config/providers/{name:.+}/test", a.TestProvider, http.MethodPost)
	route("/api/config/providers/{name:.+}", a.UpdateProvider, http.MethodPut)
	route("/api/config/providers/{name:.+}", a.DeleteProvider, http.MethodDelete)

	route("/api/presets", ListPresets, http.MethodGet)

	route("/api/config/models", a.ListModels, http.MethodGet)
	route("/api/config/models", a.CreateModel, http.MethodPost)
	route("/api/config/models/{name:.+}/test", a.TestModel, http.MethodPost)
	route("/api/config/models/{name:.+}", a.UpdateModel, http.MethodPut)
	route("/api/config/models/{name:.+}", a.DeleteModel, http.MethodDelete)

	route("/api/keys", a.ListKeys, http.MethodGet)
	route("/api/keys", a.CreateKey, http.MethodPost)
	route("/api/keys/{id}/toggle", a.ToggleKey, http.MethodPatch)
	route("/api/keys/{id}", a.UpdateKey, http.MethodPut)
	route("/api/keys/{id}", a.DeleteKey, http.MethodDelete)
}

func (a *ConfigAPI) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// WhoAmI is GET /api/whoami: the caller's key id, name and roles.
func (a *ConfigAPI) WhoAmI(w http.ResponseWriter, r *http.Request) error {
	key, admin := Caller(r)
	if key == nil {
		return protocol.Errorf(http.StatusUnauthorized, "an API key is required")
	}
	roles := append([]string{}, key.Roles...)
	return WriteJSON(w, http.StatusOK, map[string]any{"id": key.ID, "name": key.Name, "roles": roles, "admin": admin})
}

// GetConfig is GET /api/config: the whole configuration, secrets masked.
func (a *ConfigAPI) GetConfig(w http.ResponseWriter, r *http.Request) error {
	return WriteJSON(w, http.StatusOK, a.configView(a.Store.Current()))
}

// edit runs change on config.yaml. cur is the configuration the file holds at
// this moment (not the one in force, which an edit may have just replaced), so
// paths built from it address the right nodes. An edit that would leave no
// enabled admin key, where there was one, is refused: it would lock everyone
// out of this API.
func (a *ConfigAPI) edit(change func(doc *config.Document, cur *config.Config) error) (*config.Config, error) {
	cfg, err := a.Store.Edit(func(doc *config.Document) error {
		cur, _, err := config.Parse(doc.Bytes(), "config.yaml")
		if err != nil {
			var ve *config.ValidationError
			if errors.As(err, &ve) {
				pe := validationError(ve)
				pe.Status = http.StatusConflict
				pe.Message = "config.yaml on disk is invalid; fix it first: " + pe.Message
				return pe
			}
			return err
		}
		if err := change(doc, cur); err != nil {
			return err
		}
		if admins(cur) > 0 {
			if next, _, err := config.Parse(doc.Bytes(), "config.yaml"); err == nil && admins(next) == 0 {
				return protocol.Errorf(http.StatusConflict, "refused: this change would leave no enabled key with the admin role")
			}
		}
		return nil
	})
	if err != nil {
		return nil, apiError(err)
	}
	return cfg, nil
}

func admins(c *config.Config) int {
	n := 0
	for i := range c.APIKeys {
		if k := &c.APIKeys[i]; k.IsEnabled() && k.HasRole(config.RoleAdmin) {
			n++
		}
	}
	return n
}

// apiError turns an edit's error into the client's: validation problems are a
// 400 listing them with their fields and lines.
func apiError(err error) error {
	var pe *protocol.Error
	var ve *config.ValidationError
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &ve):
		return validationError(ve)
	}
	return protocol.Errorf(http.StatusInternalServerError, "could not change config.yaml: "+err.Error())
}

func validationError(ve *config.ValidationError) *protocol.Error {
	pe := &protocol.Error{Status: http.StatusBadRequest, Message: "invalid configuration"}
	for _, p := range ve.Problems {
		pe.Fields = append(pe.Fields, protocol.FieldError{Field: p.Field, Line: p.Line, Message: p.Message})
	}
	if len(ve.Problems) > 0 {
		pe.Message += ": " + ve.Problems[0].Message
		if n := len(ve.Problems) - 1; n > 0 {
			pe.Message += fmt.Sprintf(" (and %d more problems, see fields)", n)
		}
	}
	return pe
}

func conflict(format string, args ...any) error {
	return protocol.Errorf(http.StatusConflict, fmt.Sprintf(format, args...))
}

func notFoundf(format string, args ...any) error { return NotFound(fmt.Sprintf(format, args...)) }

// join returns a new path: p followed by steps (p is never shared).
func join(p config.Path, steps ...config.Step) config.Path {
	return append(append(config.Path{}, p...), steps...)
}
