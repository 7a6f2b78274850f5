package config

import (
	"log/slog"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFindModel(t *testing.T) {
	cfg := &Config{Models: Models{{Name: "Qwen"}, {Name: "glm-5"}, {Name: "qwen"}, {Name: "GLM-5"}}}
	tests := []struct {
		ask  string
		want int // index into Models, -1 for nil
	}{
		{"qwen", 2},  // exact beats the earlier case-insensitive match
		{"Qwen", 0},  // exact
		{"QWEN", 0},  // first case-insensitive match in file order
		{"Glm-5", 1}, // first case-insensitive match
		{"GLM-5", 3},
		{"glm", -1},
		{"", -1},
	}
	for _, tt := range tests {
		got := cfg.FindModel(tt.ask)
		if (tt.want < 0) != (got == nil) || (got != nil && got != &cfg.Models[tt.want]) {
			t.Errorf("FindModel(%q) = %v, want index %d", tt.ask, got, tt.want)
		}
	}
	cfg.Providers = []Provider{{Name: "a"}, {Name: "B"}}
	if cfg.FindProvider("B") != &cfg.Providers[1] || cfg.FindProvider("b") != nil || cfg.FindProvider("c") != nil {
		t.Errorf("FindProvider is not an exact lookup")
	}
}

func TestTargets(t *testing.T) {
	adapters := []Adapter{{ModelName: "a", Priority: 3}, {ModelName: "b", Priority: 1}, {ModelName: "c", Priority: 2}, {ModelName: "d", Priority: 1}}
	names := func(as []Adapter) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.ModelName)
		}
		return out
	}
	tests := []struct {
		mode     string
		adapters []Adapter
		want     []string
	}{
		{ModeChain, adapters, []string{"b", "d", "c", "a"}},
		{ModeAdapter, adapters, []string{"b"}},
		{ModeChain, nil, nil},
		{ModeAdapter, nil, nil},
	}
	for _, tt := range tests {
		m := &Model{Mode: tt.mode, Adapters: tt.adapters}
		if diff := cmp.Diff(tt.want, names(m.Targets())); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.mode, diff)
		}
	}
	if adapters[0].ModelName != "a" {
		t.Errorf("Targets reordered the model's own slice")
	}
}

func TestKeyIdentity(t *testing.T) {
	a, b := &APIKey{Key: "sk-ms-abc"}, &APIKey{Key: "sk-ms-abd"}
	if !regexp.MustCompile(`^key_[0-9a-f]{12}$`).MatchString(a.ID()) {
		t.Errorf("ID() = %q", a.ID())
	}
	// sha256("sk-ms-abc") starts with these 12 hex digits; the id must not change between releases.
	if a.ID() != "key_435c0649dae5" {
		t.Errorf("ID() = %q, want key_435c0649dae5", a.ID())
	}
	if a.ID() != (&APIKey{Key: "sk-ms-abc", Name: "other"}).ID() || a.ID() == b.ID() {
		t.Errorf("ID() must depend on the secret only: %q %q", a.ID(), b.ID())
	}
	tests := []struct{ secret, want string }{
		{"", "****"},
		{"abc", "****"},
		{"abcd", "abc****"},
		{"abcdefg", "abc****"},
		{"abcdefgh", "abc****efgh"},
		{"sk-ms-0123456789", "sk-****6789"},
		{"密钥密钥密钥密钥", "密钥密****密钥密钥"},
	}
	for _, tt := range tests {
		if got := MaskSecret(tt.secret); got != tt.want {
			t.Errorf("MaskSecret(%q) = %q, want %q", tt.secret, got, tt.want)
		}
		if got := (&APIKey{Key: tt.secret}).DisplayName(); got != tt.want {
			t.Errorf("DisplayName() without name = %q, want %q", got, tt.want)
		}
	}
	if got := (&APIKey{Key: "abcdefgh", Name: "bob"}).DisplayName(); got != "bob" {
		t.Errorf("DisplayName() = %q, want bob", got)
	}
}

