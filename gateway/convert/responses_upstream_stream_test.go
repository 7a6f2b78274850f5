package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/sse"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

var updateO2RStream = flag.Bool("update-o2r-stream", false, "rewrite testdata/o2r_stream/*.want.sse")

// o2rStreamWant is what the official SDK must make of one converted stream.
type o2rStreamWant struct {
	noUsage   bool // includeUsage false
	model     string
	content   string
	refusal   string
	reasoning string
	tools     [][3]string // id, name, arguments
	finish    string
	usage     [3]int64 // prompt, completion, cached
	err       string   // substring of the SDK's stream error
}

const o2rModel51 = "gpt-5.1-2025-11-13"

var o2rStreamCases = map[string]o2rStreamWant{
	"text":          {model: o2rModel51, content: "Hello! How can I help you <today>?", finish: "stop", usage: [3]int64{36, 87, 0}},
	"text_no_usage": {noUsage: true, model: o2rModel51, content: "Hello! How can I help you <today>?", finish: "stop"},
	"reasoning_summary_then_text": {model: o2rModel51, content: "2 + 2 = 4.", finish: "stop", usage: [3]int64{40, 120, 0},
		reasoning: "**Adding numbers**\n\nThe user asks 2+2.\n\n**Answering**\n\nThat is 4."},
	"parallel_calls_interleaved": {model: o2rModel51, finish: "tool_calls", usage: [3]int64{610, 120, 512}, tools: [][3]string{
		{"call_Paris01xYz", "get_weather", `{"city":"Paris"}`}, {"call_Tokyo02aBc", "get_weather", `{"city":"Tokyo"}`}}},
	"arguments_only_in_done": {model: o2rModel51, content: "Let me check.", finish: "tool_calls", usage: [3]int64{300, 25, 0},
		tools: [][3]string{{"call_OnlyDone77", "read_file", `{"path":"/src/main.go","limit":200}`}}},
	"incomplete_length":         {model: o2rModel51, content: "Once upon a time, there was", finish: "length", usage: [3]int64{9, 16, 0}},
	"incomplete_content_filter": {model: o2rModel51, content: "I can", finish: "content_filter", usage: [3]int64{30, 2, 0}},
	"refusal":                   {model: o2rModel51, refusal: "I can't help with that.", finish: "stop", usage: [3]int64{20, 9, 0}},
	"done_events_only": {model: "gpt-oss-120b", content: "I will list the files.", finish: "tool_calls", usage: [3]int64{50, 20, 0},
		tools: [][3]string{{"call_DoneOnly99", "exec_command", `{"cmd":"ls"}`}}},
	"completed_only": {model: "local-model", content: "Answer only at the end.", reasoning: "Think about it.", finish: "stop",
		usage: [3]int64{12, 8, 0}},
	"failed":      {err: "responses upstream error (server_error): The model produced invalid content."},
	"error_event": {content: "Partial ans", err: "responses upstream error (rate_limit_exceeded): Rate limit reached for gpt-5.1"},
	"truncated":   {content: "Cut short", err: "upstream stream ended before response.completed"},
}

