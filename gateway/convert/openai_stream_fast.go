package convert

// The per-event hot path of OpenAIStream (issue 7): each Anthropic event was
// decoded by json.Unmarshal (which validates it first) and each chunk encoded
// by reflection, 17 allocations per text delta. Events are now decoded in
// place after a jsonbody.Scan, as the request converters do, falling back to
// encoding/json for anything unusual; chunks have their own encoder, which
// TestOstreamChunkEncoder and FuzzOpenAIStream check against encoding/json.

import (
	"strconv"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

var (
	ostreamEventFields   = []string{"type", "message", "index", "content_block", "delta", "usage", "error"}
	ostreamMessageFields = []string{"id", "model", "usage"}
	ostreamBlockFields   = []string{"type", "id", "name", "text", "thinking", "input"}
	ostreamDeltaFields   = []string{"type", "text", "thinking", "partial_json", "stop_reason"}
	ostreamErrorFields   = []string{"type", "message"}
)

// decodeFast fills ev from data as json.Unmarshal would, or returns
// errAreqSlow (ev then holds partial values and must be reset).
func (ev *ostreamEvent) decodeFast(data []byte) error {
	o := areqObjects.Get().(*jsonbody.Object)
	err := o.Scan(data)
	_ = o.Scan(areqEmptyObject)
	areqObjects.Put(o)
	if err != nil {
		return errAreqSlow
	}
	it := jsonbody.Members(data)
	return oreqFields(&it, ostreamEventFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&ev.Type, v)
		case 1:
			if v[0] == 'n' {
				return nil
			}
			m := &ostreamMessage{}
			ev.Message = m
			return oreqObjectFast(v, ostreamMessageFields, func(f int, v []byte) error {
				switch f {
				case 0:
					return areqSetString(&m.ID, v)
				case 1:
					return areqSetString(&m.Model, v)
				}
				m.Usage = v
				return nil
			})
		case 2:
			return areqSetInt(&ev.Index, v)
		case 3:
			if v[0] == 'n' {
				return nil
			}
			b := &ostreamBlockStart{}
			ev.ContentBlock = b
			return oreqObjectFast(v, ostreamBlockFields, func(f int, v []byte) error {
				switch f {
				case 0:
					return areqSetString(&b.Type, v)
				case 1:
					return areqSetString(&b.ID, v)
				case 2:
					return areqSetString(&b.Name, v)
				case 3:
					return areqSetString(&b.Text, v)
				case 4:
					return areqSetString(&b.Thinking, v)
				}
				b.Input = v
				return nil
			})
		case 4:
			if v[0] == 'n' {
				return nil
			}
			d := &ostreamDeltaIn{}
			ev.Delta = d
			return oreqObjectFast(v, ostreamDeltaFields, func(f int, v []byte) error {
				dst := [...]*string{&d.Type, &d.Text, &d.Thinking, &d.PartialJSON, &d.StopReason}[f]
				return areqSetString(dst, v)
			})
		case 5:
			ev.Usage = v
		case 6:
			if v[0] == 'n' {
				return nil
			}
			e := &arespError{}
			ev.Error = e
			return oreqObjectFast(v, ostreamErrorFields, func(f int, v []byte) error {
				if f == 0 {
					return areqSetString(&e.Type, v)
				}
				return areqSetString(&e.Message, v)
			})
		}
		return nil
	})
}

// size estimates the length of c's JSON, to allocate its buffer once.
func (c *ostreamChunk) size() int {
	n := 160 + len(c.ID) + len(c.Model)
	for i := range c.Choices {
		d := &c.Choices[i].Delta
		n += 64
		if d.Content != nil {
			n += len(*d.Content) + len(*d.Content)/8
		}
		if d.ReasoningContent != nil {
			n += len(*d.ReasoningContent) + len(*d.ReasoningContent)/8
		}
		for _, t := range d.ToolCalls {
			n += 64 + len(t.ID) + len(t.Function.Name) + len(t.Function.Arguments) + len(t.Function.Arguments)/4
		}
	}
	if c.Usage != nil {
		n += 200
	}
	return n
}

// appendJSON appends c as encoding/json would encode it without HTML escaping.
func (c *ostreamChunk) appendJSON(b []byte) []byte {
	b = appendOpenAIHead(b, c.ID, c.Object, c.Created, c.Model)
	b = appendArray(b, c.Choices, func(b []byte, ch *ostreamChoice) []byte {
		b = strconv.AppendInt(append(b, `{"index":`...), int64(ch.Index), 10)
		b = ch.Delta.appendJSON(append(b, `,"delta":`...))
		b = append(b, `,"finish_reason":`...)
		if ch.FinishReason == nil {
			b = append(b, "null"...)
		} else {
			b = jsonbody.AppendQuote(b, *ch.FinishReason)
		}
		return append(b, '}')
	})
	if c.Usage != nil {
		b = c.Usage.appendJSON(append(b, `,"usage":`...))
	}
	return append(b, '}')
}

func (d *ostreamDelta) appendJSON(b []byte) []byte {
	b = append(b, '{')
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), name...), `":`...)
		sep = true
	}
	if d.Role != "" {
		field("role")
		b = jsonbody.AppendQuote(b, d.Role)
	}
	if d.Content != nil {
		field("content")
		b = jsonbody.AppendQuote(b, *d.Content)
	}
	if d.ReasoningContent != nil {
		field("reasoning_content")
		b = jsonbody.AppendQuote(b, *d.ReasoningContent)
	}
	if len(d.ToolCalls) > 0 {
		field("tool_calls")
		b = append(b, '[')
		for i := range d.ToolCalls {
			if i > 0 {
				b = append(b, ',')
			}
			b = d.ToolCalls[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func (t *arespToolCall) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if t.Index != nil {
		b = strconv.AppendInt(append(b, `"index":`...), int64(*t.Index), 10)
		b = append(b, ',')
	}
	if t.ID != "" {
		b = jsonbody.AppendQuote(append(b, `"id":`...), t.ID)
		b = append(b, ',')
	}
	if t.Type != "" {
		b = jsonbody.AppendQuote(append(b, `"type":`...), t.Type)
		b = append(b, ',')
	}
	b = append(b, `"function":{`...)
	if t.Function.Name != "" {
		b = jsonbody.AppendQuote(append(b, `"name":`...), t.Function.Name)
		b = append(b, ',')
	}
	b = jsonbody.AppendQuote(append(b, `"arguments":`...), t.Function.Arguments)
	return append(b, "}}"...)
}

func (u *OpenAIUsageJSON) appendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"prompt_tokens":`...), int64(u.PromptTokens), 10)
	b = strconv.AppendInt(append(b, `,"completion_tokens":`...), int64(u.CompletionTokens), 10)
	b = strconv.AppendInt(append(b, `,"total_tokens":`...), int64(u.TotalTokens), 10)
	b = strconv.AppendInt(append(b, `,"prompt_tokens_details":{"cached_tokens":`...), int64(u.PromptTokensDetails.CachedTokens), 10)
	b = strconv.AppendInt(append(b, `},"completion_tokens_details":{"reasoning_tokens":`...), int64(u.CompletionTokensDetails.ReasoningTokens), 10)
	return append(b, "}}"...)
}
