package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/server"
)

// Keys used by every test gateway.
const (
	adminKey   = "sk-test-admin-0001"
	userKey    = "sk-test-user-0002"
	limitedKey = "sk-test-limited-0003"
	upstreamOA = "sk-upstream-openai"
	upstreamAN = "sk-upstream-anthropic"
)

// recorded is one request an upstream received.
type recorded struct {
	Path   string
	Header http.Header
	Body   map[string]any
}

// fakeUpstream is an httptest server that records requests and answers with respond.
type fakeUpstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newUpstream(t *testing.T, respond func(w http.ResponseWriter, r *http.Request, body map[string]any)) *fakeUpstream {
	t.Helper()
	f := &fakeUpstream{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		respond(w, r, body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeUpstream) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeUpstream) last(t *testing.T) recorded {
	t.Helper()
	rs := f.requests()
	if len(rs) == 0 {
		t.Fatal("upstream received no request")
	}
	return rs[len(rs)-1]
}

// openAIResponder answers chat completions like an OpenAI-compatible server,
// streaming when asked, with a usage chunk when stream_options asks for it.
func openAIResponder(w http.ResponseWriter, r *http.Request, body map[string]any) {
	model, _ := body["model"].(string)
	if body["stream"] != true {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":%q,`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello world"},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`, model)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	chunk := func(delta, finish string) {
		fin := "null"
		if finish != "" {
			fin = `"` + finish + `"`
		}
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,"+
			"\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", model, delta, fin)
		w.(http.Flusher).Flush()
	}
	chunk(`{"role":"assistant","content":""}`, "")
	chunk(`{"content":"Hello"}`, "")
	chunk(`{"content":" world"}`, "")
	chunk(`{}`, "stop")
	if so, ok := body["stream_options"].(map[string]any); ok && so["include_usage"] == true {
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,"+
			"\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n", model)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// anthropicResponder answers /v1/messages like Anthropic.
func anthropicResponder(w http.ResponseWriter, r *http.Request, body map[string]any) {
	model, _ := body["model"].(string)
	if strings.HasSuffix(r.URL.Path, "/count_tokens") {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"input_tokens":42}`)
		return
	}
	if body["stream"] != true {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"msg_1","type":"message","role":"assistant","model":%q,`+
			`"content":[{"type":"text","text":"Hello world"}],"stop_reason":"end_turn","stop_sequence":null,`+
			`"usage":{"input_tokens":5,"output_tokens":2}}`, model)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	ev := func(name, data string) {
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data)
		w.(http.Flusher).Flush()
	}
	ev("message_start", fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":%q,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}`, model))
	ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
	ev("ping", `{"type":"ping"}`)
	ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`)
	ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" world"}}`)
	ev("content_block_stop", `{"type":"content_block_stop","index":0}`)
	ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}`)
	ev("message_stop", `{"type":"message_stop"}`)
}

// statusResponder always answers status with an OpenAI-shaped error body.
func statusResponder(status int) func(http.ResponseWriter, *http.Request, map[string]any) {
	return func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		if status == 429 {
			w.Header().Set("Retry-After", "7")
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"upstream says %d","type":"x"}}`, status)
	}
}

// gateway is a running test gateway.
type gateway struct {
	*httptest.Server
	srv *server.Server
}

// newGateway starts a gateway whose config is the test's YAML (providers and
// models) plus the standard keys.
func newGateway(t *testing.T, yamlBody string) *gateway {
	t.Helper()
	return newGatewayWithKeys(t, yamlBody, "")
}

// newGatewayWithKeys is newGateway with extra api_keys entries (YAML list items).
func newGatewayWithKeys(t *testing.T, yamlBody, extraKeys string) *gateway {
	t.Helper()
	text := yamlBody + `
api_keys:
  - {key: ` + adminKey + `, name: admin, roles: [admin]}
  - {key: ` + userKey + `, name: user}
  - {key: ` + limitedKey + `, name: limited, allowed_models: [glm-5], rate_limit: 2}
  - {key: sk-test-disabled-04, name: off, enabled: false}
  - {key: sk-test-expired-005, name: old, expires_at: "2020-01-01T00:00:00Z"}
` + extraKeys
	return serveGateway(t, text, nil)
}

// serveGateway starts a gateway on the config text; edit, when set, adjusts
// its Options first.
func serveGateway(t *testing.T, text string, edit func(*server.Options)) *gateway {
	t.Helper()
	cfg, _, err := config.Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatalf("config: %v\n%s", err, text)
	}
	opts := server.Options{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"}
	if edit != nil {
		edit(&opts)
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{Server: httptest.NewServer(srv.Handler()), srv: srv}
	t.Cleanup(func() {
		g.Close()
		srv.CloseIdle()
		http.DefaultClient.CloseIdleConnections() // the SDKs and g.do use it
	})
	return g
}

// do sends a raw request to the gateway.
func (g *gateway) do(t *testing.T, method, path, body string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, g.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// providerYAML returns one provider entry.
func providerYAML(name, protocol, baseURL, key string) string {
	return fmt.Sprintf("  - {name: %s, provider: %s, base_url: %q, api_key: %s, custom_headers: {X-Custom: yes-%s}}\n",
		name, protocol, baseURL, key, name)
}

func newRequest(t *testing.T, method, url, body string) (*http.Request, error) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req, nil
}

func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestMain fails the package when a test leaves a goroutine behind (a stuck
// stream, an unreleased timer, an upstream request that was never cancelled).
// lumberjack's cleanup goroutine, which its Close does not stop, is the one
// exception (gateway/logs/doc.go).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"))
}
