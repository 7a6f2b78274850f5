package server

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/proxy"
	"github.com/modelswitch/modelswitch/gateway/responses"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// blockedUsage holds each handler in its records until the test releases it.
type blockedUsage struct {
	mu      sync.Mutex
	release chan struct{}
}

func (b *blockedUsage) hold() chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.release = make(chan struct{})
	return b.release
}

func (b *blockedUsage) Record(usage.Record) {
	b.mu.Lock()
	release := b.release
	b.mu.Unlock()
	<-release
}

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
	sink := &blockedUsage{}
	s.proxy.Usage = sink
	gw := httptest.NewServer(s.Handler())
	defer gw.Close()
	for _, lane := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hello"}]}`},
		{"/v1/messages", `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hello"}]}`},
		{"/v1/responses", `{"model":"m","input":"hello"}`},
	} {
		release := sink.hold()
		req, _ := http.NewRequest("POST", gw.URL+lane.path, strings.NewReader(lane.body))
		req.Header.Set("Authorization", "Bearer sk-answer-first-1")
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.Do(req)
		if err != nil {
			close(release)
			t.Fatalf("%s: no answer while the records were held: %v", lane.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		close(release)
		if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), "hi") {
			t.Fatalf("%s: %d %s (%v)", lane.path, resp.StatusCode, body, err)
		}
		if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			t.Errorf("%s: Content-Length %q for %d bytes", lane.path, got, len(body))
		}
		client.CloseIdleConnections()
	}
}

// slowStore is a response store whose writes take a while to commit.
type slowStore struct {
	proxy.ResponseStore
	committed atomic.Int32
}

func (s *slowStore) Put(r responses.Record) error {
	time.Sleep(50 * time.Millisecond)
	err := s.ResponseStore.Put(r)
	s.committed.Add(1)
	return err
}

// TestStoredResponseIsReadableWhenTheAnswerArrives: the whole answer to a
// request with store (the default) goes out only once its response is
// stored, although the rest of the records wait until after it: a client may
// name the id in its next turn, on another connection, the moment it has it.
func TestStoredResponseIsReadableWhenTheAnswerArrives(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,`+
			`"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`)
	}))
	defer up.Close()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := testServer(t, "providers:\n  - {name: p, provider: openai, base_url: \""+up.URL+"/v1\"}\n"+
		"models:\n  m: {adapters: [{adapter: p, model_name: x}]}\napi_keys:\n  - {key: sk-answer-first-1}\n", db)
	slow := &slowStore{ResponseStore: s.proxy.Store}
	s.proxy.Store = slow
	gw := httptest.NewServer(s.Handler())
	defer gw.Close()
	for i, body := range []string{`{"model":"m","input":"hello"}`, `{"model":"m","input":"hello","store":false}`} {
		before := slow.committed.Load()
		req, _ := http.NewRequest("POST", gw.URL+"/v1/responses", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk-answer-first-1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if got, want := slow.committed.Load()-before, int32(1-i); got != want {
			t.Errorf("%s: %d responses stored when the answer arrived, want %d", body, got, want)
		}
	}
}

// TestStoredStreamIsReadableAtItsLastEvent: a streamed response is stored
// before the event that ends it reaches the client, on a pass-through lane
// (Responses upstream) and a converted one (Chat upstream), so a next turn
// sent the moment the client sees response.completed finds it.
func TestStoredStreamIsReadableAtItsLastEvent(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		if strings.HasSuffix(r.URL.Path, "/responses") {
			for _, ev := range []string{
				`{"type":"response.created","sequence_number":0,"response":{"id":"resp_up1","object":"response","status":"in_progress","model":"x","output":[]}}`,
				`{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","status":"in_progress","content":[]}}`,
				`{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"hi"}`,
				`{"type":"response.completed","sequence_number":3,"response":{"id":"resp_up1","object":"response","status":"completed","model":"x",` +
					`"output":[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"hi","annotations":[]}]}],` +
					`"usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2}}}`,
			} {
				typ := ev[9 : strings.Index(ev[9:], `"`)+9]
				_, _ = io.WriteString(w, "event: "+typ+"\ndata: "+ev+"\n\n")
			}
			return
		}
		for _, c := range []string{`{"role":"assistant","content":"hi"}`, `{}`} {
			fin := "null"
			if c == `{}` {
				fin = `"stop"`
			}
			_, _ = io.WriteString(w, `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"x","choices":[{"index":0,"delta":`+c+`,"finish_reason":`+fin+`}]}`+"\n\n")
		}
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer up.Close()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := testServer(t, "providers:\n  - {name: rs, provider: responses, base_url: \""+up.URL+"/v1\"}\n"+
		"  - {name: chat, provider: openai, base_url: \""+up.URL+"/v1\"}\n"+
		"models:\n  pass: {adapters: [{adapter: rs, model_name: x}]}\n  conv: {adapters: [{adapter: chat, model_name: x}]}\n"+
		"api_keys:\n  - {key: sk-answer-first-1}\n", db)
	slow := &slowStore{ResponseStore: s.proxy.Store}
	s.proxy.Store = slow
	gw := httptest.NewServer(s.Handler())
	defer gw.Close()
	for _, model := range []string{"pass", "conv"} {
		before := slow.committed.Load()
		req, _ := http.NewRequest("POST", gw.URL+"/v1/responses", strings.NewReader(`{"model":"`+model+`","input":"hello","stream":true}`))
		req.Header.Set("Authorization", "Bearer sk-answer-first-1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		seen := false
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: response.completed") {
				seen = true
				break // read no further: the handler may still be running
			}
		}
		if got := slow.committed.Load() - before; !seen || got != 1 {
			t.Errorf("%s: completed seen %v with %d responses stored, want 1", model, seen, got)
		}
		resp.Body.Close()
	}
}
