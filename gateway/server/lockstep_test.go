package server_test

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEveryEventLeavesBeforeTheNextArrives: the relays push out what they
// wrote before waiting for the upstream, so a token reaches the client while
// the upstream holds the next one back (no per-chunk delay, DESIGN §16),
// also now that events arriving together leave in one write.
func TestEveryEventLeavesBeforeTheNextArrives(t *testing.T) {
	release := make(chan struct{}, 1)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(delta, finish string) {
			io.WriteString(w, `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":`+
				delta+`,"finish_reason":`+finish+`}]}`+"\n\n")
		}
		chunk(`{"role":"assistant","content":""}`, "null")
		chunk(`{"content":"first-token"}`, "null")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(5 * time.Second):
			return // the client never saw the first token: the stream ends truncated
		}
		chunk(`{"content":"second-token"}`, "null")
		chunk(`{}`, `"stop"`)
		io.WriteString(w, "data: [DONE]\n\n")
	})
	g := newGateway(t, "providers:\n"+providerYAML("oa", "openai", up.URL+"/v1", upstreamOA)+
		"models:\n  m: {adapters: [{adapter: oa, model_name: up}]}\n")
	for _, tc := range []struct{ lane, path, body string }{
		{"pass-through", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`},
		{"converted", "/v1/messages", `{"model":"m","stream":true,"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`},
	} {
		t.Run(tc.lane, func(t *testing.T) {
			req, _ := http.NewRequest("POST", g.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("X-Api-Key", userKey)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			var seen []string
			for sc.Scan() {
				line := sc.Text()
				seen = append(seen, line)
				if strings.Contains(line, "first-token") {
					if strings.Contains(strings.Join(seen, "\n"), "second-token") {
						t.Fatal("both tokens arrived together")
					}
					release <- struct{}{}
				}
			}
			all := strings.Join(seen, "\n")
			if !strings.Contains(all, "first-token") || !strings.Contains(all, "second-token") {
				t.Fatalf("the stream did not carry both tokens in turn:\n%s", all)
			}
		})
	}
}
