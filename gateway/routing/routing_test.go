package routing

import (
	"net/http"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

func req(t testing.TB, f protocol.Family, model, body string, route string) *Request {
	t.Helper()
	var o jsonbody.Object
	if err := o.Scan([]byte(body)); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	h := http.Header{}
	if route != "" {
		h.Set(Header, route)
	}
	return NewRequest(f, []byte(body), &o, model, h)
}

var yes, no = true, false

func TestEachCondition(t *testing.T) {
	long := `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 4000) + `"}]}`
	for _, tc := range []struct {
		name string
		when config.RouteWhen
		f    protocol.Family
		body string
		want bool
	}{
		{"long input", config.RouteWhen{InputTokensOver: 900}, protocol.Anthropic, long, true},
		{"short input", config.RouteWhen{InputTokensOver: 900}, protocol.Anthropic, `{"messages":[]}`, false},
		{"anthropic thinking", config.RouteWhen{Thinking: &yes}, protocol.Anthropic, `{"thinking":{"type":"enabled","budget_tokens":1024}}`, true},
		{"anthropic thinking disabled", config.RouteWhen{Thinking: &yes}, protocol.Anthropic, `{"thinking": {"type" : "disabled"}}`, false},
		{"no thinking asked, none sent", config.RouteWhen{Thinking: &no}, protocol.Anthropic, `{"messages":[]}`, true},
		{"chat reasoning_effort", config.RouteWhen{Thinking: &yes}, protocol.OpenAI, `{"reasoning_effort":"high"}`, true},
		{"chat reasoning_effort none", config.RouteWhen{Thinking: &yes}, protocol.OpenAI, `{"reasoning_effort":"none"}`, false},
		{"responses reasoning", config.RouteWhen{Thinking: &yes}, protocol.Responses, `{"reasoning":{"effort":"medium","summary":"auto"}}`, true},
		{"responses reasoning without effort", config.RouteWhen{Thinking: &yes}, protocol.Responses, `{"reasoning":{"summary":"auto"}}`, false},
		{"anthropic web search", config.RouteWhen{WebSearch: &yes}, protocol.Anthropic, `{"tools":[{"name":"Bash","input_schema":{}},{"type":"web_search_20250305","name":"web_search"}]}`, true},
		{"a tool named like it is not it", config.RouteWhen{WebSearch: &yes}, protocol.Anthropic, `{"tools":[{"name":"web_search","description":"\"type\":\"web_search\"","input_schema":{}}]}`, false},
		{"responses web search", config.RouteWhen{WebSearch: &yes}, protocol.Responses, `{"tools":[{"type":"function","name":"shell"},{"type": "web_search_preview"}]}`, true},
		{"chat web_search_options", config.RouteWhen{WebSearch: &yes}, protocol.OpenAI, `{"web_search_options":{}}`, true},
		{"anthropic image in a tool result", config.RouteWhen{Images: &yes}, protocol.Anthropic, `{"messages":[{"role":"user","content":[{"type":"tool_result","content":[{"type":"image","source":{"type":"base64","data":"AA"}}]}]}]}`, true},
		{"the word image in text", config.RouteWhen{Images: &yes}, protocol.Anthropic, `{"messages":[{"role":"user","content":[{"type":"text","text":"image"}]},{"role":"user","content":"{\"type\":\"image\"}"}]}`, false},
		{"chat image_url", config.RouteWhen{Images: &yes}, protocol.OpenAI, `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:"}}]}]}`, true},
		{"responses input_image", config.RouteWhen{Images: &yes}, protocol.Responses, `{"input":[{"type":"message","role":"user","content":[{"type":"input_image","image_url":"data:"}]}]}`, true},
		{"responses string input", config.RouteWhen{Images: &yes}, protocol.Responses, `{"input":"input_image"}`, false},
	} {
		routes := []config.Route{{When: tc.when, To: "x"}}
		if got := Choose(routes, req(t, tc.f, "m", tc.body, "")) == 0; got != tc.want {
			t.Errorf("%s: matched %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestFirstMatchingRouteWins: conditions of a route all hold together; the
// routes are tried in order; tier and header read the request line.
func TestFirstMatchingRouteWins(t *testing.T) {
	routes := []config.Route{
		{Name: "script", When: config.RouteWhen{Header: "cheap"}, To: "cheap"},
		{Name: "fast", When: config.RouteWhen{Tier: "Haiku"}, To: "fast"},
		{Name: "think-long", When: config.RouteWhen{Thinking: &yes, InputTokensOver: 10}, To: "strong"},
		{Name: "think", When: config.RouteWhen{Thinking: &yes}, To: "mid"},
	}
	thinkShort := `{"thinking":{"type":"enabled"}}`
	thinkLong := `{"thinking":{"type":"enabled"},"messages":[{"role":"user","content":"a long enough request"}]}`
	for _, tc := range []struct {
		model, body, header string
		want                int
	}{
		{"claude-3-5-haiku-20241022", thinkLong, "", 1},
		{"claude-3-5-haiku-20241022", thinkLong, "cheap", 0},
		{"claude-sonnet-4-5", thinkLong, "", 2},
		{"claude-sonnet-4-5", thinkShort, "", 3},
		{"claude-sonnet-4-5", `{"messages":[]}`, "", -1},
		{"claude-sonnet-4-5", `{"messages":[]}`, "other", -1},
	} {
		if got := Choose(routes, req(t, protocol.Anthropic, tc.model, tc.body, tc.header)); got != tc.want {
			t.Errorf("%s %s %q: route %d, want %d", tc.model, tc.body, tc.header, got, tc.want)
		}
	}
}

// BenchmarkChooseFiveRoutes: the routing decision of a model with five
// routes on a ~1 KB Anthropic body that matches none of them (the worst
// case: every condition is read).
func BenchmarkChooseFiveRoutes(b *testing.B) {
	body := `{"model":"claude-sonnet-4-5","max_tokens":1024,"system":"` + strings.Repeat("be brief. ", 40) +
		`","messages":[{"role":"user","content":[{"type":"text","text":"` + strings.Repeat("hello there ", 50) + `"}]}],"tools":[{"name":"Bash","description":"run","input_schema":{"type":"object"}}]}`
	routes := []config.Route{
		{When: config.RouteWhen{Header: "cheap"}, To: "a"},
		{When: config.RouteWhen{Tier: "haiku"}, To: "b"},
		{When: config.RouteWhen{InputTokensOver: 100000}, To: "c"},
		{When: config.RouteWhen{Thinking: &yes}, To: "d"},
		{When: config.RouteWhen{Images: &yes}, To: "e"},
	}
	r := req(b, protocol.Anthropic, "claude-sonnet-4-5", body, "")
	b.ReportAllocs()
	for b.Loop() {
		if Choose(routes, r) != -1 {
			b.Fatal("matched")
		}
	}
}
