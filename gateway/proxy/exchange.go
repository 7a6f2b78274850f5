package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/convert"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
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
	// adapters is model.Targets(), sorted once per request; Target.Index points here.
	adapters []config.Adapter
	trace    *trace

	// Set by the winning attempt; relay consumes them.
	target   router.Target
	provider *config.Provider
	resp     *http.Response
	timer    *deadline
	body     []byte      // non-stream: the whole answer, already in the client's protocol
	events   *sse.Reader // stream: the upstream events not read yet
	prelude  []sse.Event // pass-through stream: the events read up to the commit point
	conv     convert.StreamConverter
	pending  []convert.Event // converted stream: events produced before the commit
	injected bool            // pass-through: we added stream_options.include_usage; hide its chunk
	rs       *respState      // Responses clients only
}

// attempt tries one target. It returns nil only when the exchange is committed:
// for a stream, once the first content arrived; otherwise once the whole body did.
func (ex *exchange) attempt(t router.Target) error {
	p := ex.snap.Config.FindProvider(t.Provider)
	switch {
	case p == nil:
		return &router.Skip{Reason: fmt.Sprintf("provider %q does not exist", t.Provider)}
	case !p.IsEnabled():
		return &router.Skip{Reason: fmt.Sprintf("provider %q is disabled", t.Provider)}
	}
	// Nothing of a failed attempt carries over to this one.
	ex.body, ex.events, ex.prelude, ex.conv, ex.pending = nil, nil, nil, nil, nil
	if ex.rs != nil {
		ex.rs.stream, ex.rs.final = nil, nil
	}
	client := ex.snap.Upstreams[p.Name]
	adapter := ex.adapters[t.Index]
	out, err := ex.buildRequest(p, client.Protocol(), adapter)
	if err != nil {
		return err
	}
	// The conversation log keeps the upstream request only when it differs
	// from the client's by more than the model name (the record names the
	// upstream model): a Claude Code turn is ~76 KB, and two copies per
	// record cost the writer's memory and CPU (docs/benchmarks.md).
	if out.lane != passThrough {
		ex.trace.upstreamBody = out.body
	} else {
		ex.trace.upstreamBody = nil
	}
	ctx, cancel := context.WithCancel(ex.r.Context())
	total := seconds(adapter.Timeout, 60*time.Second)
	timer := newDeadline(cancel, min(seconds(p.Timeouts.FirstByte, total), total), total)
	resp, err := client.Do(ctx, upstream.Request{Endpoint: endpointFor(client.Protocol()), Body: out.body, Parts: out.parts,
		Header: forwardHeaders(ex.r, ex.in.family, client.Protocol()), Holder: ex.in.holder()})
	if err != nil {
		timer.release()
		return timer.explain(err)
	}
	fail := func(err error) error {
		resp.Body.Close()
		timer.release()
		return timer.explain(&upstream.Error{Provider: p.Name, Retryable: true, Err: err})
	}
	ex.target, ex.provider, ex.resp, ex.timer, ex.injected = t, p, resp, timer, out.injected

	if !ex.in.stream || (out.lane == passThrough && !isEventStream(resp)) {
		// Read the whole answer before committing, so a cut-off or malformed
		// body can still fall over; the adapter's timeout bounds the whole read.
		timer.resetWithin(total)
		limit := answerCap(ex.snap.Config.Gateway)
		b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil {
			return fail(fmt.Errorf("reading response: %w", err))
		}
		if int64(len(b)) > limit {
			return fail(fmt.Errorf("upstream answer is larger than %d MiB", limit>>20))
		}
		if out.lane == passThrough {
			if err := jsonbody.Check(b); err != nil {
				return fail(fmt.Errorf("response is not a JSON object: %w", err))
			}
			if ex.rs != nil && responseFailed(b) {
				return fail(fmt.Errorf("upstream response failed: %s", truncate(b, 300)))
			}
		} else {
			if b, err = ex.convertResponse(out, b); err != nil {
				return fail(fmt.Errorf("unusable response: %w", err))
			}
		}
		resp.Body.Close()
		timer.release()
		ex.body = b
		return nil
	}
	if !isEventStream(resp) {
		return fail(fmt.Errorf("answered a stream request with %q instead of an event stream", resp.Header.Get("Content-Type")))
	}
	// Until the first content the idle limit and what is left of the adapter's
	// timeout both apply; after it, only the idle limit (long answers may take
	// minutes).
	idle := seconds(p.Timeouts.Idle, defaultIdle)
	timer.resetWithin(idle)
	ex.events = sse.NewReader(resp.Body, 0)
	if out.lane != passThrough {
		ex.conv = ex.newStreamConverter(out)
		return ex.fillConverted(fail, idle)
	}
	return ex.fillPrelude(fail, idle)
}

