package claudecode

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/app/agentconfig"
)

// TestMalformedRefused: a file the switch cannot edit safely is refused
// with the position of the problem, and nothing is written anywhere.
func TestMalformedRefused(t *testing.T) {
	cases := []struct {
		name, in       string
		line, col      int
		reasonContains string
	}{
		{"trailing comma", "{\n  \"a\": 1,\n}\n", 3, 1, "looking for beginning of object key"},
		{"not JSON", "model = opus\n", 1, 1, "invalid character 'm'"},
		{"truncated", "{\n  \"env\": {\n", 3, 1, "unexpected end"},
		{"comment", "{\n  // mine\n  \"a\": 1\n}", 2, 3, "invalid character '/'"},
		{"byte order mark", "\xEF\xBB\xBF{}", 1, 1, "byte order mark"},
		{"array", "[1, 2]", 0, 0, "not a JSON object"},
		{"env is a string", "{\n  \"env\": \"x\"\n}", 2, 10, `"env" is not a JSON object`},
		{"env twice", "{\"env\": {}, \"env\": {}}", 1, 13, `"env" appears twice`},
		{"token twice", "{\"env\": {\"ANTHROPIC_AUTH_TOKEN\": \"a\",\n \"ANTHROPIC_AUTH_TOKEN\": \"b\"}}", 2, 2, "appears twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.write(c.in)
			_, err := f.sw.Enable(testOpts)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Line != c.line || pe.Column != c.col || !strings.Contains(pe.Reason, c.reasonContains) {
				t.Errorf("got line %d col %d %q, want line %d col %d %q", pe.Line, pe.Column, pe.Reason, c.line, c.col, c.reasonContains)
			}
			if !strings.Contains(err.Error(), f.settings) || !strings.Contains(err.Error(), "untouched") {
				t.Errorf("message does not name the file or say it is untouched: %v", err)
			}
			if f.read() != c.in || f.stateExists() || f.backupCount() != 0 {
				t.Fatal("something was written")
			}
		})
	}
}

// TestMalformedAtDisable: a file broken while the switch was on is not
// touched by Disable, and the record stays so a later Disable can finish.
func TestMalformedAtDisable(t *testing.T) {
	f := newFixture(t)
	f.write(manyKeys)
	f.enable(testOpts)
	broken := strings.Replace(f.read(), `"model": "opus",`, `"model": "opus",,`, 1)
	f.write(broken)
	var pe *ParseError
	if _, err := f.sw.Disable(); !errors.As(err, &pe) || pe.Line != 3 {
		t.Fatalf("err = %v", err)
	}
	if f.read() != broken || !f.stateExists() {
		t.Fatal("broken file touched or record dropped")
	}
	f.write(strings.Replace(broken, ",,", ",", 1))
	f.disable()
	if f.read() != manyKeys {
		t.Fatalf("after repair: %q", f.read())
	}
}

func TestReadOnlyFile(t *testing.T) {
	f := newFixture(t)
	f.write(manyKeys)
	if err := os.Chmod(f.settings, 0o444); err != nil {
		t.Fatal(err)
	}
	_, err := f.sw.Enable(testOpts)
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "0444") {
		t.Fatalf("err = %v", err)
	}
	if f.read() != manyKeys || f.stateExists() || f.backupCount() != 0 {
		t.Fatal("something was written")
	}
	if fi, _ := os.Stat(f.settings); fi.Mode().Perm() != 0o444 {
		t.Fatal("mode changed")
	}
}

func TestReadOnlyDirectory(t *testing.T) {
	f := newFixture(t)
	f.write(manyKeys)
	dir := filepath.Dir(f.settings)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	if probe, err := os.CreateTemp(dir, "probe"); err == nil {
		_ = probe.Close()
		_ = os.Remove(probe.Name())
		t.Skip("running with privileges that ignore directory permissions")
	}
	_, err := f.sw.Enable(testOpts)
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("err = %v", err)
	}
	if f.read() != manyKeys || f.stateExists() {
		t.Fatal("settings changed or record left behind")
	}
}

// TestUnwritableLocation uses a regular file where the directory should be,
// which fails even for root.
func TestUnwritableLocation(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "notadir")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "data", "claudecode.json")
	sw, _ := New(Config{SettingsPath: filepath.Join(blocker, "settings.json"), StatePath: state})
	if _, err := sw.Enable(testOpts); err == nil || !strings.Contains(err.Error(), blocker) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(state); err == nil {
		t.Fatal("record left behind")
	}
}

