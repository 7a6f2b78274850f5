package server_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

const chatBody = `{"model":"glm-5","messages":[{"role":"user","content":"hi"}]}`
const messagesBody = `{"model":"claude-x","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`

// errorShape decodes an error body and reports which protocol shaped it.
func errorShape(t *testing.T, body []byte) (shape, typ, msg string) {
	t.Helper()
	var v struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("error body is not JSON: %s", body)
	}
	if v.Type == "error" {
		return "anthropic", v.Error.Type, v.Error.Message
	}
	if v.Error.Type != "" {
		return "openai", v.Error.Type, v.Error.Message
	}
	return "admin", "", v.Error.Message
}

func TestAuthForms(t *testing.T) {
	g, _, _ := passGateway(t)
	for _, tc := range []struct {
		name    string
		headers []string
		status  int
	}{
		{"bearer", []string{"Authorization", "Bearer " + userKey}, 200},
		{"lowercase bearer", []string{"Authorization", "bearer " + userKey}, 200},
		{"bare key", []string{"Authorization", userKey}, 200},
		{"x-api-key", []string{"X-Api-Key", userKey}, 200},
		{"missing", nil, 401},
		{"empty bearer", []string{"Authorization", "Bearer "}, 401},
		{"basic auth", []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401},
		{"unknown key", []string{"Authorization", "Bearer sk-nope"}, 401},
		{"disabled", []string{"Authorization", "Bearer sk-test-disabled-04"}, 403},
		{"expired", []string{"X-Api-Key", "sk-test-expired-005"}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/v1/chat/completions", "/v1/messages"} {
				body := chatBody
				if path == "/v1/messages" {
					body = messagesBody
				}
				resp, b := g.do(t, "POST", path, body, tc.headers...)
				if resp.StatusCode != tc.status {
					t.Fatalf("%s: status %d, want %d: %s", path, resp.StatusCode, tc.status, b)
				}
				if tc.status == 200 {
					continue
				}
				shape, typ, msg := errorShape(t, b)
				wantShape, wantType := "openai", map[int]string{401: "authentication_error", 403: "permission_error"}[tc.status]
				if path == "/v1/messages" {
					wantShape = "anthropic"
				}
				if shape != wantShape || typ != wantType || msg == "" {
					t.Errorf("%s: error shape %s/%s %q, want %s/%s", path, shape, typ, msg, wantShape, wantType)
				}
				if strings.Contains(string(b), userKey) {
					t.Errorf("error echoes a key: %s", b)
				}
			}
		})
	}
}

func TestModelNotAllowed(t *testing.T) {
	g, _, _ := passGateway(t)
	resp, b := g.do(t, "POST", "/v1/messages", `{"model":"claude-x","max_tokens":5,"messages":[]}`, "X-Api-Key", limitedKey)
	if resp.StatusCode != 403 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if shape, typ, _ := errorShape(t, b); shape != "anthropic" || typ != "permission_error" {
		t.Errorf("shape %s/%s", shape, typ)
	}
	// The allowlist is compared with the resolved name, so another spelling works.
	if resp, b := g.do(t, "POST", "/v1/chat/completions", strings.Replace(chatBody, "glm-5", "GLM-5", 1), "X-Api-Key", limitedKey); resp.StatusCode != 200 {
		t.Errorf("allowed model in other case: %d %s", resp.StatusCode, b)
	}
}

func TestRateLimit(t *testing.T) {
	g, _, _ := passGateway(t)
	// limitedKey allows 2 per minute; a refused or malformed request costs nothing.
	if resp, _ := g.do(t, "POST", "/v1/chat/completions", `{"model":"nope","messages":[]}`, "X-Api-Key", limitedKey); resp.StatusCode != 404 {
		t.Fatalf("unknown model: %d", resp.StatusCode)
	}
	for i := 0; i < 2; i++ {
		if resp, b := g.do(t, "POST", "/v1/chat/completions", chatBody, "X-Api-Key", limitedKey); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, b)
		}
	}
	// Listing models does not count.
	if resp, _ := g.do(t, "GET", "/v1/models", "", "X-Api-Key", limitedKey); resp.StatusCode != 200 {
		t.Fatalf("models: %d", resp.StatusCode)
	}
	resp, b := g.do(t, "POST", "/v1/chat/completions", chatBody, "X-Api-Key", limitedKey)
	if resp.StatusCode != 429 {
		t.Fatalf("third request: %d %s", resp.StatusCode, b)
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	if shape, typ, _ := errorShape(t, b); shape != "openai" || typ != "rate_limit_error" {
		t.Errorf("shape %s/%s", shape, typ)
	}
	resp, b = g.do(t, "POST", "/v1/messages", strings.Replace(messagesBody, "claude-x", "glm-5", 1), "X-Api-Key", limitedKey)
	if shape, typ, _ := errorShape(t, b); resp.StatusCode != 429 || shape != "anthropic" || typ != "rate_limit_error" {
		t.Errorf("anthropic route: %d %s/%s", resp.StatusCode, shape, typ)
	}
}

