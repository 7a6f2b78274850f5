// Package routing decides, for a virtual model with routes (issue 18), which
// route a request takes: the first whose conditions all hold. It reads the
// request's features from the body the proxy already scanned, each only when
// a route asks for it, so a model without routes pays nothing and one with
// five routes pays a few byte searches.
//
// The features are read from the raw JSON, not a decode: an image, a
// web-search tool or extended thinking shows as a "type" member with a known
// value, and inside a JSON string every quote is escaped, so the token
// `"type":"image"` (with any spacing) only ever occurs as real JSON.
package routing

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

// Header names the route a script asks for by its name (RouteWhen.Header).
const Header = "X-Modelswitch-Route"

// Request is what routing reads of one request.
type Request struct {
	Family    protocol.Family
	Body      []byte
	Obj       *jsonbody.Object // Body's top level, scanned
	Model     string           // the model name the client asked for
	RouteName string           // the Header's value
}

// NewRequest gathers the request's routing inputs.
func NewRequest(f protocol.Family, body []byte, obj *jsonbody.Object, model string, h http.Header) *Request {
	return &Request{Family: f, Body: body, Obj: obj, Model: model, RouteName: h.Get(Header)}
}

// EstimatedTokens is the input size in tokens as the gateway estimates it
// everywhere (count_tokens too): four bytes of JSON per token.
func EstimatedTokens(body []byte) int { return (len(body) + 3) / 4 }

// Choose returns the index of the first route of routes whose conditions
// all hold for req, or -1.
func Choose(routes []config.Route, req *Request) int {
	var f features
	for i := range routes {
		if f.match(&routes[i].When, req) {
			return i
		}
	}
	return -1
}

// features caches what the routes asked about, so five routes on the same
// condition search the body once.
type features struct {
	known                    uint8
	thinking, search, images bool
}

const (
	knowThinking = 1 << iota
	knowSearch
	knowImages
)

func (f *features) match(w *config.RouteWhen, req *Request) bool {
	switch {
	case w.Header != "" && req.RouteName != w.Header:
		return false
	case w.Tier != "" && !strings.Contains(strings.ToLower(req.Model), strings.ToLower(w.Tier)):
		return false
	case w.InputTokensOver > 0 && EstimatedTokens(req.Body) <= w.InputTokensOver:
		return false
	case w.Thinking != nil && f.get(knowThinking, &f.thinking, req, thinking) != *w.Thinking:
		return false
	case w.WebSearch != nil && f.get(knowSearch, &f.search, req, webSearch) != *w.WebSearch:
		return false
	case w.Images != nil && f.get(knowImages, &f.images, req, images) != *w.Images:
		return false
	}
	return true
}

func (f *features) get(bit uint8, v *bool, req *Request, read func(*Request) bool) bool {
	if f.known&bit == 0 {
		*v, f.known = read(req), f.known|bit
	}
	return *v
}

// thinking: Anthropic's thinking (not disabled), Chat's reasoning_effort and
// the Responses reasoning.effort (not "none").
func thinking(req *Request) bool {
	switch req.Family {
	case protocol.Anthropic:
		raw := member(req, "thinking")
		return raw != nil && !bytes.Equal(raw, []byte("null")) && !hasType(raw, typeDisabled)
	case protocol.Responses:
		raw := member(req, "reasoning")
		if raw == nil {
			return false
		}
		var o jsonbody.Object
		if o.Scan(raw) != nil {
			return false
		}
		return effortOn(&o, raw, "effort")
	default:
		return effortOn(req.Obj, req.Body, "reasoning_effort")
	}
}

func effortOn(o *jsonbody.Object, body []byte, key string) bool {
	v, ok := o.Get(key)
	if !ok {
		return false
	}
	s, err := v.String(body)
	return err == nil && s != "" && s != "none"
}

// webSearch: a tool whose type starts with web_search (Anthropic's
// web_search_20250305, the Responses web_search and web_search_preview), or
// Chat's web_search_options.
func webSearch(req *Request) bool {
	if req.Family == protocol.OpenAI && member(req, "web_search_options") != nil {
		return true
	}
	tools := member(req, "tools")
	return tools != nil && hasType(tools, typeWebSearch)
}

// images: an image part anywhere in the input (tool results included).
func images(req *Request) bool {
	var raw, kind []byte
	switch req.Family {
	case protocol.Anthropic:
		raw, kind = member(req, "messages"), typeImage
	case protocol.Responses:
		raw, kind = member(req, "input"), typeInputImage
	default:
		raw, kind = member(req, "messages"), typeImageURL
	}
	return raw != nil && hasType(raw, kind)
}

func member(req *Request, key string) []byte {
	if req.Obj == nil {
		return nil
	}
	v, ok := req.Obj.Get(key)
	if !ok {
		return nil
	}
	return v.Raw(req.Body)
}

// The "type" values searched for: a whole string value, or (without the
// closing quote) a prefix of one.
var (
	typeDisabled   = []byte(`"disabled"`)
	typeWebSearch  = []byte(`"web_search`) // web_search_20250305, web_search, web_search_preview
	typeImage      = []byte(`"image"`)
	typeImageURL   = []byte(`"image_url"`)
	typeInputImage = []byte(`"input_image"`)
)

// hasType reports whether raw holds a member "type" whose value starts with
// needle (one of the type… values above).
func hasType(raw, needle []byte) bool {
	for rest, off := raw, 0; ; {
		i := bytes.Index(rest, needle)
		if i < 0 {
			return false
		}
		if typeKeyBefore(raw[:off+i]) {
			return true
		}
		rest, off = rest[i+1:], off+i+1
	}
}

// typeKeyBefore reports whether b ends with `"type"` and a colon, with any
// JSON whitespace around the colon.
func typeKeyBefore(b []byte) bool {
	b = bytes.TrimRight(b, " \t\r\n")
	if len(b) == 0 || b[len(b)-1] != ':' {
		return false
	}
	b = bytes.TrimRight(b[:len(b)-1], " \t\r\n")
	return bytes.HasSuffix(b, []byte(`"type"`))
}
