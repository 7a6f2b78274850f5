// Package mock is a zero-delay upstream for benchmarks: OpenAI chat
// completions, OpenAI Responses and Anthropic messages, whole or streamed.
// A stream sends Chunks content events, Gap apart (the first one at once);
// both can be set per request with the query (?chunks=8&gap_ms=20) or with the headers
// X-Mock-Chunks and X-Mock-Gap-Ms. Content deltas read "tok0 ", "tok1 ", ...
// so a client can find the first token in any protocol (in a Responses
// stream only the delta events count: ResponsesFirstMarker).
package mock

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server answers /v1/chat/completions, /chat/completions, /v1/responses,
// /responses, /v1/messages and GET /stats (the number of completions served).
type Server struct {
	Chunks int           // content events per stream; default 8
	Gap    time.Duration // pause between content events; default 0

	served atomic.Int64
	pool   sync.Pool
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/stats":
		fmt.Fprintf(w, `{"served":%d}`, s.served.Load())
		return
	case r.Method != http.MethodPost:
		http.Error(w, `{"error":"method"}`, http.StatusMethodNotAllowed)
		return
	}
	buf := s.read(r)
	defer s.pool.Put(buf)
	body := buf.Bytes()
	chunks, gap := s.params(r)
	stream := flagTrue(body, "stream")
	s.served.Add(1)
	switch {
	case strings.HasSuffix(path, "/chat/completions"):
		if stream {
			s.openAIStream(w, chunks, gap, bytes.Contains(body, []byte(`"include_usage"`)))
			return
		}
		writeJSON(w, openAIWhole(chunks))
	case strings.HasSuffix(path, "/messages"):
		if stream {
			s.anthropicStream(w, chunks, gap)
			return
		}
		writeJSON(w, anthropicWhole(chunks))
	case strings.HasSuffix(path, "/responses"):
		if stream {
			s.responsesStream(w, chunks, gap)
			return
		}
		writeJSON(w, responsesWhole(chunks))
	default:
		http.Error(w, `{"error":"no such path"}`, http.StatusNotFound)
	}
}

// Served is how many completions the mock has answered.
func (s *Server) Served() int64 { return s.served.Load() }

func (s *Server) read(r *http.Request) *bytes.Buffer {
	buf, _ := s.pool.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, _ = buf.ReadFrom(r.Body)
	return buf
}

func (s *Server) params(r *http.Request) (int, time.Duration) {
	chunks, gap := s.Chunks, s.Gap
	if chunks <= 0 {
		chunks = 8
	}
	get := func(q, h string) string {
		if r.URL.RawQuery != "" {
			if v := r.URL.Query().Get(q); v != "" {
				return v
			}
		}
		return r.Header.Get(h)
	}
	if n, err := strconv.Atoi(get("chunks", "X-Mock-Chunks")); err == nil && n > 0 {
		chunks = n
	}
	if ms, err := strconv.ParseFloat(get("gap_ms", "X-Mock-Gap-Ms"), 64); err == nil && ms >= 0 {
		gap = time.Duration(ms * float64(time.Millisecond))
	}
	return chunks, gap
}

// flagTrue reports whether the first "key" in body is followed by true. A byte
// scan is enough for the mock: the benchmark bodies have no such nested key.
func flagTrue(body []byte, key string) bool {
	i := bytes.Index(body, []byte(`"`+key+`"`))
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(body[i+len(key)+2:], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(rest[1:], " \t\r\n"), []byte("true"))
}

func writeJSON(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

var wholeCache sync.Map // "o8" / "a8" -> []byte

func text(chunks int) string {
	var b strings.Builder
	for i := range chunks {
		fmt.Fprintf(&b, "tok%d ", i)
	}
	return b.String()
}

func openAIWhole(chunks int) []byte {
	k := "o" + strconv.Itoa(chunks)
	if v, ok := wholeCache.Load(k); ok {
		return v.([]byte)
	}
	b := []byte(`{"id":"chatcmpl-mock","object":"chat.completion","created":1700000000,"model":"mock-model",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"` + text(chunks) + `"},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":12,"completion_tokens":` + strconv.Itoa(chunks) + `,"total_tokens":` + strconv.Itoa(12+chunks) + `}}`)
	wholeCache.Store(k, b)
	return b
}

func anthropicWhole(chunks int) []byte {
	k := "a" + strconv.Itoa(chunks)
	if v, ok := wholeCache.Load(k); ok {
		return v.([]byte)
	}
	b := []byte(`{"id":"msg_mock","type":"message","role":"assistant","model":"mock-model",` +
		`"content":[{"type":"text","text":"` + text(chunks) + `"}],"stop_reason":"end_turn","stop_sequence":null,` +
		`"usage":{"input_tokens":12,"output_tokens":` + strconv.Itoa(chunks) + `}}`)
	wholeCache.Store(k, b)
	return b
}

// sse writes events and flushes after each one.
type sse struct {
	w  io.Writer
	rc *http.ResponseController
	ok bool
}

func startSSE(w http.ResponseWriter) *sse {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	return &sse{w: w, rc: http.NewResponseController(w), ok: true}
}

func (e *sse) send(parts ...string) {
	if !e.ok {
		return
	}
	for _, p := range parts {
		if _, err := io.WriteString(e.w, p); err != nil {
			e.ok = false
			return
		}
	}
	if e.rc.Flush() != nil {
		e.ok = false
	}
}

func pause(i int, gap time.Duration) {
	if i > 0 && gap > 0 {
		time.Sleep(gap)
	}
}

const chunkHead = `data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1700000000,"model":"mock-model","choices":[`

func (s *Server) openAIStream(w http.ResponseWriter, chunks int, gap time.Duration, usage bool) {
	e := startSSE(w)
	for i := 0; i < chunks && e.ok; i++ {
		pause(i, gap)
		role := ""
		if i == 0 {
			role = `"role":"assistant",`
		}
		e.send(chunkHead, `{"index":0,"delta":{`, role, `"content":"tok`, strconv.Itoa(i), ` "},"finish_reason":null}]}`, "\n\n")
	}
	e.send(chunkHead, `{"index":0,"delta":{},"finish_reason":"stop"}]}`, "\n\n")
	if usage {
		e.send(chunkHead, `],"usage":{"prompt_tokens":12,"completion_tokens":`, strconv.Itoa(chunks),
			`,"total_tokens":`, strconv.Itoa(12+chunks), "}}\n\n")
	}
	e.send("data: [DONE]\n\n")
}

func (s *Server) anthropicStream(w http.ResponseWriter, chunks int, gap time.Duration) {
	e := startSSE(w)
	e.send("event: message_start\ndata: ", `{"type":"message_start","message":{"id":"msg_mock","type":"message","role":"assistant",`+
		`"model":"mock-model","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}`, "\n\n")
	e.send("event: content_block_start\ndata: ", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`, "\n\n")
	for i := 0; i < chunks && e.ok; i++ {
		pause(i, gap)
		e.send("event: content_block_delta\ndata: ", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"tok`,
			strconv.Itoa(i), ` "}}`, "\n\n")
	}
	e.send("event: content_block_stop\ndata: ", `{"type":"content_block_stop","index":0}`, "\n\n")
	e.send("event: message_delta\ndata: ", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":`,
		strconv.Itoa(chunks), "}}\n\n")
	e.send("event: message_stop\ndata: ", `{"type":"message_stop"}`, "\n\n")
}
