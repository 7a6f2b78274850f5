package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/proxy"
	"github.com/modelswitch/modelswitch/gateway/server"
)

// Tests of the per-connection bounds: request-body memory, the gateway-wide
// in-flight body budget, the body read deadline, closing after an early
// refusal, and the cap on whole upstream answers. Every gateway here has
// max_body_mb: 1, so the limits are small enough to cross cheaply.

const boundsLimit = 1 << 20 // max_body_mb: 1

// hangGuard bounds every wait on the gateway, so that a missing bound fails
// the test instead of hanging it. It is never the thing asserted.
const hangGuard = 20 * time.Second

// boundsGateway starts a gateway with max_body_mb: 1 whose model glm-5 goes
// to an OpenAI upstream answering with respond; edit adjusts the Options.
func boundsGateway(t *testing.T, respond func(http.ResponseWriter, *http.Request, map[string]any), edit func(*server.Options)) *gateway {
	t.Helper()
	up := newUpstream(t, respond)
	text := "gateway: {max_body_mb: 1}\nproviders:\n" + providerYAML("oa", "openai", up.URL+"/v1", upstreamOA) + `
models:
  glm-5:
    adapters: [{adapter: oa, model_name: glm-5.1-upstream}]
api_keys:
  - {key: ` + userKey + `, name: user}
`
	return serveGateway(t, text, edit)
}

// rawConn dials the gateway; the connection is closed at the test's end,
// before the gateway (cleanups run last first).
func rawConn(t *testing.T, g *gateway) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", g.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// postHead writes the head of a POST to path with the given key and extra
// header lines (each ending in \r\n).
func postHead(t *testing.T, c net.Conn, path, key, extra string) {
	t.Helper()
	head := "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	if key != "" {
		head += "Authorization: Bearer " + key + "\r\n"
	}
	if _, err := io.WriteString(c, head+extra+"\r\n"); err != nil {
		t.Fatal(err)
	}
}

// chunk frames b as one chunk of a chunked body.
func chunk(b []byte) []byte {
	return append(append([]byte(fmt.Sprintf("%x\r\n", len(b))), b...), "\r\n"...)
}

// readAnswer reads one response from c (within hangGuard) and its body.
func readAnswer(t *testing.T, c net.Conn, br *bufio.Reader) (*http.Response, []byte) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(hangGuard))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer from the gateway: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return resp, b
}

// assertClosed checks that the gateway closed c: a read ends (EOF, or a
// reset) instead of waiting for hangGuard.
func assertClosed(t *testing.T, c net.Conn, br *bufio.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(hangGuard))
	_, err := br.ReadByte()
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the gateway kept the connection open")
	}
	if err == nil {
		t.Fatal("the gateway sent more after its answer")
	}
}

// TestChunkedBodyMemoryStopsAtLimit: a 200 MiB chunked body (generated, never
// in memory) is refused with 413 after the gateway allocated about the limit,
// not a growing series of buffers past it.
func TestChunkedBodyMemoryStopsAtLimit(t *testing.T) {
	g := boundsGateway(t, openAIResponder, nil)
	c := rawConn(t, g)
	br := bufio.NewReader(c)
	piece := chunk([]byte(strings.Repeat("x", 64<<10)))
	prefix := chunk([]byte(`{"model":"glm-5","messages":[],"pad":"`))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	postHead(t, c, "/v1/chat/completions", userKey, "Transfer-Encoding: chunked\r\n")
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		if _, err := c.Write(prefix); err != nil {
			return
		}
		for n := 0; n < 200<<20; n += 64 << 10 {
			if _, err := c.Write(piece); err != nil {
				return // the gateway refused and closed
			}
		}
	}()
	resp, b := readAnswer(t, c, br)
	runtime.ReadMemStats(&after)
	c.Close() // ends the writer if the gateway still reads
	<-sent

	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413: %s", resp.StatusCode, b)
	}
	// The buffer may reach limit+1 bytes; doubling up to it costs about twice
	// that in all. Without the cap the 1.25× append growth of a large slice
	// allocated some five times the limit.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %.2f MiB for a body limited to 1 MiB", float64(alloc)/(1<<20))
	if want := uint64(7 * boundsLimit / 2); alloc > want {
		t.Errorf("allocated %d bytes while refusing a body over %d: want under %d", alloc, boundsLimit, want)
	}
}

