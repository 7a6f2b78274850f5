package convert

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"strconv"
	"strings"
)

// AnthropicStream turns an OpenAI chat.completion.chunk stream into Anthropic
// SSE events (pitfalls 1–11, seed P5–P8), one content block open at a time.
// message_start and a ping come only with the first block, typed from the first
// real delta. Blank text or reasoning opens no block: it is held for the next
// delta of its kind, or dropped if another kind comes first.
//
// Tools: calls are keyed by OpenAI index (a new id or name there starts a new
// call) and open once name and id (or argument bytes) are known. The open call
// streams its fragments; other calls' fragments are buffered until its
// arguments are complete JSON or its index is reused, then the next call opens
// with its buffer in one delta; calls left at [DONE] are flushed whole (missing
// name "unknown_tool", missing id a fresh toolu_ id). So no delta targets a
// closed block and no argument byte is lost: bytes for an already closed call
// make Convert fail (an error event, not a corrupted tool input).
type AnthropicStream struct {
	clientModel string
	names       *ToolNames
	estimate    int

	started, done, failed bool
	next, open            int  // next block index; open block index or -1
	kind, heldKind        byte // kind of the open block; of the held blank text
	held                  []byte
	calls                 []*o2aCall
	live                  *o2aCall // the tool call whose block is open
	liveChecked           int      // len(live.args) when last checked as JSON, or -1
	liveValid, anyTool    bool
	finish, stopSeq       string
	usage                 Usage
	haveUsage             bool
	outBytes              int

	buf    o2aBuf // event data of the current Convert call
	marks  []o2aMark
	chunks chatChunkReader
}

const o2aText, o2aThinking, o2aTool byte = 1, 2, 3  // block kinds
const o2aPending, o2aOpen, o2aClosed byte = 0, 1, 2 // tool call states

type o2aCall struct {
	key        int // OpenAI tool index
	upID, name string
	args       []byte
	state      byte
	superseded bool // another call reused this index
}

type o2aChunk struct {
	ID      o2aFirst        `json:"id"`    // kept from the first chunk that has one
	Model   o2aFirst        `json:"model"` // likewise
	Error   json.RawMessage `json:"error"`
	Usage   json.RawMessage `json:"usage"`
	Choices []o2aChoice     `json:"choices"`
}

type o2aChoice struct {
	Index        int      `json:"index"`
	Delta        o2aDelta `json:"delta"`
	FinishReason string   `json:"finish_reason"`
	StopReason   any      `json:"stop_reason"` // vLLM: the stop string matched, or a token id
}

type o2aDelta struct {
	Content          string        `json:"content"`
	Refusal          string        `json:"refusal"`
	ReasoningContent string        `json:"reasoning_content"`
	Reasoning        string        `json:"reasoning"`
	ToolCalls        []o2aToolCall `json:"tool_calls"`
}

type o2aToolCall struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// o2aFirst keeps the first non-empty JSON string it is given.
type o2aFirst string

func (f *o2aFirst) UnmarshalJSON(b []byte) error {
	if *f == "" && len(b) > 2 && b[0] == '"' {
		return json.Unmarshal(b, (*string)(f))
	}
	return nil
}

// NewAnthropicStream returns a converter for one stream. clientModel is used
// when the upstream names no model; inputEstimate is the input token count put
// in message_start and reported when the upstream sends no usage (pitfall 8).
func NewAnthropicStream(clientModel string, names *ToolNames, inputEstimate int) *AnthropicStream {
	return &AnthropicStream{clientModel: clientModel, names: names, estimate: inputEstimate, open: -1, liveChecked: -1}
}

// Started reports whether message_start (always with the first block) was produced.
func (s *AnthropicStream) Started() bool { return s.started }

// Done reports whether [DONE] was converted into the terminal events.
func (s *AnthropicStream) Done() bool { return s.done }

// Usage returns the upstream's last reported usage, or an estimate (input from
// the request estimate, output from the bytes produced) marked Estimated.
func (s *AnthropicStream) Usage() Usage {
	if s.haveUsage {
		return s.usage
	}
	return Usage{Input: s.estimate, Output: (s.outBytes + 3) / 4, Estimated: true}
}

