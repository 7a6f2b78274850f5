package convert

import (
	"bytes"
	"cmp"
	"fmt"
	"strconv"
)

// ChatFromResponsesStream converts a Responses stream (events named by their
// type, JSON with "type" and "sequence_number") into chat.completion.chunk
// events for a Chat Completions client. It is a StreamConverter owned by the
// proxy goroutine that feeds it; it is not safe for concurrent use.
//
// Lifecycle events (created, in_progress, content_part.*, *.done of what was
// streamed) emit nothing; the first content, reasoning or tool chunk carries
// role "assistant" and is the commit point. Text goes to content, refusals
// to refusal, reasoning summaries and reasoning text to reasoning_content
// (parts separated by "\n\n", as ResponsesToChatResponse joins them), each
// function_call item to tool call k = 0, 1, 2… in order of appearance.
//
// Peers lose what arrives only in a .done event; here an item's arguments
// or text that no delta carried are sent from function_call_arguments.done,
// output_text.done or output_item.done, and a stream that streamed nothing
// is answered from the final response's output. response.completed and
// response.incomplete end the stream with the finish_reason chunk, the usage
// chunk when asked for, and [DONE]; response.failed and error events make
// Convert return an error.
type ChatFromResponsesStream struct {
	id, model    string
	created      int64
	includeUsage bool
	usage        Usage
	calls        []*o2rStreamCall
	sent         map[string]bool // message items, their parts (item#index) and reasoning parts (s/c+part) sent
	reasonKey    string          // the reasoning part of the last reasoning delta
	reasoned     bool
	roleSent     bool
	started      bool
	done, failed bool
}

type o2rStreamCall struct {
	itemID string
	index  int    // output_index, -1 when not given
	k      int    // Chat tool call index
	input  string // arguments given whole with output_item.added
	sent   bool   // some arguments were emitted
}

type o2rChunk struct {
	ID      string           `json:"id"`
	Object  string           `json:"object"`
	Created int64            `json:"created"`
	Model   string           `json:"model"`
	Choices []o2rChoice      `json:"choices"`
	Usage   *OpenAIUsageJSON `json:"usage,omitempty"`
}

type o2rChoice struct {
	Index        int      `json:"index"`
	Delta        o2rDelta `json:"delta"`
	FinishReason *string  `json:"finish_reason"`
}

type o2rDelta struct {
	Role             string          `json:"role,omitempty"`
	Content          *string         `json:"content,omitempty"`
	ReasoningContent *string         `json:"reasoning_content,omitempty"`
	Refusal          *string         `json:"refusal,omitempty"`
	ToolCalls        []arespToolCall `json:"tool_calls,omitempty"`
}

var _ StreamConverter = (*ChatFromResponsesStream)(nil)

// NewChatStreamFromResponses returns a converter for one stream. clientModel
// names the model until response.created does; includeUsage adds the final
// usage chunk (the client's stream_options.include_usage).
func NewChatStreamFromResponses(clientModel string, includeUsage bool) *ChatFromResponsesStream {
	return &ChatFromResponsesStream{model: clientModel, includeUsage: includeUsage, created: arespNow().Unix(),
		sent: map[string]bool{}}
}

