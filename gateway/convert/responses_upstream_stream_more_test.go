package convert

// More tests of ChatFromResponsesStream: the two-step lane to Anthropic
// clients, .done-only servers, and the fuzz target.

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/sse"
	"github.com/openai/openai-go/v3"
)

func FuzzChatStreamFromResponses(f *testing.F) {
	files, _ := filepath.Glob("testdata/o2r_stream/*.sse")
	for _, p := range files {
		if strings.HasSuffix(p, ".want.sse") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		var seed bytes.Buffer
		r := sse.NewReader(bytes.NewReader(b), 0)
		for ev, err := r.Next(); err == nil; ev, err = r.Next() {
			seed.WriteString(ev.Name + "\t" + string(o2rSlimEvent(ev.Data)) + "\n")
		}
		f.Add(seed.Bytes(), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, includeUsage bool) {
		// Each line is "name<TAB>data" (or just data): arbitrary event sequences.
		s := NewChatStreamFromResponses("m", includeUsage)
		var out []Event
		failed := false
		for _, line := range bytes.Split(in, []byte("\n")) {
			name, data, ok := bytes.Cut(line, []byte("\t"))
			if !ok {
				name, data = nil, line
			}
			o2rCheckEventDecode(t, bytes.TrimSpace(data))
			evs, err := s.Convert(string(name), data)
			if err != nil {
				out, failed = append(out, s.Fail(err.Error())...), true
				break
			}
			out = append(out, evs...)
		}
		for i, ev := range out {
			isDone := string(ev.Data) == "[DONE]"
			if !isDone && !json.Valid(ev.Data) || ev.Name != "" {
				t.Fatalf("event %d is not a JSON data event: %q %q", i, ev.Name, ev.Data)
			}
			if isDone != (i == len(out)-1 && (s.Done() || failed)) {
				t.Fatalf("[DONE] at %d of %d (done %v failed %v)", i, len(out), s.Done(), failed)
			}
		}
	})
}

// o2rCheckEventDecode holds RespEvent's fast path to o2rUnmarshal.
func o2rCheckEventDecode(t *testing.T, data []byte) {
	t.Helper()
	checkFastDecode(t, data, (*RespEvent).decodeFast, o2rUnmarshal)
}

func TestRespEventFastPath(t *testing.T) {
	for i, s := range []string{
		`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi \u00e9","logprobs":[],"obfuscation":"x"}`,
		`{"type":"response.function_call_arguments.done","item_id":"fc","output_index":2,"arguments":"{\"a\":1}"}`,
		`{"type":"response.reasoning_summary_text.delta","item_id":"rs","output_index":0,"summary_index":1,"delta":"t"}`,
		`{"type":"response.output_text.done","text":null,"output_index":null}`,
		`{"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","id":"fc","call_id":"c","name":"f","arguments":""}}`,
		`{"type":"error","message":"m","code":"rate_limit","param":null}`, `{"type":"error","error":{"code":"c","message":"m"}}`,
		`{"type":"response.content_part.added","part":{"type":"output_text","text":"","annotations":[]}}`,
		`{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"in_progress","error":null,"incomplete_details":null,"instructions":"Be brief.","max_output_tokens":256,"model":"gpt-5","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"low","summary":null},"store":false,"temperature":0.2,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[{"type":"function","name":"f","parameters":{"type":"object"},"strict":false}],"top_p":1,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}`,
		`{"type":"response.completed","response":{"id":"r","status":"completed","output":[{"type":"message","id":"m","role":"assistant","content":[{"type":"output_text","text":"hi"}]}],"usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":2},"output_tokens":1,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":6}}}`,
		`{"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"error":{"code":"x","message":"y"}}}`,
		`{"TYPE":"x","Delta":"d"}`, `{"delta":7}`, `{"output_index":1.5}`, `{"type":"a","type":"b"}`, `{}`, `[]`, `{"a":`,
		`{"response":{"output":{}}}`, `{"response":{"created_at":1.5}}`, `{"item":{"arguments":1}}`, `{"error":"x"}`,
		`{"response":{"usage":{"input_tokens":-1}}}`, `{"item":{"type":"reasoning","summary":[{"type":"summary_text","text":"t","annotations":null}],"encrypted_content":"e","content":null}}`,
		`{"item":{"summary":[]}}`, `{"item":{"summary":[1]}}`, `{"item":{"content":"x","output":{"a":[1]}}}`, `{"part":{"annotations":[{"x":1}],"detail":"low"}}`, `{"response":{"tools":null,"output":null,"instructions":null}}`,
	} {
		o2rCheckEventDecode(t, []byte(s))
		var e RespEvent
		if i < 11 && e.decodeFast([]byte(s)) != nil {
			t.Errorf("%s: not on the fast path", s)
		}
	}
}

