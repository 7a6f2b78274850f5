package config

import (
	"regexp"
	"strings"
	"testing"
)

func TestDefaultYAMLParses(t *testing.T) {
	for _, key := range []string{NewSecret(), `odd"key: #with yaml chars`, "123456789012"} {
		cfg, warns, err := Parse(DefaultYAML(key), "config.yaml")
		if err != nil {
			t.Fatalf("DefaultYAML(%q) does not parse: %v", key, err)
		}
		if len(warns) != 0 {
			t.Errorf("warnings: %v", warns)
		}
		if len(cfg.APIKeys) != 1 {
			t.Fatalf("api keys = %d, want 1", len(cfg.APIKeys))
		}
		k := cfg.APIKeys[0]
		if k.Key != key || k.Name != "admin" || !k.HasRole(RoleAdmin) || !k.IsEnabled() || k.RateLimit != nil {
			t.Errorf("admin key = %+v", k)
		}
		if len(cfg.Providers) != 0 || len(cfg.Models) != 0 {
			t.Errorf("default config ships providers %v / models %v", cfg.Providers, cfg.Models)
		}
		if g := cfg.Gateway; g.Host != "127.0.0.1" || g.Port != 8000 {
			t.Errorf("listen = %s:%d", g.Host, g.Port)
		}
	}
}

// The commented-out examples must stay valid: uncommenting them should give a working config.
func TestDefaultYAMLExamplesAreValid(t *testing.T) {
	uncommented := regexp.MustCompile(`(?m)^#(  .*)$`).ReplaceAllString(string(DefaultYAML("sk-example-key-0001")), "$1")
	uncommented = strings.NewReplacer("providers: []", "providers:", "models: {}", "models:",
		"  # timezone:", "  timezone:", "  # cors_origins:", "  cors_origins:").Replace(uncommented)
	cfg, warns, err := parse([]byte(uncommented), "config.yaml", mapEnv(map[string]string{"DASHSCOPE_API_KEY": "sk-x"}))
	if err != nil {
		t.Fatalf("examples do not parse: %v\n%s", err, uncommented)
	}
	if len(warns) != 0 || len(cfg.Providers) != 2 || cfg.FindModel("qwen-plus") == nil || cfg.Gateway.Timezone != "Asia/Shanghai" || len(cfg.Gateway.CORSOrigins) != 1 {
		t.Errorf("warnings %v, providers %d, models %v", warns, len(cfg.Providers), cfg.Models)
	}
}

func TestNewSecret(t *testing.T) {
	re := regexp.MustCompile(`^sk-ms-[0-9A-Za-z]{32}$`)
	seen := map[string]bool{}
	for range 100 {
		s := NewSecret()
		if !re.MatchString(s) || seen[s] {
			t.Fatalf("NewSecret() = %q (seen before: %v)", s, seen[s])
		}
		seen[s] = true
	}
}
