package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// defaultAnthropicMaxTokens is used when neither the client nor Options set
// max_tokens, which Anthropic requires.
const defaultAnthropicMaxTokens = 4096

// oreqEffortBudget maps OpenAI reasoning_effort to an Anthropic thinking budget
// (pitfall 20: never below 1024). "none" turns thinking off.
var oreqEffortBudget = map[string]int{"none": 0, "minimal": 1024, "low": 1024, "medium": 4096, "high": 16384, "xhigh": 32768}

// OpenAIToAnthropicRequest converts an OpenAI Chat Completions request body
// into an Anthropic Messages request for opt.UpstreamModel. Choices where the
// two APIs differ:
//   - system and developer messages, wherever they appear, are joined with
//     "\n\n" in order into the top-level system prompt;
//   - consecutive messages of one role are merged (Anthropic requires
//     alternation), tool results are put first in their user message, empty
//     and whitespace-only text is dropped (pitfall 17), messages left empty are
//     dropped, and trailing white space of an assistant prefill is trimmed;
//   - the first remaining message must be from the user: nothing is invented;
//   - assistant reasoning_content is dropped: Anthropic accepts only thinking
//     blocks signed by itself (pitfall 26);
//   - max_tokens is max_completion_tokens, else max_tokens, else
//     opt.DefaultMaxTokens, else 4096; temperature is clamped to 1;
//   - reasoning_effort enables thinking with a budget of at least 1024; the
//     answer keeps its max_tokens on top of the budget when it would not fit.
//     Thinking is left off when a tool is forced or the last assistant message
//     has tool calls (its thinking blocks are gone, pitfall 27), and
//     temperature, top_k and a top_p below 0.95 are dropped while it is on;
//   - response_format json_object is dropped (OpenAI already requires the
//     prompt to ask for JSON); json_schema is refused, since silently ignoring
//     a schema would hand the client unvalidated output;
//   - n > 1, legacy functions and audio, file or unknown content parts are
//     refused with a RequestError naming the location.
//
// As in AnthropicToOpenAIRequest, the body is first decoded in place after
// one jsonbody.Scan (oreqConvert with fast set); what that path does not
// decode exactly as encoding/json would, and every error, goes through
// encoding/json, so the output and the error messages are the same either way.
func OpenAIToAnthropicRequest(body []byte, opt Options) (out []byte, err error) {
	if out, err := oreqConvert(body, opt, true); err == nil {
		return out, nil
	}
	return oreqConvert(body, opt, false)
}

// oreqConvert is OpenAIToAnthropicRequest decoding on the fast path or with
// encoding/json.
func oreqConvert(body []byte, opt Options, fast bool) ([]byte, error) {
	req, err := oreqBuild(body, opt, fast)
	if err != nil {
		return nil, err
	}
	return req.appendJSON(make([]byte, 0, len(body)+256)), nil
}

// oreqBuild decodes and converts the request, returning what to encode.
func oreqBuild(body []byte, opt Options, fast bool) (req *oreqOut, err error) {
	var in oreqIn
	if fast {
		if err := in.decodeFast(body); err != nil {
			return nil, err
		}
	} else if err := json.Unmarshal(body, &in); err != nil {
		return nil, oreqJSONError("", err)
	}
	switch {
	case in.N != nil && *in.N > 1:
		return nil, badRequest("n > 1 is not supported by Anthropic upstreams")
	case !oreqNull(in.Functions) || !oreqNull(in.FunctionCall):
		return nil, badRequest("legacy functions and function_call are not supported; use tools and tool_choice")
	case in.ResponseFormat.Type == "json_schema":
		return nil, badRequest("response_format json_schema is not supported by Anthropic upstreams; describe the format in the prompt or use a tool")
	}
	req = &oreqOut{Model: opt.UpstreamModel, Stream: in.Stream, TopP: in.TopP, TopK: in.TopK, Temperature: in.Temperature}
	if t := req.Temperature; t != nil && *t > 1 {
		req.Temperature = new(1.0)
	}
	if user := in.User; user != "" || in.SafetyIdentifier != "" {
		if user == "" {
			user = in.SafetyIdentifier
		}
		req.Metadata = &oreqMetadata{UserID: user}
	}
	if err = oreqMessages(req, in.Messages, fast); err != nil {
		return nil, err
	}
	if req.MaxTokens, err = oreqMaxTokens(in, opt); err != nil {
		return nil, err
	}
	if req.StopSequences, err = oreqStop(in.Stop); err != nil {
		return nil, err
	}
	if err = oreqTools(req, in); err != nil {
		return nil, err
	}
	if err = oreqReasoning(req, in.ReasoningEffort); err != nil {
		return nil, err
	}
	return req, nil
}

