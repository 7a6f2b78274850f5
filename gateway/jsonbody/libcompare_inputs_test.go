package jsonbody_test

// Issue 16, item 1: each hand-written piece of jsonbody against the best
// library alternatives, doing the same operation on the same inputs, with
// the checks jsonbody makes (or a stated gap: TestLibCompareChecks records,
// per implementation, which malformed bodies it lets through).
//
//	go test -run '^$' -bench 'Lib' -benchmem ./gateway/jsonbody/
//	go test -run 'LibCompare' -v ./gateway/jsonbody/
//
// The operations are the gateway's:
//
//   - PassThrough (top.go, object.go, patch.go): parseInbound's ScanTop,
//     "model" (a string), "stream" (a boolean or null), "messages" (an
//     array), then buildRequest's edits (replace "model", insert
//     "stream_options") as PatchParts pieces, or as one copy for libraries
//     that can only produce a copy.
//   - Validate (scan.go, skip.go, check.go): Check, as on upstream answers
//     and stream events: exactly one JSON object, fully valid, no duplicate
//     top-level key.
//   - Stream (scan.go, walk.go, object.go): per SSE event, what isErrorEvent,
//     isContent, the observer and the stream converters do: validate the
//     event (Scan), then read a few members. Anthropic: type, index,
//     delta.type, delta.text. OpenAI: choices[0].delta.content,
//     choices[0].finish_reason, whether usage is present.
//   - Walk (walk.go): the converters' read of a body Scan accepted: every
//     member and element, every string unescaped, no second validation.
//   - Quote (quote.go) and Unquote (object.go): strings to and from JSON.
//
// Libraries: tidwall/gjson (+ sjson to rewrite), buger/jsonparser,
// valyala/fastjson, bytedance/sonic (ast and encoder), encoding/json.
// encoding/json/v2 and jsontext need GOEXPERIMENT=jsonv2 on Go 1.26 and are
// not compiled here. Byte slices are handed to string-based APIs without a
// copy (unsafe.String), as a gateway using them would, so their results
// alias the body just as jsonbody's do.

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/modelswitch/modelswitch/bench/bodies"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

func init() {
	// gjson.AppendJSONString escapes <, > and & unless told otherwise, for
	// the whole process; jsonbody.AppendQuote does not escape them.
	gjson.SetEscapeHTML(false)
}

// ---------------------------------------------------------------- inputs

type lcInput struct {
	name string
	body []byte
}

var (
	lcSmall = bodies.OpenAISmall("gpt-4.1-mini", true)     // ~1 KB
	lcLarge = bodies.ClaudeCode("claude-sonnet-4-5", true) // ~76 KB

	lcBodies = []lcInput{{"1KB", lcSmall}, {"76KB", lcLarge}}

	lcAnthropic = anthropicStream()
	lcOpenAI    = openAIStream()

	lcStreams = []struct {
		name   string
		events [][]byte
		openai bool
	}{{"anthropic200", lcAnthropic, false}, {"openai200", lcOpenAI, true}}

	lcNewModel     = "upstream-model-x"
	lcQuotedModel  = jsonbody.Quote(lcNewModel)
	lcIncludeUsage = []byte(`{"include_usage":true}`)
)

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func quoteJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// streamTexts returns n deterministic text deltas of 1 to ~60 bytes, some
// with a newline, quotes, a tab or non-ASCII text, as a model streams them.
func streamTexts(n int) []string {
	words := strings.Fields(`the of and to a in is that for it as with file command tool run output path read
write edit search result code test should when must return value error line task will can if you`)
	extras := []string{"\n", "\n\n", ` "quoted"`, "\t", " é", " 中文", " `code`", " <b>&", " \\path"}
	r := rand.New(rand.NewPCG(16, 1))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for k := 1 + r.IntN(8); k > 0; k-- {
			b.WriteByte(' ')
			b.WriteString(words[r.IntN(len(words))])
		}
		if r.IntN(4) == 0 {
			b.WriteString(extras[r.IntN(len(extras))])
		}
		out[i] = b.String()
	}
	return out
}

// anthropicStream is a 200-event Messages stream: message_start,
// content_block_start, ping, 194 text deltas, content_block_stop,
// message_delta and message_stop, each event's data as the API sends it.
func anthropicStream() [][]byte {
	texts := streamTexts(194)
	evs := [][]byte{
		[]byte(`{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":18220,"output_tokens":1,"service_tier":"standard"}}}`),
		[]byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
		[]byte(`{"type":"ping"}`),
	}
	for _, t := range texts {
		evs = append(evs, []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`+quoteJSON(t)+`}}`))
	}
	evs = append(evs,
		[]byte(`{"type":"content_block_stop","index":0}`),
		[]byte(`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":18220,"output_tokens":503}}`),
		[]byte(`{"type":"message_stop"}`))
	return evs
}

// openAIStream is a 200-chunk Chat Completions stream: the role chunk, 197
// content chunks, the finish chunk and the usage chunk (stream_options).
func openAIStream() [][]byte {
	texts := streamTexts(197)
	head := `{"id":"chatcmpl-BmX8kQ2hT9zv4YdRr1aJ7pLw3nE5c","object":"chat.completion.chunk","created":1750000000,"model":"gpt-4.1-mini-2025-04-14","service_tier":"default","system_fingerprint":"fp_6f2eabb9a5","choices":`
	evs := [][]byte{[]byte(head + `[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`)}
	for _, t := range texts {
		evs = append(evs, []byte(head+`[{"index":0,"delta":{"content":`+quoteJSON(t)+`},"logprobs":null,"finish_reason":null}],"usage":null}`))
	}
	evs = append(evs,
		[]byte(head+`[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`),
		[]byte(head+`[],"usage":{"prompt_tokens":1017,"completion_tokens":503,"total_tokens":1520,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}`))
	return evs
}

func totalLen(evs [][]byte) (n int) {
	for _, e := range evs {
		n += len(e)
	}
	return n
}

// dupKeys detects a repeated key among an object's top-level keys, like
// jsonbody's Object: linear below 16 keys, a map above. The keys alias the
// input.
type dupKeys struct {
	n      int
	inline [16]string
	m      map[string]struct{}
}

func (d *dupKeys) seen(k string) bool {
	if d.m != nil {
		if _, ok := d.m[k]; ok {
			return true
		}
		d.m[k] = struct{}{}
		return false
	}
	for _, s := range d.inline[:d.n] {
		if s == k {
			return true
		}
	}
	if d.n < len(d.inline) {
		d.inline[d.n] = k
		d.n++
		return false
	}
	d.m = make(map[string]struct{}, 2*len(d.inline))
	for _, s := range d.inline {
		d.m[s] = struct{}{}
	}
	d.m[k] = struct{}{}
	return false
}

var (
	errInvalid = errors.New("invalid JSON")
	errDup     = errors.New("duplicate top-level key")
	errShape   = errors.New("unexpected member kind")
)
