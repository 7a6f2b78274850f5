package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/modelswitch/modelswitch/gateway/convert"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/sse"
)

// relay writes the committed answer to the client and reports how the
// exchange ended for the upstream's breaker.
func (ex *exchange) relay() router.Outcome {
	h := ex.w.Header()
	h.Set("X-Adapter-Name", ex.provider.Name)
	if ex.events == nil {
		ct := ex.resp.Header.Get("Content-Type")
		if ct == "" {
			ct = "application/json"
		}
		h.Set("Content-Type", ct)
		ex.trace.status = ex.resp.StatusCode
		// The response id must be readable before the client has it: the
		// next turn may name it the moment the answer arrives.
		ex.h.keepResponse(ex)
		// A known length and a flush put the answer on the wire now, before
		// the handler observes it and writes its records; otherwise
		// net/http holds it until the handler returns.
		h.Set("Content-Length", strconv.Itoa(len(ex.body)))
		ex.w.WriteHeader(ex.resp.StatusCode)
		_, _ = ex.w.Write(ex.body)
		_ = http.NewResponseController(ex.w).Flush()
		if ex.rs != nil && ex.rs.whole != nil {
			ex.trace.output = convert.ObserveResponsesObject(ex.rs.whole.Answer())
		} else {
			ex.trace.output = convert.ObserveResponse(ex.in.family.String(), ex.body)
		}
		return router.Success
	}
	defer ex.timer.release()
	defer ex.resp.Body.Close()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	ex.w.WriteHeader(http.StatusOK)
	ex.trace.firstContent = time.Now() // the commit point is the first content
	obs := convert.NewObserver(ex.in.family.String())
	var err error
	if ex.conv != nil {
		err = ex.relayConverted(obs)
		ex.trace.usage, ex.trace.hasUsage = ex.conv.Usage(), true
	} else {
		err = ex.relayPassThrough(obs)
	}
	ex.trace.output = obs.Output()
	switch {
	case ex.r.Context().Err() != nil, errors.Is(err, errClientGone):
		return router.NoVerdict // the client left (recorded as 499)
	case errors.As(err, new(*streamFailed)):
		ex.trace.status, ex.trace.err = http.StatusBadGateway, err.Error()
		ex.h.Log.Warn("stream failed upstream", "request_id", RequestID(ex.r), "key_id", keyID(ex.r), "provider", ex.provider.Name, "reason", err.Error())
		return router.Failure
	case err != nil:
		ex.abort(err)
		return router.Failure
	}
	return router.Success
}

// flush pushes what was written to the client, extending the write deadline
// and the upstream idle timer; false means the client left. The relays call
// it only before they would wait for the upstream (sse.Reader.Ready): events
// that arrived in one read leave in one write, and none waits for the next.
func (ex *exchange) flush(rc *http.ResponseController) bool {
	idle := seconds(ex.provider.Timeouts.Idle, defaultIdle)
	_ = rc.SetWriteDeadline(time.Now().Add(idle))
	if rc.Flush() != nil {
		return false
	}
	ex.timer.reset(idle)
	return true
}

// errClientGone ends a relay whose client stopped reading.
var errClientGone = errors.New("client went away")

// relayPassThrough copies the upstream's events byte for byte. It returns nil
// when the stream ended properly.
func (ex *exchange) relayPassThrough(obs *convert.Observer) error {
	rc := http.NewResponseController(ex.w)
	terminal := false
	var failed *streamFailed
	// Events are observed (usage, output for the records) after the flush
	// that sends them, so the first token does not wait for the observer,
	// and before Next, which reuses the buffer they point into.
	var written []sse.Event
	write := func(ev sse.Event) bool {
		if ev.Comment {
			return sse.WriteRaw(ex.w, ev.Raw) == nil
		}
		written = append(written, ev)
		if ex.rs != nil {
			failed = ex.rs.follow(ev)
			if !terminal && isTerminal(ex.in.family, ev) {
				terminal = true
				ex.captureFinal(ev)
				// Stored before the client gets the event that ends the
				// stream: it may name the id in its next turn at once.
				ex.h.keepResponse(ex)
			}
		} else {
			terminal = terminal || isTerminal(ex.in.family, ev)
		}
		if ex.injected && isUsageOnlyChunk(ev) {
			return true
		}
		return sse.WriteRaw(ex.w, ev.Raw) == nil
	}
	for _, ev := range ex.prelude {
		if !write(ev) {
			return errClientGone
		}
	}
	for {
		if !ex.events.Ready() && !ex.flush(rc) {
			return errClientGone // the deferred Close cancels the upstream
		}
		for _, ev := range written {
			obs.Event(ev.Name, ev.Data)
		}
		written = written[:0]
		ev, err := ex.events.Next()
		if err == io.EOF && terminal {
			_ = rc.Flush() // the tail, before the handler goes on to record
			return nil
		}
		if err != nil {
			return err
		}
		if !write(ev) {
			return errClientGone
		}
		if failed != nil { // the client has the upstream's own failure event
			_ = rc.Flush()
			for _, ev := range written {
				obs.Event(ev.Name, ev.Data)
			}
			return failed
		}
	}
}

