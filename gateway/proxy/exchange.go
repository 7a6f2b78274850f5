package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/sse"
	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// defaultIdle bounds the silence inside a stream when the provider sets none.
const defaultIdle = 120 * time.Second

// exchange is one client request's trip through the chain. It is owned by the
// handler goroutine; nothing in it is shared.
type exchange struct {
	h     *Handler
	w     http.ResponseWriter
	r     *http.Request
	snap  *Snapshot
	in    *inbound
	model *config.Model

	// Set by the winning attempt; relay consumes them.
	target   router.Target
	provider *config.Provider
	resp     *http.Response
	body     []byte      // non-stream: the whole upstream body
	first    *sse.Event  // stream: the first event, already read
	events   *sse.Reader // stream: the rest
	timer    *deadline
	injected bool // we added stream_options.include_usage; hide the usage chunk
}

// attempt tries one target. It returns nil only when the exchange is committed:
// for a stream, once the first event arrived; otherwise once the whole body did.
func (ex *exchange) attempt(t router.Target) error {
	p := ex.snap.Config.FindProvider(t.Provider)
	switch {
	case p == nil:
		return &router.Skip{Reason: fmt.Sprintf("provider %q does not exist", t.Provider)}
	case !p.IsEnabled():
		return &router.Skip{Reason: fmt.Sprintf("provider %q is disabled", t.Provider)}
	}
	client := ex.snap.Upstreams[p.Name]
	if client.Protocol() != ex.in.family.String() {
		return &router.Skip{Reason: fmt.Sprintf("provider %q speaks %s; conversion from %s is not supported yet",
			p.Name, client.Protocol(), ex.in.family)}
	}
	adapter := ex.model.Targets()[t.Index]
	body, injected, err := ex.upstreamBody(p, adapter)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ex.r.Context())
	timer := newDeadline(cancel, seconds(adapter.Timeout, 60*time.Second))
	resp, err := client.Do(ctx, upstream.Request{Endpoint: endpointFor(ex.in.family), Body: body, Header: forwardHeaders(ex.r, ex.in.family)})
	if err != nil {
		timer.release()
		return timer.explain(err)
	}
	fail := func(err error) error {
		resp.Body.Close()
		timer.release()
		return timer.explain(&upstream.Error{Provider: p.Name, Retryable: true, Err: err})
	}
	ex.target, ex.provider, ex.resp, ex.timer, ex.injected = t, p, resp, timer, injected
	if !ex.in.stream || !isEventStream(resp) {
		// Non-stream (or an upstream that answered a stream request with JSON):
		// read it all before committing, so a cut-off body can still fall over.
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return fail(fmt.Errorf("reading response: %w", err))
		}
		resp.Body.Close()
		timer.release()
		ex.body = b
		return nil
	}
	// Stream: the first event decides. An error event or an early end falls over
	// with nothing sent to the client yet.
	timer.reset(seconds(p.Timeouts.Idle, defaultIdle))
	ex.events = sse.NewReader(resp.Body, 0)
	for {
		ev, err := ex.events.Next()
		if err != nil {
			return fail(fmt.Errorf("stream ended before its first event: %w", err))
		}
		if ev.Comment {
			continue
		}
		if isErrorEvent(ev) {
			return fail(fmt.Errorf("upstream sent an error event: %s", truncate(ev.Data, 300)))
		}
		first := ev.Clone()
		ex.first = &first
		return nil
	}
}

// upstreamBody rewrites the client's body for one adapter: the upstream model
// name, the adapter's params, and (OpenAI streams) a usage request.
func (ex *exchange) upstreamBody(p *config.Provider, a config.Adapter) ([]byte, bool, error) {
	edits := make([]jsonbody.Edit, 0, 2+len(a.Params))
	edits = append(edits, jsonbody.Edit{Key: "model", Value: jsonbody.Quote(a.ModelName)})
	for k, v := range a.Params {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, false, fmt.Errorf("encoding adapter param %q: %w", k, err)
		}
		edits = append(edits, jsonbody.Edit{Key: k, Value: raw})
	}
	injected := false
	if ex.in.family == protocol.OpenAI && ex.in.stream && !p.DisableStreamOptions {
		if _, ok := ex.in.obj.Get("stream_options"); !ok {
			edits = append(edits, jsonbody.Edit{Key: "stream_options", Value: []byte(`{"include_usage":true}`)})
			injected = true
		}
	}
	return jsonbody.Patch(ex.in.body, ex.in.obj, edits...), injected, nil
}

func endpointFor(f protocol.Family) string {
	if f == protocol.Anthropic {
		return upstream.Messages
	}
	return upstream.ChatCompletions
}

// forwardHeaders picks the client headers an upstream of the same protocol
// needs. The client's credentials are never among them.
func forwardHeaders(r *http.Request, f protocol.Family) http.Header {
	h := http.Header{}
	if id := RequestID(r); id != "" {
		h.Set("X-Request-ID", id)
	}
	if f == protocol.Anthropic {
		for _, name := range []string{"Anthropic-Version", "Anthropic-Beta"} {
			if vs := r.Header.Values(name); len(vs) > 0 {
				h[name] = vs
			}
		}
	}
	return h
}

func isEventStream(resp *http.Response) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
}

// isErrorEvent recognises an in-band error: Anthropic "event: error", or an
// OpenAI-style data object whose top-level member is "error".
func isErrorEvent(ev sse.Event) bool {
	if ev.Name == "error" {
		return true
	}
	if len(ev.Data) == 0 || ev.Data[0] != '{' {
		return false
	}
	obj, err := jsonbody.Scan(ev.Data)
	if err != nil {
		return false
	}
	_, hasErr := obj.Get("error")
	_, hasChoices := obj.Get("choices")
	return hasErr && !hasChoices
}

func seconds(s float64, def time.Duration) time.Duration {
	if s <= 0 {
		return def
	}
	return time.Duration(s * float64(time.Second))
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}

// deadline cancels an attempt when it stays silent too long: until the first
// byte for every request, then between stream events. A fired deadline turns
// the cancellation into a readable timeout reason.
type deadline struct {
	t      *time.Timer
	cancel context.CancelFunc
	limit  time.Duration
	fired  chan struct{}
}

func newDeadline(cancel context.CancelFunc, d time.Duration) *deadline {
	dl := &deadline{limit: d, cancel: cancel, fired: make(chan struct{})}
	dl.t = time.AfterFunc(d, func() { close(dl.fired); cancel() })
	return dl
}

func (d *deadline) reset(limit time.Duration) {
	d.limit = limit
	d.t.Reset(limit)
}

// release ends the attempt's context: call it once the exchange is over.
func (d *deadline) release() {
	d.t.Stop()
	d.cancel()
}

func (d *deadline) timedOut() bool {
	select {
	case <-d.fired:
		return true
	default:
		return false
	}
}

// explain replaces a cancellation caused by the deadline with a timeout error
// that the router may fall over on.
func (d *deadline) explain(err error) error {
	if !d.timedOut() {
		return err
	}
	var ue *upstream.Error
	provider := ""
	if errors.As(err, &ue) {
		provider = ue.Provider
	}
	return &upstream.Error{Provider: provider, Retryable: true,
		Err: fmt.Errorf("timeout: no answer within %s", d.limit)}
}
