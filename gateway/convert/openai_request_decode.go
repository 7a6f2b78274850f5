package convert

// The fast decoding path of OpenAIToAnthropicRequest (issue 7), as for the
// other direction (anthropic_request_decode.go): after one jsonbody.Scan the
// members are read in place into the structs json.Unmarshal fills, and
// anything not decoded exactly as encoding/json would is errAreqSlow.
//
// encoding/json matches keys to fields case-insensitively (after an exact
// match, but no two fields here differ only in case), so these decoders do
// too; a field given twice, under any spelling, is left to encoding/json,
// which merges a repeated object or array into the first one.

import (
	"bytes"
	"encoding/json"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// oreqIn holds the Chat Completions request fields that a converter reads:
// OpenAIToAnthropicRequest and ChatToResponsesRequest, each of which says
// which it drops (Anthropic rejects unknown fields, so everything else is
// dropped there: logprobs, top_logprobs, logit_bias, presence_penalty,
// frequency_penalty, seed, stream_options, store, metadata, prediction,
// web_search_options, message names).
type oreqIn struct {
	Messages            json.RawMessage    `json:"messages"`
	Stream              bool               `json:"stream"`
	MaxTokens           json.RawMessage    `json:"max_tokens"`
	MaxCompletionTokens json.RawMessage    `json:"max_completion_tokens"`
	Temperature         *float64           `json:"temperature"`
	TopP                *float64           `json:"top_p"`
	TopK                *int               `json:"top_k"`
	Stop                json.RawMessage    `json:"stop"`
	User                string             `json:"user"`
	SafetyIdentifier    string             `json:"safety_identifier"`
	Tools               []oreqInTool       `json:"tools"`
	ToolChoice          json.RawMessage    `json:"tool_choice"`
	ParallelToolCalls   *bool              `json:"parallel_tool_calls"`
	N                   *float64           `json:"n"`
	ResponseFormat      oreqResponseFormat `json:"response_format"`
	ReasoningEffort     string             `json:"reasoning_effort"`
	Functions           json.RawMessage    `json:"functions"`
	FunctionCall        json.RawMessage    `json:"function_call"`
	PromptCacheKey      string             `json:"prompt_cache_key"`
	ServiceTier         string             `json:"service_tier"`
	Verbosity           string             `json:"verbosity"`
	Audio               json.RawMessage    `json:"audio"`
	Modalities          []string           `json:"modalities"`
}

type oreqResponseFormat struct {
	Type       string            `json:"type"`
	JSONSchema *oreqFormatSchema `json:"json_schema"`
}

type oreqFormatSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Strict      *bool           `json:"strict"`
}

type oreqInTool struct {
	Type     string          `json:"type"`
	Function *oreqInFunction `json:"function"`
}

type oreqInFunction struct {
	Name, Description string
	Parameters        json.RawMessage
	Strict            *bool
}

type oreqInMsg struct {
	Role         string          `json:"role"`
	Content      json.RawMessage `json:"content"`
	Refusal      string          `json:"refusal"`
	ToolCalls    []oreqInCall    `json:"tool_calls"`
	ToolCallID   string          `json:"tool_call_id"`
	FunctionCall json.RawMessage `json:"function_call"`
	Audio        json.RawMessage `json:"audio"`
}

type oreqInCall struct {
	ID, Type string
	Function struct{ Name, Arguments string }
}

type oreqInPart struct {
	Type, Text, Refusal string
	ImageURL            json.RawMessage `json:"image_url"`
}

// oreqFastDecoder is a struct with a fast-path decoder (oreqObject).
type oreqFastDecoder interface {
	decodeFast(raw []byte) error
}

// The JSON names of the fields each decoder reads, in the order of its switch.
var (
	oreqInFields   = []string{"messages", "stream", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "stop", "user", "safety_identifier", "tools", "tool_choice", "parallel_tool_calls", "n", "response_format", "reasoning_effort", "functions", "function_call", "prompt_cache_key", "service_tier", "verbosity", "audio", "modalities"}
	oreqToolFields = []string{"type", "function"}
	oreqFuncFields = []string{"name", "description", "parameters", "strict"}
	oreqMsgFields  = []string{"role", "content", "refusal", "tool_calls", "tool_call_id", "function_call", "audio"}
	oreqFmtFields  = []string{"type", "json_schema"}
	oreqSchemaKeys = []string{"name", "description", "schema", "strict"}
	oreqCallFields = []string{"id", "type", "function"}
	oreqArgFields  = []string{"name", "arguments"}
	oreqPartFields = []string{"type", "text", "refusal", "image_url"}
)

