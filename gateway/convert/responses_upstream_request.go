package convert

import (
	"encoding/json"
	"errors"
	"strings"
)

// o2rEmptyParameters stands in for a function without parameters: Responses
// requires the field (pitfall 25).
var o2rEmptyParameters = json.RawMessage(`{"type":"object","properties":{}}`)

// o2rMinOutputTokens is the smallest max_output_tokens OpenAI accepts ("integer
// below minimum value" otherwise); Chat allows 1, which Claude Code's probes use.
const o2rMinOutputTokens = 16

// ChatToResponsesRequest converts a Chat Completions request body into a
// Responses request (POST /v1/responses) for opt.UpstreamModel. Choices where
// the two APIs differ:
//   - the system and developer messages before the first other message are
//     joined with "\n\n" into instructions; later ones become developer
//     message items in place. A conversation of system messages only sends
//     them as one developer item, as there is nothing else to answer;
//   - assistant text and refusals become output_text parts of an assistant
//     message item, followed by one function_call item per tool call (its id
//     is the call_id, pitfall 34); tool messages become function_call_output;
//   - assistant reasoning_content is dropped: Responses takes back only the
//     encrypted reasoning items it produced itself;
//   - store is always false: the gateway is stateless toward the upstream and
//     sends the whole conversation every time (no previous_response_id);
//   - function tools without "strict" are sent with strict false, since
//     Responses would otherwise normalise their schemas into strict mode and
//     make optional parameters required;
//   - max_completion_tokens, else max_tokens, is max_output_tokens, raised
//     to 16 (OpenAI's minimum);
//   - stop is dropped (Responses has no stop sequences), and so are
//     stream_options (a Responses stream always ends with its usage) and the
//     fields logprobs, top_logprobs, logit_bias, presence_penalty,
//     frequency_penalty, seed, top_k, store, metadata, prediction,
//     web_search_options and message names; tool_choice and
//     parallel_tool_calls are dropped without tools;
//   - n > 1, legacy functions, audio, file and other non-text, non-image
//     parts, and non-function tools are refused with a RequestError naming
//     the location.
//
// As OpenAIToAnthropicRequest, it decodes the body in place first and goes
// through encoding/json for what that path does not take, and every error.
func ChatToResponsesRequest(body []byte, opt Options) ([]byte, error) {
	req, err := o2rBuild(body, opt, true)
	if err != nil {
		req, err = o2rBuild(body, opt, false)
	}
	if err != nil {
		return nil, err
	}
	return arespMarshal(req)
}

// o2rBuild decodes (in place when fast is set) and converts the request.
func o2rBuild(body []byte, opt Options, fast bool) (*RespRequest, error) {
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
		return nil, badRequest("n > 1 is not supported by Responses upstreams")
	case !oreqNull(in.Functions) || !oreqNull(in.FunctionCall):
		return nil, badRequest("legacy functions and function_call are not supported; use tools and tool_choice")
	case !oreqNull(in.Audio) || o2rHas(in.Modalities, "audio"):
		return nil, badRequest("audio output is not supported by Responses upstreams")
	}
	req := &RespRequest{Model: opt.UpstreamModel, Stream: in.Stream, Temperature: in.Temperature, TopP: in.TopP,
		Store: new(false), User: in.User, SafetyIdentifier: in.SafetyIdentifier,
		PromptCacheKey: in.PromptCacheKey, ServiceTier: in.ServiceTier}
	if err := o2rMessages(req, in.Messages, fast); err != nil {
		return nil, err
	}
	if n, given, err := oreqMaxTokensGiven(in); err != nil {
		return nil, err
	} else if given {
		req.MaxOutputTokens = new(max(n, o2rMinOutputTokens))
	}
	err := o2rTools(req, in)
	if err != nil {
		return nil, err
	}
	if req.Text, err = o2rTextFormat(in.ResponseFormat); err != nil {
		return nil, err
	}
	if in.Verbosity != "" {
		if req.Text == nil {
			req.Text = &RespText{}
		}
		req.Text.Verbosity = in.Verbosity
	}
	if in.ReasoningEffort != "" {
		// No summary is asked for: OpenAI refuses summaries to unverified
		// organisations, and a Chat client did not ask for reasoning text.
		req.Reasoning = &RespReasoning{Effort: in.ReasoningEffort}
	}
	return req, nil
}

