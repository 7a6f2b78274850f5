package claudecode

import (
	"os"
	"slices"
	"strings"
	"testing"
)

const ours2 = `    "ANTHROPIC_BASE_URL": "http://127.0.0.1:8080",
    "ANTHROPIC_AUTH_TOKEN": "ms-test-token"`

const created = "{\n  \"env\": {\n" + ours2 + "\n  }\n}\n"

const manyKeys = `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "model": "opus",
  "env": {
    "DISABLE_TELEMETRY": "1",
    "ANTHROPIC_API_KEY": "sk-ant-user",
    "ANTHROPIC_BASE_URL": "https://old.example/api",
    "BASH_DEFAULT_TIMEOUT_MS": "60000"
  },
  "permissions": {"allow": ["Bash(ls:*)", "Read(~/.zshrc)"], "deny": []},
  "enabledPlugins": {"formatter@tools": true},
  "includeCoAuthoredBy": false,
  "cleanupPeriodDays": 30
}
`

const hooksAndStatusLine = `{
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "echo \"}{\\\"env\\\": 1\" >> /tmp/log"}]}
        ]
    },
    "statusLine": {
        "type": "command",
        "command": "~/.claude/statusline.sh",
        "padding": 0
    }
}`

// TestEnableDisableFiles switches on and off on real files: Enable must
// produce exactly want (everything outside the touched members byte for
// byte), and Disable must give back the original file exactly.
func TestEnableDisableFiles(t *testing.T) {
	cases := []struct {
		name, in, want string
		opts           Options
	}{
		{"missing file", missing, created, testOpts},
		{"empty file", "", created, testOpts},
		{"blank file", " \n", created, testOpts},
		{"empty object", "{}\n", created, testOpts},
		{"many keys, api key removed", manyKeys, strings.Replace(manyKeys, `    "DISABLE_TELEMETRY": "1",
    "ANTHROPIC_API_KEY": "sk-ant-user",
    "ANTHROPIC_BASE_URL": "https://old.example/api",
    "BASH_DEFAULT_TIMEOUT_MS": "60000"
`, `    "DISABLE_TELEMETRY": "1",
    "ANTHROPIC_BASE_URL": "http://127.0.0.1:8080",
    "BASH_DEFAULT_TIMEOUT_MS": "60000",
    "ANTHROPIC_AUTH_TOKEN": "ms-test-token"
`, 1), testOpts},
		{"hooks and statusLine, 4 spaces, no env, no final newline", hooksAndStatusLine,
			strings.TrimSuffix(hooksAndStatusLine, "\n    }\n}") + `
    },
    "env": {
        "ANTHROPIC_BASE_URL": "http://127.0.0.1:8080",
        "ANTHROPIC_AUTH_TOKEN": "ms-test-token"
    }
}`, testOpts},
		{"tabs, empty env", "{\n\t\"model\": \"sonnet\",\n\t\"env\": {}\n}\n",
			"{\n\t\"model\": \"sonnet\",\n\t\"env\": {\n\t\t\"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:8080\",\n\t\t\"ANTHROPIC_AUTH_TOKEN\": \"ms-test-token\"\n\t}\n}\n", testOpts},
		{"compact with env", `{"model":"sonnet","env":{"FOO":"1"}}`,
			`{"model":"sonnet","env":{"FOO":"1","ANTHROPIC_BASE_URL":"http://127.0.0.1:8080","ANTHROPIC_AUTH_TOKEN":"ms-test-token"}}`, testOpts},
		{"compact without env", `{"model":"sonnet"}`,
			`{"model":"sonnet","env":{"ANTHROPIC_BASE_URL":"http://127.0.0.1:8080","ANTHROPIC_AUTH_TOKEN":"ms-test-token"}}`, testOpts},
		{"CRLF", "{\r\n  \"model\": \"x\"\r\n}\r\n",
			"{\r\n  \"model\": \"x\",\r\n  \"env\": {\r\n    \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:8080\",\r\n    \"ANTHROPIC_AUTH_TOKEN\": \"ms-test-token\"\r\n  }\r\n}\r\n", testOpts},
		{"existing token replaced in place, model chosen",
			"{\n  \"env\": {\n    \"ANTHROPIC_AUTH_TOKEN\": \"theirs\",\n    \"ANTHROPIC_MODEL\": \"claude-x\"\n  },\n  \"theme\": \"dark\"\n}\n",
			"{\n  \"env\": {\n    \"ANTHROPIC_AUTH_TOKEN\": \"ms-test-token\",\n    \"ANTHROPIC_MODEL\": \"glm-5\",\n    \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:8080\"\n  },\n  \"theme\": \"dark\"\n}\n",
			Options{BaseURL: testURL, Token: testToken, Model: "glm-5"}},
		{"model left alone when not chosen", "{\n  \"env\": {\n    \"ANTHROPIC_MODEL\": \"claude-x\"\n  }\n}\n",
			"{\n  \"env\": {\n    \"ANTHROPIC_MODEL\": \"claude-x\",\n" + ours2 + "\n  }\n}\n", testOpts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.in != missing {
				f.write(c.in)
			}
			f.enable(c.opts)
			if got := f.read(); got != c.want {
				t.Fatalf("after Enable:\n%s\nwant:\n%s", got, c.want)
			}
			if !f.sw.Enabled() {
				t.Error("Enabled() = false after Enable")
			}
			if c.in != missing {
				if fi, _ := os.Stat(f.settings); fi.Mode().Perm() != 0o644 {
					t.Errorf("mode %v, want 0644 kept", fi.Mode().Perm())
				}
			}
			res := f.disable()
			if len(res.Kept) != 0 {
				t.Errorf("Kept = %v, want none", res.Kept)
			}
			if got := f.read(); got != c.in {
				t.Fatalf("after Disable:\n%q\nwant the original:\n%q", got, c.in)
			}
			if f.stateExists() {
				t.Error("record left after Disable")
			}
			if f.sw.Enabled() {
				t.Error("Enabled() = true after Disable")
			}
		})
	}
}