func (in *oreqIn) decodeFast(body []byte) error {
	o := areqObjects.Get().(*jsonbody.Object)
	err := o.Scan(body)
	_ = o.Scan(areqEmptyObject) // let go of body
	areqObjects.Put(o)
	if err != nil {
		return errAreqSlow // invalid JSON, or a repeated top-level key
	}
	r := jsonbody.Members(body)
	return oreqFields(&r, oreqInFields, func(f int, v []byte) error {
		switch f {
		case 0:
			in.Messages = v
		case 1:
			return areqSetBool(&in.Stream, v)
		case 2:
			in.MaxTokens = v
		case 3:
			in.MaxCompletionTokens = v
		case 4:
			return areqSetFloatPtr(&in.Temperature, v)
		case 5:
			return areqSetFloatPtr(&in.TopP, v)
		case 6:
			return areqSetIntPtr(&in.TopK, v)
		case 7:
			in.Stop = v
		case 8:
			return areqSetString(&in.User, v)
		case 9:
			return areqSetString(&in.SafetyIdentifier, v)
		case 10:
			return in.decodeTools(v)
		case 11:
			in.ToolChoice = v
		case 12:
			return oreqSetBoolPtr(&in.ParallelToolCalls, v)
		case 13:
			return areqSetFloatPtr(&in.N, v)
		case 14:
			return in.ResponseFormat.decodeFast(v)
		case 15:
			return areqSetString(&in.ReasoningEffort, v)
		case 16:
			in.Functions = v
		case 17:
			in.FunctionCall = v
		case 18, 19, 20:
			return areqSetString([...]*string{&in.PromptCacheKey, &in.ServiceTier, &in.Verbosity}[f-18], v)
		case 21:
			in.Audio = v
		case 22:
			return oreqSetStrings(&in.Modalities, v)
		}
		return nil
	})
}

func (rf *oreqResponseFormat) decodeFast(v []byte) error {
	return oreqObjectFast(v, oreqFmtFields, func(f int, v []byte) error {
		if f == 0 {
			return areqSetString(&rf.Type, v)
		}
		if v[0] == 'n' {
			rf.JSONSchema = nil
			return nil
		}
		if rf.JSONSchema == nil {
			rf.JSONSchema = &oreqFormatSchema{}
		}
		js := rf.JSONSchema
		return oreqObjectFast(v, oreqSchemaKeys, func(f int, v []byte) error {
			switch f {
			case 0, 1:
				return areqSetString([...]*string{&js.Name, &js.Description}[f], v)
			case 2:
				js.Schema = v
				return nil
			}
			return oreqSetBoolPtr(&js.Strict, v)
		})
	})
}

// oreqSetStrings is json.Unmarshal of an array of strings into a []string
// (null leaves it, null elements are "").
func oreqSetStrings(dst *[]string, v []byte) error {
	switch v[0] {
	case 'n':
		return nil
	case '[':
	default:
		return errAreqSlow
	}
	out := []string{}
	it := jsonbody.Elements(v)
	for {
		e, ok := it.NextElement()
		if !ok {
			*dst = out
			return nil
		}
		var s string
		if err := areqSetString(&s, e); err != nil {
			return err
		}
		out = append(out, s)
	}
}

