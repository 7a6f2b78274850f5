package convert

// The fast paths of the whole-response converters and of the usage readers
// (issue 7): bodies are decoded in place after a jsonbody.Scan, as the
// request converters do (anthropic_request_decode.go), falling back to
// encoding/json for anything unusual, and the answers have hand encoders.
// FuzzResponses checks both decoders and both encoders against encoding/json.

import (
	"strconv"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

var (
	arespMessageFields = []string{"id", "type", "model", "content", "stop_reason", "usage", "error"}
	arespBlockFields   = []string{"type", "text", "thinking", "id", "name", "input"}
	orespFields        = []string{"id", "model", "choices", "usage", "error"}
	orespChoiceFields  = []string{"message", "finish_reason", "index"}
	orespMessageFields = []string{"content", "reasoning_content", "reasoning", "refusal", "tool_calls", "function_call"}
	orespCallFields    = []string{"id", "function"}
	orespFuncFields    = []string{"name", "arguments"}
	anthropicUsageKeys = []string{"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "cache_creation"}
	anthropicCacheKeys = []string{"ephemeral_1h_input_tokens"}
	openAIUsageKeys    = []string{"prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details", "prompt_cache_hit_tokens", "cache_creation_input_tokens"}
	openAIPromptKeys   = []string{"cached_tokens", "cache_write_tokens"}
	openAIOutputKeys   = []string{"reasoning_tokens"}
)

// areqScanned reports whether data is one valid JSON object without repeated
// top-level keys, using a pooled Object.
func areqScanned(data []byte) bool {
	o := areqObjects.Get().(*jsonbody.Object)
	err := o.Scan(data)
	_ = o.Scan(areqEmptyObject)
	areqObjects.Put(o)
	return err == nil
}

// areqObjectArray calls each for every element of the array v (null: none),
// which must be objects; anything else is errAreqSlow. json.Unmarshal makes
// an empty slice of "[]" and leaves null alone; so does the caller's each.
func areqObjectArray(v []byte, each func(e []byte) error) error {
	if v[0] == 'n' {
		return nil
	}
	if v[0] != '[' {
		return errAreqSlow
	}
	it := jsonbody.Elements(v)
	for {
		e, ok := it.NextElement()
		if !ok {
			return nil
		}
		if e[0] != '{' {
			return errAreqSlow
		}
		if err := each(e); err != nil {
			return err
		}
	}
}

func (m *arespMessage) decodeFast(body []byte) error {
	if !areqScanned(body) {
		return errAreqSlow
	}
	it := jsonbody.Members(body)
	return oreqFields(&it, arespMessageFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&m.ID, v)
		case 1:
			return areqSetString(&m.Type, v)
		case 2:
			return areqSetString(&m.Model, v)
		case 3:
			if v[0] == '[' {
				m.Content = []arespBlock{}
			}
			return areqObjectArray(v, func(e []byte) error {
				m.Content = append(m.Content, arespBlock{})
				b := &m.Content[len(m.Content)-1]
				return oreqObjectFast(e, arespBlockFields, func(f int, v []byte) error {
					if f == 5 {
						b.Input = v
						return nil
					}
					return areqSetString([...]*string{&b.Type, &b.Text, &b.Thinking, &b.ID, &b.Name}[f], v)
				})
			})
		case 4:
			return areqSetString(&m.StopReason, v)
		case 5:
			m.Usage = v
		case 6:
			if v[0] == 'n' {
				return nil
			}
			e := &arespError{}
			m.Error = e
			return oreqObjectFast(v, ostreamErrorFields, func(f int, v []byte) error {
				return areqSetString([...]*string{&e.Type, &e.Message}[f], v)
			})
		}
		return nil
	})
}

func (r *orespResponse) decodeFast(body []byte) error {
	if !areqScanned(body) {
		return errAreqSlow
	}
	it := jsonbody.Members(body)
	return oreqFields(&it, orespFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&r.ID, v)
		case 1:
			return areqSetString(&r.Model, v)
		case 2:
			if v[0] == '[' {
				r.Choices = []orespChoice{}
			}
			return areqObjectArray(v, func(e []byte) error {
				r.Choices = append(r.Choices, orespChoice{})
				return r.Choices[len(r.Choices)-1].decodeFast(e)
			})
		case 3:
			r.Usage = v
		default:
			r.Error = v
		}
		return nil
	})
}

