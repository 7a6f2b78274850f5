package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRecomputeUsesTodaysPricesAndMovesTheBudget: a price change leaves the
// recorded costs alone; POST /api/usage/recompute (admin only) prices the
// day's requests again, the usage totals and the key's spend follow.
func TestRecomputeUsesTodaysPricesAndMovesTheBudget(t *testing.T) {
	up := newUpstream(t, openAIResponder)
	ws, db := openWorkspaceDB(t)
	srv, g := startOn(t, budgetConfig(t, up.URL), db, ws)
	defer func() { g.Close(); srv.Close() }()

	call := func(key, method, path string) (int, []byte) {
		var body *strings.Reader
		if method == "POST" && strings.HasPrefix(path, "/v1") {
			body = strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, g.URL+path, body)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, b := send(t, req)
		return resp.StatusCode, b
	}
	for range 3 {
		if code, b := call(budgetKey, "POST", "/v1/chat/completions"); code != 200 {
			t.Fatalf("%d %s", code, b)
		}
	}
	totalCost := func() int64 {
		var rep struct {
			Totals struct {
				CostNanos int64 `json:"cost_nanos"`
				Requests  int64 `json:"total_requests"`
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, b := call(adminKey, "GET", "/api/usage")
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			if rep.Totals.Requests == 3 || time.Now().After(deadline) {
				return rep.Totals.CostNanos
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if c := totalCost(); c != 3*costPerRequest {
		t.Fatalf("recorded cost %d, want %d", c, 3*costPerRequest)
	}

	// The price doubles: history stays as it was recorded.
	doubled := strings.Replace(configText(up.URL), "price: {input: 1000, output: 2000}", "price: {input: 2000, output: 4000}", 1)
	if err := srv.Reload([]byte(doubled)); err != nil {
		t.Fatal(err)
	}
	if c := totalCost(); c != 3*costPerRequest {
		t.Fatalf("a price change rewrote history: %d", c)
	}

	if code, b := call(budgetKey, "POST", "/api/usage/recompute"); code != http.StatusForbidden {
		t.Errorf("a user key may recompute: %d %s", code, b)
	}
	code, b := call(adminKey, "POST", "/api/usage/recompute")
	var res struct {
		Rows, Changed int
		Before        float64 `json:"cost_before"`
		After         float64 `json:"cost_after"`
		Currency      string
		KeptSince     *time.Time `json:"kept_since"`
	}
	if err := json.Unmarshal(b, &res); code != 200 || err != nil {
		t.Fatalf("recompute: %d %s", code, b)
	}
	if res.Rows != 3 || res.Changed != 3 || res.Before != 0.027 || res.After != 0.054 || res.Currency != "USD" || res.KeptSince == nil {
		t.Errorf("recompute answered %s", b)
	}
	if c := totalCost(); c != 6*costPerRequest {
		t.Errorf("after the recompute the usage cost is %d, want %d", c, 6*costPerRequest)
	}
	_, b = call(adminKey, "GET", "/api/keys")
	var keys []struct {
		Name       string  `json:"name"`
		SpentToday float64 `json:"spent_today"`
		SpentMonth float64 `json:"spent_month"`
	}
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for _, k := range keys {
		if k.Name == "budgeted" && (k.SpentToday != 0.054 || k.SpentMonth != 0.054) {
			t.Errorf("the key's spend is %v today, %v this month; want 0.054 after the recompute", k.SpentToday, k.SpentMonth)
		}
	}
}
