package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
)

// threeWayGateway routes "resp-model" to a Responses upstream, "oa-model" to
// a Chat Completions one and "an-model" to an Anthropic one, all scripted for
// the same tool loop.
func threeWayGateway(t *testing.T) (g *gateway, up map[string]*fakeUpstream) {
	up = map[string]*fakeUpstream{
		"resp-model": newUpstream(t, scriptedResponses),
		"oa-model":   newUpstream(t, scriptedOpenAI),
		"an-model":   newUpstream(t, scriptedAnthropic),
	}
	g = newGateway(t, "providers:\n"+
		providerYAML("rs", "responses", up["resp-model"].URL+"/v1", upstreamOA)+
		providerYAML("oa", "openai", up["oa-model"].URL+"/v1", upstreamOA)+
		providerYAML("an", "anthropic", up["an-model"].URL, upstreamAN)+`
models:
  resp-model: {adapters: [{adapter: rs, model_name: gpt-upstream}]}
  oa-model: {adapters: [{adapter: oa, model_name: glm-upstream}]}
  an-model: {adapters: [{adapter: an, model_name: claude-upstream}]}
`)
	return g, up
}

var upstreamText = map[string]string{"resp-model": "Hello from Responses upstream", "oa-model": "Hello from OpenAI upstream",
	"an-model": "Hello from Anthropic upstream"}

