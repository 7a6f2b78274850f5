package admin

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

type timeoutsPatch struct{ connect, firstByte, idle *float64 }

type breakerPatch struct {
	failures    *int
	openSeconds *float64
}

// providerPatch is a provider as a request gives it: nil fields are absent.
type providerPatch struct {
	at                            string // field prefix for problems
	name, protocol, baseURL       *string
	apiKey, reasoning, preset     *string
	headers                       *map[string]string
	enabled, disableStreamOptions *bool
	maxConcurrent, maxQueueSize   *int
	queueTimeout                  *float64
	timeouts                      *timeoutsPatch
	breaker                       *breakerPatch
	breakerNull                   bool // "circuit_breaker": null: use the gateway's
	errs                          *fieldErrors
}

func decodeProvider(o *object) *providerPatch {
	p := &providerPatch{
		at: o.at, errs: o.errs, name: o.str("name"), protocol: o.oneOf("provider", config.ProtocolOpenAI, config.ProtocolAnthropic, config.ProtocolResponses),
		baseURL: o.str("base_url"), apiKey: o.str("api_key"), preset: o.str("preset"), headers: o.stringMap("custom_headers"),
		enabled: o.boolean("enabled"), maxConcurrent: o.nonNegative("max_concurrent"),
		maxQueueSize: o.nonNegative("max_queue_size"), queueTimeout: o.seconds("queue_timeout"),
		disableStreamOptions: o.boolean("disable_stream_options"),
		reasoning:            o.oneOf("reasoning", config.ReasoningDrop, config.ReasoningContent),
		breakerNull:          o.null("circuit_breaker"),
	}
	if t := o.obj("timeouts"); t != nil {
		p.timeouts = &timeoutsPatch{t.seconds("connect"), t.seconds("first_byte"), t.seconds("idle")}
		t.done()
	}
	if b := o.obj("circuit_breaker"); b != nil {
		p.breaker = &breakerPatch{b.nonNegative("failures"), b.seconds("open_seconds")}
		b.done()
	}
	if p.name != nil {
		checkName(o, "name", *p.name)
	}
	o.ignore("api_key_set", "used_by", "live", "price_preset")
	o.done()
	return p
}

// checkName refuses names that cannot be written as one YAML key or used in a URL.
func checkName(o *object, field, name string) {
	switch {
	case strings.TrimSpace(name) == "":
		o.errs.add(o.at+field, "must not be empty")
	case strings.TrimSpace(name) != name:
		o.errs.add(o.at+field, "must not start or end with spaces")
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		o.errs.add(o.at+field, "must not contain control characters")
	}
}

// checkNew records what a new provider lacks: a name, a base_url, and real
// secrets (a masked value from a response cannot be written: A6).
func (p *providerPatch) checkNew() {
	if p.name == nil {
		p.errs.add(p.at+"name", "is required")
	}
	if p.baseURL == nil || strings.TrimSpace(*p.baseURL) == "" {
		p.errs.add(p.at+"base_url", "is required")
	}
	if p.apiKey != nil && isMasked(*p.apiKey) {
		p.errs.add(p.at+"api_key", "is a masked value (contains ****); send the key itself or a ${VAR} reference")
	}
	if p.headers != nil {
		for _, k := range slices.Sorted(maps.Keys(*p.headers)) {
			if isMasked((*p.headers)[k]) {
				p.errs.add(p.at+"custom_headers."+k, "is a masked value (contains ****); send the value itself")
			}
		}
	}
}

// yaml is the new provider's entry.
func (p *providerPatch) yaml() yamlProvider {
	y := yamlProvider{Name: *p.name, Provider: p.protocol, BaseURL: *p.baseURL, Preset: p.preset, APIKey: p.apiKey, Enabled: p.enabled,
		MaxConcurrent: p.maxConcurrent, MaxQueueSize: p.maxQueueSize, QueueTimeout: p.queueTimeout,
		DisableStreamOptions: p.disableStreamOptions, Reasoning: p.reasoning}
	if p.headers != nil && len(*p.headers) > 0 {
		y.CustomHeaders = *p.headers
	}
	if t := p.timeouts; t != nil {
		y.Timeouts = given("connect", t.connect, "first_byte", t.firstByte, "idle", t.idle)
	}
	if b := p.breaker; b != nil {
		y.CircuitBreaker = given("failures", b.failures, "open_seconds", b.openSeconds)
	}
	return y
}

