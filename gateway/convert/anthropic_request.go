package convert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// areqRequest is what AnthropicToOpenAIRequest reads of an Anthropic Messages
// request. Every other field is dropped on purpose: top_k (OpenAI rejects it),
// context_management, container, mcp_servers, service_tier, inference_geo,
// output_config other than effort, cache_control anywhere, and any unknown or
// vendor-specific field, because strict OpenAI-compatible servers reject
// unknown fields.
type areqRequest struct {
	Messages      []json.RawMessage `json:"messages"`
	System        json.RawMessage   `json:"system"`
	MaxTokens     *int              `json:"max_tokens"`
	Stream        bool              `json:"stream"`
	Temperature   *float64          `json:"temperature"`
	TopP          *float64          `json:"top_p"`
	StopSequences []string          `json:"stop_sequences"`
	Metadata      struct {
		UserID json.RawMessage `json:"user_id"`
	} `json:"metadata"`
	Thinking struct {
		Type         string `json:"type"`
		BudgetTokens int    `json:"budget_tokens"`
	} `json:"thinking"`
	OutputConfig struct {
		Effort string `json:"effort"`
	} `json:"output_config"`
	Tools      []json.RawMessage `json:"tools"`
	ToolChoice *areqChoiceIn     `json:"tool_choice"`
}

type areqChoiceIn struct {
	Type                   string `json:"type"`
	Name                   string `json:"name"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use"`
}