// Convert converts one upstream SSE data payload. Events after Done or Fail are ignored.
func (s *AnthropicStream) Convert(name string, data []byte) ([]Event, error) {
	if s.done || s.failed {
		return nil, nil
	}
	data = bytes.TrimSpace(data)
	if name == "error" {
		return nil, fmt.Errorf("upstream error event: %.500s", data)
	} else if len(data) == 0 {
		return nil, nil
	} else if string(data) == "[DONE]" {
		s.finishStream()
		return s.flush(), nil
	}
	c, err := s.chunks.read(data)
	if err != nil {
		return nil, err
	}
	if len(c.Error) > 0 && string(c.Error) != "null" {
		var e struct{ Message string }
		if json.Unmarshal(c.Error, &e) != nil || e.Message == "" {
			e.Message = string(c.Error)
		}
		return nil, fmt.Errorf("upstream error: %.500s", e.Message)
	}
	if u, ok := UsageFromOpenAI(c.Usage); ok && u.Input+u.Output+u.CacheRead+u.CacheWrite > 0 {
		s.usage, s.haveUsage = u, true
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index != 0 {
			continue // n > 1 is not supported: the first choice only
		} else if ch.FinishReason == "error" {
			return nil, errors.New(`upstream finished the stream with finish_reason "error"`)
		}
		d := &ch.Delta
		if d.ReasoningContent != "" {
			s.content(o2aThinking, d.ReasoningContent)
		} else {
			s.content(o2aThinking, d.Reasoning)
		}
		s.content(o2aText, d.Content)
		s.content(o2aText, d.Refusal)
		for _, t := range d.ToolCalls {
			if err := s.toolDelta(t.Index, t.ID, t.Function.Name, t.Function.Arguments); err != nil {
				return nil, err // events built so far stay queued for Fail
			}
		}
		if ch.FinishReason != "" {
			s.finish = ch.FinishReason
			s.stopSeq, _ = ch.StopReason.(string)
		}
	}
	return s.flush(), nil
}

// Fail ends the stream with an Anthropic error event, closing the open block
// first so the client's accumulator stays consistent (pitfalls 10, 11).
func (s *AnthropicStream) Fail(message string) []Event {
	if s.done || s.failed {
		return nil
	}
	s.failed = true
	s.stopBlock()
	s.ev("error", `{"type":"error","error":{"type":"api_error","message":`, o2aQ(message), "}}")
	return s.flush()
}

// content handles a text or reasoning delta.
func (s *AnthropicStream) content(kind byte, text string) {
	if text == "" {
		return
	}
	s.outBytes += len(text)
	if s.open >= 0 && s.kind == kind {
		s.delta(kind, text)
		return
	}
	if strings.TrimSpace(text) == "" {
		if s.heldKind != kind {
			s.held, s.heldKind = s.held[:0], kind
		}
		s.held = append(s.held, text...)
		return
	}
	if s.heldKind == kind && len(s.held) > 0 {
		text = string(s.held) + text
	}
	s.startBlock(kind, "", "")
	s.delta(kind, text)
}

func (s *AnthropicStream) toolDelta(key int, id, name, args string) error {
	var call *o2aCall
	for i := len(s.calls) - 1; i >= 0 && call == nil; i-- {
		if s.calls[i].key == key {
			call = s.calls[i]
		}
	}
	if call == nil || id != "" && call.upID != "" && id != call.upID || name != "" && call.name != "" && name != call.name {
		if call != nil {
			call.superseded = true
		}
		call = &o2aCall{key: key}
		s.calls = append(s.calls, call)
	}
	call.upID, call.name = cmp.Or(call.upID, id), cmp.Or(call.name, name)
	s.outBytes += len(args)
	switch call.state {
	case o2aOpen:
		if args != "" {
			call.args = append(call.args, args...)
			s.delta(o2aTool, args)
		}
	case o2aClosed:
		if strings.TrimSpace(args) != "" {
			return fmt.Errorf("upstream sent arguments for tool call %q after its block was closed", call.upID)
		}
	default:
		call.args = append(call.args, args...)
	}
	s.advance(false)
	return nil
}

// advance opens buffered tool calls while the open block may be closed: it is
// not a tool, or its call was superseded or has complete JSON arguments. With
// force (at [DONE]) every buffered call is opened in turn.
func (s *AnthropicStream) advance(force bool) {
	for {
		var next *o2aCall
		for _, c := range s.calls {
			if c.state == o2aPending && (c.name != "" && (c.upID != "" || len(c.args) > 0) ||
				force && (c.name != "" || c.upID != "" || len(c.args) > 0)) {
				next = c
				break
			}
		}
		if next == nil {
			return
		}
		if l := s.live; !force && l != nil && !l.superseded {
			if s.liveChecked != len(l.args) {
				s.liveChecked, s.liveValid = len(l.args), json.Valid(l.args)
			}
			if !s.liveValid {
				return
			}
		}
		id := next.upID
		if id == "" {
			id = "toolu_" + o2aRandomHex(12)
		}
		s.startBlock(o2aTool, id, cmp.Or(s.names.Client(next.name), "unknown_tool"))
		next.state, s.live, s.liveChecked, s.anyTool = o2aOpen, next, -1, true
		if len(next.args) > 0 {
			s.delta(o2aTool, string(next.args))
		}
	}
}