// Convert handles one Responses event. The JSON's "type" wins over name.
func (s *ChatFromResponsesStream) Convert(name string, data []byte) ([]Event, error) {
	if s.done || s.failed {
		return nil, nil
	}
	if data = bytes.TrimSpace(data); len(data) == 0 || string(data) == "[DONE]" {
		return nil, nil // not Responses, but some compatible servers send it: the EOF decides
	}
	var ev RespEvent
	if ev.decodeFast(data) != nil { // see responses_decode_fast.go
		ev = RespEvent{}
		if err := o2rUnmarshal(data, &ev); err != nil {
			return nil, fmt.Errorf("responses stream event %q is not valid JSON: %w", name, err)
		}
	}
	var out []Event
	switch typ := cmp.Or(ev.Type, name); typ {
	case "response.created", "response.in_progress", "response.queued":
		s.meta(ev.Response)
	case "response.output_text.delta":
		out = s.text(ev.ItemID, ev.ContentIndex, o2rDeref(ev.Delta), false)
	case "response.refusal.delta":
		out = s.text(ev.ItemID, ev.ContentIndex, o2rDeref(ev.Delta), true)
	case "response.output_text.done":
		if !s.sent[o2rPartKey(ev.ItemID, ev.ContentIndex)] {
			out = s.text(ev.ItemID, ev.ContentIndex, o2rDeref(ev.Text), false)
		}
	case "response.reasoning_summary_text.delta":
		out = s.reasoning(ev.ItemID, "s", ev.SummaryIndex, o2rDeref(ev.Delta))
	case "response.reasoning_text.delta":
		out = s.reasoning(ev.ItemID, "c", ev.ContentIndex, o2rDeref(ev.Delta))
	case "response.reasoning_summary_text.done":
		if !s.sent["s"+o2rPartKey(ev.ItemID, ev.SummaryIndex)] {
			out = s.reasoning(ev.ItemID, "s", ev.SummaryIndex, o2rDeref(ev.Text))
		}
	case "response.reasoning_text.done":
		if !s.sent["c"+o2rPartKey(ev.ItemID, ev.ContentIndex)] {
			out = s.reasoning(ev.ItemID, "c", ev.ContentIndex, o2rDeref(ev.Text))
		}
	case "response.output_item.added":
		if it := ev.Item; it != nil && it.Type == "function_call" && s.call(it.ID, ev.OutputIndex) == nil {
			out = s.openCall(it, ev.OutputIndex, false)
		}
	case "response.function_call_arguments.delta":
		if c := s.call(ev.ItemID, ev.OutputIndex); c != nil && o2rDeref(ev.Delta) != "" {
			out = s.args(c, *ev.Delta)
		}
	case "response.function_call_arguments.done":
		if c := s.call(ev.ItemID, ev.OutputIndex); c != nil && !c.sent {
			out = s.args(c, o2rArgs(cmp.Or(o2rDeref(ev.Arguments), c.input)))
		}
	case "response.output_item.done":
		out = s.itemDone(ev.Item, ev.OutputIndex)
	case "response.completed", "response.incomplete":
		return s.finish(ev.Response, typ == "response.incomplete"), nil
	case "response.failed", "response.cancelled":
		if r := ev.Response; r != nil {
			s.addUsage(r.Usage)
			if r.Error != nil {
				return nil, o2rUpstreamError(r.Error)
			}
		}
		return nil, o2rUpstreamError(nil)
	case "error":
		e := ev.Error
		if e == nil {
			e = &RespError{Code: o2rDeref(ev.Code), Message: ev.Message}
		}
		return nil, o2rUpstreamError(e)
	}
	return out, nil
}

// meta takes the chunk id, model and created time from the response, until
// the first chunk is written.
func (s *ChatFromResponsesStream) meta(r *RespAnswer) {
	if r == nil || s.roleSent {
		return
	}
	if r.ID != "" {
		s.id = o2rChatID(r.ID)
	}
	if r.Model != "" {
		s.model = r.Model
	}
	if r.CreatedAt != 0 {
		s.created = r.CreatedAt
	}
}

func o2rDeref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func o2rPartKey(itemID string, index *int) string {
	i := 0
	if index != nil {
		i = *index
	}
	return itemID + "#" + strconv.Itoa(i)
}

// text emits a content or refusal delta of a message item's part.
func (s *ChatFromResponsesStream) text(itemID string, index *int, text string, refusal bool) []Event {
	if text == "" {
		return nil
	}
	s.sent[itemID], s.sent[o2rPartKey(itemID, index)] = true, true
	if refusal {
		return s.emit(o2rDelta{Refusal: &text})
	}
	return s.emit(o2rDelta{Content: &text})
}

// reasoning emits a reasoning_content delta, "\n\n" first when it starts a
// new summary or reasoning part.
func (s *ChatFromResponsesStream) reasoning(itemID, kind string, index *int, text string) []Event {
	if text == "" {
		return nil
	}
	if key := kind + o2rPartKey(itemID, index); key != s.reasonKey {
		if s.reasoned {
			text = "\n\n" + text
		}
		s.reasonKey, s.reasoned, s.sent[key] = key, true, true
	}
	return s.emit(o2rDelta{ReasoningContent: &text})
}

// call finds the function call of an item by id, else by output_index
// when the event or the call has no id.
func (s *ChatFromResponsesStream) call(itemID string, index *int) *o2rStreamCall {
	for _, c := range s.calls {
		if itemID != "" && c.itemID == itemID {
			return c
		}
	}
	for _, c := range s.calls {
		if index != nil && c.index == *index && (itemID == "" || c.itemID == "") {
			return c
		}
	}
	return nil
}

