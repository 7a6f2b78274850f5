package server_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fault is an upstream misbehaviour, played in the protocol of the provider.
type fault func(protocolName string) func(http.ResponseWriter, *http.Request, map[string]any)

// preludeThen writes the protocol's prelude (no content yet) and hands over.
func prelude(w http.ResponseWriter, protocolName string) {
	w.Header().Set("Content-Type", "text/event-stream")
	if protocolName == "anthropic" {
		fmt.Fprint(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_x\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":0}}}\n\n")
		fmt.Fprint(w, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	} else {
		fmt.Fprint(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n")
	}
	w.(http.Flusher).Flush()
}

// content writes one content delta.
func contentDelta(w http.ResponseWriter, protocolName, text string) {
	if protocolName == "anthropic" {
		fmt.Fprintf(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":%q}}\n\n", text)
	} else {
		fmt.Fprintf(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q},\"finish_reason\":null}]}\n\n", text)
	}
	w.(http.Flusher).Flush()
}

// reset cuts the connection without a proper end.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		conn.Close()
	}
}

var faults = map[string]fault{
	"500": func(string) func(http.ResponseWriter, *http.Request, map[string]any) { return statusResponder(500) },
	"502": func(string) func(http.ResponseWriter, *http.Request, map[string]any) { return statusResponder(502) },
	"503": func(string) func(http.ResponseWriter, *http.Request, map[string]any) { return statusResponder(503) },
	"429": func(string) func(http.ResponseWriter, *http.Request, map[string]any) { return statusResponder(429) },
	"hang": func(string) func(http.ResponseWriter, *http.Request, map[string]any) {
		return func(w http.ResponseWriter, r *http.Request, _ map[string]any) { <-r.Context().Done() }
	},
	"slow first byte": func(p string) func(http.ResponseWriter, *http.Request, map[string]any) {
		return func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
				return
			}
			healthy(p)(w, r, body)
		}
	},
	"reset before content": func(p string) func(http.ResponseWriter, *http.Request, map[string]any) {
		return func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			if body["stream"] == true {
				prelude(w, p)
			} else {
				w.Header().Set("Content-Length", "500")
				w.Write([]byte(`{"id":"partial`))
				w.(http.Flusher).Flush()
			}
			reset(w)
		}
	},
	"truncated": func(p string) func(http.ResponseWriter, *http.Request, map[string]any) {
		return func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			if body["stream"] == true {
				prelude(w, p) // and a clean EOF without content or terminal event
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"x","choices":[`))
		}
	},
	"malformed JSON": func(p string) func(http.ResponseWriter, *http.Request, map[string]any) {
		return func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			if body["stream"] == true {
				w.Header().Set("Content-Type", "text/event-stream")
				fmt.Fprint(w, "event: message_start\ndata: {not json\n\n")
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{not json`))
		}
	},
	"in-band error": func(p string) func(http.ResponseWriter, *http.Request, map[string]any) {
		return func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			w.Header().Set("Content-Type", "text/event-stream")
			if p == "anthropic" {
				fmt.Fprint(w, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
			} else {
				fmt.Fprint(w, "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n")
			}
		}
	},
}

func healthy(protocolName string) func(http.ResponseWriter, *http.Request, map[string]any) {
	if protocolName == "anthropic" {
		return anthropicResponder
	}
	return openAIResponder
}

// TestEveryFaultFallsOver: each fault on the primary, in both protocols,
// streaming and not, ends in a complete answer from the fallback.
func TestEveryFaultFallsOver(t *testing.T) {
	for name, f := range faults {
		for _, proto := range []string{"openai", "anthropic"} {
			for _, stream := range []bool{false, true} {
				if name == "in-band error" && !stream {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/stream=%v", name, proto, stream), func(t *testing.T) {
					t.Parallel()
					primary := newUpstream(t, f(proto))
					backup := newUpstream(t, healthy(proto))
					base := func(u *fakeUpstream) string {
						if proto == "openai" {
							return u.URL + "/v1"
						}
						return u.URL
					}
					g := newGateway(t, fmt.Sprintf(`providers:
  - {name: primary, provider: %[1]s, base_url: %[2]q, timeouts: {first_byte: 0.3, idle: 0.5}}
  - {name: backup, provider: %[1]s, base_url: %[3]q}
models:
  m: {adapters: [{adapter: primary, model_name: p, timeout: 5}, {adapter: backup, model_name: b, priority: 2}]}
`, proto, base(primary), base(backup)))
					path, body := "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}]`
					if proto == "anthropic" {
						path, body = "/v1/messages", `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]`
					}
					body += fmt.Sprintf(`,"stream":%v}`, stream)
					resp, b := g.do(t, "POST", path, body, "X-Api-Key", userKey)
					if resp.StatusCode != 200 || resp.Header.Get("X-Adapter-Name") != "backup" {
						t.Fatalf("%d via %q: %s", resp.StatusCode, resp.Header.Get("X-Adapter-Name"), b)
					}
					text := string(b)
					if !strings.Contains(text, "Hello") || strings.Contains(text, "error") || strings.Contains(text, "partial") {
						t.Errorf("answer is not the backup's clean answer:\n%s", text)
					}
					if stream && strings.Count(text, "event: message_start") > 1 {
						t.Errorf("prelude of the failed attempt reached the client:\n%s", text)
					}
					if len(primary.requests()) != 1 {
						t.Errorf("primary tried %d times, want once", len(primary.requests()))
					}
				})
			}
		}
	}
}

