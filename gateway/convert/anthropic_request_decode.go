package convert

// The fast decoding path of AnthropicToOpenAIRequest (issue 7). json.Unmarshal
// validated the whole body, decoded it, and then validated and decoded every
// message, block and tool again from its json.RawMessage. Here one
// jsonbody.Scan validates the body and the decoders below read the members
// in place, filling the same structs. They accept only what they decode
// exactly as encoding/json does and return errAreqSlow for anything else, so
// that AnthropicToOpenAIRequest can hand the request to encoding/json.

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"sync"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// errAreqSlow means the fast path leaves the request to encoding/json.
var errAreqSlow = errors.New("convert: request left to encoding/json")

type areqTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type areqMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// The JSON names of the fields each decoder reads, in the order of its switch.
var (
	areqRequestFields  = []string{"messages", "system", "max_tokens", "stream", "temperature", "top_p", "stop_sequences", "metadata", "thinking", "output_config", "tools", "tool_choice"}
	areqMetadataFields = []string{"user_id"}
	areqThinkingFields = []string{"type", "budget_tokens"}
	areqEffortFields   = []string{"effort"}
	areqChoiceFields   = []string{"type", "name", "disable_parallel_tool_use"}
	areqToolFields     = []string{"type", "name", "description", "input_schema"}
	areqMessageFields  = []string{"role", "content"}
	areqBlockFields    = []string{"type", "text", "source", "id", "name", "input", "tool_use_id", "content", "is_error", "thinking", "tool_name"}
)

// areqObjects recycles the scanned top level of request bodies: an Object
// with its inline members is over 1 KB, as much as a small request.
// Before going back to the pool it scans areqEmptyObject, which drops the
// reference to the body without the error value that scanning nil makes.
var (
	areqObjects     = sync.Pool{New: func() any { return new(jsonbody.Object) }}
	areqEmptyObject = []byte("{}")
)

func (r *areqRequest) decodeFast(body []byte) error {
	o := areqObjects.Get().(*jsonbody.Object)
	defer func() {
		_ = o.Scan(areqEmptyObject) // let go of body
		areqObjects.Put(o)
	}()
	if o.Scan(body) != nil {
		return errAreqSlow // invalid JSON, or a repeated top-level key that encoding/json allows
	}
	for _, m := range o.Members() {
		f, err := areqField(m.Key.Raw(body), areqRequestFields)
		if err != nil {
			return err
		}
		v := m.Value.Raw(body)
		switch f {
		case 0:
			r.Messages, err = areqRawArray(v)
		case 1:
			r.System = v
		case 2:
			err = areqSetIntPtr(&r.MaxTokens, v)
		case 3:
			err = areqSetBool(&r.Stream, v)
		case 4:
			err = areqSetFloatPtr(&r.Temperature, v)
		case 5:
			err = areqSetFloatPtr(&r.TopP, v)
		case 6:
			err = r.decodeStop(v)
		case 7:
			err = areqObject(v, areqMetadataFields, func(_ int, v []byte) error {
				r.Metadata.UserID = v
				return nil
			})
		case 8:
			err = areqObject(v, areqThinkingFields, func(f int, v []byte) error {
				if f == 0 {
					return areqSetString(&r.Thinking.Type, v)
				}
				return areqSetInt(&r.Thinking.BudgetTokens, v)
			})
		case 9:
			err = areqObject(v, areqEffortFields, func(_ int, v []byte) error {
				return areqSetString(&r.OutputConfig.Effort, v)
			})
		case 10:
			r.Tools, err = areqRawArray(v)
		case 11:
			err = r.decodeToolChoice(v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *areqRequest) decodeStop(v []byte) error {
	if v[0] == 'n' {
		r.StopSequences = nil
		return nil
	}
	if v[0] != '[' {
		return errAreqSlow
	}
	r.StopSequences = []string{}
	it := jsonbody.Elements(v)
	for {
		e, ok := it.NextElement()
		if !ok {
			return nil
		}
		if e[0] != '"' {
			return errAreqSlow
		}
		r.StopSequences = append(r.StopSequences, jsonbody.Unquote(e))
	}
}

func (r *areqRequest) decodeToolChoice(v []byte) error {
	if v[0] == 'n' {
		r.ToolChoice = nil
		return nil
	}
	tc := &areqChoiceIn{}
	r.ToolChoice = tc
	return areqObject(v, areqChoiceFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&tc.Type, v)
		case 1:
			return areqSetString(&tc.Name, v)
		}
		return areqSetBool(&tc.DisableParallelToolUse, v)
	})
}

