package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// benchKey is the client key of both gateway configurations; adminKey reads /metrics.
const (
	benchKey = "sk-ms-benchBENCHbenchBENCHbenchBENCH0001"
	adminKey = "sk-ms-benchADMINbenchADMINbenchADMIN0001"
)

// Models every gateway configuration serves; all point at the mock except
// the dead primary of gpt-fallover. The prefix names the upstream protocol
// (proto.modelPrefix): gpt-* Chat Completions, claude-* Anthropic, resp-*
// Responses.
var benchModels = []string{"gpt-bench", "claude-bench", "gpt-paced", "claude-paced", "gpt-hold", "gpt-fallover", "resp-bench", "gpt-routed"}

// gatewayConfig is config.yaml for one gateway. features=true: the key has a
// rate limit, a daily limit and an allowlist, conversation bodies are logged
// in full. features=false: no limits, log_bodies off. Usage rows and metadata
// records are written in both (the gateway has no switch for them).
func gatewayConfig(port, mockPort, deadPort int, features bool, pacedGapMS, holdChunks, holdGapMS int) []byte {
	bodies := "off"
	limits := ""
	if features {
		bodies = "full"
		limits = "    rate_limit: 100000000\n    daily_limit: 1000000000\n    allowed_models: [" + strings.Join(benchModels, ", ") + "]\n"
	}
	mock := fmt.Sprintf("http://127.0.0.1:%d", mockPort)
	provider := func(name, proto, base, extra string) string {
		return fmt.Sprintf("  - name: %s\n    provider: %s\n    base_url: %s\n    api_key: mock-upstream-key\n%s", name, proto, base, extra)
	}
	paced := fmt.Sprintf("    custom_headers: {X-Mock-Gap-Ms: \"%d\"}\n", pacedGapMS)
	hold := fmt.Sprintf("    custom_headers: {X-Mock-Chunks: \"%d\", X-Mock-Gap-Ms: \"%d\"}\n", holdChunks, holdGapMS)
	var b strings.Builder
	fmt.Fprintf(&b, `gateway:
  host: 127.0.0.1
  port: %d
  log_level: INFO
  log_dir: logs
  log_bodies: %s
  circuit_breaker: {failures: 5, open_seconds: 30}
providers:
`, port, bodies)
	b.WriteString(provider("mock-openai", "openai", mock+"/v1", ""))
	b.WriteString(provider("mock-anthropic", "anthropic", mock, ""))
	b.WriteString(provider("paced-openai", "openai", mock+"/v1", paced))
	b.WriteString(provider("paced-anthropic", "anthropic", mock, paced))
	b.WriteString(provider("hold-openai", "openai", mock+"/v1", hold))
	b.WriteString(provider("mock-responses", "responses", mock+"/v1", "")) // the gateway calls {base_url}/responses
	b.WriteString(provider("dead-primary", "openai", fmt.Sprintf("http://127.0.0.1:%d/v1", deadPort),
		"    circuit_breaker: {failures: 1, open_seconds: 3600}\n"))
	b.WriteString(`models:
  gpt-bench:
    adapters: [{adapter: mock-openai, model_name: mock-model}]
  claude-bench:
    adapters: [{adapter: mock-anthropic, model_name: mock-model}]
  gpt-paced:
    adapters: [{adapter: paced-openai, model_name: mock-model}]
  claude-paced:
    adapters: [{adapter: paced-anthropic, model_name: mock-model}]
  gpt-hold:
    adapters: [{adapter: hold-openai, model_name: mock-model}]
  resp-bench:
    adapters: [{adapter: mock-responses, model_name: mock-model}]
  gpt-routed:
    # Five routes, none matching the bench request: what evaluating them costs.
    routes:
      - {name: long, when: {input_tokens_over: 1000000}, to: gpt-bench}
      - {name: think, when: {thinking: true}, to: gpt-bench}
      - {name: search, when: {web_search: true}, to: gpt-bench}
      - {name: images, when: {images: true}, to: gpt-bench}
      - {name: script, when: {header: cheap}, to: gpt-bench}
    adapters: [{adapter: mock-openai, model_name: mock-model}]
  gpt-fallover:
    mode: chain
    adapters:
      - {adapter: dead-primary, model_name: mock-model, priority: 1}
      - {adapter: mock-openai, model_name: mock-model, priority: 2}
api_keys:
  - name: bench-admin
    key: ` + adminKey + `
    roles: [admin]
  - name: bench-client
    key: ` + benchKey + `
    roles: [user]
` + limits)
	return []byte(b.String())
}

// gw is one running gateway.
type gw struct {
	name     string // "on" or "off"
	features bool
	dir      string
	port     int
	p        *proc
	startup  time.Duration // process start → /health 200, first start (empty workspace)
}

func (g *gw) url(path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", g.port, path) }

// gatewayParams are the knobs the configuration needs besides the ports.
type gatewayParams struct {
	bin                   string
	mockPort, deadPort    int
	pacedGapMS            int
	holdChunks, holdGapMS int
	features              bool
	workspace             string // "" = a new directory
	name                  string
	cpu                   int
	healthTimeout         time.Duration
}

// startGateway writes the workspace (unless it exists) and starts the gateway,
// returning once /health answers 200.
func (h *host) startGateway(gp gatewayParams) (*gw, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := gp.workspace
	if dir == "" {
		dir = filepath.Join(h.dir, "ws-"+gp.name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg := gatewayConfig(port, gp.mockPort, gp.deadPort, gp.features, gp.pacedGapMS, gp.holdChunks, gp.holdGapMS)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), cfg, 0o600); err != nil {
		return nil, err
	}
	p, err := h.start("gateway-"+gp.name, gp.cpu, nil, gp.bin, "--start", "--workspace", dir, "--port", fmt.Sprint(port))
	if err != nil {
		return nil, err
	}
	g := &gw{name: gp.name, features: gp.features, dir: dir, port: port, p: p}
	if gp.healthTimeout == 0 {
		gp.healthTimeout = 20 * time.Second
	}
	g.startup, err = waitHealthy(p, g.url("/health"), gp.healthTimeout)
	if err != nil {
		p.stop()
		return nil, err
	}
	return g, nil
}
