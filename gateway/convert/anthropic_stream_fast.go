package convert

// The per-chunk decoding of AnthropicStream and of the Observer's OpenAI
// streams (issue 7): a chunk is decoded in place after a jsonbody.Scan, as
// the request converters do, instead of by json.Decoder (reflection after a
// validating scan). Anything the fast path does not decode exactly as
// encoding/json would goes to the json.Decoder as before, which also keeps
// its "skip a field of the wrong type" behaviour. FuzzAnthropicStream and
// FuzzObserver run both paths side by side.

import (
	"slices"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

var (
	o2aChunkFields  = []string{"id", "model", "error", "usage", "choices"}
	o2aChoiceFields = []string{"index", "delta", "finish_reason", "stop_reason"}
	o2aDeltaFields  = []string{"content", "refusal", "reasoning_content", "reasoning", "tool_calls"}
	o2aCallFields   = []string{"index", "id", "function"}
)

// reset empties c for the next chunk, keeping ID and Model (see o2aFirst) and
// the storage of Error, Usage and Choices, which never alias a chunk's data:
// json.RawMessage decoding appends into them.
func (c *o2aChunk) reset() {
	choices := c.Choices[:cap(c.Choices)]
	clear(choices)
	*c = o2aChunk{ID: c.ID, Model: c.Model, Usage: c.Usage[:0], Error: c.Error[:0], Choices: choices[:0]}
}

// decodeFast fills the reset c from data as json.Unmarshal would, or returns
// errAreqSlow; c must then be reset before decoding it another way.
func (c *o2aChunk) decodeFast(data []byte) error {
	if !areqScanned(data) {
		return errAreqSlow
	}
	it := jsonbody.Members(data)
	return oreqFields(&it, o2aChunkFields, func(f int, v []byte) error {
		switch f {
		case 0:
			c.ID.setFast(v)
		case 1:
			c.Model.setFast(v)
		case 2:
			c.Error = append(c.Error[:0], v...) // copied: data is the caller's
		case 3:
			c.Usage = append(c.Usage[:0], v...)
		case 4:
			if v[0] == 'n' {
				c.Choices = nil
				return nil
			}
			if c.Choices == nil && v[0] == '[' {
				c.Choices = []o2aChoice{} // json.Unmarshal makes "[]" non-nil
			}
			return areqObjectArray(v, func(e []byte) error {
				c.Choices = slices.Grow(c.Choices, 1)[:len(c.Choices)+1] // elements past len are zero
				return c.Choices[len(c.Choices)-1].decodeFast(e)
			})
		}
		return nil
	})
}

// setFast is UnmarshalJSON for a value of a scanned body.
func (f *o2aFirst) setFast(v []byte) {
	if *f == "" && len(v) > 2 && v[0] == '"' {
		*f = o2aFirst(jsonbody.Unquote(v))
	}
}

func (ch *o2aChoice) decodeFast(raw []byte) error {
	return oreqObjectFast(raw, o2aChoiceFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetInt(&ch.Index, v)
		case 1:
			return ch.Delta.decodeFast(v)
		case 2:
			return areqSetString(&ch.FinishReason, v)
		}
		switch v[0] { // an interface: only a string or null is decoded here
		case '"':
			ch.StopReason = jsonbody.Unquote(v)
		case 'n':
			ch.StopReason = nil
		default:
			return errAreqSlow
		}
		return nil
	})
}

func (d *o2aDelta) decodeFast(raw []byte) error {
	return oreqObjectFast(raw, o2aDeltaFields, func(f int, v []byte) error {
		if f < 4 {
			return areqSetString([...]*string{&d.Content, &d.Refusal, &d.ReasoningContent, &d.Reasoning}[f], v)
		}
		if v[0] == 'n' {
			d.ToolCalls = nil
			return nil
		}
		if v[0] == '[' {
			d.ToolCalls = []o2aToolCall{}
		}
		return areqObjectArray(v, func(e []byte) error {
			d.ToolCalls = append(d.ToolCalls, o2aToolCall{})
			t := &d.ToolCalls[len(d.ToolCalls)-1]
			return oreqObjectFast(e, o2aCallFields, func(f int, v []byte) error {
				switch f {
				case 0:
					return areqSetInt(&t.Index, v)
				case 1:
					return areqSetString(&t.ID, v)
				}
				return oreqObjectFast(v, orespFuncFields, func(f int, v []byte) error {
					return areqSetString([...]*string{&t.Function.Name, &t.Function.Arguments}[f], v)
				})
			})
		})
	})
}
