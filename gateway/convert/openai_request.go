package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// defaultAnthropicMaxTokens is used when neither the client nor Options set
// max_tokens, which Anthropic requires.
const defaultAnthropicMaxTokens = 4096

// oreqEffortBudget maps OpenAI reasoning_effort to an Anthropic thinking budget
// (pitfall 20: never below 1024). "none" turns thinking off.
var oreqEffortBudget = map[string]int{"none": 0, "minimal": 1024, "low": 1024, "medium": 4096, "high": 16384, "xhigh": 32768}

// oreqIn holds the OpenAI chat request fields that are converted; every other
// field is dropped (Anthropic rejects unknown fields): logprobs, top_logprobs,
// logit_bias, presence_penalty, frequency_penalty, seed, stream_options, store,
// service_tier, modalities, audio, prediction, metadata (OpenAI's), verbosity,
// web_search_options, prompt_cache_key, function "strict", message names.
type oreqIn struct {
	Messages            json.RawMessage       `json:"messages"`
	Stream              bool                  `json:"stream"`
	MaxTokens           json.RawMessage       `json:"max_tokens"`
	MaxCompletionTokens json.RawMessage       `json:"max_completion_tokens"`
	Temperature         *float64              `json:"temperature"`
	TopP                *float64              `json:"top_p"`
	TopK                *int                  `json:"top_k"`
	Stop                json.RawMessage       `json:"stop"`
	User                string                `json:"user"`
	SafetyIdentifier    string                `json:"safety_identifier"`
	Tools               []oreqInTool          `json:"tools"`
	ToolChoice          json.RawMessage       `json:"tool_choice"`
	ParallelToolCalls   *bool                 `json:"parallel_tool_calls"`
	N                   *float64              `json:"n"`
	ResponseFormat      struct{ Type string } `json:"response_format"`
	ReasoningEffort     string                `json:"reasoning_effort"`
	Functions           json.RawMessage       `json:"functions"`
	FunctionCall        json.RawMessage       `json:"function_call"`
}

type oreqInTool struct {
	Type     string `json:"type"`
	Function *struct {
		Name, Description string
		Parameters        json.RawMessage
	} `json:"function"`
}

type oreqInMsg struct {
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	Refusal   string          `json:"refusal"`
	ToolCalls []struct {
		ID, Type string
		Function struct{ Name, Arguments string }
	} `json:"tool_calls"`
	ToolCallID   string          `json:"tool_call_id"`
	FunctionCall json.RawMessage `json:"function_call"`
}

type oreqInPart struct {
	Type, Text, Refusal string
	ImageURL            json.RawMessage `json:"image_url"`
}

