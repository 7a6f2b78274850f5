package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/usage"
)

// blockedUsage holds the handler in its records until released.
type blockedUsage struct{ release chan struct{} }

func (b blockedUsage) Record(usage.Record) { <-b.release }

// TestWholeAnswerLeavesBeforeTheRecords: a whole answer reaches the client,
// with its length, while the handler is still writing the request's records
// (usage, log line, conversation, stored response), so none of them adds to
// what the client waits for.
func TestWholeAnswerLeavesBeforeTheRecords(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,`+
			`"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`)
	}))
	defer up.Close()
	s := testServer(t, "providers:\n  - {name: p, provider: openai, base_url: \""+up.URL+"/v1\"}\n"+
		"models:\n  m: {adapters: [{adapter: p, model_name: x}]}\napi_keys:\n  - {key: sk-answer-first-1}\n", nil)
	gw := httptest.NewServer(s.Handler())
	defer gw.Close()
	for _, lane := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hello"}]}`},
		{"/v1/messages", `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hello"}]}`},
		{"/v1/responses", `{"model":"m","input":"hello"}`},
	} {
		sink := blockedUsage{release: make(chan struct{})}
		s.proxy.Usage = sink
		req, _ := http.NewRequest("POST", gw.URL+lane.path, strings.NewReader(lane.body))
		req.Header.Set("Authorization", "Bearer sk-answer-first-1")
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.Do(req)
		if err != nil {
			close(sink.release)
			t.Fatalf("%s: no answer while the records were held: %v", lane.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		close(sink.release)
		if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), "hi") {
			t.Fatalf("%s: %d %s (%v)", lane.path, resp.StatusCode, body, err)
		}
		if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			t.Errorf("%s: Content-Length %q for %d bytes", lane.path, got, len(body))
		}
		client.CloseIdleConnections()
	}
}
