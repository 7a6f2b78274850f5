package admin

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

type adapterPatch struct {
	adapter, modelName string
	priority           *int
	timeout            *float64
	params             map[string]any
	weight, window     *int // weight and context_window; 0 = the default
}

// effective is the adapter as config.Parse would read it back.
func (p adapterPatch) effective() config.Adapter {
	a := config.Adapter{Adapter: p.adapter, ModelName: p.modelName, Priority: config.DefaultPriority,
		Timeout: config.DefaultAdapterTimeout, Params: p.params}
	if p.priority != nil {
		a.Priority = *p.priority
	}
	if p.timeout != nil {
		a.Timeout = *p.timeout
	}
	a.Weight, a.ContextWindow = deref(p.weight), deref(p.window)
	return a
}

// modelPatch is a model as a request gives it: nil fields are absent.
type modelPatch struct {
	at                      string
	name, mode, description *string
	aliases                 *[]string
	balance                 *string
	affinity                *bool
	routes                  *[]routeDoc
	adapters                *[]adapterPatch
	errs                    *fieldErrors
}

func decodeModel(o *object) *modelPatch {
	m := &modelPatch{at: o.at, errs: o.errs, name: o.str("name"), mode: o.oneOf("mode", config.ModeChain, config.ModeAdapter),
		description: o.str("description"), aliases: o.strings("aliases"), balance: decodeBalance(o),
		affinity: o.boolean("affinity"), routes: decodeRoutes(o)}
	if m.name != nil {
		checkName(o, "name", *m.name)
	}
	if items, ok := o.list("adapters"); ok {
		list := make([]adapterPatch, 0, len(items))
		for _, it := range items {
			ap := adapterPatch{priority: it.integer("priority"), timeout: it.seconds("timeout"),
				weight: it.nonNegative("weight"), window: it.nonNegative("context_window")}
			ap.adapter = required(it, "adapter", "a provider name")
			ap.modelName = required(it, "model_name", "the upstream model id")
			ap.params, _ = it.params("params")
			if ap.timeout != nil && *ap.timeout == 0 {
				it.errs.add(it.at+"timeout", "must be greater than zero")
			}
			it.done()
			list = append(list, ap)
		}
		m.adapters = &list
	}
	o.done()
	return m
}

// required reads a string field that must be present and not blank.
func required(o *object, name, what string) string {
	v := o.str(name)
	if v != nil && strings.TrimSpace(*v) != "" {
		return *v
	}
	if v != nil || !o.has(name) || isNull(o.raw[name]) { // else the wrong type is recorded already
		o.errs.add(o.at+name, "is required (%s)", what)
	}
	return ""
}

// checkProviders refuses adapters on providers that do not exist in c.
func (m *modelPatch) checkProviders(c *config.Config) error {
	if m.adapters == nil {
		return nil
	}
	errs := fieldErrors{}
	for i, ad := range *m.adapters {
		if c.FindProvider(ad.adapter) == nil {
			errs.add(fmt.Sprintf("%sadapters[%d].adapter", m.at, i), "provider %q does not exist", ad.adapter)
		}
	}
	return errs.err()
}

func (m *modelPatch) yamlAdapters() []yamlAdapter {
	out := []yamlAdapter{}
	if m.adapters != nil {
		for _, ad := range *m.adapters {
			out = append(out, yamlAdapter{ad.adapter, ad.modelName, ad.priority, ad.timeout, ad.params,
				nonZero(ad.weight), nonZero(ad.window)})
		}
	}
	return out
}

func (m *modelPatch) yaml() yamlModel {
	y := yamlModel{Adapters: m.yamlAdapters()}
	if m.mode != nil {
		y.Mode = *m.mode
	}
	if m.description != nil {
		y.Description = *m.description
	}
	if m.aliases != nil {
		y.Aliases = *m.aliases
	}
	y.Balance, y.Affinity = deref(m.balance), m.affinity
	if y.Affinity != nil && *y.Affinity {
		y.Affinity = nil // on is the default
	}
	if m.routes != nil {
		y.Routes = *m.routes
	}
	return y
}

