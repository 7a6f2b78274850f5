package server_test

import (
	"strings"
	"testing"
)

func TestBadInput(t *testing.T) {
	g, oa, an := passGateway(t)
	big := `{"model":"glm-5","messages":[],"pad":"` + strings.Repeat("x", 33<<20) + `"}`
	for _, tc := range []struct {
		name, body string
		status     int
		msg        string // substring of the error message
	}{
		{"malformed JSON", `{"model": "glm-5",`, 400, "invalid"},
		{"array body", `[{"model":"glm-5"}]`, 400, "JSON object"},
		{"empty body", ``, 400, "empty"},
		{"model not a string", `{"model": 5, "messages": []}`, 400, `"model" must be a string`},
		{"missing model", `{"messages": []}`, 400, `"model" is required`},
		{"stream not a boolean", `{"model":"glm-5","stream":"yes","messages":[]}`, 400, `"stream" must be a boolean`},
		{"messages not an array", `{"model":"glm-5","messages":"hi"}`, 400, `"messages" must be an array`},
		{"duplicate model key", `{"model":"glm-5","model":"claude-x","messages":[]}`, 400, "duplicate"},
		{"trailing garbage", `{"model":"glm-5","messages":[]} x`, 400, "after"},
		{"unknown model", `{"model":"gpt-99","messages":[]}`, 404, "gpt-99"},
		// The same 400 on the pass-through lane (chat → OpenAI upstream) and the
		// converted one (messages → OpenAI upstream); pass-through sent both on.
		{"invalid UTF-8", "{\"model\":\"glm-5\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"bad \xff\xfe\"}]}", 400, "not valid UTF-8 (first bad byte at offset 74)"},
		{"NUL byte", "{\"model\":\"glm-5\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"nul \x00\"}]}", 400, "NUL byte at offset 74"},
		{"over the body limit", big, 413, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/v1/chat/completions", "/v1/messages"} {
				before := len(oa.requests()) + len(an.requests())
				resp, b := g.do(t, "POST", path, tc.body, "X-Api-Key", userKey, "Content-Type", "application/json")
				if resp.StatusCode != tc.status {
					t.Fatalf("%s: status %d, want %d: %s", path, resp.StatusCode, tc.status, b)
				}
				shape, _, msg := errorShape(t, b)
				wantShape := map[string]string{"/v1/chat/completions": "openai", "/v1/messages": "anthropic"}[path]
				if shape != wantShape || !strings.Contains(msg, tc.msg) {
					t.Errorf("%s: %s error %q, want %s containing %q", path, shape, msg, wantShape, tc.msg)
				}
				if after := len(oa.requests()) + len(an.requests()); after != before {
					t.Errorf("%s: a bad request reached an upstream", path)
				}
			}
		})
	}
}

func TestWrongMethodAndUnknownRoute(t *testing.T) {
	g, _, _ := passGateway(t)
	resp, b := g.do(t, "GET", "/v1/chat/completions", "", "X-Api-Key", userKey)
	if shape, _, _ := errorShape(t, b); resp.StatusCode != 405 || shape != "openai" {
		t.Errorf("GET chat: %d %s", resp.StatusCode, b)
	}
	resp, b = g.do(t, "POST", "/v1/messages/batches", "{}", "X-Api-Key", userKey)
	if shape, _, _ := errorShape(t, b); resp.StatusCode != 404 || shape != "anthropic" {
		t.Errorf("unknown anthropic route: %d %s", resp.StatusCode, b)
	}
}
