package convert

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"strings"
)

// Output is what an answer contained.
type Output struct {
	Text       string
	Thinking   string
	ToolCalls  []ToolCall // in order
	StopReason string     // as the protocol says it (end_turn, tool_use, stop, tool_calls, length, ...)
	Usage      Usage      // normalised (UsageFromOpenAI / UsageFromAnthropic); zero when absent
	HasUsage   bool
}

// ToolCall is one tool call of an answer; Arguments is its JSON text
// (accumulated for streams).
type ToolCall struct{ ID, Name, Arguments string }

// Observer accumulates what one stream says, reading its events on the side
// (the upstream's for pass-through, the converted ones otherwise). It is owned
// by the goroutine that feeds it and ignores what it does not understand.
type Observer struct {
	protocol        string
	text, thinking  strings.Builder
	calls           []obsCall
	stop            string
	usage           Usage
	hasUsage, first bool

	dec   obsDecoder
	chunk o2aChunk // reused OpenAI chunk (the converter's type)
	event obsEvent // reused Anthropic event
}

type obsCall struct {
	key      int // OpenAI tool call index, or Anthropic content block index
	id, name string
	args     []byte
	fresh    bool // args came whole with content_block_start: a delta replaces them
}

// obsEvent is the part of an Anthropic stream event the observer reads.
type obsEvent struct {
	Type    obsKind `json:"type"`
	Index   int     `json:"index"`
	Message struct {
		Usage anthropicUsage `json:"usage"`
	} `json:"message"`
	ContentBlock obsPart        `json:"content_block"`
	Delta        obsPart        `json:"delta"`
	Usage        anthropicUsage `json:"usage"`
}

// obsPart is a content_block or a delta.
type obsPart struct {
	Type        obsKind         `json:"type"`
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Text        string          `json:"text"`
	Thinking    string          `json:"thinking"`
	Input       json.RawMessage `json:"input"`
	PartialJSON string          `json:"partial_json"`
	StopReason  string          `json:"stop_reason"`
}

// obsUnset marks the counts an Anthropic usage object does not report.
var obsUnset = func() anthropicUsage {
	u := anthropicUsage{InputTokens: -1, OutputTokens: -1, CacheReadInputTokens: -1, CacheCreationInputTokens: -1}
	u.CacheCreation.Ephemeral1h = -1
	return u
}()

// obsKind is an Anthropic type name that is one of obsKinds, else "": decoding
// it allocates nothing.
type obsKind string

var obsKinds = [...]string{"message_start", "message_delta", "content_block_start", "content_block_delta",
	"text", "thinking", "tool_use", "text_delta", "thinking_delta", "input_json_delta"}

func (k *obsKind) UnmarshalJSON(b []byte) error {
	*k = ""
	for _, s := range obsKinds {
		if len(b) == len(s)+2 && string(b[1:len(b)-1]) == s {
			*k = obsKind(s)
			break
		}
	}
	return nil
}

// obsDecoder decodes one JSON value per call into a reused value; unlike
// Unmarshal, a reused json.Decoder keeps its state (1 allocation per text
// delta instead of 7 to 9).
type obsDecoder struct {
	dec *json.Decoder
	rd  bytes.Reader
	fed int64 // bytes given to dec
}

// decode reports whether data was one JSON value; fields of an unexpected
// type are skipped, the rest kept.
func (d *obsDecoder) decode(data []byte, v any) bool {
	if d.dec == nil {
		d.dec, d.fed = json.NewDecoder(&d.rd), 0
	}
	d.rd.Reset(data)
	d.fed += int64(len(data))
	err := d.dec.Decode(v)
	d.rd.Reset(nil) // data is the caller's
	if d.dec.InputOffset() != d.fed || err != nil && !errors.As(err, new(*json.UnmarshalTypeError)) {
		d.dec = nil // out of step with the input: start afresh
		return false
	}
	return true
}

