package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/usage"
)

type fakeGauges struct{}

func (fakeGauges) Breakers(f func(provider, model string, state int))  { f("p", "m", 1) }
func (fakeGauges) Queues(f func(provider string, active, waiting int)) { f("p", 2, 3) }

func TestExposition(t *testing.T) {
	m := New(fakeGauges{})
	m.Request(&usage.Record{Protocol: "anthropic", Model: "glm-5", Provider: "p", Status: 200, LatencyMs: 1500, TTFTMs: 300,
		InputTokens: 10, OutputTokens: 5, CacheReadTokens: 2, Priced: true, CostNanos: 1_250_000, Currency: "USD"})
	m.Request(&usage.Record{Protocol: "openai", Model: "glm-5", Provider: "p", Status: 503, LatencyMs: 10, Priced: true, Currency: "USD"})
	m.Request(&usage.Record{Protocol: "openai", Model: "free", Provider: "local", Status: 200, LatencyMs: 10})
	m.Attempt("p", "failure")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	out := string(b)
	for _, want := range []string{
		`modelswitch_requests_total{model="glm-5",protocol="anthropic",provider="p",status="200"} 1`,
		`modelswitch_requests_total{model="glm-5",protocol="openai",provider="p",status="503"} 1`,
		`modelswitch_tokens_total{kind="cache_read",model="glm-5",provider="p"} 2`,
		`modelswitch_time_to_first_token_seconds_count{model="glm-5",provider="p"} 1`,
		`modelswitch_request_duration_seconds_count{model="glm-5",provider="p"} 2`,
		`modelswitch_upstream_attempts_total{outcome="failure",provider="p"} 1`,
		`modelswitch_cost_total{currency="USD",model="glm-5",provider="p"} 0.00125`,
		`modelswitch_unpriced_requests_total{model="free",provider="local"} 1`,
		`modelswitch_breaker_state{model="m",provider="p"} 1`,
		`modelswitch_queue_waiting{provider="p"} 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
}