// oreqMessages fills the system prompt and the alternating message list.
// raw is valid JSON, so it is walked in place; fast picks the decoder.
func oreqMessages(req *oreqOut, raw json.RawMessage, fast bool) error {
	if oreqNull(raw) || raw[0] != '[' {
		return badRequest("messages must be an array")
	}
	var system []string
	it := jsonbody.Elements(raw)
	for i := 0; ; i++ {
		rawMsg, ok := it.NextElement()
		if !ok {
			break
		}
		loc := areqPath(func() string { return fmt.Sprintf("messages[%d]", i) }) // built on error only
		var m oreqInMsg
		if err := oreqObject(rawMsg, loc, &m, fast); err != nil {
			return err
		}
		blocks, err := oreqContent(m.Content, loc, m.Role, fast)
		if err != nil {
			return err
		}
		switch m.Role {
		case "system", "developer":
			if text := oreqJoin(blocks); text != "" {
				system = append(system, text)
			}
			continue
		case "assistant":
			if blocks, err = oreqToolUses(blocks, m, loc); err != nil {
				return err
			}
		case "tool":
			if m.ToolCallID == "" {
				return badRequest("%s: tool message has no tool_call_id", loc())
			}
			blocks = []oreqBlock{{Type: "tool_result", ToolUseID: m.ToolCallID, Content: oreqJoin(blocks)}}
			m.Role = "user"
		}
		// Merge into the previous message of the same role; drop empty ones.
		if n := len(req.Messages); len(blocks) > 0 && n > 0 && req.Messages[n-1].Role == m.Role {
			req.Messages[n-1].Content = append(req.Messages[n-1].Content, blocks...)
		} else if len(blocks) > 0 {
			req.Messages = append(req.Messages, oreqMsg{Role: m.Role, Content: blocks})
		}
	}
	req.System = strings.Join(system, "\n\n")
	if len(req.Messages) == 0 {
		return badRequest("messages: at least one user message is required")
	}
	if req.Messages[0].Role != "user" {
		return badRequest("messages: the first non-system message must be from the user for Anthropic upstreams")
	}
	for _, m := range req.Messages { // tool_result blocks must lead their user message
		sort.SliceStable(m.Content, func(i, j int) bool {
			return m.Content[i].Type == "tool_result" && m.Content[j].Type != "tool_result"
		})
	}
	last := &req.Messages[len(req.Messages)-1]
	if b := &last.Content[len(last.Content)-1]; last.Role == "assistant" && b.Type == "text" {
		// A prefill must not end with white space; b.Text has some non-space.
		b.Text = strings.TrimRight(b.Text, " \t\r\n")
	}
	return nil
}

// oreqObject decodes a JSON object at loc into v, with v's decodeFast when
// fast is set.
func oreqObject(raw json.RawMessage, loc areqPath, v oreqFastDecoder, fast bool) error {
	if oreqNull(raw) || raw[0] != '{' {
		return badRequest("%s must be an object", loc())
	}
	if fast {
		return v.decodeFast(raw)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return oreqJSONError(loc(), err)
	}
	return nil
}

// oreqContent converts a content field (string, array of parts or null) into
// blocks. Every role accepts text; users also images, assistants refusals.
func oreqContent(raw json.RawMessage, loc areqPath, role string, fast bool) ([]oreqBlock, error) {
	switch {
	case role == "function":
		return nil, badRequest("%s: the legacy function role is not supported; use tool messages", loc())
	case role != "system" && role != "developer" && role != "user" && role != "assistant" && role != "tool":
		return nil, badRequest("%s: unknown role %q", loc(), role)
	case oreqNull(raw):
		return nil, nil
	case raw[0] == '"':
		return oreqText(nil, jsonbody.Unquote(raw)), nil // the whole body was valid JSON
	case raw[0] != '[':
		return nil, badRequest("%s.content must be a string or an array of content parts", loc())
	}
	var blocks []oreqBlock
	it := jsonbody.Elements(raw)
	for j := 0; ; j++ {
		item, ok := it.NextElement()
		if !ok {
			break
		}
		ploc := func() string { return fmt.Sprintf("%s.content[%d]", loc(), j) }
		var p oreqInPart
		if err := oreqObject(item, ploc, &p, fast); err != nil {
			return nil, err
		}
		switch {
		case p.Type == "text":
			blocks = oreqText(blocks, p.Text)
		case p.Type == "refusal" && role == "assistant":
			blocks = oreqText(blocks, p.Refusal)
		case p.Type == "image_url" && role == "user":
			src, err := oreqImage(p.ImageURL, ploc())
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, oreqBlock{Type: "image", Source: src})
		default:
			return nil, badRequest("%s: content part type %q is not supported by Anthropic upstreams", ploc(), p.Type)
		}
	}
	return blocks, nil
}

