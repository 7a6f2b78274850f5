package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

var updateEdit = flag.Bool("update-edit", false, "rewrite the golden files in testdata/edit")

// newProvider is how a caller may add a provider: a struct with omitempty keeps it short.
type newProvider struct {
	Name     string `yaml:"name"`
	Provider string `yaml:"provider,omitempty"`
	BaseURL  string `yaml:"base_url"`
	APIKey   string `yaml:"api_key"`
	Enabled  *bool  `yaml:"enabled,omitempty"`
}

type editCase struct {
	name      string
	input     string // under testdata/edit; default config.yaml
	edit      func(d *Document) error
	from, to  string // the original lines from the first containing from to the next containing to may change
	reencoded int    // 0: a precise splice; n > 0: the node n steps down the path was re-encoded
}

func editCases() []editCase {
	staging := Path{K("providers"), M("name", "staging")}
	return []editCase{
		{name: "set-enabled", from: "toggled by ops", edit: func(d *Document) error {
			return d.Set(append(staging, K("enabled")), false)
		}},
		{name: "set-base-url", from: "dashscope.aliyuncs.com", edit: func(d *Document) error {
			return d.Set(Path{K("providers"), M("name", "dashscope"), K("base_url")}, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1")
		}},
		{name: "set-new-field", from: "${ANTHROPIC_API_KEY}", edit: func(d *Document) error {
			return d.Set(Path{K("providers"), M("name", "anthropic"), K("max_concurrent")}, 2)
		}},
		{name: "set-in-flow", reencoded: 3, from: "X-Team", edit: func(d *Document) error {
			return d.Set(Path{K("providers"), I(1), K("custom_headers"), K("X-Env")}, "staging # not a comment")
		}},
		{name: "set-block-value", from: "timeouts:", to: "idle: 120", edit: func(d *Document) error {
			return d.Set(Path{K("providers"), M("name", "dashscope"), K("timeouts")}, map[string]any{"idle": 300, "connect": 5, "first_byte": 30})
		}},
		{name: "add-provider", from: "# reasoning: reasoning_content", edit: func(d *Document) error {
			return d.Append(Path{K("providers")}, newProvider{Name: "deepseek", BaseURL: "https://api.deepseek.com/v1", APIKey: "${NEW_API_KEY}"})
		}},
		{name: "delete-first-provider", from: "Old endpoint", to: "name: dashscope", edit: func(d *Document) error {
			return d.Delete(Path{K("providers"), I(0)})
		}},
		{name: "delete-middle-provider", from: "Staging mirror", to: "name: anthropic", edit: func(d *Document) error {
			return d.Delete(staging)
		}},
		{name: "delete-last-provider", from: "name: local-vllm", to: "# reasoning: reasoning_content", edit: func(d *Document) error {
			return d.Delete(Path{K("providers"), I(-1)})
		}},
		{name: "rename-model", from: "qwen-plus:", edit: func(d *Document) error {
			return d.RenameKey(Path{K("models"), K("qwen-plus")}, "qwen-plus-latest")
		}},
		{name: "replace-adapters", from: "{adapter: dashscope, model_name: glm-5", to: "claude-sonnet", edit: func(d *Document) error {
			return d.Set(Path{K("models"), K("glm-5"), K("adapters")}, []map[string]any{
				{"priority": 1, "model_name": "glm-5.1", "adapter": "dashscope"},
				{"timeout": 30, "priority": 2, "model_name": "glm-5-air", "adapter": "local-vllm"},
			})
		}},
		{name: "replace-block-adapters", from: "- adapter: dashscope", to: "params:", edit: func(d *Document) error {
			return d.Set(Path{K("models"), K("qwen-plus"), K("adapters")}, []map[string]any{
				{"adapter": "staging", "model_name": "qwen-plus", "priority": 2},
			})
		}},
		{name: "set-expires-at", from: "Created on first run", edit: func(d *Document) error {
			return d.Set(Path{K("api_keys"), M("name", "admin"), K("expires_at")}, "2027-06-30T00:00:00Z")
		}},
		{name: "set-then-clear-expires-at", from: "Created on first run", edit: func(d *Document) error {
			p := Path{K("api_keys"), M("name", "admin"), K("expires_at")}
			if err := d.Set(p, "2027-06-30"); err != nil {
				return err
			}
			return d.Delete(p)
		}},
		{name: "clear-expires-at", from: "expires_at:", edit: func(d *Document) error {
			return d.Delete(Path{K("api_keys"), M("name", "ci"), K("expires_at")})
		}},
		{name: "append-api-key", from: "expires_at:", edit: func(d *Document) error {
			return d.Append(Path{K("api_keys")}, map[string]any{"name": "ops", "key": "${OPS_KEY}", "rate_limit": 0})
		}},
		{name: "append-flow-roles", reencoded: 3, from: "roles: [admin]", edit: func(d *Document) error {
			return d.Append(Path{K("api_keys"), I(0), K("roles")}, "user")
		}},
		{name: "append-empty-providers", input: "default.yaml", from: "providers: []", edit: func(d *Document) error {
			return d.Append(Path{K("providers")}, newProvider{Name: "dashscope", Provider: "openai", BaseURL: "https://dashscope.aliyuncs.com/compatible-mode/v1", APIKey: "${DASHSCOPE_API_KEY}"})
		}},
		{name: "add-models", input: "no-models.yaml", from: "# end of file", edit: func(d *Document) error {
			return d.Set(Path{K("models")}, map[string]any{"qwen-plus": map[string]any{
				"adapters": []map[string]any{{"adapter": "dashscope", "model_name": "qwen-plus"}},
			}})
		}},
		{name: "delete-only-role", reencoded: 3, from: "roles: [admin]", edit: func(d *Document) error {
			return d.Delete(Path{K("api_keys"), I(0), K("roles"), I(0)})
		}},
		{name: "delete-only-adapter", from: "adapters:", to: "params:", edit: func(d *Document) error {
			return d.Delete(Path{K("models"), K("qwen-plus"), K("adapters"), I(0)})
		}},
	}
}

func TestEditGolden(t *testing.T) {
	setEditEnv(t)
	for _, crlf := range []bool{false, true} {
		for _, tc := range editCases() {
			name := tc.name
			if crlf {
				name += "/crlf"
			}
			t.Run(name, func(t *testing.T) {
				input := tc.input
				if input == "" {
					input = "config.yaml"
				}
				orig := editInput(t, input)
				if crlf {
					orig = toCRLF(orig)
				}
				d, err := ParseDocument([]byte(orig))
				if err != nil {
					t.Fatal(err)
				}
				if err := tc.edit(d); err != nil {
					t.Fatal(err)
				}
				if d.reencoded != tc.reencoded {
					t.Errorf("reencoded = %d, want %d", d.reencoded, tc.reencoded)
				}
				got := string(d.Bytes())
				golden := filepath.Join("testdata", "edit", tc.name+".golden.yaml")
				if *updateEdit && !crlf {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want := readEditData(t, tc.name+".golden.yaml")
				if crlf {
					want = toCRLF(want)
				}
				if got != want {
					t.Errorf("text (-want +got):\n%s", cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n")))
				}
				if _, _, err := Parse(d.Bytes(), tc.name); err != nil {
					t.Errorf("Parse: %v", err)
				}
				if _, err := ParseDocument(d.Bytes()); err != nil {
					t.Errorf("ParseDocument: %v", err)
				}
				from := lineOfText(t, orig, tc.from, 0)
				to := from
				if tc.to != "" {
					to = lineOfText(t, orig, tc.to, from)
				}
				assertOnlyChanged(t, orig, got, from, to)
			})
		}
	}
}

// editInput reads an input config; default.yaml is the first-run config DefaultYAML writes.
func editInput(t *testing.T, name string) string {
	if name == "default.yaml" {
		return string(DefaultYAML("sk-ms-test-admin-key"))
	}
	return readEditData(t, name)
}

func TestEditSetThenClearRestoresText(t *testing.T) {
	orig := readEditData(t, "config.yaml")
	if got := readEditData(t, "set-then-clear-expires-at.golden.yaml"); got != orig {
		t.Errorf("set then delete changed the text:\n%s", cmp.Diff(strings.Split(orig, "\n"), strings.Split(got, "\n")))
	}
}

func TestEditTreeReflectsChange(t *testing.T) {
	d, err := ParseDocument([]byte(readEditData(t, "config.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	p := Path{K("providers"), M("name", "staging"), K("enabled")}
	if err := d.Set(p, false); err != nil {
		t.Fatal(err)
	}
	if n, ok := d.Get(p); !ok || n.Value != "false" || n.ShortTag() != "!!bool" {
		t.Errorf("Get after Set = %+v, %v", n, ok)
	}
	if err := d.RenameKey(Path{K("models"), K("claude")}, "claude-opus"); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Get(Path{K("models"), K("claude")}); ok {
		t.Error("old model name still resolves")
	}
	if n, ok := d.Get(Path{K("models"), K("claude-opus"), K("adapters"), I(0), K("model_name")}); !ok || n.Value != "claude-opus" {
		t.Errorf("renamed model = %+v, %v", n, ok)
	}
	var cfg struct {
		Providers []struct {
			Name    string `yaml:"name"`
			Enabled *bool  `yaml:"enabled"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(d.Bytes(), &cfg); err != nil || cfg.Providers[2].Enabled == nil || *cfg.Providers[2].Enabled {
		t.Errorf("decoded providers = %+v, %v", cfg.Providers, err)
	}
}
