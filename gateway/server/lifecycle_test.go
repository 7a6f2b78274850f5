package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/server"
)

// pacedResponder streams n OpenAI chunks, one every gap, then [DONE]. It
// reports on cancelled when the client of the upstream (the gateway) went away.
func pacedResponder(n int, gap time.Duration, cancelled chan<- struct{}) func(http.ResponseWriter, *http.Request, map[string]any) {
	return func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t%d \"}}]}\n\n", i)
			w.(http.Flusher).Flush()
			select {
			case <-time.After(gap):
			case <-r.Context().Done():
				if cancelled != nil {
					close(cancelled)
				}
				return
			}
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	cancelled := make(chan struct{})
	up := newUpstream(t, pacedResponder(1000, 20*time.Millisecond, cancelled))
	g := newGateway(t, "providers:\n"+providerYAML("p", "openai", up.URL+"/v1", "k")+
		"models:\n  glm-5: {adapters: [{adapter: p, model_name: m}]}\n")
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", g.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"glm-5","stream":true,"messages":[]}`))
	req.Header.Set("X-Api-Key", userKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream request was not cancelled after the client left")
	}
}

func TestTruncatedStreamEndsWithErrorEvent(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n")
		fmt.Fprint(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n")
		// no message_stop: the upstream died
	})
	g := newGateway(t, "providers:\n"+providerYAML("a", "anthropic", up.URL, "k")+
		"models:\n  glm-5: {adapters: [{adapter: a, model_name: m}]}\n")
	resp, b := g.do(t, "POST", "/v1/messages", `{"model":"glm-5","max_tokens":5,"stream":true,"messages":[]}`, "X-Api-Key", userKey)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if !strings.Contains(string(b), "event: error\ndata: {\"type\":\"error\"") || !strings.Contains(string(b), "ended before its final event") {
		t.Errorf("truncated stream not reported:\n%s", b)
	}
}

// TestGracefulShutdownFinishesStreams starts the real listener, opens a slow
// stream, asks the server to stop, and expects the stream to complete.
func TestGracefulShutdownFinishesStreams(t *testing.T) {
	up := newUpstream(t, pacedResponder(10, 30*time.Millisecond, nil))
	text := "gateway: {host: 127.0.0.1, port: 1}\nproviders:\n" + providerYAML("p", "openai", up.URL+"/v1", "k") +
		"models:\n  glm-5: {adapters: [{adapter: p, model_name: m}]}\napi_keys:\n  - {key: " + userKey + "}\n"
	cfg, _, err := config.Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Config: cfg, Host: "127.0.0.1", Port: freePort(t),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()

	req, _ := http.NewRequest("POST", "http://"+addr.String()+"/v1/chat/completions",
		strings.NewReader(`{"model":"glm-5","stream":true,"messages":[]}`))
	req.Header.Set("X-Api-Key", userKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	stop() // SIGTERM arrives mid-stream
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(b), "t9 ") || !strings.Contains(string(b), "[DONE]") {
		t.Fatalf("stream cut by shutdown: %v\n%s", err, b)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if _, err := http.Get("http://" + addr.String() + "/health"); err == nil {
		t.Error("listener still accepting after shutdown")
	}
}
