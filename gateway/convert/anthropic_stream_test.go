package convert

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/modelswitch/modelswitch/gateway/sse"
)

var o2aUpdate = flag.Bool("updateO2AStream", false, "rewrite testdata/o2a_stream/*.want.sse")

const o2aLongTool = "mcp__github_enterprise_server__create_pull_request_review_comment_with_suggestions"

// o2aWant is the message the official SDK accumulator must end with; stop is
// its stop_reason (":sequence" appended when set) or "error" after Fail.
type o2aWant struct {
	thinking, text string
	tools          []string // "name input"
	stop           string
	usage          Usage
}

var o2aCases = map[string]o2aWant{
	"openai_text_usage_trailing": {text: "Hello! How can I help you today?", stop: "end_turn",
		usage: Usage{Input: 176, Output: 10, CacheRead: 1024}},
	"deepseek_reasoning_usage_on_finish": {thinking: "The user asks 2+2. Answer is 4.", text: "2 + 2 = **4**", stop: "end_turn",
		usage: Usage{Input: 108, Output: 22, CacheRead: 512, Reasoning: 14}},
	"vllm_reasoning_no_usage": {thinking: "Okay, the user greets me.\n", text: "\n\nHi! 你好。", stop: "end_turn",
		usage: Usage{Input: 1000, Output: 11, Estimated: true}},
	"openrouter_reasoning_and_content_one_chunk": {thinking: "Thinking done.", text: "Answer: yes", stop: "end_turn",
		usage: Usage{Input: 40, Output: 9, Reasoning: 5}},
	"vllm_tool_first": {tools: []string{`Read {"file_path": "/src/main.go", "limit": 200}`}, stop: "tool_use",
		usage: Usage{Input: 3000, Output: 30}},
	"openai_text_then_tool": {text: "Let me check the file.", tools: []string{`Bash {"command":"ls -la"}`}, stop: "tool_use",
		usage: Usage{Input: 900, Output: 25}},
	"openai_parallel_tools": {tools: []string{`get_weather {"location": "Paris"}`, `get_time {"tz": "Europe/Paris"}`},
		stop: "tool_use", usage: Usage{Input: 150, Output: 40}},
	"sglang_interleaved_tools": {tools: []string{`Glob {"pattern": "**/*.go"}`, `Grep {"pattern": "TODO", "path": "src"}`},
		stop: "tool_use", usage: Usage{Input: 904, Output: 44, CacheRead: 4096}},
	"ollama_stop_with_tools_same_index": {tools: []string{`get_weather {"city":"Tokyo"}`, `get_weather {"city":"Osaka"}`},
		stop: "tool_use", usage: Usage{Input: 180, Output: 48}},
	"openai_length":        {text: "Once upon a", stop: "max_tokens", usage: Usage{Input: 12, Output: 3}},
	"azure_content_filter": {text: "I can", stop: "refusal", usage: Usage{Input: 1000, Output: 2, Estimated: true}},
	"openai_empty_answer":  {stop: "end_turn", usage: Usage{Input: 30}},
	"glm_thinking_then_long_tool_name": {thinking: "I should review the PR.",
		tools: []string{o2aLongTool + ` {"pr":42,"body":"LGTM \u2705"}`}, stop: "tool_use",
		usage: Usage{Input: 100, Output: 60, CacheRead: 2000}},
	"vllm_stop_sequence": {text: "\n\n1, 2, 3", stop: "stop_sequence:4", usage: Usage{Input: 25, Output: 5}},
	"qwen_whitespace_tool_text": {text: "\nDone.", tools: []string{`Write {"file_path": "a.txt", "content": "x\ny"}`},
		stop: "tool_use", usage: Usage{Input: 1000, Output: 13, Estimated: true}},
	"fail_truncated": {text: "Partial", tools: []string{"Bash {}"}, stop: "error",
		usage: Usage{Input: 1000, Output: 4, Estimated: true}},
	"fail_non_json":       {text: "Hello", stop: "error", usage: Usage{Input: 1000, Output: 2, Estimated: true}},
	"fail_upstream_error": {thinking: "hmm", stop: "error", usage: Usage{Input: 1000, Output: 1, Estimated: true}},
	"fail_before_content": {stop: "error", usage: Usage{Input: 1000, Estimated: true}},
}

// o2aFeed converts payloads like the proxy does: Fail on a Convert error or at
// the end without [DONE].
func o2aFeed(conv *AnthropicStream, names []string, payloads [][]byte) []Event {
	var evs []Event
	for i, p := range payloads {
		out, err := conv.Convert(names[i], p)
		evs = append(evs, out...)
		if err != nil {
			return append(evs, conv.Fail(err.Error())...)
		}
	}
	if !conv.Done() {
		evs = append(evs, conv.Fail("upstream closed the stream before [DONE]")...)
	}
	return evs
}