// NewObserver returns an observer for one stream in protocol "openai",
// "anthropic" or "responses"; for any other protocol it observes nothing.
func NewObserver(protocol string) *Observer { return &Observer{protocol: protocol} }

// FirstContent reports whether text, thinking or a tool call has been seen.
func (o *Observer) FirstContent() bool { return o.first }

// Event reads one SSE event (comments excluded). It keeps nothing of data.
func (o *Observer) Event(name string, data []byte) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return // [DONE], blank or not an object
	}
	switch o.protocol {
	case "openai":
		o.openAI(data)
	case "anthropic":
		switch name {
		case "ping", "content_block_stop", "message_stop", "error":
			return
		}
		o.anthropic(name, data)
	case "responses":
		o.responses(name, data) // observe_responses.go
	}
}

func (o *Observer) openAI(data []byte) {
	c := &o.chunk
	if c.reset(); c.decodeFast(data) != nil { // see anthropic_stream_fast.go
		if c.reset(); !o.dec.decode(data, c) {
			return
		}
	}
	if u, ok := UsageFromOpenAI(c.Usage); ok && (!o.hasUsage || u != Usage{}) {
		o.usage, o.hasUsage = u, true // the last report wins, unless it is empty
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index != 0 {
			continue // n > 1: the first choice only
		}
		d := &ch.Delta
		o.add(&o.thinking, cmp.Or(d.ReasoningContent, d.Reasoning))
		o.add(&o.text, d.Content)
		o.add(&o.text, d.Refusal)
		for _, t := range d.ToolCalls {
			o.toolDelta(t.Index, t.ID, t.Function.Name, t.Function.Arguments)
		}
		o.stop = cmp.Or(ch.FinishReason, o.stop)
	}
}

// toolDelta adds an OpenAI tool call fragment to the call at its index; a
// different id or name there starts a new call (servers that reuse index 0).
func (o *Observer) toolDelta(index int, id, name, args string) {
	c := o.call(index)
	if c == nil || id != "" && c.id != "" && id != c.id || name != "" && c.name != "" && name != c.name {
		o.calls = append(o.calls, obsCall{key: index})
		c, o.first = &o.calls[len(o.calls)-1], true
	}
	c.id, c.name = cmp.Or(c.id, id), cmp.Or(c.name, name)
	c.args = append(c.args, args...)
}

// call returns the latest tool call with key, or nil.
func (o *Observer) call(key int) *obsCall {
	for i := len(o.calls) - 1; i >= 0; i-- {
		if o.calls[i].key == key {
			return &o.calls[i]
		}
	}
	return nil
}

func (o *Observer) anthropic(name string, data []byte) {
	e := &o.event
	input := e.ContentBlock.Input[:0]
	*e = obsEvent{}
	e.ContentBlock.Input = input
	e.Message.Usage, e.Usage = obsUnset, obsUnset
	if e.decodeFast(data) != nil { // observe_fast.go
		*e = obsEvent{}
		e.ContentBlock.Input = input
		e.Message.Usage, e.Usage = obsUnset, obsUnset
		if !o.dec.decode(data, e) {
			return
		}
	}
	if e.Type == "" {
		e.Type = obsKind(name) // the JSON's type wins over the event name
	}
	switch e.Type {
	case "message_start":
		o.addUsage(&e.Message.Usage)
	case "message_delta":
		o.stop = cmp.Or(e.Delta.StopReason, o.stop)
		o.addUsage(&e.Usage)
	case "content_block_start":
		switch b := &e.ContentBlock; b.Type {
		case "text":
			o.add(&o.text, b.Text)
		case "thinking":
			o.add(&o.thinking, b.Thinking)
		case "tool_use":
			o.calls = append(o.calls, obsCall{key: e.Index, id: b.ID, name: b.Name,
				args: []byte(arespArguments(b.Input)), fresh: true})
			o.first = true
		}
	case "content_block_delta":
		switch d := &e.Delta; d.Type {
		case "text_delta":
			o.add(&o.text, d.Text)
		case "thinking_delta":
			o.add(&o.thinking, d.Thinking)
		case "input_json_delta":
			if c := o.call(e.Index); c != nil && d.PartialJSON != "" {
				if c.fresh {
					c.args, c.fresh = c.args[:0], false
				}
				c.args = append(c.args, d.PartialJSON...)
			}
		}
	}
}

