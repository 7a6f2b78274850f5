package convert

import (
	"cmp"
	"strings"
)

// The observer of protocol "responses": a Responses stream (events named by
// their type) or a whole response object, read on the side for the records.
//
// StopReason is the response's final status, "completed" (with or without
// function calls: ToolCalls shows them), "failed" (also for an error event)
// or "cancelled"; for an incomplete response it is the reason given,
// "max_output_tokens" or "content_filter", else "incomplete".
//
// Reasoning parts are separated by "\n\n" (a summary or reasoning part
// added after some thinking), as the Chat converters join them.

// obsRespEvent is the part of a Responses stream event the observer reads;
// response.completed's output is not decoded: the deltas and the items'
// done events have said it already.
type obsRespEvent struct {
	Type        string           `json:"type"`
	OutputIndex *int             `json:"output_index"`
	Delta       string           `json:"delta"`
	Text        *string          `json:"text"`    // output_text.done, reasoning_*.done
	Refusal     *string          `json:"refusal"` // refusal.done
	Arguments   *string          `json:"arguments"`
	Input       *string          `json:"input"` // custom_tool_call_input.done
	Item        *obsRespItem     `json:"item"`
	Part        *obsRespPart     `json:"part"`
	Response    *obsRespResponse `json:"response"`
}

// obsRespItem is what the observer reads of an event's item: a message's
// content has been said by its deltas and done events, so only a call's
// fields matter.
type obsRespItem struct {
	Type      string  `json:"type"`
	ID        string  `json:"id"`
	CallID    string  `json:"call_id"`
	Name      string  `json:"name"`
	Arguments *string `json:"arguments"`
	Input     *string `json:"input"`
}

// obsRespPart is what the observer reads of an event's content part.
type obsRespPart struct {
	Type string `json:"type"`
}

// obsRespResponse is what the observer reads of an event's response object.
type obsRespResponse struct {
	Status            string          `json:"status"`
	IncompleteDetails *RespIncomplete `json:"incomplete_details"`
	Usage             *RespUsage      `json:"usage"`
}

// responses reads one Responses stream event (Event has checked it is an
// object). Calls are keyed by output_index.
func (o *Observer) responses(name string, data []byte) {
	var e obsRespEvent
	if e.decodeFast(data) != nil {
		e = obsRespEvent{}
		if !o.dec.decode(data, &e) {
			return
		}
	}
	key := -1
	if e.OutputIndex != nil {
		key = *e.OutputIndex
	}
	switch cmp.Or(e.Type, name) {
	case "response.output_text.delta", "response.refusal.delta":
		o.add(&o.text, e.Delta)
	case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
		o.add(&o.thinking, e.Delta)
	case "response.output_text.done":
		o.respDone(&o.text, e.Text)
	case "response.refusal.done":
		o.respDone(&o.text, e.Refusal)
	case "response.reasoning_summary_text.done", "response.reasoning_text.done":
		o.respDone(&o.thinking, e.Text)
	case "response.reasoning_summary_part.added":
		o.respSeparate()
	case "response.content_part.added":
		if e.Part != nil && e.Part.Type == "reasoning_text" {
			o.respSeparate()
		}
	case "response.output_item.added":
		if it := e.Item; it != nil && (it.Type == "function_call" || it.Type == "custom_tool_call") {
			o.respOpen(key, it)
		}
	case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta":
		if c := o.respCall(key); c != nil && e.Delta != "" {
			if c.fresh {
				c.args, c.fresh = c.args[:0], false
			}
			c.args = append(c.args, e.Delta...)
		}
	case "response.function_call_arguments.done":
		o.respWhole(key, e.Arguments)
	case "response.custom_tool_call_input.done":
		o.respWhole(key, e.Input)
	case "response.output_item.done":
		if it := e.Item; it != nil && (it.Type == "function_call" || it.Type == "custom_tool_call") {
			if o.respCall(key) == nil {
				o.respOpen(key, it)
			}
			o.respWhole(key, cmp.Or(it.Arguments, it.Input))
		}
	case "response.completed", "response.incomplete", "response.failed", "response.cancelled":
		if r := e.Response; r != nil {
			o.stop = cmp.Or(o2rStopReason(r.Status, r.IncompleteDetails), o.stop)
			if u, ok := UsageFromResponses(r.Usage); ok {
				o.usage, o.hasUsage = u, true
			}
		}
	case "error":
		o.stop = "failed"
	}
}

// respDone adds the whole text of a part that no delta streamed (servers
// that send only .done events): after its deltas, what was observed ends
// with it.
func (o *Observer) respDone(b *strings.Builder, text *string) {
	if text != nil && !strings.HasSuffix(b.String(), *text) {
		o.add(b, *text)
	}
}

// respSeparate puts "\n\n" between reasoning parts.
func (o *Observer) respSeparate() {
	if o.thinking.Len() > 0 {
		o.thinking.WriteString("\n\n")
	}
}

// respOpen starts a call; arguments given with it are replaced by deltas.
func (o *Observer) respOpen(key int, it *obsRespItem) {
	args := cmp.Or(it.Arguments, it.Input)
	o.calls = append(o.calls, obsCall{key: key, id: o2rCallID(it.CallID, it.ID), name: it.Name,
		args: []byte(o2rDeref(args)), fresh: true})
	o.first = true
}

// respCall is the call at output_index key, or the last one when the event
// gives no index.
func (o *Observer) respCall(key int) *obsCall {
	if key < 0 && len(o.calls) > 0 {
		return &o.calls[len(o.calls)-1]
	}
	return o.call(key)
}

// respWhole replaces a call's arguments by the full text a done event gives.
func (o *Observer) respWhole(key int, args *string) {
	if c := o.respCall(key); c != nil && args != nil && *args != "" {
		c.args, c.fresh = append(c.args[:0], *args...), false
	}
}

// observeResponses reads a whole response object (or error body).
func observeResponses(body []byte) Output {
	var r RespAnswer
	if respDecode(body, &r) != nil {
		return Output{}
	}
	return ObserveResponsesObject(&r)
}

// ObserveResponsesObject is what ObserveResponse("responses", body) says of
// the response body encodes: a converted lane has the object at hand and
// need not decode what it has just encoded.
func ObserveResponsesObject(r *RespAnswer) Output {
	o := o2rCollect(r.Output)
	out := Output{Text: o.text.String() + o.refusal.String(), Thinking: o.reasoning(), ToolCalls: o.calls,
		StopReason: o2rStopReason(r.Status, r.IncompleteDetails)}
	out.Usage, out.HasUsage = UsageFromResponses(r.Usage)
	return out
}
