package convert

import "testing"

// TestOneHourCacheWritesAreRead: Anthropic splits cache writes by lifetime in
// usage.cache_creation; the 1-hour part is kept apart (it costs more), in a
// whole answer and in a stream, fast path and encoding/json alike.
func TestOneHourCacheWritesAreRead(t *testing.T) {
	usage := `{"input_tokens":5,"output_tokens":2,"cache_read_input_tokens":100,"cache_creation_input_tokens":30,` +
		`"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20}}`
	for name, raw := range map[string]string{"fast": usage, "slow (spaced)": " " + usage + " "} {
		u, ok := UsageFromAnthropic([]byte(raw))
		if !ok || u.CacheWrite != 30 || u.CacheWrite1h != 20 || u.CacheRead != 100 || u.Input != 5 {
			t.Errorf("%s: %+v %v", name, u, ok)
		}
	}
	if u, _ := UsageFromAnthropic([]byte(`{"input_tokens":1,"cache_creation":null}`)); u.CacheWrite1h != 0 || u.Input != 1 {
		t.Errorf("cache_creation null: %+v", u)
	}
	o := NewObserver("anthropic")
	o.Event("message_start", []byte(`{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"usage":`+usage+`}}`))
	o.Event("message_delta", []byte(`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}`))
	if got := o.Output().Usage; got.CacheWrite1h != 20 || got.CacheWrite != 30 || got.Output != 7 {
		t.Errorf("stream: %+v", got)
	}
}
