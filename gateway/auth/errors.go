package auth

import "fmt"

// Error kinds, so the HTTP layer can map an Error to each protocol's error type.
const (
	KindAuthentication = "authentication" // 401: missing, malformed or unknown key
	KindPermission     = "permission"     // 403: disabled, expired, model or role refused
	KindRateLimit      = "rate_limit"     // 429: minute or daily limit reached
)

// Error is a refusal to serve a request. Message is safe to show to the client:
// it never contains the secret.
type Error struct {
	Status     int    // HTTP status: 401, 403 or 429
	Kind       string // one of the Kind constants
	Message    string // client-facing text
	RetryAfter int    // seconds, ≥ 1 for KindRateLimit, else 0
}

func (e *Error) Error() string { return e.Message }

func authError(msg string) *Error {
	return &Error{Status: 401, Kind: KindAuthentication, Message: msg}
}

func permissionError(msg string) *Error {
	return &Error{Status: 403, Kind: KindPermission, Message: msg}
}

func rateError(retryAfter int, format string, args ...any) *Error {
	return &Error{Status: 429, Kind: KindRateLimit, Message: fmt.Sprintf(format, args...), RetryAfter: max(retryAfter, 1)}
}
