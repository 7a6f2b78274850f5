package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// problems parses src and returns the error's lines (nil when it parses).
func problems(t *testing.T, src string, env map[string]string) []string {
	t.Helper()
	cfg, _, err := parse([]byte(src), "c.yaml", mapEnv(env))
	if err == nil {
		return nil
	}
	if cfg != nil {
		t.Errorf("config returned together with an error")
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T is not a *ValidationError: %v", err, err)
	}
	if len(ve.Problems) != len(strings.Split(err.Error(), "\n")) {
		t.Errorf("Error() has a line count different from Problems: %v", err)
	}
	return strings.Split(err.Error(), "\n")
}

const okProvider = "providers:\n  - name: p\n    base_url: http://h\n"

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		env  map[string]string
		want []string
	}{
		{"valid", okProvider + "models: {m: {adapters: [{adapter: p, model_name: x}]}}\napi_keys: [{key: sk-valid-key-01, roles: [admin, user]}]", nil, nil},
		{"yaml syntax", "gateway:\n  port: 1\n bad: [", nil, []string{"c.yaml:2: invalid YAML: did not find expected key"}},
		{"top level list", "- a\n- b\n", nil, []string{"c.yaml:1: the file must be a mapping with the keys gateway, providers, models and api_keys"}},
		{"fractional int", "gateway:\n  port: 8000.5\n", nil, []string{"c.yaml:2: gateway.port must be a whole number, got 8000.5"}},
		{"fractional quoted int", "api_keys:\n  - key: sk-valid-key-01\n    daily_limit: \"1.5\"\n", nil, []string{"c.yaml:3: api_keys[0].daily_limit must be a whole number, got 1.5"}},
		{"not a number", "gateway:\n  max_body_mb: lots\n", nil, []string{`c.yaml:2: gateway.max_body_mb must be a whole number, got "lots"`}},
		{"not a bool", okProvider + "    enabled: maybe\n", nil, []string{`c.yaml:4: providers[0].enabled must be true or false, got "maybe"`}},
		{"list for scalar", "api_keys:\n  - key: [a]\n", nil, []string{
			"c.yaml:2: api_keys[0].key must be a single value, not a list or mapping",
			"c.yaml:2: api key 1: key is required"}},
		{"aliases", okProvider + "models:\n  a: {aliases: [b, 'x[', '', dup], adapters: [{adapter: p, model_name: x}]}\n  b: {aliases: [DUP], adapters: [{adapter: p, model_name: x}]}\n", nil, []string{
			`c.yaml:5: model "a": alias "b" is the name of model "b"`,
			`c.yaml:5: model "a": alias "x[" is not a valid pattern (* ? [a-z] as in shell globs): syntax error in pattern`,
			`c.yaml:5: model "a": an alias is empty`,
			`c.yaml:6: model "b": alias "DUP" is also an alias of model "a"`}},
		{"routes", okProvider + "models:\n  a:\n    routes:\n      - {to: a, when: {thinking: true}}\n      - {to: nope, adapter: p, when: {tier: haiku}}\n      - {adapter: q, when: {images: true}}\n      - {name: r, to: b}\n    adapters: [{adapter: p, model_name: x, context_window: -1}]\n  b: {adapters: [{adapter: p, model_name: x}]}\n", nil, []string{
			`c.yaml:7: model "a" route "route 1": to names the model itself`,
			`c.yaml:8: model "a" route "route 2": give either to (a virtual model) or adapter (a provider of this model), not both or neither`,
			`c.yaml:9: model "a" route "route 3": adapter "q" is not one of this model's adapters`,
			`c.yaml:10: model "a" route "r": when needs a condition (input_tokens_over, thinking, web_search, images, tier or header)`,
			`c.yaml:11: model "a" adapter 1: context_window must not be negative (got -1)`}},
		{"balance", okProvider + "models:\n  a: {balance: random, adapters: [{adapter: p, model_name: x, weight: -2}]}\n", nil, []string{
			`c.yaml:5: model "a": unknown balance "random" (want weighted, least_in_flight or latency)`,
			`c.yaml:5: model "a" adapter 1: weight must not be negative (got -2)`}},
		{"short key", "api_keys: [{key: sk-1234567}]", nil, []string{
			"c.yaml:1: api key 1: key has 10 characters; at least 12 are required (generated keys have 38)"}},
		{"scalar for list", "api_keys:\n  - key: sk-valid-key-01\n    roles: admin\n", nil, []string{"c.yaml:3: api_keys[0].roles must be a list"}},
		{"duplicate yaml key", "gateway:\n  port: 1\n  port: 2\n", nil, []string{`c.yaml:3: mapping key "port" already defined at line 2`}},
		{"gateway values", "gateway:\n  port: 70000\n  log_level: LOUD\n  log_bodies: some\n  max_body_mb: -1\n  timezone: Mars/Olympus\n  circuit_breaker: {failures: -2}\n", nil, []string{
			"c.yaml:2: gateway: port must be between 1 and 65535 (got 70000)",
			`c.yaml:3: gateway: unknown log_level "LOUD" (want DEBUG, INFO, WARN or ERROR)`,
			`c.yaml:4: gateway: unknown log_bodies "some" (want full, truncated or off)`,
			"c.yaml:5: gateway: max_body_mb must not be negative (got -1)",
			`c.yaml:6: gateway: unknown timezone "Mars/Olympus"`,
			"c.yaml:7: gateway: circuit_breaker.failures must be greater than zero (got -2)"}},
		{"provider problems", `providers:
  - base_url: http://h
  - name: a
  - name: a
    base_url: ftp://h
    provider: azure
    max_concurrent: -1
    queue_timeout: -0.5
    reasoning: keep
    timeouts: {idle: -3}
  - name: e
    base_url: https://${NO_SUCH_HOST}/v1
`, nil, []string{
			"c.yaml:2: provider 1: name is required",
			`c.yaml:3: provider "a": base_url is required`,
			`c.yaml:4: provider "a": duplicate provider name (first defined at line 3)`,
			`c.yaml:5: provider "a": base_url "ftp://h" is not an http:// or https:// URL`,
			`c.yaml:6: provider "a": unknown provider "azure" (want openai, anthropic or responses)`,
			`c.yaml:7: provider "a": max_concurrent must not be negative (got -1)`,
			`c.yaml:8: provider "a": queue_timeout must not be negative (got -0.5)`,
			`c.yaml:9: provider "a": unknown reasoning "keep" (want drop or reasoning_content)`,
			`c.yaml:10: provider "a": timeouts.idle must be greater than zero (got -3)`,
			`c.yaml:12: provider "e": base_url uses ${NO_SUCH_HOST}, which is not set`}},
		{"env resolves base_url", "providers:\n  - name: e\n    base_url: https://${H}/v1\n", map[string]string{"H": "x.example"}, nil},
		{"model problems", okProvider + `models:
  glm-5:
    mode: fallback
    adapters:
      - {adapter: p, model_name: a}
      - {adapter: nope, model_name: b}
      - {model_name: c, timeout: -1}
      - {adapter: p}
  GLM-5: {adapters: [{adapter: p, model_name: a}]}
  glm-5: {}
`, nil, []string{
			`c.yaml:6: model "glm-5": unknown mode "fallback" (want chain or adapter)`,
			`c.yaml:9: model "glm-5" adapter 2 names provider "nope", which does not exist`,
			`c.yaml:10: model "glm-5" adapter 3: adapter (the provider name) is required`,
			`c.yaml:10: model "glm-5" adapter 3: timeout must be greater than zero (got -1)`,
			`c.yaml:11: model "glm-5" adapter 4: model_name is required`,
			`c.yaml:13: model "glm-5" is defined twice (first at line 5)`}},
		{"api key problems", `api_keys:
  - name: a
  - {name: b, key: same-secret-1}
  - {name: c, key: same-secret-1, roles: [root], rate_limit: -1, daily_limit: -2}
  - {name: d, key: sk-fourth-key-4, expires_at: next tuesday}
  - {name: e, key: "${ADMIN_SECRET}"}
`, nil, []string{
			`c.yaml:2: api key "a": key is required`,
			`c.yaml:4: api key "c": duplicate key (same secret as the key at line 3)`,
			`c.yaml:4: api key "c": unknown role "root" (want admin or user)`,
			`c.yaml:4: api key "c": rate_limit must not be negative (got -1)`,
			`c.yaml:4: api key "c": daily_limit must not be negative (got -2)`,
			`c.yaml:5: api key "d": expires_at "next tuesday" is not a date or date-time (e.g. 2026-12-31T23:59:59+08:00)`,
			`c.yaml:6: api key "e": key uses ${ADMIN_SECRET}, which is not set`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, tt.src, tt.env)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestProblemsNeverShowSecrets(t *testing.T) {
	src := "api_keys:\n  - {key: sk-very-secret-1, roles: [x]}\n  - {key: sk-very-secret-1}\n"
	got := strings.Join(problems(t, src, nil), "\n")
	if got == "" || strings.Contains(got, "very-secret") {
		t.Errorf("problems = %q: want problems that do not contain the key", got)
	}
}

func TestExpiresAtFormats(t *testing.T) {
	for _, v := range []string{
		"2026-12-31T23:59:59Z", "2026-12-31T23:59:59+08:00", "2026-12-31T23:59:59.123456-05:00",
		"2026-12-31T23:59:59", "2026-03-30T19:07:17.872640", "2026-12-31 23:59:59", "2026-12-31",
	} {
		if got := problems(t, "api_keys: [{key: sk-expiring-key-1, expires_at: '"+v+"'}]", nil); got != nil {
			t.Errorf("expires_at %q: %v", v, got)
		}
	}
	for _, v := range []string{"31/12/2026", "2026-13-01", "tomorrow", "2026-12-31T25:00:00"} {
		if got := problems(t, "api_keys: [{key: sk-expiring-key-1, expires_at: '"+v+"'}]", nil); len(got) != 1 {
			t.Errorf("expires_at %q: problems %v, want one", v, got)
		}
	}
}

func TestValidateInMemory(t *testing.T) {
	cfg := Default()
	p := defaultProvider()
	p.Name, p.BaseURL = "p", "http://h"
	cfg.Providers = []Provider{p}
	a := defaultAdapter()
	a.Adapter, a.ModelName = "gone", "x"
	cfg.Models = Models{{Name: "m", Adapters: []Adapter{a}}}
	cfg.SetDefaults()
	err := cfg.Validate()
	want := `model "m" adapter 1 names provider "gone", which does not exist`
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %q", err, want)
	}
	cfg.Models[0].Adapters[0].Adapter = "p"
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate() after fix = %v", err)
	}
}

