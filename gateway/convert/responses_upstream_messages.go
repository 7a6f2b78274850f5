package convert

// The messages of ChatToResponsesRequest: Chat messages to Responses input
// items (split from responses_upstream_request.go to keep files short).

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// o2rMessages fills req.Instructions and req.Input from the Chat messages.
// raw is valid JSON, so it is walked in place; fast picks the decoder.
func o2rMessages(req *RespRequest, raw json.RawMessage, fast bool) error {
	if oreqNull(raw) || raw[0] != '[' {
		return badRequest("messages must be an array")
	}
	var system []string
	items := []o2rItem{}
	leading := true // still before the first non-system message
	it := jsonbody.Elements(raw)
	for i := 0; ; i++ {
		rm, ok := it.NextElement()
		if !ok {
			break
		}
		loc := areqPath(func() string { return fmt.Sprintf("messages[%d]", i) }) // built on error only
		var m oreqInMsg
		if err := oreqObject(rm, loc, &m, fast); err != nil {
			return err
		}
		switch m.Role {
		case "system", "developer":
			text, err := o2rPlainText(m.Content, loc, m.Role, fast)
			if err != nil {
				return err
			}
			if leading {
				system = append(system, text)
			} else if text != "" {
				items = append(items, o2rMessage("developer", RespPart{Type: "input_text", Text: text}))
			}
			continue
		case "user":
			parts, err := o2rUserParts(m.Content, loc, fast)
			if err != nil {
				return err
			}
			if len(parts) > 0 {
				items = append(items, o2rMessage("user", parts...))
			}
		case "assistant":
			more, err := o2rAssistant(&m, loc, fast)
			if err != nil {
				return err
			}
			items = append(items, more...)
		case "tool":
			if m.ToolCallID == "" {
				return badRequest("%s: tool message has no tool_call_id", loc())
			}
			text, err := o2rPlainText(m.Content, loc, m.Role, fast)
			if err != nil {
				return err
			}
			items = append(items, o2rItem{RespItem: RespItem{Type: "function_call_output", CallID: m.ToolCallID, Output: o2rRaw(text)}})
		case "function":
			return badRequest("%s: the legacy function role is not supported; use tool messages", loc())
		default:
			return badRequest("%s: unknown role %q", loc(), m.Role)
		}
		leading = false
	}
	instructions := o2rJoin(system)
	switch {
	case len(items) == 0 && instructions != "":
		items = append(items, o2rMessage("developer", RespPart{Type: "input_text", Text: instructions}))
	case len(items) == 0:
		return badRequest("messages: at least one message is required")
	case instructions != "":
		req.Instructions = o2rRaw(instructions)
	}
	req.Input = o2rRaw(items)
	return nil
}

// o2rItem is an input item as ChatToResponsesRequest builds it: a message's
// parts stay typed (Parts shadows RespItem.Content) until the input is
// encoded, instead of being encoded on their own and then validated and
// compacted again, as a json.RawMessage, by every enclosing encoding.
type o2rItem struct {
	RespItem
	Parts []RespPart `json:"content,omitempty"`
}

func o2rMessage(role string, parts ...RespPart) o2rItem {
	return o2rItem{RespItem: RespItem{Type: "message", Role: role}, Parts: parts}
}

// o2rParts decodes a content array's parts; raw starts with '['.
func o2rParts(raw json.RawMessage, loc areqPath, fast bool) ([]oreqInPart, error) {
	var parts []oreqInPart
	it := jsonbody.Elements(raw)
	for j := 0; ; j++ {
		e, ok := it.NextElement()
		if !ok {
			return parts, nil
		}
		parts = append(parts, oreqInPart{})
		ploc := areqPath(func() string { return fmt.Sprintf("%s.content[%d]", loc(), j) })
		if err := oreqObject(e, ploc, &parts[j], fast); err != nil {
			return nil, err
		}
	}
}

// o2rPlainText is the text of a system, developer or tool message: a string
// or text parts, joined with "\n\n".
func o2rPlainText(raw json.RawMessage, loc areqPath, role string, fast bool) (string, error) {
	switch {
	case oreqNull(raw):
		return "", nil
	case raw[0] == '"':
		return jsonbody.Unquote(raw), nil // the whole body was valid JSON
	case raw[0] != '[':
		return "", badRequest("%s.content must be a string or an array of content parts", loc())
	}
	parts, err := o2rParts(raw, loc, fast)
	if err != nil {
		return "", err
	}
	texts := make([]string, 0, len(parts))
	for j, p := range parts {
		if p.Type != "text" {
			return "", badRequest("%s.content[%d]: content part type %q is not supported in a %s message", loc(), j, p.Type, role)
		}
		texts = append(texts, p.Text)
	}
	return o2rJoin(texts), nil
}

