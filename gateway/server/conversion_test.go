package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// crossGateway routes "oa-model" to an OpenAI-style upstream and "an-model" to
// an Anthropic-style one, both scripted for a tool loop.
func crossGateway(t *testing.T) (*gateway, *fakeUpstream, *fakeUpstream) {
	oa := newUpstream(t, scriptedOpenAI)
	an := newUpstream(t, scriptedAnthropic)
	g := newGateway(t, "providers:\n"+
		providerYAML("oa", "openai", oa.URL+"/v1", upstreamOA)+
		providerYAML("an", "anthropic", an.URL, upstreamAN)+`
models:
  oa-model: {adapters: [{adapter: oa, model_name: glm-upstream}]}
  an-model: {adapters: [{adapter: an, model_name: claude-upstream}]}
`)
	return g, oa, an
}

var weatherTool = anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{
	Name:        "get_weather",
	Description: anthropic.String("Weather for a city"),
	InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}, Required: []string{"city"}},
}}

// anthropicTurn sends one request, streaming or not, and returns the message.
func anthropicTurn(t *testing.T, c anthropic.Client, stream bool, p anthropic.MessageNewParams) anthropic.Message {
	t.Helper()
	if !stream {
		msg, err := c.Messages.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return *msg
	}
	s := c.Messages.NewStreaming(context.Background(), p)
	var msg anthropic.Message
	for s.Next() {
		if err := msg.Accumulate(s.Current()); err != nil {
			t.Fatalf("the SDK's accumulator refused our stream: %v", err)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestAnthropicClientOnOpenAIUpstream(t *testing.T) {
	for _, stream := range []bool{false, true} {
		name := map[bool]string{false: "non-stream", true: "stream"}[stream]
		t.Run(name+"/text", func(t *testing.T) {
			g, oa, _ := crossGateway(t)
			msg := anthropicTurn(t, anthropicClient(g, userKey), stream, anthropic.MessageNewParams{
				Model: "oa-model", MaxTokens: 100, System: []anthropic.TextBlockParam{{Text: "Be brief."}},
				Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
			})
			if len(msg.Content) != 1 || msg.Content[0].Text != "Hello from OpenAI upstream" || msg.StopReason != "end_turn" {
				t.Fatalf("message = %+v", msg)
			}
			if !strings.HasPrefix(msg.ID, "msg_") {
				t.Errorf("id = %q", msg.ID)
			}
			if msg.Usage.OutputTokens != 8 || (!stream && (msg.Usage.InputTokens != 15 || msg.Usage.CacheReadInputTokens != 5)) {
				t.Errorf("usage = %+v", msg.Usage)
			}
			up := oa.last(t)
			if up.Path != "/v1/chat/completions" || up.Body["model"] != "glm-upstream" || up.Header.Get("Authorization") != "Bearer "+upstreamOA {
				t.Errorf("upstream got %s %v %v", up.Path, up.Body["model"], up.Header)
			}
			if up.Header.Get("Anthropic-Version") != "" {
				t.Errorf("anthropic headers leaked to an OpenAI upstream")
			}
			msgs := up.Body["messages"].([]any)
			if first := msgs[0].(map[string]any); first["role"] != "system" || first["content"] != "Be brief." {
				t.Errorf("system not converted: %v", msgs)
			}
		})
		t.Run(name+"/tool loop with two parallel tools", func(t *testing.T) {
			g, oa, _ := crossGateway(t)
			c := anthropicClient(g, userKey)
			params := anthropic.MessageNewParams{
				Model: "oa-model", MaxTokens: 100, Tools: []anthropic.ToolUnionParam{weatherTool},
				Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("weather in both cities?"))},
			}
			first := anthropicTurn(t, c, stream, params)
			var uses []anthropic.ToolUseBlock
			for _, b := range first.Content {
				if b.Type == "tool_use" {
					uses = append(uses, b.AsToolUse())
				}
			}
			if len(uses) != 2 || uses[0].ID != "call_A1" || uses[1].ID != "call_B2" || first.StopReason != "tool_use" ||
				string(uses[0].Input) != `{"city":"Paris"}` || string(uses[1].Input) != `{"city":"Tokyo"}` {
				t.Fatalf("tool uses = %+v, stop %q", uses, first.StopReason)
			}
			params.Messages = append(params.Messages, first.ToParam(), anthropic.NewUserMessage(
				anthropic.NewToolResultBlock("call_A1", "sunny", false),
				anthropic.NewToolResultBlock("call_B2", "rainy", false),
				anthropic.NewTextBlock("thanks")))
			second := anthropicTurn(t, c, stream, params)
			if len(second.Content) != 1 || second.Content[0].Text != "Results: call_A1=sunny; call_B2=rainy" {
				t.Fatalf("second turn = %+v", second.Content)
			}
			msgs := oa.last(t).Body["messages"].([]any)
			roles := []string{}
			for _, m := range msgs {
				roles = append(roles, m.(map[string]any)["role"].(string))
			}
			if strings.Join(roles, ",") != "user,assistant,tool,tool,user" {
				t.Errorf("upstream roles = %v (tool results must follow the assistant's calls, text after them)", roles)
			}
		})
		t.Run(name+"/thinking", func(t *testing.T) {
			g, oa, _ := crossGateway(t)
			msg := anthropicTurn(t, anthropicClient(g, userKey), stream, anthropic.MessageNewParams{
				Model: "oa-model", MaxTokens: 8000, Thinking: anthropic.ThinkingConfigParamOfEnabled(2048),
				Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
			})
			if len(msg.Content) != 2 || msg.Content[0].Type != "thinking" || msg.Content[0].Thinking != "Let me think." ||
				msg.Content[1].Text != "Hello from OpenAI upstream" {
				t.Fatalf("content = %+v", msg.Content)
			}
			if oa.last(t).Body["reasoning_effort"] == nil {
				t.Errorf("thinking not mapped to a reasoning parameter: %v", oa.last(t).Body)
			}
		})
	}
}

// openAITurn sends one request, streaming or not, and returns the assistant message.
func openAITurn(t *testing.T, c openai.Client, stream bool, p openai.ChatCompletionNewParams) (openai.ChatCompletionMessage, string, openai.CompletionUsage) {
	t.Helper()
	if !stream {
		resp, err := c.Chat.Completions.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Choices[0].Message, string(resp.Choices[0].FinishReason), resp.Usage
	}
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	s := c.Chat.Completions.NewStreaming(context.Background(), p)
	var acc openai.ChatCompletionAccumulator
	for s.Next() {
		if !acc.AddChunk(s.Current()) {
			t.Fatalf("the SDK's accumulator refused chunk %s", s.Current().RawJSON())
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acc.Choices) == 0 {
		t.Fatal("no choices accumulated")
	}
	return acc.Choices[0].Message, string(acc.Choices[0].FinishReason), acc.Usage
}

var openAIWeatherTool = openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
	Name:       "get_weather",
	Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
})