// TestExplicitZeroIsRejected: a zero timeout or breaker threshold is a mistake,
// not a request for the default (issue 4).
func TestExplicitZeroIsRejected(t *testing.T) {
	text := `gateway:
  circuit_breaker: {failures: 0, open_seconds: 0}
providers:
  - name: p
    base_url: http://h
    max_concurrent: -1
    timeouts: {connect: 0, idle: -1}
models:
  m:
    adapters: [{adapter: p, model_name: x, timeout: 0}]
`
	want := []string{
		"c.yaml:2: gateway: circuit_breaker.failures must be greater than zero (got 0)",
		"c.yaml:2: gateway: circuit_breaker.open_seconds must be greater than zero (got 0)",
		`c.yaml:6: provider "p": max_concurrent must not be negative (got -1)`,
		`c.yaml:7: provider "p": timeouts.connect must be greater than zero (got 0)`,
		`c.yaml:7: provider "p": timeouts.idle must be greater than zero (got -1)`,
		`c.yaml:10: model "m" adapter 1: timeout must be greater than zero (got 0)`,
	}
	_, _, err := Parse([]byte(text), "c.yaml")
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
}

// TestProviderPointingAtTheGatewayIsRefused: an upstream that is our own
// listener would loop every request back into the gateway.
func TestProviderPointingAtTheGatewayIsRefused(t *testing.T) {
	for _, tc := range []struct {
		base string
		bad  bool
	}{
		{"http://127.0.0.1:8000/v1", true},
		{"http://localhost:8000", true},
		{"http://[::1]:8000/v1", true},
		{"http://127.0.0.1:8001/v1", false},
		{"https://api.example.com/v1", false},
	} {
		_, _, err := Parse([]byte("gateway: {port: 8000}\nproviders:\n  - {name: p, base_url: \""+tc.base+"\"}\n"), "c.yaml")
		got := err != nil && strings.Contains(err.Error(), "points at this gateway itself")
		if got != tc.bad {
			t.Errorf("%s: refused=%v (%v), want %v", tc.base, got, err, tc.bad)
		}
	}
}
