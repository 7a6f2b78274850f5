package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ResponsesToChatResponse converts a non-streaming Responses answer (a
// response object) into a chat.completion for a Chat Completions client:
//   - the id is "chatcmpl-" and the response id without "resp_"; created is
//     created_at; the model is the upstream's, else clientModel;
//   - content is the output_text of the message items, concatenated, or
//     null when there is none; refusal parts go to refusal;
//   - the reasoning items' summary texts (their reasoning_text content when
//     they have no summary: open-weight servers) go to reasoning_content,
//     joined with "\n\n"; encrypted reasoning is dropped;
//   - function_call items become tool_calls with their call_id as id
//     (pitfall 34); built-in tool calls (web search…) are dropped;
//   - finish_reason is "length" or "content_filter" for an incomplete
//     response (even with tool calls: a call cut off by max_output_tokens
//     must not be run, and Chat says "length" then too), else "tool_calls"
//     when there is a function call, else "stop".
//
// A failed response, an error body or something else than a response is an
// error, so the proxy falls over to the next upstream.
func ResponsesToChatResponse(body []byte, clientModel string) (out []byte, usage Usage, err error) {
	var r RespAnswer
	if err := respDecode(body, &r); err != nil {
		return nil, Usage{}, fmt.Errorf("responses upstream answer is not valid JSON: %w", err)
	}
	if err := o2rResponseError(&r); err != nil {
		return nil, Usage{}, err
	}
	if r.Object != "response" && r.Output == nil {
		return nil, Usage{}, errors.New("responses upstream answer is not a response object")
	}
	o := o2rCollect(r.Output)
	msg := arespOutMessage{Role: "assistant", Content: o.content(), ReasoningContent: o.reasoning(), ToolCalls: o.chatCalls()}
	if o.refusal.Len() > 0 {
		msg.Refusal = new(o.refusal.String())
	}
	usage, _ = UsageFromResponses(r.Usage)
	created := r.CreatedAt
	if created == 0 {
		created = arespNow().Unix()
	}
	c := arespCompletion{ID: o2rChatID(r.ID), Object: "chat.completion", Created: created, Model: o2rModel(r.Model, clientModel),
		Choices: []arespChoice{{Message: msg, FinishReason: o2rFinishReason(r.Status, r.IncompleteDetails, len(msg.ToolCalls) > 0)}},
		Usage:   usage.OpenAI()}
	out, err = arespMarshal(c)
	return out, usage, err
}

// o2rResponseError reports a response that is not an answer: an error body
// ({"error":{…}}), or a status other than completed and incomplete.
func o2rResponseError(r *RespAnswer) error {
	switch {
	case r.Error != nil && (r.Error.Message != "" || r.Error.Code != ""):
		return o2rUpstreamError(r.Error)
	case r.Status == "failed":
		return o2rUpstreamError(nil)
	case r.Status == "cancelled", r.Status == "queued", r.Status == "in_progress":
		return fmt.Errorf("responses upstream answered with a %s response", r.Status)
	}
	return nil
}

// o2rUpstreamError describes a Responses error object.
func o2rUpstreamError(e *RespError) error {
	switch {
	case e == nil || e.Message == "" && e.Code == "":
		return errors.New("responses upstream error: the response failed")
	case e.Code == "":
		return fmt.Errorf("responses upstream error: %s", e.Message)
	}
	return fmt.Errorf("responses upstream error (%s): %s", e.Code, e.Message)
}

// o2rChatID derives a chat completion id from a response id.
func o2rChatID(respID string) string {
	if respID == "" {
		return arespChatID("")
	}
	return "chatcmpl-" + strings.TrimPrefix(respID, "resp_")
}

func o2rModel(upstream, client string) string {
	if upstream != "" {
		return upstream
	}
	return client
}

// o2rFinishReason maps a response's status to a Chat finish_reason (see
// ResponsesToChatResponse).
func o2rFinishReason(status string, inc *RespIncomplete, calls bool) string {
	if status == "incomplete" || inc != nil && inc.Reason != "" {
		if inc != nil && inc.Reason == "content_filter" {
			return "content_filter"
		}
		return "length" // max_output_tokens, and reasons yet unknown
	}
	if calls {
		return "tool_calls"
	}
	return "stop"
}

// o2rStopReason is what the observer records for a response: its status,
// or for an incomplete one the reason it gives.
func o2rStopReason(status string, inc *RespIncomplete) string {
	if status == "incomplete" && inc != nil && inc.Reason != "" {
		return inc.Reason
	}
	return status
}

// o2rOutput is what a response's output items say.
type o2rOutput struct {
	text, refusal strings.Builder
	hasText       bool     // some output_text part, maybe empty
	thinking      []string // reasoning parts, in order
	calls         []ToolCall
	custom        []bool // calls[i] is a custom (free-form) tool call
}

// o2rCollect reads output items; what it does not know is skipped.
func o2rCollect(items []RespItem) *o2rOutput {
	o := &o2rOutput{}
	for _, it := range items {
		switch it.Type {
		case "message", "":
			for _, p := range o2rItemParts(it.Content) {
				switch p.Type {
				case "output_text", "text":
					o.text.WriteString(p.Text)
					o.hasText = true
				case "refusal":
					o.refusal.WriteString(p.Refusal)
				}
			}
		case "reasoning":
			var parts []string
			for _, p := range it.Summary {
				if p.Text != "" {
					parts = append(parts, p.Text)
				}
			}
			if len(parts) == 0 {
				for _, p := range o2rItemParts(it.Content) {
					if p.Type == "reasoning_text" && p.Text != "" {
						parts = append(parts, p.Text)
					}
				}
			}
			o.thinking = append(o.thinking, parts...)
		case "function_call":
			args := ""
			if it.Arguments != nil {
				args = *it.Arguments
			}
			o.calls = append(o.calls, ToolCall{ID: o2rCallID(it.CallID, it.ID), Name: it.Name, Arguments: args})
			o.custom = append(o.custom, false)
		case "custom_tool_call": // never asked for by Chat clients: for the observer only
			input := ""
			if it.Input != nil {
				input = *it.Input
			}
			o.calls = append(o.calls, ToolCall{ID: o2rCallID(it.CallID, it.ID), Name: it.Name, Arguments: input})
			o.custom = append(o.custom, true)
		}
	}
	return o
}

// o2rItemParts reads an item's content: an array of parts, or a string
// (taken as one output_text).
func o2rItemParts(raw json.RawMessage) []RespPart {
	var parts []RespPart
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			parts = append(parts, RespPart{Type: "output_text", Text: s})
		}
		return parts
	}
	parts, _ = respArray(raw, (*RespPart).decodeFast) // raw is valid: a member of a decoded answer
	return parts
}

// o2rCallID is a call's id for a Chat client: the call_id, else the item id.
func o2rCallID(callID, itemID string) string {
	if callID != "" {
		return callID
	}
	return itemID
}

func (o *o2rOutput) content() *string {
	if !o.hasText {
		return nil
	}
	return new(o.text.String())
}

func (o *o2rOutput) reasoning() string { return strings.Join(o.thinking, "\n\n") }

// chatCalls are the function calls as Chat tool_calls: empty arguments are
// sent as "{}", which clients can parse.
func (o *o2rOutput) chatCalls() []arespToolCall {
	var out []arespToolCall
	for i, c := range o.calls {
		if o.custom[i] {
			continue
		}
		out = append(out, arespToolCall{ID: c.ID, Type: "function", Function: arespFunction{Name: c.Name, Arguments: o2rArgs(c.Arguments)}})
	}
	return out
}

func o2rArgs(args string) string {
	if strings.TrimSpace(args) == "" {
		return "{}"
	}
	return args
}
