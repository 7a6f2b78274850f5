package convert

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// obsStreamCases are the recorded streams with what an observer must find in
// them, as the upstream sent it (pass-through).
var obsStreamCases = []struct {
	protocol, file string
	want           Output
}{
	{"openai", "o2a_stream/azure_content_filter.sse", Output{Text: "I can", StopReason: "content_filter"}},
	{"openai", "o2a_stream/deepseek_reasoning_usage_on_finish.sse", Output{Text: "2 + 2 = **4**",
		Thinking: "The user asks 2+2. Answer is 4.", StopReason: "stop",
		Usage: Usage{Input: 108, Output: 22, CacheRead: 512, Reasoning: 14}, HasUsage: true}},
	{"openai", "o2a_stream/fail_before_content.sse", Output{}},
	{"openai", "o2a_stream/fail_non_json.sse", Output{Text: "Hello"}},
	{"openai", "o2a_stream/fail_truncated.sse", Output{Text: "Partial",
		ToolCalls: []ToolCall{{"call_t1", "Bash", `{"comm`}}}},
	{"openai", "o2a_stream/fail_upstream_error.sse", Output{Thinking: "hmm"}},
	{"openai", "o2a_stream/glm_thinking_then_long_tool_name.sse", Output{Thinking: "I should review the PR.",
		ToolCalls: []ToolCall{{"call_-8414872139823874", "mcp__github_enterprise_server__create_pull_request_revi_144287ae",
			`{"pr":42,"body":"LGTM \u2705"}`}},
		StopReason: "tool_calls", Usage: Usage{Input: 100, Output: 60, CacheRead: 2000}, HasUsage: true}},
	{"openai", "o2a_stream/ollama_stop_with_tools_same_index.sse", Output{ToolCalls: []ToolCall{
		{"call_u1x2kq7c", "get_weather", `{"city":"Tokyo"}`}, {"call_p9s8d7f6", "get_weather", `{"city":"Osaka"}`}},
		StopReason: "stop", Usage: Usage{Input: 180, Output: 48}, HasUsage: true}},
	{"openai", "o2a_stream/openai_empty_answer.sse", Output{StopReason: "stop", Usage: Usage{Input: 30}, HasUsage: true}},
	{"openai", "o2a_stream/openai_length.sse", Output{Text: "Once upon a", StopReason: "length",
		Usage: Usage{Input: 12, Output: 3}, HasUsage: true}},
	{"openai", "o2a_stream/openai_parallel_tools.sse", Output{ToolCalls: []ToolCall{
		{"call_a1B2c3D4e5F6g7H8", "get_weather", `{"location": "Paris"}`},
		{"call_Z9y8X7w6V5u4T3s2", "get_time", `{"tz": "Europe/Paris"}`}},
		StopReason: "tool_calls", Usage: Usage{Input: 150, Output: 40}, HasUsage: true}},
	{"openai", "o2a_stream/openai_text_then_tool.sse", Output{Text: "Let me check the file.",
		ToolCalls:  []ToolCall{{"call_DdmO9pD3xa9XTPNJ32zg2hcA", "Bash", `{"command":"ls -la"}`}},
		StopReason: "tool_calls", Usage: Usage{Input: 900, Output: 25}, HasUsage: true}},
	{"openai", "o2a_stream/openai_text_usage_trailing.sse", Output{Text: "Hello! How can I help you today?",
		StopReason: "stop", Usage: Usage{Input: 176, Output: 10, CacheRead: 1024}, HasUsage: true}},
	{"openai", "o2a_stream/openrouter_reasoning_and_content_one_chunk.sse", Output{Text: "Answer: yes",
		Thinking: "Thinking done.", StopReason: "stop", Usage: Usage{Input: 40, Output: 9, Reasoning: 5}, HasUsage: true}},
	{"openai", "o2a_stream/qwen_whitespace_tool_text.sse", Output{Text: "\n\n\nDone.",
		ToolCalls:  []ToolCall{{"chatcmpl-tool-aa11", "Write", `{"file_path": "a.txt", "content": "x\ny"}`}},
		StopReason: "tool_calls"}},
	{"openai", "o2a_stream/sglang_interleaved_tools.sse", Output{ToolCalls: []ToolCall{
		{"call_0f1e2d3c4b5a", "Glob", `{"pattern": "**/*.go"}`},
		{"call_9a8b7c6d5e4f", "Grep", `{"pattern": "TODO", "path": "src"}`}},
		StopReason: "tool_calls", Usage: Usage{Input: 904, Output: 44, CacheRead: 4096}, HasUsage: true}},
	{"openai", "o2a_stream/vllm_reasoning_no_usage.sse", Output{Text: "\n\nHi! 你好。",
		Thinking: "Okay, the user greets me.\n", StopReason: "stop"}},
	{"openai", "o2a_stream/vllm_stop_sequence.sse", Output{Text: "\n\n1, 2, 3", StopReason: "stop",
		Usage: Usage{Input: 25, Output: 5}, HasUsage: true}},
	{"openai", "o2a_stream/vllm_tool_first.sse", Output{
		ToolCalls:  []ToolCall{{"chatcmpl-tool-5e2a9d0c1b", "Read", `{"file_path": "/src/main.go", "limit": 200}`}},
		StopReason: "tool_calls", Usage: Usage{Input: 3000, Output: 30}, HasUsage: true}},

	{"anthropic", "a2o_stream/cache_usage.sse", Output{Text: "Cached answer.", StopReason: "stop_sequence",
		Usage: Usage{Input: 10, Output: 7, CacheRead: 5000, CacheWrite: 2000}, HasUsage: true}},
	{"anthropic", "a2o_stream/error_event.sse", Output{Text: "Partial ans", Usage: Usage{Input: 20, Output: 1}, HasUsage: true}},
	{"anthropic", "a2o_stream/max_tokens.sse", Output{Text: "Once upon a time, there was", StopReason: "max_tokens",
		Usage: Usage{Input: 9, Output: 8}, HasUsage: true}},
	{"anthropic", "a2o_stream/parallel_tools.sse", Output{ToolCalls: []ToolCall{
		{"toolu_01A", "get_weather", `{"city":"Paris"}`}, {"toolu_01B", "get_time", `{}`},
		{"toolu_01C", "get_weather", `{"city":"Tokyo"}`}},
		StopReason: "tool_use", Usage: Usage{Input: 610, Output: 120}, HasUsage: true}},
	{"anthropic", "a2o_stream/ping_signature.sse", Output{Text: "Done.", Thinking: "Thinking briefly.",
		StopReason: "end_turn", Usage: Usage{Input: 12, Output: 22}, HasUsage: true}},
	{"anthropic", "a2o_stream/text.sse", Output{Text: "Hello! How can I help you <today>?", StopReason: "end_turn",
		Usage: Usage{Input: 25, Output: 15}, HasUsage: true}},
	{"anthropic", "a2o_stream/text_tool_use.sse", Output{Text: "Okay, let me check the weather for San Francisco.",
		ToolCalls: []ToolCall{{"toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather",
			`{"location": "San Francisco, CA", "unit": "fahrenheit"}`}},
		StopReason: "tool_use", Usage: Usage{Input: 472, Output: 89}, HasUsage: true}},
	{"anthropic", "a2o_stream/thinking_text.sse", Output{Text: "2 + 2 = 4.", Thinking: "The user asks 2+2. That is 4.",
		StopReason: "end_turn", Usage: Usage{Input: 40, Output: 30}, HasUsage: true}},
	{"anthropic", "a2o_stream/truncated.sse", Output{Text: "Cut short", Usage: Usage{Input: 20, Output: 1}, HasUsage: true}},
}

