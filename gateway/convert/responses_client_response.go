package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// RespMeta is what the Responses-client converters put in response objects.
type RespMeta struct {
	ID        string       // the response id the gateway assigned (resp_…)
	Model     string       // the client's model name
	CreatedAt int64        // Unix seconds
	Request   *RespRequest // the client's request, echoed as OpenAI does; may be nil
}

// withID gives a meta without an ID a random one, so item ids stay unique.
func (m RespMeta) withID() RespMeta {
	if m.ID == "" {
		m.ID = "resp_" + o2aRandomHex(12)
	}
	return m
}

// itemID is the id of the output item at index: prefix, the response id's
// suffix and the index, so that ids are unique, stable for a given response
// id (golden files) and the same in the stream and in the final response.
func (m RespMeta) itemID(prefix string, index int) string {
	return prefix + "_" + strings.TrimPrefix(m.ID, "resp_") + "_" + strconv.Itoa(index)
}

// response is a response object echoing the request's settings.
func (m RespMeta) response(status string, output []RespItem, usage *RespUsage) *RespResponse {
	if output == nil {
		output = []RespItem{}
	}
	r := &RespResponse{ID: m.ID, Object: "response", CreatedAt: m.CreatedAt, Status: status, Model: m.Model,
		Output: output, ParallelToolCalls: true, Store: true, ToolChoice: json.RawMessage(`"auto"`),
		Tools: []RespTool{}, Truncation: "disabled", Usage: usage, Metadata: json.RawMessage(`{}`),
		Text: &RespText{Format: &RespFormat{Type: "text"}}}
	q := m.Request
	if q == nil {
		return r
	}
	r.Instructions, r.MaxOutputTokens, r.Reasoning = q.Instructions, q.MaxOutputTokens, q.Reasoning
	r.Temperature, r.TopP = q.Temperature, q.TopP
	if q.ParallelToolCalls != nil {
		r.ParallelToolCalls = *q.ParallelToolCalls
	}
	if q.Store != nil {
		r.Store = *q.Store
	}
	if q.PreviousResponseID != "" {
		r.PreviousResponseID = &q.PreviousResponseID
	}
	if len(q.ToolChoice) > 0 {
		r.ToolChoice = q.ToolChoice
	}
	if q.Tools != nil {
		r.Tools = q.Tools
	}
	if areqKind(q.Metadata) == "object" {
		r.Metadata = q.Metadata
	}
	if q.Text != nil && q.Text.Format != nil {
		r.Text = q.Text
	}
	return r
}

// r2oStatus maps a Chat finish_reason to a response status.
func r2oStatus(finish string) (string, *RespIncomplete) {
	switch finish {
	case "length":
		return "incomplete", &RespIncomplete{Reason: "max_output_tokens"}
	case "content_filter":
		return "incomplete", &RespIncomplete{Reason: "content_filter"}
	}
	return "completed", nil
}

// r2oPart is an output content part as OpenAI writes it: output_text always
// has text and annotations (the SDKs' accumulators append to text), a
// refusal its refusal, summary_text its text.
type r2oPart struct {
	Type        string      `json:"type"`
	Text        *string     `json:"text,omitempty"`
	Refusal     *string     `json:"refusal,omitempty"`
	Annotations *[]struct{} `json:"annotations,omitempty"`
}

const r2oText, r2oRefusal, r2oSummary byte = 1, 2, 3

func newR2OPart(kind byte, text string) r2oPart {
	switch kind {
	case r2oRefusal:
		return r2oPart{Type: "refusal", Refusal: &text}
	case r2oSummary:
		return r2oPart{Type: "summary_text", Text: &text}
	}
	return r2oPart{Type: "output_text", Text: &text, Annotations: &[]struct{}{}}
}

// r2oMessageItem is an assistant message item with the given parts.
func r2oMessageItem(id, status string, parts []r2oPart) RespItem {
	if parts == nil {
		parts = []r2oPart{}
	}
	content, _ := arespMarshal(parts)
	return RespItem{Type: "message", ID: id, Status: status, Role: "assistant", Content: content}
}

// r2oCallItem is a function_call item; the name is split back into the
// client's namespace and name.
func r2oCallItem(id, status, callID, upstreamName, args string, names *r2oNames) RespItem {
	ns, name := names.client(upstreamName)
	return RespItem{Type: "function_call", ID: id, Status: status, CallID: callID, Name: name, Namespace: ns, Arguments: &args}
}

