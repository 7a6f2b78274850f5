package core

import (
	"context"
	"encoding/json"
	"github.com/modelswitch/modelswitch/app/control"
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

// TestQuitKeepingClaudeCode: the tray's "Quit and keep Claude Code on
// ModelSwitch" leaves settings.json and the switch-on record as they are, the
// next core shows the switch on, warns while nothing answers where Claude
// Code points, and still restores the user's own file on switch-off.
func TestQuitKeepingClaudeCode(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	settings := filepath.Join(t.TempDir(), ".claude", "settings.json")
	if err := os.MkdirAll(filepath.Dir(settings), 0o700); err != nil {
		t.Fatal(err)
	}
	before := "{\"hooks\": {\"Stop\": []},\n \"env\": {\"OTHER\": \"x\"}}\n"
	if err := os.WriteFile(settings, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c1, cl1, _ := startCoreDB(t, ws, settings, nil)
	if _, err := cl1.SetClaudeCode(ctx, true); err != nil {
		t.Fatal(err)
	}
	switched, _ := os.ReadFile(settings)
	if err := cl1.Quit(ctx, control.QuitRequest{KeepClaudeCode: true}); err != nil {
		t.Fatal(err)
	}
	<-c1.Done()
	if got, _ := os.ReadFile(settings); string(got) != string(switched) {
		t.Fatalf("quit-and-keep changed settings.json:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(ws.DataDir, "claudecode.json")); err != nil {
		t.Fatalf("the switch-on record is gone: %v", err)
	}

	// The next start: the switch shows on; with the gateway stopped the
	// status warns that Claude Code's requests would fail.
	c2, cl2, _ := startCoreDB(t, ws, settings, nil)
	st, err := cl2.Status(ctx)
	if err != nil || !st.ClaudeCode.Enabled || st.ClaudeCode.Warning != "" {
		t.Fatalf("after restart: %+v %v", st.ClaudeCode, err)
	}
	if _, err := cl2.StopGateway(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ = cl2.Status(ctx)
	if !st.ClaudeCode.Enabled || !strings.Contains(st.ClaudeCode.Warning, "not running") {
		t.Errorf("no warning while the gateway is stopped: %+v", st.ClaudeCode)
	}
	if _, err := cl2.StartGateway(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ = cl2.Status(ctx); st.ClaudeCode.Warning != "" {
		t.Errorf("warning while the gateway runs: %q", st.ClaudeCode.Warning)
	}
	// A plain quit restores the file the user had before the first switch-on.
	c2.Shutdown()
	if got, _ := os.ReadFile(settings); string(got) != before {
		t.Errorf("not restored after a kept quit and a restart:\n%s", got)
	}
}
