package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// ParseResponsesRequest decodes a Responses request body; a body that is not
// a JSON object of the expected shape is a *RequestError.
func ParseResponsesRequest(body []byte) (*RespRequest, error) {
	var req RespRequest
	if req.decodeFast(body) == nil { // see responses_request_fast.go
		return &req, nil
	}
	req = RespRequest{}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, areqDecodeErr("", err)
	}
	return &req, nil
}

// ResponsesToChatRequest converts a Responses request body (POST
// /v1/responses) into a Chat Completions request body for opt.UpstreamModel.
// err is a *RequestError when the request cannot be translated.
//
// Input is a string (one user message) or an array of items:
//   - "instructions" and every system or developer message, wherever it is,
//     are joined with "\n\n" in order into one leading system message: strict
//     Chat templates (vLLM, Qwen) reject a system message that is not first;
//   - user and assistant messages keep their text (parts joined with "\n\n",
//     blank ones dropped) and user images (image_url, with detail); an image
//     given by file_id is refused, since a Chat upstream cannot read OpenAI
//     files, and so are input_file and audio parts;
//   - function_call items join the assistant message just before them (with
//     the calls before them), call_id becoming the tool call id; a
//     function_call_output becomes a "tool" message placed right after the
//     assistant message of its call, whose parts' texts are joined; a call
//     left without output gets "[no result]", as Chat requires an answer for
//     every call; custom_tool_call items become calls with arguments
//     {"input": …}, so a history from a Responses upstream stays valid;
//   - reasoning items are dropped (their encrypted_content is only readable
//     by OpenAI), unless opt.Reasoning is "reasoning_content": their summary
//     becomes the reasoning_content of the next assistant message;
//   - the records of hosted tool runs (web_search_call, file_search_call,
//     code_interpreter_call, image_generation_call, mcp_call,
//     mcp_list_tools) and compaction items (encrypted) are dropped: the
//     assistant text after them carries what came of them;
//   - item ids (Codex invents msg_…, fco_… ids) are dropped; any other item
//     type (item_reference included) is refused, naming its place.
//
// Tools: function tools are sent as Chat function tools (absent or empty
// parameters become {"type":"object","properties":{}}, and a schema without a
// top-level "type" gets "type":"object" first, which Chat requires of
// parameters; the rest of the schema is passed as it is); the function tools
// nested in a "namespace" tool are flattened to "<namespace>__<name>" (Codex's
// own flat form, codex-rs ToolName::canonical_flat_name), and the answer's
// converters split the name again into the function_call's namespace and name,
// which is how OpenAI returns a namespaced call and how Codex routes it. Names
// a Chat upstream rejects are shortened reversibly (pitfall 23). Built-in
// tools (web_search, file_search, computer_use_preview, code_interpreter,
// image_generation, local_shell, mcp, custom and any other type) are dropped:
// a Chat upstream cannot run them. tool_choice follows (a forced tool that was
// dropped, a hosted tool or allowed_tools' set become its mode or "auto");
// tool_choice and parallel_tool_calls are sent only with tools, which Chat
// requires.
//
// reasoning.effort becomes reasoning_effort ("none" is omitted),
// max_output_tokens max_completion_tokens, text.format response_format;
// temperature, top_p, user and stream are copied, and stream_options asks for
// usage when opt.IncludeUsage. Not sent: metadata, store, include,
// prompt_cache_key, previous_response_id (the proxy has expanded it into the
// input), truncation, service_tier, client_metadata, safety_identifier,
// text.verbosity, reasoning.summary, background and any unknown field, since
// strict Chat servers reject fields they do not know.
func ResponsesToChatRequest(body []byte, opt Options) ([]byte, error) {
	req, err := ParseResponsesRequest(body)
	if err != nil {
		return nil, err
	}
	return ResponsesRequestToChat(req, opt)
}

