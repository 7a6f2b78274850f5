package upstream

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error is a failed upstream attempt. Retryable says whether the router may
// try the next adapter; a non-retryable error is the client's own fault and is
// returned to it with the upstream's status and body.
type Error struct {
	Provider   string
	Status     int // 0 when no HTTP response arrived
	Retryable  bool
	Body       []byte
	Header     http.Header
	RetryAfter int // seconds, from the upstream's Retry-After
	Err        error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %v", e.Provider, e.Err)
	}
	if msg := upstreamMessage(e.Body); msg != "" {
		return fmt.Sprintf("%s: HTTP %d: %s", e.Provider, e.Status, msg)
	}
	return fmt.Sprintf("%s: HTTP %d", e.Provider, e.Status)
}

func (e *Error) Unwrap() error { return e.Err }

// upstreamMessage pulls a short message out of an OpenAI- or Anthropic-shaped
// error body, so fall-over reasons are readable without leaking whole bodies.
func upstreamMessage(body []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	var inner struct {
		Message string `json:"message"`
	}
	if len(v.Error) > 0 && json.Unmarshal(v.Error, &inner) == nil && inner.Message != "" {
		return truncate(inner.Message, 300)
	}
	var s string
	if len(v.Error) > 0 && json.Unmarshal(v.Error, &s) == nil {
		return truncate(s, 300)
	}
	return truncate(v.Message, 300)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// IsRetryable lets the router decide to fall over (router.Retryable).
func (e *Error) IsRetryable() bool { return e.Retryable }