// TestTrickledBodyTimesOut: a body that stops arriving gets an answer and
// its connection closed once the body read deadline passes, instead of
// holding the connection for as long as the client likes.
func TestTrickledBodyTimesOut(t *testing.T) {
	g := boundsGateway(t, openAIResponder, func(o *server.Options) { o.BodyReadTimeout = 200 * time.Millisecond })
	c := rawConn(t, g)
	br := bufio.NewReader(c)
	postHead(t, c, "/v1/chat/completions", userKey, "Transfer-Encoding: chunked\r\n")
	if _, err := c.Write(chunk([]byte(`{"model":"glm-5",`))); err != nil {
		t.Fatal(err)
	}
	resp, b := readAnswer(t, c, br)
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status %d, want 408: %s", resp.StatusCode, b)
	}
	if shape, _, msg := errorShape(t, b); shape != "openai" || !strings.Contains(msg, "did not arrive") {
		t.Errorf("%s error %q, want an OpenAI error about the body", shape, msg)
	}
	assertClosed(t, c, br)
}

// TestEarlyRefusalClosesConnection: a request refused before its body was
// read (here a wrong key, with the body never sent) is answered at once with
// Connection: close and the connection closed; net/http would otherwise
// wait for up to 256 KB of body before it even sent the 401. A refusal after
// the body was read keeps the connection.
func TestEarlyRefusalClosesConnection(t *testing.T) {
	g := boundsGateway(t, openAIResponder, nil)
	for _, tc := range []struct{ name, framing string }{
		{"content-length", "Content-Length: 900000\r\n"},
		{"chunked", "Transfer-Encoding: chunked\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := rawConn(t, g)
			br := bufio.NewReader(c)
			postHead(t, c, "/v1/chat/completions", "sk-wrong-key-123", tc.framing)
			resp, b := readAnswer(t, c, br)
			if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
				t.Errorf("status %d, Connection %q; want 401 and close: %s", resp.StatusCode, resp.Header.Get("Connection"), b)
			}
			assertClosed(t, c, br)
		})
	}
	t.Run("body read", func(t *testing.T) {
		c := rawConn(t, g)
		br := bufio.NewReader(c)
		body := `{"model":"no-such-model","messages":[]}`
		for i := range 2 {
			postHead(t, c, "/v1/chat/completions", userKey, fmt.Sprintf("Content-Length: %d\r\n", len(body)))
			io.WriteString(c, body)
			resp, b := readAnswer(t, c, br)
			if resp.StatusCode != http.StatusNotFound || resp.Close {
				t.Fatalf("request %d: status %d, close %v; want 404 on a kept connection: %s", i, resp.StatusCode, resp.Close, b)
			}
		}
	})
}

// rawPost sends a whole chat request with body on a connection of its own
// (written while the answer is read, as a client does that does not wait),
// and returns the answer.
func rawPost(t *testing.T, g *gateway, body []byte) (*http.Response, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", g.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	postHead(t, c, "/v1/chat/completions", userKey, fmt.Sprintf("Content-Length: %d\r\n", len(body)))
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		c.Write(body) // fails when the gateway refuses early and closes
	}()
	defer func() { c.Close(); <-sent }()
	return readAnswer(t, c, bufio.NewReader(c))
}

// padded is a chat request of about n bytes.
func padded(n int) []byte {
	head := `{"model":"glm-5","messages":[{"role":"user","content":"hi"}],"pad":"`
	return []byte(head + strings.Repeat("x", n-len(head)-2) + `"}`)
}