// TestDeadPrimaryBehindOpenBreaker: a primary that never answers costs the
// first request its first-byte timeout; once its breaker is open, later
// requests go straight to the second adapter.
func TestDeadPrimaryBehindOpenBreaker(t *testing.T) {
	primary := newUpstream(t, faults["hang"]("openai"))
	backup := newUpstream(t, openAIResponder)
	g := newGateway(t, fmt.Sprintf(`providers:
  - {name: primary, base_url: %q, timeouts: {first_byte: 0.2}, circuit_breaker: {failures: 1, open_seconds: 60}}
  - {name: backup, base_url: %q}
models:
  m: {adapters: [{adapter: primary, model_name: p}, {adapter: backup, model_name: b, priority: 2}]}
`, primary.URL+"/v1", backup.URL+"/v1"))
	for i := 0; i < 5; i++ {
		resp, b := g.do(t, "POST", "/v1/chat/completions", `{"model":"m","messages":[]}`, "X-Api-Key", userKey)
		if resp.StatusCode != 200 || resp.Header.Get("X-Adapter-Name") != "backup" {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, b)
		}
	}
	if n := len(primary.requests()); n != 1 {
		t.Errorf("the dead primary was tried %d times; the open breaker should have skipped it after the first", n)
	}
	_, b := g.do(t, "GET", "/api/config/health", "", "X-Api-Key", adminKey)
	if !strings.Contains(string(b), `"provider":"primary","model":"p","state":"open"`) {
		t.Errorf("health does not show the open breaker: %s", b)
	}
}

// TestStreamDiesAfterTwoChunks: before content the fallback answers; after
// content the client gets a proper error event.
func TestStreamDiesAfterTwoChunks(t *testing.T) {
	for _, proto := range []string{"openai", "anthropic"} {
		t.Run(proto+"/before content", func(t *testing.T) {
			primary := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
				prelude(w, proto) // two prelude chunks/events, then death
				reset(w)
			})
			backup := newUpstream(t, healthy(proto))
			g, path, body := twoAdapterGateway(t, proto, primary, backup)
			resp, b := g.do(t, "POST", path, body, "X-Api-Key", userKey)
			if resp.StatusCode != 200 || !strings.Contains(string(b), "Hello") || strings.Contains(string(b), "error") {
				t.Errorf("%d %s", resp.StatusCode, b)
			}
		})
		t.Run(proto+"/after content", func(t *testing.T) {
			primary := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
				prelude(w, proto)
				contentDelta(w, proto, "Hel")
				contentDelta(w, proto, "lo")
				reset(w)
			})
			backup := newUpstream(t, healthy(proto))
			g, path, body := twoAdapterGateway(t, proto, primary, backup)
			resp, b := g.do(t, "POST", path, body, "X-Api-Key", userKey)
			text := string(b)
			if resp.StatusCode != 200 || !strings.Contains(text, "Hel") || len(backup.requests()) != 0 {
				t.Fatalf("%d %s", resp.StatusCode, text)
			}
			want := "data: {\"error\":"
			if proto == "anthropic" {
				want = "event: error\ndata: {\"type\":\"error\""
			}
			if !strings.Contains(text, want) {
				t.Errorf("no protocol error event after the break:\n%s", text)
			}
		})
	}
}

func twoAdapterGateway(t *testing.T, proto string, primary, backup *fakeUpstream) (*gateway, string, string) {
	p, b := primary.URL+"/v1", backup.URL+"/v1"
	path, body := "/v1/chat/completions", `{"model":"m","stream":true,"messages":[]}`
	if proto == "anthropic" {
		p, b = primary.URL, backup.URL
		path, body = "/v1/messages", `{"model":"m","max_tokens":5,"stream":true,"messages":[]}`
	}
	g := newGateway(t, fmt.Sprintf(`providers:
  - {name: primary, provider: %[1]s, base_url: %[2]q}
  - {name: backup, provider: %[1]s, base_url: %[3]q}
models:
  m: {adapters: [{adapter: primary, model_name: p}, {adapter: backup, model_name: b, priority: 2}]}
`, proto, p, b))
	return g, path, body
}