// addUsage merges the counts an Anthropic event reports: message_start has
// input and cache counts, message_delta the output (and sometimes the rest).
func (o *Observer) addUsage(u *anthropicUsage) {
	dst := [...]*int{&o.usage.Input, &o.usage.Output, &o.usage.CacheRead, &o.usage.CacheWrite, &o.usage.CacheWrite1h}
	for i, v := range [...]int{u.InputTokens, u.OutputTokens, u.CacheReadInputTokens, u.CacheCreationInputTokens, u.CacheCreation.Ephemeral1h} {
		if v >= 0 {
			*dst[i], o.hasUsage = v, true
		}
	}
}

// add appends a text or thinking delta.
func (o *Observer) add(b *strings.Builder, s string) {
	if s != "" {
		b.WriteString(s)
		o.first = true
	}
}

// Output returns what the stream said so far.
func (o *Observer) Output() Output {
	out := Output{Text: o.text.String(), Thinking: o.thinking.String(), StopReason: o.stop,
		Usage: o.usage, HasUsage: o.hasUsage}
	for _, c := range o.calls {
		out.ToolCalls = append(out.ToolCalls, ToolCall{ID: c.id, Name: c.name, Arguments: string(c.args)})
	}
	return out
}

// ObserveResponse reads a whole non-stream response body in protocol "openai",
// "anthropic" or "responses"; what it does not understand is left out.
func ObserveResponse(protocol string, body []byte) Output {
	var out Output
	switch protocol {
	case "responses":
		return observeResponses(body) // observe_responses.go
	case "openai":
		var r orespResponse
		if r.decodeFast(body) != nil { // in place, as the response converters (response_fast.go)
			r = orespResponse{}
			_ = json.Unmarshal(body, &r) // type errors keep the other fields
		}
		out.Usage, out.HasUsage = UsageFromOpenAI(r.Usage)
		if len(r.Choices) == 0 {
			return out
		}
		m := &r.Choices[0].Message
		out.StopReason = orespString(r.Choices[0].FinishReason)
		out.Thinking = cmp.Or(orespString(m.ReasoningContent), orespString(m.Reasoning))
		out.Text = cmp.Or(orespString(m.Content), strings.Join(orespTexts(m.Content), "")) + orespString(m.Refusal)
		calls := m.ToolCalls
		if f := m.FunctionCall; len(calls) == 0 && f != nil && f.Name != "" {
			calls = []orespCall{{Function: *f}}
		}
		for _, c := range calls {
			out.ToolCalls = append(out.ToolCalls, ToolCall{c.ID, c.Function.Name, obsArguments(c.Function.Arguments)})
		}
	case "anthropic":
		var r arespMessage
		if r.decodeFast(body) != nil {
			r = arespMessage{}
			_ = json.Unmarshal(body, &r)
		}
		out.Usage, out.HasUsage = UsageFromAnthropic(r.Usage)
		out.StopReason = r.StopReason
		for _, b := range r.Content {
			switch b.Type {
			case "text":
				out.Text += b.Text
			case "thinking":
				out.Thinking += b.Thinking
			case "tool_use":
				out.ToolCalls = append(out.ToolCalls, ToolCall{b.ID, b.Name, arespArguments(b.Input)})
			}
		}
	}
	return out
}

// obsArguments is OpenAI tool call arguments as JSON text: a string's content,
// or the compacted value some servers send instead.
func obsArguments(raw json.RawMessage) string {
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || string(raw) == "null" {
		return ""
	} else if raw[0] == '"' {
		return orespString(raw)
	}
	return arespArguments(raw)
}