// ChatToResponsesResponse converts a whole chat.completion into a Responses
// response object. Its output is, in order: a reasoning item (from
// reasoning_content or reasoning), a message (its text, or a refusal part),
// and one function_call per tool call, whose call_id is the Chat tool call id
// (the next turn refers to it, pitfall 34) and whose name is split back into
// namespace and name (see ResponsesToChatRequest). finish_reason "length" and
// "content_filter" make the response incomplete. Item ids derive from
// meta.ID. An upstream error body or a completion without choices is an
// error, so the proxy can fall over to the next upstream.
func ChatToResponsesResponse(body []byte, meta RespMeta) (out []byte, resp *RespResponse, usage Usage, err error) {
	var c orespResponse
	if err := c.decode(body); err != nil {
		return nil, nil, Usage{}, fmt.Errorf("chat completion is not valid JSON: %w", err)
	}
	if len(c.Error) > 0 && string(c.Error) != "null" {
		return nil, nil, Usage{}, r2oUpstreamError(c.Error)
	}
	if len(c.Choices) == 0 {
		return nil, nil, Usage{}, errors.New("chat completion has no choices")
	}
	meta = meta.withID()
	names := newR2ONames(nil)
	if meta.Request != nil {
		names = newR2ONames(meta.Request.Tools)
	}
	ch := &c.Choices[0]
	for i := range c.Choices {
		if c.Choices[i].Index == 0 { // n > 1 is not supported: the first choice only
			ch = &c.Choices[i]
			break
		}
	}
	msg := &ch.Message
	status, incomplete := r2oStatus(orespString(ch.FinishReason))
	var items []RespItem
	reasoning := orespString(msg.ReasoningContent)
	if reasoning == "" {
		reasoning = orespString(msg.Reasoning)
	}
	if reasoning != "" {
		items = append(items, RespItem{Type: "reasoning", ID: meta.itemID("rs", len(items)),
			Summary: []RespPart{{Type: "summary_text", Text: reasoning}}})
	}
	var parts []r2oPart
	if text := r2oContentText(msg.Content); text != "" {
		parts = append(parts, newR2OPart(r2oText, text))
	}
	if refusal := orespString(msg.Refusal); refusal != "" {
		parts = append(parts, newR2OPart(r2oRefusal, refusal))
	}
	if len(parts) > 0 {
		items = append(items, r2oMessageItem(meta.itemID("msg", len(items)), "completed", parts))
	}
	for _, tc := range msg.ToolCalls {
		i := len(items)
		callID, args := tc.ID, r2oArguments(tc.Function.Arguments)
		if callID == "" {
			callID = meta.itemID("call", i)
		}
		if strings.TrimSpace(args) == "" {
			args = "{}"
		}
		items = append(items, r2oCallItem(meta.itemID("fc", i), "completed", callID, tc.Function.Name, args, names))
	}
	if incomplete != nil && len(items) > 0 && items[len(items)-1].Type != "reasoning" {
		items[len(items)-1].Status = "incomplete" // the item that was cut off
	}
	usage, _ = UsageFromOpenAI(c.Usage)
	resp = meta.response(status, items, usage.Responses())
	resp.IncompleteDetails = incomplete
	out, err = arespMarshal(resp)
	return out, resp, usage, err
}

// r2oUpstreamError describes an OpenAI error object.
func r2oUpstreamError(raw json.RawMessage) error {
	var e struct{ Message string }
	if json.Unmarshal(raw, &e) != nil || e.Message == "" {
		return fmt.Errorf("upstream error: %.500s", raw)
	}
	return fmt.Errorf("upstream error: %.500s", e.Message)
}

// r2oArguments is a tool call's arguments as the Responses item carries
// them: the string, or the compact JSON text of an object some servers send
// instead (raw is valid: a member of a decoded answer).
func r2oArguments(raw json.RawMessage) string {
	if len(raw) > 0 && raw[0] == '{' {
		return string(areqCompact(make([]byte, 0, len(raw)), raw, false))
	}
	return orespString(raw)
}

// r2oContentText is a message content's text: a string, or the texts of
// its parts (some servers answer with parts).
func r2oContentText(raw json.RawMessage) string {
	if areqKind(raw) != "array" {
		return orespString(raw)
	}
	var parts []struct {
		Type, Text string
	}
	_ = json.Unmarshal(raw, &parts)
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" || p.Type == "output_text" {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}
