package admin

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

// HandlerFunc is an admin handler that may fail.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP writes a returned error in the admin shape: a *protocol.Error as
// it says, anything else as a 500 whose detail stays out of the response.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := f(w, r)
	if err == nil {
		return
	}
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		pe = protocol.Errorf(http.StatusInternalServerError, "internal error (request "+r.Header.Get("X-Request-ID")+")")
	}
	protocol.WriteError(w, protocol.Admin, pe)
}

// WriteJSON writes v as a JSON response.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// BadParam is a 400 naming the query parameter or field that is wrong.
func BadParam(name, message string) error {
	return &protocol.Error{Status: http.StatusBadRequest, Message: name + ": " + message,
		Fields: []protocol.FieldError{{Field: name, Message: message}}}
}

// NotFound is a 404 with a message.
func NotFound(message string) error { return protocol.Errorf(http.StatusNotFound, message) }

// Caller returns the authenticated key of the request (never nil behind the
// server's guard) and whether it is an admin: a non-admin key only sees its
// own traffic in usage, logs and conversations.
func Caller(r *http.Request) (key *auth.Key, admin bool) {
	key = auth.KeyFrom(r.Context())
	return key, key != nil && key.IsAdmin()
}
