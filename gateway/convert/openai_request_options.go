package convert

// The sampling, stop, tool and reasoning options of OpenAIToAnthropicRequest
// (split from openai_request.go to keep files short).

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

func oreqMaxTokens(in oreqIn, opt Options) (int, error) {
	if n, given, err := oreqMaxTokensGiven(in); given || err != nil {
		return n, err
	}
	if opt.DefaultMaxTokens > 0 {
		return opt.DefaultMaxTokens, nil
	}
	return defaultAnthropicMaxTokens, nil
}

// oreqMaxTokensGiven reads max_completion_tokens, else max_tokens, when the
// request gives one.
func oreqMaxTokensGiven(in oreqIn) (n int, given bool, err error) {
	names := [2]string{"max_completion_tokens", "max_tokens"}
	for i, raw := range [2]json.RawMessage{in.MaxCompletionTokens, in.MaxTokens} {
		if oreqNull(raw) {
			continue
		}
		// raw is valid JSON: as json.Unmarshal into a float64, only a number
		// that ParseFloat takes is accepted.
		v, err := strconv.ParseFloat(string(raw), 64)
		if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') || err != nil || v < 1 || v > math.MaxInt32 || v != math.Trunc(v) {
			return 0, true, badRequest("%s must be a positive integer", names[i])
		}
		return int(v), true, nil
	}
	return 0, false, nil
}

// oreqStop reads stop (a string or an array of strings); empty ones are dropped.
func oreqStop(raw json.RawMessage) ([]string, error) {
	if oreqNull(raw) {
		return nil, nil
	}
	// raw is valid JSON; null elements decode to "" as in encoding/json.
	list := []string{}
	switch raw[0] {
	case '"':
		list = append(list, jsonbody.Unquote(raw))
	case '[':
		it := jsonbody.Elements(raw)
		for {
			e, ok := it.NextElement()
			if !ok {
				break
			}
			switch e[0] {
			case '"':
				list = append(list, jsonbody.Unquote(e))
			case 'n':
				list = append(list, "")
			default:
				return nil, badRequest("stop must be a string or an array of strings")
			}
		}
	default:
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

// oreqSchema returns an object schema for parameters (pitfall 25), as
// compact JSON. raw is valid JSON. A schema without "type" gets one and is
// written as encoding/json wrote the map it used to be decoded into: keys
// sorted, values compacted with <, > and & escaped (see schema.go).
func oreqSchema(raw json.RawMessage) (json.RawMessage, error) {
	if !oreqNull(raw) && raw[0] != '{' {
		return nil, errors.New("not an object")
	}
	var buf [16]areqMember
	ms := areqMembers(buf[:0], raw)
	if len(ms) == 0 {
		return json.RawMessage(`{"type":"object","properties":{}}`), nil
	}
	if areqFind(ms, "type") >= 0 {
		return areqCompact(make([]byte, 0, len(raw)), raw, false), nil
	}
	ms = append(ms, areqMember{[]byte("type"), []byte(`"object"`)})
	areqSortMembers(ms)
	out := append(make([]byte, 0, len(raw)+16), '{')
	for i, m := range ms {
		if i > 0 {
			out = append(out, ',')
		}
		out = areqCompact(append(areqQuoteHTML(out, m.key), ':'), m.val, true)
	}
	return append(out, '}'), nil
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
	req.Thinking = &oreqThinking{Type: "enabled", BudgetTokens: budget}
	if req.MaxTokens <= budget {
		req.MaxTokens += budget
	}
	req.Temperature, req.TopK = nil, nil
	if req.TopP != nil && *req.TopP < 0.95 {
		req.TopP = nil
	}
	return nil
}