// apply writes the fields that differ from cur. The name is not written here
// (see renameAllowed and UpdateModel).
func (m *modelPatch) apply(w *writer, cur *config.Model) {
	setIf(w, "mode", m.mode, cur.Mode)
	setIf(w, "description", m.description, cur.Description)
	if m.aliases != nil && len(*m.aliases) == 0 && len(cur.Aliases) > 0 {
		w.remove("aliases")
	} else {
		setList(w, "aliases", m.aliases, cur.Aliases)
	}
	m.applyBalancing(w, cur)
	if m.adapters != nil && !sameAdapters(*m.adapters, cur.Adapters) {
		m.applyAdapters(w, cur.Adapters)
	}
}

// applyAdapters makes the file's adapter list the requested one element by
// element: the fields that differ in the common prefix, then deletions from
// the end or appends. Unchanged adapters keep their comments and layout.
func (m *modelPatch) applyAdapters(w *writer, cur []config.Adapter) {
	next, list := *m.adapters, join(w.at, config.K("adapters"))
	if _, ok := w.doc.Get(list); !ok || len(cur) == 0 {
		w.set("adapters", m.yamlAdapters())
		return
	}
	for i := range min(len(next), len(cur)) {
		e, c := next[i].effective(), cur[i]
		aw := &writer{doc: w.doc, at: join(list, config.I(i)), failed: w.failed}
		setIf(aw, "adapter", &e.Adapter, c.Adapter)
		setIf(aw, "model_name", &e.ModelName, c.ModelName)
		setIf(aw, "priority", &e.Priority, c.Priority)
		setIf(aw, "timeout", &e.Timeout, c.Timeout)
		setOrRemove(aw, "weight", e.Weight, c.Weight)
		setOrRemove(aw, "context_window", e.ContextWindow, c.ContextWindow)
		switch {
		case len(e.Params) == 0 && len(c.Params) > 0:
			aw.remove("params")
		case len(e.Params) > 0 && !reflect.DeepEqual(e.Params, c.Params):
			aw.set("params", e.Params)
		}
	}
	for i := len(cur) - 1; i >= len(next) && w.err() == nil; i-- {
		if err := w.doc.Delete(join(list, config.I(i))); err != nil {
			w.fail(err)
		}
	}
	for _, ad := range m.yamlAdapters()[min(len(next), len(cur)):] {
		if w.err() == nil {
			if err := w.doc.Append(list, ad); err != nil {
				w.fail(err)
			}
		}
	}
}

func sameAdapters(next []adapterPatch, cur []config.Adapter) bool {
	return slices.EqualFunc(next, cur, func(p adapterPatch, c config.Adapter) bool {
		e := p.effective()
		return e.Adapter == c.Adapter && e.ModelName == c.ModelName && e.Priority == c.Priority && e.Timeout == c.Timeout &&
			e.Weight == c.Weight && e.ContextWindow == c.ContextWindow &&
			(len(e.Params) == 0 && len(c.Params) == 0 || reflect.DeepEqual(e.Params, c.Params))
	})
}

func modelPath(name string) config.Path { return config.Path{config.K("models"), config.K(name)} }

func modelIndex(c *config.Config, name string) int {
	return slices.IndexFunc(c.Models, func(m config.Model) bool { return m.Name == name })
}

// addModel adds a model at the end of the models mapping (creating it when absent).
func addModel(doc *config.Document, name string, m yamlModel) error {
	if _, ok := doc.Get(config.Path{config.K("models")}); !ok {
		return doc.Set(config.Path{config.K("models")}, map[string]yamlModel{name: m})
	}
	return doc.Set(modelPath(name), m)
}

// ListModels is GET /api/config/models, in file order.
func (a *ConfigAPI) ListModels(w http.ResponseWriter, r *http.Request) error {
	c := a.Store.Current()
	out := make([]modelView, len(c.Models))
	for i := range c.Models {
		out[i] = modelViewOf(&c.Models[i])
	}
	return WriteJSON(w, http.StatusOK, out)
}

