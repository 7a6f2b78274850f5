package admin

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/proxy"
)

// Secrets of the fixture: none may appear in any response.
const (
	envOpenAIKey  = "sk-env-openai-SECRET-4a7f9c2e1b"
	envAnthroKey  = "sk-ant-env-SECRET-8d3e5f7a9c"
	envAdminKey   = "sk-ms-admin-SECRET-77aa88bb99cc"
	literalProvKy = "sk-literal-dashscope-SECRET-5566"
	literalCIKey  = "sk-ms-ci-SECRET-0123456789"
	headerSecret  = "hdr-SECRET-token-31415926"
)

var fixtureSecrets = []string{envOpenAIKey, envAnthroKey, envAdminKey, literalProvKy, literalCIKey, headerSecret}

// fixtureYAML is a hand-edited config: comments everywhere, flow and block
// styles, quoting, blank lines and ${ENV} references.
const fixtureYAML = `# ModelSwitch configuration — hand-edited.
#
# Secrets come from the environment: ${NAME} is replaced at load time.

gateway:
  host: 127.0.0.1          # local clients only
  port: 8000
  log_level: "INFO"
  # Time zone for daily limits.
  timezone: 'Asia/Shanghai'
  circuit_breaker: {failures: 5, open_seconds: 30}

# Upstream services.
providers:
  # Old endpoint, kept for reference.
  - name: openai-legacy
    provider: openai
    base_url: https://api.openai.com/v1   # the public API
    api_key: ${TEST_OPENAI_API_KEY}
    enabled: false

  - name: dashscope
    provider: openai
    base_url: "https://dashscope.aliyuncs.com/compatible-mode/v1"
    api_key: "sk-literal-dashscope-SECRET-5566"
    max_concurrent: 4      # per account
    custom_headers: {X-Team: "core", Authorization: "Bearer hdr-SECRET-token-31415926"}
    timeouts:
      connect: 10
      idle: 120            # long thinking pauses

  # Staging mirror — may be down.
  - name: staging
    base_url: 'http://10.0.0.7:8001/v1'
    api_key: EMPTY
    enabled: true  # toggled by ops

  - name: anthropic
    provider: anthropic
    base_url: https://api.anthropic.com
    api_key: "${TEST_ANTHROPIC_API_KEY}"

  - name: local-vllm
    base_url: http://localhost:8001/v1
    disable_stream_options: true
    # reasoning: reasoning_content
  # - name: disabled-example
  #   base_url: http://example.invalid/v1

# Virtual models, by name.
models:
  glm-5:
    mode: chain            # try in priority order
    description: "GLM-5: fast"
    adapters:
      - {adapter: dashscope, model_name: glm-5, priority: 1}
      - {adapter: staging, model_name: glm-5, priority: 2, timeout: 90}

  # Qwen family.
  qwen-plus:
    description: Qwen Plus
    adapters:
      - adapter: dashscope
        model_name: qwen-plus   # upstream id
        priority: 1
        params: {max_tokens: 8192}

  claude:
    mode: adapter
    adapters: [{adapter: anthropic, model_name: claude-opus}]

# Client keys.
api_keys:
  - name: admin
    key: ${TEST_MS_ADMIN_KEY}
    roles: [admin]
    description: "Created on first run. Keep it secret."

  # CI robot.
  - name: ci
    key: 'sk-ms-ci-SECRET-0123456789'
    rate_limit: 60          # per minute
    allowed_models: [glm-5, claude]
    expires_at: 2026-12-31T23:59:59+08:00
# end of file
`

// fileStore is a ConfigStore over a real file, doing what server.Edit does:
// read, edit the node tree, parse and validate, write, apply.
type fileStore struct {
	path string
	mu   sync.Mutex
	cur  *config.Config
}

func (s *fileStore) Current() *config.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

