package core

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/pelletier/go-toml/v2"
)

// codexConfig is a user's config.toml before the switch.
const codexConfig = "# mine\nmodel = \"o3\"\napproval_policy = \"never\"\n\n[projects.\"/src\"]\ntrust_level = \"trusted\"\n"

func writeCodex(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// readCodex returns the model, the provider and the provider's table.
func readCodex(t *testing.T, path string) (model, provider string, table map[string]any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Model     string                    `toml:"model"`
		Provider  string                    `toml:"model_provider"`
		Providers map[string]map[string]any `toml:"model_providers"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return doc.Model, doc.Provider, doc.Providers["modelswitch"]
}

// withSecondModel adds the virtual model m2 to the workspace's config.yaml.
func withSecondModel(t *testing.T, path string) {
	t.Helper()
	data, _ := os.ReadFile(path)
	data = []byte(strings.Replace(string(data), "\napi_keys:", "  m2:\n    adapters:\n      - adapter: up1\n        model_name: z\n\napi_keys:", 1))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCodexSwitch(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	withSecondModel(t, ws.ConfigPath)
	path := codexPath(ws)
	writeCodex(t, path, codexConfig)
	c, cl, _ := startCore(t, ws, filepath.Join(t.TempDir(), "settings.json"))
	ctx := context.Background()

	st, _ := cl.Status(ctx)
	if st.Codex.Enabled || st.Codex.Foreign || st.Codex.Path != path || st.Codex.Model != "o3" {
		t.Fatalf("before: %+v", st.Codex)
	}
	cx, err := cl.SetCodex(ctx, control.CodexRequest{Enabled: true})
	if err != nil || !cx.Enabled || cx.Model != "m1" || cx.BaseURL != st.Gateway.BaseURL+"/v1" || cx.Warning != "" {
		t.Fatalf("enable: %+v %v", cx, err)
	}
	model, provider, table := readCodex(t, path)
	token, _ := table["experimental_bearer_token"].(string)
	if model != "m1" || provider != "modelswitch" || table["base_url"] != st.Gateway.BaseURL+"/v1" || table["wire_api"] != "responses" {
		t.Errorf("config.toml after enable: %s %s %v", model, provider, table)
	}
	cfg, _ := os.ReadFile(ws.ConfigPath)
	if token == "" || !strings.Contains(string(cfg), token) || strings.Count(string(cfg), CodexKeyName) != 1 {
		t.Fatalf("the Codex key %q is not in config.yaml once:\n%s", token, cfg)
	}
	if st, _ := cl.Status(ctx); !st.Codex.Enabled {
		t.Errorf("status after enable: %+v", st.Codex)
	}

	// The caller picks the model; the key is reused, and it is not Claude Code's.
	if cx, err = cl.SetCodex(ctx, control.CodexRequest{Enabled: true, Model: "M2"}); err != nil || cx.Model != "m2" {
		t.Fatalf("enable with m2: %+v %v", cx, err)
	}
	if _, _, table2 := readCodex(t, path); table2["experimental_bearer_token"] != token {
		t.Errorf("second enable made a new token %v", table2["experimental_bearer_token"])
	}
	if _, err := cl.SetClaudeCode(ctx, true); err != nil {
		t.Fatal(err)
	}
	cfg, _ = os.ReadFile(ws.ConfigPath)
	if strings.Count(string(cfg), CodexKeyName) != 1 || strings.Count(string(cfg), ClaudeKeyName) != 1 {
		t.Errorf("keys:\n%s", cfg)
	}
	if _, err := cl.SetCodex(ctx, control.CodexRequest{Enabled: true, Model: "nope"}); control.StatusOf(err) != 400 || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown model: %v", err)
	}

	if cx, err = cl.SetCodex(ctx, control.CodexRequest{}); err != nil || cx.Enabled {
		t.Fatalf("disable: %+v %v", cx, err)
	}
	if got, _ := os.ReadFile(path); string(got) != codexConfig {
		t.Errorf("not restored:\n%s", got)
	}
	if _, err := cl.SetCodex(ctx, control.CodexRequest{}); err != nil {
		t.Errorf("disable while off: %v", err)
	}

	// Quit restores a switch that is on.
	if _, err := cl.SetCodex(ctx, control.CodexRequest{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	c.Shutdown()
	if got, _ := os.ReadFile(path); string(got) != codexConfig {
		t.Errorf("quit did not restore:\n%s", got)
	}
}

// TestCodexRefusalReported: a config.toml the switch refuses is left alone
// and the status carries the reason.
func TestCodexRefusalReported(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	path := codexPath(ws)
	writeCodex(t, path, "model = \n")
	_, cl, _ := startCore(t, ws, filepath.Join(t.TempDir(), "settings.json"))
	ctx := context.Background()
	if _, err := cl.SetCodex(ctx, control.CodexRequest{Enabled: true}); control.StatusOf(err) != 409 || !strings.Contains(err.Error(), "not valid TOML") {
		t.Fatalf("err = %v", err)
	}
	if st, _ := cl.Status(ctx); !strings.Contains(st.Codex.Error, "not valid TOML") {
		t.Errorf("status: %+v", st.Codex)
	}
	if got, _ := os.ReadFile(path); string(got) != "model = \n" {
		t.Errorf("touched: %q", got)
	}
}

// TestQuitKeepingCodex: quitting with KeepCodex leaves config.toml and the
// record; the next core shows the switch on, warns while nothing answers,
// and a plain quit then restores the user's own file.
func TestQuitKeepingCodex(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	path := codexPath(ws)
	writeCodex(t, path, codexConfig)
	ctx := context.Background()
	settings := filepath.Join(t.TempDir(), "settings.json")
	c1, cl1, _ := startCoreDB(t, ws, settings, nil)
	if _, err := cl1.SetCodex(ctx, control.CodexRequest{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	switched, _ := os.ReadFile(path)
	if err := cl1.Quit(ctx, control.QuitRequest{KeepClaudeCode: true, KeepCodex: true}); err != nil {
		t.Fatal(err)
	}
	<-c1.Done()
	if got, _ := os.ReadFile(path); string(got) != string(switched) {
		t.Fatalf("quit-and-keep changed config.toml:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(ws.DataDir, "codex.json")); err != nil {
		t.Fatalf("the switch-on record is gone: %v", err)
	}
	c2, cl2, _ := startCoreDB(t, ws, settings, nil)
	st, err := cl2.Status(ctx)
	if err != nil || !st.Codex.Enabled || st.Codex.Warning != "" {
		t.Fatalf("after restart: %+v %v", st.Codex, err)
	}
	if _, err := cl2.StopGateway(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ = cl2.Status(ctx); !st.Codex.Enabled || !strings.Contains(st.Codex.Warning, "Codex points at the gateway") {
		t.Errorf("no warning while the gateway is stopped: %+v", st.Codex)
	}
	// Switching on while the gateway is stopped points at where it will listen.
	if cx, err := cl2.SetCodex(ctx, control.CodexRequest{Enabled: true}); err != nil || cx.BaseURL != st.Gateway.BaseURL+"/v1" {
		t.Errorf("enable while stopped: %+v %v", cx, err)
	}
	c2.Shutdown()
	if got, _ := os.ReadFile(path); string(got) != codexConfig {
		t.Errorf("not restored after a kept quit and a restart:\n%s", got)
	}
}

func TestCodexNeedsAModel(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	data, _ := os.ReadFile(ws.ConfigPath)
	i, j := strings.Index(string(data), "models:"), strings.Index(string(data), "api_keys:")
	if err := os.WriteFile(ws.ConfigPath, []byte(string(data[:i])+string(data[j:])), 0o600); err != nil {
		t.Fatal(err)
	}
	_, cl, _ := startCore(t, ws, filepath.Join(t.TempDir(), "settings.json"))
	if _, err := cl.SetCodex(context.Background(), control.CodexRequest{Enabled: true}); control.StatusOf(err) != 409 || !strings.Contains(err.Error(), "no virtual model") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(codexPath(ws)); err == nil {
		t.Error("config.toml written without a model")
	}
}