// ResponsesRequestToChat is ResponsesToChatRequest for a request the caller
// has parsed already (the proxy parses it once per exchange, for every
// fallback attempt). req is only read.
func ResponsesRequestToChat(req *RespRequest, opt Options) (_ []byte, err error) {
	c := &r2oConv{opt: opt, names: newR2ONames(req.Tools), calls: map[string]*r2oMsg{}}
	out := r2oChatRequest{Model: opt.UpstreamModel, Stream: req.Stream, MaxCompletionTokens: req.MaxOutputTokens,
		Temperature: req.Temperature, TopP: req.TopP, User: req.User}
	if req.Stream && opt.IncludeUsage {
		out.StreamOptions = &r2oStreamOptions{IncludeUsage: true}
	}
	if req.Reasoning != nil && req.Reasoning.Effort != "none" {
		out.ReasoningEffort = req.Reasoning.Effort
	}
	if out.ResponseFormat, err = r2oResponseFormat(req.Text); err != nil {
		return nil, err
	}
	if err := c.instructions(req.Instructions); err != nil {
		return nil, err
	}
	kept := map[string]bool{}
	for i, t := range req.Tools {
		tools, err := c.tool(t, fmt.Sprintf("tools[%d]", i))
		if err != nil {
			return nil, err
		}
		for _, t := range tools {
			if !kept[t.Function.Name] { // a name sent twice would be refused
				kept[t.Function.Name] = true
				out.Tools = append(out.Tools, t)
			}
		}
	}
	if len(out.Tools) > 0 {
		if out.ToolChoice, err = c.toolChoice(req.ToolChoice, kept); err != nil {
			return nil, err
		}
		out.ParallelToolCalls = req.ParallelToolCalls
	}
	if err := c.input(req.Input); err != nil {
		return nil, err
	}
	out.Messages = c.messages()
	if len(out.Messages) == 0 {
		return nil, badRequest("input: no message with content to send")
	}
	return arespMarshal(out)
}

// r2oChatRequest is the Chat Completions request written upstream.
type r2oChatRequest struct {
	Model               string            `json:"model"`
	Messages            []*r2oMsg         `json:"messages"`
	Stream              bool              `json:"stream,omitempty"`
	StreamOptions       *r2oStreamOptions `json:"stream_options,omitempty"`
	MaxCompletionTokens *int              `json:"max_completion_tokens,omitempty"`
	Temperature         *float64          `json:"temperature,omitempty"`
	TopP                *float64          `json:"top_p,omitempty"`
	Tools               []r2oTool         `json:"tools,omitempty"`
	ToolChoice          any               `json:"tool_choice,omitempty"`
	ParallelToolCalls   *bool             `json:"parallel_tool_calls,omitempty"`
	ReasoningEffort     string            `json:"reasoning_effort,omitempty"`
	ResponseFormat      any               `json:"response_format,omitempty"`
	User                string            `json:"user,omitempty"`
}

type r2oStreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type r2oTool struct {
	Type     string      `json:"type"`
	Function r2oFunction `json:"function"`
}

type r2oFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      *bool           `json:"strict,omitempty"`
}

type r2oNamedChoice struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

type r2oJSONSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema"`
	Strict      *bool           `json:"strict,omitempty"`
}

// r2oEmptySchema is sent for a function without parameters (pitfall 25).
var r2oEmptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// tool converts one entry of tools: none (a dropped built-in tool), one
// function, or the functions of a namespace.
func (c *r2oConv) tool(t RespTool, path string) ([]r2oTool, error) {
	switch t.Type {
	case "function":
		f, err := c.function("", t, path)
		return []r2oTool{f}, err
	case "namespace":
		if t.Name == "" {
			return nil, badRequest("%s.name: required", path)
		}
		var out []r2oTool
		for j, nt := range t.Tools {
			if nt.Type != "function" && nt.Type != "" {
				continue // a custom tool inside the namespace: dropped like the others
			}
			f, err := c.function(t.Name, nt, fmt.Sprintf("%s.tools[%d]", path, j))
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
		return out, nil
	}
	return nil, nil // built-in tools: a Chat upstream cannot run them
}

func (c *r2oConv) function(namespace string, t RespTool, path string) (r2oTool, error) {
	if t.Name == "" {
		return r2oTool{}, badRequest("%s.name: required", path)
	}
	params := t.Parameters
	switch k := areqKind(params); {
	case k == "null" || r2oEmptyObject(params):
		params = r2oEmptySchema
	case k != "object":
		return r2oTool{}, badRequest("%s.parameters: must be a JSON Schema object, got %s", path, k)
	case !r2oHasMember(params, "type"):
		params = append([]byte(`{"type":"object",`), bytes.TrimLeft(params[1:], " \t\r\n")...)
	}
	return r2oTool{Type: "function", Function: r2oFunction{Name: c.names.upstream(namespace, t.Name),
		Description: t.Description, Parameters: params, Strict: t.Strict}}, nil
}

// r2oChoiceIn is an object tool_choice: {"type":"function","name"},
// {"type":"allowed_tools","mode","tools"} or a hosted tool's {"type"}.
type r2oChoiceIn struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Mode      string `json:"mode"`
}

