package server_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakStreams is 1000 (DESIGN §17); RELIABILITY_STREAMS changes it for make reliability.
func soakStreams() int {
	if n, err := strconv.Atoi(os.Getenv("RELIABILITY_STREAMS")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// TestRateLimitExactUnder64Clients: 64 clients hammering a key limited to 50
// requests a minute get exactly 50 answers and 429 for the rest.
func TestRateLimitExactUnder64Clients(t *testing.T) {
	up := newUpstream(t, openAIResponder)
	text := "providers:\n" + providerYAML("p", "openai", up.URL+"/v1", "k") +
		"models:\n  glm-5: {adapters: [{adapter: p, model_name: x}]}\n"
	gw := newGatewayWithKeys(t, text, "  - {key: sk-fifty-per-minute, rate_limit: 50}\n")
	var ok, limited, other atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < 64; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				req, _ := http.NewRequest("POST", gw.URL+"/v1/chat/completions", strings.NewReader(chatBody))
				req.Header.Set("X-Api-Key", "sk-fifty-per-minute")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					other.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch resp.StatusCode {
				case 200:
					ok.Add(1)
				case 429:
					limited.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 50 || limited.Load() != 64*4-50 || other.Load() != 0 {
		t.Errorf("answered %d, limited %d, other %d; want exactly 50 answered", ok.Load(), limited.Load(), other.Load())
	}
}

// TestThousandStreamSoak holds 1000 concurrent streams through the gateway;
// all complete, and afterwards goroutines return to their baseline.
func TestThousandStreamSoak(t *testing.T) {
	n := soakStreams()
	release := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	})
	g := newGateway(t, "providers:\n"+providerYAML("p", "openai", up.URL+"/v1", "k")+
		"models:\n  glm-5: {adapters: [{adapter: p, model_name: x}]}\n")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0}}
	defer client.CloseIdleConnections()
	runtime.GC()
	baseline := runtime.NumGoroutine()

	var done, failed atomic.Int64
	var wg sync.WaitGroup
	var opened sync.WaitGroup
	opened.Add(n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", g.URL+"/v1/chat/completions", strings.NewReader(`{"model":"glm-5","stream":true,"messages":[]}`))
			req.Header.Set("X-Api-Key", userKey)
			resp, err := client.Do(req)
			opened.Done()
			if err != nil {
				failed.Add(1)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "[DONE]") {
				done.Add(1)
			} else {
				failed.Add(1)
			}
		}()
	}
	opened.Wait() // every stream has its headers: all n are held open at once
	close(release)
	wg.Wait()
	if done.Load() != int64(n) {
		t.Fatalf("%d of %d streams completed (%d failed)", done.Load(), n, failed.Load())
	}
	client.CloseIdleConnections()
	g.srv.CloseIdle()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline+10 {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d after the soak, baseline %d", runtime.NumGoroutine(), baseline)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