func (s *fileStore) Edit(change func(doc *config.Document) error) (*config.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text, err := os.ReadFile(s.path)
	if err != nil {
		return nil, err
	}
	doc, err := config.ParseDocument(text)
	if err != nil {
		return nil, err
	}
	if err := change(doc); err != nil {
		return nil, err
	}
	cfg, _, err := config.Parse(doc.Bytes(), s.path)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(s.path, doc.Bytes(), 0o600); err != nil {
		return nil, err
	}
	s.cur = cfg
	return cfg, nil
}

type fakeLive struct{}

func (fakeLive) Queue(provider string) (int, int) {
	if provider == "dashscope" {
		return 2, 1
	}
	return 0, 0
}

func (fakeLive) Breakers(provider string) []BreakerState {
	if provider == "staging" {
		return []BreakerState{{Model: "glm-5", State: "open"}}
	}
	return nil
}

type fakeToday map[string]int

func (f fakeToday) Today(id string) int { return f[id] }

type fakeProbe struct{}

func (fakeProbe) TestProvider(_ context.Context, name string) proxy.ProviderTest {
	return proxy.ProviderTest{Success: true, StatusCode: 200, Models: []string{name + "-model"}}
}

func (fakeProbe) TestModel(_ context.Context, name, testType string) (proxy.ChainTest, error) {
	return proxy.ChainTest{Success: true, Mode: "chain", TestType: testType, AdapterUsed: "dashscope",
		Chain: []proxy.ChainStep{{Adapter: "dashscope", ModelName: name, Status: proxy.StepSuccess}}}, nil
}

var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

type harness struct {
	t     *testing.T
	store *fileStore
	api   *ConfigAPI
	mux   *mux.Router
	key   *auth.Key // the caller
}

// newHarness writes text to a temp config.yaml and serves the API over it.
func newHarness(t *testing.T, text string) *harness {
	t.Helper()
	t.Setenv("TEST_OPENAI_API_KEY", envOpenAIKey)
	t.Setenv("TEST_ANTHROPIC_API_KEY", envAnthroKey)
	t.Setenv("TEST_MS_ADMIN_KEY", envAdminKey)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Load(path)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	st := &fileStore{path: path, cur: cfg}
	api := &ConfigAPI{Store: st, Live: fakeLive{}, Probe: fakeProbe{}, Today: fakeToday{}, Now: func() time.Time { return testNow }}
	r := mux.NewRouter()
	api.Register(r)
	admin := &auth.Key{ID: "key_admin", Name: "admin", Roles: []string{config.RoleAdmin}, Enabled: true}
	return &harness{t: t, store: st, api: api, mux: r, key: admin}
}

func (h *harness) file() string {
	h.t.Helper()
	b, err := os.ReadFile(h.store.path)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func (h *harness) do(method, target, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if h.key != nil {
		req = req.WithContext(auth.WithKey(req.Context(), h.key))
	}
	rec := httptest.NewRecorder()
	h.mux.ServeHTTP(rec, req)
	noSecrets(h.t, method+" "+target, rec.Body.String())
	return rec
}

// json decodes a response body.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %q: %v", rec.Body.String(), err)
	}
	return v
}

// noSecrets fails when a response contains any secret of the fixture.
func noSecrets(t *testing.T, what, body string) {
	t.Helper()
	for _, s := range fixtureSecrets {
		if strings.Contains(body, s) {
			t.Errorf("%s: the response contains the secret %q:\n%s", what, s, body)
		}
	}
}

// lostLines returns the lines of before that after lacks (as a multiset), except
// those containing one of the allowed substrings.
func lostLines(before, after string, allowed ...string) []string {
	have := map[string]int{}
	for _, l := range strings.Split(after, "\n") {
		have[l]++
	}
	var lost []string
next:
	for _, l := range strings.Split(before, "\n") {
		for _, a := range allowed {
			if strings.Contains(l, a) {
				continue next
			}
		}
		if have[l] == 0 {
			lost = append(lost, l)
			continue
		}
		have[l]--
	}
	return lost
}

// bodyOf marshals v for a request.
func bodyOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