// CreateModel is POST /api/config/models: 201, or 409 when the name exists.
func (a *ConfigAPI) CreateModel(w http.ResponseWriter, r *http.Request) error {
	o, errs, err := readBody(r)
	if err != nil {
		return err
	}
	m := decodeModel(o)
	if m.name == nil {
		errs.add("name", "is required")
	}
	if err := errs.err(); err != nil {
		return err
	}
	name := *m.name
	cfg, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		if modelIndex(cur, name) >= 0 {
			return conflict("model %q already exists", name)
		}
		if err := m.checkProviders(cur); err != nil {
			return err
		}
		return addModel(doc, name, m.yaml())
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, map[string]any{"message": fmt.Sprintf("model %q created", name),
		"model": modelViewOf(&cfg.Models[modelIndex(cfg, name)])})
}

// UpdateModel is PUT /api/config/models/{name}: any subset; adapters replaces
// the list; a new name renames the model and its entries in allowed_models.
func (a *ConfigAPI) UpdateModel(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	o, errs, err := readBody(r)
	if err != nil {
		return err
	}
	m := decodeModel(o)
	if err := errs.err(); err != nil {
		return err
	}
	newName := name
	cfg, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		i := modelIndex(cur, name)
		if i < 0 {
			return notFoundf("model %q does not exist", name)
		}
		if err := m.checkProviders(cur); err != nil {
			return err
		}
		mw := newWriter(doc, modelPath(name))
		m.apply(mw, &cur.Models[i])
		if err := mw.err(); err != nil || m.name == nil || *m.name == name {
			return err
		}
		if modelIndex(cur, *m.name) >= 0 {
			return conflict("cannot rename model %q: model %q already exists", name, *m.name)
		}
		newName = *m.name
		if err := renameAllowed(doc, cur, name, newName); err != nil {
			return err
		}
		return doc.RenameKey(modelPath(name), newName)
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"message": fmt.Sprintf("model %q updated", newName),
		"model": modelViewOf(&cfg.Models[modelIndex(cfg, newName)])})
}

// renameAllowed renames a model in every key's allowed_models, so that a
// rename does not lock those keys out of it.
func renameAllowed(doc *config.Document, cur *config.Config, from, to string) error {
	for i, k := range cur.APIKeys {
		if !slices.ContainsFunc(k.AllowedModels, func(s string) bool { return strings.EqualFold(s, from) }) {
			continue
		}
		next := slices.Clone(k.AllowedModels)
		for j, s := range next {
			if strings.EqualFold(s, from) {
				next[j] = to
			}
		}
		if err := doc.Set(config.Path{config.K("api_keys"), config.I(i), config.K("allowed_models")}, next); err != nil {
			return err
		}
	}
	return nil
}

// DeleteModel is DELETE /api/config/models/{name}. Keys whose allowed_models
// name it keep the entry: removing the last one would open them to every model.
func (a *ConfigAPI) DeleteModel(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	_, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		if modelIndex(cur, name) < 0 {
			return notFoundf("model %q does not exist", name)
		}
		return doc.Delete(modelPath(name))
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"message": fmt.Sprintf("model %q deleted", name)})
}

// TestModel is POST /api/config/models/{name}/test?test_type=simple|tool.
func (a *ConfigAPI) TestModel(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	tt := r.URL.Query().Get("test_type")
	switch tt {
	case "":
		tt = "simple"
	case "simple", "tool":
	default:
		return BadParam("test_type", `must be "simple" or "tool"`)
	}
	if a.Store.Current().FindModel(name) == nil {
		return notFoundf("model %q does not exist", name)
	}
	if a.Probe == nil {
		return protocol.Errorf(http.StatusNotImplemented, "chain tests are not available")
	}
	res, err := a.Probe.TestModel(r.Context(), name, tt)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, res)
}
