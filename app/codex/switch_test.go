package codex

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const ourTable = `[model_providers.modelswitch]
name = "ModelSwitch"
base_url = "http://127.0.0.1:8080/v1"
wire_api = "responses"
experimental_bearer_token = "ms-test-token"
`

const ourTop = "model = \"m1\"\nmodel_provider = \"modelswitch\"\n"

const created = ourTop + "\n" + ourTable

// userConfig is a config.toml as people write it: comments, a profile,
// projects, MCP servers, another provider, an inline table.
const userConfig = `# Codex settings
model = "gpt-5-codex"   # the default
model_reasoning_effort = "high"
approval_policy = "on-request"

[profiles.fast]
model = "gpt-5-mini"

[projects."/home/u/src"]
trust_level = "trusted"

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]
env = { DOCS_TOKEN = "t" }

[model_providers.azure]
name = "Azure"
base_url = "https://x.openai.azure.com/openai"
env_key = "AZURE_OPENAI_API_KEY"
`

// TestEnableDisableFiles switches on and off on real files: Enable must
// produce exactly want (every other byte as it was), and Disable must give
// back the original file exactly.
func TestEnableDisableFiles(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"missing file", missing, created},
		{"empty file", "", created},
		{"user config", userConfig, strings.Replace(userConfig, `model = "gpt-5-codex"   # the default
model_reasoning_effort = "high"
approval_policy = "on-request"
`, `model = "m1"   # the default
model_reasoning_effort = "high"
approval_policy = "on-request"
model_provider = "modelswitch"
`, 1) + "\n" + ourTable},
		{"no top-level keys, no final newline", "[features]\nplugins = false",
			ourTop + "\n[features]\nplugins = false\n\n" + strings.TrimSuffix(ourTable, "\n")},
		{"only a comment", "# nothing yet\n", ourTop + "\n# nothing yet\n\n" + ourTable},
		{"CRLF, ends with a blank line", "model_provider = \"openai\"\r\n\r\n[features]\r\nplugins = false\r\n\r\n",
			"model_provider = \"modelswitch\"\r\nmodel = \"m1\"\r\n\r\n[features]\r\nplugins = false\r\n\r\n" +
				strings.ReplaceAll(ourTable, "\n", "\r\n")},
		{"our table written by hand, env_key removed, indentation kept",
			"model = 'm1'\n\n[model_providers.modelswitch]\n  name = \"ms\"\n  env_key = \"MODELSWITCH_API_KEY\"\n  base_url = \"http://127.0.0.1:8000/v1\"\n\n[features]\nplugins = false\n",
			"model = 'm1'\nmodel_provider = \"modelswitch\"\n\n[model_providers.modelswitch]\n  name = \"ModelSwitch\"\n  base_url = \"http://127.0.0.1:8080/v1\"\n" +
				"  wire_api = \"responses\"\n  experimental_bearer_token = \"ms-test-token\"\n\n[features]\nplugins = false\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.in != missing {
				f.write(c.in)
			}
			f.enable(testOpts)
			if got := f.read(); got != c.want {
				t.Fatalf("after Enable:\n%s\nwant:\n%s", got, c.want)
			}
			if !f.sw.Enabled() {
				t.Error("Enabled() = false after Enable")
			}
			if c.in != missing {
				if fi, _ := os.Stat(f.config); fi.Mode().Perm() != 0o644 {
					t.Errorf("mode %v, want 0644 kept", fi.Mode().Perm())
				}
			}
			if res := f.disable(); len(res.Kept) != 0 {
				t.Errorf("Kept = %v, want none", res.Kept)
			}
			if got := f.read(); got != c.in {
				t.Fatalf("after Disable:\n%q\nwant the original:\n%q", got, c.in)
			}
			if f.stateExists() || f.sw.Enabled() {
				t.Error("record left or still enabled after Disable")
			}
		})
	}
}

// TestChangedKeys: Result.Changed names what switch-on changed, and a value
// already equal (in another spelling) is left as the user wrote it.
func TestChangedKeys(t *testing.T) {
	f := newFixture(t)
	f.write("model = 'm1'\n[model_providers.modelswitch]\nenv_key = \"K\"\n")
	res := f.enable(testOpts)
	want := []string{"model_provider", "model_providers.modelswitch.name", "model_providers.modelswitch.base_url",
		"model_providers.modelswitch.wire_api", "model_providers.modelswitch.experimental_bearer_token", "model_providers.modelswitch.env_key"}
	if !slices.Equal(res.Changed, want) {
		t.Errorf("Changed = %v", res.Changed)
	}
	if !strings.HasPrefix(f.read(), "model = 'm1'\n") {
		t.Errorf("the user's spelling was rewritten:\n%s", f.read())
	}
}

