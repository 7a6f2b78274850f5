package proxy

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/convert"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/responses"
	"github.com/modelswitch/modelswitch/gateway/sse"
)

// ResponseStore keeps the responses the gateway served (package responses),
// for previous_response_id and GET/DELETE /v1/responses/{id}.
type ResponseStore interface {
	Put(responses.Record) error
	Get(id, keyID string) (responses.Record, error)
	Delete(id, keyID string) error
}

// respState is what a Responses request needs beyond the common pipeline.
type respState struct {
	id      string // the response id the client sees on converted lanes
	store   bool   // the client's "store" (default true)
	input   []byte // this turn's whole input (history first) as a JSON array, for the store
	missing string // a previous_response_id the store does not have

	parsed   bool
	req      *convert.RespRequest // decoded once, for converted lanes
	parseErr error

	whole      *convert.RespResponse    // converted whole answer: what the client got, for the records
	stream     *convert.ResponsesStream // converted stream: holds the final response
	final      []byte                   // pass-through stream: the terminal event's response object
	upstreamID string                   // pass-through stream: the upstream's response id
	seq        int                      // pass-through stream: the last sequence_number seen
	kept       bool                     // the response was stored (keep)
}

// Responses serves POST /v1/responses (OpenAI Responses clients: Codex).
func (h *Handler) Responses(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, protocol.Responses)
}

// newResponseID is "resp_" and 24 random hex digits, like OpenAI's ids.
func newResponseID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "resp_" + hex.EncodeToString(b[:])
}

// prepareResponses reads store and previous_response_id. A previous
// response the store has is expanded into the input (its input items, then
// its output items), so that every upstream, stateless ones included, gets
// the whole conversation; one the store lacks is left for a Responses
// upstream, which may know it, and refused by converted lanes.
func (h *Handler) prepareResponses(ex *exchange) *protocol.Error {
	in := ex.in
	rs := &respState{id: newResponseID(), store: true}
	ex.rs = rs
	if v, ok := in.obj.Get("store"); ok && v.Kind != jsonbody.KindNull {
		b, err := v.Bool(in.body)
		if err != nil {
			return protocol.Errorf(http.StatusBadRequest, `"store" `+err.Error())
		}
		rs.store = b
	}
	input, err := inputItems(in)
	if err != nil {
		return protocol.Errorf(http.StatusBadRequest, err.Error())
	}
	rs.input = input
	v, ok := in.obj.Get("previous_response_id")
	if !ok || v.Kind == jsonbody.KindNull {
		return nil
	}
	prev, err := v.String(in.body)
	if err != nil {
		return protocol.Errorf(http.StatusBadRequest, `"previous_response_id" `+err.Error())
	}
	if h.Store == nil {
		rs.missing = prev
		return nil
	}
	rec, err := h.Store.Get(prev, keyID(ex.r))
	if err != nil {
		rs.missing = prev
		return nil
	}
	hist, err := rec.History()
	if err != nil {
		return protocol.Errorf(http.StatusInternalServerError, "stored response "+prev+" is unreadable: "+err.Error())
	}
	if rs.input, err = joinArrays(hist, input); err != nil {
		return protocol.Errorf(http.StatusBadRequest, err.Error())
	}
	body := jsonbody.Patch(in.body, in.obj, jsonbody.Edit{Key: "input", Value: rs.input}, jsonbody.Edit{Key: "previous_response_id"})
	obj, err := jsonbody.ScanTop(body)
	if err != nil {
		return protocol.Errorf(http.StatusInternalServerError, "expanding previous_response_id: "+err.Error())
	}
	in.body, in.obj = body, obj
	return nil
}

// inputItems is the request's input as a JSON array: a string input is one
// user message, a missing one no items.
func inputItems(in *inbound) ([]byte, error) {
	v, ok := in.obj.Get("input")
	switch {
	case !ok || v.Kind == jsonbody.KindNull:
		return []byte("[]"), nil
	case v.Kind == jsonbody.KindString:
		raw := v.Raw(in.body)
		return append(append([]byte(`[{"type":"message","role":"user","content":`), raw...), "}]"...), nil
	case v.Kind == jsonbody.KindArray:
		return v.Raw(in.body), nil
	}
	return nil, fmt.Errorf(`"input" is %s, not a string or an array of items`, v.Kind)
}