func (c *orespChoice) decodeFast(raw []byte) error {
	return oreqObjectFast(raw, orespChoiceFields, func(f int, v []byte) error {
		switch f {
		case 1:
			c.FinishReason = v
			return nil
		case 2:
			return areqSetInt(&c.Index, v)
		}
		m := &c.Message
		return oreqObjectFast(v, orespMessageFields, func(f int, v []byte) error {
			switch f {
			case 4:
				if v[0] == '[' {
					m.ToolCalls = []orespCall{}
				}
				return areqObjectArray(v, func(e []byte) error {
					m.ToolCalls = append(m.ToolCalls, orespCall{})
					call := &m.ToolCalls[len(m.ToolCalls)-1]
					return oreqObjectFast(e, orespCallFields, func(f int, v []byte) error {
						if f == 0 {
							return areqSetString(&call.ID, v)
						}
						return call.Function.decodeFast(v)
					})
				})
			case 5:
				if v[0] == 'n' {
					return nil
				}
				m.FunctionCall = &orespFunction{}
				return m.FunctionCall.decodeFast(v)
			}
			*[...]*[]byte{(*[]byte)(&m.Content), (*[]byte)(&m.ReasoningContent), (*[]byte)(&m.Reasoning), (*[]byte)(&m.Refusal)}[f] = v
			return nil
		})
	})
}

func (fn *orespFunction) decodeFast(raw []byte) error {
	return oreqObjectFast(raw, orespFuncFields, func(f int, v []byte) error {
		if f == 0 {
			return areqSetString(&fn.Name, v)
		}
		fn.Arguments = v
		return nil
	})
}

func (u *anthropicUsage) decodeFast(raw []byte) error {
	if !areqScanned(raw) {
		return errAreqSlow
	}
	return u.decodeKeys(raw)
}

// decodeKeys reads the usage object's counts into u, leaving the others as
// they are (decodeObserved presets them to obsUnset).
func (u *anthropicUsage) decodeKeys(raw []byte) error {
	return oreqObjectFast(raw, anthropicUsageKeys, func(f int, v []byte) error {
		if f == 4 {
			if v[0] == 'n' {
				return nil
			}
			return oreqObjectFast(v, anthropicCacheKeys, func(_ int, v []byte) error {
				return areqSetInt(&u.CacheCreation.Ephemeral1h, v)
			})
		}
		return areqSetInt([...]*int{&u.InputTokens, &u.OutputTokens, &u.CacheReadInputTokens, &u.CacheCreationInputTokens}[f], v)
	})
}

func (u *openAIUsage) decodeFast(raw []byte) error {
	if !areqScanned(raw) {
		return errAreqSlow
	}
	return oreqObjectFast(raw, openAIUsageKeys, func(f int, v []byte) error {
		switch f {
		case 2:
			return oreqObjectFast(v, openAIPromptKeys, func(f int, v []byte) error {
				return areqSetInt([...]*int{&u.PromptTokensDetails.CachedTokens, &u.PromptTokensDetails.CacheWriteTokens}[f], v)
			})
		case 3:
			return oreqObjectFast(v, openAIOutputKeys, func(_ int, v []byte) error {
				return areqSetInt(&u.CompletionTokensDetails.ReasoningTokens, v)
			})
		}
		return areqSetInt([...]*int{&u.PromptTokens, &u.CompletionTokens, nil, nil, &u.PromptCacheHitTokens, &u.CacheCreationTokens}[f], v)
	})
}

// appendArray writes items as encoding/json writes a slice: null when it is
// nil, else [each, each, …], each element written by each.
func appendArray[T any](b []byte, items []T, each func(b []byte, item *T) []byte) []byte {
	if items == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, &items[i])
	}
	return append(b, ']')
}

// appendOpenAIHead writes what an OpenAI completion and a chunk both start
// with, up to "choices": (the field order of their structs).
func appendOpenAIHead(b []byte, id, object string, created int64, model string) []byte {
	b = jsonbody.AppendQuote(append(b, `{"id":`...), id)
	b = jsonbody.AppendQuote(append(b, `,"object":`...), object)
	b = strconv.AppendInt(append(b, `,"created":`...), created, 10)
	b = jsonbody.AppendQuote(append(b, `,"model":`...), model)
	return append(b, `,"choices":`...)
}