func TestSymlinkRefused(t *testing.T) {
	f := newFixture(t)
	target := filepath.Join(f.dir, "dotfiles", "claude-settings.json")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte(manyKeys), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(f.settings), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, f.settings); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	_, err := f.sw.Enable(testOpts)
	if !errors.Is(err, ErrSymlink) || !strings.Contains(err.Error(), target) {
		t.Fatalf("err = %v", err)
	}
	if fi, _ := os.Lstat(f.settings); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("link replaced")
	}
	if b, _ := os.ReadFile(target); string(b) != manyKeys || f.stateExists() {
		t.Fatal("target changed or record written")
	}
	st, err := f.sw.Status()
	if err != nil || !st.Foreign || st.BaseURL != "https://old.example/api" {
		t.Fatalf("Status through the link: %+v %v", st, err)
	}
}

func TestSettingsPath(t *testing.T) {
	home := filepath.FromSlash("/home/u")
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		vars map[string]string
		want string
	}{
		{nil, filepath.Join(home, ".claude", "settings.json")},
		{map[string]string{"CLAUDE_CONFIG_DIR": "/srv/claude"}, filepath.Join("/srv/claude", "settings.json")},
		{map[string]string{"CLAUDE_CONFIG_DIR": "~/work-claude"}, filepath.Join(home, "work-claude", "settings.json")},
	}
	for _, c := range cases {
		if got := SettingsPath(env(c.vars), home); got != c.want {
			t.Errorf("%v: got %s, want %s", c.vars, got, c.want)
		}
	}
}

// TestClaudeConfigDir switches on through the CLAUDE_CONFIG_DIR path and
// leaves ~/.claude alone.
func TestClaudeConfigDir(t *testing.T) {
	dir := t.TempDir()
	home, custom := filepath.Join(dir, "home"), filepath.Join(dir, "custom")
	path := SettingsPath(func(k string) string {
		if k == "CLAUDE_CONFIG_DIR" {
			return custom
		}
		return ""
	}, home)
	sw, _ := New(Config{SettingsPath: path, StatePath: filepath.Join(dir, "ws", "claudecode.json")})
	if _, err := sw.Enable(testOpts); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(custom, "settings.json")); err != nil || string(b) != created {
		t.Fatalf("custom settings: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(home, ".claude")); err == nil {
		t.Fatal("~/.claude created")
	}
	// A record made for another file is not applied to this one.
	other, _ := New(Config{SettingsPath: filepath.Join(home, ".claude", "settings.json"), StatePath: filepath.Join(dir, "ws", "claudecode.json")})
	if _, err := other.Enable(testOpts); err == nil || !strings.Contains(err.Error(), custom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := other.Disable(); err != nil { // Disable acts on the recorded file
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(custom, "settings.json")); err == nil {
		t.Fatal("created file not removed")
	}
}

// TestAPIKeyRemovedAndRestored: never both token kinds while on.
func TestAPIKeyRemovedAndRestored(t *testing.T) {
	f := newFixture(t)
	in := "{\n  \"env\": {\n    \"ANTHROPIC_API_KEY\": \"sk-ant-api03-user\",\n    \"FOO\": \"bar\"\n  }\n}\n"
	f.write(in)
	res := f.enable(testOpts)
	got := f.read()
	if strings.Contains(got, "ANTHROPIC_API_KEY") || !strings.Contains(got, `"ANTHROPIC_AUTH_TOKEN": "ms-test-token"`) {
		t.Fatalf("both token kinds or none:\n%s", got)
	}
	if strings.Join(res.Changed, ",") != "ANTHROPIC_BASE_URL,ANTHROPIC_AUTH_TOKEN,ANTHROPIC_API_KEY" {
		t.Errorf("Changed = %v", res.Changed)
	}
	f.disable()
	if f.read() != in {
		t.Fatalf("got %q", f.read())
	}
}

// TestConcurrentEditDetected: an edit made while the switch writes wins;
// nothing of ours lands and the record is rolled back.
func TestConcurrentEditDetected(t *testing.T) {
	f := newFixture(t)
	f.write(manyKeys)
	edited := strings.Replace(manyKeys, "opus", "sonnet", 1)
	agentconfig.BeforeRename = func(path string) {
		if path == f.settings {
			f.write(edited)
		}
	}
	t.Cleanup(func() { agentconfig.BeforeRename = nil })
	if _, err := f.sw.Enable(testOpts); !errors.Is(err, ErrChanged) {
		t.Fatalf("err = %v", err)
	}
	if f.read() != edited || f.stateExists() {
		t.Fatal("user's edit lost or record left")
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(f.settings), ".settings.json.tmp-*"))
	if len(matches) != 0 {
		t.Fatalf("temporary files left: %v", matches)
	}
}
