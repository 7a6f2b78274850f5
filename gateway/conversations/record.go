package conversations

import (
	"encoding/json"
	"time"
)

// Record is one line of conversations.jsonl: what the client asked, what was
// sent upstream, and what came back (DESIGN §10). Request and UpstreamRequest
// are the raw JSON bodies (possibly truncated or omitted per gateway.log_bodies).
type Record struct {
	ID      string    `json:"id"` // the request id
	Time    time.Time `json:"time"`
	KeyID   string    `json:"key_id"`
	KeyName string    `json:"key_name"`
	Model   string    `json:"model"`
	// RequestedModel is the client's model name when Route (the rule that
	// chose Model: "alias claude-*haiku*") resolved it to another.
	RequestedModel  string          `json:"requested_model,omitempty"`
	Route           string          `json:"route,omitempty"`
	Provider        string          `json:"provider"`
	UpstreamModel   string          `json:"upstream_model"`
	Protocol        string          `json:"protocol"` // the client's
	Stream          bool            `json:"stream"`
	Status          int             `json:"status"`
	Error           string          `json:"error,omitempty"`
	Attempts        []Attempt       `json:"attempts"`
	Usage           Usage           `json:"usage"`
	LatencyMs       int64           `json:"latency_ms"`
	TTFTMs          int64           `json:"ttft_ms"`
	Request         json.RawMessage `json:"request,omitempty"`
	UpstreamRequest json.RawMessage `json:"upstream_request,omitempty"`
	Output          Output          `json:"output"`
	// Truncated is set when bodies were shortened per gateway.log_bodies.
	Truncated bool `json:"truncated,omitempty"`
	// Release, when set, is called once the Writer no longer needs the
	// bodies: after encoding the record, or when it drops it. The gateway
	// hands its pooled request buffers back this way.
	Release func() `json:"-"`
}

// Attempt is one adapter tried for the request.
type Attempt struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
	Error    string `json:"error,omitempty"` // empty for the one that answered
	Skipped  bool   `json:"skipped,omitempty"`
}

// Usage is the normalised token count.
type Usage struct {
	Input      int  `json:"input_tokens"`
	Output     int  `json:"output_tokens"`
	CacheRead  int  `json:"cache_read_tokens"`
	CacheWrite int  `json:"cache_write_tokens"`
	Reasoning  int  `json:"reasoning_tokens"`
	Estimated  bool `json:"estimated,omitempty"`
}

// Output is what the model answered.
type Output struct {
	Text       string     `json:"text,omitempty"`
	Thinking   string     `json:"thinking,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	StopReason string     `json:"stop_reason,omitempty"`
}

// ToolCall is one tool the model called.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON text
}

// release calls Release once, if set.
func (r *Record) release() {
	if f := r.Release; f != nil {
		r.Release = nil
		f()
	}
}