// oreqOut is the Anthropic Messages request.
type oreqOut struct {
	Model         string            `json:"model"`
	MaxTokens     int               `json:"max_tokens"`
	System        string            `json:"system,omitempty"`
	Messages      []oreqMsg         `json:"messages"`
	Stream        bool              `json:"stream,omitempty"`
	Temperature   *float64          `json:"temperature,omitempty"`
	TopP          *float64          `json:"top_p,omitempty"`
	TopK          *int              `json:"top_k,omitempty"`
	StopSequences []string          `json:"stop_sequences,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	Tools         []oreqTool        `json:"tools,omitempty"`
	ToolChoice    *oreqToolChoice   `json:"tool_choice,omitempty"`
	Thinking      map[string]any    `json:"thinking,omitempty"`
}

type oreqMsg struct {
	Role    string      `json:"role"`
	Content []oreqBlock `json:"content"`
}

type oreqBlock struct {
	Type      string            `json:"type"`
	Text      string            `json:"text,omitempty"`
	Source    map[string]string `json:"source,omitempty"`
	ID        string            `json:"id,omitempty"`
	Name      string            `json:"name,omitempty"`
	Input     json.RawMessage   `json:"input,omitempty"`
	ToolUseID string            `json:"tool_use_id,omitempty"`
	Content   string            `json:"content,omitempty"`
}

type oreqTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type oreqToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

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
func OpenAIToAnthropicRequest(body []byte, opt Options) (out []byte, err error) {
	var in oreqIn
	if err := json.Unmarshal(body, &in); err != nil {
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
	req := oreqOut{Model: opt.UpstreamModel, Stream: in.Stream, TopP: in.TopP, TopK: in.TopK, Temperature: in.Temperature}
	if t := req.Temperature; t != nil && *t > 1 {
		req.Temperature = new(1.0)
	}
	if user := in.User; user != "" || in.SafetyIdentifier != "" {
		if user == "" {
			user = in.SafetyIdentifier
		}
		req.Metadata = map[string]string{"user_id": user}
	}
	if err = oreqMessages(&req, in.Messages); err != nil {
		return nil, err
	}
	if req.MaxTokens, err = oreqMaxTokens(in, opt); err != nil {
		return nil, err
	}
	if req.StopSequences, err = oreqStop(in.Stop); err != nil {
		return nil, err
	}
	if err = oreqTools(&req, in); err != nil {
		return nil, err
	}
	if err = oreqReasoning(&req, in.ReasoningEffort); err != nil {
		return nil, err
	}
	return arespMarshal(req)
}

// oreqMessages fills the system prompt and the alternating message list.
func oreqMessages(req *oreqOut, raw json.RawMessage) error {
	var msgs []json.RawMessage
	if oreqNull(raw) || raw[0] != '[' || json.Unmarshal(raw, &msgs) != nil {
		return badRequest("messages must be an array")
	}
	var system []string
	for i, rawMsg := range msgs {
		loc := fmt.Sprintf("messages[%d]", i)
		var m oreqInMsg
		if err := oreqObject(rawMsg, loc, &m); err != nil {
			return err
		}
		blocks, err := oreqContent(m.Content, loc, m.Role)
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
				return badRequest("%s: tool message has no tool_call_id", loc)
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

// oreqObject decodes a JSON object at loc into v.
func oreqObject(raw json.RawMessage, loc string, v any) error {
	if oreqNull(raw) || raw[0] != '{' {
		return badRequest("%s must be an object", loc)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return oreqJSONError(loc, err)
	}
	return nil
}

// oreqContent converts a content field (string, array of parts or null) into
// blocks. Every role accepts text; users also images, assistants refusals.
func oreqContent(raw json.RawMessage, loc, role string) ([]oreqBlock, error) {
	switch {
	case role == "function":
		return nil, badRequest("%s: the legacy function role is not supported; use tool messages", loc)
	case role != "system" && role != "developer" && role != "user" && role != "assistant" && role != "tool":
		return nil, badRequest("%s: unknown role %q", loc, role)
	case oreqNull(raw):
		return nil, nil
	case raw[0] == '"':
		var s string
		_ = json.Unmarshal(raw, &s) // cannot fail: the whole body was valid JSON
		return oreqText(nil, s), nil
	case raw[0] != '[':
		return nil, badRequest("%s.content must be a string or an array of content parts", loc)
	}
	var items []json.RawMessage
	_ = json.Unmarshal(raw, &items)
	var blocks []oreqBlock
	for j, item := range items {
		ploc := fmt.Sprintf("%s.content[%d]", loc, j)
		var p oreqInPart
		if err := oreqObject(item, ploc, &p); err != nil {
			return nil, err
		}
		switch {
		case p.Type == "text":
			blocks = oreqText(blocks, p.Text)
		case p.Type == "refusal" && role == "assistant":
			blocks = oreqText(blocks, p.Refusal)
		case p.Type == "image_url" && role == "user":
			src, err := oreqImage(p.ImageURL, ploc)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, oreqBlock{Type: "image", Source: src})
		default:
			return nil, badRequest("%s: content part type %q is not supported by Anthropic upstreams", ploc, p.Type)
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
func oreqImage(raw json.RawMessage, loc string) (map[string]string, error) {
	var obj struct{ URL string }
	if json.Unmarshal(raw, &obj.URL) != nil && json.Unmarshal(raw, &obj) != nil {
		return nil, badRequest("%s: image_url must be an object with a url", loc)
	}
	url, lower := obj.URL, strings.ToLower(obj.URL)
	switch {
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		return map[string]string{"type": "url", "url": url}, nil
	case strings.HasPrefix(lower, "data:"):
		meta, data, ok := strings.Cut(url[len("data:"):], ",")
		mime, enc, _ := strings.Cut(meta, ";")
		if ok && mime != "" && data != "" && strings.EqualFold(enc, "base64") {
			return map[string]string{"type": "base64", "media_type": mime, "data": data}, nil
		}
		return nil, badRequest("%s: image_url is not a valid base64 data URL", loc)
	}
	return nil, badRequest("%s: image_url must be an http(s) URL or a base64 data URL", loc)
}

// oreqToolUses adds an assistant message's tool calls (and, when it has no
// content, its refusal) to its blocks. Ids are kept (pitfall 34).
func oreqToolUses(blocks []oreqBlock, m oreqInMsg, loc string) ([]oreqBlock, error) {
	if !oreqNull(m.FunctionCall) {
		return nil, badRequest("%s: legacy function_call is not supported; use tool_calls", loc)
	}
	if oreqNull(m.Content) {
		blocks = oreqText(blocks, m.Refusal)
	}
	for j, tc := range m.ToolCalls {
		cloc := fmt.Sprintf("%s.tool_calls[%d]", loc, j)
		if tc.Type != "" && tc.Type != "function" {
			return nil, badRequest("%s: tool call type %q is not supported by Anthropic upstreams", cloc, tc.Type)
		}
		if tc.ID == "" || tc.Function.Name == "" {
			return nil, badRequest("%s: a tool call needs an id and a function name", cloc)
		}
		input := json.RawMessage("{}")
		if args := strings.TrimSpace(tc.Function.Arguments); args != "" {
			var obj map[string]json.RawMessage
			if json.Unmarshal([]byte(args), &obj) != nil || obj == nil {
				return nil, badRequest("%s (id %q, function %q): arguments are not a valid JSON object", cloc, tc.ID, tc.Function.Name)
			}
			input = json.RawMessage(args)
		}
		blocks = append(blocks, oreqBlock{Type: "tool_use", ID: tc.ID, Name: tc.Function.Name, Input: input})
	}
	return blocks, nil
}

func oreqMaxTokens(in oreqIn, opt Options) (int, error) {
	names := [2]string{"max_completion_tokens", "max_tokens"}
	for i, raw := range [2]json.RawMessage{in.MaxCompletionTokens, in.MaxTokens} {
		if oreqNull(raw) {
			continue
		}
		var v float64
		if json.Unmarshal(raw, &v) != nil || v < 1 || v > math.MaxInt32 || v != math.Trunc(v) {
			return 0, badRequest("%s must be a positive integer", names[i])
		}
		return int(v), nil
	}
	if opt.DefaultMaxTokens > 0 {
		return opt.DefaultMaxTokens, nil
	}
	return defaultAnthropicMaxTokens, nil
}

// oreqStop reads stop (a string or an array of strings); empty ones are dropped.
func oreqStop(raw json.RawMessage) ([]string, error) {
	if oreqNull(raw) {
		return nil, nil
	}
	list := []string{""}
	if json.Unmarshal(raw, &list[0]) != nil && (raw[0] != '[' || json.Unmarshal(raw, &list) != nil) {
		return nil, badRequest("stop must be a string or an array of strings")
	}
	return slices.DeleteFunc(list, func(s string) bool { return s == "" }), nil
}

// oreqTools converts tools, tool_choice and parallel_tool_calls; without tools
// the latter two are dropped.
func oreqTools(req *oreqOut, in oreqIn) error {
	for i, t := range in.Tools {
		if t.Type != "function" {
			return badRequest("tools[%d]: tool type %q is not supported by Anthropic upstreams", i, t.Type)
		}
		if t.Function == nil || t.Function.Name == "" {
			return badRequest("tools[%d]: function.name is required", i)
		}
		schema, err := oreqSchema(t.Function.Parameters)
		if err != nil {
			return badRequest("tools[%d].function.parameters: must be a JSON object", i)
		}
		req.Tools = append(req.Tools, oreqTool{Name: t.Function.Name, Description: t.Function.Description, InputSchema: schema})
	}
	if len(req.Tools) == 0 {
		return nil
	}
	choice := oreqToolChoice{Type: "auto"}
	var s string
	var obj struct {
		Type     string
		Function struct{ Name string }
	}
	switch {
	case oreqNull(in.ToolChoice):
	case json.Unmarshal(in.ToolChoice, &s) == nil:
		if choice.Type = map[string]string{"auto": "auto", "required": "any", "none": "none"}[s]; choice.Type == "" {
			return badRequest("tool_choice %q is not supported", s)
		}
	case json.Unmarshal(in.ToolChoice, &obj) == nil && obj.Type == "function" && obj.Function.Name != "":
		choice = oreqToolChoice{Type: "tool", Name: obj.Function.Name}
	default:
		return badRequest(`tool_choice must be "auto", "required", "none" or {"type":"function","function":{"name":…}}`)
	}
	if in.ParallelToolCalls != nil && !*in.ParallelToolCalls && choice.Type != "none" {
		choice.DisableParallelToolUse = true
	}
	if choice.Type != "auto" || choice.DisableParallelToolUse {
		req.ToolChoice = &choice
	}
	return nil
}

// oreqSchema returns an object schema for parameters (pitfall 25).
func oreqSchema(raw json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if !oreqNull(raw) && (raw[0] != '{' || json.Unmarshal(raw, &m) != nil) {
		return nil, errors.New("not an object")
	}
	if len(m) == 0 {
		return json.RawMessage(`{"type":"object","properties":{}}`), nil
	}
	if _, ok := m["type"]; ok {
		return raw, nil
	}
	m["type"] = json.RawMessage(`"object"`)
	return json.Marshal(m)
}

// oreqReasoning maps reasoning_effort to thinking (see OpenAIToAnthropicRequest).
func oreqReasoning(req *oreqOut, effort string) error {
	budget, ok := oreqEffortBudget[effort]
	if !ok && effort != "" {
		return badRequest("reasoning_effort %q is not supported", effort)
	}
	if tc := req.ToolChoice; budget == 0 || tc != nil && (tc.Type == "any" || tc.Type == "tool") {
		return nil
	}
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if m := req.Messages[i]; m.Role == "assistant" {
			for _, b := range m.Content {
				if b.Type == "tool_use" {
					return nil
				}
			}
			break
		}
	}
	req.Thinking = map[string]any{"type": "enabled", "budget_tokens": budget}
	if req.MaxTokens <= budget {
		req.MaxTokens += budget
	}
	req.Temperature, req.TopK = nil, nil
	if req.TopP != nil && *req.TopP < 0.95 {
		req.TopP = nil
	}
	return nil
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
