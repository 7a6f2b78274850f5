package openai

import "encoding/json"

// ErrorType maps an HTTP status to the OpenAI error "type" string.
func ErrorType(status int) string {
	switch {
	case status == 401:
		return "authentication_error"
	case status == 403:
		return "permission_error"
	case status == 404:
		return "not_found_error"
	case status == 429:
		return "rate_limit_error"
	case status >= 500:
		return "server_error"
	default:
		return "invalid_request_error"
	}
}

type errorDetail struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// ErrorBody renders {"error":{"message","type","param","code"}}; code is null when empty.
func ErrorBody(status int, message, code string) []byte {
	d := errorDetail{Message: message, Type: ErrorType(status)}
	if code != "" {
		d.Code = &code
	}
	b, _ := json.Marshal(struct {
		Error errorDetail `json:"error"`
	}{d})
	return b
}
