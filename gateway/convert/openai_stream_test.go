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
	"time"

	"github.com/modelswitch/modelswitch/gateway/sse"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

var updateA2OStream = flag.Bool("updateA2OStream", false, "rewrite testdata/a2o_stream/*.want.sse")

// ostreamWant is what the official SDK's accumulator must see for one stream.
type ostreamWant struct {
	noUsage   bool // includeUsage false
	content   string
	reasoning string
	tools     [][3]string // id, name, arguments
	finish    string
	usage     [3]int64 // prompt, completion, cached
	err       string   // substring of the SDK's stream error
}

var ostreamCases = map[string]ostreamWant{
	"text":           {content: "Hello! How can I help you <today>?", finish: "stop", usage: [3]int64{25, 15, 0}},
	"thinking_text":  {noUsage: true, content: "2 + 2 = 4.", reasoning: "The user asks 2+2. That is 4.", finish: "stop"},
	"text_tool_use":  {content: "Okay, let me check the weather for San Francisco.", finish: "tool_calls", usage: [3]int64{472, 89, 0}, tools: [][3]string{{"toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", `{"location": "San Francisco, CA", "unit": "fahrenheit"}`}}},
	"parallel_tools": {finish: "tool_calls", usage: [3]int64{610, 120, 0}, tools: [][3]string{{"toolu_01A", "get_weather", `{"city":"Paris"}`}, {"toolu_01B", "get_time", `{}`}, {"toolu_01C", "get_weather", `{"city":"Tokyo"}`}}},
	"ping_signature": {content: "Done.", reasoning: "Thinking briefly.", finish: "stop", usage: [3]int64{12, 22, 0}},
	"cache_usage":    {content: "Cached answer.", finish: "stop", usage: [3]int64{7010, 7, 5000}},
	"max_tokens":     {content: "Once upon a time, there was", finish: "length", usage: [3]int64{9, 8, 0}},
	"error_event":    {content: "Partial ans", err: "anthropic upstream error (overloaded_error): Overloaded"},
	"truncated":      {content: "Cut short", err: "upstream stream ended before message_stop"},
}

