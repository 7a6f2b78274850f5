package convert

import "encoding/json"

// The OpenAI Responses API's wire types (POST /v1/responses), shared by the
// converters in both directions: Responses clients over Chat Completions or
// Anthropic upstreams (responses_client_*.go) and Chat Completions or
// Anthropic clients over Responses upstreams (responses_upstream_*.go).
//
// They are decoded and encoded with encoding/json (docs/decisions.md, issue
// 15). Values that travel through unchanged stay json.RawMessage.

// RespRequest is a Responses request body.
type RespRequest struct {
	Model              string          `json:"model"`
	Input              json.RawMessage `json:"input,omitempty"` // a string or an array of RespItem
	Instructions       json.RawMessage `json:"instructions,omitempty"`
	Tools              []RespTool      `json:"tools,omitempty"`
	ToolChoice         json.RawMessage `json:"tool_choice,omitempty"` // "auto" | "none" | "required" | {"type":"function","name"}
	ParallelToolCalls  *bool           `json:"parallel_tool_calls,omitempty"`
	Reasoning          *RespReasoning  `json:"reasoning,omitempty"`
	MaxOutputTokens    *int            `json:"max_output_tokens,omitempty"`
	Temperature        *float64        `json:"temperature,omitempty"`
	TopP               *float64        `json:"top_p,omitempty"`
	Text               *RespText       `json:"text,omitempty"`
	Metadata           json.RawMessage `json:"metadata,omitempty"`
	Store              *bool           `json:"store,omitempty"`
	Include            []string        `json:"include,omitempty"`
	PromptCacheKey     string          `json:"prompt_cache_key,omitempty"`
	Stream             bool            `json:"stream,omitempty"`
	PreviousResponseID string          `json:"previous_response_id,omitempty"`
	User               string          `json:"user,omitempty"`
	// SafetyIdentifier and ServiceTier are carried over from Chat
	// Completions clients (responses_upstream_request.go).
	SafetyIdentifier string `json:"safety_identifier,omitempty"`
	ServiceTier      string `json:"service_tier,omitempty"`
}

// RespReasoning is the request's (and the response's) reasoning settings.
type RespReasoning struct {
	Effort  string `json:"effort,omitempty"`  // minimal | low | medium | high | xhigh | none
	Summary string `json:"summary,omitempty"` // auto | concise | detailed
}

// RespText is the request's text settings.
type RespText struct {
	Format    *RespFormat `json:"format,omitempty"`
	Verbosity string      `json:"verbosity,omitempty"`
}

// RespFormat is text.format: {"type":"text"}, {"type":"json_object"} or
// {"type":"json_schema","name","schema","strict","description"}.
type RespFormat struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// RespTool is one entry of tools. Function tools have Name and Parameters;
// a "namespace" (Codex) has nested Tools; built-in tools (web_search,
// file_search, …) only a Type.
type RespTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
	Tools       []RespTool      `json:"tools,omitempty"`
}

// RespItem is one input or output item. Which fields are set depends on Type:
//   - "message" (also when Type is empty and Role is set): Role, Content (a
//     string or RespPart array), ID, Status;
//   - "function_call": ID, CallID, Name, Namespace, Arguments, Status;
//   - "custom_tool_call": ID, CallID, Name, Input; "custom_tool_call_output":
//     CallID, Output;
//   - "function_call_output": CallID, Output (a string or parts), ID;
//   - "reasoning": ID, Summary, EncryptedContent, Content.
type RespItem struct {
	Type             string          `json:"type,omitempty"`
	ID               string          `json:"id,omitempty"`
	Status           string          `json:"status,omitempty"`
	Role             string          `json:"role,omitempty"`
	Content          json.RawMessage `json:"content,omitempty"`
	CallID           string          `json:"call_id,omitempty"`
	Name             string          `json:"name,omitempty"`
	Arguments        *string         `json:"arguments,omitempty"`
	Output           json.RawMessage `json:"output,omitempty"`
	Summary          []RespPart      `json:"summary,omitempty"`
	EncryptedContent *string         `json:"encrypted_content,omitempty"`
	// Namespace is set on a "function_call" of a tool inside a "namespace"
	// tool (Codex's multi_agent_v1): Name is then the inner tool's name.
	Namespace string `json:"namespace,omitempty"`
	// Input is a "custom_tool_call"'s free-form input.
	Input *string `json:"input,omitempty"`
}

// RespPart is one content part: input_text, input_image, output_text,
// refusal, summary_text, reasoning_text.
type RespPart struct {
	Type        string          `json:"type"`
	Text        string          `json:"text,omitempty"`
	ImageURL    string          `json:"image_url,omitempty"`
	Detail      string          `json:"detail,omitempty"`
	FileID      string          `json:"file_id,omitempty"`
	Refusal     string          `json:"refusal,omitempty"`
	Annotations json.RawMessage `json:"annotations,omitempty"`
}