func oreqText(blocks []oreqBlock, text string) []oreqBlock {
	if strings.TrimSpace(text) == "" {
		return blocks
	}
	return append(blocks, oreqBlock{Type: "text", Text: text})
}

// oreqJoin joins the text of blocks made by oreqContent for a system,
// developer or tool message (only text is allowed there).
func oreqJoin(blocks []oreqBlock) string {
	texts := make([]string, len(blocks))
	for i, b := range blocks {
		texts[i] = b.Text
	}
	return strings.Join(texts, "\n\n")
}

// oreqImage converts an image_url ({"url": …} or a bare string) to a source.
func oreqImage(raw json.RawMessage, loc string) (*oreqSource, error) {
	var obj struct{ URL string }
	if json.Unmarshal(raw, &obj.URL) != nil && json.Unmarshal(raw, &obj) != nil {
		return nil, badRequest("%s: image_url must be an object with a url", loc)
	}
	url, lower := obj.URL, strings.ToLower(obj.URL)
	switch {
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		return &oreqSource{Type: "url", URL: url}, nil
	case strings.HasPrefix(lower, "data:"):
		meta, data, ok := strings.Cut(url[len("data:"):], ",")
		mime, enc, _ := strings.Cut(meta, ";")
		if ok && mime != "" && data != "" && strings.EqualFold(enc, "base64") {
			return &oreqSource{Type: "base64", MediaType: mime, Data: data}, nil
		}
		return nil, badRequest("%s: image_url is not a valid base64 data URL", loc)
	}
	return nil, badRequest("%s: image_url must be an http(s) URL or a base64 data URL", loc)
}

// oreqToolUses adds an assistant message's tool calls (and, when it has no
// content, its refusal) to its blocks. Ids are kept (pitfall 34).
func oreqToolUses(blocks []oreqBlock, m oreqInMsg, loc areqPath) ([]oreqBlock, error) {
	if !oreqNull(m.FunctionCall) {
		return nil, badRequest("%s: legacy function_call is not supported; use tool_calls", loc())
	}
	if oreqNull(m.Content) {
		blocks = oreqText(blocks, m.Refusal)
	}
	for j, tc := range m.ToolCalls {
		cloc := func() string { return fmt.Sprintf("%s.tool_calls[%d]", loc(), j) }
		if tc.Type != "" && tc.Type != "function" {
			return nil, badRequest("%s: tool call type %q is not supported by Anthropic upstreams", cloc(), tc.Type)
		}
		if tc.ID == "" || tc.Function.Name == "" {
			return nil, badRequest("%s: a tool call needs an id and a function name", cloc())
		}
		input := json.RawMessage("{}")
		if args := []byte(strings.TrimSpace(tc.Function.Arguments)); len(args) > 0 {
			// What json.Unmarshal into a map accepts: valid JSON that is an object.
			if args[0] != '{' || !oreqValid(args) {
				return nil, badRequest("%s (id %q, function %q): arguments are not a valid JSON object", cloc(), tc.ID, tc.Function.Name)
			}
			input = areqCompact(make([]byte, 0, len(args)), args, false)
		}
		blocks = append(blocks, oreqBlock{Type: "tool_use", ID: tc.ID, Name: tc.Function.Name, Input: input})
	}
	return blocks, nil
}

func oreqNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// oreqJSONError turns a decoding error of the value at loc (e.g. "messages[2]",
// "" for the body) into a RequestError naming the field.
func oreqJSONError(loc string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		if loc != "" {
			loc += "."
		}
		return badRequest("%s%s: unexpected JSON %s", loc, te.Field, te.Value)
	}
	if loc == "" {
		return badRequest("request body is not a valid JSON object")
	}
	return badRequest("%s: invalid JSON", loc)
}