func TestAdapterModeUsesOnlyTheLowestPriority(t *testing.T) {
	bad := newUpstream(t, statusResponder(500))
	good := newUpstream(t, openAIResponder)
	g := newGateway(t, fmt.Sprintf(`providers:
  - {name: bad, base_url: %q}
  - {name: good, base_url: %q}
models:
  m: {mode: adapter, adapters: [{adapter: good, model_name: g, priority: 5}, {adapter: bad, model_name: b, priority: 1}]}
`, bad.URL+"/v1", good.URL+"/v1"))
	resp, b := g.do(t, "POST", "/v1/chat/completions", `{"model":"m","messages":[]}`, "X-Api-Key", userKey)
	if resp.StatusCode != 503 || len(good.requests()) != 0 || len(bad.requests()) != 1 {
		t.Errorf("adapter mode: %d %s (good %d, bad %d)", resp.StatusCode, b, len(good.requests()), len(bad.requests()))
	}
}

func TestQueueFullNamesTheProvider(t *testing.T) {
	release := make(chan struct{})
	slow := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		openAIResponder(w, r, body)
	})
	g := newGateway(t, fmt.Sprintf(`providers:
  - {name: slow, base_url: %q, max_concurrent: 1, max_queue_size: 0}
models:
  m: {adapters: [{adapter: slow, model_name: s}]}
`, slow.URL+"/v1"))
	done := make(chan int)
	go func() {
		resp, _ := g.do(t, "POST", "/v1/chat/completions", `{"model":"m","messages":[]}`, "X-Api-Key", userKey)
		done <- resp.StatusCode
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(slow.requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	resp, b := g.do(t, "POST", "/v1/chat/completions", `{"model":"m","messages":[]}`, "X-Api-Key", userKey)
	if resp.StatusCode != 503 || !strings.Contains(string(b), `provider \"slow\" is busy`) {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	_, qs := g.do(t, "GET", "/api/config/queue-stats", "", "X-Api-Key", adminKey)
	if !strings.Contains(string(qs), `"provider":"slow","active":1`) {
		t.Errorf("queue stats = %s", qs)
	}
	close(release)
	if code := <-done; code != 200 {
		t.Errorf("first request: %d", code)
	}
	_, qs = g.do(t, "GET", "/api/config/queue-stats", "", "X-Api-Key", adminKey)
	if !strings.Contains(string(qs), `"provider":"slow","active":0`) {
		t.Errorf("slot not released: %s", qs)
	}
}

// TestConvertedStreamFaults: the same commit point holds when the gateway
// converts: before content the fallback answers, after it the client gets an
// error event in its own protocol.
func TestConvertedStreamFaults(t *testing.T) {
	for _, tc := range []struct{ client, upstream string }{{"anthropic", "openai"}, {"openai", "anthropic"}} {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s client on %s upstream/after content=%v", tc.client, tc.upstream, after), func(t *testing.T) {
				primary := newUpstream(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
					prelude(w, tc.upstream)
					if after {
						contentDelta(w, tc.upstream, "Partial")
					}
					// the upstream ends without its terminal event
				})
				backup := newUpstream(t, healthy(tc.upstream))
				base := func(u *fakeUpstream) string {
					if tc.upstream == "openai" {
						return u.URL + "/v1"
					}
					return u.URL
				}
				g := newGateway(t, fmt.Sprintf(`providers:
  - {name: primary, provider: %[1]s, base_url: %[2]q}
  - {name: backup, provider: %[1]s, base_url: %[3]q}
models:
  m: {adapters: [{adapter: primary, model_name: p}, {adapter: backup, model_name: b, priority: 2}]}
`, tc.upstream, base(primary), base(backup)))
				path, body := "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`
				if tc.client == "anthropic" {
					path, body = "/v1/messages", `{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}`
				}
				resp, b := g.do(t, "POST", path, body, "X-Api-Key", userKey)
				text := string(b)
				if resp.StatusCode != 200 {
					t.Fatalf("%d %s", resp.StatusCode, text)
				}
				if !after {
					if !strings.Contains(text, "Hello") || strings.Contains(text, "error") {
						t.Errorf("want the backup's answer:\n%s", text)
					}
					return
				}
				want := "data: {\"error\":"
				if tc.client == "anthropic" {
					want = "event: error\ndata: {\"type\":\"error\""
				}
				if !strings.Contains(text, "Partial") || !strings.Contains(text, want) || len(backup.requests()) != 0 {
					t.Errorf("want the partial answer and an error event:\n%s", text)
				}
			})
		}
	}
}
