package routing

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

// Conversation is the key that keeps one conversation's requests on one
// adapter (cache affinity, issue 18), or "" when the request names none:
//   - Responses and Chat: prompt_cache_key, which Codex sets to its session;
//   - Anthropic: metadata.user_id, which Claude Code makes per session;
//   - otherwise a hash of the system prompt (Anthropic system, Responses
//     instructions) and the first message or input item, which stay the same
//     for every turn of a conversation and differ between conversations.
//
// The key names the client's field, so two clients' keys never collide.
func Conversation(f protocol.Family, body []byte, obj *jsonbody.Object) string {
	if obj == nil {
		return ""
	}
	if v, ok := obj.Get("prompt_cache_key"); ok && f != protocol.Anthropic {
		if s, err := v.String(body); err == nil && s != "" {
			return "prompt_cache_key:" + s
		}
	}
	if v, ok := obj.Get("metadata"); ok && f == protocol.Anthropic {
		it := jsonbody.Members(v.Raw(body))
		for k, val, ok := it.NextMember(); ok; k, val, ok = it.NextMember() {
			if string(k) == `"user_id"` && len(val) > 2 && val[0] == '"' {
				return "user_id:" + jsonbody.Unquote(val)
			}
		}
	}
	system, first := "system", "messages"
	if f == protocol.Responses {
		system, first = "instructions", "input"
	}
	h := sha256.New()
	if v, ok := obj.Get(system); ok {
		h.Write(v.Raw(body))
	}
	v, ok := obj.Get(first)
	if !ok {
		return ""
	}
	raw := v.Raw(body)
	if v.Kind == jsonbody.KindArray {
		it := jsonbody.Elements(raw)
		if raw, ok = it.NextElement(); !ok {
			return ""
		}
	}
	h.Write([]byte{0})
	h.Write(raw)
	var sum [sha256.Size]byte
	return "prefix:" + hex.EncodeToString(h.Sum(sum[:0])[:12])
}
