package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// modelEntry is one model in a shape both SDKs read: OpenAI's Model
// (id, object, created, owned_by) and Anthropic's ModelInfo (id, type,
// display_name, created_at).
type modelEntry struct {
	ID          string `json:"id"`
	Object      string `json:"object"`
	Type        string `json:"type"`
	Created     int64  `json:"created"`
	CreatedAt   string `json:"created_at"`
	DisplayName string `json:"display_name"`
	OwnedBy     string `json:"owned_by"`
	Description string `json:"description,omitempty"`
}

// Models serves GET /v1/models: the virtual models this key may use, in config
// order. (The seed listed every model; listing what would be refused helps no one.)
func (h *Handler) Models(w http.ResponseWriter, r *http.Request) {
	snap := h.Snapshot()
	key := auth.KeyFrom(r.Context())
	now := h.now()
	data := make([]modelEntry, 0, len(snap.Config.Models))
	for _, m := range snap.Config.Models {
		if key != nil && !key.AllowsModel(m.Name) {
			continue
		}
		data = append(data, modelEntry{ID: m.Name, Object: "model", Type: "model", Created: now.Unix(),
			CreatedAt: now.UTC().Format(time.RFC3339), DisplayName: m.Name, OwnedBy: "modelswitch", Description: m.Description})
	}
	out := struct {
		Object  string       `json:"object"`
		Data    []modelEntry `json:"data"`
		HasMore bool         `json:"has_more"`
		FirstID *string      `json:"first_id"`
		LastID  *string      `json:"last_id"`
	}{Object: "list", Data: data}
	if len(data) > 0 {
		out.FirstID, out.LastID = &data[0].ID, &data[len(data)-1].ID
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// CountTokens serves POST /v1/messages/count_tokens: forwarded to the first
// usable Anthropic upstream of the model's chain, estimated locally otherwise
// (about four bytes of JSON per token), and marked as an estimate by a header.
// It does not count against the key's limits.
func (h *Handler) CountTokens(w http.ResponseWriter, r *http.Request) {
	snap := h.Snapshot()
	in, perr := parseInbound(r, protocol.Anthropic, true)
	if perr == nil {
		defer in.held.Release() // the upstream gets a patched copy
	}
	if perr != nil {
		protocol.WriteError(w, protocol.Anthropic, perr)
		return
	}
	model := snap.Config.FindModel(in.model)
	key := auth.KeyFrom(r.Context())
	switch {
	case model == nil:
		protocol.WriteError(w, protocol.Anthropic, protocol.Errorf(http.StatusNotFound, "model \""+in.model+"\" does not exist"))
		return
	case key == nil || !key.AllowsModel(model.Name):
		protocol.WriteError(w, protocol.Anthropic, protocol.Errorf(http.StatusForbidden, "model \""+model.Name+"\" is not allowed for this API key"))
		return
	}
	var answer []byte
	res, err := router.Try(r.Context(), h.now, snap.targets(model.Targets()), func(t router.Target) error {
		p := snap.Config.FindProvider(t.Provider)
		if p == nil || !p.IsEnabled() || p.Protocol() != "anthropic" {
			return &router.Skip{Reason: "not an enabled anthropic provider"}
		}
		body := jsonbody.Patch(in.body, in.obj, jsonbody.Edit{Key: "model", Value: jsonbody.Quote(t.Model)})
		resp, err := snap.Upstreams[p.Name].Do(r.Context(), upstream.Request{
			Endpoint: upstream.CountTokens, Body: body, Header: forwardHeaders(r, protocol.Anthropic, p.Protocol())})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		answer, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return err
	})
	res.Finish(h.now(), router.Success)
	w.Header().Set("Content-Type", "application/json")
	if err == nil {
		_, _ = w.Write(answer)
		return
	}
	h.Log.Info("count_tokens estimated locally", "request_id", RequestID(r), "key_id", keyID(r), "model", model.Name, "estimated", true)
	w.Header().Set("X-ModelSwitch-Estimated", "true")
	_ = json.NewEncoder(w).Encode(map[string]int{"input_tokens": (len(in.body) + 3) / 4})
}
