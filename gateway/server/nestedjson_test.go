package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// rawUpstream records request bodies byte for byte and answers like a strict
// upstream: 400 for a body that is not JSON, else an Anthropic message.
type rawUpstream struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newRawUpstream(t *testing.T) *rawUpstream {
	u := &rawUpstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.bodies = append(u.bodies, string(b))
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(string(b), ",,") {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"type":"error","error":{"type":"invalid_request_error","message":"upstream: body is not valid JSON"}}`)
			return
		}
		io.WriteString(w, `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *rawUpstream) received() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.bodies...)
}

// DESIGN §16: pass-through checks the top level only; what is nested is the
// upstream's to judge. Lanes that decode the body refuse it as they decode.
func TestNestedInvalidJSON(t *testing.T) {
	an := newRawUpstream(t)
	oa := newUpstream(t, openAIResponder)
	g := newGateway(t, "providers:\n"+
		providerYAML("an", "anthropic", an.URL, upstreamAN)+
		providerYAML("oa", "openai", oa.URL+"/v1", upstreamOA)+`
models:
  pass: {adapters: [{adapter: an, model_name: up}]}
  convert: {adapters: [{adapter: oa, model_name: up}]}
  convert-then-pass:
    mode: chain
    adapters:
      - {adapter: oa, model_name: up, priority: 1}
      - {adapter: an, model_name: up, priority: 2}
`)
	body := func(model string) string {
		return `{"model":"` + model + `","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"metadata":{"tags":[1,,2]}}`
	}

	t.Run("pass-through forwards it and relays the upstream's answer", func(t *testing.T) {
		before := len(an.received())
		resp, b := g.do(t, "POST", "/v1/messages", body("pass"), "X-Api-Key", userKey)
		got := an.received()
		if len(got) != before+1 || !strings.Contains(got[len(got)-1], `"metadata":{"tags":[1,,2]}`) {
			t.Fatalf("upstream got %q", got[before:])
		}
		if resp.StatusCode != 400 || !strings.Contains(string(b), "upstream: body is not valid JSON") {
			t.Errorf("client got %d %s, want the upstream's 400", resp.StatusCode, b)
		}
	})
	t.Run("a converted lane refuses it in the client's protocol", func(t *testing.T) {
		before := len(oa.requests())
		resp, b := g.do(t, "POST", "/v1/messages", body("convert"), "X-Api-Key", userKey)
		shape, _, msg := errorShape(t, b)
		if resp.StatusCode != 400 || shape != "anthropic" || !strings.Contains(msg, "invalid") {
			t.Errorf("%d %s error %q", resp.StatusCode, shape, msg)
		}
		if len(oa.requests()) != before {
			t.Error("the converted lane sent a body it could not check")
		}
	})
	t.Run("a chain moves past the converted lane to a pass-through one", func(t *testing.T) {
		before, beforeOA := len(an.received()), len(oa.requests())
		resp, _ := g.do(t, "POST", "/v1/messages", body("convert-then-pass"), "X-Api-Key", userKey)
		if len(an.received()) != before+1 || len(oa.requests()) != beforeOA || resp.StatusCode != 400 {
			t.Errorf("status %d; pass-through upstream got %d, converted upstream %d", resp.StatusCode,
				len(an.received())-before, len(oa.requests())-beforeOA)
		}
	})
}