// openCall starts tool call k with its id and name; whole sends the
// item's arguments at once (an item seen only when done).
func (s *ChatFromResponsesStream) openCall(it *RespItem, index *int, whole bool) []Event {
	c := &o2rStreamCall{itemID: it.ID, index: -1, k: len(s.calls), input: o2rDeref(it.Arguments)}
	if index != nil {
		c.index = *index
	}
	s.calls = append(s.calls, c)
	k, args := c.k, ""
	if whole {
		args, c.sent = o2rArgs(c.input), true
	}
	return s.emit(o2rDelta{ToolCalls: []arespToolCall{{Index: &k, ID: o2rCallID(it.CallID, it.ID), Type: "function",
		Function: arespFunction{Name: it.Name, Arguments: args}}}})
}

func (s *ChatFromResponsesStream) args(c *o2rStreamCall, args string) []Event {
	c.sent = true
	k := c.k
	return s.emit(o2rDelta{ToolCalls: []arespToolCall{{Index: &k, Function: arespFunction{Arguments: args}}}})
}

// itemDone sends what a finished item holds that no delta carried.
func (s *ChatFromResponsesStream) itemDone(it *RespItem, index *int) []Event {
	if it == nil {
		return nil
	}
	switch it.Type {
	case "function_call":
		c := s.call(it.ID, index)
		if c == nil {
			return s.openCall(it, index, true)
		}
		if !c.sent {
			return s.args(c, o2rArgs(cmp.Or(o2rDeref(it.Arguments), c.input)))
		}
	case "message":
		var out []Event
		for i, p := range o2rItemParts(it.Content) {
			if s.sent[o2rPartKey(it.ID, &i)] {
				continue
			}
			switch p.Type {
			case "output_text":
				out = append(out, s.text(it.ID, &i, p.Text, false)...)
			case "refusal":
				out = append(out, s.text(it.ID, &i, p.Refusal, true)...)
			}
		}
		return out
	}
	return nil
}

// finish ends the stream at response.completed or .incomplete.
func (s *ChatFromResponsesStream) finish(r *RespAnswer, incomplete bool) []Event {
	var out []Event
	var inc *RespIncomplete
	if r != nil {
		s.meta(r)
		s.addUsage(r.Usage)
		inc = r.IncompleteDetails
		if !s.started {
			out = s.replay(r.Output)
		}
	}
	status := "completed"
	if incomplete || r != nil && r.Status == "incomplete" {
		status = "incomplete"
	}
	reason := o2rFinishReason(status, inc, len(s.calls) > 0)
	var d o2rDelta
	if !s.roleSent {
		d.Role, s.roleSent = "assistant", true
	}
	s.started, s.done = true, true
	out = append(out, s.chunk([]o2rChoice{{Delta: d, FinishReason: &reason}}, nil))
	if s.includeUsage {
		u := s.usage.OpenAI()
		out = append(out, s.chunk([]o2rChoice{}, &u))
	}
	return append(out, ostreamDone())
}

// replay sends the final output of a server that streamed nothing of it.
func (s *ChatFromResponsesStream) replay(items []RespItem) []Event {
	var out []Event
	for i := range items {
		it := &items[i]
		if it.Type != "reasoning" {
			out = append(out, s.itemDone(it, &i)...)
			continue
		}
		for j, text := range o2rCollect(items[i : i+1]).thinking {
			out = append(out, s.reasoning(it.ID, "s", &j, text)...)
		}
	}
	return out
}

func (s *ChatFromResponsesStream) addUsage(u *RespUsage) {
	if n, ok := UsageFromResponses(u); ok {
		s.usage = n
	}
}

// emit writes one delta chunk, adding the role to the first.
func (s *ChatFromResponsesStream) emit(d o2rDelta) []Event {
	if !s.roleSent {
		d.Role, s.roleSent = "assistant", true
	}
	s.started = true
	return []Event{s.chunk([]o2rChoice{{Delta: d}}, nil)}
}

func (s *ChatFromResponsesStream) chunk(choices []o2rChoice, u *OpenAIUsageJSON) Event {
	if s.id == "" {
		s.id = arespChatID("")
	}
	data, _ := arespMarshal(o2rChunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
		Choices: choices, Usage: u}) // strings and numbers only: it cannot fail
	return Event{Data: data}
}

// Started reports whether a content, reasoning, tool or finish chunk was emitted.
func (s *ChatFromResponsesStream) Started() bool { return s.started }

// Done reports whether response.completed or .incomplete was converted.
func (s *ChatFromResponsesStream) Done() bool { return s.done }

// Fail ends the client's stream with an OpenAI-style error chunk and [DONE],
// as OpenAIStream.Fail; after the end of the stream it returns nothing.
func (s *ChatFromResponsesStream) Fail(message string) []Event {
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

// Usage returns the normalised usage of the final response.
func (s *ChatFromResponsesStream) Usage() Usage { return s.usage }