// o2rUserParts converts a user message's content to input_text and
// input_image parts.
func o2rUserParts(raw json.RawMessage, loc areqPath, fast bool) ([]RespPart, error) {
	switch {
	case oreqNull(raw):
		return nil, nil
	case raw[0] == '"':
		text, err := o2rPlainText(raw, loc, "user", fast)
		return []RespPart{{Type: "input_text", Text: text}}, err
	case raw[0] != '[':
		return nil, badRequest("%s.content must be a string or an array of content parts", loc())
	}
	parts, err := o2rParts(raw, loc, fast)
	if err != nil {
		return nil, err
	}
	out := make([]RespPart, 0, len(parts))
	for j, p := range parts {
		ploc := func() string { return fmt.Sprintf("%s.content[%d]", loc(), j) } // built on error only
		switch p.Type {
		case "text":
			out = append(out, RespPart{Type: "input_text", Text: p.Text})
		case "image_url":
			img, err := o2rImage(p.ImageURL, ploc)
			if err != nil {
				return nil, err
			}
			out = append(out, img)
		default: // input_audio, file and anything newer
			return nil, badRequest("%s: content part type %q is not supported by Responses upstreams", ploc(), p.Type)
		}
	}
	return out, nil
}

// o2rImage converts image_url ({"url","detail"} or a bare string); the URL,
// http(s) or data:, is passed on as it is, which Responses accepts too.
// detail is required there, so it defaults to "auto" as in Chat.
func o2rImage(raw json.RawMessage, loc areqPath) (RespPart, error) {
	var img struct {
		URL    string `json:"url"`
		Detail string `json:"detail"`
	}
	if json.Unmarshal(raw, &img.URL) != nil && json.Unmarshal(raw, &img) != nil || strings.TrimSpace(img.URL) == "" {
		return RespPart{}, badRequest("%s: image_url must be an object with a url", loc())
	}
	if img.Detail == "" {
		img.Detail = "auto"
	}
	return RespPart{Type: "input_image", ImageURL: img.URL, Detail: img.Detail}, nil
}

// o2rAssistant converts an assistant message: its text (and refusal, as
// text: it is what the model said) as one message item, then its tool calls.
func o2rAssistant(m *oreqInMsg, loc areqPath, fast bool) ([]o2rItem, error) {
	if !oreqNull(m.FunctionCall) {
		return nil, badRequest("%s: legacy function_call is not supported; use tool_calls", loc())
	}
	if !oreqNull(m.Audio) {
		return nil, badRequest("%s: assistant audio is not supported by Responses upstreams", loc())
	}
	var texts []string
	switch {
	case oreqNull(m.Content):
	case m.Content[0] == '"':
		texts = append(texts, jsonbody.Unquote(m.Content))
	case m.Content[0] == '[':
		parts, err := o2rParts(m.Content, loc, fast)
		if err != nil {
			return nil, err
		}
		for j, p := range parts {
			switch p.Type {
			case "text":
				texts = append(texts, p.Text)
			case "refusal":
				texts = append(texts, p.Refusal)
			default:
				return nil, badRequest("%s.content[%d]: content part type %q is not supported in an assistant message", loc(), j, p.Type)
			}
		}
	default:
		return nil, badRequest("%s.content must be a string or an array of content parts", loc())
	}
	texts = append(texts, m.Refusal)
	var items []o2rItem
	if text := o2rJoin(texts); text != "" {
		// annotations is required on output_text by strict servers (Azure).
		items = append(items, o2rMessage("assistant", RespPart{Type: "output_text", Text: text,
			Annotations: json.RawMessage("[]")}))
	}
	for j, tc := range m.ToolCalls {
		cloc := areqPath(func() string { return fmt.Sprintf("%s.tool_calls[%d]", loc(), j) })
		if tc.Type != "" && tc.Type != "function" {
			return nil, badRequest("%s: tool call type %q is not supported by Responses upstreams", cloc(), tc.Type)
		}
		if tc.ID == "" || tc.Function.Name == "" {
			return nil, badRequest("%s: a tool call needs an id and a function name", cloc())
		}
		args := tc.Function.Arguments
		if strings.TrimSpace(args) == "" {
			args = "{}"
		}
		items = append(items, o2rItem{RespItem: RespItem{Type: "function_call", CallID: tc.ID, Name: tc.Function.Name, Arguments: &args}})
	}
	return items, nil
}
