package convert

// Micro-benchmarks of the Responses converters' hot paths, beside the Chat ⇄
// Anthropic ones in bench_test.go: a ~1 KB request and a 41 KB Codex turn
// each way, a whole response each way, one text delta each way, and the
// observer on a whole response (what a pass-through exchange pays for its
// records).

import (
	"testing"

	"github.com/modelswitch/modelswitch/bench/bodies"
)

var benchResponsesResponse = []byte(`{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"m",` +
	`"output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"` +
	obsBenchText + `","annotations":[]}]},{"type":"function_call","id":"fc_1","call_id":"call_1","name":"Bash",` +
	`"arguments":"{\"command\":\"ls -la /tmp\"}","status":"completed"}],"usage":{"input_tokens":13272,"output_tokens":89,` +
	`"total_tokens":13361,"input_tokens_details":{"cached_tokens":12800},"output_tokens_details":{"reasoning_tokens":0}}}`)

func benchR2CRequest(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ResponsesToChatRequest(body, benchOpt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkR2CRequest1KB(b *testing.B) { benchR2CRequest(b, bodies.ResponsesSmall("m", true)) }

func BenchmarkR2CRequest41KB(b *testing.B) { benchR2CRequest(b, bodies.Codex("m", true)) }

func benchC2RRequest(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ChatToResponsesRequest(body, benchOpt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkC2RRequest1KB(b *testing.B) { benchC2RRequest(b, bodies.OpenAISmall("m", true)) }

// The 41 KB Codex turn as a Chat client would send it, made by the other
// converter.
func BenchmarkC2RRequest41KB(b *testing.B) {
	chat, err := ResponsesToChatRequest(bodies.Codex("m", true), benchOpt)
	if err != nil {
		b.Fatal(err)
	}
	benchC2RRequest(b, chat)
}

func BenchmarkC2RResponse(b *testing.B) {
	b.SetBytes(int64(len(benchOpenAIResponse)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := ChatToResponsesResponse(benchOpenAIResponse, RespMeta{ID: "resp_1", Model: "m"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkR2CResponse(b *testing.B) {
	b.SetBytes(int64(len(benchResponsesResponse)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ResponsesToChatResponse(benchResponsesResponse, "m"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkObserverResponsesWhole(b *testing.B) {
	b.SetBytes(int64(len(benchResponsesResponse)))
	b.ReportAllocs()
	for b.Loop() {
		if out := observeResponses(benchResponsesResponse); !out.HasUsage {
			b.Fatal("no usage observed")
		}
	}
}

// One text delta through each stream converter, after the stream's opening.
func BenchmarkC2RStreamText(b *testing.B) {
	s := NewResponsesStream(RespMeta{ID: "resp_1", Model: "m"})
	chunk := []byte(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hello"},"finish_reason":null}]}`)
	if _, err := s.Convert("", chunk); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Convert("", chunk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkR2CStreamText(b *testing.B) {
	s := NewChatStreamFromResponses("m", true)
	open := []byte(`{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}}`)
	delta := []byte(`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"hello"}`)
	if _, err := s.Convert("response.output_item.added", open); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Convert("response.output_text.delta", delta); err != nil {
			b.Fatal(err)
		}
	}
}

// The composed lanes (Responses ⇄ Anthropic through Chat, as the proxy runs
// them): what the second converter adds to the pair above is the price of
// composing instead of writing a Responses ⇄ Anthropic pair.
func benchR2ARequest(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	opt := Options{UpstreamModel: "claude-sonnet-4-5"}
	for b.Loop() {
		chat, err := ResponsesToChatRequest(body, Options{UpstreamModel: opt.UpstreamModel})
		if err == nil {
			_, err = OpenAIToAnthropicRequest(chat, opt)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkR2ARequest1KB(b *testing.B) { benchR2ARequest(b, bodies.ResponsesSmall("m", true)) }

func BenchmarkR2ARequest41KB(b *testing.B) { benchR2ARequest(b, bodies.Codex("m", true)) }

func benchA2RRequest(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		chat, _, err := AnthropicToOpenAIRequest(body, benchOpt)
		if err == nil {
			_, err = ChatToResponsesRequest(chat, benchOpt)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkA2RRequest1KB(b *testing.B) { benchA2RRequest(b, bodies.AnthropicSmall("claude", false)) }

func BenchmarkA2RRequest76KB(b *testing.B) { benchA2RRequest(b, bodies.ClaudeCode("claude", true)) }

// One Anthropic text delta through the chained stream of a Responses client.
func BenchmarkR2AStreamText(b *testing.B) {
	s := Chain(NewOpenAIStream("m", true), NewResponsesStream(RespMeta{ID: "resp_1", Model: "m"}))
	for _, ev := range [][2]string{
		{"message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}`},
		{"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`},
	} {
		if _, err := s.Convert(ev[0], []byte(ev[1])); err != nil {
			b.Fatal(err)
		}
	}
	delta := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hello"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Convert("content_block_delta", delta); err != nil {
			b.Fatal(err)
		}
	}
}

// The observer on a Responses stream's text delta, the event most of a
// stream is made of.
func BenchmarkObserverResponsesDelta(b *testing.B) {
	o := NewObserver("responses")
	delta := []byte(`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"hello"}`)
	b.ReportAllocs()
	for b.Loop() {
		o.Event("response.output_text.delta", delta)
	}
}
