package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func mustParse(t *testing.T, src string) (*Config, []Warning) {
	t.Helper()
	cfg, warns, err := parse([]byte(src), "c.yaml", mapEnv(nil))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cfg, warns
}

func ptr[T any](v T) *T { return &v }

func TestSeedConfigLoadsUnchanged(t *testing.T) {
	cfg, warns, err := Load(filepath.Join("testdata", "seed-config.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	wantGateway := DefaultGateway()
	wantGateway.Host, wantGateway.LogLevel = "0.0.0.0", "DEBUG"
	wantGateway.LogRequestBody, wantGateway.LogResponseBody = ptr(true), ptr(false)
	wantGateway.Line = 4
	if diff := cmp.Diff(wantGateway, cfg.Gateway); diff != "" {
		t.Errorf("gateway (-want +got):\n%s", diff)
	}
	var names []string
	for _, m := range cfg.Models {
		names = append(names, m.Name)
	}
	if diff := cmp.Diff([]string{"glm-5", "qwen-max", "qwen-plus"}, names); diff != "" {
		t.Errorf("model order (-want +got):\n%s", diff)
	}
	var order []string
	for _, a := range cfg.FindModel("glm-5").Targets() {
		order = append(order, a.ModelName)
	}
	if diff := cmp.Diff([]string{"glm-5.1", "glm-5-turbo", "glm-5"}, order); diff != "" {
		t.Errorf("glm-5 chain (-want +got):\n%s", diff)
	}
	if m := cfg.FindModel("glm-5"); m.Line != 46 || m.Adapters[1].Line != 54 {
		t.Errorf("glm-5 lines = %d, adapter 2 %d; want 46, 54", m.Line, m.Adapters[1].Line)
	}
	p := cfg.FindProvider("glm-plan")
	if p == nil || p.Line != 27 || !p.IsEnabled() || p.MaxQueueSize != 100 || p.QueueTimeout != 300 || p.Protocol() != ProtocolOpenAI {
		t.Errorf("glm-plan = %+v", p)
	}
	k := cfg.APIKeys[1]
	want := APIKey{Key: "YOUR_GATEWAY_API_KEY", RawKey: "YOUR_GATEWAY_API_KEY", Name: "claude-code", Enabled: ptr(true),
		RateLimit: ptr(0), AllowedModels: []string{}, Roles: []string{RoleUser},
		CreatedAt: "2026-03-30T19:07:17.872640", Description: "Claude Code IDE proxy key", Line: 90}
	if diff := cmp.Diff(want, k); diff != "" {
		t.Errorf("api key (-want +got):\n%s", diff)
	}
	if cfg.APIKeys[0].Description != "管理员密钥" {
		t.Errorf("description = %q", cfg.APIKeys[0].Description)
	}
}

func TestEmptyFileIsAllDefaults(t *testing.T) {
	want := Default()
	want.SetDefaults()
	for _, src := range []string{"", "\n\n", "# only a comment\n", "---\n", "~\n"} {
		cfg, warns := mustParse(t, src)
		if diff := cmp.Diff(want, cfg); diff != "" || len(warns) > 0 {
			t.Errorf("%q: warnings %v, diff (-want +got):\n%s", src, warns, diff)
		}
	}
	if _, _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
}

func TestLaxCoercionAndDefaults(t *testing.T) {
	base := "providers:\n  - name: p\n    base_url: http://h\n"
	tests := []struct {
		name string
		src  string
		got  func(*Config) any
		want any
	}{
		{"quoted port", `gateway: {port: "8000"}`, func(c *Config) any { return c.Gateway.Port }, 8000},
		{"integral float port", `gateway: {port: 8080.0}`, func(c *Config) any { return c.Gateway.Port }, 8080},
		{"quoted bool", base + `    enabled: "false"`, func(c *Config) any { return c.Providers[0].IsEnabled() }, false},
		{"quoted true", base + `    disable_stream_options: "true"`, func(c *Config) any { return c.Providers[0].DisableStreamOptions }, true},
		{"quoted 1 bool", base + `    disable_stream_options: "1"`, func(c *Config) any { return c.Providers[0].DisableStreamOptions }, true},
		{"quoted TRUE bool", "gateway: {log_request_body: \"TRUE\"}", func(c *Config) any { return *c.Gateway.LogRequestBody }, true},
		{"quoted float", base + `    queue_timeout: "2.5"`, func(c *Config) any { return c.Providers[0].QueueTimeout }, 2.5},
		{"quoted int into float", base + `    timeouts: {idle: "7"}`, func(c *Config) any { return c.Providers[0].Timeouts }, Timeouts{Connect: 10, Idle: 7}},
		{"provider defaults", base, func(c *Config) any {
			p := c.Providers[0]
			return []any{p.Provider, p.MaxQueueSize, p.QueueTimeout, p.Reasoning, p.Timeouts, p.IsEnabled(), p.CircuitBreaker == nil}
		}, []any{"openai", 100, 300.0, "drop", Timeouts{Connect: 10, Idle: 120}, true, true}},
		{"explicit zero queue size kept", base + "    max_queue_size: 0", func(c *Config) any { return c.Providers[0].MaxQueueSize }, 0},
		{"provider breaker inherits gateway", "gateway: {circuit_breaker: {failures: 9}}\n" + base + "    circuit_breaker: {open_seconds: 5}",
			func(c *Config) any { return *c.Providers[0].CircuitBreaker }, CircuitBreaker{Failures: 9, OpenSeconds: 5}},
		{"quoted string key stays text", `api_keys: [{key: "123456789012"}]`, func(c *Config) any { return c.APIKeys[0].Key }, "123456789012"},
		{"unquoted number key stays text", `api_keys: [{key: 0012345678901}]`, func(c *Config) any { return c.APIKeys[0].Key }, "0012345678901"},
		{"quoted float model_name", base + "models: {m: {adapters: [{adapter: p, model_name: \"1.5\"}]}}",
			func(c *Config) any { return c.Models[0].Adapters[0].ModelName }, "1.5"},
		{"unquoted float model_name", base + "models: {m: {adapters: [{adapter: p, model_name: 1.50}]}}",
			func(c *Config) any { return c.Models[0].Adapters[0].ModelName }, "1.50"},
		{"priority absent is 1", base + "models: {m: {adapters: [{adapter: p, model_name: x}]}}",
			func(c *Config) any { a := c.Models[0].Adapters[0]; return []any{a.Priority, a.Timeout} }, []any{1, 60.0}},
		{"priority 0 stays 0", base + "models: {m: {adapters: [{adapter: p, model_name: x, priority: 0}]}}",
			func(c *Config) any { return c.Models[0].Adapters[0].Priority }, 0},
		{"model defaults", "models: {m: }", func(c *Config) any { return []any{c.Models[0].Name, c.Models[0].Mode} }, []any{"m", "chain"}},
		{"expires_at null", `api_keys: [{key: sk-parse-key-01, expires_at: null}]`, func(c *Config) any { return c.APIKeys[0].ExpiresAt }, ""},
		{"unquoted date expires_at", `api_keys: [{key: sk-parse-key-01, expires_at: 2026-12-31}]`, func(c *Config) any { return c.APIKeys[0].ExpiresAt }, "2026-12-31"},
		{"rate_limit absent", `api_keys: [{key: sk-parse-key-01}]`, func(c *Config) any { return c.APIKeys[0].RateLimit == nil }, true},
		{"rate_limit quoted", `api_keys: [{key: sk-parse-key-01, rate_limit: "30"}]`, func(c *Config) any { return *c.APIKeys[0].RateLimit }, 30},
		{"roles default", `api_keys: [{key: sk-parse-key-01, roles: []}]`, func(c *Config) any { return c.APIKeys[0].Roles }, []string{"user"}},
		{"gateway null keeps defaults", "gateway:\n", func(c *Config) any { return c.Gateway.Port }, 8000},
		{"header values are text", base + "    custom_headers: {X-N: 1}", func(c *Config) any { return c.Providers[0].CustomHeaders }, map[string]string{"X-N": "1"}},
		{"params keep types", base + "models: {m: {adapters: [{adapter: p, model_name: x, params: {max_tokens: 8192}}]}}",
			func(c *Config) any { return c.Models[0].Adapters[0].Params }, map[string]any{"max_tokens": 8192}},
		{"anchors and merge keys", base + "models:\n  a: &m {description: d, adapters: [{adapter: p, model_name: x}]}\n  b:\n    <<: *m\n    mode: adapter\n",
			func(c *Config) any {
				return []any{c.Models[1].Description, c.Models[1].Mode, len(c.Models[1].Adapters)}
			}, []any{"d", "adapter", 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := mustParse(t, tt.src)
			if diff := cmp.Diff(tt.want, tt.got(cfg)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnvSubstitution(t *testing.T) {
	env := mapEnv(map[string]string{"HOST": "up.example", "PORT": "8443", "TOKEN": "sk-up", "CK": "sk-client-key-1"})
	src := `providers:
  - name: p
    base_url: https://${HOST}:${PORT}/v1
    api_key: pre-${TOKEN}-${UNSET_X}
    custom_headers: {X-T: "${TOKEN}"}
models:
  ${TOKEN}: {adapters: [{adapter: p, model_name: "${TOKEN}"}]}
api_keys:
  - key: ${CK}
`
	cfg, _, err := parse([]byte(src), "c.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Providers[0]
	got := []string{p.BaseURL, p.APIKey, p.RawBaseURL, p.RawAPIKey, p.CustomHeaders["X-T"],
		cfg.Models[0].Name, cfg.Models[0].Adapters[0].ModelName, cfg.APIKeys[0].Key, cfg.APIKeys[0].RawKey}
	want := []string{"https://up.example:8443/v1", "pre-sk-up-${UNSET_X}", "https://${HOST}:${PORT}/v1", "pre-${TOKEN}-${UNSET_X}",
		"${TOKEN}", "${TOKEN}", "${TOKEN}", "sk-client-key-1", "${CK}"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWarnings(t *testing.T) {
	src := `gateway:
  port: 8000
  colour: blue
providers:
  - name: x
    base_url: http://h
    foo: 1
    timeouts: {connect: 1, slow: 2}
  - name: d
    provider: dashscope
    base_url: http://h
    api_key: ${MISSING_TOKEN}
models:
  m:
    adapterz: []
    adapters: [{adapter: x, model_name: y, wieght: 3}]
api_keys:
  - {key: sk-key-one-0001, allowed_models: [m, M, nope], extra: true}
  - {key: sk-key-two-0002, name: bob, scope: x}
top: 1
`
	_, warns := mustParse(t, src)
	var got []string
	for _, w := range warns {
		got = append(got, w.String())
	}
	want := []string{
		`c.yaml:3: unknown key "colour" in gateway`,
		`c.yaml:7: unknown key "foo" in provider "x"`,
		`c.yaml:8: unknown key "slow" in provider "x" timeouts`,
		`c.yaml:10: provider "d": provider "dashscope" is treated as "openai" (an OpenAI-compatible API)`,
		`c.yaml:12: provider "d": api_key uses ${MISSING_TOKEN}, which is not set; the text is sent as written`,
		`c.yaml:15: unknown key "adapterz" in model "m"`,
		`c.yaml:16: unknown key "wieght" in model "m" adapter 1`,
		`c.yaml:18: unknown key "extra" in api key 1`,
		`c.yaml:18: api key 1: allowed_models names "nope", which is not a model`,
		`c.yaml:19: unknown key "scope" in api key "bob"`,
		`c.yaml:20: unknown top-level key "top"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
