package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/sse"
)

// relay writes the committed answer to the client.
func (ex *exchange) relay() {
	h := ex.w.Header()
	h.Set("X-Adapter-Name", ex.provider.Name)
	if ex.events == nil {
		ct := ex.resp.Header.Get("Content-Type")
		if ct == "" {
			ct = "application/json"
		}
		h.Set("Content-Type", ct)
		ex.w.WriteHeader(ex.resp.StatusCode)
		_, _ = ex.w.Write(ex.body)
		return
	}
	defer ex.timer.release()
	defer ex.resp.Body.Close()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	ex.w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(ex.w)
	idle := seconds(ex.provider.Timeouts.Idle, defaultIdle)

	terminal := false
	ev := *ex.first
	for {
		if !ev.Comment {
			terminal = terminal || isTerminal(ex.in.family, ev)
			if !(ex.injected && isUsageOnlyChunk(ev)) {
				if sse.WriteRaw(ex.w, ev.Raw) != nil {
					return // the client left; the deferred Close cancels the upstream
				}
			}
		} else if sse.WriteRaw(ex.w, ev.Raw) != nil { // keep-alives reach the client too
			return
		}
		_ = rc.SetWriteDeadline(time.Now().Add(idle))
		if rc.Flush() != nil {
			return
		}
		ex.timer.reset(idle)
		var err error
		ev, err = ex.events.Next()
		if err == io.EOF && terminal {
			return
		}
		if err != nil {
			ex.abort(err)
			return
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
	ex.h.Log.Warn("stream aborted", "request_id", RequestID(ex.r), "provider", ex.provider.Name, "reason", msg)
	e := &protocol.Error{Status: http.StatusBadGateway, Message: msg, Code: "stream_error"}
	if ex.in.family == protocol.Anthropic {
		_ = sse.WriteEvent(ex.w, "error", protocol.ErrorBody(protocol.Anthropic, e))
	} else {
		_ = sse.WriteEvent(ex.w, "", protocol.ErrorBody(protocol.OpenAI, e))
		_ = sse.WriteEvent(ex.w, "", []byte("[DONE]"))
	}
	_ = http.NewResponseController(ex.w).Flush()
}

// isTerminal recognises the event that ends a well-formed stream.
func isTerminal(f protocol.Family, ev sse.Event) bool {
	if f == protocol.Anthropic {
		return ev.Name == "message_stop"
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
	return ok && choices.Kind == jsonbody.KindArray && len(bytes.TrimSpace(choices.Raw(ev.Data)[1:choices.End-choices.Start-1])) == 0
}
