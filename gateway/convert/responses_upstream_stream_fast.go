package convert

import "github.com/modelswitch/modelswitch/gateway/jsonbody"

// The fast path of ChatFromResponsesStream's event decoding: most events of
// a Responses stream are deltas whose fields are all flat (type, indexes,
// item_id, delta, text, arguments), read in place after one validating
// scan as the other stream decoders do (anthropic_stream_fast.go). An event
// with a nested or error field (response, item, part, error, code, message,
// param) or anything unusual goes to encoding/json as before;
// FuzzChatStreamFromResponses holds this path to it.

var o2rEventFields = []string{"type", "sequence_number", "output_index", "content_index", "summary_index",
	"item_id", "delta", "text", "arguments", "response", "item", "part", "code", "message", "param", "error"}

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
		}
		return errAreqSlow
	})
}