func TestExpiry(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, false},
		{"soon", time.Time{}, false},
		{"2026-12-31", time.Date(2026, 12, 31, 0, 0, 0, 0, shanghai), true},
		{"2026-12-31T08:30:00", time.Date(2026, 12, 31, 8, 30, 0, 0, shanghai), true},
		{"2026-03-30T19:07:17.872640", time.Date(2026, 3, 30, 19, 7, 17, 872640000, shanghai), true},
		{"2026-12-31T08:30:00Z", time.Date(2026, 12, 31, 8, 30, 0, 0, time.UTC), true},
		{"2026-12-31T08:30:00-05:00", time.Date(2026, 12, 31, 13, 30, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		got, ok := (&APIKey{ExpiresAt: tt.in}).Expiry(shanghai)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("Expiry(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGatewayAndProviderHelpers(t *testing.T) {
	if (&Gateway{}).Location() != time.Local {
		t.Errorf("empty timezone is not time.Local")
	}
	if loc := (&Gateway{Timezone: "UTC"}).Location(); loc.String() != "UTC" {
		t.Errorf("Location() = %v", loc)
	}
	levels := map[string]slog.Level{"debug": slog.LevelDebug, "INFO": slog.LevelInfo, "Warning": slog.LevelWarn,
		"WARN": slog.LevelWarn, "error": slog.LevelError, "CRITICAL": slog.LevelError, "": slog.LevelInfo}
	for in, want := range levels {
		if got := (&Gateway{LogLevel: in}).SlogLevel(); got != want {
			t.Errorf("SlogLevel(%q) = %v, want %v", in, got, want)
		}
	}
	protos := map[string]string{"": "openai", "openai": "openai", "Anthropic": "anthropic", "anthropic": "anthropic", "dashscope": "openai", "vllm": "openai"}
	for in, want := range protos {
		if got := (&Provider{Provider: in}).Protocol(); got != want {
			t.Errorf("Protocol(%q) = %q, want %q", in, got, want)
		}
	}
	cfg := &Config{Gateway: DefaultGateway()}
	own := &Provider{CircuitBreaker: &CircuitBreaker{Failures: 2, OpenSeconds: 1}}
	if cfg.Breaker(own) != *own.CircuitBreaker || cfg.Breaker(&Provider{}) != cfg.Gateway.CircuitBreaker {
		t.Errorf("Breaker() does not prefer the provider's own breaker")
	}
}

// TestFindModelByAlias: names first, then exact aliases, then patterns in
// file order, all case-insensitive.
func TestFindModelByAlias(t *testing.T) {
	cfg, _ := mustParse(t, okProvider+`models:
  strong: {aliases: ["claude-*opus*"], adapters: [{adapter: p, model_name: x}]}
  fast: {aliases: ["claude-*haiku*", "gpt-5-mini"], adapters: [{adapter: p, model_name: x}]}
  main: {aliases: ["claude-*", gpt-5-codex, "claude-*haiku*"], adapters: [{adapter: p, model_name: x}]}
  claude-sonnet-4-5: {adapters: [{adapter: p, model_name: x}]}
`)
	for ask, want := range map[string]string{
		"claude-3-5-haiku-20241022": "fast", // fast's pattern comes before main's catch-all
		"claude-haiku-4-5":          "fast",
		"Claude-Opus-4-1":           "strong",            // any case
		"claude-sonnet-4-5":         "claude-sonnet-4-5", // a model's name beats every alias
		"claude-sonnet-4":           "main",
		"GPT-5-CODEX":               "main",
		"gpt-5-mini":                "fast",
		"gpt-5":                     "",
		"main":                      "main",
	} {
		got := cfg.FindModel(ask)
		if name := ""; got != nil {
			name = got.Name
			if name != want {
				t.Errorf("FindModel(%q) = %q, want %q", ask, name, want)
			}
		} else if want != "" {
			t.Errorf("FindModel(%q) = nil, want %q", ask, want)
		}
	}
}
