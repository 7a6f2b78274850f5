package proxy

// Tests the admin API runs on demand: a provider's connectivity (GET
// <api root>/models) and a model's whole chain (one small request per
// adapter). They use the snapshot in force — its upstream clients, with their
// credentials, custom headers and transports, and its queues — but never
// consult or update a breaker and never produce a usage row, a conversation
// record or a metric: a test says how the upstreams are, it is not traffic.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/convert"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/upstream"
)

const (
	providerTestTimeout = 10 * time.Second
	maxModelList        = 16 << 20 // bytes of a /models answer read
	maxTestAnswer       = 4 << 20  // bytes of a test completion read
	previewRunes        = 200
)

// Test types of TestModel.
const (
	TestSimple = "simple" // "Hi", max_tokens 20
	TestTool   = "tool"   // a get_weather tool the model should call
)

// ProviderTest is the result of a provider's connectivity test. Success means
// a 2xx answer; Error never contains the provider's credentials.
type ProviderTest struct {
	Success    bool     `json:"success"`
	StatusCode int      `json:"status_code"` // 0 when no HTTP answer arrived
	LatencyMS  int64    `json:"latency_ms"`
	Models     []string `json:"models"` // data[].id of the answer
	Error      string   `json:"error,omitempty"`
}

// Step statuses of a chain test.
const (
	StepSuccess = "success"
	StepFailed  = "failed"
	StepSkipped = "skipped" // provider missing or disabled: not tried
)

// TestUsage is the token count a test answer reported.
type TestUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// TestToolCall is a tool call of a test answer; Arguments is JSON text.
type TestToolCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// ChainStep is one adapter of a chain test.
type ChainStep struct {
	Adapter    string         `json:"adapter"`
	ModelName  string         `json:"model_name"`
	Priority   int            `json:"priority"`
	Status     string         `json:"status"`
	LatencyMS  int64          `json:"latency_ms"`
	Error      string         `json:"error,omitempty"`
	StatusCode int            `json:"status_code,omitempty"`
	Usage      *TestUsage     `json:"usage,omitempty"`
	Preview    string         `json:"preview,omitempty"` // the answer's first 200 characters
	ToolCalls  []TestToolCall `json:"tool_calls,omitempty"`
}

// ChainTest is the result of a model's chain test: every adapter in priority
// order, whatever the mode. Success means at least one adapter answered;
// AdapterUsed is the first that did (the one a request would get).
type ChainTest struct {
	Success     bool        `json:"success"`
	Mode        string      `json:"mode"`
	TestType    string      `json:"test_type"`
	AdapterUsed string      `json:"adapter_used"`
	LatencyMS   int64       `json:"latency_ms"`
	Chain       []ChainStep `json:"chain"`
}

// TestProvider asks the provider for its model list with its credentials and
// custom headers, within 10 s. Disabled providers are tested too: that is how
// one is checked before it is enabled.
func (h *Handler) TestProvider(ctx context.Context, name string) ProviderTest {
	snap := h.Snapshot()
	res := ProviderTest{Models: []string{}}
	p, client := snap.Config.FindProvider(name), snap.Upstreams[name]
	if p == nil || client == nil {
		res.Error = fmt.Sprintf("provider %q does not exist", name)
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, providerTestTimeout)
	defer cancel()
	start := time.Now()
	resp, err := client.Do(ctx, upstream.Request{Endpoint: upstream.Models, Method: http.MethodGet})
	if err != nil {
		res.LatencyMS = msSince(start)
		res.StatusCode, res.Error = describe(err, p, providerTestTimeout)
		return res
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxModelList))
	res.LatencyMS, res.StatusCode = msSince(start), resp.StatusCode
	if err != nil {
		_, res.Error = describe(fmt.Errorf("%s: reading the model list: %w", p.Name, err), p, providerTestTimeout)
		return res
	}
	res.Success = true
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &list) // an answer in another shape lists no models
	for _, m := range list.Data {
		if m.ID != "" {
			res.Models = append(res.Models, m.ID)
		}
	}
	return res
}

// TestModel sends one non-stream request to every adapter of the model, in
// priority order, in the OpenAI format (converted for Anthropic providers) and
// with the adapter's params applied, as real traffic would be. Each attempt
// waits for a slot of its provider's queue and is bounded by the adapter's
// timeout. The error is a *protocol.Error: 404 for an unknown model, 400 for
// an unknown test type.
func (h *Handler) TestModel(ctx context.Context, name, testType string) (ChainTest, error) {
	testType = cmp.Or(testType, TestSimple)
	if testType != TestSimple && testType != TestTool {
		return ChainTest{}, &protocol.Error{Status: http.StatusBadRequest, Message: `test_type must be "simple" or "tool"`,
			Fields: []protocol.FieldError{{Field: "test_type", Message: `must be "simple" or "tool"`}}}
	}
	snap := h.Snapshot()
	m := snap.Config.FindModel(name)
	if m == nil {
		return ChainTest{}, protocol.Errorf(http.StatusNotFound, fmt.Sprintf("model %q does not exist", name))
	}
	adapters := slices.Clone(m.Adapters)
	slices.SortStableFunc(adapters, func(a, b config.Adapter) int { return cmp.Compare(a.Priority, b.Priority) })
	out := ChainTest{Mode: m.Mode, TestType: testType, Chain: make([]ChainStep, 0, len(adapters))}
	start := time.Now()
	for _, a := range adapters {
		step := h.testAdapter(ctx, snap, a, testType)
		if step.Status == StepSuccess && !out.Success {
			out.Success, out.AdapterUsed = true, a.Adapter
		}
		out.Chain = append(out.Chain, step)
	}
	out.LatencyMS = msSince(start)
	return out, nil
}

