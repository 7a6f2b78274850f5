// Package convert translates between the three client protocols the gateway
// speaks, the Anthropic Messages API, the OpenAI Chat Completions API and the
// OpenAI Responses API, for requests, whole responses and streams. It is used
// only when the client's protocol and the upstream's differ; same-protocol
// traffic never comes here (DESIGN §6).
//
// Converters are pairwise, not through a hub type (conventions C3), and there
// are four pairs, not six: Anthropic ⇄ Chat (anthropic_*.go, openai_*.go) and
// Responses ⇄ Chat (responses_client_*.go for Responses clients,
// responses_upstream_*.go for Responses upstreams). Responses ⇄ Anthropic is
// composed through Chat: requests and whole answers by calling two converters
// in a row, streams by Chain. docs/decisions.md "Three protocols" has the
// measurements behind that choice; it keeps each lossy spot in one visible
// place. Request converters always start from the client's original body, so
// every fallback attempt converts afresh.
//
// Stream converters are per-stream state machines, fed one upstream SSE event at
// a time by the proxy's goroutine and returning the events to write. They never
// block and own no goroutines.
package convert