// streamFailed is an upstream's in-band failure after the commit point
// (Responses' response.failed or error event), already relayed to the client:
// the exchange failed for the breaker and the records, and there is nothing
// more to tell the client.
type streamFailed struct{ msg string }

func (e *streamFailed) Error() string { return "upstream stream failed: " + e.msg }

// relayConverted runs the rest of the upstream stream through the converter.
func (ex *exchange) relayConverted(obs *convert.Observer) error {
	rc := http.NewResponseController(ex.w)
	outs := ex.pending
	observe := func() { // after the flush, as in relayPassThrough
		for _, o := range outs {
			obs.Event(o.Name, o.Data)
		}
	}
	for {
		if ex.conv.Done() && ex.rs != nil {
			ex.h.keepResponse(ex) // before the last events go out, as for pass-through
		}
		for _, o := range outs {
			if sse.WriteEvent(ex.w, o.Name, o.Data) != nil {
				return errClientGone
			}
		}
		if ex.conv.Done() {
			if rc.Flush() != nil {
				return errClientGone
			}
			observe()
			return nil
		}
		if !ex.events.Ready() && !ex.flush(rc) {
			return errClientGone
		}
		observe()
		ev, err := ex.events.Next()
		if err != nil {
			return err
		}
		if ev.Comment {
			outs = nil
			continue
		}
		if outs, err = ex.conv.Convert(ev.Name, ev.Data); err != nil {
			return err
		}
	}
}

// abort ends a committed stream that broke: nothing can fall over any more, so
// the client gets an error event in its own protocol.
func (ex *exchange) abort(err error) {
	if ex.r.Context().Err() != nil {
		return // the client left; nobody to tell
	}
	msg := "upstream stream failed: " + err.Error()
	switch {
	case ex.timer.timedOut():
		msg = "upstream stream stalled: no event within " + ex.timer.limit.String()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		msg = "upstream stream ended before its final event"
	}
	ex.h.Log.Warn("stream aborted", "request_id", RequestID(ex.r), "key_id", keyID(ex.r), "provider", ex.provider.Name, "reason", msg)
	ex.trace.status, ex.trace.err = http.StatusBadGateway, msg
	if ex.conv != nil {
		for _, o := range ex.conv.Fail(msg) {
			_ = sse.WriteEvent(ex.w, o.Name, o.Data)
		}
		_ = http.NewResponseController(ex.w).Flush()
		return
	}
	e := &protocol.Error{Status: http.StatusBadGateway, Message: msg, Code: "stream_error"}
	if ex.rs != nil {
		_ = sse.WriteEvent(ex.w, "response.failed", ex.rs.failedEvent(msg))
	} else if ex.in.family == protocol.Anthropic {
		_ = sse.WriteEvent(ex.w, "error", protocol.ErrorBody(protocol.Anthropic, e))
	} else {
		_ = sse.WriteEvent(ex.w, "", protocol.ErrorBody(protocol.OpenAI, e))
		_ = sse.WriteEvent(ex.w, "", []byte("[DONE]"))
	}
	_ = http.NewResponseController(ex.w).Flush()
}

// isTerminal recognises the event that ends a well-formed stream.
func isTerminal(f protocol.Family, ev sse.Event) bool {
	switch f {
	case protocol.Anthropic:
		return ev.Name == "message_stop"
	case protocol.Responses:
		typ := responsesType(ev)
		return typ == "response.completed" || typ == "response.incomplete"
	}
	return ev.IsDone()
}

var usageKey = []byte(`"usage"`)

// isUsageOnlyChunk recognises the OpenAI chunk with "choices": [] that the
// gateway asked for on the client's behalf.
func isUsageOnlyChunk(ev sse.Event) bool {
	if !bytes.Contains(ev.Data, usageKey) {
		return false
	}
	obj, err := jsonbody.Scan(ev.Data)
	if err != nil {
		return false
	}
	choices, ok := obj.Get("choices")
	if !ok || choices.Kind != jsonbody.KindArray {
		return false
	}
	raw := choices.Raw(ev.Data) // "[" … "]"
	return len(bytes.TrimSpace(raw[1:len(raw)-1])) == 0
}
