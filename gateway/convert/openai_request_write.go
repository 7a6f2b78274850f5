package convert

// The Anthropic request that OpenAIToAnthropicRequest writes, and its
// encoder. As for the other direction (anthropic_request_write.go), the tags
// let TestOreqWriteMatchesEncodingJSON check that the hand encoder writes
// what encoding/json (SetEscapeHTML(false)) wrote; the maps this request used
// to hold are structs whose fields are in the maps' sorted key order.

import (
	"encoding/json"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"strconv"
)

// oreqOut is the Anthropic Messages request.
type oreqOut struct {
	Model         string          `json:"model"`
	MaxTokens     int             `json:"max_tokens"`
	System        string          `json:"system,omitempty"`
	Messages      []oreqMsg       `json:"messages"`
	Stream        bool            `json:"stream,omitempty"`
	Temperature   *float64        `json:"temperature,omitempty"`
	TopP          *float64        `json:"top_p,omitempty"`
	TopK          *int            `json:"top_k,omitempty"`
	StopSequences []string        `json:"stop_sequences,omitempty"`
	Metadata      *oreqMetadata   `json:"metadata,omitempty"`
	Tools         []oreqTool      `json:"tools,omitempty"`
	ToolChoice    *oreqToolChoice `json:"tool_choice,omitempty"`
	Thinking      *oreqThinking   `json:"thinking,omitempty"`
}

type oreqMetadata struct {
	UserID string `json:"user_id"`
}

type oreqThinking struct {
	BudgetTokens int    `json:"budget_tokens"`
	Type         string `json:"type"`
}

type oreqMsg struct {
	Role    string      `json:"role"`
	Content []oreqBlock `json:"content"`
}

type oreqBlock struct {
	Type   string      `json:"type"`
	Text   string      `json:"text,omitempty"`
	Source *oreqSource `json:"source,omitempty"`
	ID     string      `json:"id,omitempty"`
	Name   string      `json:"name,omitempty"`
	// Input is compact JSON, written as it is.
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   string          `json:"content,omitempty"`
}

// oreqSource is an image source: base64 data with its media type, or a url.
type oreqSource struct {
	Data      string `json:"data,omitempty"`
	MediaType string `json:"media_type,omitempty"`
	Type      string `json:"type"`
	URL       string `json:"url,omitempty"`
}

type oreqTool struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// InputSchema is compact JSON from oreqSchema, written as it is.
	InputSchema json.RawMessage `json:"input_schema"`
}

type oreqToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

// appendJSON appends r as encoding/json would encode it without HTML escaping.
func (r *oreqOut) appendJSON(b []byte) []byte {
	b = jsonbody.AppendQuote(append(b, `{"model":`...), r.Model)
	b = strconv.AppendInt(append(b, `,"max_tokens":`...), int64(r.MaxTokens), 10)
	if r.System != "" {
		b = jsonbody.AppendQuote(append(b, `,"system":`...), r.System)
	}
	b = appendArray(append(b, `,"messages":`...), r.Messages, func(b []byte, m *oreqMsg) []byte { return m.appendJSON(b) })
	if r.Stream {
		b = append(b, `,"stream":true`...)
	}
	if r.Temperature != nil {
		b = appendFloatJSON(append(b, `,"temperature":`...), *r.Temperature)
	}
	if r.TopP != nil {
		b = appendFloatJSON(append(b, `,"top_p":`...), *r.TopP)
	}
	if r.TopK != nil {
		b = strconv.AppendInt(append(b, `,"top_k":`...), int64(*r.TopK), 10)
	}
	if len(r.StopSequences) > 0 {
		b = append(b, `,"stop_sequences":[`...)
		for i, s := range r.StopSequences {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonbody.AppendQuote(b, s)
		}
		b = append(b, ']')
	}
	if r.Metadata != nil {
		b = jsonbody.AppendQuote(append(b, `,"metadata":{"user_id":`...), r.Metadata.UserID)
		b = append(b, '}')
	}
	if len(r.Tools) > 0 {
		b = append(b, `,"tools":[`...)
		for i, t := range r.Tools {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonbody.AppendQuote(append(b, `{"name":`...), t.Name)
			if t.Description != "" {
				b = jsonbody.AppendQuote(append(b, `,"description":`...), t.Description)
			}
			b = append(b, `,"input_schema":`...)
			if t.InputSchema == nil {
				b = append(b, "null"...)
			}
			b = append(append(b, t.InputSchema...), '}')
		}
		b = append(b, ']')
	}
	if tc := r.ToolChoice; tc != nil {
		b = jsonbody.AppendQuote(append(b, `,"tool_choice":{"type":`...), tc.Type)
		if tc.Name != "" {
			b = jsonbody.AppendQuote(append(b, `,"name":`...), tc.Name)
		}
		if tc.DisableParallelToolUse {
			b = append(b, `,"disable_parallel_tool_use":true`...)
		}
		b = append(b, '}')
	}
	if r.Thinking != nil {
		b = strconv.AppendInt(append(b, `,"thinking":{"budget_tokens":`...), int64(r.Thinking.BudgetTokens), 10)
		b = jsonbody.AppendQuote(append(b, `,"type":`...), r.Thinking.Type)
		b = append(b, '}')
	}
	return append(b, '}')
}

func (m *oreqMsg) appendJSON(b []byte) []byte {
	b = jsonbody.AppendQuote(append(b, `{"role":`...), m.Role)
	b = append(b, `,"content":`...)
	if m.Content == nil {
		return append(b, "null}"...)
	}
	b = append(b, '[')
	for i := range m.Content {
		if i > 0 {
			b = append(b, ',')
		}
		b = m.Content[i].appendJSON(b)
	}
	return append(b, "]}"...)
}

func (k *oreqBlock) appendJSON(b []byte) []byte {
	b = jsonbody.AppendQuote(append(b, `{"type":`...), k.Type)
	if k.Text != "" {
		b = jsonbody.AppendQuote(append(b, `,"text":`...), k.Text)
	}
	if s := k.Source; s != nil {
		b = append(b, `,"source":{`...)
		if s.Data != "" {
			b = jsonbody.AppendQuote(append(b, `"data":`...), s.Data)
			b = append(b, ',')
		}
		if s.MediaType != "" {
			b = jsonbody.AppendQuote(append(b, `"media_type":`...), s.MediaType)
			b = append(b, ',')
		}
		b = jsonbody.AppendQuote(append(b, `"type":`...), s.Type)
		if s.URL != "" {
			b = jsonbody.AppendQuote(append(b, `,"url":`...), s.URL)
		}
		b = append(b, '}')
	}
	if k.ID != "" {
		b = jsonbody.AppendQuote(append(b, `,"id":`...), k.ID)
	}
	if k.Name != "" {
		b = jsonbody.AppendQuote(append(b, `,"name":`...), k.Name)
	}
	if len(k.Input) > 0 {
		b = append(append(b, `,"input":`...), k.Input...)
	}
	if k.ToolUseID != "" {
		b = jsonbody.AppendQuote(append(b, `,"tool_use_id":`...), k.ToolUseID)
	}
	if k.Content != "" {
		b = jsonbody.AppendQuote(append(b, `,"content":`...), k.Content)
	}
	return append(b, '}')
}