// TestNewFileMode checks a created settings.json is 0600 in a 0700 dir.
func TestNewFileMode(t *testing.T) {
	f := newFixture(t)
	f.enable(testOpts)
	fi, err := os.Stat(f.settings)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file: %v %v", fi.Mode(), err)
	}
	if di, _ := os.Stat(f.state); di.Mode().Perm() != 0o600 {
		t.Errorf("record mode %v", di.Mode().Perm())
	}
}

// TestUserEditsBetweenEnableAndDisable: what the user changed while the
// switch was on is kept; the rest is restored.
func TestUserEditsBetweenEnableAndDisable(t *testing.T) {
	cases := []struct {
		name     string
		edit     func(string) string
		want     string // "" = compare semantically with wantJSON
		wantJSON string
		kept     []string
	}{
		{"new hook added elsewhere",
			func(s string) string {
				return strings.Replace(s, `"cleanupPeriodDays": 30`, `"cleanupPeriodDays": 30,
  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}`, 1)
			}, "",
			strings.Replace(manyKeys, `"cleanupPeriodDays": 30`, `"cleanupPeriodDays": 30,
  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}`, 1), nil},
		{"base URL changed by the user",
			func(s string) string { return strings.Replace(s, testURL, "http://other:9000", 1) }, "",
			strings.Replace(strings.Replace(manyKeys, "https://old.example/api", "http://other:9000", 1), `"BASH_DEFAULT_TIMEOUT_MS": "60000"`,
				`"BASH_DEFAULT_TIMEOUT_MS": "60000", "ANTHROPIC_API_KEY": "sk-ant-user"`, 1),
			[]string{KeyBaseURL}},
		{"token changed and api key re-added",
			func(s string) string {
				return strings.Replace(s, `"ms-test-token"`, `"mine", "ANTHROPIC_API_KEY": "sk-new"`, 1)
			}, "",
			strings.Replace(strings.Replace(manyKeys, "sk-ant-user", "sk-new", 1), `"BASH_DEFAULT_TIMEOUT_MS": "60000"`,
				`"BASH_DEFAULT_TIMEOUT_MS": "60000", "ANTHROPIC_AUTH_TOKEN": "mine"`, 1),
			[]string{KeyAuthToken, KeyAPIKey}},
		{"file deleted", func(string) string { return missing }, missing, "",
			[]string{KeyBaseURL, KeyAuthToken, KeyAPIKey}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.write(manyKeys)
			f.enable(testOpts)
			if e := c.edit(f.read()); e == missing {
				_ = os.Remove(f.settings)
			} else {
				f.write(e)
			}
			res := f.disable()
			if got := keysOf(res.Kept); !slices.Equal(got, c.kept) {
				t.Errorf("Kept = %v, want %v", got, c.kept)
			}
			got := f.read()
			if c.want != "" {
				if got != c.want {
					t.Fatalf("got %q, want %q", got, c.want)
				}
				return
			}
			if !sameJSON(t, got, c.wantJSON) {
				t.Fatalf("after Disable:\n%s\nwant (as JSON):\n%s", got, c.wantJSON)
			}
			// Untouched lines are still byte for byte the original's.
			for _, line := range []string{`  "permissions": {"allow": ["Bash(ls:*)", "Read(~/.zshrc)"], "deny": []},`, `    "DISABLE_TELEMETRY": "1",`} {
				if !strings.Contains(got, line) {
					t.Errorf("line %q lost:\n%s", line, got)
				}
			}
		})
	}
}

