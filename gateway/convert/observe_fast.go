package convert

import "github.com/modelswitch/modelswitch/gateway/jsonbody"

// The fast path of the Anthropic observer (issue 7): every event of an
// Anthropic client's stream, pass-through or converted, goes through it, so
// it is read in place like the converters' input (response_fast.go), with
// encoding/json only as the fallback for anything unusual. obsCheckDecode in
// the tests holds it to encoding/json.

var (
	obsEventFields = []string{"type", "index", "message", "content_block", "delta", "usage"}
	obsPartFields  = []string{"type", "id", "name", "text", "thinking", "input", "partial_json", "stop_reason"}
	obsUsageField  = []string{"usage"}
)

// decodeFast fills e, which must be in its reset state, from data; any error
// means "use encoding/json" and leaves e to be reset again.
func (e *obsEvent) decodeFast(data []byte) error {
	if len(data) == 0 || data[0] != '{' || !areqScanned(data) {
		return errAreqSlow
	}
	it := jsonbody.Members(data)
	return oreqFields(&it, obsEventFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return e.Type.UnmarshalJSON(v)
		case 1:
			return areqSetInt(&e.Index, v)
		case 2:
			return oreqObjectFast(v, obsUsageField, func(_ int, v []byte) error { return e.Message.Usage.decodeObserved(v) })
		case 3:
			return e.ContentBlock.decodeFast(v)
		case 4:
			return e.Delta.decodeFast(v)
		}
		return e.Usage.decodeObserved(v)
	})
}

// decodeObserved reads a usage object into counts preset to obsUnset, so
// the ones it does not report stay unset (null too, as encoding/json).
func (u *anthropicUsage) decodeObserved(v []byte) error { return u.decodeKeys(v) }

func (p *obsPart) decodeFast(raw []byte) error {
	return oreqObjectFast(raw, obsPartFields, func(f int, v []byte) error {
		switch f {
		case 0:
			return p.Type.UnmarshalJSON(v)
		case 5:
			if v[0] == 'n' { // json.RawMessage takes null as the text "null"
				p.Input = append(p.Input[:0], "null"...)
				return nil
			}
			p.Input = append(p.Input[:0], v...) // a copy: data is the caller's
			return nil
		}
		return areqSetString([...]*string{nil, &p.ID, &p.Name, &p.Text, &p.Thinking, nil, &p.PartialJSON, &p.StopReason}[f], v)
	})
}