func o2rHas(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// o2rTools converts tools, tool_choice and parallel_tool_calls.
func o2rTools(req *RespRequest, in oreqIn) error {
	for i, t := range in.Tools {
		if t.Type != "function" {
			return badRequest("tools[%d]: tool type %q is not supported by Responses upstreams", i, t.Type)
		}
		f := t.Function
		if f == nil || f.Name == "" {
			return badRequest("tools[%d]: function.name is required", i)
		}
		params := f.Parameters
		if oreqNull(params) {
			params = o2rEmptyParameters
		} else if params[0] != '{' {
			return badRequest("tools[%d].function.parameters: must be a JSON object", i)
		}
		strict := f.Strict
		if strict == nil {
			strict = new(false) // Chat's default, not Responses' (see ChatToResponsesRequest)
		}
		req.Tools = append(req.Tools, RespTool{Type: "function", Name: f.Name, Description: f.Description,
			Parameters: params, Strict: strict})
	}
	if len(req.Tools) == 0 {
		return nil
	}
	req.ParallelToolCalls = in.ParallelToolCalls
	if oreqNull(in.ToolChoice) {
		return nil
	}
	choice, err := o2rToolChoice(in.ToolChoice)
	if err != nil {
		return err
	}
	req.ToolChoice, err = arespMarshal(choice)
	return err
}

// o2rNamedTool is a function named in tool_choice, in both APIs' shapes.
type o2rNamedTool struct {
	Type     string `json:"type"`
	Name     string `json:"name,omitempty"` // Responses
	Function *struct {
		Name string `json:"name"`
	} `json:"function,omitempty"` // Chat
}

// o2rToolChoice maps a Chat tool_choice to its Responses form: the strings
// are the same, a named function loses its "function" wrapper, and
// allowed_tools moves its mode and tools up one level.
func o2rToolChoice(raw json.RawMessage) (any, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "auto", "none", "required":
			return s, nil
		}
		return nil, badRequest("tool_choice %q is not supported", s)
	}
	var obj struct {
		o2rNamedTool
		AllowedTools *struct {
			Mode  string         `json:"mode"`
			Tools []o2rNamedTool `json:"tools"`
		} `json:"allowed_tools"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		switch {
		case obj.Type == "function" && obj.Function != nil && obj.Function.Name != "":
			return o2rNamedTool{Type: "function", Name: obj.Function.Name}, nil
		case obj.Type == "allowed_tools" && obj.AllowedTools != nil:
			out := struct {
				Type  string         `json:"type"`
				Mode  string         `json:"mode"`
				Tools []o2rNamedTool `json:"tools"`
			}{Type: "allowed_tools", Mode: obj.AllowedTools.Mode, Tools: []o2rNamedTool{}}
			for i, t := range obj.AllowedTools.Tools {
				if t.Type != "function" || t.Function == nil || t.Function.Name == "" {
					return nil, badRequest("tool_choice.allowed_tools.tools[%d]: only functions with a name are supported", i)
				}
				out.Tools = append(out.Tools, o2rNamedTool{Type: "function", Name: t.Function.Name})
			}
			return out, nil
		}
	}
	return nil, badRequest(`tool_choice must be "auto", "required", "none", {"type":"function","function":{"name":…}} or allowed_tools`)
}

// o2rTextFormat maps response_format to text.format.
func o2rTextFormat(f oreqResponseFormat) (*RespText, error) {
	switch f.Type {
	case "", "text":
		return nil, nil
	case "json_object":
		return &RespText{Format: &RespFormat{Type: "json_object"}}, nil
	case "json_schema":
		s := f.JSONSchema
		if s == nil || s.Name == "" {
			return nil, badRequest("response_format json_schema needs json_schema.name")
		}
		return &RespText{Format: &RespFormat{Type: "json_schema", Name: s.Name, Description: s.Description,
			Schema: s.Schema, Strict: s.Strict}}, nil
	}
	return nil, badRequest("response_format type %q is not supported", f.Type)
}

// o2rRaw encodes a value built here (it cannot fail) as a json.RawMessage.
func o2rRaw(v any) json.RawMessage {
	b, err := arespMarshal(v)
	if err != nil {
		panic(err) // strings and parts only
	}
	return b
}

// o2rUnmarshal is json.Unmarshal that keeps going past fields of an
// unexpected type (they stay zero): upstream answers are read leniently.
func o2rUnmarshal(data []byte, v any) error {
	var te *json.UnmarshalTypeError
	if err := json.Unmarshal(data, v); err != nil && !errors.As(err, &te) {
		return err
	}
	return nil
}

// o2rJoin joins non-empty texts with "\n\n", as the converters do elsewhere.
func o2rJoin(texts []string) string {
	var keep []string
	for _, t := range texts {
		if t != "" {
			keep = append(keep, t)
		}
	}
	return strings.Join(keep, "\n\n")
}