// apply writes the fields that differ from cur. A masked api_key or header
// value, or the ${VAR} text a response showed, keeps what the file has.
func (p *providerPatch) apply(w *writer, cur *config.Provider) {
	setIf(w, "name", p.name, cur.Name)
	if v := p.protocol; v != nil && !strings.EqualFold(*v, cur.Protocol()) && !strings.EqualFold(*v, cur.Provider) {
		w.set("provider", *v)
	}
	setIf(w, "base_url", p.baseURL, cur.RawBaseURL)
	setIf(w, "preset", p.preset, cur.Preset)
	if k := p.apiKey; k != nil && !isMasked(*k) && *k != cur.RawAPIKey && *k != shownSecret(cur.RawAPIKey, cur.APIKey) {
		w.set("api_key", *k)
	}
	if p.headers != nil {
		next := make(map[string]string, len(*p.headers))
		for k, v := range *p.headers {
			if old, ok := cur.CustomHeaders[k]; ok && (isMasked(v) || v == headersView(map[string]string{k: old})[k]) {
				v = old
			} else if isMasked(v) {
				w.fail(BadParam(p.at+"custom_headers."+k, "is a masked value (contains ****) and the provider has no such header"))
				return
			}
			next[k] = v
		}
		if !maps.Equal(next, cur.CustomHeaders) {
			w.set("custom_headers", next)
		}
	}
	setIf(w, "enabled", p.enabled, cur.IsEnabled())
	setIf(w, "max_concurrent", p.maxConcurrent, cur.MaxConcurrent)
	setIf(w, "max_queue_size", p.maxQueueSize, cur.MaxQueueSize)
	setIf(w, "queue_timeout", p.queueTimeout, cur.QueueTimeout)
	setIf(w, "disable_stream_options", p.disableStreamOptions, cur.DisableStreamOptions)
	setIf(w, "reasoning", p.reasoning, cur.Reasoning)
	if t := p.timeouts; t != nil {
		tw := w.sub("timeouts")
		setIf(tw, "connect", t.connect, cur.Timeouts.Connect)
		setIf(tw, "first_byte", t.firstByte, cur.Timeouts.FirstByte)
		setIf(tw, "idle", t.idle, cur.Timeouts.Idle)
	}
	switch b := p.breaker; {
	case p.breakerNull && cur.CircuitBreaker != nil:
		w.remove("circuit_breaker")
	case b != nil && cur.CircuitBreaker == nil:
		w.set("circuit_breaker", given("failures", b.failures, "open_seconds", b.openSeconds))
	case b != nil:
		bw := w.sub("circuit_breaker")
		setIf(bw, "failures", b.failures, cur.CircuitBreaker.Failures)
		setIf(bw, "open_seconds", b.openSeconds, cur.CircuitBreaker.OpenSeconds)
	}
}

func providerIndex(c *config.Config, name string) int {
	return slices.IndexFunc(c.Providers, func(p config.Provider) bool { return p.Name == name })
}

func providerPath(i int) config.Path { return config.Path{config.K("providers"), config.I(i)} }

// ListProviders is GET /api/config/providers, in file order.
func (a *ConfigAPI) ListProviders(w http.ResponseWriter, r *http.Request) error {
	c := a.Store.Current()
	out := make([]providerView, len(c.Providers))
	for i := range c.Providers {
		out[i] = a.providerView(c, &c.Providers[i])
	}
	return WriteJSON(w, http.StatusOK, out)
}

// CreateProvider is POST /api/config/providers: 201, or 409 when the name exists.
func (a *ConfigAPI) CreateProvider(w http.ResponseWriter, r *http.Request) error {
	o, errs, err := readBody(r)
	if err != nil {
		return err
	}
	p := decodeProvider(o)
	p.checkNew()
	if err := errs.err(); err != nil {
		return err
	}
	cfg, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		if cur.FindProvider(*p.name) != nil {
			return conflict("provider %q already exists", *p.name)
		}
		return doc.Append(config.Path{config.K("providers")}, p.yaml())
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, map[string]any{"message": fmt.Sprintf("provider %q created", *p.name),
		"provider": a.providerView(cfg, cfg.FindProvider(*p.name))})
}

