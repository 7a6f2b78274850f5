package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/convert"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

// outbound is the request built for one attempt.
type outbound struct {
	lane     lane
	body     []byte             // converted lanes: the upstream body
	parts    [][]byte           // passThrough: the upstream body in pieces (jsonbody.PatchParts)
	names    *convert.ToolNames // Anthropic clients on Chat-based lanes: tool names shortened for the upstream
	injected bool               // passThrough: stream_options added by us
}

// buildRequest builds the upstream body for one adapter, always from the
// client's original body.
func (ex *exchange) buildRequest(p *config.Provider, upstreamProtocol string, a config.Adapter) (*outbound, error) {
	out := &outbound{lane: laneFor(ex.in.family, upstreamProtocol)}
	if out.lane == passThrough {
		edits := []jsonbody.Edit{{Key: "model", Value: jsonbody.Quote(a.ModelName)}}
		if ex.in.family == protocol.OpenAI && ex.in.stream && !p.DisableStreamOptions {
			if _, ok := ex.in.obj.Get("stream_options"); !ok {
				edits = append(edits, jsonbody.Edit{Key: "stream_options", Value: []byte(`{"include_usage":true}`)})
				out.injected = true
			}
		}
		edits, err := paramEdits(ex.in.body, ex.in.obj, a.Params, edits)
		if err != nil {
			return nil, err
		}
		out.parts, _ = jsonbody.PatchParts(nil, ex.in.body, ex.in.obj, edits...)
		return out, nil
	}

	opt := convert.Options{UpstreamModel: a.ModelName, Reasoning: p.Reasoning, IncludeUsage: !p.DisableStreamOptions,
		DefaultMaxTokens: intParam(a.Params, "max_tokens")}
	body, names, err := ex.convertRequest(out.lane, opt)
	out.names = names
	var re *convert.RequestError
	if errors.As(err, &re) {
		return nil, &rejected{re}
	}
	if err != nil {
		return nil, fmt.Errorf("converting the request for %s: %w", p.Name, err)
	}
	if len(a.Params) == 0 {
		out.body = body
		return out, nil
	}
	obj, err := jsonbody.Scan(body)
	if err != nil {
		return nil, fmt.Errorf("converted request is not valid JSON: %w", err)
	}
	edits, err := paramEdits(body, obj, a.Params, nil)
	if err != nil {
		return nil, err
	}
	out.body = jsonbody.Patch(body, obj, edits...)
	return out, nil
}

// capped params limit the client's value instead of replacing it.
var capped = map[string]bool{"max_tokens": true, "max_completion_tokens": true}

// paramEdits turns an adapter's params into edits of body: max_tokens and
// max_completion_tokens are caps (a smaller client value stays), null removes
// a field, anything else overrides the client's value.
func paramEdits(body []byte, obj *jsonbody.Object, params map[string]any, edits []jsonbody.Edit) ([]jsonbody.Edit, error) {
	for k, v := range params {
		if v == nil {
			edits = append(edits, jsonbody.Edit{Key: k})
			continue
		}
		if limit, ok := v.(int); ok && capped[k] {
			if cur, present := obj.Get(k); present {
				if n, err := cur.Int(body); err == nil && n <= int64(limit) {
					continue
				}
			} else {
				continue // only a cap: the client did not ask for a limit
			}
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encoding adapter param %q: %w", k, err)
		}
		edits = append(edits, jsonbody.Edit{Key: k, Value: raw})
	}
	return edits, nil
}

func intParam(params map[string]any, key string) int {
	n, _ := params[key].(int)
	return n
}

// forwardHeaders picks the client headers the upstream needs. The client's
// credentials are never among them; Anthropic headers only reach Anthropic
// upstreams of Anthropic clients (pitfall 28).
func forwardHeaders(r *http.Request, client protocol.Family, upstreamProtocol string) http.Header {
	h := http.Header{}
	if id := r.Header[protocol.RequestIDHeader]; len(id) > 0 {
		h[protocol.RequestIDHeader] = id[:1:1]
	}
	if client == protocol.Anthropic && upstreamProtocol == config.ProtocolAnthropic {
		for _, name := range []string{"Anthropic-Version", "Anthropic-Beta"} {
			if vs := r.Header.Values(name); len(vs) > 0 {
				h[name] = vs
			}
		}
	}
	return h
}

// includeUsage reports whether an OpenAI client asked for stream usage.
func includeUsage(in *inbound) bool {
	so, ok := in.obj.Get("stream_options")
	if !ok || so.Kind != jsonbody.KindObject {
		return false
	}
	inner, err := jsonbody.Scan(so.Raw(in.body))
	if err != nil {
		return false
	}
	v, ok := inner.Get("include_usage")
	if !ok {
		return false
	}
	b, err := v.Bool(so.Raw(in.body))
	return err == nil && b
}