// TestUserEditKeepsFormatOnRestore: with an unrelated edit, restoring the
// replaced value is in place and the inserted token is removed exactly.
func TestUserEditKeepsFormatOnRestore(t *testing.T) {
	f := newFixture(t)
	in := "{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"https://mine\"\n  },\n  \"theme\": \"dark\"\n}\n"
	f.write(in)
	f.enable(testOpts)
	f.write(strings.Replace(f.read(), `"dark"`, `"light"`, 1))
	if res := f.disable(); len(res.Changed) != 2 {
		t.Errorf("Changed = %v", res.Changed)
	}
	if got, want := f.read(), strings.Replace(in, `"dark"`, `"light"`, 1); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestReEnableKeepsUsersOriginal(t *testing.T) {
	f := newFixture(t)
	f.write(manyKeys)
	f.enable(testOpts)
	f.enable(Options{BaseURL: "http://127.0.0.1:9090", Token: "ms-rotated-token", Model: "glm-5"})
	if !strings.Contains(f.read(), `"ANTHROPIC_MODEL": "glm-5"`) || !f.sw.Enabled() {
		t.Fatalf("second Enable not applied:\n%s", f.read())
	}
	f.enable(Options{BaseURL: "http://127.0.0.1:9090", Token: "ms-rotated-token"})
	if strings.Contains(f.read(), "ANTHROPIC_MODEL") {
		t.Fatalf("model not withdrawn when no longer chosen:\n%s", f.read())
	}
	f.disable()
	if got := f.read(); got != manyKeys {
		t.Fatalf("got %q, want the original", got)
	}
	if n := f.backupCount(); n != 1 {
		t.Errorf("%d backups, want 1 (files pointing at us are not backed up)", n)
	}
}

func TestStatus(t *testing.T) {
	f := newFixture(t)
	f.write(`{"env": {"ANTHROPIC_BASE_URL": "https://elsewhere"}}`)
	st, err := f.sw.Status()
	if err != nil || st.Enabled || !st.Foreign || st.BaseURL != "https://elsewhere" {
		t.Fatalf("foreign: %+v %v", st, err)
	}
	f.enable(Options{BaseURL: testURL + "/", Token: testToken, Model: "glm-5"})
	st, _ = f.sw.Status()
	if !st.Enabled || st.Foreign || !st.ModelSet || st.Model != "glm-5" || !st.Recorded {
		t.Fatalf("enabled: %+v", st)
	}
	// The tray reads the live file: a hand edit shows at once.
	f.write(strings.Replace(f.read(), testURL+"/", "https://elsewhere", 1))
	if st, _ = f.sw.Status(); st.Enabled || !st.Foreign || f.sw.Enabled() {
		t.Fatalf("after hand edit: %+v", st)
	}
	f.write("{")
	if _, err := f.sw.Status(); err == nil || f.sw.Enabled() {
		t.Fatal("Status of a broken file gave no error")
	}
}

func TestDisableWithoutRecord(t *testing.T) {
	f := newFixture(t)
	f.write(manyKeys)
	if _, err := f.sw.Disable(); err != ErrNotEnabled {
		t.Fatalf("err = %v", err)
	}
	if f.read() != manyKeys {
		t.Fatal("file changed")
	}
}

func TestOptionsValidated(t *testing.T) {
	f := newFixture(t)
	for _, o := range []Options{{BaseURL: "127.0.0.1:8080", Token: "k"}, {BaseURL: testURL}, {BaseURL: testURL, Token: "a b"}} {
		if _, err := f.sw.Enable(o); err == nil {
			t.Errorf("Enable(%+v) accepted", o)
		}
	}
	if f.read() != missing || f.stateExists() {
		t.Fatal("something was written")
	}
}
