package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/routing"
	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// Handler serves the inference endpoints. Its fields are set once by the
// server; the handler itself keeps no per-request state.
type Handler struct {
	// Snapshot returns the configuration in force; called once per request.
	Snapshot func() *Snapshot
	// Limiter counts requests per key; long-lived across reloads.
	Limiter *auth.Limiter
	// Budgets counts each key's spend against its budgets; long-lived. nil
	// enforces none.
	Budgets *auth.Budgets
	Log     *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sinks for what happened, called once per request after the answer was
	// sent; each may be nil and none may block.
	Usage         UsageSink
	Conversations ConversationSink
	Metrics       MetricsSink
	// Store keeps served Responses for previous_response_id; nil keeps none.
	Store ResponseStore
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// ChatCompletions serves POST /v1/chat/completions (OpenAI clients).
func (h *Handler) ChatCompletions(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, protocol.OpenAI)
}

// Messages serves POST /v1/messages (Anthropic clients).
func (h *Handler) Messages(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, protocol.Anthropic)
}

// serve is the common pipeline of both completion endpoints.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, f protocol.Family) {
	tr := &trace{start: time.Now(), family: f, key: auth.KeyFrom(r.Context()), requestID: RequestID(r)}
	defer tr.releaseBody() // after the record (defers run last first), which holds the body for the conversation log
	defer h.record(tr)
	snap := h.Snapshot()
	in, perr := parseInbound(r, f, f != protocol.Responses)
	if perr != nil {
		tr.refuse(perr)
		protocol.WriteError(w, f, perr)
		return
	}
	tr.in, tr.modelName = in, in.model
	model, perr := h.admit(r, snap, in.model, tr)
	if perr != nil {
		tr.refuse(perr)
		protocol.WriteError(w, f, perr)
		return
	}
	ex := &exchange{h: h, w: w, r: r, snap: snap, in: in, model: model, trace: tr}
	if f == protocol.Responses {
		if perr := h.prepareResponses(ex); perr != nil {
			tr.modelName = model.Name
			tr.refuse(perr)
			protocol.WriteError(w, f, perr)
			return
		}
	}
	model, ex.adapters = route(snap, model, in, r, tr) // after prepareResponses: the input is whole
	ex.model, tr.modelName = model, model.Name
	targets := snap.targetsFor(ex.adapters, routing.EstimatedTokens(in.body))
	conversation := snap.balance(model, targets, in, h.now())
	res, err := router.Try(r.Context(), h.now, targets, ex.attempt)
	tr.attempts = res.Attempts
	if err != nil {
		tr.status, tr.err = h.fail(w, r, in, model, res.Attempts, err)
		return
	}
	snap.Balancer.Pin(model.Name, conversation, res.Winner, h.now())
	tr.provider, tr.upstreamModel = res.Winner.Provider, res.Winner.Model
	outcome := ex.relay()
	res.Finish(h.now(), outcome)
	if ex.events != nil {
		// A stream that ended well was kept before its last event; one
		// whose end was not recognised is kept now, as before.
		h.keepResponse(ex)
	}
	if r.Context().Err() != nil {
		tr.status = 499
		h.Log.Info("client disconnected during the answer", "request_id", tr.requestID, "key_id", keyID(r), "model", model.Name,
			"provider", res.Winner.Provider, "status", 499)
	}
}

// admit resolves the model and applies the key's allowlist and limits, in that
// order, so that a malformed or refused request never consumes quota. The
// alias that resolved the name, if any, goes into tr.
func (h *Handler) admit(r *http.Request, snap *Snapshot, name string, tr *trace) (*config.Model, *protocol.Error) {
	model, alias := snap.Config.ResolveModel(name)
	if alias != "" {
		tr.addRoute("alias " + alias)
	}
	if model == nil {
		return nil, &protocol.Error{Status: http.StatusNotFound, Code: "model_not_found",
			Message: fmt.Sprintf("model %q does not exist; GET /v1/models lists the available ones", name)}
	}
	key := auth.KeyFrom(r.Context())
	if key == nil { // the server's guard always sets one; refuse rather than serve anonymously
		return nil, protocol.Errorf(http.StatusUnauthorized, "missing API key")
	}
	if !key.AllowsModel(model.Name) {
		return nil, &protocol.Error{Status: http.StatusForbidden, Code: "model_not_allowed",
			Message: fmt.Sprintf("model %q is not allowed for this API key", model.Name)}
	}
	// The budget first: a refused request must not use up a daily request.
	if h.Budgets != nil {
		if e := h.Budgets.Allow(key, h.now(), snap.Prices.Currency()); e != nil {
			return nil, FromAuth(e)
		}
	}
	if e := h.Limiter.Allow(key, h.now()); e != nil {
		return nil, FromAuth(e)
	}
	return model, nil
}