// o2rStreamRun replays a Responses SSE recording through the converter the
// way the proxy does: a Convert error or an early end calls Fail.
func o2rStreamRun(t testing.TB, in []byte, includeUsage bool) (out []byte, conv *ChatFromResponsesStream) {
	conv = NewChatStreamFromResponses("client-model", includeUsage)
	var buf bytes.Buffer
	write := func(evs []Event) {
		for _, ev := range evs {
			if ev.Name != "" {
				t.Fatalf("named event %q: Chat streams are data only", ev.Name)
			}
			if err := sse.WriteEvent(&buf, ev.Name, ev.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
	r := sse.NewReader(bytes.NewReader(in), 0)
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading recording: %v", err)
		}
		if ev.Comment {
			continue
		}
		evs, err := conv.Convert(ev.Name, ev.Data)
		if err != nil {
			write(conv.Fail(err.Error()))
			return buf.Bytes(), conv
		}
		write(evs)
	}
	if !conv.Done() {
		write(conv.Fail("upstream stream ended before response.completed"))
	}
	return buf.Bytes(), conv
}

func TestChatStreamFromResponsesGolden(t *testing.T) {
	defer ostreamFixClock()()
	files, _ := filepath.Glob("testdata/o2r_stream/*.sse")
	var n int
	for _, in := range files {
		if strings.HasSuffix(in, ".want.sse") {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(in), ".sse")
		t.Run(name, func(t *testing.T) {
			want, ok := o2rStreamCases[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, conv := o2rStreamRun(t, src, !want.noUsage)
			oreqGolden(t, strings.TrimSuffix(in, ".sse")+".want.sse", got, *updateO2RStream)
			o2rCheckSDK(t, got, want)
			if u := conv.Usage().OpenAI(); want.err == "" &&
				[3]int64{int64(u.PromptTokens), int64(u.CompletionTokens), int64(u.PromptTokensDetails.CachedTokens)} != want.usage &&
				!want.noUsage {
				t.Errorf("Usage() = %+v, want %v", u, want.usage)
			}
			if started := want.content != "" || want.reasoning != "" || want.refusal != "" || len(want.tools) > 0 || want.err == ""; conv.Started() != started {
				t.Errorf("Started() = %v", conv.Started())
			}
			if conv.Done() != (want.err == "") {
				t.Errorf("Done() = %v", conv.Done())
			}
			if want.noUsage && bytes.Contains(got, []byte(`"usage"`)) {
				t.Error("usage chunk without includeUsage")
			}
			if !want.noUsage && want.err == "" && !bytes.Contains(got, []byte(`"choices":[],"usage"`)) {
				t.Error("no usage chunk with includeUsage")
			}
		})
	}
	if n != len(o2rStreamCases) {
		t.Errorf("%d recordings, %d expectations", n, len(o2rStreamCases))
	}
}

// o2rCheckSDK serves the converted stream to the official openai-go client:
// every chunk must decode as openai.ChatCompletionChunk and the SDK's
// accumulator must rebuild the answer.
func o2rCheckSDK(t *testing.T, stream []byte, want o2rStreamWant) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(stream)
	}))
	defer srv.Close()
	client := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test"), option.WithMaxRetries(0))
	s := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{Model: "client-model",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
	var acc openai.ChatCompletionAccumulator
	var reasoning strings.Builder
	for s.Next() {
		chunk := s.Current()
		if chunk.Object != "chat.completion.chunk" || !strings.HasPrefix(chunk.ID, "chatcmpl-") || chunk.Created != 1764000000 && chunk.Created != 1700000000 {
			t.Errorf("chunk head: %s", chunk.RawJSON())
		}
		if !acc.AddChunk(chunk) {
			t.Fatalf("accumulator rejected chunk %s", chunk.RawJSON())
		}
		var raw struct {
			Choices []struct {
				Delta struct {
					ReasoningContent string `json:"reasoning_content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(chunk.RawJSON()), &raw); err != nil {
			t.Fatal(err)
		}
		for _, c := range raw.Choices {
			reasoning.WriteString(c.Delta.ReasoningContent)
		}
	}
	if err := s.Err(); (err != nil) != (want.err != "") || err != nil && !strings.Contains(err.Error(), want.err) {
		t.Fatalf("stream error = %v, want %q", err, want.err)
	}
	if len(acc.Choices) == 0 && want.err != "" && want.content == "" {
		return // failed before the first chunk
	}
	if len(acc.Choices) != 1 {
		t.Fatalf("%d choices", len(acc.Choices))
	}
	c := acc.Choices[0]
	if c.Message.Content != want.content || c.Message.Refusal != want.refusal || reasoning.String() != want.reasoning {
		t.Errorf("content %q refusal %q reasoning %q, want %q %q %q", c.Message.Content, c.Message.Refusal,
			reasoning.String(), want.content, want.refusal, want.reasoning)
	}
	if c.Message.Role != "assistant" {
		t.Errorf("role %q", c.Message.Role)
	}
	if want.err != "" {
		return
	}
	if c.FinishReason != want.finish {
		t.Errorf("finish_reason %q, want %q", c.FinishReason, want.finish)
	}
	if len(c.Message.ToolCalls) != len(want.tools) {
		t.Fatalf("%d tool calls, want %d", len(c.Message.ToolCalls), len(want.tools))
	}
	for i, tc := range c.Message.ToolCalls {
		if got := [3]string{tc.ID, tc.Function.Name, tc.Function.Arguments}; got != want.tools[i] || tc.Type != "function" {
			t.Errorf("tool call %d = %q (%s), want %q", i, got, tc.Type, want.tools[i])
		}
	}
	if u := acc.Usage; !want.noUsage && [3]int64{u.PromptTokens, u.CompletionTokens, u.PromptTokensDetails.CachedTokens} != want.usage {
		t.Errorf("usage %v, want %v", u, want.usage)
	}
	if acc.Model != want.model {
		t.Errorf("model %q, want %q", acc.Model, want.model)
	}
}

// TestChatStreamFromResponsesErrors: response.failed and error events (both
// shapes) make Convert return an error describing the upstream's message,
// before and after the commit point.
func TestChatStreamFromResponsesErrors(t *testing.T) {
	delta := `{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","sequence_number":3}`
	for _, tc := range []struct {
		name, data, want string
		started          bool
	}{
		{"response.failed", `{"type":"response.failed","sequence_number":4,"response":{"id":"resp_1","status":"failed","error":{"code":"server_error","message":"boom"}}}`,
			"responses upstream error (server_error): boom", false},
		{"response.failed", `{"type":"response.failed","response":{"status":"failed","error":null}}`, "the response failed", true},
		{"error", `{"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null,"sequence_number":1}`,
			"responses upstream error (ERR_SOMETHING): Something went wrong", false},
		{"error", `{"type":"error","error":{"code":"context_length_exceeded","message":"too long"}}`,
			"responses upstream error (context_length_exceeded): too long", true},
		{"error", `{"message":"no type, named by the event"}`, "responses upstream error: no type, named by the event", false},
		{"response.output_text.delta", `{"type":`, "not valid JSON", false},
	} {
		s := NewChatStreamFromResponses("m", true)
		if tc.started {
			if evs, err := s.Convert("response.output_text.delta", []byte(delta)); err != nil || len(evs) != 1 || !s.Started() {
				t.Fatalf("delta: %q %v", evs, err)
			}
		}
		evs, err := s.Convert(tc.name, []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) || evs != nil {
			t.Errorf("%s %s: %q %v, want error %q", tc.name, tc.data, evs, err, tc.want)
		}
		if s.Done() || s.Started() != tc.started {
			t.Errorf("%s: Done %v Started %v", tc.name, s.Done(), s.Started())
		}
		fail := s.Fail(err.Error())
		if len(fail) != 2 || !bytes.Contains(fail[0].Data, []byte(`"type":"server_error"`)) || string(fail[1].Data) != "[DONE]" {
			t.Errorf("Fail: %q", fail)
		}
		if s.Fail("again") != nil {
			t.Error("second Fail")
		}
	}
}

func TestChatStreamFromResponsesEdges(t *testing.T) {
	s := NewChatStreamFromResponses("client-model", false)
	for _, ev := range [][2]string{
		{"response.future_event", `{"type":"response.future_event","sequence_number":1}`},
		{"", `[DONE]`},
		{"response.output_text.delta", `{"type":"response.output_text.delta","delta":""}`},
		{"response.function_call_arguments.delta", `{"type":"response.function_call_arguments.delta","item_id":"fc_unknown","delta":"{}"}`},
		{"response.output_item.added", `{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m"}}`},
	} {
		if evs, err := s.Convert(ev[0], []byte(ev[1])); err != nil || evs != nil {
			t.Fatalf("%s: %q %v", ev[0], evs, err)
		}
	}
	if s.Started() {
		t.Fatal("started by nothing")
	}
	// The JSON's type wins over the SSE name; no response at all still ends.
	evs, err := s.Convert("ping", []byte(`{"type":"response.completed"}`))
	if err != nil || len(evs) != 2 || string(evs[1].Data) != "[DONE]" || !s.Done() || !s.Started() {
		t.Fatalf("completed: %q %v", evs, err)
	}
	var c openai.ChatCompletionChunk
	if err := json.Unmarshal(evs[0].Data, &c); err != nil || c.Model != "client-model" || c.Choices[0].FinishReason != "stop" ||
		c.Choices[0].Delta.Role != "assistant" {
		t.Fatalf("finish chunk %s: %v", evs[0].Data, err)
	}
	if evs, _ := s.Convert("response.completed", []byte(`{"type":"response.completed"}`)); evs != nil {
		t.Fatalf("after Done: %q", evs)
	}
	if s.Fail("late") != nil {
		t.Fatal("Fail after Done")
	}
}