// responsesTurn sends one Responses request, streaming or not, and returns the
// response. A stream is checked as the SDKs' stream helpers check it: the
// sequence numbers increase, every delta names the item that
// output_item.added announced at its output_index, the deltas add up to the
// final text and arguments, and response.completed comes last.
func responsesTurn(t *testing.T, c openai.Client, stream bool, p responses.ResponseNewParams) *responses.Response {
	t.Helper()
	if !stream {
		r, err := c.Responses.New(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	s := c.Responses.NewStreaming(context.Background(), p)
	var final *responses.Response
	seq := int64(-1)
	ids := map[int64]string{}
	texts, args := map[string]string{}, map[string]string{}
	var types []string
	for s.Next() {
		ev := s.Current()
		types = append(types, ev.Type)
		if final != nil {
			t.Fatalf("%s after the terminal event", ev.Type)
		}
		if ev.SequenceNumber <= seq {
			t.Fatalf("%s: sequence_number %d after %d", ev.Type, ev.SequenceNumber, seq)
		}
		seq = ev.SequenceNumber
		switch ev.Type {
		case "response.output_item.added":
			ids[ev.OutputIndex] = ev.Item.ID
		case "response.output_text.delta", "response.function_call_arguments.delta", "response.reasoning_summary_text.delta",
			"response.output_text.done", "response.function_call_arguments.done", "response.content_part.added":
			if ids[ev.OutputIndex] != ev.ItemID || ev.ItemID == "" {
				t.Fatalf("%s: item_id %q at output_index %d, announced %q", ev.Type, ev.ItemID, ev.OutputIndex, ids[ev.OutputIndex])
			}
			switch ev.Type {
			case "response.output_text.delta":
				texts[ev.ItemID] += ev.Delta
			case "response.function_call_arguments.delta":
				args[ev.ItemID] += ev.Delta
			case "response.output_text.done":
				if texts[ev.ItemID] != ev.Text {
					t.Fatalf("text deltas %q, done %q", texts[ev.ItemID], ev.Text)
				}
			}
		case "response.output_item.done":
			if ids[ev.OutputIndex] != ev.Item.ID {
				t.Fatalf("output_item.done at %d is %q, announced %q", ev.OutputIndex, ev.Item.ID, ids[ev.OutputIndex])
			}
		case "response.completed", "response.incomplete":
			r := ev.Response
			final = &r
		case "response.failed", "error":
			t.Fatalf("stream failed: %s", ev.RawJSON())
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if final == nil {
		t.Fatalf("no response.completed; events %v", types)
	}
	if types[0] != "response.created" || types[1] != "response.in_progress" {
		t.Fatalf("events start %v", types[:2])
	}
	for _, it := range final.Output {
		if it.Type == "function_call" && args[it.ID] != "" && args[it.ID] != it.Arguments.OfString {
			t.Fatalf("argument deltas %q, final %q", args[it.ID], it.Arguments.OfString)
		}
	}
	return final
}

func TestResponsesClientOnEveryUpstream(t *testing.T) {
	for _, model := range []string{"resp-model", "oa-model", "an-model"} {
		for _, stream := range []bool{false, true} {
			name := model + map[bool]string{false: "/whole", true: "/stream"}[stream]
			t.Run(name+"/text", func(t *testing.T) {
				g, up := threeWayGateway(t)
				r := responsesTurn(t, openAIClient(g, userKey), stream, responses.ResponseNewParams{
					Model: model, Instructions: openai.String("Be brief."),
					Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
				})
				if r.OutputText() != upstreamText[model] || r.Status != "completed" || !strings.HasPrefix(r.ID, "resp_") {
					t.Fatalf("response: id %q status %q text %q", r.ID, r.Status, r.OutputText())
				}
				if r.Usage.InputTokens != 20 || r.Usage.InputTokensDetails.CachedTokens != 5 || r.Usage.OutputTokens != 8 {
					t.Errorf("usage = %+v", r.Usage)
				}
				last := up[model].last(t)
				wantPath := map[string]string{"resp-model": "/v1/responses", "oa-model": "/v1/chat/completions", "an-model": "/v1/messages"}[model]
				if last.Path != wantPath {
					t.Errorf("upstream path %q, want %q", last.Path, wantPath)
				}
				if m := last.Body["model"]; m != map[string]string{"resp-model": "gpt-upstream", "oa-model": "glm-upstream", "an-model": "claude-upstream"}[model] {
					t.Errorf("upstream model %v", m)
				}
			})
			t.Run(name+"/tool-round-trip", func(t *testing.T) {
				g, up := threeWayGateway(t)
				c := openAIClient(g, userKey)
				tool := responses.ToolParamOfFunction("get_weather", map[string]any{"type": "object",
					"properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []string{"city"}}, false)
				input := responses.ResponseInputParam{responses.ResponseInputItemParamOfMessage("weather in Paris?", responses.EasyInputMessageRoleUser)}
				r := responsesTurn(t, c, stream, responses.ResponseNewParams{Model: model, Tools: []responses.ToolUnionParam{tool},
					Input: responses.ResponseNewParamsInputUnion{OfInputItemList: input}})
				var call responses.ResponseFunctionToolCall
				for _, it := range r.Output {
					if it.Type == "function_call" {
						call = it.AsFunctionCall()
					}
				}
				if call.Name != "get_weather" || call.Arguments != `{"city":"Paris"}` || call.CallID == "" || !strings.HasPrefix(call.ID, "fc") {
					t.Fatalf("function call = %+v (output %s)", call, r.RawJSON())
				}
				input = append(input, responses.ResponseInputItemParamOfFunctionCall(call.Arguments, call.CallID, call.Name))
				out := responses.ResponseInputItemParamOfFunctionCallOutput("sunny, 21 C")
				out.OfFunctionCallOutput.CallID = openai.String(call.CallID)
				input = append(input, out)
				r = responsesTurn(t, c, stream, responses.ResponseNewParams{Model: model, Tools: []responses.ToolUnionParam{tool},
					Input: responses.ResponseNewParamsInputUnion{OfInputItemList: input}})
				// The Chat and Anthropic mocks name the call they answer; the
				// Responses mock does not. Either way the call id round-trips.
				want := "Results: sunny, 21 C"
				if model != "resp-model" {
					want = "Results: " + call.CallID + "=sunny, 21 C"
				}
				if r.OutputText() != want {
					t.Fatalf("second turn: %q (%s)", r.OutputText(), r.RawJSON())
				}
				if n := len(up[model].requests()); n != 2 {
					t.Errorf("upstream got %d requests, want 2", n)
				}
			})
			t.Run(name+"/reasoning", func(t *testing.T) {
				g, _ := threeWayGateway(t)
				r := responsesTurn(t, openAIClient(g, userKey), stream, responses.ResponseNewParams{Model: model,
					Reasoning: shared.ReasoningParam{Effort: shared.ReasoningEffortMedium, Summary: shared.ReasoningSummaryAuto},
					Input:     responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}})
				if len(r.Output) < 2 || r.Output[0].Type != "reasoning" {
					t.Fatalf("output = %s", r.RawJSON())
				}
				rs := r.Output[0].AsReasoning()
				if len(rs.Summary) != 1 || rs.Summary[0].Text != "Let me think." {
					t.Fatalf("reasoning = %+v", rs)
				}
				if model == "resp-model" && rs.EncryptedContent != "enc-1" {
					t.Errorf("encrypted_content %q not passed through", rs.EncryptedContent)
				}
				if r.OutputText() != upstreamText[model] {
					t.Errorf("text %q", r.OutputText())
				}
			})
		}
	}
}
