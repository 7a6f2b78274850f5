package convert

import (
	"encoding/json"
	"errors"
	"fmt"
)

// OpenAIStream converts an Anthropic Messages stream into OpenAI
// chat.completion.chunk events for an OpenAI client. It is a StreamConverter
// owned by the proxy goroutine that feeds it; it is not safe for concurrent use.
//
// Nothing is emitted before the first content, thinking or tool delta (the
// commit point, pitfall 12); that first chunk also carries role "assistant".
// Thinking is sent as the reasoning_content extension; signatures, pings,
// redacted thinking and server-tool blocks are dropped. Text blocks are
// concatenated. Each tool_use block becomes tool call k = 0, 1, 2… with its
// id and name in the first chunk; a tool block that streams no arguments gets
// "{}" when it closes. message_stop ends the stream with the finish_reason
// chunk, the usage chunk when asked for, and [DONE].
type OpenAIStream struct {
	id, model    string
	created      int64
	includeUsage bool
	usage        Usage
	stopReason   string
	tools        map[int]*ostreamTool // by Anthropic content block index
	nTools       int
	roleSent     bool
	started      bool
	done, failed bool
	slowDecode   bool // tests: decode every event with encoding/json
}

type ostreamTool struct {
	k     int    // OpenAI tool call index
	input string // input given whole in content_block_start (non-Anthropic servers)
	args  bool   // some arguments were emitted
}

// ostreamEvent is any Anthropic stream event; only the fields of its type are set.
type ostreamEvent struct {
	Type         string             `json:"type"`
	Message      *ostreamMessage    `json:"message"`
	Index        int                `json:"index"`
	ContentBlock *ostreamBlockStart `json:"content_block"`
	Delta        *ostreamDeltaIn    `json:"delta"`
	Usage        json.RawMessage    `json:"usage"`
	Error        *arespError        `json:"error"`
}

type ostreamMessage struct {
	ID    string          `json:"id"`
	Model string          `json:"model"`
	Usage json.RawMessage `json:"usage"`
}

type ostreamBlockStart struct {
	Type     string          `json:"type"`
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Text     string          `json:"text"`
	Thinking string          `json:"thinking"`
	Input    json.RawMessage `json:"input"`
}

type ostreamDeltaIn struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Thinking    string `json:"thinking"`
	PartialJSON string `json:"partial_json"`
	StopReason  string `json:"stop_reason"`
}

// ostreamUsage updates only the counts an event reports.
type ostreamUsage struct {
	Input      *int `json:"input_tokens"`
	Output     *int `json:"output_tokens"`
	CacheRead  *int `json:"cache_read_input_tokens"`
	CacheWrite *int `json:"cache_creation_input_tokens"`
}

type ostreamChunk struct {
	ID      string           `json:"id"`
	Object  string           `json:"object"`
	Created int64            `json:"created"`
	Model   string           `json:"model"`
	Choices []ostreamChoice  `json:"choices"`
	Usage   *OpenAIUsageJSON `json:"usage,omitempty"`
}

type ostreamChoice struct {
	Index        int          `json:"index"`
	Delta        ostreamDelta `json:"delta"`
	FinishReason *string      `json:"finish_reason"`
}

type ostreamDelta struct {
	Role             string          `json:"role,omitempty"`
	Content          *string         `json:"content,omitempty"`
	ReasoningContent *string         `json:"reasoning_content,omitempty"`
	ToolCalls        []arespToolCall `json:"tool_calls,omitempty"`
}

var _ StreamConverter = (*OpenAIStream)(nil)

func ostreamDone() Event { return Event{Data: []byte("[DONE]")} }

// NewOpenAIStream returns a converter for one stream. clientModel names the
// model until the upstream's message_start does; includeUsage adds the final
// usage chunk (the client's stream_options.include_usage).
func NewOpenAIStream(clientModel string, includeUsage bool) *OpenAIStream {
	return &OpenAIStream{model: clientModel, includeUsage: includeUsage, created: arespNow().Unix(),
		tools: map[int]*ostreamTool{}}
}

// Convert handles one Anthropic event. The JSON's "type" wins over name.
func (s *OpenAIStream) Convert(name string, data []byte) ([]Event, error) {
	if s.done || s.failed {
		return nil, nil
	}
	var ev ostreamEvent
	if s.slowDecode || ev.decodeFast(data) != nil { // see openai_stream_fast.go
		ev = ostreamEvent{}
		if err := json.Unmarshal(data, &ev); err != nil {
			return nil, fmt.Errorf("anthropic stream event %q is not valid JSON: %w", name, err)
		}
	}
	if ev.Type == "" {
		ev.Type = name
	}
	switch ev.Type {
	case "message_start":
		if m := ev.Message; m != nil {
			if s.id == "" && m.ID != "" {
				s.id = arespChatID(m.ID)
			}
			if m.Model != "" && !s.roleSent {
				s.model = m.Model
			}
			s.addUsage(m.Usage)
		}
	case "content_block_start":
		return s.blockStart(ev)
	case "content_block_delta":
		return s.blockDelta(ev)
	case "content_block_stop":
		if t := s.tools[ev.Index]; t != nil && !t.args {
			args := t.input
			t.args = true
			if args == "" {
				args = "{}"
			}
			return s.toolArgs(t, args)
		}
	case "message_delta":
		if ev.Delta != nil && ev.Delta.StopReason != "" {
			s.stopReason = ev.Delta.StopReason
		}
		s.addUsage(ev.Usage)
	case "message_stop":
		return s.finish()
	case "error":
		return nil, arespUpstreamError(ev.Error)
	}
	return nil, nil
}

