package convert

// The input items of ResponsesToChatRequest (split from
// responses_client_request.go to keep files short).

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// r2oConv accumulates the Chat messages of one request conversion.
type r2oConv struct {
	opt    Options
	names  *r2oNames
	system []string
	msgs   []*r2oMsg
	// open is the assistant message that following function calls and text
	// join; a user message or a tool output closes it.
	open      *r2oMsg
	calls     map[string]*r2oMsg // call_id → the assistant message with the call
	reasoning []string           // summaries waiting for the next assistant message
}

// r2oMsg is one Chat message. Content is a string, []r2oChatPart, or nil
// (null, for an assistant message with tool calls only).
type r2oMsg struct {
	Role             string    `json:"role"`
	Content          any       `json:"content"`
	ReasoningContent string    `json:"reasoning_content,omitempty"`
	ToolCalls        []r2oCall `json:"tool_calls,omitempty"`
	ToolCallID       string    `json:"tool_call_id,omitempty"`

	texts     []string
	reasoning []string
	results   map[string]string // call_id → output, written after the message
}

type r2oCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type r2oChatPart struct {
	Type     string       `json:"type"`
	Text     string       `json:"text,omitempty"`
	ImageURL *r2oImageURL `json:"image_url,omitempty"`
}

type r2oImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// r2oDroppedItems record hosted tool runs or encrypted state (see
// ResponsesToChatRequest).
var r2oDroppedItems = map[string]bool{"web_search_call": true, "file_search_call": true,
	"code_interpreter_call": true, "image_generation_call": true, "mcp_call": true,
	"mcp_list_tools": true, "compaction": true, "compaction_summary": true}

func (c *r2oConv) instructions(raw json.RawMessage) error {
	switch areqKind(raw) {
	case "null":
		return nil
	case "string":
		s := jsonbody.Unquote(raw) // the body was valid JSON
		if strings.TrimSpace(s) != "" {
			c.system = append(c.system, s)
		}
		return nil
	}
	return badRequest("instructions: must be a string, got %s", areqKind(raw))
}