// areqBlock holds the fields of every content block type the converter reads.
type areqBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	Source    json.RawMessage `json:"source"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	IsError   bool            `json:"is_error"`
	Thinking  string          `json:"thinking"`
	ToolName  string          `json:"tool_name"`
}

// areqKnownBlocks are Anthropic block types: where one is not converted, the
// error says it is not allowed rather than unknown.
var areqKnownBlocks = map[string]bool{"text": true, "image": true, "document": true,
	"tool_use": true, "tool_result": true, "thinking": true, "redacted_thinking": true,
	"search_result": true, "container_upload": true, "server_tool_use": true,
	"web_search_tool_result": true, "web_fetch_tool_result": true,
	"code_execution_tool_result": true, "mcp_tool_use": true, "mcp_tool_result": true,
	"tool_reference": true}

var areqToolChoice = map[string]string{"": "auto", "auto": "auto", "any": "required", "none": "none"}

// AnthropicToOpenAIRequest converts an Anthropic Messages request body into an
// OpenAI Chat Completions request body for the upstream model opt.UpstreamModel.
// names maps the client's tool names to the ones sent upstream (pitfall 23) and
// is needed to convert the answer back. err is a *RequestError when the request
// cannot be translated.
//
// Choices where the protocols differ:
//   - Mid-conversation role "system" messages (Claude Code sends them) are folded
//     into the leading system message, joined with "\n\n": vLLM/Qwen chat
//     templates and other strict servers reject a system message that is not
//     first, and Claude Code itself folds them when an upstream refuses them.
//   - A user message's tool_result blocks become "tool" messages emitted before
//     its other content (P1); images inside a tool result become the text
//     "[image omitted]" because a tool message cannot carry images and moving
//     them to a user message would make text-only upstreams reject every later
//     turn of the session; is_error results are prefixed with "Error: ".
//   - Assistant text after a tool_use (pitfall 16) is moved before the tool
//     calls, in one assistant message.
//   - A tool_use that gets no tool_result in the next message is answered with
//     a synthetic "[no result]" tool message; a conversation ending in an
//     assistant tool_use (prefill) is a RequestError.
//   - Server tools (a "type" other than "custom") cannot run upstream and are
//     dropped; deferred tools (defer_loading) are sent like the others, so a
//     ToolSearch tool_reference result becomes the note "[tool NAME loaded]".
//   - Claude Code's "x-anthropic-billing-header:" system block is dropped: it
//     is not an instruction and its version stamp would defeat prefix caching.
//   - Thinking history is dropped, or sent as reasoning_content when
//     opt.Reasoning says so; signatures never leave (pitfalls 18, 26).
//
// The body is decoded on a fast path first (areqConvert with fast set): one
// jsonbody.Scan validates it, then the members are read in place. Anything
// that path does not handle exactly as encoding/json would (a key matching a
// field only case-insensitively, a value of an unexpected type) and every
// error sends the request through encoding/json instead, which has the
// precise error messages; both paths share the rest, so their output is the
// same (FuzzAnthropicToOpenAIRequest checks it).
func AnthropicToOpenAIRequest(body []byte, opt Options) (out []byte, names *ToolNames, err error) {
	if out, names, err := areqConvert(body, opt, true); err == nil {
		return out, names, nil
	}
	return areqConvert(body, opt, false)
}

// areqConvert is AnthropicToOpenAIRequest decoding on the fast path or with
// encoding/json. On the fast path every error is errAreqSlow or a
// *RequestError that the slow path will report again.
func areqConvert(body []byte, opt Options, fast bool) (out []byte, names *ToolNames, err error) {
	o, names, err := areqBuild(body, opt, fast)
	if err != nil {
		return nil, nil, err
	}
	return o.appendJSON(make([]byte, 0, len(body)+256)), names, nil
}

// areqBuild decodes and converts the request, returning what to encode.
func areqBuild(body []byte, opt Options, fast bool) (*areqOut, *ToolNames, error) {
	var req areqRequest
	if fast {
		if err := req.decodeFast(body); err != nil {
			return nil, nil, err
		}
	} else if err := json.Unmarshal(body, &req); err != nil {
		return nil, nil, areqDecodeErr("", err)
	}
	if req.Messages == nil {
		return nil, nil, badRequest("messages: required")
	}
	c := &areqConv{opt: opt, names: &ToolNames{}, fast: fast}
	o := areqOut{Model: opt.UpstreamModel, MaxTokens: req.MaxTokens, Temperature: req.Temperature,
		TopP: req.TopP, Stop: req.StopSequences, Stream: req.Stream}
	if req.Stream && opt.IncludeUsage {
		o.StreamOptions = &areqStreamOp{IncludeUsage: true}
	}
	if areqKind(req.Metadata.UserID) == "string" { // another type is ignored, not refused
		o.User = jsonbody.Unquote(req.Metadata.UserID)
		o.PromptCacheKey = PromptCacheKey(o.User)
	}
	o.ReasoningEffort = areqEffort(req.Thinking.Type, req.Thinking.BudgetTokens, req.OutputConfig.Effort)
	if err := c.systemText(req.System, "system"); err != nil {
		return nil, nil, err
	}
	kept := map[string]bool{}
	for i, raw := range req.Tools {
		t, err := c.tool(raw, i)
		if err != nil {
			return nil, nil, err
		}
		if t != nil {
			o.Tools = append(o.Tools, *t)
			kept[t.Function.Name] = true
		}
	}
	if tc := req.ToolChoice; tc != nil && len(o.Tools) > 0 {
		switch simple, ok := areqToolChoice[tc.Type]; {
		case ok:
			o.ToolChoice = simple
		case tc.Type == "tool":
			if tc.Name == "" || !kept[c.names.Upstream(tc.Name)] {
				return nil, nil, badRequest("tool_choice.name: no tool named %q is sent upstream", tc.Name)
			}
			named := &areqNamedChoice{Type: "function"}
			named.Function.Name = c.names.Upstream(tc.Name)
			o.ToolChoice = named
		default:
			return nil, nil, badRequest("tool_choice.type: unknown value %q", tc.Type)
		}
		if tc.DisableParallelToolUse {
			f := false
			o.ParallelToolCalls = &f
		}
	}
	for i, raw := range req.Messages {
		if err := c.message(raw, i); err != nil {
			return nil, nil, err
		}
	}
	if len(c.pending) > 0 {
		return nil, nil, badRequest("messages[%d]: the conversation ends with an assistant tool_use (id %q) that has no tool_result; an assistant prefill ending in tool_use cannot be sent to an OpenAI-style upstream", c.pendingAt, c.pending[0])
	}
	if len(c.msgs) == 0 {
		return nil, nil, badRequest("messages: no non-empty user or assistant message")
	}
	if len(c.system) > 0 {
		sys := areqOutMsg{Role: "system", Content: strings.Join(c.system, "\n\n")}
		c.msgs = append([]areqOutMsg{sys}, c.msgs...)
	}
	o.Messages = c.msgs
	return &o, c.names, nil
}

// areqEffort maps Anthropic thinking to reasoning_effort; "" when thinking is
// off or disabled (pitfall 19). max_tokens is never touched (P4).
func areqEffort(typ string, budget int, effort string) string {
	switch typ {
	case "enabled":
		switch {
		case budget <= 0:
			return "medium"
		case budget < 4096:
			return "low"
		case budget < 16384:
			return "medium"
		}
		return "high"
	case "adaptive":
		switch effort {
		case "low", "medium", "high":
			return effort
		case "max":
			return "high"
		}
		return "medium"
	}
	return ""
}

type areqConv struct {
	fast      bool // decode with areqDecode* instead of encoding/json
	opt       Options
	names     *ToolNames
	system    []string
	msgs      []areqOutMsg
	pending   []string // tool_call ids of the last assistant message not yet answered
	pendingAt int
}

// tool converts one tool definition; nil for a dropped server tool.
func (c *areqConv) tool(raw json.RawMessage, i int) (*areqOutTool, error) {
	path := func() string { return fmt.Sprintf("tools[%d]", i) }
	var t areqTool
	if c.fast {
		if err := t.decodeFast(raw); err != nil {
			return nil, err
		}
	} else if err := json.Unmarshal(raw, &t); err != nil {
		return nil, areqDecodeErr(path(), err)
	}
	if t.Type != "" && t.Type != "custom" {
		return nil, nil // server tool (web_search_…, bash_…): cannot run on an OpenAI upstream
	}
	if t.Name == "" {
		return nil, badRequest("%s.name: required", path())
	}
	schema, err := areqSchema(t.InputSchema, func() string { return path() + ".input_schema" })
	if err != nil {
		return nil, err
	}
	return &areqOutTool{Type: "function", Function: areqFunc{Name: c.names.Upstream(t.Name),
		Description: t.Description, Parameters: schema}}, nil
}

// systemText appends the text of a system prompt (string or text blocks).
func (c *areqConv) systemText(raw json.RawMessage, path string) error {
	if areqKind(raw) == "null" && path == "system" {
		return nil
	}
	blocks, err := areqBlocks(raw, func() string { return path }, c.fast)
	if err != nil {
		return err
	}
	for j, b := range blocks {
		if b.Type != "text" {
			return badRequest("%s[%d]: only text blocks are allowed in a system prompt, got %q", path, j, b.Type)
		}
		// Claude Code's first system block is a billing line for Anthropic, not
		// an instruction; it varies by version and would break prefix caching.
		if strings.TrimSpace(b.Text) != "" && !strings.HasPrefix(b.Text, "x-anthropic-billing-header:") {
			c.system = append(c.system, b.Text)
		}
	}
	return nil
}

// answerPending answers every tool call of the previous assistant message that
// got no tool_result with a synthetic tool message.
func (c *areqConv) answerPending() {
	for _, id := range c.pending {
		c.msgs = append(c.msgs, areqOutMsg{Role: "tool", ToolCallID: id, Content: "[no result]"})
	}
	c.pending = nil
}

// areqPath names a place in the request for an error message. It is a
// function so that the string is built only when an error needs it: building
// one for every message and block was 13 % of a small conversion's
// allocations.
type areqPath func() string

func (c *areqConv) message(raw json.RawMessage, i int) error {
	path := areqPath(func() string { return fmt.Sprintf("messages[%d]", i) })
	var m areqMessage
	if c.fast {
		if err := m.decodeFast(raw); err != nil {
			return err
		}
	} else if err := json.Unmarshal(raw, &m); err != nil {
		return areqDecodeErr(path(), err)
	}
	if m.Role == "system" {
		return c.systemText(m.Content, path()+".content")
	}
	if m.Role != "user" && m.Role != "assistant" {
		return badRequest("%s.role: unknown role %q", path(), m.Role)
	}
	blocks, err := areqBlocks(m.Content, func() string { return path() + ".content" }, c.fast)
	if err != nil {
		return err
	}
	if m.Role == "user" {
		return c.user(blocks, path)
	}
	return c.assistant(blocks, path, i)
}

// PromptCacheKey turns an Anthropic metadata.user_id into an OpenAI
// prompt_cache_key, so that a converted conversation keeps landing on the
// upstream's cache (issue 18). It is a digest: OpenAI refuses keys over 64
// characters (Claude Code's user_id is about 150), and the digest does not
// hand the client's account and session ids to a third-party upstream.
func PromptCacheKey(userID string) string {
	if userID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(userID))
	return "ms-" + hex.EncodeToString(sum[:16])
}
