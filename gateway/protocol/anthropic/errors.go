package anthropic

import "encoding/json"

// ErrorType maps an HTTP status to the Anthropic error "type" string.
func ErrorType(status int) string {
	switch status {
	case 400, 405, 422:
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 413:
		return "request_too_large"
	case 429:
		return "rate_limit_error"
	case 529:
		return "overloaded_error"
	}
	if status >= 500 {
		return "api_error"
	}
	return "invalid_request_error"
}

type errorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// ErrorBody renders {"type":"error","error":{"type","message"}}.
func ErrorBody(status int, message string) []byte {
	b, _ := json.Marshal(struct {
		Type  string      `json:"type"`
		Error errorDetail `json:"error"`
	}{"error", errorDetail{ErrorType(status), message}})
	return b
}
