package convert

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// orespResponse is what the converters of a whole Chat Completions answer
// (OpenAIToAnthropicResponse, ChatToResponsesResponse) read of it.
type orespResponse struct {
	ID      string          `json:"id"`
	Model   string          `json:"model"`
	Choices []orespChoice   `json:"choices"`
	Usage   json.RawMessage `json:"usage"`
	Error   json.RawMessage `json:"error"`
}

type orespChoice struct {
	Index        int             `json:"index"`
	Message      orespInMessage  `json:"message"`
	FinishReason json.RawMessage `json:"finish_reason"`
}

type orespInMessage struct {
	Content          json.RawMessage `json:"content"`
	ReasoningContent json.RawMessage `json:"reasoning_content"`
	Reasoning        json.RawMessage `json:"reasoning"`
	Refusal          json.RawMessage `json:"refusal"`
	ToolCalls        []orespCall     `json:"tool_calls"`
	FunctionCall     *orespFunction  `json:"function_call"`
}

type orespCall struct {
	ID       string        `json:"id"`
	Function orespFunction `json:"function"`
}

type orespFunction struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

type orespMessage struct {
	ID           string             `json:"id"`
	Type         string             `json:"type"`
	Role         string             `json:"role"`
	Model        string             `json:"model"`
	Content      []any              `json:"content"`
	StopReason   string             `json:"stop_reason"`
	StopSequence *string            `json:"stop_sequence"`
	Usage        AnthropicUsageJSON `json:"usage"`
}

type orespText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type orespThinking struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
}

