package admin

import (
	"net/http"
	"strings"
	"testing"
)

// TestMutationsKeepTheRestOfTheFile runs every kind of mutation, one after the
// other, over the commented fixture. After each, every line of the file
// before it — comments, blank lines, ${ENV} references — is still there,
// except the lines of the node it changed; and what it meant to change is.
func TestMutationsKeepTheRestOfTheFile(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	ciID := findKey(t, h, "ci")
	var createdID string
	steps := []struct {
		name, method, target, body string
		status                     int
		mayChange                  []string // substrings of lines that may change or go
		wantIn, wantOut            []string // in the file afterwards / not any more
	}{
		{name: "create provider", method: "POST", target: "/api/config/providers", status: 201,
			body:   `{"name": "deepseek", "base_url": "https://api.deepseek.com/v1", "api_key": "${DEEPSEEK_KEY}", "max_concurrent": 2}`,
			wantIn: []string{"name: deepseek", "api_key: ${DEEPSEEK_KEY}", "max_concurrent: 2"}},
		{name: "update provider fields, masked key kept", method: "PUT", target: "/api/config/providers/dashscope", status: 200,
			body:      `{"max_concurrent": 8, "api_key": "sk-****5566", "timeouts": {"idle": 300}, "custom_headers": {"X-Team": "core", "Authorization": "Bea****5926"}}`,
			mayChange: []string{"max_concurrent: 4", "idle: 120"},
			wantIn:    []string{"max_concurrent: 8", "idle: 300", `api_key: "sk-literal-dashscope-SECRET-5566"`, "hdr-SECRET-token-31415926"}},
		{name: "rename provider", method: "PUT", target: "/api/config/providers/staging", status: 200,
			body:      `{"name": "staging-2"}`,
			mayChange: []string{"name: staging", "adapter: staging"},
			wantIn:    []string{"name: staging-2", "{adapter: staging-2, model_name: glm-5, priority: 2, timeout: 90}"}},
		{name: "toggle provider", method: "PATCH", target: "/api/config/providers/anthropic/toggle", status: 200,
			wantIn: []string{"enabled: false"}},
		{name: "provider circuit breaker", method: "PUT", target: "/api/config/providers/anthropic", status: 200,
			body: `{"circuit_breaker": {"failures": 3, "open_seconds": 10}}`, wantIn: []string{"failures: 3"}},
		{name: "create model", method: "POST", target: "/api/config/models", status: 201,
			body:   `{"name": "ds-chat", "description": "DeepSeek", "adapters": [{"adapter": "deepseek", "model_name": "deepseek-chat", "priority": 1, "params": {"max_tokens": 4096}}]}`,
			wantIn: []string{"ds-chat:", "model_name: deepseek-chat"}},
		{name: "update model adapters", method: "PUT", target: "/api/config/models/qwen-plus", status: 200,
			body:      `{"description": "Qwen Plus (2 routes)", "adapters": [{"adapter": "dashscope", "model_name": "qwen-plus", "priority": 1, "params": {"max_tokens": 8192}}, {"adapter": "deepseek", "model_name": "deepseek-chat", "priority": 2}]}`,
			mayChange: []string{"description: Qwen Plus"},
			wantIn:    []string{"description: Qwen Plus (2 routes)", "model_name: deepseek-chat"}},
		{name: "model aliases", method: "PUT", target: "/api/config/models/ds-chat", status: 200,
			body:   `{"aliases": ["claude-*haiku*", "gpt-5-mini"]}`,
			wantIn: []string{"aliases:", "- claude-*haiku*", "- gpt-5-mini"}},
		{name: "an alias that is a model's name is refused", method: "PUT", target: "/api/config/models/ds-chat", status: 400,
			body: `{"aliases": ["glm-5"]}`},
		{name: "aliases cleared", method: "PUT", target: "/api/config/models/ds-chat", status: 200,
			body: `{"aliases": []}`, mayChange: []string{"aliases:", "- claude-*haiku*", "- gpt-5-mini"}, wantOut: []string{"gpt-5-mini"}},
		{name: "model balancing, affinity, weights, windows and routes", method: "PUT", target: "/api/config/models/ds-chat", status: 200,
			body: `{"balance": "weighted", "affinity": false, "routes": [{"name": "long", "when": {"input_tokens_over": 50000}, "to": "glm-5"}],
				"adapters": [{"adapter": "deepseek", "model_name": "deepseek-chat", "priority": 1, "params": {"max_tokens": 4096}, "weight": 3, "context_window": 64000}]}`,
			wantIn: []string{"balance: weighted", "affinity: false", "routes:", "name: long", "when: {input_tokens_over: 50000}", "to: glm-5",
				"weight: 3", "context_window: 64000"}},
		{name: "a route to a model that does not exist is refused", method: "PUT", target: "/api/config/models/ds-chat", status: 400,
			body: `{"routes": [{"when": {"tier": "haiku"}, "to": "nope"}]}`},
		{name: "an unknown balance is refused", method: "PUT", target: "/api/config/models/ds-chat", status: 400,
			body: `{"balance": "random"}`},
		{name: "an unknown route condition is refused", method: "PUT", target: "/api/config/models/ds-chat", status: 400,
			body: `{"routes": [{"when": {"moon": "full"}, "to": "glm-5"}]}`},
		{name: "balancing cleared", method: "PUT", target: "/api/config/models/ds-chat", status: 200,
			body: `{"balance": "", "affinity": true, "routes": [],
				"adapters": [{"adapter": "deepseek", "model_name": "deepseek-chat", "priority": 1, "params": {"max_tokens": 4096}}]}`,
			mayChange: []string{"balance: weighted", "affinity: false", "routes:", "name: long", "when: {input_tokens_over: 50000}", "to: glm-5",
				"weight: 3", "context_window: 64000"},
			wantOut: []string{"balance:", "affinity:", "routes:", "weight:", "context_window:"}},
		{name: "rename model", method: "PUT", target: "/api/config/models/claude", status: 200,
			body:      `{"name": "claude-opus"}`,
			mayChange: []string{"claude:", "allowed_models:"},
			wantIn:    []string{"claude-opus:", "allowed_models: [glm-5, claude-opus]"}},
		{name: "create key", method: "POST", target: "/api/keys", status: 201,
			body:   `{"name": "ops", "roles": ["user"], "rate_limit": 30, "expires_at": "2027-01-01T00:00:00Z"}`,
			wantIn: []string{"name: ops", "rate_limit: 30", "expires_at: \"2027-01-01T00:00:00Z\""}},
		{name: "update key, clear expiry", method: "PUT", target: "/api/keys/" + ciID, status: 200,
			body:      `{"expires_at": null, "rate_limit": 120, "description": "CI robot"}`,
			mayChange: []string{"expires_at:", "rate_limit: 60"},
			wantIn:    []string{"rate_limit: 120", "description: CI robot"}, wantOut: []string{"2026-12-31T23:59:59"}},
		{name: "toggle key", method: "PATCH", target: "/api/keys/" + ciID + "/toggle", status: 200,
			wantIn: []string{"enabled: false"}},
		{name: "delete created key", method: "DELETE", target: "/api/keys/{created}", status: 200,
			mayChange: []string{"name: ops", "sk-ms-", "roles: [user]", "rate_limit: 30", "expires_at: \"2027", "created_at:"},
			wantOut:   []string{"name: ops"}},
		{name: "delete model", method: "DELETE", target: "/api/config/models/ds-chat", status: 200,
			mayChange: []string{"ds-chat:", "description: DeepSeek", "adapters:", "adapter: deepseek", "model_name: deepseek-chat", "priority: 1", "params:", "max_tokens: 4096"},
			wantOut:   []string{"ds-chat:"}},
		{name: "delete unused provider", method: "DELETE", target: "/api/config/providers/local-vllm", status: 200,
			mayChange: []string{"local-vllm", "localhost:8001", "disable_stream_options", "# reasoning: reasoning_content"},
			wantOut:   []string{"name: local-vllm"}},
		{name: "delete used provider with force", method: "DELETE", target: "/api/config/providers/deepseek?force=true", status: 200,
			mayChange: []string{"deepseek", "DEEPSEEK_KEY", "priority: 2", "max_concurrent: 2"},
			wantOut:   []string{"name: deepseek", "deepseek-chat"}},
	}
	for _, s := range steps {
		before := h.file()
		target := strings.ReplaceAll(s.target, "{created}", createdID)
		rec := h.do(s.method, target, s.body)
		if rec.Code != s.status {
			t.Fatalf("%s: status %d, want %d: %s", s.name, rec.Code, s.status, rec.Body)
		}
		if s.name == "create key" {
			createdID = decode[struct{ Key keyView }](t, rec).Key.ID
		}
		after := h.file()
		if lost := lostLines(before, after, s.mayChange...); len(lost) > 0 {
			t.Errorf("%s: lines lost outside the changed node: %q\n%s", s.name, lost, after)
		}
		for _, w := range s.wantIn {
			if !strings.Contains(after, w) {
				t.Errorf("%s: the file lacks %q:\n%s", s.name, w, after)
			}
		}
		for _, w := range s.wantOut {
			if strings.Contains(after, w) {
				t.Errorf("%s: the file still has %q:\n%s", s.name, w, after)
			}
		}
	}
	// What no step was allowed to touch is still there, byte for byte.
	final := h.file()
	for _, line := range []string{
		"# ModelSwitch configuration — hand-edited.", "# Secrets come from the environment: ${NAME} is replaced at load time.",
		"  host: 127.0.0.1          # local clients only", "  # Time zone for daily limits.", "  timezone: 'Asia/Shanghai'",
		"  circuit_breaker: {failures: 5, open_seconds: 30}", "  # Old endpoint, kept for reference.",
		"    base_url: https://api.openai.com/v1   # the public API", "    api_key: ${TEST_OPENAI_API_KEY}",
		`    api_key: "${TEST_ANTHROPIC_API_KEY}"`, "    key: ${TEST_MS_ADMIN_KEY}", "  # Staging mirror — may be down.",
		"    enabled: true  # toggled by ops", "  # - name: disabled-example", "    mode: chain            # try in priority order",
		"  # Qwen family.", "  # CI robot.", "# end of file", "      connect: 10",
	} {
		if !strings.Contains(final, line+"\n") {
			t.Errorf("the file lost %q:\n%s", line, final)
		}
	}
}

