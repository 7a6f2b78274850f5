package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
)

// responsesUpstreamGateway serves models on one scripted Responses upstream:
// "gpt" plainly, "late" failing after output, "args-done" sending function
// arguments only in .done, and "chain" whose first adapter fails before
// output and whose second is a Chat Completions upstream.
func responsesUpstreamGateway(t *testing.T) (*gateway, *fakeUpstream, *fakeUpstream) {
	rs := newUpstream(t, scriptedResponses)
	oa := newUpstream(t, scriptedOpenAI)
	g := newGateway(t, "providers:\n"+
		providerYAML("rs", "responses", rs.URL+"/v1", upstreamOA)+
		providerYAML("oa", "openai", oa.URL+"/v1", upstreamOA)+`
models:
  gpt: {adapters: [{adapter: rs, model_name: gpt-upstream}]}
  late: {adapters: [{adapter: rs, model_name: fail-late}]}
  args-done: {adapters: [{adapter: rs, model_name: args-in-done}]}
  chain: {adapters: [{adapter: rs, model_name: fail-early, priority: 1}, {adapter: oa, model_name: glm-upstream, priority: 2}]}
`)
	return g, rs, oa
}

func TestChatClientOnResponsesUpstream(t *testing.T) {
	for _, stream := range []bool{false, true} {
		for _, model := range []string{"gpt", "args-done"} {
			t.Run(map[bool]string{false: "whole/", true: "stream/"}[stream]+model, func(t *testing.T) {
				g, rs, _ := responsesUpstreamGateway(t)
				c := openAIClient(g, userKey)
				tools := []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
					Name: "get_weather", Parameters: openai.FunctionParameters{"type": "object",
						"properties": map[string]any{"city": map[string]any{"type": "string"}}}})}
				msgs := []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("weather in Paris?")}
				first := chatTurn(t, c, stream, openai.ChatCompletionNewParams{Model: model, Messages: msgs, Tools: tools})
				calls := first.Choices[0].Message.ToolCalls
				if len(calls) != 1 || calls[0].Function.Name != "get_weather" || calls[0].Function.Arguments != `{"city":"Paris"}` ||
					first.Choices[0].FinishReason != "tool_calls" {
					t.Fatalf("first turn = %s", first.RawJSON())
				}
				up := rs.last(t)
				if up.Path != "/v1/responses" || up.Body["instructions"] != "Be brief." || up.Body["store"] != false {
					t.Errorf("upstream got %s %v", up.Path, up.Body)
				}
				msgs = append(msgs, first.Choices[0].Message.ToParam(), openai.ToolMessage("sunny", calls[0].ID))
				second := chatTurn(t, c, stream, openai.ChatCompletionNewParams{Model: model, Messages: msgs, Tools: tools})
				if second.Choices[0].Message.Content != "Results: sunny" || second.Choices[0].FinishReason != "stop" {
					t.Fatalf("second turn = %s", second.RawJSON())
				}
				if stream && second.Usage.PromptTokens != 20 || !stream && (second.Usage.PromptTokens != 20 || second.Usage.PromptTokensDetails.CachedTokens != 5) {
					t.Errorf("usage = %+v", second.Usage)
				}
			})
		}
	}
}

// chatTurn sends one Chat Completions request and returns the answer, a
// stream accumulated by the SDK's own accumulator.
func chatTurn(t *testing.T, c openai.Client, stream bool, p openai.ChatCompletionNewParams) *openai.ChatCompletion {
	t.Helper()
	if !stream {
		r, err := c.Chat.Completions.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return r
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
	return &acc.ChatCompletion
}

func TestAnthropicClientOnResponsesUpstream(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "whole", true: "stream"}[stream], func(t *testing.T) {
			g, rs, _ := responsesUpstreamGateway(t)
			c := anthropicClient(g, userKey)
			p := anthropic.MessageNewParams{Model: "gpt", MaxTokens: 100, Tools: []anthropic.ToolUnionParam{weatherTool},
				Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("weather in Paris?"))}}
			first := anthropicTurn(t, c, stream, p)
			if first.StopReason != "tool_use" || len(first.Content) != 1 || first.Content[0].Name != "get_weather" ||
				string(first.Content[0].Input) != `{"city":"Paris"}` {
				t.Fatalf("first turn = %+v", first)
			}
			if up := rs.last(t); up.Path != "/v1/responses" || up.Body["model"] != "gpt-upstream" {
				t.Errorf("upstream got %s %v", up.Path, up.Body["model"])
			}
			p.Messages = append(p.Messages, first.ToParam(),
				anthropic.NewUserMessage(anthropic.NewToolResultBlock(first.Content[0].ID, "sunny", false)))
			second := anthropicTurn(t, c, stream, p)
			if second.StopReason != "end_turn" || len(second.Content) != 1 || second.Content[0].Text != "Results: sunny" {
				t.Fatalf("second turn = %+v", second)
			}
			if second.Usage.OutputTokens != 8 {
				t.Errorf("usage = %+v", second.Usage)
			}
		})
	}
}

