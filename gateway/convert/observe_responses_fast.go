package convert

import "github.com/modelswitch/modelswitch/gateway/jsonbody"

// The fast path of the Responses stream observer: every event a Responses
// client gets, pass-through or converted, is read for the records, and most
// are deltas whose few flat fields can be read in place, like the Anthropic
// observer's (observe_fast.go). Of the nested values only the fields the
// observer keeps are read (a call item's, a part's type, the response's
// status, incomplete_details and usage, not its echo of the request's
// tools; responses_decode_fast.go has the decoders of usage and
// incomplete_details); anything unusual makes the whole event go to
// encoding/json. obsRespCheckDecode in the tests holds this path to it.

var (
	obsRespEventFields    = []string{"type", "output_index", "delta", "text", "refusal", "arguments", "input", "item", "part", "response"}
	obsRespResponseFields = []string{"status", "incomplete_details", "usage"}
	obsRespItemFields     = []string{"type", "id", "call_id", "name", "arguments", "input"}
)

// decodeFast fills e, which must be zero, from data; any error means "use
// encoding/json" and leaves e to be zeroed again.
func (e *obsRespEvent) decodeFast(data []byte) error {
	if len(data) == 0 || data[0] != '{' || !areqScanned(data) {
		return errAreqSlow
	}
	it := jsonbody.Members(data)
	return oreqFields(&it, obsRespEventFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&e.Type, v)
		case 1:
			return areqSetIntPtr(&e.OutputIndex, v)
		case 2:
			return areqSetString(&e.Delta, v)
		case 3, 4, 5, 6:
			return obsSetStringPtr([...]**string{&e.Text, &e.Refusal, &e.Arguments, &e.Input}[f-3], v)
		case 7:
			return obsDecodePtr(&e.Item, v, (*obsRespItem).decodeFast)
		case 8:
			return obsDecodePtr(&e.Part, v, (*obsRespPart).decodeFast)
		}
		return obsDecodePtr(&e.Response, v, (*obsRespResponse).decodeFast)
	})
}

func (r *obsRespResponse) decodeFast(v []byte) error {
	return oreqObjectFast(v, obsRespResponseFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return areqSetString(&r.Status, v)
		case 1:
			return obsDecodePtr(&r.IncompleteDetails, v, respIncompleteDecodeFast)
		}
		return obsDecodePtr(&r.Usage, v, respUsageDecodeFast)
	})
}

// obsSetStringPtr sets *dst as encoding/json sets a *string: nil for null.
func obsSetStringPtr(dst **string, v []byte) error {
	if v[0] == 'n' {
		*dst = nil
		return nil
	}
	var s string
	if err := areqSetString(&s, v); err != nil {
		return err
	}
	*dst = &s
	return nil
}

func (it *obsRespItem) decodeFast(v []byte) error {
	return oreqObjectFast(v, obsRespItemFields, func(f int, v []byte) error {
		if f >= 4 {
			return obsSetStringPtr([...]**string{&it.Arguments, &it.Input}[f-4], v)
		}
		return areqSetString([...]*string{&it.Type, &it.ID, &it.CallID, &it.Name}[f], v)
	})
}

func (p *obsRespPart) decodeFast(v []byte) error {
	return oreqObjectFast(v, respTypeField, func(_ int, v []byte) error {
		return areqSetString(&p.Type, v)
	})
}