// joinArrays concatenates two JSON arrays.
func joinArrays(a, b []byte) ([]byte, error) {
	var x, y []json.RawMessage
	if err := json.Unmarshal(a, &x); err != nil {
		return nil, fmt.Errorf("stored input: %w", err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return nil, fmt.Errorf(`"input": %w`, err)
	}
	return json.Marshal(append(x, y...))
}

// responsesOnly refuses, for a converted lane, what only a Responses
// upstream could serve, and decodes the request once for the converters.
func (ex *exchange) responsesOnly() error {
	rs := ex.rs
	if rs.missing != "" {
		return &convert.RequestError{Msg: fmt.Sprintf("previous_response_id %q was not found: the gateway keeps the responses it "+
			"served with store not false, for the key that made them", rs.missing)}
	}
	if !rs.parsed {
		rs.parsed = true
		rs.req, rs.parseErr = convert.ParseResponsesRequest(ex.in.body)
	}
	return rs.parseErr
}

// respMeta is what the Responses converters echo into response objects.
func (ex *exchange) respMeta() convert.RespMeta {
	_ = ex.responsesOnly() // decoded already by the request conversion
	return convert.RespMeta{ID: ex.rs.id, Model: ex.in.model, CreatedAt: ex.trace.start.Unix(), Request: ex.rs.req}
}

// captureFinal keeps the response object of a pass-through stream's terminal
// event, for the store.
func (ex *exchange) captureFinal(ev sse.Event) {
	if ex.rs == nil || !ex.rs.store {
		return
	}
	if typ := responsesType(ev); typ != "response.completed" && typ != "response.incomplete" {
		return
	}
	obj, err := jsonbody.ScanTop(ev.Data)
	if err != nil {
		return
	}
	if v, ok := obj.Get("response"); ok && v.Kind == jsonbody.KindObject {
		ex.rs.final = bytes.Clone(v.Raw(ev.Data))
	}
}

// keepResponse stores a served response when the client did not say store:
// false. A whole answer is stored just before it is sent, so that its id is
// readable the moment the client has it; a stream, just before the event that
// ends it (response.completed or .incomplete), for the same reason; a stream
// whose end was not recognised, when it is over. It stores once per request.
// A store failure is logged, never shown to the client: the answer stands.
func (h *Handler) keepResponse(ex *exchange) {
	if ex.rs == nil || ex.rs.kept {
		return
	}
	ex.rs.kept = true
	rs := ex.rs
	if st := ex.trace.status; !rs.store || h.Store == nil || st != 0 && st != http.StatusOK {
		return
	}
	var obj []byte
	switch {
	case ex.events == nil:
		obj = ex.body
	case rs.stream != nil:
		if r := rs.stream.Response(); r != nil {
			obj, _ = json.Marshal(r)
		}
	default:
		obj = rs.final
	}
	top, err := jsonbody.ScanTop(obj)
	if err != nil {
		return
	}
	idv, ok := top.Get("id")
	if !ok {
		return
	}
	id, err := idv.String(obj)
	if err != nil || id == "" {
		return
	}
	if sv, ok := top.Get("status"); ok {
		if s, _ := sv.String(obj); s == "failed" || s == "in_progress" {
			return
		}
	}
	rec := responses.Record{ID: id, KeyID: keyID(ex.r), Model: ex.in.model, CreatedAt: ex.trace.start, Input: rs.input, Response: obj}
	if err := h.Store.Put(rec); err != nil {
		h.Log.Warn("response not kept for previous_response_id", "request_id", ex.trace.requestID, "response_id", id, "err", err)
	}
}

// GetResponse serves GET /v1/responses/{id}: a response this key made.
func (h *Handler) GetResponse(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.storedResponse(w, r)
	if ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(rec.Response)
	}
}