func (in *oreqIn) decodeTools(v []byte) error {
	if v[0] == '[' {
		in.Tools = []oreqInTool{}
	}
	return areqObjectArray(v, func(e []byte) error {
		in.Tools = append(in.Tools, oreqInTool{})
		t := &in.Tools[len(in.Tools)-1]
		return oreqObjectFast(e, oreqToolFields, func(f int, v []byte) error {
			if f == 0 {
				return areqSetString(&t.Type, v)
			}
			if v[0] == 'n' {
				return nil
			}
			t.Function = &oreqInFunction{}
			return oreqObjectFast(v, oreqFuncFields, func(f int, v []byte) error {
				switch f {
				case 0:
					return areqSetString(&t.Function.Name, v)
				case 1:
					return areqSetString(&t.Function.Description, v)
				case 3:
					return oreqSetBoolPtr(&t.Function.Strict, v)
				}
				t.Function.Parameters = v
				return nil
			})
		})
	})
}

func (m *oreqInMsg) decodeFast(raw []byte) error {
	return oreqObjectFast(raw, oreqMsgFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&m.Role, v)
		case 1:
			m.Content = v
		case 2:
			return areqSetString(&m.Refusal, v)
		case 3:
			return m.decodeCalls(v)
		case 4:
			return areqSetString(&m.ToolCallID, v)
		case 5:
			m.FunctionCall = v
		case 6:
			m.Audio = v
		}
		return nil
	})
}

func (m *oreqInMsg) decodeCalls(v []byte) error {
	if v[0] == '[' {
		m.ToolCalls = []oreqInCall{}
	}
	return areqObjectArray(v, func(e []byte) error {
		m.ToolCalls = append(m.ToolCalls, oreqInCall{})
		c := &m.ToolCalls[len(m.ToolCalls)-1]
		return oreqObjectFast(e, oreqCallFields, func(f int, v []byte) error {
			switch f {
			case 0:
				return areqSetString(&c.ID, v)
			case 1:
				return areqSetString(&c.Type, v)
			}
			return oreqObjectFast(v, oreqArgFields, func(f int, v []byte) error {
				if f == 0 {
					return areqSetString(&c.Function.Name, v)
				}
				return areqSetString(&c.Function.Arguments, v)
			})
		})
	})
}

func (p *oreqInPart) decodeFast(raw []byte) error {
	return oreqObjectFast(raw, oreqPartFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&p.Type, v)
		case 1:
			return areqSetString(&p.Text, v)
		case 2:
			return areqSetString(&p.Refusal, v)
		}
		p.ImageURL = v
		return nil
	})
}

// oreqObjectFast calls set for the members of the valid JSON value raw that
// name one of fields (see oreqFields); null sets nothing and any other
// non-object is errAreqSlow.
func oreqObjectFast(raw []byte, fields []string, set func(f int, v []byte) error) error {
	switch raw[0] {
	case 'n':
		return nil
	case '{':
		it := jsonbody.Members(raw)
		return oreqFields(&it, fields, set)
	}
	return errAreqSlow
}

// oreqFields calls set(f, value) for each member of it whose key matches
// fields[f] case-insensitively, as encoding/json matches field names; a
// field matched twice is errAreqSlow.
func oreqFields(it *jsonbody.Iter, fields []string, set func(f int, v []byte) error) error {
	var seen uint64
	for {
		key, v, ok := it.NextMember()
		if !ok {
			return nil
		}
		k := key[1 : len(key)-1]
		if jsonbody.NeedsUnquote(key) {
			k = []byte(jsonbody.Unquote(key))
		}
		for f, name := range fields {
			if string(k) != name && !bytes.EqualFold(k, []byte(name)) {
				continue
			}
			if seen&(1<<f) != 0 {
				return errAreqSlow
			}
			seen |= 1 << f
			if err := set(f, v); err != nil {
				return err
			}
			break
		}
	}
}

func oreqSetBoolPtr(dst **bool, v []byte) error {
	switch v[0] {
	case 't', 'f':
		b := v[0] == 't'
		*dst = &b
	case 'n':
		*dst = nil
	default:
		return errAreqSlow
	}
	return nil
}

// oreqValid reports whether b is valid JSON, trying the faster jsonbody.Scan
// first (it refuses repeated top-level keys, which are valid JSON).
func oreqValid(b []byte) bool {
	o := areqObjects.Get().(*jsonbody.Object)
	err := o.Scan(b)
	_ = o.Scan(areqEmptyObject)
	areqObjects.Put(o)
	return err == nil || json.Valid(b)
}
