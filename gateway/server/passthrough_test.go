package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicopt "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// passGateway is a gateway with one OpenAI and one Anthropic upstream.
func passGateway(t *testing.T) (*gateway, *fakeUpstream, *fakeUpstream) {
	oa := newUpstream(t, openAIResponder)
	an := newUpstream(t, anthropicResponder)
	g := newGateway(t, "providers:\n"+
		providerYAML("oa", "openai", oa.URL+"/v1", upstreamOA)+
		providerYAML("an", "anthropic", an.URL, upstreamAN)+`
models:
  glm-5:
    adapters: [{adapter: oa, model_name: glm-5.1-upstream}]
  claude-x:
    adapters: [{adapter: an, model_name: claude-upstream, params: {max_tokens: 64}}]
`)
	return g, oa, an
}

func openAIClient(g *gateway, key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(g.URL+"/v1/"), option.WithAPIKey(key), option.WithMaxRetries(0))
}

func anthropicClient(g *gateway, key string) anthropic.Client {
	return anthropic.NewClient(anthropicopt.WithBaseURL(g.URL), anthropicopt.WithAPIKey(key), anthropicopt.WithMaxRetries(0))
}

func TestOpenAISDKNonStream(t *testing.T) {
	g, oa, _ := passGateway(t)
	c := openAIClient(g, userKey)
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "glm-5",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	}, option.WithJSONSet("vendor_extra", map[string]any{"enable_search": true}), option.WithHeader("X-Request-ID", "my-trace-1"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; got != "Hello world" {
		t.Errorf("content = %q", got)
	}
	if resp.Usage.TotalTokens != 7 {
		t.Errorf("usage = %+v", resp.Usage)
	}
	up := oa.last(t)
	if up.Path != "/v1/chat/completions" {
		t.Errorf("upstream path = %q", up.Path)
	}
	if up.Body["model"] != "glm-5.1-upstream" {
		t.Errorf("upstream model = %v, want the adapter's model_name", up.Body["model"])
	}
	if extra, _ := up.Body["vendor_extra"].(map[string]any); extra["enable_search"] != true {
		t.Errorf("unknown field not forwarded: %v", up.Body)
	}
	if got := up.Header.Get("Authorization"); got != "Bearer "+upstreamOA {
		t.Errorf("upstream Authorization = %q, want the provider's key", got)
	}
	if strings.Contains(strings.Join(headerValues(up.Header), " "), userKey) {
		t.Errorf("the client's key reached the upstream: %v", up.Header)
	}
	if got := up.Header.Get("X-Custom"); got != "yes-oa" {
		t.Errorf("custom header = %q", got)
	}
	if got := up.Header.Get("X-Request-ID"); got != "my-trace-1" {
		t.Errorf("request id forwarded = %q", got)
	}
}

func headerValues(h map[string][]string) []string {
	var out []string
	for _, vs := range h {
		out = append(out, vs...)
	}
	return out
}

