package convert

import (
	"fmt"
)

// Options configure one request conversion for one upstream attempt.
type Options struct {
	// UpstreamModel replaces the client's model name.
	UpstreamModel string
	// Reasoning says what happens to thinking history sent to an OpenAI-style
	// upstream: "drop" (default) or "reasoning_content" (DeepSeek-style).
	Reasoning string
	// IncludeUsage asks an OpenAI-style upstream for a final usage chunk in streams
	// (false when the provider sets disable_stream_options).
	IncludeUsage bool
	// DefaultMaxTokens is used when an OpenAI client sets no max_tokens and the
	// Anthropic upstream requires one.
	DefaultMaxTokens int
}

// Event is one SSE event to write to the client: Name may be empty (OpenAI).
type Event struct {
	Name string
	Data []byte
}

// Usage is the normalised token count of one exchange (pitfall 30): Input
// excludes cache reads and writes, as Anthropic counts it.
type Usage struct {
	Input      int `json:"input_tokens"`
	Output     int `json:"output_tokens"`
	CacheRead  int `json:"cache_read_tokens"`
	CacheWrite int `json:"cache_write_tokens"`
	// CacheWrite1h is the part of CacheWrite written with Anthropic's 1-hour lifetime.
	CacheWrite1h int  `json:"cache_write_1h_tokens,omitempty"`
	Reasoning    int  `json:"reasoning_tokens"`
	Estimated    bool `json:"estimated,omitempty"`
}

// RequestError is a client request the converter cannot translate; the proxy
// answers it with 400 in the client's protocol.
type RequestError struct {
	Msg string
}

func (e *RequestError) Error() string { return e.Msg }

func badRequest(format string, args ...any) *RequestError {
	return &RequestError{Msg: fmt.Sprintf(format, args...)}
}

// StreamConverter turns one upstream stream into the client's protocol.
//
// The proxy calls Convert for every upstream event (comments excluded) and
// writes what it returns; Started reports whether a content, thinking or tool
// delta has been produced, which is the commit point (DESIGN §7). At the
// upstream's terminal event Convert returns the closing events and Done becomes
// true. If the upstream ends early or fails, Fail returns the events that end
// the client's stream with an error in its protocol.
type StreamConverter interface {
	Convert(name string, data []byte) ([]Event, error)
	Started() bool
	Done() bool
	Fail(message string) []Event
	Usage() Usage
}
