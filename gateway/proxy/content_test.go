package proxy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/sse"
)

// refOpenAIContent is the encoding/json reading isContent replaced; the fuzz
// target holds the byte-level one to it.
func refOpenAIContent(data []byte) (bool, error) {
	var chunk struct {
		Choices []struct {
			Delta struct {
				Content          string          `json:"content"`
				ReasoningContent string          `json:"reasoning_content"`
				Reasoning        string          `json:"reasoning"`
				ToolCalls        json.RawMessage `json:"tool_calls"`
			} `json:"delta"`
			FinishReason *string `json:"finish_reason"`
		} `json:"choices"`
		Usage json.RawMessage `json:"usage"`
	}
	if err := json.Unmarshal(data, &chunk); err != nil {
		return false, err
	}
	if len(chunk.Choices) == 0 {
		return len(chunk.Usage) > 0 && string(chunk.Usage) != "null", nil
	}
	c := chunk.Choices[0]
	d := c.Delta
	return d.Content != "" || d.ReasoningContent != "" || d.Reasoning != "" ||
		(len(d.ToolCalls) > 0 && string(d.ToolCalls) != "null") || c.FinishReason != nil, nil
}

var contentCases = []struct {
	data string
	want bool
}{
	{`{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`, false},
	{`{"choices":[{"index":0,"delta":{"role":"assistant"}}]}`, false},
	{`{"choices":[{"delta":{"content":"Hi"}}]}`, true},
	{`{"choices":[{"delta":{"content":null,"reasoning_content":"hmm"}}]}`, true},
	{`{"choices":[{"delta":{"reasoning":"x"}}]}`, true},
	{`{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1"}]}}]}`, true},
	{`{"choices":[{"delta":{"tool_calls":null}}]}`, false},
	{`{"choices":[{"delta":{},"finish_reason":"stop"}]}`, true},
	{`{"choices":[],"usage":{"prompt_tokens":3}}`, true},
	{`{"choices":[],"usage":null}`, false},
	{`{"choices":null}`, false},
	{`{"id":"x"}`, false},
	{`{"choices":[{"delta":null}]}`, false},
	{`{"choices":[null]}`, false},
	{`{"choices":[{"delta":{"content":"\u0000"}}]}`, true},
}

func TestIsContentOpenAI(t *testing.T) {
	for _, tc := range contentCases {
		got, err := isContent(protocol.OpenAI, sse.Event{Data: []byte(tc.data)})
		ref, rerr := refOpenAIContent([]byte(tc.data))
		if err != nil || got != tc.want || rerr != nil || ref != tc.want {
			t.Errorf("%s: %v, %v (reference %v, %v); want %v", tc.data, got, err, ref, rerr, tc.want)
		}
	}
	for _, bad := range []string{`{"choices":`, `not json`, `{"choices":5}`, `{"choices":[5]}`,
		`{"choices":[{"delta":{"content":5}}]}`, `{"choices":[{"delta":[]}]}`} {
		if _, err := isContent(protocol.OpenAI, sse.Event{Data: []byte(bad)}); err == nil || !strings.Contains(err.Error(), "malformed chunk") {
			t.Errorf("%s: %v, want a malformed-chunk error", bad, err)
		}
	}
	if got, err := isContent(protocol.OpenAI, sse.Event{Data: []byte("[DONE]")}); !got || err != nil {
		t.Errorf("[DONE]: %v, %v", got, err)
	}
}

func FuzzIsContentOpenAI(f *testing.F) {
	for _, tc := range contentCases {
		f.Add([]byte(tc.data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := isContent(protocol.OpenAI, sse.Event{Data: data})
		ref, rerr := refOpenAIContent(data)
		if rerr != nil || !bytes.Equal(bytes.ToLower(data), data) || !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
			return // encoding/json refuses it, matches keys case-insensitively, or reads null as an empty chunk
		}
		if err != nil {
			if strings.Contains(err.Error(), "duplicate") || bytes.HasPrefix(bytes.TrimSpace(data), []byte("[DONE]")) {
				return // duplicate keys are refused on purpose
			}
			t.Fatalf("%s: error %v, reference %v", data, err, ref)
		}
		if got != ref {
			t.Fatalf("%s: %v, reference %v", data, got, ref)
		}
	})
}

// BenchmarkPreludeChunk: one role-only chunk, the typical event before the
// first token, read byte-level (new) and with encoding/json (reference).
func BenchmarkPreludeChunk(b *testing.B) {
	data := []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`)
	b.Run("jsonbody", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = isContent(protocol.OpenAI, sse.Event{Data: data})
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = refOpenAIContent(data)
		}
	})
}
