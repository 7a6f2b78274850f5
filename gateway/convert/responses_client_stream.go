package convert

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"strings"
)

// ResponsesStream turns a Chat Completions chunk stream into Responses
// stream events for a Responses client (Codex): response.created and
// response.in_progress, then per output item output_item.added, its part
// and delta events and output_item.done, and at [DONE] response.completed
// (or response.incomplete) with the whole response. Every event has a
// sequence_number counting from 0, and its SSE event name is its type.
//
// Output items follow the order of the chunks. A message (output_text and
// refusal parts) and a reasoning item (reasoning_content or reasoning deltas,
// sent as a reasoning summary, the only reasoning Codex shows) are open one at
// a time: a delta of the other kind, or a tool call, closes the open one.
// Tool calls are keyed by Chat index (a new id or name there starts a new
// call); each is an item of its own, opened once its name is known, so
// interleaved deltas of parallel calls go to their own item_id and
// output_index, and they stay open until [DONE]. Blank text or reasoning that
// would open an item is held for the next delta of its kind (vLLM sends "\n\n"
// between reasoning and tool calls). Item ids derive from meta.ID, the same as
// ChatToResponsesResponse's.
type ResponsesStream struct {
	meta  RespMeta
	names *r2oNames

	seq                            int
	created, started, done, failed bool
	items                          []*r2oStreamItem // in output_index order
	msg, rsn                       *r2oStreamItem   // the open message, reasoning item
	calls                          []*r2oStreamItem // tool calls, the newest last
	held                           string           // blank text held back
	heldKind                       byte
	finish                         string
	usage                          Usage
	haveUsage                      bool
	outBytes                       int
	final                          *RespResponse
	out                            []Event
	chunks                         chatChunkReader
}

var _ StreamConverter = (*ResponsesStream)(nil)

// NewResponsesStream returns the converter for one stream.
func NewResponsesStream(meta RespMeta) *ResponsesStream {
	meta = meta.withID()
	var tools []RespTool
	if meta.Request != nil {
		tools = meta.Request.Tools
	}
	return &ResponsesStream{meta: meta, names: newR2ONames(tools)}
}

// Started reports whether a text, reasoning or tool delta (or the finish) came.
func (s *ResponsesStream) Started() bool { return s.started }

// Done reports whether [DONE] was converted into the terminal events.
func (s *ResponsesStream) Done() bool { return s.done }

// Response is the final response object once Done, else nil.
func (s *ResponsesStream) Response() *RespResponse { return s.final }

// Usage returns the upstream's usage, or an estimate of the output (from the
// bytes produced) marked Estimated when the upstream sent none.
func (s *ResponsesStream) Usage() Usage {
	if s.haveUsage {
		return s.usage
	}
	return Usage{Output: (s.outBytes + 3) / 4, Estimated: true}
}

// Convert converts one upstream SSE data payload. Events after Done or Fail
// are ignored; events built before an error stay queued for Fail.
func (s *ResponsesStream) Convert(name string, data []byte) ([]Event, error) {
	if s.done || s.failed {
		return nil, nil
	}
	data = bytes.TrimSpace(data)
	switch {
	case name == "error":
		return nil, fmt.Errorf("upstream error event: %.500s", data)
	case len(data) == 0:
		return nil, nil
	case string(data) == "[DONE]":
		s.finishStream()
		return s.flush(), nil
	}
	c, err := s.chunks.read(data)
	if err != nil {
		return nil, err
	}
	if len(c.Error) > 0 && string(c.Error) != "null" && len(c.Choices) == 0 {
		return nil, r2oUpstreamError(c.Error)
	}
	s.ensureCreated()
	if u, ok := UsageFromOpenAI(c.Usage); ok && u.Input+u.Output+u.CacheRead+u.CacheWrite > 0 {
		s.usage, s.haveUsage = u, true
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index != 0 {
			continue // n > 1 is not supported: the first choice only
		} else if ch.FinishReason == "error" {
			return nil, errors.New(`upstream finished the stream with finish_reason "error"`)
		}
		d := &ch.Delta
		s.content(r2oSummary, cmp.Or(d.ReasoningContent, d.Reasoning))
		s.content(r2oText, d.Content)
		s.content(r2oRefusal, d.Refusal)
		for _, t := range d.ToolCalls {
			s.toolDelta(t.Index, t.ID, t.Function.Name, t.Function.Arguments)
		}
		if ch.FinishReason != "" {
			s.finish, s.started = ch.FinishReason, true
		}
	}
	return s.flush(), nil
}

