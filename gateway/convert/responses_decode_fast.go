package convert

import (
	"encoding/json"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// In-place decoding of Responses stream events, as the other stream
// decoders do (anthropic_stream_fast.go): after one validating scan, flat
// fields are read where they are, and so are the nested ones the gateway
// reads (a response's usage, error, incomplete_details and output items, an
// item's parts); a response's echo of the request is skipped (RespAnswer).
// Anything the fast path does not decode exactly as encoding/json would (a
// field of the wrong type, a repeated key) is errAreqSlow, and the caller
// decodes the whole event with encoding/json.
// FuzzChatStreamFromResponses and FuzzObserveResponses hold both paths to it.

var (
	o2rEventFields = []string{"type", "sequence_number", "output_index", "content_index", "summary_index",
		"item_id", "delta", "text", "arguments", "response", "item", "part", "code", "message", "param", "error"}
	respAnswerFields = []string{"id", "object", "status", "model", "created_at", "error", "incomplete_details",
		"usage", "output"}
	respItemFields = []string{"type", "id", "status", "role", "call_id", "name", "namespace", "content", "output",
		"arguments", "encrypted_content", "input", "summary"}
	respPartFields  = []string{"type", "text", "image_url", "detail", "file_id", "refusal", "annotations"}
	respUsageFields = []string{"input_tokens", "output_tokens", "total_tokens", "input_tokens_details", "output_tokens_details"}
	respErrorFields = []string{"code", "message"}
	respTypeField   = []string{"type"}
)

// decodeFast fills the zero ev from data as o2rUnmarshal would, or returns
// errAreqSlow; ev must then be zeroed before decoding it another way.
func (ev *RespEvent) decodeFast(data []byte) error {
	if len(data) == 0 || data[0] != '{' || !areqScanned(data) {
		return errAreqSlow
	}
	it := jsonbody.Members(data)
	return oreqFields(&it, o2rEventFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&ev.Type, v)
		case 1:
			return areqSetInt(&ev.SequenceNumber, v)
		case 2, 3, 4:
			return areqSetIntPtr([...]**int{&ev.OutputIndex, &ev.ContentIndex, &ev.SummaryIndex}[f-2], v)
		case 5:
			return areqSetString(&ev.ItemID, v)
		case 6, 7, 8:
			return obsSetStringPtr([...]**string{&ev.Delta, &ev.Text, &ev.Arguments}[f-6], v)
		case 9:
			return obsDecodePtr(&ev.Response, v, (*RespAnswer).decodeFast)
		case 10:
			return obsDecodePtr(&ev.Item, v, (*RespItem).decodeFast)
		case 11:
			return obsDecodePtr(&ev.Part, v, (*RespPart).decodeFast)
		case 12:
			return obsSetStringPtr(&ev.Code, v)
		case 13:
			return areqSetString(&ev.Message, v)
		case 14:
			return obsSetStringPtr(&ev.Param, v)
		}
		return obsDecodePtr(&ev.Error, v, respErrorDecodeFast)
	})
}

// respDecode decodes a whole response object (or error body) into the zero
// r as o2rUnmarshal does: in place when it can.
func respDecode(body []byte, r *RespAnswer) error {
	if len(body) > 0 && body[0] == '{' && areqScanned(body) && r.decodeFast(body) == nil {
		return nil
	}
	*r = RespAnswer{}
	return o2rUnmarshal(body, r)
}

// decodeFast fills the zero r from v, a value of a scanned body.
func (r *RespAnswer) decodeFast(v []byte) error {
	return oreqObjectFast(v, respAnswerFields, func(f int, v []byte) error {
		switch f {
		case 0, 1, 2, 3:
			return areqSetString([...]*string{&r.ID, &r.Object, &r.Status, &r.Model}[f], v)
		case 4:
			n := int(r.CreatedAt)
			err := areqSetInt(&n, v)
			r.CreatedAt = int64(n)
			return err
		case 5:
			return obsDecodePtr(&r.Error, v, respErrorDecodeFast)
		case 6:
			return obsDecodePtr(&r.IncompleteDetails, v, respIncompleteDecodeFast)
		case 7:
			return obsDecodePtr(&r.Usage, v, respUsageDecodeFast)
		}
		return respObjects(&r.Output, v, (*RespItem).decodeFast)
	})
}

