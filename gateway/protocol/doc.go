// Package protocol knows which API family a route belongs to and writes every
// error in that family's shape: OpenAI {"error":{"message","type","code"}},
// Anthropic {"type":"error","error":{"type","message"}}, and the admin API's
// {"error":{"message","fields"}}. Middleware errors (auth, limits, body size,
// panics) go through here too, so a client never sees a foreign error shape
// (seed-behaviour §16 P9).
package protocol
