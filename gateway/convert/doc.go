// Package convert translates between the Anthropic Messages API and the OpenAI
// Chat Completions API, in both directions, for requests, whole responses and
// streams. It is used only when the client's protocol and the upstream's differ;
// same-protocol traffic never comes here (DESIGN §6).
//
// Converters are pairwise, not through a hub type (conventions C3): two
// protocols need six converters either way, and pairwise keeps each lossy spot
// in one visible place. Request converters always start from the client's
// original body, so every fallback attempt converts afresh.
//
// Stream converters are per-stream state machines, fed one upstream SSE event at
// a time by the proxy's goroutine and returning the events to write. They never
// block and own no goroutines.
package convert