// FromAuth turns an auth refusal into a client-facing error.
func FromAuth(e *auth.Error) *protocol.Error {
	code := map[int]string{401: "invalid_api_key", 403: "permission_denied", 429: "rate_limit_exceeded"}[e.Status]
	return &protocol.Error{Status: e.Status, Message: e.Message, Code: code, RetryAfter: e.RetryAfter}
}

// fail answers a request that no adapter served and returns the status and
// reason for the records.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, in *inbound, m *config.Model, attempts []router.Attempt, err error) (int, string) {
	if r.Context().Err() != nil {
		h.Log.Info("client disconnected before an answer", "request_id", RequestID(r), "key_id", keyID(r), "model", m.Name, "status", 499)
		return 499, "client disconnected"
	}
	var ue *upstream.Error
	var ex *router.ExhaustedError
	if msg := tooLarge(attempts); msg != "" {
		protocol.WriteError(w, in.family, &protocol.Error{Status: http.StatusBadRequest, Code: "context_length_exceeded", Message: msg})
		return http.StatusBadRequest, msg
	}
	if re := onlyRejections(attempts); re != nil {
		// No adapter could take the request as written: the client's to fix.
		protocol.WriteError(w, in.family, &protocol.Error{Status: http.StatusBadRequest, Code: "invalid_request", Message: re.Error()})
		return http.StatusBadRequest, re.Error()
	}
	switch {
	case errors.As(err, &ue) && !ue.Retryable && ue.Status != 0:
		// The client's own mistake as the upstream judged it: return it as it is.
		h.Log.Info("upstream refused the request", "request_id", RequestID(r), "key_id", keyID(r), "model", m.Name, "provider", ue.Provider, "status", ue.Status)
		writeUpstreamError(w, ue)
		return ue.Status, ue.Error()
	case errors.As(err, &ex):
		retry := retryAfter(ex.Attempts, h.now())
		msg := fmt.Sprintf("model %q: %v", m.Name, ex)
		if len(ex.Attempts) == 0 {
			msg = fmt.Sprintf("model %q has no adapters configured", m.Name)
		}
		h.Log.Warn("all adapters failed", "request_id", RequestID(r), "key_id", keyID(r), "model", m.Name, "reason", msg)
		protocol.WriteError(w, in.family, &protocol.Error{Status: http.StatusServiceUnavailable,
			Code: "upstream_unavailable", Message: msg, RetryAfter: retry})
		return http.StatusServiceUnavailable, msg
	default:
		h.Log.Error("request failed", "request_id", RequestID(r), "key_id", keyID(r), "model", m.Name, "err", err)
		protocol.WriteError(w, in.family, protocol.Errorf(http.StatusBadGateway, err.Error()))
		return http.StatusBadGateway, err.Error()
	}
}

// writeUpstreamError relays an upstream 4xx: same status, same body.
func writeUpstreamError(w http.ResponseWriter, ue *upstream.Error) {
	ct := "application/json"
	if ue.Header != nil && ue.Header.Get("Content-Type") != "" {
		ct = ue.Header.Get("Content-Type")
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Adapter-Name", ue.Provider)
	w.WriteHeader(ue.Status)
	_, _ = w.Write(ue.Body)
}

// RequestID returns the id the server's middleware assigned to r.
func RequestID(r *http.Request) string {
	return protocol.HeaderValue(r.Header, protocol.RequestIDHeader)
}

// retryAfter suggests when to try again after every adapter failed: the
// largest Retry-After an upstream asked for, or the soonest an open breaker
// lets a probe through; at least one second.
func retryAfter(attempts []router.Attempt, now time.Time) int {
	retry, soonest := 1, 0
	for _, a := range attempts {
		var ue *upstream.Error
		var oe *router.OpenError
		switch {
		case errors.As(a.Err, &ue) && ue.RetryAfter > retry:
			retry = ue.RetryAfter
		case errors.As(a.Err, &oe):
			if s := int(oe.Until.Sub(now).Seconds()) + 1; soonest == 0 || s < soonest {
				soonest = s
			}
		}
	}
	if soonest > retry {
		return soonest
	}
	return retry
}

// keyID names the caller in log lines (never the secret), so a key's owner
// can find its own entries in /api/logs.
func keyID(r *http.Request) string {
	if k := auth.KeyFrom(r.Context()); k != nil {
		return k.ID
	}
	return ""
}
