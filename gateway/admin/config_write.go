package admin

import (
	"slices"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// writer sets the fields of one mapping of config.yaml. Callers compare each
// requested value with the current one and write only what changes, one
// field at a time: the editor then touches only those nodes, so comments and
// layout elsewhere survive, and a request that changes nothing (a PUT of a
// GET's output) leaves the file byte for byte as it was. The first error
// stops all further writes and is kept in *failed.
type writer struct {
	doc    *config.Document
	at     config.Path
	create bool // at may be missing: make it an empty mapping before the first write
	failed *error
}

func newWriter(doc *config.Document, at config.Path) *writer {
	return &writer{doc: doc, at: at, failed: new(error)}
}

func (w *writer) err() error { return *w.failed }

// fail stops the writer (and its children) with err.
func (w *writer) fail(err error) {
	if *w.failed == nil {
		*w.failed = err
	}
}

// sub is a writer for the mapping under key, created on its first write.
func (w *writer) sub(key string) *writer {
	return &writer{doc: w.doc, at: join(w.at, config.K(key)), create: true, failed: w.failed}
}

func (w *writer) set(key string, v any) {
	if *w.failed != nil {
		return
	}
	if w.create {
		w.create = false
		if _, ok := w.doc.Get(w.at); !ok {
			if err := w.doc.Set(w.at, map[string]any{}); err != nil {
				w.fail(err)
				return
			}
		}
	}
	if err := w.doc.Set(join(w.at, config.K(key)), v); err != nil {
		w.fail(err)
	}
}

// remove deletes key when the file has it.
func (w *writer) remove(key string) {
	p := join(w.at, config.K(key))
	if _, ok := w.doc.Get(p); ok && *w.failed == nil {
		if err := w.doc.Delete(p); err != nil {
			w.fail(err)
		}
	}
}

// setIf writes v under key when it is given and differs from cur.
func setIf[T comparable](w *writer, key string, v *T, cur T) {
	if v != nil && *v != cur {
		w.set(key, *v)
	}
}

// setOrRemove writes an integer whose zero is its default: a change to 0
// removes the key instead of writing "key: 0".
func setOrRemove(w *writer, key string, v, cur int) {
	switch {
	case v == cur:
	case v == 0:
		w.remove(key)
	default:
		w.set(key, v)
	}
}

// nonZero is p, or nil when it points at 0 (left out of a new entry).
func nonZero(p *int) *int {
	if p == nil || *p == 0 {
		return nil
	}
	return p
}

// setList writes a list when it is given and differs from cur (nil and empty
// are the same).
func setList(w *writer, key string, v *[]string, cur []string) {
	if v != nil && !slices.Equal(*v, cur) && (len(*v) > 0 || len(cur) > 0) {
		w.set(key, *v)
	}
}

// YAML shapes of new entries: fields the request did not give are left out,
// so the file stays as short as a hand-written one and defaults apply.

type yamlAdapter struct {
	Adapter   string         `yaml:"adapter"`
	ModelName string         `yaml:"model_name"`
	Priority  *int           `yaml:"priority,omitempty"`
	Timeout   *float64       `yaml:"timeout,omitempty"`
	Params    map[string]any `yaml:"params,omitempty"`
	Weight    *int           `yaml:"weight,omitempty"`
	Window    *int           `yaml:"context_window,omitempty"`
}

type yamlModel struct {
	Mode        string        `yaml:"mode,omitempty"`
	Description string        `yaml:"description,omitempty"`
	Aliases     []string      `yaml:"aliases,omitempty,flow"`
	Balance     string        `yaml:"balance,omitempty"`
	Affinity    *bool         `yaml:"affinity,omitempty"`
	Routes      []routeDoc    `yaml:"routes,omitempty"`
	Adapters    []yamlAdapter `yaml:"adapters"`
}

type yamlProvider struct {
	Name                 string            `yaml:"name"`
	Provider             *string           `yaml:"provider,omitempty"`
	BaseURL              string            `yaml:"base_url"`
	Preset               *string           `yaml:"preset,omitempty"`
	APIKey               *string           `yaml:"api_key,omitempty"`
	CustomHeaders        map[string]string `yaml:"custom_headers,omitempty"`
	Enabled              *bool             `yaml:"enabled,omitempty"`
	MaxConcurrent        *int              `yaml:"max_concurrent,omitempty"`
	MaxQueueSize         *int              `yaml:"max_queue_size,omitempty"`
	QueueTimeout         *float64          `yaml:"queue_timeout,omitempty"`
	DisableStreamOptions *bool             `yaml:"disable_stream_options,omitempty"`
	Reasoning            *string           `yaml:"reasoning,omitempty"`
	Timeouts             map[string]any    `yaml:"timeouts,omitempty"`
	CircuitBreaker       map[string]any    `yaml:"circuit_breaker,omitempty"`
}

type yamlKey struct {
	Name          string   `yaml:"name,omitempty"`
	Key           string   `yaml:"key"`
	Description   string   `yaml:"description,omitempty"`
	Roles         []string `yaml:"roles,flow"`
	Enabled       *bool    `yaml:"enabled,omitempty"`
	RateLimit     *int     `yaml:"rate_limit,omitempty"`
	DailyLimit    *int     `yaml:"daily_limit,omitempty"`
	DailyBudget   *float64 `yaml:"daily_budget,omitempty"`
	MonthlyBudget *float64 `yaml:"monthly_budget,omitempty"`
	BudgetWarning *float64 `yaml:"budget_warning,omitempty"`
	AllowedModels []string `yaml:"allowed_models,omitempty,flow"`
	ExpiresAt     string   `yaml:"expires_at,omitempty"`
	CreatedAt     string   `yaml:"created_at,omitempty"`
}

// given collects the fields of a nested object that a request gave, for a new entry.
func given(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case *int:
			if v != nil {
				m[kv[i].(string)] = *v
			}
		case *float64:
			if v != nil {
				m[kv[i].(string)] = *v
			}
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