func TestOpenAIClientOnAnthropicUpstream(t *testing.T) {
	for _, stream := range []bool{false, true} {
		name := map[bool]string{false: "non-stream", true: "stream"}[stream]
		t.Run(name+"/text", func(t *testing.T) {
			g, _, an := crossGateway(t)
			msg, finish, usage := openAITurn(t, openAIClient(g, userKey), stream, openai.ChatCompletionNewParams{
				Model:    "an-model",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("hi")},
			})
			if msg.Content != "Hello from Anthropic upstream" || finish != "stop" {
				t.Fatalf("message = %+v, finish %q", msg, finish)
			}
			if usage.CompletionTokens != 8 || usage.PromptTokens != 20 || usage.PromptTokensDetails.CachedTokens != 5 {
				t.Errorf("usage = %+v", usage)
			}
			up := an.last(t)
			if up.Path != "/v1/messages" || up.Body["model"] != "claude-upstream" || up.Body["system"] == nil ||
				up.Body["max_tokens"] == nil || up.Header.Get("X-Api-Key") != upstreamAN {
				t.Errorf("upstream got %s %v %v", up.Path, up.Body, up.Header)
			}
		})
		t.Run(name+"/tool loop with two parallel tools", func(t *testing.T) {
			g, _, an := crossGateway(t)
			c := openAIClient(g, userKey)
			params := openai.ChatCompletionNewParams{
				Model:    "an-model",
				Tools:    []openai.ChatCompletionToolUnionParam{openAIWeatherTool},
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather in both cities?")},
			}
			first, finish, _ := openAITurn(t, c, stream, params)
			tc := first.ToolCalls
			if finish != "tool_calls" || len(tc) != 2 || tc[0].ID != "toolu_A1" || tc[1].ID != "toolu_B2" ||
				tc[0].Function.Arguments != `{"city":"Paris"}` || tc[1].Function.Name != "get_weather" {
				t.Fatalf("tool calls = %+v, finish %q", tc, finish)
			}
			params.Messages = append(params.Messages, first.ToParam(),
				openai.ToolMessage("sunny", "toolu_A1"), openai.ToolMessage("rainy", "toolu_B2"))
			second, _, _ := openAITurn(t, c, stream, params)
			if second.Content != "Results: toolu_A1=sunny; toolu_B2=rainy" {
				t.Fatalf("second turn = %+v", second)
			}
			msgs := an.last(t).Body["messages"].([]any)
			if len(msgs) != 3 || msgs[2].(map[string]any)["role"] != "user" {
				t.Errorf("upstream messages = %v (both tool results belong in one user message)", msgs)
			}
		})
		t.Run(name+"/reasoning", func(t *testing.T) {
			g, _, an := crossGateway(t)
			msg, _, _ := openAITurn(t, openAIClient(g, userKey), stream, openai.ChatCompletionNewParams{
				Model: "an-model", ReasoningEffort: shared.ReasoningEffortMedium,
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
			})
			if msg.Content != "Hello from Anthropic upstream" {
				t.Fatalf("message = %+v", msg)
			}
			if th, _ := an.last(t).Body["thinking"].(map[string]any); th["type"] != "enabled" {
				t.Errorf("reasoning_effort not mapped to thinking: %v", an.last(t).Body)
			}
			if !strings.Contains(msg.RawJSON(), "Let me think.") && !stream {
				t.Errorf("thinking not returned as reasoning_content: %s", msg.RawJSON())
			}
		})
	}
}

func TestConversionRefusalIsA400(t *testing.T) {
	g, an, _ := crossGateway(t)
	_ = an
	resp, b := g.do(t, "POST", "/v1/chat/completions", `{"model":"an-model","n":2,"messages":[{"role":"user","content":"hi"}]}`, "X-Api-Key", userKey)
	if shape, _, msg := errorShape(t, b); resp.StatusCode != 400 || shape != "openai" || !strings.Contains(msg, "n > 1") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	resp, b = g.do(t, "POST", "/v1/messages", `{"model":"oa-model","max_tokens":5,"messages":[{"role":"user","content":[{"type":"mystery"}]}]}`, "X-Api-Key", userKey)
	if shape, _, msg := errorShape(t, b); resp.StatusCode != 400 || shape != "anthropic" || !strings.Contains(msg, "mystery") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}
