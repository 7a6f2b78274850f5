package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// MaxUsageRangeDays is the longest date range a usage query may cover.
const MaxUsageRangeDays = 400

// UsageQuerier is what the usage API needs of the statistics (*usage.Querier).
type UsageQuerier interface {
	Summary(p usage.Params) (*usage.Report, error)
}

// UsageAPI serves the usage statistics, answered from hourly rollups:
//
//	GET /api/usage                     totals, groups and an optional series
//	GET /api/usage/{item}/detail       drill-down into one group value
//	GET /api/keys/{id}/usage           one key's report (admin)
//	POST /api/usage/recompute          price the range's requests again (admin)
//
// Query parameters: group_by (provider | model | api_key | upstream_model;
// default provider, model for a key's report), sub_group (detail only; default
// the first of provider, model, api_key not fixed), date_from and date_to
// (YYYY-MM-DD, both days included; default today) or date (one day), tz (an
// IANA zone; default Location), interval (hour | day: add a series),
// filter_provider, filter_model, filter_api_key, filter_upstream_model.
// A non-admin key only ever sees its own rows, whatever it asks for.
type UsageAPI struct {
	Q UsageQuerier
	// Location is the gateway's timezone (gateway.timezone), read per request
	// so a reload applies; nil = time.Local.
	Location func() *time.Location
	Now      func() time.Time // nil = time.Now
	// Currency is gateway.currency, the unit of every cost; nil = "USD".
	Currency func() string
	// Recompute prices the raw rows of [from, to) again with the prices in
	// force (POST /api/usage/recompute); nil = not offered.
	Recompute func(from, to time.Time) (usage.Recomputed, error)
}

// Register adds the routes to r. {item} may contain slashes (upstream models
// such as Qwen/Qwen2.5-72B), encoded as %2F or not.
func (a *UsageAPI) Register(r *mux.Router) {
	r.Handle("/api/usage", HandlerFunc(a.Usage)).Methods(http.MethodGet)
	r.Handle("/api/usage/recompute", HandlerFunc(a.RecomputeCosts)).Methods(http.MethodPost)
	r.Handle("/api/usage/{item:.+}/detail", HandlerFunc(a.Detail)).Methods(http.MethodGet)
	r.Handle("/api/keys/{id}/usage", HandlerFunc(a.KeyUsage)).Methods(http.MethodGet)
}

// Usage is GET /api/usage.
func (a *UsageAPI) Usage(w http.ResponseWriter, r *http.Request) error {
	p, err := a.params(r, usage.DimProvider)
	if err != nil {
		return err
	}
	if r.URL.Query().Has("sub_group") {
		return BadParam("sub_group", "only for /api/usage/{item}/detail")
	}
	return a.answer(w, p)
}

// Detail is GET /api/usage/{item}/detail: the rows whose group_by value is
// item, grouped by sub_group.
func (a *UsageAPI) Detail(w http.ResponseWriter, r *http.Request) error {
	p, err := a.params(r, usage.DimProvider)
	if err != nil {
		return err
	}
	p.Item = mux.Vars(r)["item"]
	if s := r.URL.Query().Get("sub_group"); s != "" {
		if p.SubGroup, err = dimension("sub_group", s); err != nil {
			return err
		}
	}
	return a.answer(w, p)
}

// KeyUsage is GET /api/keys/{id}/usage (admin): the key's rows, grouped by
// model unless group_by says otherwise. An unknown id is an empty report: a
// deleted key's traffic stays countable.
func (a *UsageAPI) KeyUsage(w http.ResponseWriter, r *http.Request) error {
	switch key, admin := Caller(r); {
	case key == nil:
		return protocol.Errorf(http.StatusUnauthorized, "an API key is required")
	case !admin:
		return protocol.Errorf(http.StatusForbidden, "the admin role is required")
	}
	p, err := a.params(r, usage.DimModel)
	if err != nil {
		return err
	}
	p.KeyID = mux.Vars(r)["id"]
	return a.answer(w, p)
}

// recomputed is POST /api/usage/recompute's answer; costs in Currency.
type recomputed struct {
	Rows       int        `json:"rows"`
	Changed    int        `json:"changed"`
	CostBefore float64    `json:"cost_before"`
	CostAfter  float64    `json:"cost_after"`
	Currency   string     `json:"currency"`
	From       time.Time  `json:"from"`
	To         time.Time  `json:"to"`
	KeptSince  *time.Time `json:"kept_since"`
}