// TestChatStreamFromResponsesChain runs the anthropicToResponses lane's
// stream: Responses events through this converter and then AnthropicStream.
// The Anthropic client must get a valid stream with the same answer.
func TestChatStreamFromResponsesChain(t *testing.T) {
	for name, want := range map[string]o2aWant{
		"reasoning_summary_then_text": {text: "2 + 2 = 4.", thinking: "**Adding numbers**\n\nThe user asks 2+2.\n\n**Answering**\n\nThat is 4.",
			stop: "end_turn", usage: Usage{Input: 40, Output: 120}},
		"parallel_calls_interleaved": {tools: []string{`get_weather {"city":"Paris"}`, `get_weather {"city":"Tokyo"}`},
			stop: "tool_use", usage: Usage{Input: 98, Output: 120, CacheRead: 512}},
		"arguments_only_in_done": {text: "Let me check.", tools: []string{`read_file {"path":"/src/main.go","limit":200}`},
			stop: "tool_use", usage: Usage{Input: 300, Output: 25}},
		"incomplete_length": {text: "Once upon a time, there was", stop: "max_tokens", usage: Usage{Input: 9, Output: 16}},
	} {
		t.Run(name, func(t *testing.T) {
			c := Chain(NewChatStreamFromResponses("claude-model", true), NewAnthropicStream("claude-model", nil, 100))
			names, payloads := o2aPayloads(t, obsRead(t, "o2r_stream/"+name+".sse"))
			var evs []Event
			for i := range names {
				out, err := c.Convert(names[i], payloads[i])
				if err != nil {
					t.Fatal(err)
				}
				evs = append(evs, out...)
			}
			if !c.Done() || c.Usage().Input != want.usage.Input {
				t.Fatalf("Done %v Usage %+v", c.Done(), c.Usage())
			}
			o2aCheck(t, evs)
			if got := o2aAccumulate(t, evs); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

// TestChatStreamFromResponsesDoneOnly: text and reasoning that arrive only
// in their .done events are sent once, and not again after their deltas.
func TestChatStreamFromResponsesDoneOnly(t *testing.T) {
	s := NewChatStreamFromResponses("m", false)
	var got strings.Builder
	for _, ev := range []string{
		`{"type":"response.reasoning_summary_text.done","item_id":"rs","summary_index":0,"text":"A"}`,
		`{"type":"response.reasoning_summary_text.delta","item_id":"rs","summary_index":1,"delta":"B"}`,
		`{"type":"response.reasoning_summary_text.done","item_id":"rs","summary_index":1,"text":"B"}`,
		`{"type":"response.reasoning_text.done","item_id":"rs2","content_index":0,"text":"C"}`,
		`{"type":"response.output_text.delta","item_id":"m","content_index":0,"delta":"x"}`,
		`{"type":"response.output_text.done","item_id":"m","content_index":0,"text":"x"}`,
		`{"type":"response.output_text.done","item_id":"m","content_index":1,"text":"y"}`,
		`{"type":"response.output_item.done","item":{"type":"message","id":"m","content":[{"type":"output_text","text":"x"},{"type":"output_text","text":"y"},{"type":"output_text","text":"z"}]}}`,
	} {
		evs, err := s.Convert("", []byte(ev))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			var c openai.ChatCompletionChunk
			if err := json.Unmarshal(e.Data, &c); err != nil {
				t.Fatal(err)
			}
			var raw struct {
				Choices []struct {
					Delta struct {
						ReasoningContent string `json:"reasoning_content"`
					} `json:"delta"`
				} `json:"choices"`
			}
			_ = json.Unmarshal(e.Data, &raw)
			got.WriteString(raw.Choices[0].Delta.ReasoningContent + c.Choices[0].Delta.Content + "|")
		}
	}
	if want := "A|\n\nB|\n\nC|x|y|z|"; got.String() != want {
		t.Errorf("got %q, want %q", got.String(), want)
	}
}

// o2rSlimEvent keeps of an event's response object only what the converter
// reads, so that fuzz seeds stay small and the fuzzer's minimiser quick.
func o2rSlimEvent(data []byte) []byte {
	var ev map[string]json.RawMessage
	if json.Unmarshal(data, &ev) != nil || ev["response"] == nil {
		return data
	}
	var r map[string]json.RawMessage
	if json.Unmarshal(ev["response"], &r) != nil {
		return data
	}
	slim := map[string]json.RawMessage{}
	for _, k := range []string{"id", "created_at", "model", "status", "error", "incomplete_details", "output", "usage"} {
		if v, ok := r[k]; ok && string(v) != "null" && string(v) != "[]" {
			slim[k] = v
		}
	}
	ev["response"], _ = json.Marshal(slim)
	out, _ := json.Marshal(ev)
	return out
}
