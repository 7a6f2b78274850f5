package proxy

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/routing"
)

// route applies the model's routes (issue 18) and returns the model that
// serves the request and its adapters in the order to try them. A route to
// another model uses that model's adapters, not its routes: routes never
// chain, so no configuration can loop. The route taken goes into tr.
func route(snap *Snapshot, model *config.Model, in *inbound, r *http.Request, tr *trace) (*config.Model, []config.Adapter) {
	if len(model.Routes) == 0 {
		return model, model.Targets()
	}
	i := routing.Choose(model.Routes, routing.NewRequest(in.family, in.body, in.obj, in.model, r.Header))
	if i < 0 {
		return model, model.Targets()
	}
	rt := &model.Routes[i]
	tr.addRoute("route " + rt.Label(i))
	if rt.To != "" {
		if to := snap.Config.FindModel(rt.To); to != nil { // validated: it exists
			return to, to.Targets()
		}
		return model, model.Targets()
	}
	return model, slices.DeleteFunc(model.Targets(), func(a config.Adapter) bool { return a.Adapter != rt.Adapter })
}

// addRoute appends a routing step ("alias claude-*haiku*", "route long")
// to what the records say about how the model was chosen.
func (t *trace) addRoute(step string) {
	if t.route != "" {
		t.route += "; "
	}
	t.route += step
}

// tooLarge is the client's error when every adapter was skipped because the
// request overflows its context window; "" otherwise.
func tooLarge(attempts []router.Attempt) string {
	if len(attempts) == 0 {
		return ""
	}
	reasons := make([]string, 0, len(attempts))
	for _, a := range attempts {
		var u *router.UnfitError
		if !errors.As(a.Err, &u) {
			return ""
		}
		reasons = append(reasons, a.Target.String()+": "+u.Reason)
	}
	return fmt.Sprintf("the request is larger than the context window of every adapter (%s)", strings.Join(reasons, "; "))
}
