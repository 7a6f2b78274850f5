package convert

// The OpenAI request that AnthropicToOpenAIRequest writes, and its encoder.
// The struct tags document the shape and let TestAreqWriteMatchesEncodingJSON
// compare the hand encoder with encoding/json (SetEscapeHTML(false)), whose
// output it reproduces byte for byte: reflection and the re-validation and
// compaction of every json.RawMessage cost more than the rest of the
// conversion on a 76 KB Claude Code request (issue 7).

import (
	"encoding/json"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"math"
	"strconv"
)

type areqOut struct {
	Model             string        `json:"model"`
	Messages          []areqOutMsg  `json:"messages"`
	MaxTokens         *int          `json:"max_tokens,omitempty"`
	Temperature       *float64      `json:"temperature,omitempty"`
	TopP              *float64      `json:"top_p,omitempty"`
	Stop              []string      `json:"stop,omitempty"`
	Stream            bool          `json:"stream"`
	StreamOptions     *areqStreamOp `json:"stream_options,omitempty"`
	Tools             []areqOutTool `json:"tools,omitempty"`
	ToolChoice        any           `json:"tool_choice,omitempty"` // nil, a string or *areqNamedChoice
	ParallelToolCalls *bool         `json:"parallel_tool_calls,omitempty"`
	ReasoningEffort   string        `json:"reasoning_effort,omitempty"`
	User              string        `json:"user,omitempty"`
	PromptCacheKey    string        `json:"prompt_cache_key,omitempty"`
}

type areqStreamOp struct {
	IncludeUsage bool `json:"include_usage"`
}

// areqNamedChoice forces one function; its fields are in the order
// encoding/json wrote the map this used to be.
type areqNamedChoice struct {
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
	Type string `json:"type"`
}

type areqOutMsg struct {
	Role             string        `json:"role"`
	Content          any           `json:"content"` // string, []areqPart or nil (null)
	ReasoningContent string        `json:"reasoning_content,omitempty"`
	ToolCalls        []areqOutCall `json:"tool_calls,omitempty"`
	ToolCallID       string        `json:"tool_call_id,omitempty"`
	toolIDs          []string      // ids of ToolCalls, for pairing
}

type areqFunc struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Parameters is compact JSON from areqSchema, written as it is.
	Parameters json.RawMessage `json:"parameters,omitempty"`
	Arguments  *string         `json:"arguments,omitempty"`
}

type areqOutCall struct {
	ID       string   `json:"id"`
	Type     string   `json:"type"`
	Function areqFunc `json:"function"`
}

type areqOutTool struct {
	Type     string   `json:"type"`
	Function areqFunc `json:"function"`
}

type areqPart struct {
	Type     string        `json:"type"`
	Text     string        `json:"text,omitempty"`
	ImageURL *areqImageURL `json:"image_url,omitempty"`
}

type areqImageURL struct {
	URL string `json:"url"`
}