// TestBodyBudget: the request bodies buffered at once are bounded gateway-wide
// (4 × max_body_mb). Five near-limit bodies stall part-way: they cannot all
// be held, so one is refused with 503 and Retry-After: 1 in the caller's
// protocol; once they are gone, their bytes are given back.
func TestBodyBudget(t *testing.T) {
	g := boundsGateway(t, openAIResponder, nil)
	part := chunk(padded(boundsLimit - 64<<10)[:boundsLimit-64<<10-2]) // 5 × 960 KiB > 4 MiB
	type answer struct {
		resp *http.Response
		body []byte
		err  error
	}
	answers := make(chan answer, 5)
	var conns []net.Conn
	for range 5 {
		c := rawConn(t, g)
		postHead(t, c, "/v1/chat/completions", userKey, "Transfer-Encoding: chunked\r\n")
		if _, err := c.Write(part); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		go func() { // only a refused one is answered; the others end when closed
			c.SetReadDeadline(time.Now().Add(hangGuard))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			b, err := io.ReadAll(resp.Body)
			answers <- answer{resp, b, err}
		}()
	}
	a := <-answers
	for _, c := range conns {
		c.Close()
	}
	for range 4 {
		<-answers
	}
	if a.err != nil {
		t.Fatalf("no stalled body was refused: %v", a.err)
	}
	if a.resp.StatusCode != http.StatusServiceUnavailable || a.resp.Header.Get("Retry-After") != "1" {
		t.Errorf("status %d, Retry-After %q; want 503 and 1: %s", a.resp.StatusCode, a.resp.Header.Get("Retry-After"), a.body)
	}
	if shape, _, msg := errorShape(t, a.body); shape != "openai" || msg == "" {
		t.Errorf("%s error %q, want an OpenAI error", shape, msg)
	}
	// The handlers of the closed ones return as the gateway notices; had
	// their bytes not been given back, no body this large would fit again.
	untilStatus(t, g, padded(boundsLimit-64<<10), http.StatusOK)
}

// untilStatus repeats rawPost until it is answered with status, for up to
// hangGuard.
func untilStatus(t *testing.T, g *gateway, body []byte, status int) (*http.Response, []byte) {
	t.Helper()
	var last int
	for end := time.Now().Add(hangGuard); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		resp, b := rawPost(t, g, body)
		if resp.StatusCode == status {
			return resp, b
		}
		last = resp.StatusCode
	}
	t.Fatalf("never answered %d; last status %d", status, last)
	return nil, nil
}

// TestUpstreamAnswerCap: a whole (non-stream) upstream answer larger than the
// cap (lowered to 1 MiB here) fails over like any unreadable answer, and the
// gateway stops reading it instead of buffering all of it.
func TestUpstreamAnswerCap(t *testing.T) {
	prev := proxy.MinAnswerCap
	proxy.MinAnswerCap = boundsLimit
	t.Cleanup(func() { proxy.MinAnswerCap = prev }) // after the gateway's cleanup
	const answerSize = 32 << 20                     // well past what socket buffers hold
	writeErr := make(chan error, 1)
	g := boundsGateway(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,`+
			`"message":{"role":"assistant","content":"`)
		piece := []byte(strings.Repeat("x", 32<<10))
		var err error
		for n := 0; n < answerSize && err == nil; n += len(piece) {
			_, err = w.Write(piece)
		}
		if err == nil {
			_, err = io.WriteString(w, `"},"finish_reason":"stop"}]}`)
		}
		writeErr <- err
	}, nil)
	resp, b := g.do(t, "POST", "/v1/chat/completions", chatBody, "Authorization", "Bearer "+userKey)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503: %.300s", resp.StatusCode, b)
	}
	if shape, _, msg := errorShape(t, b); shape != "openai" || !strings.Contains(msg, "larger than 1 MiB") {
		t.Errorf("%s error %q, want an OpenAI error naming the cap", shape, msg)
	}
	select {
	case err := <-writeErr:
		if err == nil {
			t.Error("the gateway read the whole oversize answer")
		}
	case <-time.After(hangGuard):
		t.Fatal("the upstream is still writing its answer")
	}
}

// TestStreamOutlivesBodyDeadline: the body read deadline ends with the body;
// a streamed answer that lasts longer than it arrives whole.
func TestStreamOutlivesBodyDeadline(t *testing.T) {
	const deadline = 300 * time.Millisecond
	g := boundsGateway(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		prelude(w, "openai")
		contentDelta(w, "openai", "Hello")
		time.Sleep(3 * deadline) // not a timing assertion: the deadline must have passed
		contentDelta(w, "openai", " world")
		io.WriteString(w, "data: [DONE]\n\n")
	}, func(o *server.Options) { o.BodyReadTimeout = deadline })
	body := `{"model":"glm-5","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	resp, b := g.do(t, "POST", "/v1/chat/completions", body, "Authorization", "Bearer "+userKey)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `" world"`) || !strings.Contains(string(b), "[DONE]") {
		t.Errorf("status %d, stream cut short: %s", resp.StatusCode, b)
	}
}