func (h *Handler) testAdapter(ctx context.Context, snap *Snapshot, a config.Adapter, testType string) (step ChainStep) {
	step = ChainStep{Adapter: a.Adapter, ModelName: a.ModelName, Priority: a.Priority, Status: StepSkipped}
	p, client := snap.Config.FindProvider(a.Adapter), snap.Upstreams[a.Adapter]
	switch {
	case p == nil || client == nil:
		step.Error = fmt.Sprintf("provider %q does not exist", a.Adapter)
		return step
	case !p.IsEnabled():
		step.Error = fmt.Sprintf("provider %q is disabled", a.Adapter)
		return step
	}
	step.Status = StepFailed
	body, err := testBody(p, a, testType)
	if err != nil {
		step.Error = err.Error()
		return step
	}
	start := time.Now()
	defer func() { step.LatencyMS = msSince(start) }()
	limit := seconds(a.Timeout, 60*time.Second)
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if q := snap.Queues[p.Name]; q != nil {
		release, err := q.Acquire(ctx)
		if err != nil {
			_, step.Error = describe(err, p, limit)
			return step
		}
		defer release()
	}
	var hdr http.Header
	if client.Protocol() == config.ProtocolAnthropic {
		hdr = http.Header{"Anthropic-Version": {"2023-06-01"}}
	}
	resp, err := client.Do(ctx, upstream.Request{Endpoint: endpointFor(client.Protocol()), Body: body, Header: hdr})
	if err != nil {
		step.StatusCode, step.Error = describe(err, p, limit)
		return step
	}
	defer resp.Body.Close()
	step.StatusCode = resp.StatusCode
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxTestAnswer))
	if err != nil {
		_, step.Error = describe(fmt.Errorf("%s: reading the answer: %w", p.Name, err), p, limit)
		return step
	}
	if msg := answerProblem(p, resp.StatusCode, b); msg != "" {
		step.Error = msg
		return step
	}
	o := convert.ObserveResponse(client.Protocol(), b)
	if o.HasUsage {
		step.Usage = &TestUsage{InputTokens: o.Usage.Input, OutputTokens: o.Usage.Output}
	}
	step.Preview = firstRunes(cmp.Or(o.Text, o.Thinking), previewRunes)
	for _, c := range o.ToolCalls {
		step.ToolCalls = append(step.ToolCalls, TestToolCall{Name: c.Name, Arguments: c.Arguments})
	}
	step.Status = StepSuccess
	return step
}

type testMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// weatherTool is the tool of the "tool" test (seed-behaviour §3.7).
var weatherTool = []any{map[string]any{"type": "function", "function": map[string]any{
	"name": "get_weather", "description": "Get current weather for a city",
	"parameters": map[string]any{"type": "object", "required": []string{"city"},
		"properties": map[string]any{"city": map[string]any{"type": "string", "description": "City name"}}},
}}}

// testBody is the test request for one adapter, in its provider's protocol.
func testBody(p *config.Provider, a config.Adapter, testType string) ([]byte, error) {
	req := struct {
		Model      string        `json:"model"`
		Messages   []testMessage `json:"messages"`
		MaxTokens  int           `json:"max_tokens"`
		Stream     bool          `json:"stream"`
		Tools      []any         `json:"tools,omitempty"`
		ToolChoice string        `json:"tool_choice,omitempty"`
	}{Model: a.ModelName, Messages: []testMessage{{"user", "Hi"}}, MaxTokens: 20}
	if testType == TestTool {
		req.Messages[0].Content = "What's the weather in Beijing today?"
		req.MaxTokens, req.Tools, req.ToolChoice = 100, weatherTool, "auto"
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	opt := convert.Options{UpstreamModel: a.ModelName, Reasoning: p.Reasoning, DefaultMaxTokens: intParam(a.Params, "max_tokens")}
	switch p.Protocol() {
	case config.ProtocolAnthropic:
		body, err = convert.OpenAIToAnthropicRequest(body, opt)
	case config.ProtocolResponses:
		body, err = convert.ChatToResponsesRequest(body, opt)
	}
	if err != nil {
		return nil, fmt.Errorf("converting the test request for %s: %w", p.Name, err)
	}
	if len(a.Params) == 0 {
		return body, nil
	}
	obj, err := jsonbody.Scan(body)
	if err != nil {
		return nil, fmt.Errorf("test request is not valid JSON: %w", err)
	}
	edits, err := paramEdits(body, obj, a.Params, nil)
	if err != nil {
		return nil, err
	}
	return jsonbody.Patch(body, obj, edits...), nil
}

// answerProblem says why a 2xx answer is not a usable completion: not a JSON
// object, or an in-band error object.
func answerProblem(p *config.Provider, status int, b []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil || top == nil {
		return fmt.Sprintf("%s: the answer is not a JSON object: %s", p.Name, truncate(b, 200))
	}
	_, hasChoices := top["choices"]
	_, hasContent := top["content"]
	if e, ok := top["error"]; ok && string(e) != "null" && !hasChoices && !hasContent {
		return (&upstream.Error{Provider: p.Name, Status: status, Body: b}).Error()
	}
	return ""
}

// describe turns an attempt's error into a status code (0 without an HTTP
// answer) and a message. The provider's secrets are already masked: the
// upstream client redacts every answer it reads (upstream.Redactor).
func describe(err error, p *config.Provider, limit time.Duration) (int, string) {
	status := 0
	var ue *upstream.Error
	if errors.As(err, &ue) {
		status = ue.Status
	}
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		msg = fmt.Sprintf("%s: no answer within %s", p.Name, limit)
	}
	return status, msg
}

func firstRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func msSince(t time.Time) int64 { return time.Since(t).Milliseconds() }