// obsFeed observes events through one scratch buffer that is overwritten after
// each event, so an observer that kept data would show garbage. It checks
// FirstContent against the output after every event.
func obsFeed(t *testing.T, o *Observer, names []string, payloads [][]byte) Output {
	t.Helper()
	var scratch []byte
	for i, p := range payloads {
		scratch = append(scratch[:0], p...)
		o.Event(names[i], scratch)
		for j := range scratch {
			scratch[j] = 'X'
		}
		if out := o.Output(); o.FirstContent() != (out.Text != "" || out.Thinking != "" || len(out.ToolCalls) > 0) {
			t.Fatalf("event %d: FirstContent %v with output %+v", i, o.FirstContent(), out)
		}
	}
	return o.Output()
}

func obsRead(t *testing.T, file string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestObserverStreams(t *testing.T) {
	for _, tc := range obsStreamCases {
		t.Run(tc.file, func(t *testing.T) {
			names, payloads := o2aPayloads(t, obsRead(t, tc.file))
			if got := obsFeed(t, NewObserver(tc.protocol), names, payloads); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

// TestObserverConverted observes what a client receives from the converters:
// the same answer as the upstream's, in the other protocol.
func TestObserverConverted(t *testing.T) {
	for _, tc := range obsStreamCases {
		if tc.protocol != "anthropic" {
			continue
		}
		t.Run(tc.file, func(t *testing.T) {
			out, _ := ostreamRun(t, obsRead(t, tc.file), true)
			names, payloads := o2aPayloads(t, out)
			got := obsFeed(t, NewObserver("openai"), names, payloads)
			if got.Text != tc.want.Text || got.Thinking != tc.want.Thinking ||
				!reflect.DeepEqual(got.ToolCalls, tc.want.ToolCalls) ||
				tc.want.StopReason != "" && got.Usage.Output != tc.want.Usage.Output { // a failed stream has no usage chunk
				t.Errorf("converted to OpenAI: got %#v\nupstream %#v", got, tc.want)
			}
		})
	}
	for _, tc := range obsStreamCases {
		if tc.protocol != "openai" || strings.Contains(tc.file, "fail_") {
			continue
		}
		t.Run(tc.file, func(t *testing.T) {
			names, payloads := o2aPayloads(t, obsRead(t, tc.file))
			evs := o2aFeed(NewAnthropicStream("claude", nil, 1000), names, payloads)
			names, payloads = nil, nil
			for _, ev := range evs {
				names, payloads = append(names, ev.Name), append(payloads, ev.Data)
			}
			got := obsFeed(t, NewObserver("anthropic"), names, payloads)
			if strings.TrimSpace(got.Text) != strings.TrimSpace(tc.want.Text) || got.Thinking != tc.want.Thinking ||
				!reflect.DeepEqual(got.ToolCalls, tc.want.ToolCalls) || !got.HasUsage || got.StopReason == "" {
				t.Errorf("converted to Anthropic: got %#v\nupstream %#v", got, tc.want)
			}
		})
	}
}

func TestObserverAnthropicUsageSplit(t *testing.T) {
	o := NewObserver("anthropic")
	o.Event("message_start", []byte(`{"type":"message_start","message":{"id":"m","usage":{"input_tokens":100,`+
		`"cache_read_input_tokens":50,"cache_creation_input_tokens":20,"output_tokens":1}}}`))
	if o.FirstContent() {
		t.Fatal("FirstContent before any content")
	}
	o.Event("", []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{"a":1}}}`))
	o.Event("content_block_stop", []byte(`{"type":"content_block_stop","index":0}`))
	// No type field: the event name says what it is.
	o.Event("message_delta", []byte(`{"delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":42}}`))
	want := Output{ToolCalls: []ToolCall{{"t1", "f", `{"a":1}`}}, StopReason: "tool_use",
		Usage: Usage{Input: 100, Output: 42, CacheRead: 50, CacheWrite: 20}, HasUsage: true}
	if got := o.Output(); !reflect.DeepEqual(got, want) || !o.FirstContent() {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestObserveResponse(t *testing.T) {
	u := Usage{Input: 120, Output: 30}
	for _, tc := range []struct {
		protocol, file string
		want           Output
	}{
		{"openai", "o2a_response/content_parts_and_refusal.in.json", Output{
			Text: "part onepart twocannot do part threetop-level refusal", StopReason: "stop", Usage: u, HasUsage: true}},
		{"openai", "o2a_response/empty_content.in.json", Output{StopReason: "stop", Usage: u, HasUsage: true}},
		{"openai", "o2a_response/invalid_arguments_wrapped.in.json", Output{ToolCalls: []ToolCall{
			{"c1", "Bash", `{"command": "ls`}, {"c2", "Bash", ""}, {"c3", "Bash", `{"command":"pwd"}`},
			{"c4", "Bash", "[1,2]"}, {"c5", "Bash", ` { "a" : 1 } `}}, StopReason: "tool_calls", Usage: u, HasUsage: true}},
		{"openai", "o2a_response/length_with_tool_calls.in.json", Output{Text: "Writing the file",
			ToolCalls:  []ToolCall{{"c1", "Write", `{"file_path":"/tmp/x","content":"abc`}},
			StopReason: "length", Usage: u, HasUsage: true}},
		{"openai", "o2a_response/missing_usage.in.json", Output{Text: "no usage here", StopReason: "stop"}},
		{"openai", "o2a_response/p11_whitespace_content_keeps_reasoning.in.json", Output{Text: "\n\n",
			Thinking: "deep thought", StopReason: "stop", Usage: u, HasUsage: true}},
		{"openai", "o2a_response/pitfall18_reasoning_content_to_thinking.in.json", Output{Text: "Let me check.",
			Thinking: "The user wants the date.", ToolCalls: []ToolCall{{"call_00_abc", "Bash", `{"command":"date"}`}},
			StopReason: "tool_calls", Usage: Usage{Input: 120, Output: 30, Reasoning: 12}, HasUsage: true}},
		{"openai", "o2a_response/pitfall30_usage_cached.in.json", Output{Text: "cached answer", StopReason: "stop",
			Usage: Usage{Input: 200, Output: 50, CacheRead: 800}, HasUsage: true}},
		{"openai", "o2a_response/pitfall30_usage_deepseek.in.json", Output{Text: "cached answer", StopReason: "stop",
			Usage: Usage{Input: 400, Output: 50, CacheRead: 600}, HasUsage: true}},
		{"openai", "o2a_response/pitfall34_tool_ids_kept_stop_forced.in.json", Output{Text: "Running both.",
			ToolCalls:  []ToolCall{{"functions.Bash:0", "Bash", `{"command":"a"}`}, {"call_0_8f3c2a", "Bash", `{"command":"b"}`}},
			StopReason: "stop", Usage: u, HasUsage: true}},
		{"openai", "o2a_response/pitfall9_null_finish_reason.in.json", Output{Text: "partial", Usage: u, HasUsage: true}},
		{"openai", "o2a_response/reasoning_field_openrouter.in.json", Output{Text: "Answer.",
			Thinking: "thinking via the reasoning field", StopReason: "stop", Usage: u, HasUsage: true}},
		{"openai", "o2a_response/text_only.in.json", Output{Text: `Hello <world> & "friends"`, StopReason: "stop",
			Usage: u, HasUsage: true}},

		{"anthropic", "a2o_response/cache_usage.in.json", Output{Text: "Cached.", StopReason: "stop_sequence",
			Usage: Usage{Input: 10, Output: 3, CacheRead: 5000, CacheWrite: 2000}, HasUsage: true}},
		{"anthropic", "a2o_response/refusal.in.json", Output{StopReason: "refusal", Usage: Usage{Input: 9}, HasUsage: true}},
		{"anthropic", "a2o_response/text.in.json", Output{Text: "Hello <world> & friends.", StopReason: "end_turn",
			Usage: Usage{Input: 12, Output: 6}, HasUsage: true}},
		{"anthropic", "a2o_response/thinking.in.json", Output{Text: "4", Thinking: "2+2 is 4.", StopReason: "end_turn",
			Usage: Usage{Input: 30, Output: 40}, HasUsage: true}},
		{"anthropic", "a2o_response/tool_use.in.json", Output{Text: "Checking both.", ToolCalls: []ToolCall{
			{"toolu_01A", "get_weather", `{"city":"Paris","unit":"celsius"}`}, {"toolu_01B", "get_time", "{}"}},
			StopReason: "tool_use", Usage: Usage{Input: 472, Output: 89}, HasUsage: true}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if got := ObserveResponse(tc.protocol, obsRead(t, tc.file)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func FuzzObserver(f *testing.F) {
	for _, tc := range obsStreamCases {
		if raw, err := os.ReadFile(filepath.Join("testdata", tc.file)); err == nil {
			f.Add(tc.protocol == "anthropic", raw)
		}
	}
	f.Fuzz(func(t *testing.T, anthropic bool, in []byte) {
		// Each line is "name<TAB>data" or "data: ..." / "event: ..." SSE-ish lines.
		protocol := map[bool]string{false: "openai", true: "anthropic"}[anthropic]
		o := NewObserver(protocol)
		for _, line := range bytes.Split(in, []byte("\n")) {
			name, data, _ := bytes.Cut(line, []byte("\t"))
			o2aCheckDecode(t, bytes.TrimSpace(bytes.TrimPrefix(data, []byte("data: ")))) // fast path as encoding/json
			obsCheckDecode(t, bytes.TrimSpace(bytes.TrimPrefix(data, []byte("data: "))))
			o.Event(string(name), bytes.TrimPrefix(data, []byte("data: ")))
			o.Event("", bytes.TrimPrefix(line, []byte("data: ")))
		}
		_ = o.Output()
		_ = ObserveResponse(protocol, in)
	})
}

func benchObserver(b *testing.B, protocol string, event string, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	o, n := NewObserver(protocol), 0
	for b.Loop() {
		if n++; n == 1000 { // a stream of 1000 events, so the text stays a realistic size
			o, n = NewObserver(protocol), 0
		}
		o.Event(event, data)
	}
	if !o.FirstContent() {
		b.Fatal("no content observed")
	}
}

const obsBenchText = "The quick brown fox jumps over the lazy dog; " +
	"the five boxing wizards jump quickly. Pack my box with five dozen liquor jugs. " +
	"Sphinx of black quartz, judge my vow. How vexingly quick daft zebras jump! Waltz, nymph, for quick jigs vex Bud."

func BenchmarkObserverOpenAIText(b *testing.B) {
	data := []byte(`{"id":"chatcmpl-BxQ8plain01","object":"chat.completion.chunk","created":1760000000,` +
		`"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"` + obsBenchText[:90] + `"},` +
		`"logprobs":null,"finish_reason":null}],"usage":null}`)
	benchObserver(b, "openai", "", data)
}

func BenchmarkObserverAnthropicText(b *testing.B) {
	data := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"` +
		obsBenchText[:220] + `"}}`)
	benchObserver(b, "anthropic", "content_block_delta", data)
}
