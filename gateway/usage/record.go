package usage

import "time"

// Record is one request as the usage statistics see it: every inference
// request, success or failure (DESIGN §9). The proxy fills it; the Recorder
// stores it off the request path.
//
// Rows are stored by the Recorder itself (JSON under bbolt keys of its own),
// not with storm's Save: storm v3.2.1 scans the whole ID index on every Save
// of a new struct (UniqueIndex.RemoveID), which made a 500-row commit take
// ~0.5 s at 75 000 rows. Hence no storm tags here.
type Record struct {
	ID            uint64    `json:"id"` // assigned when stored, increasing
	RequestID     string    `json:"request_id"`
	Time          time.Time `json:"time"` // when the request arrived
	KeyID         string    `json:"key_id"`
	KeyName       string    `json:"key_name"`
	Model         string    `json:"model"`          // the virtual model
	Provider      string    `json:"provider"`       // the adapter that answered (or the last one tried)
	UpstreamModel string    `json:"upstream_model"` // its model_name
	Protocol      string    `json:"protocol"`       // the client's: openai | anthropic
	Stream        bool      `json:"stream"`
	Status        int       `json:"status"` // HTTP status the client got; 499 when it left
	Attempts      int       `json:"attempts"`
	Error         string    `json:"error,omitempty"`

	InputTokens      int  `json:"input_tokens"` // excludes cache reads and writes
	OutputTokens     int  `json:"output_tokens"`
	CacheReadTokens  int  `json:"cache_read_tokens"`
	CacheWriteTokens int  `json:"cache_write_tokens"`
	ReasoningTokens  int  `json:"reasoning_tokens"`
	Estimated        bool `json:"estimated,omitempty"` // tokens estimated, not reported by the upstream
	// CacheWrite1hTokens is the part of CacheWriteTokens written with Anthropic's 1-hour lifetime.
	CacheWrite1hTokens int `json:"cache_write_1h_tokens,omitempty"`

	// CostNanos is what the request cost in nanos (1e-9) of Currency, computed when it was
	// recorded (a later price change does not rewrite it). Priced is false when no price
	// applied: the cost is unknown, not 0.
	CostNanos int64  `json:"cost_nanos"`
	Priced    bool   `json:"priced"`
	Currency  string `json:"currency,omitempty"`

	LatencyMs int64 `json:"latency_ms"` // request arrival to last byte
	TTFTMs    int64 `json:"ttft_ms"`    // request arrival to first content (streams); 0 otherwise
}

// Success reports whether the client got a 2xx.
func (r *Record) Success() bool { return r.Status >= 200 && r.Status < 300 }

// PricedCost is what the row counts in cost sums (rollups, key budgets): its
// cost when priced, else nothing.
func (r *Record) PricedCost() int64 {
	if !r.Priced || r.CostNanos < 0 {
		return 0
	}
	return r.CostNanos
}
