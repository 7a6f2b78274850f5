// Package proxy is the inference pipeline: it reads a client's request, resolves
// the virtual model, checks the key's allowlist and limits, walks the model's
// chain and relays the winning upstream's answer.
//
// Same protocol in and out is byte pass-through (DESIGN §6): the body is scanned
// once at the top level (package jsonbody), only "model" (and adapter params,
// and OpenAI stream_options for usage) are rewritten, and stream events are
// written to the client as the upstream's exact bytes with a flush each. The
// exchange runs on the handler's goroutine: cancelling is returning and closing
// the upstream body, with no helper goroutines to drain.
//
// The three client protocols (Chat Completions, Anthropic Messages, the
// Responses API) meet three upstream protocols; the lane for a pair is chosen
// per attempt (lanes.go): pass-through for the same protocol, otherwise the
// converters of package convert, two in a row for Responses ⇄ Anthropic.
// Responses clients also get state (responses.go): previous_response_id is
// expanded from the gateway's store, and what the gateway served is kept
// unless the client said store: false.
//
// Every fallback attempt starts from the client's original body.
package proxy