// RespResponse is a response object: the whole answer, and the "response"
// member of response.created / .in_progress / .completed / .failed /
// .incomplete events.
type RespResponse struct {
	ID                 string          `json:"id"`
	Object             string          `json:"object"` // "response"
	CreatedAt          int64           `json:"created_at"`
	Status             string          `json:"status"` // in_progress | completed | incomplete | failed
	Error              *RespError      `json:"error"`
	IncompleteDetails  *RespIncomplete `json:"incomplete_details"`
	Instructions       json.RawMessage `json:"instructions"`
	MaxOutputTokens    *int            `json:"max_output_tokens"`
	Model              string          `json:"model"`
	Output             []RespItem      `json:"output"`
	ParallelToolCalls  bool            `json:"parallel_tool_calls"`
	PreviousResponseID *string         `json:"previous_response_id"`
	Reasoning          *RespReasoning  `json:"reasoning,omitempty"`
	Store              bool            `json:"store"`
	Temperature        *float64        `json:"temperature"`
	Text               *RespText       `json:"text,omitempty"`
	ToolChoice         json.RawMessage `json:"tool_choice"`
	Tools              []RespTool      `json:"tools"`
	TopP               *float64        `json:"top_p"`
	Truncation         string          `json:"truncation"`
	Usage              *RespUsage      `json:"usage"`
	Metadata           json.RawMessage `json:"metadata"`
}

// RespAnswer is what the gateway reads of an upstream's response object
// (a whole answer, or the "response" of a stream event): the answer itself,
// without the echo of the request (instructions, tools, sampling, metadata)
// that RespResponse carries to clients. Decoding the echo cost more than
// the rest of the answer, and no converter or observer uses it.
type RespAnswer struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	CreatedAt         int64           `json:"created_at"`
	Status            string          `json:"status"`
	Error             *RespError      `json:"error"`
	IncompleteDetails *RespIncomplete `json:"incomplete_details"`
	Model             string          `json:"model"`
	Output            []RespItem      `json:"output"`
	Usage             *RespUsage      `json:"usage"`
}

// Answer is the part of r an upstream's answer would have been read into.
func (r *RespResponse) Answer() *RespAnswer {
	return &RespAnswer{ID: r.ID, Object: r.Object, CreatedAt: r.CreatedAt, Status: r.Status, Error: r.Error,
		IncompleteDetails: r.IncompleteDetails, Model: r.Model, Output: r.Output, Usage: r.Usage}
}

// RespError is a response's error (status "failed").
type RespError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// RespIncomplete says why a response is "incomplete": max_output_tokens or
// content_filter.
type RespIncomplete struct {
	Reason string `json:"reason"`
}

// RespUsage is a response's usage: input_tokens include cached tokens, as
// OpenAI counts them.
type RespUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// RespEvent is one stream event: every event has Type and SequenceNumber;
// the others depend on the type.
type RespEvent struct {
	Type           string      `json:"type"`
	SequenceNumber int         `json:"sequence_number"`
	Response       *RespAnswer `json:"response,omitempty"`
	OutputIndex    *int        `json:"output_index,omitempty"`
	ContentIndex   *int        `json:"content_index,omitempty"`
	SummaryIndex   *int        `json:"summary_index,omitempty"`
	ItemID         string      `json:"item_id,omitempty"`
	Item           *RespItem   `json:"item,omitempty"`
	Part           *RespPart   `json:"part,omitempty"`
	Delta          *string     `json:"delta,omitempty"`
	Text           *string     `json:"text,omitempty"`
	Arguments      *string     `json:"arguments,omitempty"`
	// "error" events
	Code    *string `json:"code,omitempty"`
	Message string  `json:"message,omitempty"`
	Param   *string `json:"param,omitempty"`
	// Error is the nested form some compatible servers send in "error"
	// events ({"type":"error","error":{"code","message"}}).
	Error *RespError `json:"error,omitempty"`
}

// UsageFromResponses normalises a Responses usage object (input_tokens
// include cached_tokens there, as prompt_tokens do in Chat Completions).
func UsageFromResponses(u *RespUsage) (Usage, bool) {
	if u == nil {
		return Usage{}, false
	}
	read := u.InputTokensDetails.CachedTokens
	return Usage{Input: max(u.InputTokens-read, 0), Output: u.OutputTokens, CacheRead: read,
		Reasoning: u.OutputTokensDetails.ReasoningTokens}, true
}

// Responses renders u for a Responses client: input tokens include cache
// reads and writes.
func (u Usage) Responses() *RespUsage {
	r := &RespUsage{InputTokens: u.Input + u.CacheRead + u.CacheWrite, OutputTokens: u.Output}
	r.InputTokensDetails.CachedTokens = u.CacheRead
	r.OutputTokensDetails.ReasoningTokens = u.Reasoning
	r.TotalTokens = r.InputTokens + r.OutputTokens
	return r
}