func (s *OpenAIStream) blockStart(ev ostreamEvent) ([]Event, error) {
	b := ev.ContentBlock
	if b == nil {
		return nil, errors.New("anthropic content_block_start has no content_block")
	}
	switch b.Type {
	case "text":
		return s.content(b.Text)
	case "thinking":
		return s.reasoning(b.Thinking)
	case "tool_use":
		t := &ostreamTool{k: s.nTools}
		if in := arespArguments(b.Input); in != "{}" {
			t.input = in
		}
		s.tools[ev.Index] = t
		s.nTools++
		k := t.k
		return s.emit(ostreamDelta{ToolCalls: []arespToolCall{{Index: &k, ID: b.ID, Type: "function",
			Function: arespFunction{Name: b.Name}}}})
	}
	return nil, nil
}

func (s *OpenAIStream) blockDelta(ev ostreamEvent) ([]Event, error) {
	d := ev.Delta
	if d == nil {
		return nil, errors.New("anthropic content_block_delta has no delta")
	}
	switch d.Type {
	case "text_delta":
		return s.content(d.Text)
	case "thinking_delta":
		return s.reasoning(d.Thinking)
	case "input_json_delta":
		if t := s.tools[ev.Index]; t != nil && d.PartialJSON != "" {
			t.args = true
			return s.toolArgs(t, d.PartialJSON)
		}
	}
	return nil, nil
}

func (s *OpenAIStream) content(text string) ([]Event, error) {
	if text == "" {
		return nil, nil
	}
	return s.emit(ostreamDelta{Content: &text})
}

func (s *OpenAIStream) reasoning(text string) ([]Event, error) {
	if text == "" {
		return nil, nil
	}
	return s.emit(ostreamDelta{ReasoningContent: &text})
}

func (s *OpenAIStream) toolArgs(t *ostreamTool, args string) ([]Event, error) {
	k := t.k
	return s.emit(ostreamDelta{ToolCalls: []arespToolCall{{Index: &k, Function: arespFunction{Arguments: args}}}})
}

// emit writes one content delta, adding the role to the first.
func (s *OpenAIStream) emit(d ostreamDelta) ([]Event, error) {
	if !s.roleSent {
		d.Role, s.roleSent = "assistant", true
	}
	s.started = true
	ev, err := s.chunk([]ostreamChoice{{Delta: d}}, nil)
	if err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}

func (s *OpenAIStream) finish() ([]Event, error) {
	reason := arespFinishReason(s.stopReason, s.nTools > 0)
	var d ostreamDelta
	if !s.roleSent {
		d.Role, s.roleSent = "assistant", true
	}
	ev, err := s.chunk([]ostreamChoice{{Delta: d, FinishReason: &reason}}, nil)
	if err != nil {
		return nil, err
	}
	out := []Event{ev}
	if s.includeUsage {
		u := s.usage.OpenAI()
		if ev, err = s.chunk([]ostreamChoice{}, &u); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	s.done = true
	return append(out, ostreamDone()), nil
}

func (s *OpenAIStream) chunk(choices []ostreamChoice, u *OpenAIUsageJSON) (Event, error) {
	if s.id == "" {
		s.id = arespChatID("")
	}
	c := ostreamChunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model, Choices: choices, Usage: u}
	return Event{Data: c.appendJSON(make([]byte, 0, 160+c.size()))}, nil
}

func (s *OpenAIStream) addUsage(raw json.RawMessage) {
	var u ostreamUsage
	if len(raw) == 0 || json.Unmarshal(raw, &u) != nil {
		return
	}
	for _, f := range []struct {
		src *int
		dst *int
	}{{u.Input, &s.usage.Input}, {u.Output, &s.usage.Output}, {u.CacheRead, &s.usage.CacheRead},
		{u.CacheWrite, &s.usage.CacheWrite}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
}

// Started reports whether a content, reasoning or tool chunk was emitted.
func (s *OpenAIStream) Started() bool { return s.started }

// Done reports whether message_stop was converted.
func (s *OpenAIStream) Done() bool { return s.done }

// Fail ends the client's stream with an OpenAI-style error chunk and [DONE];
// after the end of the stream it returns nothing.
func (s *OpenAIStream) Fail(message string) []Event {
	if s.done || s.failed {
		return nil
	}
	s.failed = true
	var e struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
		} `json:"error"`
	}
	e.Error.Message, e.Error.Type = message, "server_error"
	data, _ := arespMarshal(e)
	return []Event{{Data: data}, ostreamDone()}
}

// Usage returns the normalised usage reported so far.
func (s *OpenAIStream) Usage() Usage { return s.usage }
