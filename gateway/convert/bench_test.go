package convert

// Micro-benchmarks of every converter's hot path (issue 7, performance-notes
// §4): requests at ~1 KB and at the ~76 KB Claude Code size, a whole
// response each way, and one stream event each way. Run pinned with
// GOMAXPROCS=1 and compare runs with benchstat.

import (
	"testing"

	"github.com/modelswitch/modelswitch/bench/bodies"
)

// benchOpt is what the proxy passes for an OpenAI-style upstream.
var benchOpt = Options{UpstreamModel: "gpt-5", IncludeUsage: true}

func benchA2ORequest(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := AnthropicToOpenAIRequest(body, benchOpt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkA2ORequest1KB(b *testing.B) { benchA2ORequest(b, bodies.AnthropicSmall("claude", false)) }

func BenchmarkA2ORequest76KB(b *testing.B) { benchA2ORequest(b, bodies.ClaudeCode("claude", true)) }

// benchOpenAIClaudeCode is the 76 KB Claude Code turn as an OpenAI client
// sends it (system message + 24 function tools), made by the other converter.
func benchOpenAIClaudeCode(b *testing.B) []byte {
	out, _, err := AnthropicToOpenAIRequest(bodies.ClaudeCode("claude", true), benchOpt)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func benchO2ARequest(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	opt := Options{UpstreamModel: "claude-sonnet-4-5"}
	for b.Loop() {
		if _, err := OpenAIToAnthropicRequest(body, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkO2ARequest1KB(b *testing.B) { benchO2ARequest(b, bodies.OpenAISmall("gpt", false)) }

func BenchmarkO2ARequest76KB(b *testing.B) { benchO2ARequest(b, benchOpenAIClaudeCode(b)) }

// Responses of about 1 KB: text and a tool call, with usage.
var (
	benchAnthropicResponse = []byte(`{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant",` +
		`"model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"` + obsBenchText + ` ` + obsBenchText + `"},` +
		`{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"Bash","input":{"command":"ls -la /tmp","description":"List the files in /tmp"}}],` +
		`"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":12800,"output_tokens":89}}`)
	benchOpenAIResponse = []byte(`{"id":"chatcmpl-BxQ8plain01","object":"chat.completion","created":1760000000,"model":"gpt-4o-2024-08-06",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"` + obsBenchText + ` ` + obsBenchText + `","refusal":null,` +
		`"tool_calls":[{"id":"call_abc123","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"ls -la /tmp\",\"description\":\"List the files in /tmp\"}"}}]},` +
		`"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":13272,"completion_tokens":89,"total_tokens":13361,` +
		`"prompt_tokens_details":{"cached_tokens":12800,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_f9f4fb6dbf"}`)
)

func BenchmarkA2OResponse(b *testing.B) {
	b.SetBytes(int64(len(benchAnthropicResponse)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := AnthropicToOpenAIResponse(benchAnthropicResponse, "gpt"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkO2AResponse(b *testing.B) {
	b.SetBytes(int64(len(benchOpenAIResponse)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := OpenAIToAnthropicResponse(benchOpenAIResponse, nil, "claude"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkA2OStreamText converts one Anthropic text delta event into an
// OpenAI chunk (the OpenAIStream converter, mid-stream).
func BenchmarkA2OStreamText(b *testing.B) {
	conv := NewOpenAIStream("gpt", true)
	start := []byte(`{"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","content":[],` +
		`"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":1}}}`)
	for _, ev := range [][]byte{start, []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)} {
		if _, err := conv.Convert("", ev); err != nil {
			b.Fatal(err)
		}
	}
	data := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"` + obsBenchText[:90] + `"}}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if evs, err := conv.Convert("content_block_delta", data); err != nil || len(evs) != 1 {
			b.Fatal(err)
		}
	}
}

// BenchmarkA2OStreamTool converts one input_json_delta of a tool call.
func BenchmarkA2OStreamTool(b *testing.B) {
	conv := NewOpenAIStream("gpt", true)
	for _, ev := range [][]byte{
		[]byte(`{"type":"message_start","message":{"id":"msg_01","model":"claude-sonnet-4-5","usage":{"input_tokens":472,"output_tokens":1}}}`),
		[]byte(`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"Bash","input":{}}}`),
	} {
		if _, err := conv.Convert("", ev); err != nil {
			b.Fatal(err)
		}
	}
	data := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"command\": \"ls -la /tm"}}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if evs, err := conv.Convert("content_block_delta", data); err != nil || len(evs) != 1 {
			b.Fatal(err)
		}
	}
}

// BenchmarkO2AStreamTool converts one OpenAI tool-call argument chunk into
// an Anthropic input_json_delta (BenchmarkAnthropicStreamText does text).
func BenchmarkO2AStreamTool(b *testing.B) {
	conv := NewAnthropicStream("claude-sonnet-4-5", nil, 1000)
	first := []byte(`{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_abc123","type":"function","function":{"name":"Bash","arguments":""}}]}}]}`)
	if _, err := conv.Convert("", first); err != nil {
		b.Fatal(err)
	}
	chunk := []byte(`{"id":"chatcmpl-BxQ8plain01","object":"chat.completion.chunk","created":1760000000,"model":"gpt-4o-2024-08-06",` +
		`"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"command\": \"ls -la /tm"}}]},` +
		`"logprobs":null,"finish_reason":null}],"usage":null}`)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if evs, err := conv.Convert("", chunk); err != nil || len(evs) != 1 {
			b.Fatal(err)
		}
	}
}