// UpdateProvider is PUT /api/config/providers/{name}: any subset of the fields;
// a new name renames the provider and every adapter that refers to it.
func (a *ConfigAPI) UpdateProvider(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	o, errs, err := readBody(r)
	if err != nil {
		return err
	}
	p := decodeProvider(o)
	if err := errs.err(); err != nil {
		return err
	}
	newName := name
	cfg, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		i := providerIndex(cur, name)
		if i < 0 {
			return notFoundf("provider %q does not exist", name)
		}
		if p.name != nil && *p.name != name {
			if cur.FindProvider(*p.name) != nil {
				return conflict("cannot rename provider %q: provider %q already exists", name, *p.name)
			}
			newName = *p.name
			if err := renameAdapters(doc, cur, name, newName); err != nil {
				return err
			}
		}
		pw := newWriter(doc, providerPath(i))
		p.apply(pw, &cur.Providers[i])
		return pw.err()
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"message": fmt.Sprintf("provider %q updated", newName),
		"provider": a.providerView(cfg, cfg.FindProvider(newName))})
}

// renameAdapters points every adapter on provider from at provider to.
func renameAdapters(doc *config.Document, cur *config.Config, from, to string) error {
	for _, m := range cur.Models {
		for j, ad := range m.Adapters {
			if ad.Adapter == from {
				p := config.Path{config.K("models"), config.K(m.Name), config.K("adapters"), config.I(j), config.K("adapter")}
				if err := doc.Set(p, to); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// DeleteProvider is DELETE /api/config/providers/{name}: 409 naming the models
// that use it, unless ?force=true, which removes their adapters on it too.
func (a *ConfigAPI) DeleteProvider(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	force := false
	if s := r.URL.Query().Get("force"); s != "" {
		var err error
		if force, err = strconv.ParseBool(s); err != nil {
			return BadParam("force", "must be true or false")
		}
	}
	_, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		i := providerIndex(cur, name)
		if i < 0 {
			return notFoundf("provider %q does not exist", name)
		}
		if users := usedBy(cur, name); len(users) > 0 && !force {
			e := &protocol.Error{Status: http.StatusConflict, Message: fmt.Sprintf(
				"provider %q is used by the models %s; change them first, or delete with ?force=true to remove their adapters on it too",
				name, quoteList(users))}
			for _, m := range users {
				e.Fields = append(e.Fields, protocol.FieldError{Field: "models." + m, Message: "uses provider " + strconv.Quote(name)})
			}
			return e
		}
		for _, m := range cur.Models {
			for j := len(m.Adapters) - 1; j >= 0; j-- {
				if m.Adapters[j].Adapter == name {
					if err := doc.Delete(config.Path{config.K("models"), config.K(m.Name), config.K("adapters"), config.I(j)}); err != nil {
						return err
					}
				}
			}
		}
		return doc.Delete(providerPath(i))
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"message": fmt.Sprintf("provider %q deleted", name)})
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// ToggleProvider is PATCH /api/config/providers/{name}/toggle.
func (a *ConfigAPI) ToggleProvider(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	var enabled bool
	_, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		i := providerIndex(cur, name)
		if i < 0 {
			return notFoundf("provider %q does not exist", name)
		}
		enabled = !cur.Providers[i].IsEnabled()
		return doc.Set(join(providerPath(i), config.K("enabled")), enabled)
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"name": name, "enabled": enabled})
}

// TestProvider is POST /api/config/providers/{name}/test: GET <base>/models
// with the provider's credentials.
func (a *ConfigAPI) TestProvider(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	if a.Store.Current().FindProvider(name) == nil {
		return notFoundf("provider %q does not exist", name)
	}
	if a.Probe == nil {
		return protocol.Errorf(http.StatusNotImplemented, "connectivity tests are not available")
	}
	return WriteJSON(w, http.StatusOK, a.Probe.TestProvider(r.Context(), name))
}