func TestOpenAISDKStream(t *testing.T) {
	g, oa, _ := passGateway(t)
	c := openAIClient(g, userKey)
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:    "GLM-5", // different case resolves to glm-5
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	var text strings.Builder
	chunks := 0
	for stream.Next() {
		ch := stream.Current()
		chunks++
		if len(ch.Choices) == 0 {
			t.Errorf("client received a usage-only chunk it did not ask for: %s", ch.RawJSON())
			continue
		}
		text.WriteString(ch.Choices[0].Delta.Content)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if text.String() != "Hello world" || chunks != 4 {
		t.Errorf("streamed %q in %d chunks", text.String(), chunks)
	}
	so, _ := oa.last(t).Body["stream_options"].(map[string]any)
	if so["include_usage"] != true {
		t.Errorf("gateway did not ask the upstream for usage: %v", oa.last(t).Body)
	}
}

func TestOpenAISDKStreamWithClientUsage(t *testing.T) {
	g, _, _ := passGateway(t)
	c := openAIClient(g, userKey)
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:         "glm-5",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if acc.Usage.TotalTokens != 7 {
		t.Errorf("client asked for usage and got %+v", acc.Usage)
	}
}

func TestOpenAIToolCallPassesThrough(t *testing.T) {
	oa := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,`+
			`"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function",`+
			`"function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],`+
			`"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	})
	g := newGateway(t, "providers:\n"+providerYAML("oa", "openai", oa.URL+"/v1", upstreamOA)+
		"models:\n  glm-5: {adapters: [{adapter: oa, model_name: up}]}\n")
	c := openAIClient(g, userKey)
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "glm-5",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather?")},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:       "get_weather",
			Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
		})},
	})
	if err != nil {
		t.Fatal(err)
	}
	tc := resp.Choices[0].Message.ToolCalls
	if len(tc) != 1 || tc[0].ID != "call_9" || tc[0].Function.Name != "get_weather" || tc[0].Function.Arguments != `{"city":"Paris"}` {
		t.Errorf("tool calls = %+v", tc)
	}
	tools, _ := oa.last(t).Body["tools"].([]any)
	if len(tools) != 1 {
		t.Errorf("tools not forwarded: %v", oa.last(t).Body)
	}
}

func TestAnthropicSDKNonStream(t *testing.T) {
	g, _, an := passGateway(t)
	c := anthropicClient(g, userKey)
	msg, err := c.Messages.New(context.Background(), anthropic.MessageNewParams{
		Model:     "claude-x",
		MaxTokens: 1000,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	}, anthropicopt.WithHeader("anthropic-beta", "interleaved-thinking-2025-05-14"))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Content) != 1 || msg.Content[0].Text != "Hello world" {
		t.Errorf("content = %+v", msg.Content)
	}
	up := an.last(t)
	if up.Path != "/v1/messages" {
		t.Errorf("upstream path = %q", up.Path)
	}
	if up.Body["model"] != "claude-upstream" {
		t.Errorf("upstream model = %v", up.Body["model"])
	}
	if up.Body["max_tokens"] != float64(64) {
		t.Errorf("adapter params not applied: max_tokens = %v", up.Body["max_tokens"])
	}
	if got := up.Header.Get("X-Api-Key"); got != upstreamAN {
		t.Errorf("upstream x-api-key = %q", got)
	}
	if up.Header.Get("Authorization") != "" {
		t.Errorf("client Authorization forwarded: %q", up.Header.Get("Authorization"))
	}
	if up.Header.Get("Anthropic-Version") == "" || up.Header.Get("Anthropic-Beta") != "interleaved-thinking-2025-05-14" {
		t.Errorf("anthropic headers not forwarded: %v", up.Header)
	}
}

func TestAnthropicSDKStream(t *testing.T) {
	g, _, _ := passGateway(t)
	c := anthropicClient(g, userKey)
	stream := c.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{
		Model:     "claude-x",
		MaxTokens: 1000,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	})
	var msg anthropic.Message
	for stream.Next() {
		if err := msg.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(msg.Content) != 1 || msg.Content[0].Text != "Hello world" || msg.StopReason != "end_turn" {
		t.Errorf("message = %+v", msg)
	}
}

// TestStreamRelayedEventByEvent checks the raw SSE: every upstream event, ping
// included, arrives as its own event, and the query string is ignored.
func TestStreamRelayedEventByEvent(t *testing.T) {
	g, _, _ := passGateway(t)
	req, _ := http.NewRequest("POST", g.URL+"/v1/messages?beta=true", strings.NewReader(
		`{"model":"claude-x","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+userKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var names []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			names = append(names, name)
		}
	}
	want := "message_start content_block_start ping content_block_delta content_block_delta content_block_stop message_delta message_stop"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("events = %s\nwant     %s", got, want)
	}
}

func TestCountTokens(t *testing.T) {
	g, _, an := passGateway(t)
	c := anthropicClient(g, userKey)
	res, err := c.Messages.CountTokens(context.Background(), anthropic.MessageCountTokensParams{
		Model:    "claude-x",
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.InputTokens != 42 || an.last(t).Path != "/v1/messages/count_tokens" {
		t.Errorf("forwarded count = %d via %s", res.InputTokens, an.last(t).Path)
	}
	// A model on an OpenAI upstream gets a local estimate.
	resp, body := g.do(t, "POST", "/v1/messages/count_tokens", `{"model":"glm-5","messages":[{"role":"user","content":"hello there"}]}`, "x-api-key", userKey)
	if resp.StatusCode != 200 || resp.Header.Get("X-ModelSwitch-Estimated") != "true" || !strings.Contains(string(body), `"input_tokens":`) {
		t.Errorf("estimate: %d %s %s", resp.StatusCode, resp.Header, body)
	}
}

func TestModelsList(t *testing.T) {
	g, _, _ := passGateway(t)
	oc := openAIClient(g, userKey)
	page, err := oc.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "glm-5,claude-x" {
		t.Errorf("openai models = %v", ids)
	}
	ac := anthropicClient(g, limitedKey)
	ap, err := ac.Models.List(context.Background(), anthropic.ModelListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ap.Data) != 1 || ap.Data[0].ID != "glm-5" {
		t.Errorf("anthropic models for a key limited to glm-5 = %+v", ap.Data)
	}
}