func (c *r2oConv) input(raw json.RawMessage) error {
	switch areqKind(raw) {
	case "null":
		return nil
	case "string":
		return c.message(RespItem{Role: "user", Content: raw}, "input")
	case "array":
	default:
		return badRequest("input: must be a string or an array of items, got %s", areqKind(raw))
	}
	// Items decode in one pass; only input that fails to decode is read again
	// item by item, so that the error names the item.
	if items, err := respArray(raw, (*RespItem).decodeFast); err == nil && !slices.ContainsFunc(items, blankItem) {
		for i := range items {
			if err := c.item(items[i], inputPath(i)); err != nil {
				return err
			}
		}
		return nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil {
		return areqDecodeErr("input", err)
	}
	for i, r := range raws {
		path := inputPath(i)
		var it RespItem
		if areqKind(r) != "object" {
			return badRequest("%s: must be an object, got %s", path, areqKind(r))
		}
		if err := json.Unmarshal(r, &it); err != nil {
			return areqDecodeErr(path, err)
		}
		if err := c.item(it, path); err != nil {
			return err
		}
	}
	return nil
}

// blankItem is an item with neither type nor role, also what a null item
// decodes to: the item-by-item path tells the two apart.
func blankItem(it RespItem) bool { return it.Type == "" && it.Role == "" }

// inputPath names input item i in errors.
func inputPath(i int) string { return "input[" + strconv.Itoa(i) + "]" }

func (c *r2oConv) item(it RespItem, path string) error {
	switch it.Type {
	case "message":
		return c.message(it, path)
	case "":
		if it.Role == "" {
			return badRequest("%s: an item needs a type or a role", path)
		}
		return c.message(it, path)
	case "function_call", "custom_tool_call":
		return c.call(it, path)
	case "function_call_output", "custom_tool_call_output":
		return c.output(it, path)
	case "reasoning":
		c.reasoningItem(it)
		return nil
	}
	if r2oDroppedItems[it.Type] {
		return nil
	}
	return badRequest("%s: item type %q is not supported", path, it.Type)
}

func (c *r2oConv) message(it RespItem, path string) error {
	role := it.Role
	switch role {
	case "user", "assistant", "system", "developer":
	case "":
		return badRequest("%s.role: required", path)
	default:
		return badRequest("%s.role: %q is not supported (user, assistant, system or developer)", path, role)
	}
	texts, images, err := r2oContent(it.Content, path+".content", role)
	if err != nil {
		return err
	}
	switch role {
	case "system", "developer":
		c.system = append(c.system, texts...)
	case "assistant":
		if len(texts) == 0 {
			return nil
		}
		m := c.open
		if m == nil || len(m.ToolCalls) > 0 { // text after calls starts a new message
			m = c.assistant()
		}
		m.texts = append(m.texts, texts...)
		c.takeReasoning(m)
	case "user":
		if len(texts)+len(images) == 0 {
			return nil
		}
		c.open, c.reasoning = nil, nil // reasoning before a user turn answers nothing
		m := &r2oMsg{Role: "user", Content: strings.Join(texts, "\n\n")}
		if len(images) > 0 {
			parts := make([]r2oChatPart, 0, len(texts)+len(images))
			for _, t := range texts {
				parts = append(parts, r2oChatPart{Type: "text", Text: t})
			}
			m.Content = append(parts, images...)
		}
		c.msgs = append(c.msgs, m)
	}
	return nil
}

// r2oContent reads a message's content: its non-blank texts (pitfall 17)
// and, for a user, its images.
func r2oContent(raw json.RawMessage, path, role string) (texts []string, images []r2oChatPart, err error) {
	switch areqKind(raw) {
	case "string":
		return areqNonBlank([]string{jsonbody.Unquote(raw)}), nil, nil
	case "array":
	case "null":
		return nil, nil, badRequest("%s: required", path)
	default:
		return nil, nil, badRequest("%s: must be a string or an array of content parts, got %s", path, areqKind(raw))
	}
	parts, err := respArray(raw, (*RespPart).decodeFast)
	if err != nil {
		return nil, nil, areqDecodeErr(path, err)
	}
	for j, p := range parts {
		switch p.Type {
		case "input_text", "output_text":
			texts = append(texts, p.Text)
		case "refusal":
			texts = append(texts, p.Refusal)
		case "input_image":
			switch {
			case role != "user":
				return nil, nil, badRequest("%s[%d]: images are only allowed in user messages", path, j)
			case p.ImageURL == "" && p.FileID != "":
				return nil, nil, badRequest("%s[%d]: input_image with a file_id is not supported by a Chat Completions upstream; send an image_url (a URL or a data: URL)", path, j)
			case p.ImageURL == "":
				return nil, nil, badRequest("%s[%d].image_url: required", path, j)
			}
			images = append(images, r2oChatPart{Type: "image_url", ImageURL: &r2oImageURL{URL: p.ImageURL, Detail: p.Detail}})
		case "input_file", "input_audio":
			return nil, nil, badRequest("%s[%d]: %s parts are not supported by a Chat Completions upstream", path, j, p.Type)
		default:
			return nil, nil, badRequest("%s[%d]: unknown content part type %q", path, j, p.Type)
		}
	}
	return areqNonBlank(texts), images, nil
}

// call adds a function_call (or custom_tool_call) to the open assistant message.
func (c *r2oConv) call(it RespItem, path string) error {
	switch {
	case it.Name == "":
		return badRequest("%s.name: required", path)
	case it.CallID == "":
		return badRequest("%s.call_id: required", path)
	case c.calls[it.CallID] != nil:
		return badRequest("%s.call_id: %q is used by an earlier call", path, it.CallID)
	}
	args := "{}"
	if it.Type == "custom_tool_call" {
		b, _ := arespMarshal(map[string]string{"input": r2oDeref(it.Input)})
		args = string(b)
	} else if a := r2oDeref(it.Arguments); strings.TrimSpace(a) != "" && json.Valid([]byte(a)) {
		args = a // invalid JSON (a cut-off call) would make chat templates fail on every later turn
	}
	m := c.open
	if m == nil {
		m = c.assistant()
	}
	var tc r2oCall
	tc.ID, tc.Type = it.CallID, "function"
	tc.Function.Name, tc.Function.Arguments = c.names.upstream(it.Namespace, it.Name), args
	m.ToolCalls = append(m.ToolCalls, tc)
	c.calls[it.CallID] = m
	c.takeReasoning(m)
	return nil
}

// output records a tool output for the message holding its call.
func (c *r2oConv) output(it RespItem, path string) error {
	if it.CallID == "" {
		return badRequest("%s.call_id: required", path)
	}
	m := c.calls[it.CallID]
	if m == nil {
		return badRequest("%s: call_id %q matches no function_call before it", path, it.CallID)
	}
	if _, dup := m.results[it.CallID]; dup {
		return badRequest("%s: call_id %q already has an output", path, it.CallID)
	}
	text, err := r2oOutputText(it.Output, path+".output")
	if err != nil {
		return err
	}
	if m.results == nil {
		m.results = map[string]string{}
	}
	m.results[it.CallID] = text
	c.open = nil
	return nil
}

// r2oOutputText renders a tool output (a string, or parts) as a tool
// message's text: a tool message carries text only.
func r2oOutputText(raw json.RawMessage, path string) (string, error) {
	var texts []string
	switch areqKind(raw) {
	case "string":
		texts = []string{jsonbody.Unquote(raw)}
	case "array":
		parts, err := respArray(raw, (*RespPart).decodeFast)
		if err != nil {
			return "", areqDecodeErr(path, err)
		}
		for _, p := range parts {
			switch p.Type {
			case "input_text", "output_text":
				texts = append(texts, p.Text)
			case "input_image":
				texts = append(texts, "[image omitted]")
			default:
				texts = append(texts, "["+p.Type+" omitted]")
			}
		}
	case "null":
	default:
		return "", badRequest("%s: must be a string or an array of content parts, got %s", path, areqKind(raw))
	}
	if text := strings.Join(areqNonBlank(texts), "\n\n"); text != "" {
		return text, nil
	}
	return "[empty result]", nil // some servers reject an empty tool message
}

func (c *r2oConv) reasoningItem(it RespItem) {
	if c.opt.Reasoning != "reasoning_content" {
		return
	}
	var texts []string
	for _, p := range it.Summary {
		texts = append(texts, p.Text)
	}
	if len(areqNonBlank(texts)) == 0 && areqKind(it.Content) == "array" {
		parts, _ := respArray(it.Content, (*RespPart).decodeFast) // reasoning_text parts, when there is no summary
		for _, p := range parts {
			texts = append(texts, p.Text)
		}
	}
	c.reasoning = append(c.reasoning, areqNonBlank(texts)...)
}

func (c *r2oConv) assistant() *r2oMsg {
	m := &r2oMsg{Role: "assistant"}
	c.msgs = append(c.msgs, m)
	c.open = m
	return m
}

func (c *r2oConv) takeReasoning(m *r2oMsg) {
	m.reasoning, c.reasoning = append(m.reasoning, c.reasoning...), nil
}

// messages returns the Chat messages: the system message first, each
// assistant message with tool calls followed by one tool message per call.
func (c *r2oConv) messages() []*r2oMsg {
	out := make([]*r2oMsg, 0, len(c.msgs)+2)
	if len(c.system) > 0 {
		out = append(out, &r2oMsg{Role: "system", Content: strings.Join(c.system, "\n\n")})
	}
	for _, m := range c.msgs {
		if m.Role == "assistant" {
			if len(m.texts) > 0 {
				m.Content = strings.Join(m.texts, "\n\n")
			}
			m.ReasoningContent = strings.Join(m.reasoning, "\n\n")
		}
		out = append(out, m)
		for _, tc := range m.ToolCalls {
			text, ok := m.results[tc.ID]
			if !ok {
				text = "[no result]"
			}
			out = append(out, &r2oMsg{Role: "tool", Content: text, ToolCallID: tc.ID})
		}
	}
	return out
}

func r2oDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
