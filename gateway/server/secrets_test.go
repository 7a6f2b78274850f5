package server_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/logs"
	"github.com/modelswitch/modelswitch/gateway/server"
	"github.com/modelswitch/modelswitch/gateway/store"
)

// The provider credentials an echoing upstream gets and sends back.
const (
	echoKey1  = "sk-echo-first-AAAAAAAAAAAAAAAAAAAA"
	echoKey2  = "sk-echo-second-BBBBBBBBBBBBBBBBBBB"
	echoToken = "tok-echo-header-CCCCCCCCCCCCCCCC"
)

// echoResponder answers as its model name says, every time with the
// credentials it received in the text: the kind of misconfigured proxy that
// puts "Incorrect API key: Bearer sk-…" in its errors.
func echoResponder(w http.ResponseWriter, r *http.Request, body map[string]any) {
	creds := r.Header.Get("Authorization") + " / x-upstream-token: " + r.Header.Get("X-Upstream-Token")
	model, _ := body["model"].(string)
	if model == "ok" && body["stream"] == true {
		model = "stream"
	}
	flush := func() { w.(http.Flusher).Flush() }
	switch model {
	case "e400", "e401", "e500":
		status := map[string]int{"e400": 400, "e401": 401, "e500": 500}[model]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s","type":"invalid_request_error"}}`, creds)
	case "ok":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"ok",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"you sent %s"},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`, creds)
	case "stream":
		w.Header().Set("Content-Type", "text/event-stream")
		head, tail := creds[:len(creds)/3], creds[len(creds)/3:] // the key split across two writes
		fmt.Fprint(w, `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"stream","choices":[{"index":0,"delta":{"role":"assistant","content":"you sent `+head)
		flush()
		time.Sleep(20 * time.Millisecond)
		fmt.Fprint(w, tail+`"},"finish_reason":null}]}`+"\n\n")
		fmt.Fprint(w, `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"stream","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n")
	case "streamerr":
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"error\":{\"message\":\"bad credential %s\"}}\n\n", creds)
	}
}

// TestProviderSecretsNeverLeaveTheGateway: an upstream that echoes the
// credentials it was sent, in error bodies, whole answers, streams and
// stream error events, never gets them to a client, the logs, the
// conversation log, the database or the admin API.
func TestProviderSecretsNeverLeaveTheGateway(t *testing.T) {
	up := newUpstream(t, echoResponder)
	ws := t.TempDir()
	lg, err := logs.Setup(logs.Options{Dir: filepath.Join(ws, "logs"), Level: slog.LevelDebug})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(ws, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	provider := func(name, key string) string {
		return fmt.Sprintf("  - {name: %s, base_url: %q, api_key: %s, custom_headers: {X-Upstream-Token: %s}}\n", name, up.URL+"/v1", key, echoToken)
	}
	chain := func(model string) string {
		return fmt.Sprintf("{adapters: [{adapter: one, model_name: %s}, {adapter: two, model_name: %s}]}", model, model)
	}
	text := "gateway: {log_bodies: full}\nproviders:\n" + provider("one", echoKey1) + provider("two", echoKey2) +
		"models:\n  m400: {adapters: [{adapter: one, model_name: e400}]}\n  m401: {adapters: [{adapter: one, model_name: e401}]}\n  m500: " + chain("e500") +
		"\n  mok: {adapters: [{adapter: one, model_name: ok}]}\n  mstream: {adapters: [{adapter: one, model_name: stream}]}\n" +
		"  mstreamerr: " + chain("streamerr") + "\napi_keys:\n  - {key: " + adminKey + ", roles: [admin]}\n  - {key: " + userKey + "}\n"
	cfg, _, err := config.Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Config: cfg, DB: db, WorkspaceDir: ws, Log: lg.Logger, LogRing: lg.Ring, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	g := httptest.NewServer(srv.Handler())
	secrets := []string{echoKey1, echoKey2, echoToken}
	check := func(what string, b []byte) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s shows %s: %.400s", what, s, b)
			}
		}
	}
	calls := 0
	for _, model := range []string{"m400", "m401", "m500", "mok", "mstream", "mstreamerr"} {
		for _, stream := range []string{"false", "true"} {
			for path, body := range map[string]string{
				"/v1/chat/completions": `{"model":%q,"stream":%s,"messages":[{"role":"user","content":"hi"}]}`,
				"/v1/messages":         `{"model":%q,"stream":%s,"max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`,
				"/v1/responses":        `{"model":%q,"stream":%s,"input":"hi"}`,
			} {
				req, _ := http.NewRequest("POST", g.URL+path, strings.NewReader(fmt.Sprintf(body, model, stream)))
				req.Header.Set("Authorization", "Bearer "+userKey)
				resp, b := send(t, req)
				calls++
				check(fmt.Sprintf("%s %s stream=%s (%d)", path, model, stream, resp.StatusCode), b)
				if want := map[string]int{"m400": 400, "mok": 200}[model]; want != 0 && resp.StatusCode != want {
					t.Errorf("%s %s: %d, want %d: %s", path, model, resp.StatusCode, want, b) // 400 is relayed as it came
				}
			}
		}
	}
	admin := func(path string) []byte {
		req, _ := http.NewRequest("GET", g.URL+path, nil)
		req.Header.Set("X-Api-Key", adminKey)
		_, b := send(t, req)
		return b
	}
	eventually(t, "every request is in the conversation log", func() bool {
		var list struct{ Total int }
		_ = json.Unmarshal(admin("/api/conversations?page_size=200"), &list)
		return list.Total >= calls
	})
	check("/api/conversations", admin("/api/conversations?page_size=200"))
	check("/api/logs", admin("/api/logs?limit=1000"))
	check("/api/usage", admin("/api/usage"))
	check("/api/config/health", admin("/api/config/health"))

	g.Close()
	srv.Close()
	lg.Close()
	db.Close()
	seen := 0
	err = filepath.WalkDir(ws, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		seen += len(b)
		check(path, b)
		return err
	})
	if err != nil || seen == 0 {
		t.Fatalf("walking the workspace: %v (%d bytes)", err, seen)
	}
}