// RecomputeCosts is POST /api/usage/recompute (admin): every stored request
// of the range (date_from, date_to, tz as for GET /api/usage) is priced again
// with today's prices, its row and rollup rewritten. Rows past the
// retention are gone; their hours keep the cost they had (kept_since says
// from when rows are kept).
func (a *UsageAPI) RecomputeCosts(w http.ResponseWriter, r *http.Request) error {
	switch key, admin := Caller(r); {
	case key == nil:
		return protocol.Errorf(http.StatusUnauthorized, "an API key is required")
	case !admin:
		return protocol.Errorf(http.StatusForbidden, "the admin role is required")
	case a.Recompute == nil:
		return protocol.Errorf(http.StatusServiceUnavailable, "usage statistics are not recorded by this gateway")
	}
	q := r.URL.Query()
	loc, err := a.zone(q)
	if err != nil {
		return err
	}
	from, to, err := a.days(q, loc)
	if err != nil {
		return err
	}
	res, err := a.Recompute(from, to)
	if err != nil {
		return err
	}
	out := recomputed{Rows: res.Rows, Changed: res.Changed, CostBefore: float64(res.Before) / 1e9,
		CostAfter: float64(res.After) / 1e9, Currency: a.currency(), From: from, To: to}
	if !res.KeptSince.IsZero() {
		out.KeptSince = &res.KeptSince
	}
	return WriteJSON(w, http.StatusOK, out)
}

func (a *UsageAPI) currency() string {
	if a.Currency != nil {
		return a.Currency()
	}
	return "USD"
}

func (a *UsageAPI) answer(w http.ResponseWriter, p usage.Params) error {
	rep, err := a.Q.Summary(p)
	var pe *usage.ParamError
	if errors.As(err, &pe) {
		return BadParam(pe.Param, pe.Message)
	}
	if err != nil {
		return err
	}
	rep.Currency = a.currency()
	return WriteJSON(w, http.StatusOK, rep)
}

func dimension(param, s string) (usage.Dimension, error) {
	d, ok := usage.ParseDimension(s)
	if !ok {
		return "", BadParam(param, "must be provider, model, api_key or upstream_model")
	}
	return d, nil
}

// params reads the query common to the three endpoints and applies the
// caller's restriction.
func (a *UsageAPI) params(r *http.Request, defaultGroup usage.Dimension) (usage.Params, error) {
	var p usage.Params
	key, admin := Caller(r)
	if key == nil {
		return p, protocol.Errorf(http.StatusUnauthorized, "an API key is required")
	}
	q := r.URL.Query()
	loc, err := a.zone(q)
	if err != nil {
		return p, err
	}
	if p.From, p.To, err = a.days(q, loc); err != nil {
		return p, err
	}
	p.Location = loc
	p.GroupBy = defaultGroup
	if s := q.Get("group_by"); s != "" {
		if p.GroupBy, err = dimension("group_by", s); err != nil {
			return p, err
		}
	}
	switch iv := usage.Interval(q.Get("interval")); iv {
	case usage.NoSeries, usage.Hourly, usage.Daily:
		p.Interval = iv
	default:
		return p, BadParam("interval", "must be hour or day")
	}
	for _, d := range []usage.Dimension{usage.DimProvider, usage.DimModel, usage.DimKey, usage.DimUpstreamModel} {
		if v := q.Get("filter_" + string(d)); v != "" {
			if p.Filters == nil {
				p.Filters = map[usage.Dimension]string{}
			}
			p.Filters[d] = v
		}
	}
	if !admin {
		p.KeyID = key.ID
	}
	return p, nil
}

func (a *UsageAPI) zone(q url.Values) (*time.Location, error) {
	var def *time.Location
	if a.Location != nil {
		def = a.Location()
	}
	return zoneParam(q, def)
}

// days turns date or date_from/date_to (inclusive days, default today in
// loc) into the half-open range [date_from 00:00, date_to+1 00:00) in loc.
func (a *UsageAPI) days(q url.Values, loc *time.Location) (from, to time.Time, err error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	y, m, d := now().In(loc).Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, loc)
	to = from
	parse := func(name string, into ...*time.Time) error {
		t, ok, err := dateParam(q, name, loc)
		for _, p := range into {
			if ok {
				*p = t
			}
		}
		return err
	}
	if err = parse("date", &from, &to); err == nil {
		if err = parse("date_from", &from); err == nil {
			err = parse("date_to", &to)
		}
	}
	if err != nil {
		return from, to, err
	}
	if to.Before(from) {
		return from, to, BadParam("date_to", "must not be before date_from")
	}
	to = to.AddDate(0, 0, 1)
	if from.AddDate(0, 0, MaxUsageRangeDays).Before(to) {
		return from, to, BadParam("date_to", fmt.Sprintf("the range may cover at most %d days", MaxUsageRangeDays))
	}
	return from, to, nil
}