// ResponseInputItems serves GET /v1/responses/{id}/input_items.
func (h *Handler) ResponseInputItems(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.storedResponse(w, r)
	if !ok {
		return
	}
	var items []json.RawMessage
	_ = json.Unmarshal(rec.Input, &items)
	if items == nil {
		items = []json.RawMessage{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": items, "has_more": false})
}

// DeleteResponse serves DELETE /v1/responses/{id}.
func (h *Handler) DeleteResponse(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if h.Store == nil {
		writeNoResponse(w, id)
		return
	}
	if err := h.Store.Delete(id, keyID(r)); err != nil {
		h.storeError(w, r, id, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "response", "deleted": true})
}

func (h *Handler) storedResponse(w http.ResponseWriter, r *http.Request) (responses.Record, bool) {
	id := mux.Vars(r)["id"]
	if h.Store == nil {
		writeNoResponse(w, id)
		return responses.Record{}, false
	}
	rec, err := h.Store.Get(id, keyID(r))
	if err != nil {
		h.storeError(w, r, id, err)
		return responses.Record{}, false
	}
	return rec, true
}

func (h *Handler) storeError(w http.ResponseWriter, r *http.Request, id string, err error) {
	if errors.Is(err, responses.ErrNotFound) {
		writeNoResponse(w, id)
		return
	}
	h.Log.Error("response store failed", "request_id", RequestID(r), "response_id", id, "err", err)
	protocol.WriteError(w, protocol.Responses, protocol.Errorf(http.StatusInternalServerError, "the response store failed; see the gateway log"))
}

func writeNoResponse(w http.ResponseWriter, id string) {
	protocol.WriteError(w, protocol.Responses, &protocol.Error{Status: http.StatusNotFound, Code: "not_found",
		Message: fmt.Sprintf("response %q was not found (the gateway keeps responses made with store not false, for the key that made them)", id)})
}

// InputTokens serves POST /v1/responses/input_tokens: an estimate of about
// four bytes of JSON per token, as count_tokens is without an Anthropic
// upstream; it does not count against the key's limits.
func (h *Handler) InputTokens(w http.ResponseWriter, r *http.Request) {
	snap := h.Snapshot()
	in, perr := parseInbound(r, protocol.Responses, false)
	if perr == nil {
		defer in.held.Release()
	}
	if perr != nil {
		protocol.WriteError(w, protocol.Responses, perr)
		return
	}
	model := snap.Config.FindModel(in.model)
	key := auth.KeyFrom(r.Context())
	switch {
	case model == nil:
		protocol.WriteError(w, protocol.Responses, &protocol.Error{Status: http.StatusNotFound, Code: "model_not_found",
			Message: fmt.Sprintf("model %q does not exist", in.model)})
		return
	case key == nil || !key.AllowsModel(model.Name):
		protocol.WriteError(w, protocol.Responses, &protocol.Error{Status: http.StatusForbidden, Code: "model_not_allowed",
			Message: fmt.Sprintf("model %q is not allowed for this API key", model.Name)})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-ModelSwitch-Estimated", "true")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "response.input_tokens", "input_tokens": (len(in.body) + 3) / 4})
}

// follow reads what a pass-through Responses stream's event says for the
// gateway itself: the upstream's response id and the last sequence number
// (for a failure event of our own after them), and whether the event is the
// upstream's own failure.
func (rs *respState) follow(ev sse.Event) *streamFailed {
	typ := responsesType(ev)
	if i := bytes.LastIndex(ev.Data, seqKey); i >= 0 {
		n, digits := 0, ev.Data[i+len(seqKey):]
		for len(digits) > 0 && (digits[0] == ' ' || digits[0] >= '0' && digits[0] <= '9') {
			if digits[0] != ' ' {
				n = n*10 + int(digits[0]-'0')
			}
			digits = digits[1:]
		}
		rs.seq = n
	}
	switch typ {
	case "response.created":
		if id := responseIDOf(ev.Data); id != "" {
			rs.upstreamID = id
		}
	case "error", "response.failed":
		return &streamFailed{msg: truncate(ev.Data, 300)}
	}
	return nil
}

var seqKey = []byte(`"sequence_number":`)

// responseIDOf reads response.id of a response.* event.
func responseIDOf(data []byte) string {
	obj, err := jsonbody.ScanTop(data)
	if err != nil {
		return ""
	}
	v, ok := obj.Get("response")
	if !ok || v.Kind != jsonbody.KindObject {
		return ""
	}
	raw := v.Raw(data)
	inner, err := jsonbody.ScanTop(raw)
	if err != nil {
		return ""
	}
	idv, ok := inner.Get("id")
	if !ok {
		return ""
	}
	id, _ := idv.String(raw)
	return id
}

// failedEvent is the response.failed event that ends a pass-through
// Responses stream the gateway had to cut (the upstream died or stalled).
func (rs *respState) failedEvent(msg string) []byte {
	id := rs.upstreamID
	if id == "" {
		id = rs.id
	}
	b, _ := json.Marshal(map[string]any{"type": "response.failed", "sequence_number": rs.seq + 1,
		"response": map[string]any{"id": id, "object": "response", "status": "failed", "output": []any{},
			"error": map[string]string{"code": "server_error", "message": msg}}})
	return b
}

// responseFailed: a whole Responses answer with status "failed" (sent with
// HTTP 200 by some servers) is a failure to fall over from, not an answer.
func responseFailed(body []byte) bool {
	top, err := jsonbody.ScanTop(body)
	if err != nil {
		return false
	}
	v, ok := top.Get("status")
	if !ok {
		return false
	}
	s, _ := v.String(body)
	return s == "failed"
}
