package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/conversations"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

// ConversationStore is what the conversations API needs of the conversation
// log (*conversations.Writer).
type ConversationStore interface {
	List(f conversations.Filter) ([]conversations.Summary, int, error)
	Get(id string) (*conversations.Record, error)
	GetOwned(id, keyID string) (*conversations.Record, error)
	StartRebuild() error
	Stats() conversations.IndexStats
}

// ConversationsAPI serves the conversation log: the list, one record, the
// index's stats and its rebuild. A non-admin key only sees its own records.
type ConversationsAPI struct {
	Store ConversationStore
	// Location reads date_from and date_to when the request has no tz
	// (gateway.timezone); nil = time.Local.
	Location *time.Location
}

// Register adds the routes to r.
func (a *ConversationsAPI) Register(r *mux.Router) {
	r.Handle("/api/conversations", HandlerFunc(a.List)).Methods(http.MethodGet)
	r.Handle("/api/conversations/index/stats", HandlerFunc(a.IndexStats)).Methods(http.MethodGet)
	r.Handle("/api/conversations/rebuild", HandlerFunc(a.Rebuild)).Methods(http.MethodPost)
	r.Handle("/api/conversations/{id}", HandlerFunc(a.Get)).Methods(http.MethodGet)
}

// conversationsPage is the body of GET /api/conversations.
type conversationsPage struct {
	Items    []conversations.Summary `json:"items"`
	Total    int                     `json:"total"`
	Page     int                     `json:"page"`
	PageSize int                     `json:"page_size"`
}

// List is GET /api/conversations, newest first. Query parameters: key (a key
// id), model, provider, status (success, error or a code), date_from and
// date_to (YYYY-MM-DD, both days included, in tz or Location), q (part of
// the model or key name), page (from 1) and page_size (1..200, default 50).
func (a *ConversationsAPI) List(w http.ResponseWriter, r *http.Request) error {
	key, admin := Caller(r)
	if key == nil {
		return protocol.Errorf(http.StatusUnauthorized, "an API key is required")
	}
	q := r.URL.Query()
	f := conversations.Filter{KeyID: q.Get("key"), Model: q.Get("model"), Provider: q.Get("provider"),
		Status: q.Get("status"), Query: q.Get("q")}
	var err error
	if f.Page, err = positiveParam(q, "page", 1, 0); err != nil {
		return err
	}
	if f.PageSize, err = positiveParam(q, "page_size", conversations.DefaultPageSize, conversations.MaxPageSize); err != nil {
		return err
	}
	if !conversations.ValidStatus(f.Status) {
		return BadParam("status", `must be "success", "error" or an HTTP status code`)
	}
	if f.From, f.To, err = a.dateRange(q); err != nil {
		return err
	}
	page := conversationsPage{Items: []conversations.Summary{}, Page: f.Page, PageSize: f.PageSize}
	if !admin {
		if f.KeyID != "" && f.KeyID != key.ID || key.ID == "" {
			return WriteJSON(w, http.StatusOK, page) // another key's records: none visible
		}
		f.KeyID = key.ID
	}
	if page.Items, page.Total, err = a.Store.List(f); err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, page)
}

// positiveParam reads an integer query parameter ≥ 1 (≤ max when max > 0).
func positiveParam(q url.Values, name string, def, max int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, BadParam(name, "must be a positive integer")
	}
	if max > 0 && n > max {
		return 0, BadParam(name, fmt.Sprintf("must be at most %d", max))
	}
	return n, nil
}

// dateRange turns date_from and date_to (inclusive days) into the half-open
// range [date_from 00:00, date_to+1 00:00) in the request's time zone.
func (a *ConversationsAPI) dateRange(q url.Values) (from, to time.Time, err error) {
	loc, err := zoneParam(q, a.Location)
	if err != nil {
		return from, to, err
	}
	if from, _, err = dateParam(q, "date_from", loc); err != nil {
		return from, to, err
	}
	var ok bool
	if to, ok, err = dateParam(q, "date_to", loc); err != nil || !ok {
		return from, to, err
	}
	to = to.AddDate(0, 0, 1)
	if !from.IsZero() && !to.After(from) {
		return from, to, BadParam("date_to", "must not be before date_from")
	}
	return from, to, nil
}

// Get is GET /api/conversations/{id}: the full record. Another key's record
// is a 404 for a non-admin key, as an unknown one is.
func (a *ConversationsAPI) Get(w http.ResponseWriter, r *http.Request) error {
	key, admin := Caller(r)
	if key == nil {
		return protocol.Errorf(http.StatusUnauthorized, "an API key is required")
	}
	id := mux.Vars(r)["id"]
	var rec *conversations.Record
	var err error
	if admin {
		rec, err = a.Store.Get(id)
	} else {
		rec, err = a.Store.GetOwned(id, key.ID)
	}
	switch {
	case errors.Is(err, conversations.ErrNotFound):
		return NotFound("conversation " + strconv.Quote(id) + " not found")
	case errors.Is(err, conversations.ErrStale):
		return NotFound("conversation " + strconv.Quote(id) + " is not where the index says: the index is stale (POST /api/conversations/rebuild)")
	case err != nil:
		return err
	}
	return WriteJSON(w, http.StatusOK, rec)
}

// Rebuild is POST /api/conversations/rebuild (admin): 202 once a rebuild of
// the index from the log files has started, 409 while one runs.
func (a *ConversationsAPI) Rebuild(w http.ResponseWriter, r *http.Request) error {
	if _, admin := Caller(r); !admin { // the server's guard checks it too
		return protocol.Errorf(http.StatusForbidden, "rebuilding the conversation index needs an admin key")
	}
	switch err := a.Store.StartRebuild(); {
	case errors.Is(err, conversations.ErrRebuildRunning):
		return protocol.Errorf(http.StatusConflict, "a rebuild of the conversation index is already running")
	case errors.Is(err, conversations.ErrClosed):
		return protocol.Errorf(http.StatusServiceUnavailable, "the conversation log is closed")
	case err != nil:
		return err
	}
	return WriteJSON(w, http.StatusAccepted, map[string]string{"status": "started"})
}

// IndexStats is GET /api/conversations/index/stats (admin): the index and
// its files describe every key's traffic, so a user key may not read them
// (issue 21); its own records are in GET /api/conversations.
func (a *ConversationsAPI) IndexStats(w http.ResponseWriter, r *http.Request) error {
	if _, admin := Caller(r); !admin { // the server's guard checks it too
		return protocol.Errorf(http.StatusForbidden, "the conversation index's statistics need an admin key")
	}
	return WriteJSON(w, http.StatusOK, a.Store.Stats())
}