// Fail ends the stream with response.failed (code server_error), its output
// the items completed so far; open items are left as they are.
func (s *ResponsesStream) Fail(message string) []Event {
	if s.done || s.failed {
		return nil
	}
	s.failed = true
	s.ensureCreated()
	var output []RespItem
	for _, it := range s.items {
		if it.closed {
			output = append(output, it.item)
		}
	}
	var usage *RespUsage
	if s.haveUsage {
		usage = s.usage.Responses()
	}
	resp := s.meta.response("failed", output, usage)
	resp.Error = &RespError{Code: "server_error", Message: message}
	s.emit(r2oEvent{Type: "response.failed", Response: resp})
	return s.flush()
}

func (s *ResponsesStream) ensureCreated() {
	if s.created {
		return
	}
	s.created = true
	s.emit(r2oEvent{Type: "response.created", Response: s.meta.response("in_progress", nil, nil)})
	s.emit(r2oEvent{Type: "response.in_progress", Response: s.meta.response("in_progress", nil, nil)})
}

// content handles a text, refusal (message) or reasoning (r2oSummary) delta.
func (s *ResponsesStream) content(kind byte, text string) {
	if text == "" {
		return
	}
	s.outBytes += len(text)
	open := s.msg != nil
	if kind == r2oSummary {
		open = s.rsn != nil
	}
	if !open {
		if strings.TrimSpace(text) == "" {
			if s.heldKind != kind {
				s.held, s.heldKind = "", kind
			}
			s.held += text
			return
		}
		if s.heldKind == kind {
			text = s.held + text
		}
	}
	s.held, s.heldKind, s.started = "", 0, true
	if kind == r2oSummary {
		s.reasoningDelta(text)
	} else {
		s.messageDelta(kind, text)
	}
}

func (s *ResponsesStream) reasoningDelta(text string) {
	r := s.rsn
	if r == nil {
		s.closeMessage("completed")
		r = s.newItem(r2oKindReasoning, "rs")
		s.rsn = r
		s.emit(r2oEvent{Type: "response.output_item.added", OutputIndex: r2oInt(r.index),
			Item: r2oAddedReasoning{ID: r.id, Type: "reasoning", Summary: []RespPart{}}})
		part := newR2OPart(r2oSummary, "")
		s.emit(r2oEvent{Type: "response.reasoning_summary_part.added", ItemID: r.id, OutputIndex: r2oInt(r.index),
			SummaryIndex: r2oInt(0), Part: &part})
	}
	r.text.WriteString(text)
	s.emit(r2oEvent{Type: "response.reasoning_summary_text.delta", ItemID: r.id, OutputIndex: r2oInt(r.index),
		SummaryIndex: r2oInt(0), Delta: &text})
}

func (s *ResponsesStream) messageDelta(kind byte, text string) {
	m := s.msg
	if m == nil {
		s.closeReasoning()
		m = s.newItem(r2oKindMessage, "msg")
		s.msg = m
		item := r2oMessageItem(m.id, "in_progress", nil)
		s.emit(r2oEvent{Type: "response.output_item.added", OutputIndex: r2oInt(m.index), Item: &item})
	}
	if n := len(m.parts); n == 0 || m.parts[n-1].kind != kind {
		if n > 0 {
			s.closePart(m)
		}
		m.parts = append(m.parts, &r2oStreamPart{kind: kind})
		part := newR2OPart(kind, "")
		s.emit(r2oEvent{Type: "response.content_part.added", ItemID: m.id, OutputIndex: r2oInt(m.index),
			ContentIndex: r2oInt(len(m.parts) - 1), Part: &part})
	}
	ci := len(m.parts) - 1
	m.parts[ci].text.WriteString(text)
	if kind == r2oRefusal {
		s.emit(r2oEvent{Type: "response.refusal.delta", ItemID: m.id, OutputIndex: r2oInt(m.index),
			ContentIndex: r2oInt(ci), Delta: &text})
		return
	}
	s.emit(r2oEvent{Type: "response.output_text.delta", ItemID: m.id, OutputIndex: r2oInt(m.index),
		ContentIndex: r2oInt(ci), Delta: &text, Logprobs: &[]struct{}{}})
}