// fillPrelude reads a pass-through stream up to its first content (the commit
// point, DESIGN §7) and keeps what it read. An error event or an early end
// before it falls over with nothing sent to the client.
func (ex *exchange) fillPrelude(fail func(error) error, idle time.Duration) error {
	for {
		ev, err := ex.events.Next()
		if err != nil {
			return fail(fmt.Errorf("stream ended before any content: %w", err))
		}
		if !ev.Comment && isErrorEvent(ev) {
			return fail(fmt.Errorf("upstream sent an error event: %s", truncate(ev.Data, 300)))
		}
		ex.prelude = append(ex.prelude, ev.Clone())
		if ev.Comment {
			continue
		}
		content, err := isContent(ex.in.family, ev)
		if err != nil {
			return fail(err)
		}
		if content {
			return nil
		}
		ex.timer.resetWithin(idle)
	}
}

// fillConverted feeds upstream events to the converter until it produced
// content (the commit point); what it produced until then waits in pending.
func (ex *exchange) fillConverted(fail func(error) error, idle time.Duration) error {
	for !ex.conv.Started() && !ex.conv.Done() {
		ex.timer.resetWithin(idle)
		ev, err := ex.events.Next()
		if err != nil {
			return fail(fmt.Errorf("stream ended before any content: %w", err))
		}
		if ev.Comment {
			continue
		}
		outs, err := ex.conv.Convert(ev.Name, ev.Data)
		if err != nil {
			return fail(err)
		}
		ex.pending = append(ex.pending, outs...)
	}
	return nil
}

func isEventStream(resp *http.Response) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
}

// isErrorEvent recognises an in-band error: Anthropic "event: error", or an
// OpenAI-style data object whose top-level member is "error".
func isErrorEvent(ev sse.Event) bool {
	if ev.Name == "error" || ev.Name == "response.failed" {
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
	if hasErr && !hasChoices {
		return true
	}
	// A Responses stream without event names says what it is in "type".
	t, ok := obj.Get("type")
	if !ok || t.Kind != jsonbody.KindString {
		return false
	}
	typ := t.Raw(ev.Data)
	return string(typ) == `"error"` || string(typ) == `"response.failed"`
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

// rejected marks a request that this adapter's protocol cannot express (a
// conversion error). The chain moves on, since another adapter may take the
// request as it is; if none does, the client gets a 400 with the reason.
type rejected struct{ err *convert.RequestError }

func (r *rejected) Error() string     { return r.err.Error() }
func (r *rejected) IsRetryable() bool { return true }

// onlyRejections returns the first conversion error when no attempt failed for
// another reason, i.e. when the request itself is the problem.
func onlyRejections(attempts []router.Attempt) *convert.RequestError {
	var first *convert.RequestError
	for _, a := range attempts {
		var r *rejected
		switch {
		case errors.As(a.Err, &r):
			if first == nil {
				first = r.err
			}
		case a.Skipped:
		default:
			return nil
		}
	}
	return first
}
