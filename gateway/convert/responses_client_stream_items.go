package convert

// The output items and events of ResponsesStream (split from
// responses_client_stream.go to keep files short).

import (
	"strings"
)

const r2oKindMessage, r2oKindReasoning, r2oKindCall byte = 1, 2, 3

type r2oStreamItem struct {
	kind   byte
	index  int
	id     string
	closed bool
	item   RespItem         // the item of output_item.done
	parts  []*r2oStreamPart // pointers: a strings.Builder must not be copied
	text   strings.Builder  // reasoning text, or a call's arguments
	// tool calls
	key          int
	callID, name string
	opened       bool
}

type r2oStreamPart struct {
	kind byte // r2oText or r2oRefusal
	text strings.Builder
}

// r2oEvent is one Responses stream event.
type r2oEvent struct {
	Type           string        `json:"type"`
	SequenceNumber int           `json:"sequence_number"`
	Response       *RespResponse `json:"response,omitempty"`
	OutputIndex    *int          `json:"output_index,omitempty"`
	ItemID         string        `json:"item_id,omitempty"`
	ContentIndex   *int          `json:"content_index,omitempty"`
	SummaryIndex   *int          `json:"summary_index,omitempty"`
	Item           any           `json:"item,omitempty"`
	Part           *r2oPart      `json:"part,omitempty"`
	Delta          *string       `json:"delta,omitempty"`
	Text           *string       `json:"text,omitempty"`
	Refusal        *string       `json:"refusal,omitempty"`
	Arguments      *string       `json:"arguments,omitempty"`
	Logprobs       *[]struct{}   `json:"logprobs,omitempty"`
}

// r2oAddedReasoning is a reasoning item as output_item.added carries it:
// summary is required, so it is [] rather than left out.
type r2oAddedReasoning struct {
	ID      string     `json:"id"`
	Type    string     `json:"type"`
	Summary []RespPart `json:"summary"`
}

// closeCall ends a function_call item (opening it first if its name never
// came), with "{}" for arguments that never streamed.
func (s *ResponsesStream) closeCall(call *r2oStreamItem, status string) {
	if call.closed {
		return
	}
	if !call.opened {
		s.openCall(call)
	}
	args := call.text.String()
	if strings.TrimSpace(args) == "" {
		args = "{}" // a call whose arguments never streamed
	}
	s.emit(r2oEvent{Type: "response.function_call_arguments.done", ItemID: call.id, OutputIndex: r2oInt(call.index),
		Arguments: &args})
	call.item = r2oCallItem(call.id, status, call.callID, call.name, args, s.names)
	s.doneItem(call)
}

// closePart ends the message's last content part.
func (s *ResponsesStream) closePart(m *r2oStreamItem) {
	ci := len(m.parts) - 1
	p := m.parts[ci]
	text := p.text.String()
	if p.kind == r2oRefusal {
		s.emit(r2oEvent{Type: "response.refusal.done", ItemID: m.id, OutputIndex: r2oInt(m.index),
			ContentIndex: r2oInt(ci), Refusal: &text})
	} else {
		s.emit(r2oEvent{Type: "response.output_text.done", ItemID: m.id, OutputIndex: r2oInt(m.index),
			ContentIndex: r2oInt(ci), Text: &text, Logprobs: &[]struct{}{}})
	}
	part := newR2OPart(p.kind, text)
	s.emit(r2oEvent{Type: "response.content_part.done", ItemID: m.id, OutputIndex: r2oInt(m.index),
		ContentIndex: r2oInt(ci), Part: &part})
}

// closeMessage ends the open message item, if any.
func (s *ResponsesStream) closeMessage(status string) {
	m := s.msg
	if m == nil {
		return
	}
	s.msg = nil
	s.closePart(m)
	parts := make([]r2oPart, len(m.parts))
	for i := range m.parts {
		parts[i] = newR2OPart(m.parts[i].kind, m.parts[i].text.String())
	}
	m.item = r2oMessageItem(m.id, status, parts)
	s.doneItem(m)
}

// closeReasoning ends the open reasoning item, if any.
func (s *ResponsesStream) closeReasoning() {
	r := s.rsn
	if r == nil {
		return
	}
	s.rsn = nil
	text := r.text.String()
	s.emit(r2oEvent{Type: "response.reasoning_summary_text.done", ItemID: r.id, OutputIndex: r2oInt(r.index),
		SummaryIndex: r2oInt(0), Text: &text})
	part := newR2OPart(r2oSummary, text)
	s.emit(r2oEvent{Type: "response.reasoning_summary_part.done", ItemID: r.id, OutputIndex: r2oInt(r.index),
		SummaryIndex: r2oInt(0), Part: &part})
	r.item = RespItem{Type: "reasoning", ID: r.id, Summary: []RespPart{{Type: "summary_text", Text: text}}}
	s.doneItem(r)
}

func (s *ResponsesStream) doneItem(it *r2oStreamItem) {
	it.closed = true
	s.emit(r2oEvent{Type: "response.output_item.done", OutputIndex: r2oInt(it.index), Item: &it.item})
}

// newItem appends an output item.
func (s *ResponsesStream) newItem(kind byte, prefix string) *r2oStreamItem {
	it := &r2oStreamItem{kind: kind, index: len(s.items)}
	it.id = s.meta.itemID(prefix, it.index)
	s.items = append(s.items, it)
	return it
}

// emit queues one event, numbering it.
func (s *ResponsesStream) emit(e r2oEvent) {
	e.SequenceNumber = s.seq
	s.seq++
	data, err := arespMarshal(e)
	if err != nil { // only a RespMeta built by hand with invalid raw JSON
		data, _ = arespMarshal(map[string]any{"type": "error", "sequence_number": e.SequenceNumber, "message": err.Error()})
	}
	s.out = append(s.out, Event{Name: e.Type, Data: data})
}

func (s *ResponsesStream) flush() []Event {
	out := s.out
	s.out = nil
	return out
}

func r2oInt(i int) *int { return &i }