func (s *ResponsesStream) toolDelta(key int, id, name, args string) {
	var call *r2oStreamItem
	for i := len(s.calls) - 1; i >= 0 && call == nil; i-- {
		if s.calls[i].key == key {
			call = s.calls[i]
		}
	}
	if call == nil || id != "" && call.callID != "" && id != call.callID || name != "" && call.name != "" && name != call.name {
		if call != nil { // another call reuses the index: the old one is complete
			s.closeCall(call, "completed")
		}
		call = &r2oStreamItem{kind: r2oKindCall, key: key}
		s.calls = append(s.calls, call)
	}
	call.callID, call.name = cmp.Or(call.callID, id), cmp.Or(call.name, name)
	s.outBytes += len(args)
	call.text.WriteString(args)
	switch {
	case !call.opened && call.name != "":
		s.openCall(call)
	case call.opened && args != "":
		s.emit(r2oEvent{Type: "response.function_call_arguments.delta", ItemID: call.id, OutputIndex: r2oInt(call.index),
			Delta: &args})
	}
}

// openCall starts a function_call item, sending the arguments buffered
// while its name was unknown in one delta.
func (s *ResponsesStream) openCall(call *r2oStreamItem) {
	s.closeMessage("completed")
	s.closeReasoning()
	s.held, s.heldKind, s.started = "", 0, true
	n := s.newItem(r2oKindCall, "fc")
	call.index, call.id, call.opened = n.index, n.id, true
	s.items[n.index] = call
	if call.callID == "" {
		call.callID = s.meta.itemID("call", call.index)
	}
	if call.name == "" {
		call.name = "unknown_tool"
	}
	item := r2oCallItem(call.id, "in_progress", call.callID, call.name, "", s.names)
	s.emit(r2oEvent{Type: "response.output_item.added", OutputIndex: r2oInt(call.index), Item: &item})
	if call.text.Len() > 0 {
		args := call.text.String()
		s.emit(r2oEvent{Type: "response.function_call_arguments.delta", ItemID: call.id, OutputIndex: r2oInt(call.index),
			Delta: &args})
	}
}

// finishStream closes every open item at [DONE], the last one incomplete
// when the response is, and sends the terminal event with the response.
func (s *ResponsesStream) finishStream() {
	s.ensureCreated()
	for _, c := range s.calls {
		if !c.opened && (c.callID != "" || c.text.Len() > 0) {
			s.openCall(c) // a call whose name never came
		}
	}
	status, incomplete := r2oStatus(s.finish)
	last := len(s.items) - 1
	for i, it := range s.items {
		st := "completed"
		if incomplete != nil && i == last {
			st = "incomplete"
		}
		switch {
		case it.closed:
		case it.kind == r2oKindMessage:
			s.closeMessage(st)
		case it.kind == r2oKindReasoning:
			s.closeReasoning()
		default:
			s.closeCall(it, st)
		}
	}
	output := make([]RespItem, len(s.items))
	for i, it := range s.items {
		output[i] = it.item
	}
	resp := s.meta.response(status, output, s.Usage().Responses())
	resp.IncompleteDetails = incomplete
	typ := "response.completed"
	if incomplete != nil {
		typ = "response.incomplete"
	}
	s.emit(r2oEvent{Type: typ, Response: resp})
	s.final, s.done, s.started = resp, true, true
}