type orespToolUse struct {
	Type  string          `json:"type"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

// orespStopReasons maps finish_reason to stop_reason (pitfall 9); anything else,
// null included, is end_turn.
var orespStopReasons = map[string]string{"stop": "end_turn", "length": "max_tokens",
	"tool_calls": "tool_use", "function_call": "tool_use", "content_filter": "refusal"}

// OpenAIToAnthropicResponse converts a non-streaming Chat Completions response
// into an Anthropic Messages response. names (may be nil) restores the client's
// tool names; clientModel is used when the upstream names no model. The error
// is an upstream failure (body not JSON, no choices), never a *RequestError.
//
// Choices where the protocols differ:
//   - reasoning_content (or a string "reasoning") becomes a thinking block with
//     an empty signature (pitfall 18): nothing signed it.
//   - Text that is empty or only whitespace is skipped; a response with no
//     content at all keeps "content": [] (valid Anthropic, and the request
//     converter drops such a turn when the client echoes it back).
//   - Tool call ids are kept exactly (pitfall 34); only a call without an id
//     (legacy function_call) gets a fresh "toolu_" id.
//   - Arguments that are not a JSON object (an upstream's bad or truncated
//     JSON is not the client's fault) become {"_raw_arguments": "<the string>"}:
//     the tool_use stays, the client's input validation fails with a message
//     the model can act on, and the raw text remains visible in logs. Empty
//     arguments become {}.
//   - stop_reason is tool_use whenever a tool_use block exists, unless the
//     upstream stopped on length.
func OpenAIToAnthropicResponse(body []byte, names *ToolNames, clientModel string) (out []byte, usage Usage, err error) {
	m, usage, err := orespBuild(body, names, clientModel)
	if err != nil {
		return nil, Usage{}, err
	}
	return m.appendJSON(make([]byte, 0, len(body)+256)), usage, nil
}

// orespBuild decodes and converts the response, returning what to encode.
func orespBuild(body []byte, names *ToolNames, clientModel string) (*orespMessage, Usage, error) {
	var r orespResponse
	if err := r.decode(body); err != nil {
		return nil, Usage{}, errors.New("decoding upstream response: " + err.Error())
	}
	if len(r.Choices) == 0 {
		return nil, Usage{}, errors.New("upstream response has no choices")
	}
	ch := r.Choices[0]
	msg := ch.Message
	m := orespMessage{ID: orespMessageID(r.ID), Type: "message", Role: "assistant", Model: r.Model,
		Content: []any{}}
	if m.Model == "" {
		m.Model = clientModel
	}
	reasoning := orespString(msg.ReasoningContent)
	if strings.TrimSpace(reasoning) == "" {
		reasoning = orespString(msg.Reasoning)
	}
	if strings.TrimSpace(reasoning) != "" {
		m.Content = append(m.Content, orespThinking{Type: "thinking", Thinking: reasoning})
	}
	for _, text := range orespTexts(msg.Content) {
		m.Content = append(m.Content, orespText{Type: "text", Text: text})
	}
	if refusal := orespString(msg.Refusal); strings.TrimSpace(refusal) != "" {
		m.Content = append(m.Content, orespText{Type: "text", Text: refusal})
	}
	calls := msg.ToolCalls
	if len(calls) == 0 && msg.FunctionCall != nil && msg.FunctionCall.Name != "" {
		calls = []orespCall{{Function: *msg.FunctionCall}}
	}
	for _, call := range calls {
		id := call.ID
		if id == "" {
			id = "toolu_" + orespRandomHex()
		}
		m.Content = append(m.Content, orespToolUse{Type: "tool_use", ID: id,
			Name: names.Client(call.Function.Name), Input: orespInput(call.Function.Arguments)})
	}
	m.StopReason = orespStopReasons[orespString(ch.FinishReason)]
	if m.StopReason == "" {
		m.StopReason = "end_turn"
	}
	if len(calls) > 0 && m.StopReason != "max_tokens" {
		m.StopReason = "tool_use"
	}
	usage, _ := UsageFromOpenAI(r.Usage)
	m.Usage = usage.Anthropic()
	return &m, usage, nil
}

// decode fills the zero r from body: in place when it can (see
// response_fast.go), else with encoding/json.
func (r *orespResponse) decode(body []byte) error {
	if r.decodeFast(body) == nil {
		return nil
	}
	*r = orespResponse{}
	return json.Unmarshal(body, r)
}

// orespString returns raw when it is a JSON string, else "". raw is valid
// JSON or empty (a decoded json.RawMessage), so no decoder is needed.
func orespString(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	return jsonbody.Unquote(raw)
}

// orespTexts returns the non-blank texts of message.content, a string or an
// array of content parts (text, output_text, refusal).
func orespTexts(raw json.RawMessage) []string {
	if s := orespString(raw); strings.TrimSpace(s) != "" {
		return []string{s}
	}
	var parts []struct {
		Type    string `json:"type"`
		Text    string `json:"text"`
		Refusal string `json:"refusal"`
	}
	_ = json.Unmarshal(raw, &parts)
	var out []string
	for _, p := range parts {
		text := p.Text
		if p.Type == "refusal" {
			text = p.Refusal
		}
		if strings.TrimSpace(text) != "" {
			out = append(out, text)
		}
	}
	return out
}

// orespInput turns function arguments (a JSON string, or an object some servers
// send directly) into a tool_use input object.
func orespInput(raw json.RawMessage) json.RawMessage {
	args := strings.TrimSpace(string(raw))
	if args == "" || args == "null" {
		return json.RawMessage(`{}`)
	}
	if args[0] == '"' {
		args = strings.TrimSpace(orespString(raw))
		if args == "" {
			return json.RawMessage(`{}`)
		}
	}
	if b := []byte(args); b[0] == '{' && oreqValid(b) { // what json.Compact accepts
		return areqCompact(make([]byte, 0, len(b)), b, false)
	}
	wrapped, _ := json.Marshal(map[string]string{"_raw_arguments": args})
	return wrapped
}

// orespMessageID is "msg_" + the safe characters of the upstream id, or a random id.
func orespMessageID(upstream string) string {
	var b strings.Builder
	for _, c := range upstream {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "msg_" + orespRandomHex()
	}
	return "msg_" + b.String()
}

func orespRandomHex() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