func findKey(t *testing.T, h *harness, name string) string {
	t.Helper()
	for _, k := range decode[[]keyView](t, h.do("GET", "/api/keys", "")) {
		if k.Name == name {
			return k.ID
		}
	}
	t.Fatalf("no key named %q", name)
	return ""
}

// TestPutConfigRoundTrip: PUT /api/config with GET's output (masked secrets
// and ${VAR} text included) leaves the file byte for byte as it was, and a
// change in it touches only that field.
func TestPutConfigRoundTrip(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	before := h.file()
	got := h.do("GET", "/api/config", "")
	if got.Code != http.StatusOK {
		t.Fatalf("GET: %d %s", got.Code, got.Body)
	}
	if rec := h.do("PUT", "/api/config", got.Body.String()); rec.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	if after := h.file(); after != before {
		t.Fatalf("PUT of GET's output changed the file:\n%s", after)
	}

	cfg := decode[map[string]any](t, got)
	cfg["gateway"].(map[string]any)["port"] = 8100
	prov := cfg["providers"].([]any)
	prov[1].(map[string]any)["enabled"] = false // dashscope
	cfg["providers"] = prov[:len(prov)-1]       // drop local-vllm
	rec := h.do("PUT", "/api/config", bodyOf(t, cfg))
	if rec.Code != http.StatusOK {
		t.Fatalf("PUT changed: %d %s", rec.Code, rec.Body)
	}
	after := h.file()
	if lost := lostLines(before, after, "port: 8000", "local-vllm", "localhost:8001", "disable_stream_options", "# reasoning"); len(lost) > 0 {
		t.Errorf("lines lost: %q\n%s", lost, after)
	}
	for _, w := range []string{"port: 8100", "      idle: 120            # long thinking pauses\n    enabled: false"} {
		if !strings.Contains(after, w) {
			t.Errorf("file lacks %q:\n%s", w, after)
		}
	}
	if strings.Contains(after, "local-vllm") {
		t.Errorf("local-vllm not deleted:\n%s", after)
	}
}

