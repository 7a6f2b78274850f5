package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/server"
)

// liveGateway runs a real listener over a config file in a temp workspace.
type liveGateway struct {
	srv  *server.Server
	path string
	base string
	stop func()
	// listen is the gateway section given to texts that have none.
	listen string
}

func withListen(text, listen string) string {
	if strings.HasPrefix(text, "gateway:") || strings.Contains(text, "\ngateway:") {
		return text
	}
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text + listen // last, so the test texts keep their line numbers
}

// startLive runs a gateway on text; a text without a gateway section gets
// one with a free port (here and in save), so no test binds the default
// port another test run or a real gateway may hold.
func startLive(t *testing.T, text string) *liveGateway {
	t.Helper()
	listen := "gateway: {host: 127.0.0.1, port: " + fmt.Sprint(freePort(t)) + "}\n"
	text = withListen(text, listen)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Config: cfg, ConfigPath: path, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Run(ctx); close(done) }()
	lg := &liveGateway{srv: srv, path: path, base: "http://" + addr.String(), stop: func() { cancel(); <-done }, listen: listen}
	t.Cleanup(func() {
		lg.stop()
		http.DefaultClient.CloseIdleConnections()
	})
	return lg
}

// save writes the file the way editors do: a temp file renamed over it.
func (lg *liveGateway) save(t *testing.T, text string) {
	t.Helper()
	tmp := lg.path + ".tmp~"
	if err := os.WriteFile(tmp, []byte(withListen(text, lg.listen)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, lg.path); err != nil {
		t.Fatal(err)
	}
}

func (lg *liveGateway) get(t *testing.T, path, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", lg.base+path, nil)
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const liveKeys = "api_keys:\n  - {key: sk-live-admin-1, roles: [admin]}\n  - {key: sk-live-user-22}\n"

func TestRenameSaveIsPickedUpAndDeletedKeyRefused(t *testing.T) {
	lg := startLive(t, "models: {}\n"+liveKeys)
	if code, _ := lg.get(t, "/v1/models", "sk-live-user-22"); code != 200 {
		t.Fatalf("user key before: %d", code)
	}
	lg.save(t, "# the user removed a key\nmodels: {}\napi_keys:\n  - {key: sk-live-admin-1, roles: [admin]}\n")
	eventually(t, "the deleted key is refused", func() bool {
		code, _ := lg.get(t, "/v1/models", "sk-live-user-22")
		return code == 401
	})
}

func TestBrokenFileKeepsServingAndReportsTheLine(t *testing.T) {
	lg := startLive(t, "models: {}\n"+liveKeys)
	lg.save(t, "models: {}\napi_keys:\n  - {key: sk-live-admin-1, roles: [superuser]}\n")
	eventually(t, "health reports the error", func() bool {
		_, body := lg.get(t, "/api/config/health", "sk-live-admin-1")
		return strings.Contains(body, `"status":"degraded"`) && strings.Contains(body, `config.yaml:3: api key 1: unknown role`)
	})
	if code, _ := lg.get(t, "/v1/models", "sk-live-user-22"); code != 200 {
		t.Errorf("the last good config is not serving: %d", code)
	}
	req, _ := http.NewRequest("POST", lg.base+"/api/config/reload", nil)
	req.Header.Set("X-Api-Key", "sk-live-admin-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Error struct {
			Message string `json:"message"`
			Fields  []struct {
				Line int `json:"line"`
			} `json:"fields"`
		} `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 400 || len(body.Error.Fields) != 1 || body.Error.Fields[0].Line != 3 {
		t.Errorf("POST /api/config/reload: %d %+v", resp.StatusCode, body)
	}
	lg.save(t, "models: {}\n"+liveKeys)
	eventually(t, "health is healthy again", func() bool {
		_, body := lg.get(t, "/api/config/health", "")
		return strings.Contains(body, `"status":"healthy"`)
	})
}

func TestPortChangeRebinds(t *testing.T) {
	lg := startLive(t, "gateway: {host: 127.0.0.1, port: "+fmt.Sprint(freePort(t))+"}\nmodels: {}\n"+liveKeys)
	newPort := freePort(t)
	lg.save(t, "gateway: {host: 127.0.0.1, port: "+fmt.Sprint(newPort)+"}\nmodels: {}\n"+liveKeys)
	newBase := fmt.Sprintf("http://127.0.0.1:%d", newPort)
	eventually(t, "the new port answers", func() bool {
		resp, err := http.Get(newBase + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	http.DefaultClient.CloseIdleConnections()
	if _, err := http.Get(lg.base + "/health"); err == nil {
		t.Error("the old port still accepts connections")
	}
}

// TestReloadDuring50Streams: a reload while 50 streams are in flight cuts none.
func TestReloadDuring50Streams(t *testing.T) {
	up := newUpstream(t, pacedResponder(10, 30*time.Millisecond, nil))
	text := "providers:\n" + providerYAML("p", "openai", up.URL+"/v1", "k") + "models:\n  m: {adapters: [{adapter: p, model_name: x}]}\n" + liveKeys
	lg := startLive(t, text)
	var wg sync.WaitGroup
	errs := make(chan string, 50)
	started := make(chan struct{}, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", lg.base+"/v1/chat/completions", strings.NewReader(`{"model":"m","stream":true,"messages":[]}`))
			req.Header.Set("X-Api-Key", "sk-live-user-22")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			started <- struct{}{}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || !strings.Contains(string(b), "t9 ") || !strings.Contains(string(b), "[DONE]") {
				errs <- fmt.Sprintf("cut stream: %v %q", err, b)
			}
		}()
	}
	for i := 0; i < 50; i++ {
		<-started
	}
	lg.save(t, strings.Replace(text, "model_name: x", "model_name: y", 1)) // the model now maps elsewhere
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	eventually(t, "new requests use the new config", func() bool {
		return len(up.requests()) > 50 && up.last(t).Body["model"] == "y" ||
			func() bool {
				req, _ := http.NewRequest("POST", lg.base+"/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[]}`))
				req.Header.Set("X-Api-Key", "sk-live-user-22")
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				return up.last(t).Body["model"] == "y"
			}()
	})
}