func (c *r2oConv) toolChoice(raw json.RawMessage, kept map[string]bool) (any, error) {
	switch areqKind(raw) {
	case "null":
		return nil, nil
	case "string":
		var s string
		_ = json.Unmarshal(raw, &s)
		if s != "auto" && s != "none" && s != "required" {
			return nil, badRequest("tool_choice: unknown value %q", s)
		}
		return s, nil
	case "object":
	default:
		return nil, badRequest("tool_choice: must be a string or an object, got %s", areqKind(raw))
	}
	var tc r2oChoiceIn
	if err := json.Unmarshal(raw, &tc); err != nil {
		return nil, areqDecodeErr("tool_choice", err)
	}
	switch tc.Type {
	case "function":
		if tc.Name == "" {
			return nil, badRequest("tool_choice.name: required")
		}
		if name := c.names.upstream(tc.Namespace, tc.Name); kept[name] {
			named := &r2oNamedChoice{Type: "function"}
			named.Function.Name = name
			return named, nil
		}
	case "allowed_tools": // the set is not kept: Chat upstreams rarely support it
		if tc.Mode == "required" {
			return "required", nil
		}
	}
	return "auto", nil // a dropped tool was forced: let the model choose
}

// r2oResponseFormat maps text.format to response_format.
func r2oResponseFormat(t *RespText) (any, error) {
	if t == nil || t.Format == nil {
		return nil, nil
	}
	switch f := t.Format; f.Type {
	case "", "text":
		return nil, nil
	case "json_object":
		return map[string]string{"type": "json_object"}, nil
	case "json_schema":
		if areqKind(f.Schema) != "object" {
			return nil, badRequest("text.format.schema: must be a JSON Schema object, got %s", areqKind(f.Schema))
		}
		name := f.Name
		if name == "" {
			name = "response"
		}
		return map[string]any{"type": "json_schema",
			"json_schema": r2oJSONSchema{Name: name, Description: f.Description, Schema: f.Schema, Strict: f.Strict}}, nil
	default:
		return nil, badRequest("text.format.type: unknown value %q", f.Type)
	}
}

// r2oNames maps the client's tools (namespace, name) to the function names
// sent to a Chat upstream and back. It is built from the request's tools on
// both sides of the exchange, so nothing has to travel between them.
type r2oNames struct {
	up   map[[2]string]string
	back map[string][2]string
}

func newR2ONames(tools []RespTool) *r2oNames {
	n := &r2oNames{up: map[[2]string]string{}, back: map[string][2]string{}}
	for _, t := range tools {
		switch t.Type {
		case "function":
			n.upstream("", t.Name)
		case "namespace":
			for _, nt := range t.Tools {
				n.upstream(t.Name, nt.Name)
			}
		}
	}
	return n
}

// upstream returns the Chat function name for a client tool.
func (n *r2oNames) upstream(namespace, name string) string {
	key := [2]string{namespace, name}
	if u, ok := n.up[key]; ok {
		return u
	}
	flat := name
	if namespace != "" { // Codex trims underscores around the delimiter too
		flat = strings.TrimRight(namespace, "_") + "__" + strings.TrimLeft(name, "_")
	}
	if !validToolName(flat) {
		flat = shortenToolName(flat)
	}
	n.up[key] = flat
	if _, taken := n.back[flat]; !taken {
		n.back[flat] = key
	}
	return flat
}

// client returns the namespace ("" for none) and name of the client tool an
// upstream function name stands for; an unknown name is returned as it is.
func (n *r2oNames) client(upstream string) (namespace, name string) {
	if key, ok := n.back[upstream]; ok {
		return key[0], key[1]
	}
	return "", upstream
}

// r2oHasMember reports whether the valid JSON object raw has a member key.
func r2oHasMember(raw json.RawMessage, key string) bool {
	it := jsonbody.Members(raw)
	for {
		k, _, ok := it.NextMember()
		if !ok {
			return false
		}
		if jsonbody.Unquote(k) == key {
			return true
		}
	}
}

// r2oEmptyObject reports whether raw (valid JSON) is {}.
func r2oEmptyObject(raw json.RawMessage) bool {
	var b bytes.Buffer
	return json.Compact(&b, raw) == nil && b.String() == "{}"
}