// decodeFast fills the zero it from v, a value of a scanned body.
func (it *RespItem) decodeFast(v []byte) error {
	return oreqObjectFast(v, respItemFields, func(f int, v []byte) error {
		switch f {
		case 0, 1, 2, 3, 4, 5, 6:
			return areqSetString([...]*string{&it.Type, &it.ID, &it.Status, &it.Role, &it.CallID, &it.Name, &it.Namespace}[f], v)
		case 7:
			return respRaw(&it.Content, v)
		case 8:
			return respRaw(&it.Output, v)
		case 9, 10, 11:
			return obsSetStringPtr([...]**string{&it.Arguments, &it.EncryptedContent, &it.Input}[f-9], v)
		case 12:
			return respObjects(&it.Summary, v, (*RespPart).decodeFast)
		}
		return nil
	})
}

// decodeFast fills the zero p from v, a value of a scanned body.
func (p *RespPart) decodeFast(v []byte) error {
	return oreqObjectFast(v, respPartFields, func(f int, v []byte) error {
		if f == 6 {
			return respRaw(&p.Annotations, v)
		}
		return areqSetString([...]*string{&p.Type, &p.Text, &p.ImageURL, &p.Detail, &p.FileID, &p.Refusal}[f], v)
	})
}

// respArray is json.Unmarshal of raw, valid JSON (from a body encoding/json
// or a scan has validated), into a []T: in place with decode when it can.
// On an error it returns what encoding/json decoded, as callers may use it.
func respArray[T any](raw []byte, decode func(*T, []byte) error) ([]T, error) {
	var out []T
	if len(raw) > 0 && respObjects(&out, raw, decode) == nil {
		return out, nil
	}
	out = nil
	err := json.Unmarshal(raw, &out)
	return out, err
}

// respObjects decodes an array of objects into *dst as encoding/json fills
// a slice: null leaves it, [] makes it empty and not nil.
func respObjects[T any](dst *[]T, v []byte, decode func(*T, []byte) error) error {
	if v[0] == '[' && *dst == nil {
		*dst = []T{}
	}
	return areqObjectArray(v, func(e []byte) error {
		*dst = append(*dst, *new(T))
		return decode(&(*dst)[len(*dst)-1], e)
	})
}

func respErrorDecodeFast(e *RespError, v []byte) error {
	return oreqObjectFast(v, respErrorFields, func(f int, v []byte) error {
		return areqSetString([...]*string{&e.Code, &e.Message}[f], v)
	})
}

func respIncompleteDecodeFast(d *RespIncomplete, v []byte) error {
	return oreqObjectFast(v, []string{"reason"}, func(_ int, v []byte) error {
		return areqSetString(&d.Reason, v)
	})
}

func respUsageDecodeFast(u *RespUsage, v []byte) error {
	return oreqObjectFast(v, respUsageFields, func(f int, v []byte) error {
		switch f {
		case 3:
			return oreqObjectFast(v, []string{"cached_tokens"}, func(_ int, v []byte) error {
				return areqSetInt(&u.InputTokensDetails.CachedTokens, v)
			})
		case 4:
			return oreqObjectFast(v, []string{"reasoning_tokens"}, func(_ int, v []byte) error {
				return areqSetInt(&u.OutputTokensDetails.ReasoningTokens, v)
			})
		}
		return areqSetInt([...]*int{&u.InputTokens, &u.OutputTokens, &u.TotalTokens}[f], v)
	})
}

// obsDecodePtr decodes v into a fresh *T with decode (nil for null), as
// encoding/json fills a pointer field.
func obsDecodePtr[T any](dst **T, v []byte, decode func(*T, []byte) error) error {
	if v[0] == 'n' {
		*dst = nil
		return nil
	}
	x := new(T)
	if err := decode(x, v); err != nil {
		return err
	}
	*dst = x
	return nil
}