func (s *AnthropicStream) ensureStarted() {
	if s.started {
		return
	}
	s.started = true
	id := string(s.chunks.chunk.ID) // msg_ + the upstream id if it is [A-Za-z0-9_-]{1,64}
	if !validToolName(id) {
		id = o2aRandomHex(12)
	}
	model, u := cmp.Or(string(s.chunks.chunk.Model), s.clientModel), Usage{Input: s.estimate}
	if s.haveUsage {
		u = s.usage
	}
	s.ev("message_start", `{"type":"message_start","message":{"id":"msg_`, id,
		`","type":"message","role":"assistant","model":`, o2aQ(model),
		`,"content":[],"stop_reason":null,"stop_sequence":null,"usage":`, o2aUsage{u.Input, 1, u.CacheRead, u.CacheWrite}, "}}")
	s.ev("ping", `{"type":"ping"}`)
}

// startBlock closes the open block and opens a new one of kind.
func (s *AnthropicStream) startBlock(kind byte, toolID, toolName string) {
	s.ensureStarted()
	s.stopBlock()
	s.held, s.heldKind = s.held[:0], 0
	s.open, s.kind = s.next, kind
	s.next++
	const start = `{"type":"content_block_start","index":`
	if kind == o2aTool {
		s.ev("content_block_start", start, s.open, `,"content_block":{"type":"tool_use","id":`, o2aQ(toolID),
			`,"name":`, o2aQ(toolName), `,"input":{}}}`)
	} else if kind == o2aText {
		s.ev("content_block_start", start, s.open, `,"content_block":{"type":"text","text":""}}`)
	} else {
		s.ev("content_block_start", start, s.open, `,"content_block":{"type":"thinking","thinking":"","signature":""}}`)
	}
}

func (s *AnthropicStream) delta(kind byte, text string) {
	typ := `,"delta":{"type":"input_json_delta","partial_json":`
	if kind == o2aText {
		typ = `,"delta":{"type":"text_delta","text":`
	} else if kind == o2aThinking {
		typ = `,"delta":{"type":"thinking_delta","thinking":`
	}
	s.ev("content_block_delta", `{"type":"content_block_delta","index":`, s.open, typ, o2aQ(text), "}}")
}

func (s *AnthropicStream) stopBlock() {
	if s.open < 0 {
		return
	}
	s.ev("content_block_stop", `{"type":"content_block_stop","index":`, s.open, "}")
	if s.live != nil {
		s.live.state, s.live = o2aClosed, nil
	}
	s.open, s.kind = -1, 0
}

// finishStream emits the terminal events at [DONE] (pitfalls 7, 9; P6).
func (s *AnthropicStream) finishStream() {
	s.advance(true)
	if !s.started { // an empty answer: one empty text block, as non-streaming has
		s.startBlock(o2aText, "", "")
	}
	s.stopBlock()
	reason, seq := map[string]string{"length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use",
		"content_filter": "refusal"}[s.finish], any("null")
	if s.anyTool && reason != "max_tokens" {
		reason = "tool_use"
	} else if reason == "" && s.finish == "stop" && s.stopSeq != "" {
		reason, seq = "stop_sequence", o2aQ(s.stopSeq)
	} else if reason == "" {
		reason = "end_turn"
	}
	u := s.Usage()
	s.ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"`, reason, `","stop_sequence":`, seq,
		`},"usage":`, o2aUsage{u.Input, u.Output, u.CacheRead, u.CacheWrite}, "}")
	s.ev("message_stop", `{"type":"message_stop"}`)
	s.done = true
}

type (
	o2aQ     string // a value to write as a JSON string
	o2aUsage [4]int // input, output, cache read, cache write
	o2aBuf   []byte
	o2aMark  struct {
		name       string
		start, end int
	}
)

// ev appends one event's data, built from raw strings, ints, o2aQ and o2aUsage.
func (s *AnthropicStream) ev(name string, parts ...any) {
	start := len(s.buf)
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			s.buf = append(s.buf, p...)
		case int:
			s.buf = strconv.AppendInt(s.buf, int64(p), 10)
		case o2aQ: // as encoding/json without HTML escaping
			s.buf = jsonbody.AppendQuote(s.buf, string(p))
		case o2aUsage:
			s.buf = fmt.Appendf(s.buf, `{"input_tokens":%d,"output_tokens":%d,"cache_read_input_tokens":%d,"cache_creation_input_tokens":%d}`,
				p[0], p[1], p[2], p[3])
		}
	}
	s.marks = append(s.marks, o2aMark{name, start, len(s.buf)})
}

// flush returns the events built since the last flush, sharing one new buffer.
func (s *AnthropicStream) flush() []Event {
	if len(s.marks) == 0 {
		return nil
	}
	data := bytes.Clone(s.buf)
	evs := make([]Event, len(s.marks))
	for i, m := range s.marks {
		evs[i] = Event{Name: m.name, Data: data[m.start:m.end:m.end]}
	}
	s.buf, s.marks = s.buf[:0], s.marks[:0]
	return evs
}

// o2aRandomHex returns n random bytes in hex; a variable so tests can fix it.
var o2aRandomHex = func(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