// ostreamRun replays an Anthropic SSE recording through the converter the way
// the proxy does: a Convert error or an early end calls Fail.
func ostreamRun(t testing.TB, in []byte, includeUsage bool) (out []byte, conv *OpenAIStream) {
	conv = NewOpenAIStream("client-model", includeUsage)
	var buf bytes.Buffer
	write := func(evs []Event) {
		for _, ev := range evs {
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
		write(conv.Fail("upstream stream ended before message_stop"))
	}
	return buf.Bytes(), conv
}

func TestOpenAIStreamGolden(t *testing.T) {
	defer ostreamFixClock()()
	files, _ := filepath.Glob("testdata/a2o_stream/*.sse")
	var n int
	for _, in := range files {
		if strings.HasSuffix(in, ".want.sse") {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(in), ".sse")
		t.Run(name, func(t *testing.T) {
			want, ok := ostreamCases[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, conv := ostreamRun(t, src, !want.noUsage)
			oreqGolden(t, strings.TrimSuffix(in, ".sse")+".want.sse", got, *updateA2OStream)
			ostreamCheckSDK(t, got, want)
			if u := conv.Usage().OpenAI(); !want.noUsage && want.err == "" &&
				(int64(u.PromptTokens) != want.usage[0] || int64(u.CompletionTokens) != want.usage[1]) {
				t.Errorf("Usage() = %+v, want %v", u, want.usage)
			}
			if conv.Started() != (want.content != "" || want.reasoning != "" || len(want.tools) > 0) {
				t.Errorf("Started() = %v", conv.Started())
			}
			if conv.Done() != (want.err == "") {
				t.Errorf("Done() = %v", conv.Done())
			}
		})
	}
	if n != len(ostreamCases) {
		t.Errorf("%d recordings, %d expectations", n, len(ostreamCases))
	}
}

// ostreamCheckSDK serves the converted stream to the official openai-go client
// and checks what its ChatCompletionAccumulator makes of it.
func ostreamCheckSDK(t *testing.T, stream []byte, want ostreamWant) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(stream)
	}))
	defer srv.Close()
	client := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test"), option.WithMaxRetries(0))
	params := openai.ChatCompletionNewParams{Model: "client-model",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}
	s := client.Chat.Completions.NewStreaming(context.Background(), params)
	var acc openai.ChatCompletionAccumulator
	var reasoning strings.Builder
	for s.Next() {
		chunk := s.Current()
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
	if len(acc.Choices) != 1 {
		t.Fatalf("%d choices", len(acc.Choices))
	}
	c := acc.Choices[0]
	if c.Message.Content != want.content || reasoning.String() != want.reasoning {
		t.Errorf("content %q reasoning %q, want %q %q", c.Message.Content, reasoning.String(), want.content, want.reasoning)
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
	u := acc.Usage
	if got := [3]int64{u.PromptTokens, u.CompletionTokens, u.PromptTokensDetails.CachedTokens}; got != want.usage {
		t.Errorf("usage %v, want %v", got, want.usage)
	}
	if !strings.HasPrefix(acc.ID, "chatcmpl-") || acc.Model != "claude-sonnet-4-5-20250929" {
		t.Errorf("id %q model %q", acc.ID, acc.Model)
	}
}

func TestOpenAIStreamEdges(t *testing.T) {
	// Events after the end, a second Fail, and an unknown event are ignored.
	s := NewOpenAIStream("m", false)
	if evs, err := s.Convert("future_event", []byte(`{"type":"future_event"}`)); err != nil || evs != nil {
		t.Fatalf("unknown event: %v %v", evs, err)
	}
	if _, err := s.Convert("ping", []byte(`not json`)); err == nil {
		t.Fatal("non-JSON data accepted")
	}
	evs, err := s.Convert("content_block_delta", []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}`))
	if err != nil || len(evs) != 1 || !s.Started() {
		t.Fatalf("text delta: %v %v", evs, err)
	}
	// The JSON's type wins over the SSE name.
	evs, _ = s.Convert("ping", []byte(`{"type":"message_stop"}`))
	if len(evs) != 2 || string(evs[1].Data) != "[DONE]" || !s.Done() {
		t.Fatalf("message_stop: %q", evs)
	}
	if evs, _ := s.Convert("message_stop", []byte(`{"type":"message_stop"}`)); evs != nil {
		t.Fatalf("after Done: %q", evs)
	}
	if evs := s.Fail("late"); evs != nil {
		t.Fatalf("Fail after Done: %q", evs)
	}
	f := NewOpenAIStream("m", true)
	evs = f.Fail("boom")
	if len(evs) != 2 || string(evs[0].Data) != `{"error":{"message":"boom","type":"server_error"}}` || string(evs[1].Data) != "[DONE]" {
		t.Fatalf("Fail: %q", evs)
	}
	if f.Fail("again") != nil || f.Done() {
		t.Fatal("second Fail or Done after Fail")
	}
}

func ostreamFixClock() (restore func()) {
	old := arespNow
	arespNow = func() time.Time { return time.Unix(1700000000, 0) }
	return func() { arespNow = old }
}

func FuzzOpenAIStream(f *testing.F) {
	files, _ := filepath.Glob("testdata/a2o_stream/*.sse")
	for _, p := range files {
		if !strings.HasSuffix(p, ".want.sse") {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			var seed bytes.Buffer
			r := sse.NewReader(bytes.NewReader(b), 0)
			for ev, err := r.Next(); err == nil; ev, err = r.Next() {
				seed.WriteString(ev.Name + "\t" + string(ev.Data) + "\n")
			}
			f.Add(seed.Bytes(), true)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, includeUsage bool) {
		// Each line is "name<TAB>data" (or just data): arbitrary event sequences.
		defer ostreamFixClock()()
		l := newOstreamLockstep(includeUsage) // the fast path must answer as encoding/json
		s := l.fast
		var out []Event
		failed := false
		for _, line := range bytes.Split(in, []byte("\n")) {
			name, data, ok := bytes.Cut(line, []byte("\t"))
			if !ok {
				name, data = nil, line
			}
			if bytes.HasPrefix(data, []byte("data: ")) {
				data = data[len("data: "):]
			}
			evs, err := l.convert(t, string(name), data)
			if err != nil {
				out, failed = append(out, l.fail(t, err.Error())...), true
				break
			}
			out = append(out, evs...)
		}
		for i, ev := range out {
			isDone := string(ev.Data) == "[DONE]"
			if !isDone && !json.Valid(ev.Data) {
				t.Fatalf("event %d is not JSON: %q", i, ev.Data)
			}
			if isDone != (i == len(out)-1 && (s.Done() || failed)) {
				t.Fatalf("[DONE] at %d of %d (done %v failed %v)", i, len(out), s.Done(), failed)
			}
		}
		if (s.Done() || failed) && (len(out) == 0 || string(out[len(out)-1].Data) != "[DONE]") {
			t.Fatal("stream ended without [DONE]")
		}
	})
}
