package protocol

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/protocol/anthropic"
	"github.com/modelswitch/modelswitch/gateway/protocol/openai"
)

// Family is the API family whose wire format a route speaks.
type Family uint8

const (
	// OpenAI routes: /v1/chat/completions, /openai/*, /v1/models.
	OpenAI Family = iota
	// Anthropic routes: /v1/messages, /anthropic/*.
	Anthropic
	// Admin routes: /api/* and everything else the gateway serves itself.
	Admin
	// Responses routes: /v1/responses, /openai/v1/responses. Its errors have
	// the OpenAI shape; in streams they are response.failed events.
	Responses
)

func (f Family) String() string {
	switch f {
	case OpenAI:
		return "openai"
	case Anthropic:
		return "anthropic"
	case Responses:
		return "responses"
	default:
		return "admin"
	}
}

// FamilyOf classifies a request path. It is used by middleware that runs before
// routing, so it must agree with the route table in package server.
func FamilyOf(path string) Family {
	switch {
	case strings.HasPrefix(path, "/v1/messages"), strings.HasPrefix(path, "/anthropic/"):
		return Anthropic
	case isResponsesPath(path):
		return Responses
	case strings.HasPrefix(path, "/v1/"), strings.HasPrefix(path, "/openai/"):
		return OpenAI
	default:
		return Admin
	}
}

// isResponsesPath: /v1/responses, /openai/responses, /openai/v1/responses
// and what lies below them (/v1/responses/{id}).
func isResponsesPath(path string) bool {
	for _, p := range [...]string{"/v1/responses", "/openai/responses", "/openai/v1/responses"} {
		if rest, ok := strings.CutPrefix(path, p); ok && (rest == "" || rest[0] == '/') {
			return true
		}
	}
	return false
}

// FieldError names one invalid field of an admin request.
type FieldError struct {
	Field   string `json:"field"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Error is a client-facing error: what the client is told, never internal
// detail (that goes to the log).
type Error struct {
	Status     int
	Message    string
	Code       string // OpenAI "code"; optional
	RetryAfter int    // seconds; 0 = no Retry-After header
	Fields     []FieldError
}

func (e *Error) Error() string { return e.Message }

// Errorf is a shorthand for an Error with a status and a message.
func Errorf(status int, message string) *Error { return &Error{Status: status, Message: message} }

// WriteError writes e in the family's shape with the right status and headers.
func WriteError(w http.ResponseWriter, f Family, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(ErrorBody(f, e))
}

// ErrorBody renders e in the family's JSON shape.
func ErrorBody(f Family, e *Error) []byte {
	switch f {
	case OpenAI, Responses:
		return openai.ErrorBody(e.Status, e.Message, e.Code)
	case Anthropic:
		return anthropic.ErrorBody(e.Status, e.Message)
	default:
		type body struct {
			Message string       `json:"message"`
			Fields  []FieldError `json:"fields,omitempty"`
		}
		b, _ := json.Marshal(struct {
			Error body `json:"error"`
		}{body{e.Message, e.Fields}})
		return b
	}
}
