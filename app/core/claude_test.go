package core

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readEnv(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Env map[string]any `json:"env"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Env
}

func TestClaudeCodeSwitch(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	settings := filepath.Join(t.TempDir(), ".claude", "settings.json")
	if err := os.MkdirAll(filepath.Dir(settings), 0o700); err != nil {
		t.Fatal(err)
	}
	before := "{\n  \"env\": {\"ANTHROPIC_BASE_URL\": \"https://api.example.com\", \"KEEP\": \"1\"},\n  \"hooks\": {}\n}\n"
	if err := os.WriteFile(settings, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	c, cl, _ := startCore(t, ws, settings)
	ctx := context.Background()

	st, _ := cl.Status(ctx)
	if st.ClaudeCode.Enabled || !st.ClaudeCode.Foreign || st.ClaudeCode.Path != settings {
		t.Fatalf("before: %+v", st.ClaudeCode)
	}
	cc, err := cl.SetClaudeCode(ctx, true)
	if err != nil || !cc.Enabled {
		t.Fatalf("enable: %+v %v", cc, err)
	}
	env := readEnv(t, settings)
	if env["ANTHROPIC_BASE_URL"] != st.Gateway.BaseURL || env["ANTHROPIC_MODEL"] != "m1" || env["KEEP"] != "1" {
		t.Errorf("env after enable: %v", env)
	}
	token, _ := env["ANTHROPIC_AUTH_TOKEN"].(string)
	cfg, _ := os.ReadFile(ws.ConfigPath)
	if token == "" || !strings.Contains(string(cfg), token) || !strings.Contains(string(cfg), ClaudeKeyName) {
		t.Fatalf("the Claude Code key %q is not in config.yaml:\n%s", token, cfg)
	}
	// Switching on again reuses the key.
	if _, err := cl.SetClaudeCode(ctx, true); err != nil {
		t.Fatal(err)
	}
	if got := readEnv(t, settings)["ANTHROPIC_AUTH_TOKEN"]; got != token {
		t.Errorf("second enable made a new token %v", got)
	}
	if cfg2, _ := os.ReadFile(ws.ConfigPath); strings.Count(string(cfg2), ClaudeKeyName) != 1 {
		t.Errorf("key created twice:\n%s", cfg2)
	}

	cc, err = cl.SetClaudeCode(ctx, false)
	if err != nil || cc.Enabled {
		t.Fatalf("disable: %+v %v", cc, err)
	}
	if got, _ := os.ReadFile(settings); string(got) != before {
		t.Errorf("not restored:\n%s", got)
	}
	if _, err := cl.SetClaudeCode(ctx, false); err != nil {
		t.Errorf("disable while off: %v", err)
	}

	// Quit restores a switch that is on.
	if _, err := cl.SetClaudeCode(ctx, true); err != nil {
		t.Fatal(err)
	}
	c.Shutdown()
	if got, _ := os.ReadFile(settings); string(got) != before {
		t.Errorf("quit did not restore:\n%s", got)
	}
}
