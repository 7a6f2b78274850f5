package usage

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Metrics are the statistics of a set of requests. The JSON names of the
// seed's fields are kept (total_requests, success_count, fail_count,
// success_rate, tokens_in, tokens_out, avg_latency_ms).
type Metrics struct {
	Requests    int64   `json:"total_requests"`
	Successes   int64   `json:"success_count"` // 2xx
	Failures    int64   `json:"fail_count"`    // everything else, 499 (client left) included
	SuccessRate float64 `json:"success_rate"`  // percent, one decimal; 0 without requests
	Status      Status  `json:"status"`
	Streams     int64   `json:"stream_count"`
	Estimated   int64   `json:"estimated_count"` // requests whose tokens were estimated

	InputTokens        int64 `json:"tokens_in"` // excludes cache reads and writes
	OutputTokens       int64 `json:"tokens_out"`
	CacheReadTokens    int64 `json:"cache_read_tokens"`
	CacheWriteTokens   int64 `json:"cache_write_tokens"`
	ReasoningTokens    int64 `json:"reasoning_tokens"`      // part of tokens_out, not added again
	TotalTokens        int64 `json:"total_tokens"`          // in + out + cache read + cache write
	CacheWrite1hTokens int64 `json:"cache_write_1h_tokens"` // part of cache_write_tokens

	// Cost is the sum over priced requests, in the gateway currency; CostNanos the same
	// exactly. Unpriced counts the requests without a price: when it is not 0 the cost is
	// a lower bound, and with no priced request at all it is null ("no price", never 0).
	Cost      *float64 `json:"cost"`
	CostNanos int64    `json:"cost_nanos"`
	Unpriced  int64    `json:"unpriced_count"`

	AvgLatencyMs float64 `json:"avg_latency_ms"` // whole milliseconds
	P95LatencyMs float64 `json:"p95_latency_ms"` // from the histogram (LatencyBounds)
	AvgTTFTMs    float64 `json:"avg_ttft_ms"`    // over requests with a first token
}

// Status counts requests by HTTP status class.
type Status struct {
	S2xx  int64 `json:"2xx"`
	S3xx  int64 `json:"3xx"`
	S4xx  int64 `json:"4xx"`
	S5xx  int64 `json:"5xx"`
	Other int64 `json:"other"` // no status (e.g. the gateway gave up) or outside 2xx–5xx
}

// Group is one value of the grouping dimension.
type Group struct {
	Name    string `json:"name"`
	KeyName string `json:"key_name,omitempty"` // when grouped by api_key: the key's latest name
	Metrics
}

// Point is one interval of a time series; Start is in the report's zone.
type Point struct {
	Start time.Time `json:"start"`
	Metrics
}

// Report answers a Summary.
type Report struct {
	From     time.Time `json:"from"` // inclusive, whole UTC hour, in the report's zone
	To       time.Time `json:"to"`   // exclusive
	Timezone string    `json:"timezone"`
	GroupBy  Dimension `json:"group_by,omitempty"`  // Groups' dimension, or with Item the fixed one
	Item     string    `json:"item,omitempty"`      // drill-down: the fixed value of GroupBy
	SubGroup Dimension `json:"sub_group,omitempty"` // drill-down: Groups' dimension
	Interval Interval  `json:"interval,omitempty"`
	Currency string    `json:"currency,omitempty"` // of every cost (the admin API sets it)
	Total    int64     `json:"total"`              // = Totals.Requests (the seed's field)
	Totals   Metrics   `json:"totals"`
	Groups   []Group   `json:"groups"`           // by requests, descending; then by name
	Series   []Point   `json:"series,omitempty"` // every interval of the range, empty ones included
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func clampInt(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// metrics turns summed counters into Metrics.
func (c *counters) metrics() Metrics {
	i := func(slot int) int64 { return clampInt(c[slot]) }
	m := Metrics{
		Requests:         i(cRequests),
		Successes:        i(cSuccesses),
		Failures:         i(cFailures),
		Status:           Status{i(cStatus2xx), i(cStatus3xx), i(cStatus4xx), i(cStatus5xx), i(cStatusOther)},
		Streams:          i(cStreams),
		Estimated:        i(cEstimated),
		InputTokens:      i(cInput),
		OutputTokens:     i(cOutput),
		CacheReadTokens:  i(cCacheRead),
		CacheWriteTokens: i(cCacheWrite),
		ReasoningTokens:  i(cReasoning),
	}
	m.TotalTokens = m.InputTokens + m.OutputTokens + m.CacheReadTokens + m.CacheWriteTokens
	m.CacheWrite1hTokens = i(cCacheWrite1h)
	m.CostNanos, m.Unpriced = i(cCost), i(cRequests)-i(cPriced)
	if c[cPriced] > 0 {
		cost := float64(m.CostNanos) / 1e9
		m.Cost = &cost
	}
	if m.Requests > 0 {
		m.SuccessRate = round1(100 * float64(m.Successes) / float64(m.Requests))
		m.AvgLatencyMs = math.Round(float64(c[cLatencySum]) / float64(m.Requests))
		m.P95LatencyMs = c.percentile(0.95)
	}
	if c[cTTFTCount] > 0 {
		m.AvgTTFTMs = math.Round(float64(c[cTTFTSum]) / float64(c[cTTFTCount]))
	}
	return m
}

// sortGroups orders groups by requests, descending, then by name.
func sortGroups(gs []Group) {
	slices.SortFunc(gs, func(a, b Group) int {
		if a.Requests != b.Requests {
			return cmp.Compare(b.Requests, a.Requests)
		}
		return cmp.Compare(a.Name, b.Name)
	})
}
