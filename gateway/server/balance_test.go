package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// cachingUpstream is an OpenAI-compatible upstream with a prompt cache: a
// request whose prompt_cache_key it has seen before reads 1,000 tokens from
// the cache, as OpenAI reports it.
type cachingUpstream struct {
	*fakeUpstream
	mu   sync.Mutex
	seen map[string]bool
}

func newCachingUpstream(t *testing.T, delay time.Duration) *cachingUpstream {
	c := &cachingUpstream{seen: map[string]bool{}}
	c.fakeUpstream = newUpstream(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		time.Sleep(delay)
		key, _ := body["prompt_cache_key"].(string)
		c.mu.Lock()
		cached := 0
		if key != "" && c.seen[key] {
			cached = 1000
		}
		c.seen[key] = true
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":1200,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":%d}}}`, cached)
	})
	return c
}

// TestCacheAffinityKeepsConversationsOnTheirAdapter: Claude Code-style
// conversations (metadata.user_id per session) on a model balanced over two
// OpenAI-compatible adapters each stay on one adapter, so after its first
// turn every turn reads from the upstream's prompt cache; user_id reaches
// the upstream as a prompt_cache_key OpenAI accepts. Without affinity the
// same traffic alternates between the adapters and pays a cache miss on each.
func TestCacheAffinityKeepsConversationsOnTheirAdapter(t *testing.T) {
	up1, up2 := newCachingUpstream(t, 0), newCachingUpstream(t, 0)
	text := "providers:\n" + providerYAML("o1", "openai", up1.URL, upstreamOA) + providerYAML("o2", "openai", up2.URL, upstreamOA) + `models:
  pinned: {balance: weighted, adapters: [{adapter: o1, model_name: m}, {adapter: o2, model_name: m}]}
  unpinned: {balance: weighted, affinity: false, adapters: [{adapter: o1, model_name: m}, {adapter: o2, model_name: m}]}
api_keys:
  - {key: ` + adminKey + `, name: admin, roles: [admin]}
`
	g := serveGateway(t, text, nil)
	cacheReads := func(model string) (total int) {
		const conversations, turns = 3, 6
		for turn := range turns {
			for c := range conversations {
				body := fmt.Sprintf(`{"model":%q,"max_tokens":10,"metadata":{"user_id":"{\"device_id\":\"d\",\"session_id\":\"%s-%d\"}"},`+
					`"system":"You are Claude Code.","messages":[{"role":"user","content":"turn %d"}]}`, model, model, c, turn)
				resp, b := g.do(t, "POST", "/v1/messages", body, "x-api-key", adminKey)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d %s", model, resp.StatusCode, b)
				}
				var out struct {
					Usage struct {
						CacheRead int `json:"cache_read_input_tokens"`
					} `json:"usage"`
				}
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatal(err)
				}
				total += out.Usage.CacheRead
			}
		}
		return total
	}
	if got, want := cacheReads("pinned"), 3*5*1000; got != want {
		t.Errorf("pinned conversations read %d cached tokens, want %d (every turn after the first)", got, want)
	}
	if n1, n2 := len(up1.requests()), len(up2.requests()); n1 == 0 || n2 == 0 {
		t.Errorf("the conversations were not shared out: %d and %d requests", n1, n2)
	}
	for _, r := range append(up1.requests(), up2.requests()...) {
		key, _ := r.Body["prompt_cache_key"].(string)
		if key == "" || len(key) > 64 || strings.Contains(key, "session") {
			t.Fatalf("prompt_cache_key %q: want a digest of user_id of at most 64 characters", key)
		}
	}
	// Unpinned, each conversation alternates and warms both upstreams' caches:
	// two misses per conversation instead of one.
	if got, want := cacheReads("unpinned"), 3*4*1000; got != want {
		t.Errorf("without affinity the conversations read %d cached tokens, want %d", got, want)
	}
}

// TestLatencyBalancingPrefersTheFastAdapter: under the latency policy most
// requests go to the adapter that answers sooner, once both are measured.
func TestLatencyBalancingPrefersTheFastAdapter(t *testing.T) {
	slow, fast := newCachingUpstream(t, 40*time.Millisecond), newCachingUpstream(t, 0)
	text := "providers:\n" + providerYAML("slow", "openai", slow.URL, upstreamOA) + providerYAML("fast", "openai", fast.URL, upstreamOA) + `models:
  m: {balance: latency, affinity: false, adapters: [{adapter: slow, model_name: m}, {adapter: fast, model_name: m}]}
api_keys:
  - {key: ` + adminKey + `, name: admin, roles: [admin]}
`
	g := serveGateway(t, text, nil)
	for i := range 20 {
		resp, b := g.do(t, "POST", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, "Authorization", "Bearer "+adminKey)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, b)
		}
	}
	if n := len(slow.requests()); n > 3 {
		t.Errorf("the slow adapter served %d of 20 requests, want at most the first measurements", n)
	}
}
