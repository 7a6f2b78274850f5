package mock

import (
	"net/http"
	"strconv"
	"time"
)

// The OpenAI Responses API (POST /v1/responses): a response object with one
// output_text message, or the event stream OpenAI sends for it. Usage carries
// input_tokens_details.cached_tokens, which Codex reads.

// Token markers for Responses streams. The done events repeat the whole text
// ("tok0 tok1 …") in data lines, so a client counting token lines must look
// for the delta events only.
const (
	ResponsesFirstMarker = `"delta":"tok0 `
	ResponsesChunkMarker = `"delta":"tok`
)

const respCachedTokens = 4

// respObject is a response object; output and usage are JSON.
func respObject(status, output, usage string) string {
	return `{"id":"resp_mock","object":"response","created_at":1700000000,"status":"` + status + `","error":null,` +
		`"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"mock-model","output":` + output +
		`,"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,` +
		`"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,` +
		`"truncation":"disabled","usage":` + usage + `,"metadata":{}}`
}

func respUsage(chunks int) string {
	return `{"input_tokens":12,"input_tokens_details":{"cached_tokens":` + strconv.Itoa(respCachedTokens) +
		`},"output_tokens":` + strconv.Itoa(chunks) + `,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":` +
		strconv.Itoa(12+chunks) + `}`
}

func respPart(text string) string {
	return `{"type":"output_text","text":"` + text + `","annotations":[],"logprobs":[]}`
}

func respMessage(status, content string) string {
	return `{"id":"msg_mock","type":"message","status":"` + status + `","role":"assistant","content":` + content + `}`
}

func responsesWhole(chunks int) []byte {
	k := "r" + strconv.Itoa(chunks)
	if v, ok := wholeCache.Load(k); ok {
		return v.([]byte)
	}
	b := []byte(respObject("completed", "["+respMessage("completed", "["+respPart(text(chunks))+"]")+"]", respUsage(chunks)))
	wholeCache.Store(k, b)
	return b
}

// respEvent is one event of a Responses stream: its type, and the members
// that follow sequence_number.
type respEvent struct{ typ, rest string }

func (e respEvent) wire(seq int) []string {
	return []string{"event: ", e.typ, "\ndata: {\"type\":\"", e.typ, "\",\"sequence_number\":", strconv.Itoa(seq), e.rest, "}\n\n"}
}

const respAt = `,"item_id":"msg_mock","output_index":0,"content_index":0`

// responsesTail is the events after the deltas, cached per token count.
func responsesTail(chunks int) []respEvent {
	k := "rt" + strconv.Itoa(chunks)
	if v, ok := wholeCache.Load(k); ok {
		return v.([]respEvent)
	}
	t := text(chunks)
	done := respMessage("completed", "["+respPart(t)+"]")
	evs := []respEvent{
		{"response.output_text.done", respAt + `,"text":"` + t + `","logprobs":[]`},
		{"response.content_part.done", respAt + `,"part":` + respPart(t)},
		{"response.output_item.done", `,"output_index":0,"item":` + done},
		{"response.completed", `,"response":` + respObject("completed", "["+done+"]", respUsage(chunks))},
	}
	wholeCache.Store(k, evs)
	return evs
}

var responsesHead = []respEvent{
	{"response.created", `,"response":` + respObject("in_progress", "[]", "null")},
	{"response.in_progress", `,"response":` + respObject("in_progress", "[]", "null")},
	{"response.output_item.added", `,"output_index":0,"item":` + respMessage("in_progress", "[]")},
	{"response.content_part.added", respAt + `,"part":` + respPart("")},
}

// responsesStream sends the events of one output_text message: created,
// in_progress, output_item.added, content_part.added, chunks ×
// output_text.delta (gap apart, the first at once), output_text.done,
// content_part.done, output_item.done, completed; sequence_number counts
// from 0.
func (s *Server) responsesStream(w http.ResponseWriter, chunks int, gap time.Duration) {
	e := startSSE(w)
	seq := 0
	for _, ev := range responsesHead {
		e.send(ev.wire(seq)...)
		seq++
	}
	for i := 0; i < chunks && e.ok; i++ {
		pause(i, gap)
		e.send(respEvent{"response.output_text.delta", respAt + `,"delta":"tok` + strconv.Itoa(i) + ` ","logprobs":[]`}.wire(seq)...)
		seq++
	}
	for _, ev := range responsesTail(chunks) {
		e.send(ev.wire(seq)...)
		seq++
	}
}