func o2aPayloads(t testing.TB, raw []byte) (names []string, payloads [][]byte) {
	r := sse.NewReader(bytes.NewReader(raw), 0)
	for {
		e, err := r.Next()
		if err == io.EOF {
			return names, payloads
		} else if err != nil {
			t.Fatal(err)
		}
		if !e.Comment {
			names, payloads = append(names, e.Name), append(payloads, bytes.Clone(e.Data))
		}
	}
}

func o2aRender(evs []Event) []byte {
	var b bytes.Buffer
	for _, e := range evs {
		fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", e.Name, e.Data)
	}
	return b.Bytes()
}

// o2aCheck asserts the Anthropic stream invariants (pitfalls 1–7, 10).
func o2aCheck(t testing.TB, evs []Event) {
	t.Helper()
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	open, next, starts, blockType := -1, 0, 0, ""
	ids := map[string]bool{}
	fail := func(i int, msg string) {
		t.Helper()
		t.Fatalf("event %d (%s %s): %s\n%s", i, evs[i].Name, evs[i].Data, msg, o2aRender(evs))
	}
	for i, e := range evs {
		var v struct {
			Type         string
			Index        *int
			ContentBlock struct{ Type, ID, Name string } `json:"content_block"`
			Delta        struct{ Type string }
		}
		if err := json.Unmarshal(e.Data, &v); err != nil || v.Type != e.Name {
			fail(i, fmt.Sprintf("bad JSON or type mismatch: %v", err))
		}
		last := i == len(evs)-1
		if e.Name == "message_start" && starts > 0 || starts == 0 && e.Name != "message_start" && e.Name != "error" {
			fail(i, "message_start must come first, once")
		}
		switch e.Name {
		case "message_start":
			starts++
		case "ping":
		case "content_block_start":
			if open >= 0 || v.Index == nil || *v.Index != next {
				fail(i, fmt.Sprintf("start while %d open or not at index %d", open, next))
			}
			open, next, blockType = next, next+1, v.ContentBlock.Type
			if blockType == "tool_use" && (v.ContentBlock.ID == "" || v.ContentBlock.Name == "" || ids[v.ContentBlock.ID]) {
				fail(i, "tool_use without name or with empty or repeated id")
			}
			ids[v.ContentBlock.ID] = true
		case "content_block_delta":
			want := map[string]string{"text": "text_delta", "thinking": "thinking_delta", "tool_use": "input_json_delta"}[blockType]
			if v.Index == nil || *v.Index != open || v.Delta.Type != want {
				fail(i, fmt.Sprintf("delta not for the open %s block %d", blockType, open))
			}
		case "content_block_stop":
			if v.Index == nil || *v.Index != open {
				fail(i, fmt.Sprintf("stop for a block that is not open (%d)", open))
			}
			open = -1
		case "message_delta":
			if open >= 0 || i != len(evs)-2 || evs[i+1].Name != "message_stop" {
				fail(i, "message_delta must close the stream, followed by message_stop")
			}
		case "message_stop", "error":
			if !last || open >= 0 {
				fail(i, "terminal event not last or block left open")
			}
		default:
			fail(i, "unknown event")
		}
	}
	if n := evs[len(evs)-1].Name; n != "message_stop" && n != "error" {
		t.Fatalf("stream ends with %s", n)
	}
}

// o2aAccumulate replays evs through the official SDK accumulator.
func o2aAccumulate(t testing.TB, evs []Event) o2aWant {
	t.Helper()
	var m anthropic.Message
	for _, e := range evs {
		if e.Name == "ping" || e.Name == "error" {
			continue
		}
		var u anthropic.MessageStreamEventUnion
		if err := json.Unmarshal(e.Data, &u); err != nil {
			t.Fatalf("SDK cannot decode %s: %v", e.Data, err)
		}
		if err := m.Accumulate(u); err != nil {
			t.Fatalf("SDK Accumulate(%s): %v", e.Data, err)
		}
	}
	var got o2aWant
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			got.text += b.Text
		case "thinking":
			got.thinking += b.Thinking
		case "tool_use":
			got.tools = append(got.tools, b.Name+" "+string(b.Input))
		}
	}
	got.stop = string(m.StopReason)
	if m.StopSequence != "" {
		got.stop += ":" + m.StopSequence
	}
	if evs[len(evs)-1].Name == "error" {
		got.stop = "error"
	} else {
		u := m.Usage
		got.usage = Usage{Input: int(u.InputTokens), Output: int(u.OutputTokens), CacheRead: int(u.CacheReadInputTokens),
			CacheWrite: int(u.CacheCreationInputTokens)}
	}
	return got
}

func TestAnthropicStreamTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/o2a_stream/*.sse")
	seen := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sse")
		if strings.HasSuffix(name, ".want") {
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			want, ok := o2aCases[name]
			if !ok {
				t.Fatal("no expectation in o2aCases")
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var toolNames ToolNames
			toolNames.Upstream(o2aLongTool) // the transcript uses the shortened name
			conv := NewAnthropicStream("claude-sonnet-4-5", &toolNames, 1000)
			names, payloads := o2aPayloads(t, raw)
			evs := o2aFeed(conv, names, payloads)
			o2aCheck(t, evs)
			got := o2aAccumulate(t, evs)
			if u := conv.Usage(); u != want.usage {
				t.Errorf("Usage() = %+v, want %+v", u, want.usage)
			}
			if w := (Usage{Input: want.usage.Input, Output: want.usage.Output, CacheRead: want.usage.CacheRead}); got.stop != "error" && got.usage != w {
				t.Errorf("message usage %+v, want %+v", got.usage, w)
			}
			got.usage = want.usage
			if !reflect.DeepEqual(got, want) {
				t.Errorf("accumulated\n got %#v\nwant %#v", got, want)
			}
			golden := strings.TrimSuffix(f, ".sse") + ".want.sse"
			out := o2aRender(evs)
			if *o2aUpdate {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if wantOut, err := os.ReadFile(golden); err != nil || !bytes.Equal(out, wantOut) {
				t.Errorf("output differs from %s (run with -updateO2AStream): %v\n%s", golden, err, out)
			}
		})
	}
	if seen < len(o2aCases) {
		t.Errorf("%d transcripts for %d cases", seen, len(o2aCases))
	}
}

// o2aChunks wraps delta objects in chunks; `{"finish":R}` becomes a finish
// chunk, "error:X" an `event: error`; anything else (e.g. " {…}") is sent as is.
func o2aChunks(deltas ...string) (names []string, payloads [][]byte) {
	for _, d := range deltas {
		name, p := "", d
		if strings.HasPrefix(d, `{"finish":`) {
			p = `{"id":"chatcmpl-x","choices":[{"index":0,"delta":{},"finish_reason":` + d[10:] + `]}`
		} else if strings.HasPrefix(d, "{") {
			p = `{"id":"chatcmpl-x","model":"m","choices":[{"index":0,"delta":` + d + `}]}`
		} else if x, ok := strings.CutPrefix(d, "error:"); ok {
			name, p = "error", x
		}
		names, payloads = append(names, name), append(payloads, []byte(p))
	}
	return names, payloads
}

func TestAnthropicStreamEdgeCases(t *testing.T) {
	defer func(f func(int) string) { o2aRandomHex = f }(o2aRandomHex)
	o2aRandomHex = func(n int) string { return strings.Repeat("0", 2*n) }
	const gen = `"id":"toolu_000000000000000000000000"`
	for _, c := range []struct {
		name, contains string
		deltas         []string
		want           o2aWant
	}{
		{"no id, no name ever", gen, []string{`{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}`, "[DONE]"},
			o2aWant{tools: []string{"unknown_tool {}"}, stop: "tool_use"}},
		{"id after name", `"id":"call_late"`, []string{`{"tool_calls":[{"index":0,"function":{"name":"g"}}]}`,
			`{"tool_calls":[{"index":0,"id":"call_late","function":{"arguments":"{}"}}]}`, "[DONE]"},
			o2aWant{tools: []string{"g {}"}, stop: "tool_use"}},
		{"name only, then finish", gen, []string{`{"tool_calls":[{"index":0,"function":{"name":"g"}}]}`, `{"finish":"tool_calls"}`, "[DONE]"},
			o2aWant{tools: []string{"g {}"}, stop: "tool_use"}},
		{"text closes an incomplete live tool", "", []string{
			`{"tool_calls":[{"index":0,"id":"a","function":{"name":"A","arguments":"{\"x\":"}}]}`,
			`{"tool_calls":[{"index":1,"id":"b","function":{"name":"B","arguments":"{}"}}]}`,
			`{"content":"text while A is open"}`, `{"tool_calls":[{"index":2,"id":"c","function":{"name":"C","arguments":"[1]"}}]}`, "[DONE]"},
			o2aWant{text: "text while A is open", tools: []string{"A {}", "B {}", "C [1]"}, stop: "tool_use"}},
		{"late fragment for a closed tool", "after its block was closed", []string{
			`{"tool_calls":[{"index":0,"id":"a","function":{"name":"A","arguments":"{"}}]}`,
			`{"content":"x"}`, `{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}`, "[DONE]"},
			o2aWant{text: "x", tools: []string{"A {}"}, stop: "error"}},
		{"blank reasoning then text", "", []string{`{"reasoning_content":"\n"}`, `{"content":"hi"}`, "[DONE]"},
			o2aWant{text: "hi", stop: "end_turn"}},
		{"upstream error event", "boom", []string{`{"content":"hi"}`, `error:{"error":{"message":"boom"}}`},
			o2aWant{text: "hi", stop: "error"}},
		{"error string", `upstream error: \"bad\"`, []string{`{"content":"hi"}`, ` {"error":"bad"}`}, o2aWant{text: "hi", stop: "error"}},
		{"not an object", "", []string{`{"content":"hi"}`, `["x"]`}, o2aWant{text: "hi", stop: "error"}},
		{"trailing data", "", []string{`{"content":"hi"}`, ` {"choices":[]} x`}, o2aWant{text: "hi", stop: "error"}},
		{"finish_reason error", "", []string{`{"content":"hi"}`, `{"finish":"error"}`}, o2aWant{text: "hi", stop: "error"}},
		{"wrong field type tolerated", `"model":"m"`, []string{`{"content":"hi","refusal":{"x":1}}`, `[DONE]`},
			o2aWant{text: "hi", stop: "end_turn"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			names, payloads := o2aChunks(c.deltas...)
			evs := o2aFeed(NewAnthropicStream("client-model", nil, 7), names, payloads)
			o2aCheck(t, evs)
			got := o2aAccumulate(t, evs)
			got.usage = Usage{}
			if out := o2aRender(evs); !reflect.DeepEqual(got, c.want) || !bytes.Contains(out, []byte(c.contains)) {
				t.Errorf("got %#v\nwant %#v, containing %s\n%s", got, c.want, c.contains, out)
			}
		})
	}
}

func TestAnthropicStreamLifecycle(t *testing.T) {
	conv := NewAnthropicStream("client-model", nil, 42)
	for _, p := range []string{`{"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`,
		`{"choices":[{"index":0,"delta":{"content":"  "}}]}`, ``, `{"choices":[],"usage":null}`} {
		if evs, err := conv.Convert("", []byte(p)); evs != nil || err != nil || conv.Started() {
			t.Fatalf("%s: events %s, err %v before content", p, o2aRender(evs), err)
		}
	}
	evs, err := conv.Convert("", []byte(`{"choices":[{"index":0,"delta":{"content":"Hi"}}]}`))
	if err != nil || !conv.Started() || len(evs) != 4 || evs[0].Name != "message_start" || evs[1].Name != "ping" ||
		!bytes.Contains(evs[0].Data, []byte(`"model":"client-model"`)) || !bytes.Contains(evs[0].Data, []byte(`"input_tokens":42`)) ||
		!bytes.Contains(evs[3].Data, []byte(`"text":"  Hi"`)) {
		t.Fatalf("first content: %v\n%s", err, o2aRender(evs))
	}
	if evs, _ = conv.Convert("", []byte("[DONE]")); !conv.Done() || len(evs) != 3 {
		t.Fatalf("done: %s", o2aRender(evs))
	}
	if evs, err := conv.Convert("", []byte(`{"choices":[{"index":0,"delta":{"content":"late"}}]}`)); evs != nil || err != nil {
		t.Fatal("events after Done")
	}
	if evs := conv.Fail("late"); evs != nil {
		t.Fatal("Fail after Done")
	}
	if evs := NewAnthropicStream("m", nil, 0).Fail("x \"quoted\"\n"); len(evs) != 1 ||
		string(evs[0].Data) != `{"type":"error","error":{"type":"api_error","message":"x \"quoted\"\n"}}` {
		t.Fatalf("Fail before start: %s", o2aRender(evs))
	}
}

// o2aSynth turns a fuzz piece starting with '#' into a chunk; it also returns
// the tool argument bytes the chunk carries.
func o2aSynth(p []byte) ([]byte, string) {
	if len(p) == 0 || p[0] != '#' {
		return p, ""
	}
	p = append(bytes.Clone(p[1:]), 0, 0, 0)
	op, idx, fl := p[0]%8, p[1]%3, p[2]
	texts := []string{"a", " ", "", "\n", "é\u2028\"", "\x00"}
	txt, _ := json.Marshal(texts[int(fl)%len(texts)])
	args := []string{`{"a":`, `1}`, ``, ` `, `{}`, `"x"`, `[`, `]`}[int(fl>>3)%8]
	tool := fmt.Sprintf(`{"index":%d,"function":{"arguments":%q}}`, idx, args)
	if fl&1 != 0 {
		tool = fmt.Sprintf(`{"index":%d,"id":"call_%d_%d","function":{"name":"t%d","arguments":%q}}`, idx, idx, fl>>6, idx, args)
	}
	switch op {
	case 0:
		return fmt.Appendf(nil, `{"choices":[{"index":0,"delta":{"content":%s}}]}`, txt), ""
	case 1:
		return fmt.Appendf(nil, `{"choices":[{"index":0,"delta":{"reasoning_content":%s}}]}`, txt), ""
	case 2:
		return fmt.Appendf(nil, `{"choices":[{"index":0,"delta":{"reasoning":%s,"content":%s,"tool_calls":[%s]}}]}`, txt, txt, tool), args
	case 3, 4:
		return fmt.Appendf(nil, `{"choices":[{"index":0,"delta":{"tool_calls":[%s]}}]}`, tool), args
	case 5:
		r := []string{"stop", "length", "tool_calls", "content_filter", "function_call", "other"}[int(fl)%6]
		return fmt.Appendf(nil, `{"choices":[{"index":0,"delta":{},"finish_reason":%q}]}`, r), ""
	case 6:
		return fmt.Appendf(nil, `{"choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d}}`, fl, idx), ""
	}
	return []byte("[DONE]"), ""
}

func FuzzAnthropicStream(f *testing.F) {
	files, _ := filepath.Glob("testdata/o2a_stream/*.sse")
	for _, file := range files {
		if raw, err := os.ReadFile(file); err == nil && !strings.HasSuffix(file, ".want.sse") {
			_, payloads := o2aPayloads(f, raw)
			f.Add(bytes.Join(payloads, []byte("\n")))
		}
	}
	f.Add([]byte("#\x03\x00\x01\n#\x03\x01\x01\n#\x03\x00\x08\n#\x03\x01\x00\n#\x07"))
	f.Add([]byte("#\x01\x00\x00\n#\x02\x01\x09\n#\x00\x00\x04\n#\x04\x02\x41\n#\x05\x00\x00\n#\x06\x05\x00\n#\x07"))
	f.Fuzz(func(t *testing.T, data []byte) {
		conv := NewAnthropicStream("m", nil, 10)
		var evs []Event
		synthetic, sent, failed := true, 0, false
		for _, p := range bytes.Split(data, []byte("\n")) {
			chunk, args := o2aSynth(p)
			o2aCheckDecode(t, chunk) // the fast path decodes as encoding/json
			synthetic = synthetic && len(p) > 0 && p[0] == '#'
			wasDone := conv.Done()
			out, err := conv.Convert("", chunk)
			if wasDone {
				if out != nil || err != nil {
					t.Fatalf("Convert after Done: %v %s", err, o2aRender(out))
				}
				continue
			}
			evs = append(evs, out...)
			if err != nil {
				evs, failed = append(evs, conv.Fail(err.Error())...), true
				break
			}
			sent += len(strings.Join(strings.Fields(args), ""))
		}
		if !conv.Done() && !failed {
			evs = append(evs, conv.Fail("eof")...)
		}
		o2aCheck(t, evs)
		o2aAccumulate(t, evs)
		if synthetic && conv.Done() {
			got := 0
			for _, e := range evs {
				var v struct{ Delta map[string]any }
				_ = json.Unmarshal(e.Data, &v)
				partial, _ := v.Delta["partial_json"].(string)
				got += len(strings.Join(strings.Fields(partial), ""))
			}
			if got != sent {
				t.Fatalf("tool argument bytes: sent %d, emitted %d\n%s", sent, got, o2aRender(evs))
			}
		}
	})
}

func BenchmarkAnthropicStreamText(b *testing.B) {
	conv := NewAnthropicStream("claude-sonnet-4-5", nil, 1000)
	if _, err := conv.Convert("", []byte(`{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Hi"}}]}`)); err != nil {
		b.Fatal(err)
	}
	chunk := []byte(`{"id":"chatcmpl-BxQ8plain01","object":"chat.completion.chunk","created":1760000000,"model":"gpt-4o-2024-08-06",` +
		`"system_fingerprint":"fp_f9f4fb6dbf","choices":[{"index":0,"delta":{"content":" the quick brown fox jumps over the lazy dog"},` +
		`"logprobs":null,"finish_reason":null}],"usage":null}`)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if evs, err := conv.Convert("", chunk); err != nil || len(evs) != 1 {
			b.Fatal(err)
		}
	}
}