// appendJSON appends c as encoding/json would encode it without HTML escaping.
func (c *arespCompletion) appendJSON(b []byte) []byte {
	b = appendOpenAIHead(b, c.ID, c.Object, c.Created, c.Model)
	b = appendArray(b, c.Choices, func(b []byte, ch *arespChoice) []byte {
		b = strconv.AppendInt(append(b, `{"index":`...), int64(ch.Index), 10)
		b = ch.Message.appendJSON(append(b, `,"message":`...))
		if ch.Logprobs != nil {
			b = append(b, `,"logprobs":{}`...)
		} else {
			b = append(b, `,"logprobs":null`...)
		}
		return append(jsonbody.AppendQuote(append(b, `,"finish_reason":`...), ch.FinishReason), '}')
	})
	return append(c.Usage.appendJSON(append(b, `,"usage":`...)), '}')
}

func (m *arespOutMessage) appendJSON(b []byte) []byte {
	b = jsonbody.AppendQuote(append(b, `{"role":`...), m.Role)
	b = areqAppendNullable(append(b, `,"content":`...), m.Content)
	if m.ReasoningContent != "" {
		b = jsonbody.AppendQuote(append(b, `,"reasoning_content":`...), m.ReasoningContent)
	}
	if len(m.ToolCalls) > 0 {
		b = append(b, `,"tool_calls":[`...)
		for i := range m.ToolCalls {
			if i > 0 {
				b = append(b, ',')
			}
			b = m.ToolCalls[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	return append(areqAppendNullable(append(b, `,"refusal":`...), m.Refusal), '}')
}

func areqAppendNullable(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return jsonbody.AppendQuote(b, *s)
}

// appendJSON appends m as encoding/json would encode it without HTML escaping.
func (m *orespMessage) appendJSON(b []byte) []byte {
	b = jsonbody.AppendQuote(append(b, `{"id":`...), m.ID)
	b = jsonbody.AppendQuote(append(b, `,"type":`...), m.Type)
	b = jsonbody.AppendQuote(append(b, `,"role":`...), m.Role)
	b = jsonbody.AppendQuote(append(b, `,"model":`...), m.Model)
	b = appendArray(append(b, `,"content":`...), m.Content, func(b []byte, c *any) []byte {
		switch c := (*c).(type) {
		case orespText:
			b = jsonbody.AppendQuote(append(b, `{"type":`...), c.Type)
			b = jsonbody.AppendQuote(append(b, `,"text":`...), c.Text)
		case orespThinking:
			b = jsonbody.AppendQuote(append(b, `{"type":`...), c.Type)
			b = jsonbody.AppendQuote(append(b, `,"thinking":`...), c.Thinking)
			b = jsonbody.AppendQuote(append(b, `,"signature":`...), c.Signature)
		case orespToolUse:
			b = jsonbody.AppendQuote(append(b, `{"type":`...), c.Type)
			b = jsonbody.AppendQuote(append(b, `,"id":`...), c.ID)
			b = jsonbody.AppendQuote(append(b, `,"name":`...), c.Name)
			b = append(b, `,"input":`...)
			if c.Input == nil {
				b = append(b, "null"...)
			}
			b = append(b, c.Input...) // compact, from orespInput
		}
		return append(b, '}')
	})
	b = jsonbody.AppendQuote(append(b, `,"stop_reason":`...), m.StopReason)
	b = areqAppendNullable(append(b, `,"stop_sequence":`...), m.StopSequence)
	u := m.Usage
	b = strconv.AppendInt(append(b, `,"usage":{"input_tokens":`...), int64(u.InputTokens), 10)
	b = strconv.AppendInt(append(b, `,"output_tokens":`...), int64(u.OutputTokens), 10)
	b = strconv.AppendInt(append(b, `,"cache_read_input_tokens":`...), int64(u.CacheReadInputTokens), 10)
	b = strconv.AppendInt(append(b, `,"cache_creation_input_tokens":`...), int64(u.CacheCreationInputTokens), 10)
	return append(b, "}}"...)
}
