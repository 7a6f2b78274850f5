package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/server"
	"github.com/modelswitch/modelswitch/gateway/store"
)

// storedGateway is threeWayGateway with a workspace database, so that the
// gateway keeps the responses it serves.
func storedGateway(t *testing.T) (*gateway, map[string]*fakeUpstream) {
	t.Helper()
	up := map[string]*fakeUpstream{
		"resp-model": newUpstream(t, scriptedResponses),
		"oa-model":   newUpstream(t, scriptedOpenAI),
		"an-model":   newUpstream(t, scriptedAnthropic),
	}
	text := "providers:\n" +
		providerYAML("rs", "responses", up["resp-model"].URL+"/v1", upstreamOA) +
		providerYAML("oa", "openai", up["oa-model"].URL+"/v1", upstreamOA) +
		providerYAML("an", "anthropic", up["an-model"].URL, upstreamAN) + `
models:
  resp-model: {adapters: [{adapter: rs, model_name: gpt-upstream}]}
  oa-model: {adapters: [{adapter: oa, model_name: glm-upstream}]}
  an-model: {adapters: [{adapter: an, model_name: claude-upstream}]}
api_keys:
  - {key: ` + userKey + `, name: user}
  - {key: ` + adminKey + `, name: other}
`
	cfg, _, err := config.Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Config: cfg, DB: db, WorkspaceDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{Server: httptest.NewServer(srv.Handler()), srv: srv}
	t.Cleanup(func() {
		g.Close()
		srv.Close()
		db.Close()
		http.DefaultClient.CloseIdleConnections()
	})
	return g, up
}

// responseID runs one turn (a stream when stream is set) and returns the id
// the client saw.
func responseID(t *testing.T, g *gateway, body string) string {
	t.Helper()
	resp, b := g.do(t, "POST", "/v1/responses", body, "Authorization", "Bearer "+userKey)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if strings.Contains(body, `"stream":true`) {
		i := strings.LastIndex(string(b), "data: ")
		b = []byte(strings.TrimSpace(string(b[i+len("data: "):])))
		var ev struct {
			Type     string          `json:"type"`
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(b, &ev); err != nil || ev.Type != "response.completed" {
			t.Fatalf("last event %s", b)
		}
		b = ev.Response
	}
	var r struct{ ID string }
	if err := json.Unmarshal(b, &r); err != nil || r.ID == "" {
		t.Fatalf("no id in %s", b)
	}
	return r.ID
}

func TestPreviousResponseIDOnStatelessUpstreams(t *testing.T) {
	for _, model := range []string{"oa-model", "an-model", "resp-model"} {
		for _, stream := range []string{"false", "true"} {
			t.Run(model+"/stream="+stream, func(t *testing.T) {
				g, up := storedGateway(t)
				first := responseID(t, g, `{"model":"`+model+`","input":"my name is Ada","stream":`+stream+`}`)
				// Readable at once: no batch flush between the answer and the next turn.
				resp, b := g.do(t, "GET", "/v1/responses/"+first, "", "Authorization", "Bearer "+userKey)
				if resp.StatusCode != 200 || !strings.Contains(string(b), `"`+first+`"`) || !strings.Contains(string(b), upstreamText[model]) {
					t.Fatalf("GET: %d %s", resp.StatusCode, b)
				}
				second := responseID(t, g, `{"model":"`+model+`","input":"what is my name?","previous_response_id":"`+first+`","stream":`+stream+`}`)
				// The upstream got the whole conversation, and nothing it cannot know.
				last := up[model].last(t)
				raw, _ := json.Marshal(last.Body)
				if _, has := last.Body["previous_response_id"]; has || !strings.Contains(string(raw), "my name is Ada") ||
					!strings.Contains(string(raw), upstreamText[model]) || !strings.Contains(string(raw), "what is my name?") {
					t.Fatalf("upstream body %s", raw)
				}
				// input_items lists the expanded input of the second turn.
				_, b = g.do(t, "GET", "/v1/responses/"+second+"/input_items", "", "Authorization", "Bearer "+userKey)
				if !strings.Contains(string(b), "my name is Ada") || !strings.Contains(string(b), "what is my name?") {
					t.Errorf("input_items: %s", b)
				}
				// Another key does not see it; DELETE removes it.
				if resp, _ := g.do(t, "GET", "/v1/responses/"+first, "", "Authorization", "Bearer "+adminKey); resp.StatusCode != 404 {
					t.Errorf("another key read it: %d", resp.StatusCode)
				}
				if resp, b := g.do(t, "DELETE", "/v1/responses/"+first, "", "Authorization", "Bearer "+userKey); resp.StatusCode != 200 ||
					!strings.Contains(string(b), `"deleted":true`) {
					t.Errorf("DELETE: %d %s", resp.StatusCode, b)
				}
				if resp, b := g.do(t, "GET", "/v1/responses/"+first, "", "Authorization", "Bearer "+userKey); resp.StatusCode != 404 ||
					!strings.Contains(string(b), `"type":"not_found_error"`) {
					t.Errorf("after DELETE: %d %s", resp.StatusCode, b)
				}
			})
		}
	}
}

func TestStoreFalseKeepsNothing(t *testing.T) {
	g, _ := storedGateway(t)
	id := responseID(t, g, `{"model":"oa-model","input":"hi","store":false}`)
	if resp, _ := g.do(t, "GET", "/v1/responses/"+id, "", "Authorization", "Bearer "+userKey); resp.StatusCode != 404 {
		t.Fatalf("store:false was kept: %d", resp.StatusCode)
	}
	// A previous_response_id the gateway does not have cannot be served by a
	// stateless upstream: a clear 400, not a silently forgotten history.
	resp, b := g.do(t, "POST", "/v1/responses", `{"model":"oa-model","input":"hi","previous_response_id":"`+id+`"}`,
		"Authorization", "Bearer "+userKey)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "previous_response_id") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}
