package protocol

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestFamilyOf(t *testing.T) {
	for path, want := range map[string]Family{
		"/v1/chat/completions": OpenAI, "/openai/models": OpenAI, "/v1/models": OpenAI,
		"/v1/messages": Anthropic, "/v1/messages/count_tokens": Anthropic, "/anthropic/v1/messages": Anthropic,
		"/api/config": Admin, "/": Admin, "/health": Admin,
	} {
		if got := FamilyOf(path); got != want {
			t.Errorf("FamilyOf(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		f      Family
		status int
		want   string
	}{
		{OpenAI, 401, `{"error":{"message":"m","type":"authentication_error","param":null,"code":"c"}}`},
		{OpenAI, 503, `{"error":{"message":"m","type":"server_error","param":null,"code":"c"}}`},
		{Anthropic, 400, `{"type":"error","error":{"type":"invalid_request_error","message":"m"}}`},
		{Anthropic, 413, `{"type":"error","error":{"type":"request_too_large","message":"m"}}`},
		{Anthropic, 429, `{"type":"error","error":{"type":"rate_limit_error","message":"m"}}`},
		{Anthropic, 529, `{"type":"error","error":{"type":"overloaded_error","message":"m"}}`},
		{Anthropic, 502, `{"type":"error","error":{"type":"api_error","message":"m"}}`},
		{Admin, 400, `{"error":{"message":"m","fields":[{"field":"f","message":"bad"}]}}`},
	} {
		rec := httptest.NewRecorder()
		e := &Error{Status: tc.status, Message: "m", Code: "c", RetryAfter: 3}
		if tc.f == Admin {
			e.Fields = []FieldError{{Field: "f", Message: "bad"}}
		}
		WriteError(rec, tc.f, e)
		if rec.Code != tc.status || rec.Body.String() != tc.want || rec.Header().Get("Retry-After") != "3" ||
			rec.Header().Get("Content-Type") != "application/json" || !json.Valid(rec.Body.Bytes()) {
			t.Errorf("%v %d: %d %s %v", tc.f, tc.status, rec.Code, rec.Body, rec.Header())
		}
	}
}