func TestAdminGuard(t *testing.T) {
	g, _, _ := passGateway(t)
	for _, tc := range []struct {
		method, path, key string
		status            int
	}{
		{"GET", "/api/config", "", 401},
		{"GET", "/api/config", userKey, 403},
		{"GET", "/api/config", adminKey, 200},
		{"GET", "/api/whoami", userKey, 200},
		{"GET", "/api/keys", userKey, 403},
		{"POST", "/api/conversations/rebuild", userKey, 403},
		{"GET", "/api/usage", "", 401},
		{"GET", "/api/usage", userKey, 404}, // any key passes; route arrives with statistics
		{"GET", "/api/logs", userKey, 200},
		{"GET", "/api/config/health", "", 200},
		{"GET", "/health", "", 200},
		{"HEAD", "/", "", 200},
		{"GET", "/", "", 200},
		{"GET", "/nowhere", "", 404},
	} {
		var headers []string
		if tc.key != "" {
			headers = []string{"Authorization", "Bearer " + tc.key}
		}
		resp, b := g.do(t, tc.method, tc.path, "", headers...)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s with %q: %d, want %d: %s", tc.method, tc.path, tc.key, resp.StatusCode, tc.status, b)
			continue
		}
		if tc.status >= 400 && strings.HasPrefix(tc.path, "/api/") {
			if shape, _, msg := errorShape(t, b); shape != "admin" || msg == "" {
				t.Errorf("%s: error shape %s %q", tc.path, shape, msg)
			}
		}
	}
}

func TestHealthShowsNoSecrets(t *testing.T) {
	g, _, _ := passGateway(t)
	resp, b := g.do(t, "GET", "/api/config/health", "", "X-Api-Key", adminKey)
	var v struct {
		Status    string                    `json:"status"`
		Models    []string                  `json:"models"`
		Providers map[string]map[string]any `json:"providers"`
		Warnings  []string                  `json:"warnings"`
	}
	if err := json.Unmarshal(b, &v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if v.Status != "healthy" || len(v.Models) != 2 || len(v.Providers) != 2 || v.Warnings == nil {
		t.Errorf("health for the admin = %s", b)
	}
	for _, secret := range []string{upstreamOA, upstreamAN, adminKey, userKey} {
		if strings.Contains(string(b), secret) {
			t.Errorf("health leaks a secret: %s", b)
		}
	}
}

// TestHealthWithoutAdminKeySaysOnlyStatus: without an admin key the public
// health answer is the status and the version, nothing of the setup (base
// URLs, models, reload errors with paths).
func TestHealthWithoutAdminKeySaysOnlyStatus(t *testing.T) {
	g, _, _ := passGateway(t)
	for _, headers := range [][]string{nil, {"X-Api-Key", userKey}, {"X-Api-Key", "sk-not-a-key-at-all"}} {
		resp, b := g.do(t, "GET", "/api/config/health", "", headers...)
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%v: %d %s", headers, resp.StatusCode, b)
		}
		if len(v) != 2 || v["status"] != "healthy" || v["version"] != "test" {
			t.Errorf("health with %v = %s, want only status and version", headers, b)
		}
	}
}

// TestFailedAuthenticationsAreThrottled: after a burst of wrong keys from
// one address, that address gets 429 with Retry-After, even with a right
// key, until it has waited; requests without any key are not counted.
func TestFailedAuthenticationsAreThrottled(t *testing.T) {
	g, _, _ := passGateway(t)
	for i := 0; i < 20; i++ {
		if resp, _ := g.do(t, "GET", "/v1/models", ""); resp.StatusCode != 401 {
			t.Fatalf("no key %d: %d", i, resp.StatusCode)
		}
	}
	if resp, _ := g.do(t, "GET", "/v1/models", "", "X-Api-Key", userKey); resp.StatusCode != 200 {
		t.Fatalf("requests without a key throttled the client: %d", resp.StatusCode)
	}
	codes := map[int]int{}
	for i := 0; i < 15; i++ {
		resp, _ := g.do(t, "GET", "/v1/models", "", "X-Api-Key", fmt.Sprintf("sk-guess-%08d", i))
		codes[resp.StatusCode]++
	}
	if codes[401] < 5 || codes[429] == 0 || codes[401]+codes[429] != 15 {
		t.Errorf("guesses answered %v, want 401s then 429s", codes)
	}
	resp, b := g.do(t, "GET", "/v1/models", "", "X-Api-Key", userKey)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "failed authentications") {
		t.Errorf("a throttled client with the right key: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
}

func TestRequestID(t *testing.T) {
	g, _, _ := passGateway(t)
	resp, _ := g.do(t, "GET", "/health", "", "X-Request-ID", "abc-123")
	if resp.Header.Get("X-Request-ID") != "abc-123" {
		t.Errorf("client id not honoured: %q", resp.Header.Get("X-Request-ID"))
	}
	resp, _ = g.do(t, "GET", "/health", "", "X-Request-ID", "bad id with spaces")
	if id := resp.Header.Get("X-Request-ID"); !strings.HasPrefix(id, "req_") {
		t.Errorf("generated id = %q", id)
	}
	r1, _ := g.do(t, "POST", "/v1/chat/completions", "{", "X-Api-Key", userKey)
	r2, _ := g.do(t, "POST", "/v1/chat/completions", "{", "X-Api-Key", userKey)
	if r1.Header.Get("X-Request-ID") == "" || r1.Header.Get("X-Request-ID") == r2.Header.Get("X-Request-ID") {
		t.Errorf("ids on errors: %q %q", r1.Header.Get("X-Request-ID"), r2.Header.Get("X-Request-ID"))
	}
}

func TestForeignHostRefused(t *testing.T) {
	g, _, _ := passGateway(t)
	req, _ := newRequest(t, "GET", g.URL+"/v1/models", "")
	req.Host = "attacker.example:8000"
	req.Header.Set("X-Api-Key", userKey)
	resp2, body := send(t, req)
	if resp2.StatusCode != 403 {
		t.Errorf("foreign Host: %d %s", resp2.StatusCode, body)
	}
	req, _ = newRequest(t, "GET", g.URL+"/v1/models", "")
	req.Host = "localhost:8000"
	req.Header.Set("X-Api-Key", userKey)
	if resp3, body := send(t, req); resp3.StatusCode != 200 {
		t.Errorf("localhost Host: %d %s", resp3.StatusCode, body)
	}
}
