package convert

import "encoding/json"

// In-place decoding of a Responses request (ParseResponsesRequest), as the
// Chat and Anthropic request decoders do: after one validating scan, each
// member is read where it is; raw members (input, instructions, tool_choice,
// metadata, schemas, parameters) are copied, as json.RawMessage copies.
// Anything the fast path does not decode exactly as encoding/json would (a
// field of the wrong type, a repeated key) is errAreqSlow, and
// ParseResponsesRequest decodes the body with encoding/json instead.
// FuzzResponsesToChatRequest and TestRespRequestFastPath hold the fast path
// to encoding/json (checkFastDecode).

var (
	respRequestFields = []string{"model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls",
		"reasoning", "max_output_tokens", "temperature", "top_p", "text", "metadata", "store", "include",
		"prompt_cache_key", "stream", "previous_response_id", "user", "safety_identifier", "service_tier"}
	respToolFields      = []string{"type", "name", "description", "parameters", "strict", "tools"}
	respReasoningFields = []string{"effort", "summary"}
	respTextFields      = []string{"format", "verbosity"}
	respFormatFields    = []string{"type", "name", "description", "schema", "strict"}
)

// respRaw sets a json.RawMessage member as encoding/json does: a copy (v
// is the caller's), null included.
func respRaw(dst *json.RawMessage, v []byte) error {
	*dst = append((*dst)[:0], v...)
	return nil
}

// decodeFast fills the zero req from body, or returns errAreqSlow; req must
// then be zeroed before decoding it another way.
func (req *RespRequest) decodeFast(body []byte) error {
	if len(body) == 0 || body[0] != '{' || !areqScanned(body) {
		return errAreqSlow
	}
	return oreqObjectFast(body, respRequestFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&req.Model, v)
		case 1:
			return respRaw(&req.Input, v)
		case 2:
			return respRaw(&req.Instructions, v)
		case 3:
			return respObjects(&req.Tools, v, (*RespTool).decodeFast)
		case 4:
			return respRaw(&req.ToolChoice, v)
		case 5:
			return oreqSetBoolPtr(&req.ParallelToolCalls, v)
		case 6:
			return obsDecodePtr(&req.Reasoning, v, (*RespReasoning).decodeFast)
		case 7:
			return areqSetIntPtr(&req.MaxOutputTokens, v)
		case 8:
			return areqSetFloatPtr(&req.Temperature, v)
		case 9:
			return areqSetFloatPtr(&req.TopP, v)
		case 10:
			return obsDecodePtr(&req.Text, v, (*RespText).decodeFast)
		case 11:
			return respRaw(&req.Metadata, v)
		case 12:
			return oreqSetBoolPtr(&req.Store, v)
		case 13:
			return oreqSetStrings(&req.Include, v)
		case 15:
			return areqSetBool(&req.Stream, v)
		}
		return areqSetString([...]*string{14: &req.PromptCacheKey, 16: &req.PreviousResponseID, 17: &req.User,
			18: &req.SafetyIdentifier, 19: &req.ServiceTier}[f], v)
	})
}

func (t *RespTool) decodeFast(v []byte) error {
	return oreqObjectFast(v, respToolFields, func(f int, v []byte) error {
		switch f {
		case 3:
			return respRaw(&t.Parameters, v)
		case 4:
			return oreqSetBoolPtr(&t.Strict, v)
		case 5:
			return respObjects(&t.Tools, v, (*RespTool).decodeFast)
		}
		return areqSetString([...]*string{&t.Type, &t.Name, &t.Description}[f], v)
	})
}

func (r *RespReasoning) decodeFast(v []byte) error {
	return oreqObjectFast(v, respReasoningFields, func(f int, v []byte) error {
		return areqSetString([...]*string{&r.Effort, &r.Summary}[f], v)
	})
}

func (t *RespText) decodeFast(v []byte) error {
	return oreqObjectFast(v, respTextFields, func(f int, v []byte) error {
		if f == 1 {
			return areqSetString(&t.Verbosity, v)
		}
		return obsDecodePtr(&t.Format, v, (*RespFormat).decodeFast)
	})
}

func (fm *RespFormat) decodeFast(v []byte) error {
	return oreqObjectFast(v, respFormatFields, func(f int, v []byte) error {
		switch f {
		case 3:
			return respRaw(&fm.Schema, v)
		case 4:
			return oreqSetBoolPtr(&fm.Strict, v)
		}
		return areqSetString([...]*string{&fm.Type, &fm.Name, &fm.Description}[f], v)
	})
}
