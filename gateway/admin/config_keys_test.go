package admin

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
)

type createdKey struct {
	Message string  `json:"message"`
	Secret  string  `json:"secret"`
	Key     keyView `json:"key"`
}

func TestCreateKeyShowsTheSecretOnce(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	rec := h.do("POST", "/api/keys", `{"name": "ops", "description": "night shift", "roles": ["admin"], "daily_limit": 500,
		"allowed_models": ["glm-5"], "expires_at": "2027-06-30"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := decode[createdKey](t, rec)
	if !strings.HasPrefix(got.Secret, config.SecretPrefix) || got.Key.ID != (&config.APIKey{Key: got.Secret}).ID() {
		t.Fatalf("secret %q, id %q", got.Secret, got.Key.ID)
	}
	k := got.Key
	if k.Key != config.MaskSecret(got.Secret) || k.Name != "ops" || k.DailyLimit != 500 || k.RateLimit != nil ||
		k.ExpiresAt == nil || *k.ExpiresAt != "2027-06-30" || k.CreatedAt != "2026-03-04T13:06:07+08:00" || !k.Enabled ||
		strings.Join(k.Roles, ",") != "admin" {
		t.Errorf("key view: %+v", k)
	}
	if file := h.file(); !strings.Contains(file, got.Secret) {
		t.Errorf("the secret is not in config.yaml:\n%s", file)
	}
	// The key works at once (the store applied it) and is never shown again.
	if cur := h.store.Current(); keyIndex(cur, k.ID) < 0 {
		t.Errorf("the new key is not in force")
	}
	for _, target := range []string{"/api/keys", "/api/config"} {
		if body := h.do("GET", target, "").Body.String(); strings.Contains(body, got.Secret) {
			t.Errorf("GET %s shows the secret", target)
		}
	}
	// A PUT with the listed object (masked key, read-only fields) changes only what differs.
	listed := decode[[]map[string]any](t, h.do("GET", "/api/keys", ""))
	obj := listed[len(listed)-1]
	obj["description"] = "day shift"
	before := h.file()
	if rec := h.do("PUT", "/api/keys/"+k.ID, bodyOf(t, obj)); rec.Code != http.StatusOK {
		t.Fatalf("PUT listed object: %d %s", rec.Code, rec.Body)
	}
	if lost := lostLines(before, h.file(), "night shift"); len(lost) > 0 || !strings.Contains(h.file(), "description: day shift") {
		t.Errorf("lost %q:\n%s", lost, h.file())
	}
	// rate_limit null = unlimited, expires_at "" = never.
	rec = h.do("PUT", "/api/keys/"+k.ID, `{"rate_limit": 10}`)
	rec = h.do("PUT", "/api/keys/"+k.ID, `{"rate_limit": null, "expires_at": ""}`)
	if v := decode[struct{ Key keyView }](t, rec).Key; v.RateLimit != nil || v.ExpiresAt != nil {
		t.Errorf("after clearing: %+v", v)
	}
}

// TestConcurrentCreates: 20 keys created at once through one store are all kept.
func TestConcurrentCreates(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	const n = 20
	secrets := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := h.do("POST", "/api/keys", fmt.Sprintf(`{"name": "bot-%02d"}`, i))
			if rec.Code != http.StatusCreated {
				t.Errorf("create %d: %d %s", i, rec.Code, rec.Body)
				return
			}
			secrets[i] = decode[createdKey](t, rec).Secret
		}()
	}
	wg.Wait()
	cfg, _, err := config.Parse([]byte(h.file()), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.APIKeys) != 2+n || len(h.store.Current().APIKeys) != 2+n {
		t.Fatalf("%d keys in the file, %d in force, want %d", len(cfg.APIKeys), len(h.store.Current().APIKeys), 2+n)
	}
	for i, s := range secrets {
		if k := cfg.APIKeys[keyIndex(cfg, (&config.APIKey{Key: s}).ID())]; k.Name != fmt.Sprintf("bot-%02d", i) {
			t.Errorf("key %d is named %q", i, k.Name)
		}
	}
	if !strings.Contains(h.file(), "  # CI robot.\n") {
		t.Errorf("comments lost:\n%s", h.file())
	}
}

func TestWhoAmIAndToday(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	h.key = &auth.Key{ID: "key_abc", Name: "ci", Roles: []string{config.RoleUser}}
	got := decode[map[string]any](t, h.do("GET", "/api/whoami", ""))
	if got["id"] != "key_abc" || got["name"] != "ci" || got["admin"] != false || fmt.Sprint(got["roles"]) != "[user]" {
		t.Errorf("whoami: %v", got)
	}
	h.key = nil
	if rec := h.do("GET", "/api/whoami", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("whoami without a key: %d", rec.Code)
	}
	ci := findKey(t, h, "ci")
	h.api.Today = fakeToday{ci: 42}
	for _, k := range decode[[]keyView](t, h.do("GET", "/api/keys", "")) {
		if want := map[bool]int{true: 42}[k.ID == ci]; k.TodayRequests != want {
			t.Errorf("%s today_requests = %d, want %d", k.Name, k.TodayRequests, want)
		}
	}
}

func TestTestRoutes(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	got := decode[map[string]any](t, h.do("POST", "/api/config/providers/dashscope/test", ""))
	if got["success"] != true || fmt.Sprint(got["models"]) != "[dashscope-model]" {
		t.Errorf("provider test: %v", got)
	}
	got = decode[map[string]any](t, h.do("POST", "/api/config/models/GLM-5/test?test_type=tool", ""))
	if got["test_type"] != "tool" || got["adapter_used"] != "dashscope" {
		t.Errorf("model test: %v", got)
	}
	h.api.Probe = nil
	if rec := h.do("POST", "/api/config/models/glm-5/test", ""); rec.Code != http.StatusNotImplemented {
		t.Errorf("without a prober: %d", rec.Code)
	}
}

// TestNamesWithSlashes: model names may contain "/", and the routes reach them.
func TestNamesWithSlashes(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	if rec := h.do("POST", "/api/config/models", `{"name": "qwen/qwen3", "adapters": [{"adapter": "dashscope", "model_name": "qwen3"}]}`); rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("PUT", "/api/config/models/qwen/qwen3", `{"description": "Qwen 3"}`); rec.Code != 200 {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("POST", "/api/config/models/qwen/qwen3/test", ""); rec.Code != 200 {
		t.Fatalf("test: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("DELETE", "/api/config/models/qwen/qwen3", ""); rec.Code != 200 || strings.Contains(h.file(), "qwen3") {
		t.Fatalf("delete: %d %s\n%s", rec.Code, rec.Body, h.file())
	}
}

// TestEditsOnAMinimalFile: sections that are absent or empty are created.
func TestEditsOnAMinimalFile(t *testing.T) {
	h := newHarness(t, "# just a key\napi_keys:\n  - key: ${TEST_MS_ADMIN_KEY}\n    roles: [admin]\n")
	steps := []struct{ method, target, body string }{
		{"POST", "/api/config/providers", `{"name": "p", "base_url": "http://p/v1", "timeouts": {"idle": 30}, "circuit_breaker": {"failures": 2}}`},
		{"POST", "/api/config/models", `{"name": "m", "adapters": [{"adapter": "p", "model_name": "x"}]}`},
		{"PUT", "/api/config", `{"gateway": {"port": 9000, "circuit_breaker": {"open_seconds": 5}}}`},
		{"PUT", "/api/config/models/m", `{"adapters": [{"adapter": "p", "model_name": "x"}, {"adapter": "p", "model_name": "y", "priority": 2}]}`},
		{"PUT", "/api/config/models/m", `{"adapters": [{"adapter": "p", "model_name": "y", "timeout": 30}]}`},
	}
	for _, s := range steps {
		if rec := h.do(s.method, s.target, s.body); rec.Code/100 != 2 {
			t.Fatalf("%s %s: %d %s", s.method, s.target, rec.Code, rec.Body)
		}
	}
	c := h.store.Current()
	m := c.FindModel("m")
	if c.Gateway.Port != 9000 || c.Gateway.CircuitBreaker.OpenSeconds != 5 || c.Providers[0].Timeouts.Idle != 30 ||
		len(m.Adapters) != 1 || m.Adapters[0].ModelName != "y" || m.Adapters[0].Timeout != 30 || m.Adapters[0].Priority != 1 {
		t.Errorf("config: %+v %+v", c.Gateway, m)
	}
	if !strings.HasPrefix(h.file(), "# just a key\napi_keys:\n  - key: ${TEST_MS_ADMIN_KEY}\n    roles: [admin]\n") {
		t.Errorf("file:\n%s", h.file())
	}
}
