package routing

import (
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/protocol"
)

func conversation(t *testing.T, f protocol.Family, body string) string {
	t.Helper()
	r := req(t, f, "m", body, "")
	return Conversation(f, r.Body, r.Obj)
}

// TestConversationKeys: the key a conversation is pinned by comes from the
// client's session field when there is one, else from the conversation's
// unchanging start; later turns keep the key, other conversations differ.
func TestConversationKeys(t *testing.T) {
	an, oa, rs := protocol.Anthropic, protocol.OpenAI, protocol.Responses
	if got := conversation(t, an, `{"metadata":{"user_id":"sess-1"},"messages":[{"role":"user","content":"a"}]}`); got != "user_id:sess-1" {
		t.Errorf("Anthropic user_id: %q", got)
	}
	if got := conversation(t, rs, `{"prompt_cache_key":"codex-1","input":"a"}`); got != "prompt_cache_key:codex-1" {
		t.Errorf("Responses prompt_cache_key: %q", got)
	}
	if got := conversation(t, oa, `{"prompt_cache_key":"k","messages":[]}`); got != "prompt_cache_key:k" {
		t.Errorf("Chat prompt_cache_key: %q", got)
	}
	turn1 := conversation(t, an, `{"system":"S","messages":[{"role":"user","content":"first"}]}`)
	turn2 := conversation(t, an, `{"system":"S","messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":"more"}]}`)
	other := conversation(t, an, `{"system":"S","messages":[{"role":"user","content":"another"}]}`)
	otherSystem := conversation(t, an, `{"system":"T","messages":[{"role":"user","content":"first"}]}`)
	if !strings.HasPrefix(turn1, "prefix:") || turn1 != turn2 {
		t.Errorf("two turns of one conversation: %q and %q", turn1, turn2)
	}
	if other == turn1 || otherSystem == turn1 {
		t.Error("different conversations share a key")
	}
	rs1 := conversation(t, rs, `{"instructions":"I","input":[{"role":"user","content":"a"}]}`)
	if rs1 == "" || rs1 == conversation(t, rs, `{"instructions":"J","input":[{"role":"user","content":"a"}]}`) {
		t.Errorf("Responses instructions are not part of the key: %q", rs1)
	}
	for _, body := range []string{`{"metadata":{"user_id":5}}`, `{"messages":[]}`, `{"model":"m"}`} {
		if got := conversation(t, an, body); got != "" {
			t.Errorf("%s: key %q, want none", body, got)
		}
	}
	if got := conversation(t, an, `{"prompt_cache_key":"k","messages":[{"role":"user","content":"a"}]}`); strings.HasPrefix(got, "prompt_cache_key") {
		t.Errorf("an Anthropic request used a Chat field: %q", got)
	}
}