// appendJSON appends o as encoding/json would encode it without HTML escaping.
func (o *areqOut) appendJSON(b []byte) []byte {
	b = append(b, `{"model":`...)
	b = jsonbody.AppendQuote(b, o.Model)
	b = appendArray(append(b, `,"messages":`...), o.Messages, func(b []byte, m *areqOutMsg) []byte { return m.appendJSON(b) })
	if o.MaxTokens != nil {
		b = append(b, `,"max_tokens":`...)
		b = strconv.AppendInt(b, int64(*o.MaxTokens), 10)
	}
	if o.Temperature != nil {
		b = appendFloatJSON(append(b, `,"temperature":`...), *o.Temperature)
	}
	if o.TopP != nil {
		b = appendFloatJSON(append(b, `,"top_p":`...), *o.TopP)
	}
	if len(o.Stop) > 0 {
		b = append(b, `,"stop":[`...)
		for i, s := range o.Stop {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonbody.AppendQuote(b, s)
		}
		b = append(b, ']')
	}
	b = strconv.AppendBool(append(b, `,"stream":`...), o.Stream)
	if o.StreamOptions != nil {
		b = strconv.AppendBool(append(b, `,"stream_options":{"include_usage":`...), o.StreamOptions.IncludeUsage)
		b = append(b, '}')
	}
	if len(o.Tools) > 0 {
		b = append(b, `,"tools":[`...)
		for i := range o.Tools {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = jsonbody.AppendQuote(b, o.Tools[i].Type)
			b = o.Tools[i].Function.appendJSON(append(b, `,"function":`...))
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	switch tc := o.ToolChoice.(type) {
	case string:
		b = jsonbody.AppendQuote(append(b, `,"tool_choice":`...), tc)
	case *areqNamedChoice:
		b = append(b, `,"tool_choice":{"function":{"name":`...)
		b = jsonbody.AppendQuote(b, tc.Function.Name)
		b = jsonbody.AppendQuote(append(b, `},"type":`...), tc.Type)
		b = append(b, '}')
	}
	if o.ParallelToolCalls != nil {
		b = strconv.AppendBool(append(b, `,"parallel_tool_calls":`...), *o.ParallelToolCalls)
	}
	if o.ReasoningEffort != "" {
		b = jsonbody.AppendQuote(append(b, `,"reasoning_effort":`...), o.ReasoningEffort)
	}
	if o.User != "" {
		b = jsonbody.AppendQuote(append(b, `,"user":`...), o.User)
	}
	if o.PromptCacheKey != "" {
		b = jsonbody.AppendQuote(append(b, `,"prompt_cache_key":`...), o.PromptCacheKey)
	}
	return append(b, '}')
}

func (m *areqOutMsg) appendJSON(b []byte) []byte {
	b = append(b, `{"role":`...)
	b = jsonbody.AppendQuote(b, m.Role)
	b = append(b, `,"content":`...)
	switch c := m.Content.(type) {
	case string:
		b = jsonbody.AppendQuote(b, c)
	case []areqPart:
		b = append(b, '[')
		for i, p := range c {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonbody.AppendQuote(append(b, `{"type":`...), p.Type)
			if p.Text != "" {
				b = jsonbody.AppendQuote(append(b, `,"text":`...), p.Text)
			}
			if p.ImageURL != nil {
				b = jsonbody.AppendQuote(append(b, `,"image_url":{"url":`...), p.ImageURL.URL)
				b = append(b, '}')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	default: // nil
		b = append(b, "null"...)
	}
	if m.ReasoningContent != "" {
		b = jsonbody.AppendQuote(append(b, `,"reasoning_content":`...), m.ReasoningContent)
	}
	if len(m.ToolCalls) > 0 {
		b = append(b, `,"tool_calls":[`...)
		for i := range m.ToolCalls {
			tc := &m.ToolCalls[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonbody.AppendQuote(append(b, `{"id":`...), tc.ID)
			b = jsonbody.AppendQuote(append(b, `,"type":`...), tc.Type)
			b = tc.Function.appendJSON(append(b, `,"function":`...))
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if m.ToolCallID != "" {
		b = jsonbody.AppendQuote(append(b, `,"tool_call_id":`...), m.ToolCallID)
	}
	return append(b, '}')
}

func (f *areqFunc) appendJSON(b []byte) []byte {
	b = jsonbody.AppendQuote(append(b, `{"name":`...), f.Name)
	if f.Description != "" {
		b = jsonbody.AppendQuote(append(b, `,"description":`...), f.Description)
	}
	if len(f.Parameters) > 0 {
		b = append(append(b, `,"parameters":`...), f.Parameters...)
	}
	if f.Arguments != nil {
		b = jsonbody.AppendQuote(append(b, `,"arguments":`...), *f.Arguments)
	}
	return append(b, '}')
}

// appendFloatJSON appends f as encoding/json writes a float64: the shortest
// decimal that round-trips, in exponent form below 1e-6 and from 1e21 on.
func appendFloatJSON(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 becomes e-9, as encoding/json writes it
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