// TestGetNeverShowsSecrets: every read route masks provider keys, sensitive
// headers and client keys (h.do checks every response for every secret).
func TestGetNeverShowsSecrets(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	for _, target := range []string{"/api/config", "/api/config/providers", "/api/config/models", "/api/keys", "/api/whoami"} {
		if rec := h.do("GET", target, ""); rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
	}
	provs := decode[[]providerView](t, h.do("GET", "/api/config/providers", ""))
	byName := map[string]providerView{}
	for _, p := range provs {
		byName[p.Name] = p
	}
	for name, want := range map[string]string{"openai-legacy": "${TEST_OPENAI_API_KEY}", "dashscope": "sk-****5566",
		"anthropic": "${TEST_ANTHROPIC_API_KEY}", "staging": "EMP****", "local-vllm": ""} {
		if got := byName[name].APIKey; got != want {
			t.Errorf("%s api_key = %q, want %q", name, got, want)
		}
	}
	ds := byName["dashscope"]
	if ds.CustomHeaders["X-Team"] != "core" || !isMasked(ds.CustomHeaders["Authorization"]) || !ds.APIKeySet {
		t.Errorf("dashscope headers %v, api_key_set %v", ds.CustomHeaders, ds.APIKeySet)
	}
	if ds.Live.Active != 2 || ds.Live.Waiting != 1 || len(byName["staging"].Live.Breakers) != 1 {
		t.Errorf("live state: %+v %+v", ds.Live, byName["staging"].Live)
	}
	if got := strings.Join(ds.UsedBy, ","); got != "glm-5,qwen-plus" {
		t.Errorf("dashscope used_by %q", got)
	}
	if byName["local-vllm"].APIKeySet || byName["local-vllm"].UsedBy == nil {
		t.Errorf("local-vllm: %+v", byName["local-vllm"])
	}
	keys := decode[[]map[string]any](t, h.do("GET", "/api/keys", ""))
	for _, k := range keys {
		if _, ok := k["key_raw"]; ok {
			t.Errorf("key_raw returned: %v", k)
		}
		if !isMasked(k["key"].(string)) || !strings.HasPrefix(k["id"].(string), "key_") {
			t.Errorf("key not masked or id missing: %v", k)
		}
	}
}
