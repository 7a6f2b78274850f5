package core

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStatusNamesABudgetPastItsWarning: once a key has spent its daily
// budget, the status the tray reads lists it, reached.
func TestStatusNamesABudgetPastItsWarning(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"c1","object":"chat.completion","model":"a","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100}}`)
	}))
	defer up.Close()
	port := freePort(t)
	ws := testWorkspace(t, port)
	text := strings.NewReplacer("http://127.0.0.1:9/v1", up.URL+"/v1", "        priority: 1\n", "        priority: 1\n        price: {input: 1, output: 2}\n").Replace(fmt.Sprintf(testConfig, port)) +
		"  - key: sk-budgeted-0001\n    name: budgeted\n    daily_budget: 0.001\n"
	if err := os.WriteFile(filepath.Join(ws.Dir, "config.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, cl, _ := startCore(t, ws, t.TempDir()+"/settings.json")
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/v1/chat/completions", port), strings.NewReader(`{"model":"m1","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer sk-budgeted-0001")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	// 1000 × $1/M + 100 × $2/M = $0.0012, past the $0.001 budget.
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := cl.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Today != nil && len(st.Today.Budgets) == 1 {
			b := st.Today.Budgets[0]
			if b.Key != "budgeted" || b.Period != "day" || b.Spent != 1_200_000 || b.Budget != 1_000_000 || st.Today.Currency != "USD" {
				t.Errorf("budget %+v in %s", b, st.Today.Currency)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no budget in the status: %+v", st.Today)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