func (t *areqTool) decodeFast(raw []byte) error {
	return areqObject(raw, areqToolFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&t.Type, v)
		case 1:
			return areqSetString(&t.Name, v)
		case 2:
			return areqSetString(&t.Description, v)
		}
		t.InputSchema = v
		return nil
	})
}

func (m *areqMessage) decodeFast(raw []byte) error {
	return areqObject(raw, areqMessageFields, func(f int, v []byte) error {
		if f == 0 {
			return areqSetString(&m.Role, v)
		}
		m.Content = v
		return nil
	})
}

func (b *areqBlock) decodeFast(raw []byte) error {
	return areqObject(raw, areqBlockFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&b.Type, v)
		case 1:
			return areqSetString(&b.Text, v)
		case 2:
			b.Source = v
		case 3:
			return areqSetString(&b.ID, v)
		case 4:
			return areqSetString(&b.Name, v)
		case 5:
			b.Input = v
		case 6:
			return areqSetString(&b.ToolUseID, v)
		case 7:
			b.Content = v
		case 8:
			return areqSetBool(&b.IsError, v)
		case 9:
			return areqSetString(&b.Thinking, v)
		case 10:
			return areqSetString(&b.ToolName, v)
		}
		return nil
	})
}

// areqObject calls set for each member of the valid JSON value raw whose key
// is one of fields (by index); other members are skipped. null leaves the
// struct untouched, as encoding/json does; any other non-object is
// errAreqSlow. A repeated key is set again: the last one wins, as in
// encoding/json.
func areqObject(raw []byte, fields []string, set func(f int, v []byte) error) error {
	if raw[0] == 'n' {
		return nil
	}
	if raw[0] != '{' {
		return errAreqSlow
	}
	it := jsonbody.Members(raw)
	for {
		k, v, ok := it.NextMember()
		if !ok {
			return nil
		}
		f, err := areqField(k, fields)
		if err == nil && f >= 0 {
			err = set(f, v)
		}
		if err != nil {
			return err
		}
	}
}

// areqField returns the index in fields of the JSON string key (quotes
// included), or -1. A key that matches a field only case-insensitively is
// errAreqSlow: encoding/json would decode it into that field.
func areqField(key []byte, fields []string) (int, error) {
	k := key[1 : len(key)-1]
	if jsonbody.NeedsUnquote(key) {
		k = []byte(jsonbody.Unquote(key))
	}
	for i, f := range fields {
		if string(k) == f {
			return i, nil
		}
	}
	for _, f := range fields {
		if bytes.EqualFold(k, []byte(f)) {
			return -1, errAreqSlow
		}
	}
	return -1, nil
}

// areqRawArray returns the elements of an array (nil for null), aliasing v.
func areqRawArray(v []byte) ([]json.RawMessage, error) {
	switch v[0] {
	case 'n':
		return nil, nil
	case '[':
		out := []json.RawMessage{}
		it := jsonbody.Elements(v)
		for {
			e, ok := it.NextElement()
			if !ok {
				return out, nil
			}
			out = append(out, e)
		}
	}
	return nil, errAreqSlow
}

func areqSetString(dst *string, v []byte) error {
	switch v[0] {
	case '"':
		*dst = jsonbody.Unquote(v)
	case 'n':
	default:
		return errAreqSlow
	}
	return nil
}

func areqSetBool(dst *bool, v []byte) error {
	switch v[0] {
	case 't', 'f':
		*dst = v[0] == 't'
	case 'n':
	default:
		return errAreqSlow
	}
	return nil
}

// areqSetIntPtr takes an integer of up to 18 digits, without fraction or
// exponent (encoding/json refuses those for an int); null sets nil.
func areqSetIntPtr(dst **int, v []byte) error {
	if v[0] == 'n' {
		*dst = nil
		return nil
	}
	n, ok := areqParseInt(v)
	if !ok {
		return errAreqSlow
	}
	*dst = &n
	return nil
}

// areqSetInt is json.Unmarshal of a number into an int; null leaves dst.
func areqSetInt(dst *int, v []byte) error {
	if v[0] == 'n' {
		return nil
	}
	n, ok := areqParseInt(v)
	if !ok {
		return errAreqSlow
	}
	*dst = n
	return nil
}

// areqParseInt parses the integers areqSetIntPtr takes.
func areqParseInt(v []byte) (int, bool) {
	digits := v
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if len(digits) < len(v) {
		n = -n
	}
	return n, true
}

func areqSetFloatPtr(dst **float64, v []byte) error {
	if v[0] == 'n' {
		*dst = nil
		return nil
	}
	if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return errAreqSlow
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return errAreqSlow
	}
	*dst = &f
	return nil
}