// TestUserEditsBetweenEnableAndDisable: what the user changed while the
// switch was on is kept; the rest is restored in place.
func TestUserEditsBetweenEnableAndDisable(t *testing.T) {
	cases := []struct {
		name       string
		edit       func(string) string
		want       string
		kept       []string
		untouched  bool
		extraCheck string
	}{
		{"unrelated value changed", func(s string) string { return strings.Replace(s, `"high"`, `"low"`, 1) },
			strings.Replace(userConfig, `"high"`, `"low"`, 1), nil, false, ""},
		{"a line added to another table", func(s string) string {
			return strings.Replace(s, "trust_level = \"trusted\"\n", "trust_level = \"trusted\"\n# reviewed\n", 1)
		}, strings.Replace(userConfig, "trust_level = \"trusted\"\n", "trust_level = \"trusted\"\n# reviewed\n", 1), nil, false, ""},
		{"model changed by the user", func(s string) string { return strings.Replace(s, `model = "m1"`, `model = "m2"`, 1) },
			strings.Replace(userConfig, `model = "gpt-5-codex"`, `model = "m2"`, 1), []string{"model"}, false, ""},
		{"a key added to our table keeps it", func(s string) string {
			return s + "stream_idle_timeout_ms = 600000\n"
		}, userConfig + "\n[model_providers.modelswitch]\nstream_idle_timeout_ms = 600000\n", nil, false, ""},
		{"file deleted", func(string) string { return missing }, missing,
			[]string{"model", "model_provider", "model_providers.modelswitch.name", "model_providers.modelswitch.base_url",
				"model_providers.modelswitch.wire_api", "model_providers.modelswitch.experimental_bearer_token"}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.write(userConfig)
			f.enable(testOpts)
			if e := c.edit(f.read()); e == missing {
				_ = os.Remove(f.config)
			} else {
				f.write(e)
			}
			res := f.disable()
			if got := keysOf(res.Kept); !slices.Equal(got, c.kept) {
				t.Errorf("Kept = %v, want %v", got, c.kept)
			}
			if got := f.read(); got != c.want {
				t.Fatalf("after Disable:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// TestEnvKeyPutBack: a key the switch removed comes back, as it was
// written, when the file was edited elsewhere meanwhile.
func TestEnvKeyPutBack(t *testing.T) {
	f := newFixture(t)
	in := "model_provider = \"modelswitch\"\n\n[model_providers.modelswitch]\nbase_url = \"http://old/v1\"\nenv_key   =   \"MS_KEY\"   # exported in .zshrc\n"
	f.write(in)
	f.enable(testOpts)
	if strings.Contains(f.read(), "env_key") {
		t.Fatalf("env_key kept while on (Codex would read it first):\n%s", f.read())
	}
	f.write("# edited\n" + f.read())
	f.disable()
	if got, want := f.read(), "# edited\n"+in; got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestReEnableKeepsUsersOriginal(t *testing.T) {
	f := newFixture(t)
	f.write(userConfig)
	f.enable(testOpts)
	f.enable(Options{BaseURL: "http://127.0.0.1:9090", Token: "ms-rotated-token", Model: "glm-5"})
	got := f.read()
	if !strings.Contains(got, `model = "glm-5"`) || !strings.Contains(got, `base_url = "http://127.0.0.1:9090/v1"`) || !f.sw.Enabled() {
		t.Fatalf("second Enable not applied:\n%s", got)
	}
	f.disable()
	if got := f.read(); got != userConfig {
		t.Fatalf("got %q, want the original", got)
	}
	if n := f.backupCount(); n != 1 {
		t.Errorf("%d backups, want 1 (files pointing at us are not backed up)", n)
	}
}

func TestStatus(t *testing.T) {
	f := newFixture(t)
	if st, err := f.sw.Status(); err != nil || st.Exists || st.Enabled || st.Foreign {
		t.Fatalf("missing file: %+v %v", st, err)
	}
	f.write(userConfig + "model_provider = \"azure\"\n") // in the azure table: not top-level
	if st, _ := f.sw.Status(); st.Foreign || st.Provider != "" || st.Model != "gpt-5-codex" {
		t.Fatalf("no top-level provider: %+v", st)
	}
	f.write("model_provider = \"azure\"\n" + userConfig)
	st, _ := f.sw.Status()
	if st.Enabled || !st.Foreign || st.Provider != "azure" || st.BaseURL != "https://x.openai.azure.com/openai" {
		t.Fatalf("foreign: %+v", st)
	}
	f.enable(Options{BaseURL: testURL + "/", Token: testToken, Model: "glm-5"})
	if st, _ = f.sw.Status(); !st.Enabled || st.Foreign || !st.ModelSet || st.Model != "glm-5" || !st.Recorded || st.BaseURL != testURL+"/v1" {
		t.Fatalf("enabled: %+v", st)
	}
	// The tray reads the live file: a hand edit shows at once.
	f.write(strings.Replace(f.read(), `model_provider = "modelswitch"`, `model_provider = "azure"`, 1))
	if st, _ = f.sw.Status(); st.Enabled || !st.Foreign || f.sw.Enabled() {
		t.Fatalf("after hand edit: %+v", st)
	}
	// A profile chosen by hand wins over the top-level keys.
	f.write(strings.Replace(f.read(), `model_provider = "azure"`, "model_provider = \"modelswitch\"\nprofile = \"fast\"", 1))
	if st, _ = f.sw.Status(); !st.Enabled || st.Model != "gpt-5-mini" || st.ModelSet {
		t.Fatalf("profile model: %+v", st)
	}
	f.write("model = \n")
	if _, err := f.sw.Status(); err == nil || f.sw.Enabled() {
		t.Fatal("Status of a broken file gave no error")
	}
}

func TestDisableWithoutRecord(t *testing.T) {
	f := newFixture(t)
	f.write(userConfig)
	if _, err := f.sw.Disable(); err != ErrNotEnabled {
		t.Fatalf("err = %v", err)
	}
	if f.read() != userConfig {
		t.Fatal("file changed")
	}
}

func TestOptionsValidated(t *testing.T) {
	f := newFixture(t)
	for _, o := range []Options{{BaseURL: "127.0.0.1:8080", Token: "k", Model: "m"}, {BaseURL: testURL, Model: "m"},
		{BaseURL: testURL, Token: "a b", Model: "m"}, {BaseURL: testURL, Token: "k"}} {
		if _, err := f.sw.Enable(o); err == nil {
			t.Errorf("Enable(%+v) accepted", o)
		}
	}
	if f.read() != missing || f.stateExists() {
		t.Fatal("something was written")
	}
}

func TestConfigPath(t *testing.T) {
	home := filepath.FromSlash("/home/u")
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		vars map[string]string
		want string
	}{
		{nil, filepath.Join(home, ".codex", "config.toml")},
		{map[string]string{"CODEX_HOME": "/srv/codex"}, filepath.Join("/srv/codex", "config.toml")},
		{map[string]string{"CODEX_HOME": "~/work-codex"}, filepath.Join(home, "work-codex", "config.toml")},
		{map[string]string{"CODEX_HOME": "~"}, filepath.Join(home, "config.toml")},
	}
	for _, c := range cases {
		if got := ConfigPath(env(c.vars), home); got != c.want {
			t.Errorf("%v: got %s, want %s", c.vars, got, c.want)
		}
	}
}

// TestCodexHome switches on through the CODEX_HOME path and leaves
// ~/.codex alone; a record made for another file is not applied to this one.
func TestCodexHome(t *testing.T) {
	dir := t.TempDir()
	home, custom := filepath.Join(dir, "home"), filepath.Join(dir, "custom")
	path := ConfigPath(func(k string) string {
		if k == "CODEX_HOME" {
			return custom
		}
		return ""
	}, home)
	record := filepath.Join(dir, "ws", "codex.json")
	sw, _ := New(Config{ConfigPath: path, StatePath: record})
	if _, err := sw.Enable(testOpts); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(custom, "config.toml")); err != nil || string(b) != created {
		t.Fatalf("custom config: %q %v", b, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(home, ".codex")); err == nil {
		t.Fatal("~/.codex created")
	}
	other, _ := New(Config{ConfigPath: filepath.Join(home, ".codex", "config.toml"), StatePath: record})
	if _, err := other.Enable(testOpts); err == nil || !strings.Contains(err.Error(), custom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := other.Disable(); err != nil { // Disable acts on the recorded file
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("created file not removed")
	}
}