func TestResponsesFailureBeforeOutputFallsOver(t *testing.T) {
	for _, stream := range []bool{false, true} {
		g, rs, oa := responsesUpstreamGateway(t)
		body := `{"model":"chain","input":"hi","stream":` + map[bool]string{false: "false", true: "true"}[stream] + `}`
		resp, b := g.do(t, "POST", "/v1/responses", body, "Authorization", "Bearer "+userKey)
		if resp.StatusCode != 200 || !strings.Contains(string(b), "Hello from OpenAI upstream") {
			t.Fatalf("stream=%v: %d %s", stream, resp.StatusCode, b)
		}
		if resp.Header.Get("X-Adapter-Name") != "oa" || len(oa.requests()) != 1 {
			t.Errorf("stream=%v: answered by %q", stream, resp.Header.Get("X-Adapter-Name"))
		}
		if stream && (len(rs.requests()) != 1 || strings.Contains(string(b), "response.failed")) {
			t.Errorf("the failed attempt leaked to the client: %s", b)
		}
	}
}

func TestResponsesFailureAfterOutputIsAFailure(t *testing.T) {
	g, _, _ := responsesUpstreamGateway(t)
	resp, b := g.do(t, "POST", "/v1/responses", `{"model":"late","input":"hi","stream":true}`, "Authorization", "Bearer "+userKey)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "event: response.failed") || strings.Contains(string(b), "response.completed") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	eventually(t, "the request is counted as failed", func() bool {
		_, m := g.do(t, "GET", "/metrics", "")
		return strings.Contains(string(m), `modelswitch_requests_total{model="late",protocol="responses",provider="rs",status="502"} 1`)
	})
}

func TestResponsesPassThroughIsBytes(t *testing.T) {
	g, rs, _ := responsesUpstreamGateway(t)
	body := `{"model":"gpt",  "input":[{"type":"message","id":"msg_x","role":"user","content":[{"type":"input_text","text":"hi"}]}],` +
		`"include":["reasoning.encrypted_content"],"store":false,"client_metadata":{"a":"b"},"stream":true}`
	resp, b := g.do(t, "POST", "/v1/responses", body, "Authorization", "Bearer "+userKey)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var up bytes.Buffer
	rec := rs.last(t)
	raw, _ := json.Marshal(rec.Body)
	up.Write(raw)
	want := map[string]any{}
	_ = json.Unmarshal([]byte(strings.Replace(body, `"gpt"`, `"gpt-upstream"`, 1)), &want)
	if got, _ := json.Marshal(want); !bytes.Equal(got, raw) {
		t.Errorf("upstream body %s, want %s", raw, got)
	}
	// The upstream's own stream, byte for byte: its ids, its sequence numbers.
	direct, err := http.Post(rs.URL+"/v1/responses", "application/json", strings.NewReader(strings.Replace(body, `"gpt"`, `"gpt-upstream"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	db, _ := io.ReadAll(direct.Body)
	direct.Body.Close()
	if !bytes.Equal(db, b) {
		t.Errorf("relayed stream differs from the upstream's:\n%s\nvs\n%s", b, db)
	}
}

func TestResponsesErrorsInTheirShape(t *testing.T) {
	g, _, _ := responsesUpstreamGateway(t)
	for _, c := range []struct {
		body   string
		status int
		msg    string
	}{
		{`{"model":"nope","input":"hi"}`, 404, `model \"nope\" does not exist`},
		{`{"model":"gpt","input":"hi"`, 400, "invalid request body"},
		{`{"input":"hi"}`, 400, `\"model\" is required`},
		{`{"model":"gpt","input":42}`, 400, `\"input\" is number`},
		{`{"model":"gpt","input":"hi","store":"yes"}`, 400, `\"store\"`},
	} {
		resp, b := g.do(t, "POST", "/v1/responses", c.body, "Authorization", "Bearer "+userKey)
		var e struct {
			Error struct{ Message, Type string } `json:"error"`
		}
		if resp.StatusCode != c.status || json.Unmarshal(b, &e) != nil || !strings.Contains(string(b), c.msg) || e.Error.Type == "" {
			t.Errorf("%s: %d %s", c.body, resp.StatusCode, b)
		}
	}
	resp, b := g.do(t, "POST", "/v1/responses", `{"model":"gpt","input":"hi"}`)
	if resp.StatusCode != 401 || !strings.Contains(string(b), `"type":"authentication_error"`) {
		t.Errorf("no key: %d %s", resp.StatusCode, b)
	}
	resp, b = g.do(t, "POST", "/openai/v1/responses", `{"model":"gpt","input":"hi"}`, "Authorization", "Bearer "+userKey)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Hello from Responses upstream") {
		t.Errorf("alias path: %d %s", resp.StatusCode, b)
	}
}
