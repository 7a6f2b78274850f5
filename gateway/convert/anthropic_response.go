package convert

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// arespNow is the clock for "created"; tests replace it.
var arespNow = time.Now

// arespMessage is an Anthropic Messages response (or error body).
type arespMessage struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Model      string          `json:"model"`
	Content    []arespBlock    `json:"content"`
	StopReason string          `json:"stop_reason"`
	Usage      json.RawMessage `json:"usage"`
	Error      *arespError     `json:"error"`
}

type arespBlock struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	Thinking string          `json:"thinking"`
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Input    json.RawMessage `json:"input"`
}

type arespError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// arespCompletion is the OpenAI chat.completion written to the client.
type arespCompletion struct {
	ID      string          `json:"id"`
	Object  string          `json:"object"`
	Created int64           `json:"created"`
	Model   string          `json:"model"`
	Choices []arespChoice   `json:"choices"`
	Usage   OpenAIUsageJSON `json:"usage"`
}

type arespChoice struct {
	Index        int             `json:"index"`
	Message      arespOutMessage `json:"message"`
	Logprobs     *struct{}       `json:"logprobs"`
	FinishReason string          `json:"finish_reason"`
}

type arespOutMessage struct {
	Role             string          `json:"role"`
	Content          *string         `json:"content"`
	ReasoningContent string          `json:"reasoning_content,omitempty"`
	ToolCalls        []arespToolCall `json:"tool_calls,omitempty"`
	Refusal          *string         `json:"refusal"`
}

// arespToolCall serves both the response (Index nil) and stream deltas.
type arespToolCall struct {
	Index    *int          `json:"index,omitempty"`
	ID       string        `json:"id,omitempty"`
	Type     string        `json:"type,omitempty"`
	Function arespFunction `json:"function"`
}

type arespFunction struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// AnthropicToOpenAIResponse converts a non-streaming Anthropic Messages
// response into an OpenAI chat.completion. Text blocks are concatenated as a
// stream would deliver them; thinking blocks go to the reasoning_content
// extension (DeepSeek-style, read by many OpenAI clients), redacted thinking and
// server-tool blocks are dropped; tool_use ids are kept (pitfall 34). The model
// is the upstream's, or clientModel when the upstream names none. usage is the
// normalised count. A body that is not an Anthropic message (including an
// Anthropic error body) is an error.
func AnthropicToOpenAIResponse(body []byte, clientModel string) (out []byte, usage Usage, err error) {
	c, usage, err := arespBuild(body, clientModel)
	if err != nil {
		return nil, Usage{}, err
	}
	return c.appendJSON(make([]byte, 0, len(body)+256)), usage, nil
}

// arespBuild decodes and converts the response, returning what to encode.
func arespBuild(body []byte, clientModel string) (c *arespCompletion, usage Usage, err error) {
	var m arespMessage
	if m.decodeFast(body) != nil { // see response_fast.go
		m = arespMessage{}
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, Usage{}, fmt.Errorf("anthropic response is not valid JSON: %w", err)
		}
	}
	if m.Type == "error" || m.Error != nil {
		return nil, Usage{}, arespUpstreamError(m.Error)
	}
	if m.Type != "message" && m.Content == nil {
		return nil, Usage{}, errors.New("anthropic response is not a message")
	}
	var text, reasoning strings.Builder
	var calls []arespToolCall
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			text.WriteString(b.Text)
		case "thinking":
			reasoning.WriteString(b.Thinking)
		case "tool_use":
			calls = append(calls, arespToolCall{ID: b.ID, Type: "function",
				Function: arespFunction{Name: b.Name, Arguments: arespArguments(b.Input)}})
		}
	}
	msg := arespOutMessage{Role: "assistant", ReasoningContent: reasoning.String(), ToolCalls: calls}
	if s := text.String(); s != "" || len(calls) == 0 {
		msg.Content = &s
	}
	usage, _ = UsageFromAnthropic(m.Usage)
	model := m.Model
	if model == "" {
		model = clientModel
	}
	return &arespCompletion{
		ID: arespChatID(m.ID), Object: "chat.completion", Created: arespNow().Unix(), Model: model,
		Choices: []arespChoice{{Message: msg, FinishReason: arespFinishReason(m.StopReason, len(calls) > 0)}},
		Usage:   usage.OpenAI(),
	}, usage, nil
}

// arespUpstreamError describes an Anthropic error body or event.
func arespUpstreamError(e *arespError) error {
	if e == nil {
		return errors.New("anthropic upstream error")
	}
	return fmt.Errorf("anthropic upstream error (%s): %s", e.Type, e.Message)
}

// arespArguments renders a tool_use input as compact JSON ("{}" when absent).
// input is a decoded json.RawMessage, so valid JSON: it needs no validation.
func arespArguments(input json.RawMessage) string {
	if len(input) == 0 || string(input) == "null" {
		return "{}"
	}
	return string(areqCompact(make([]byte, 0, len(input)), input, false))
}

// arespMarshal is json.Marshal without HTML escaping, so that text and tool
// arguments reach the client as the model wrote them.
func arespMarshal(v any) ([]byte, error) {
	buf := marshalBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // a 41 KB Codex answer is kept; a rare huge one is not
			buf.Reset()
			marshalBufs.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	// One exact-size copy instead of the growth of a fresh buffer.
	return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// marshalBufs are arespMarshal's scratch buffers: the encoder writes into a
// warm one and the result is copied out once.
var marshalBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// arespChatID derives a chat completion id from an Anthropic message id, or
// makes a random one when there is none.
func arespChatID(msgID string) string {
	if msgID != "" {
		return "chatcmpl-" + strings.TrimPrefix(msgID, "msg_")
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "chatcmpl-" + hex.EncodeToString(b[:])
}

// arespFinishReason maps an Anthropic stop_reason to an OpenAI finish_reason.
// A missing or unknown reason is "tool_calls" when tools were called, else
// "stop".
func arespFinishReason(stop string, toolCalls bool) string {
	switch stop {
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	case "tool_use":
		return "tool_calls"
	case "refusal":
		return "content_filter"
	case "end_turn", "stop_sequence", "pause_turn":
		return "stop"
	}
	if toolCalls {
		return "tool_calls"
	}
	return "stop"
}
