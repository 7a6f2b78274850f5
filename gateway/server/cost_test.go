package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/server"
	"github.com/modelswitch/modelswitch/gateway/store"
)

const budgetKey = "sk-test-budget-0001"

// Each answer reports 5 prompt and 2 completion tokens; at $1000 and $2000
// per million that is 5×1000 + 2×2000 = 9000 per million = $0.009.
const costPerRequest = 9_000_000 // nanos

// budgetConfig: a key with a daily budget of ten requests' worth.
func budgetConfig(t *testing.T, upURL string) *config.Config {
	cfg, _, err := config.Parse([]byte(configText(upURL)), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func configText(upURL string) string {
	return "providers:\n" + providerYAML("p", "openai", upURL+"/v1", "k-upstream-0001") +
		"models:\n  m: {adapters: [{adapter: p, model_name: x, price: {input: 1000, output: 2000}}]}\n" +
		"api_keys:\n  - {key: " + adminKey + ", roles: [admin]}\n  - {key: " + budgetKey + ", name: budgeted, daily_budget: 0.09}\n"
}

// openWorkspaceDB is a fresh workspace directory and its database, closed at cleanup.
func openWorkspaceDB(t *testing.T) (string, *store.DB) {
	ws := t.TempDir()
	db, err := store.Open(filepath.Join(ws, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return ws, db
}

func startOn(t *testing.T, cfg *config.Config, db *store.DB, ws string) (*server.Server, *httptest.Server) {
	srv, err := server.New(server.Options{Config: cfg, DB: db, WorkspaceDir: ws, Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return srv, httptest.NewServer(srv.Handler())
}

// TestCostAndBudgetUnderConcurrencyAndRestart: every request's cost is
// recorded exactly; 64 clients at once stop at the key's daily budget (the
// spend passes it by at most the requests then in flight); the usage API
// totals the cost to the nano; after a restart the spent budget still
// refuses, in each protocol's error shape.
func TestCostAndBudgetUnderConcurrencyAndRestart(t *testing.T) {
	up := newUpstream(t, openAIResponder)
	ws, db := openWorkspaceDB(t)
	cfg := budgetConfig(t, up.URL)
	srv, g := startOn(t, cfg, db, ws)

	var served, refused atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 20 { // a budget that never stops them ends the loop too (and fails below)
				req, _ := http.NewRequest("POST", g.URL+"/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
				req.Header.Set("Authorization", "Bearer "+budgetKey)
				resp, b := send(t, req)
				switch resp.StatusCode {
				case 200:
					served.Add(1)
					continue
				case 429:
					if !strings.Contains(string(b), "daily budget of $0.0900 reached") || resp.Header.Get("Retry-After") == "" {
						t.Errorf("429 without the budget or Retry-After: %s", b)
					}
					refused.Add(1)
				default:
					t.Errorf("%d %s", resp.StatusCode, b)
				}
				return
			}
		})
	}
	wg.Wait()
	n := served.Load()
	if n < 10 || n > 10+63 {
		t.Errorf("%d requests served on a budget of 10: want at least 10 and at most 10 + the 63 others in flight", n)
	}
	srv.Close() // flushes the usage rows
	g.Close()

	// The recorded cost is exact, and the usage API totals it.
	srv2, g2 := startOn(t, cfg, db, ws)
	defer func() { g2.Close(); srv2.Close() }()
	req, _ := http.NewRequest("GET", g2.URL+"/api/usage?group_by=api_key", nil)
	req.Header.Set("X-Api-Key", adminKey)
	_, b := send(t, req)
	var rep struct {
		Totals struct {
			Cost      *float64 `json:"cost"`
			CostNanos int64    `json:"cost_nanos"`
			Unpriced  int64    `json:"unpriced_count"`
			Served    int64    `json:"success_count"`
		}
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if rep.Totals.Served != n || rep.Totals.CostNanos != n*costPerRequest || rep.Totals.Cost == nil || rep.Totals.Unpriced != 0 {
		t.Errorf("usage totals %+v, want %d requests costing %d nanos, all priced: %s", rep.Totals, n, n*costPerRequest, b)
	}

	// After the restart the spend is restored: refused at once, in each protocol's shape.
	for path, want := range map[string]string{
		"/v1/chat/completions": `"code":"rate_limit_exceeded"`,
		"/v1/messages":         `"type":"rate_limit_error"`,
	} {
		req, _ := http.NewRequest("POST", g2.URL+path, strings.NewReader(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`))
		req.Header.Set("X-Api-Key", budgetKey)
		resp, b := send(t, req)
		if resp.StatusCode != 429 || !strings.Contains(string(b), "daily budget") || !strings.Contains(string(b), want) {
			t.Errorf("%s after a restart: %d %s, want 429 with %s", path, resp.StatusCode, b, want)
		}
	}
}
