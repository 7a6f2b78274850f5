package admin

import (
	"slices"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// routeDoc is one route of a model (issue 18) as the API shows and takes it
// and as a new entry is written to config.yaml: one shape for both, fields
// left out when empty so the file stays as short as a hand-written one.
type routeDoc struct {
	Name    string       `json:"name" yaml:"name,omitempty"`
	When    routeWhenDoc `json:"when" yaml:"when,flow"`
	To      string       `json:"to" yaml:"to,omitempty"`
	Adapter string       `json:"adapter" yaml:"adapter,omitempty"`
}

type routeWhenDoc struct {
	InputTokensOver int    `json:"input_tokens_over" yaml:"input_tokens_over,omitempty"`
	Thinking        *bool  `json:"thinking" yaml:"thinking,omitempty"`
	WebSearch       *bool  `json:"web_search" yaml:"web_search,omitempty"`
	Images          *bool  `json:"images" yaml:"images,omitempty"`
	Tier            string `json:"tier" yaml:"tier,omitempty"`
	Header          string `json:"header" yaml:"header,omitempty"`
}

func routeDocsOf(routes []config.Route) []routeDoc {
	out := make([]routeDoc, len(routes))
	for i, r := range routes {
		w := r.When
		out[i] = routeDoc{Name: r.Name, To: r.To, Adapter: r.Adapter, When: routeWhenDoc{InputTokensOver: w.InputTokensOver,
			Thinking: w.Thinking, WebSearch: w.WebSearch, Images: w.Images, Tier: w.Tier, Header: w.Header}}
	}
	return out
}

// decodeRoutes reads a model's routes; nil when the field is absent. What a
// route means (a condition set, a target that exists) is checked by the
// config's validation when the edited file is read back.
func decodeRoutes(o *object) *[]routeDoc {
	items, ok := o.list("routes")
	if !ok {
		if o.null("routes") {
			return &[]routeDoc{}
		}
		return nil
	}
	out := make([]routeDoc, 0, len(items))
	for _, it := range items {
		r := routeDoc{Name: deref(it.str("name")), To: deref(it.str("to")), Adapter: deref(it.str("adapter"))}
		if w := it.obj("when"); w != nil {
			r.When = routeWhenDoc{InputTokensOver: deref(w.nonNegative("input_tokens_over")), Thinking: w.boolean("thinking"),
				WebSearch: w.boolean("web_search"), Images: w.boolean("images"), Tier: deref(w.str("tier")), Header: deref(w.str("header"))}
			w.done()
		}
		it.done()
		out = append(out, r)
	}
	return &out
}

// decodeBalance reads balance: "" (file order) or a policy.
func decodeBalance(o *object) *string {
	if v := o.str("balance"); v == nil || *v == "" {
		return v
	}
	return o.oneOf("balance", config.BalanceWeighted, config.BalanceLeastInFlight, config.BalanceLatency)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// applyBalancing writes the model's routes, balance and affinity where the
// request changes them; a cleared field is removed from the file, so the
// default applies again.
func (m *modelPatch) applyBalancing(w *writer, cur *config.Model) {
	if m.routes != nil && !slices.EqualFunc(*m.routes, routeDocsOf(cur.Routes), sameRoute) {
		if len(*m.routes) == 0 {
			w.remove("routes")
		} else {
			w.set("routes", *m.routes)
		}
	}
	if m.balance != nil && *m.balance != cur.Balance {
		if *m.balance == "" {
			w.remove("balance")
		} else {
			w.set("balance", *m.balance)
		}
	}
	if on := cur.Affinity == nil || *cur.Affinity; m.affinity != nil && *m.affinity != on {
		if *m.affinity {
			w.remove("affinity") // on is the default
		} else {
			w.set("affinity", false)
		}
	}
}

func sameRoute(a, b routeDoc) bool {
	eq := func(x, y *bool) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Name == b.Name && a.To == b.To && a.Adapter == b.Adapter && a.When.InputTokensOver == b.When.InputTokensOver &&
		eq(a.When.Thinking, b.When.Thinking) && eq(a.When.WebSearch, b.When.WebSearch) && eq(a.When.Images, b.When.Images) &&
		a.When.Tier == b.When.Tier && a.When.Header == b.When.Header
}
