package metrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/modelswitch/modelswitch/gateway/usage"
)

// Gauges is what the scrape reads from the live gateway.
type Gauges interface {
	// Breakers calls f for every breaker with its state (0 closed, 1 open, 2 half-open).
	Breakers(f func(provider, model string, state int))
	// Queues calls f for every provider's queue.
	Queues(f func(provider string, active, waiting int))
}

// Metrics holds the collectors.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	ttft     *prometheus.HistogramVec
	tokens   *prometheus.CounterVec
	attempts *prometheus.CounterVec
	cost     *prometheus.CounterVec
	unpriced *prometheus.CounterVec
}

// New builds the metrics; gauges may be nil.
func New(g Gauges) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	buckets := []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "modelswitch_requests_total",
		Help: "Inference requests by client protocol, virtual model, provider and HTTP status."},
		[]string{"protocol", "model", "provider", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "modelswitch_request_duration_seconds",
		Help: "Time from request arrival to the last byte.", Buckets: buckets}, []string{"model", "provider"})
	m.ttft = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "modelswitch_time_to_first_token_seconds",
		Help: "Time from request arrival to the first content of a stream.", Buckets: buckets}, []string{"model", "provider"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "modelswitch_tokens_total",
		Help: "Tokens by kind (input, output, cache_read, cache_write, reasoning)."}, []string{"model", "provider", "kind"})
	m.attempts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "modelswitch_upstream_attempts_total",
		Help: "Upstream attempts by provider and outcome (success, failure, skipped)."}, []string{"provider", "outcome"})
	m.cost = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "modelswitch_cost_total",
		Help: "What the requests cost, in the gateway currency, over requests with a price."}, []string{"model", "provider", "currency"})
	m.unpriced = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "modelswitch_unpriced_requests_total",
		Help: "Requests answered by a model without a price (their cost is unknown, not 0)."}, []string{"model", "provider"})
	m.reg.MustRegister(m.requests, m.latency, m.ttft, m.tokens, m.attempts, m.cost, m.unpriced,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if g != nil {
		m.reg.MustRegister(&gaugeCollector{g: g})
	}
	return m
}

// Request records one finished request.
func (m *Metrics) Request(r *usage.Record) {
	m.requests.WithLabelValues(r.Protocol, r.Model, r.Provider, strconv.Itoa(r.Status)).Inc()
	m.latency.WithLabelValues(r.Model, r.Provider).Observe(float64(r.LatencyMs) / 1000)
	if r.TTFTMs > 0 {
		m.ttft.WithLabelValues(r.Model, r.Provider).Observe(float64(r.TTFTMs) / 1000)
	}
	for kind, n := range map[string]int{"input": r.InputTokens, "output": r.OutputTokens, "cache_read": r.CacheReadTokens,
		"cache_write": r.CacheWriteTokens, "reasoning": r.ReasoningTokens} {
		if n > 0 {
			m.tokens.WithLabelValues(r.Model, r.Provider, kind).Add(float64(n))
		}
	}
	switch {
	case r.Priced && r.CostNanos > 0:
		m.cost.WithLabelValues(r.Model, r.Provider, r.Currency).Add(float64(r.CostNanos) / 1e9)
	case !r.Priced && r.Provider != "":
		m.unpriced.WithLabelValues(r.Model, r.Provider).Inc()
	}
}

// Attempt records one upstream attempt's outcome.
func (m *Metrics) Attempt(provider, outcome string) {
	m.attempts.WithLabelValues(provider, outcome).Inc()
}

// Handler serves the exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// gaugeCollector reads breaker and queue state at scrape time.
type gaugeCollector struct{ g Gauges }

var (
	breakerDesc = prometheus.NewDesc("modelswitch_breaker_state",
		"Circuit breaker state per provider and upstream model: 0 closed, 1 open, 2 half-open.", []string{"provider", "model"}, nil)
	activeDesc = prometheus.NewDesc("modelswitch_queue_active",
		"Requests holding one of the provider's concurrency slots.", []string{"provider"}, nil)
	waitingDesc = prometheus.NewDesc("modelswitch_queue_waiting",
		"Requests waiting for one of the provider's slots.", []string{"provider"}, nil)
)

func (c *gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- breakerDesc
	ch <- activeDesc
	ch <- waitingDesc
}

func (c *gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	c.g.Breakers(func(provider, model string, state int) {
		ch <- prometheus.MustNewConstMetric(breakerDesc, prometheus.GaugeValue, float64(state), provider, model)
	})
	c.g.Queues(func(provider string, active, waiting int) {
		ch <- prometheus.MustNewConstMetric(activeDesc, prometheus.GaugeValue, float64(active), provider)
		ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(waiting), provider)
	})
}
