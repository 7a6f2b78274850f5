package conversations

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/modelswitch/modelswitch/gateway/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// base is the time of the first test record.
var base = time.Date(2026, 4, 27, 10, 0, 0, 0, time.UTC)

// openDB opens a fresh database that the test closes.
func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newWriter opens a Writer on db in dir; the test closes it (again) at the end.
func newWriter(t *testing.T, db *store.DB, dir string, opt Options) *Writer {
	t.Helper()
	opt.Dir, opt.DB = dir, db
	w, err := NewWriter(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// rec is test record i: minute i after base, key/model/provider/status by i.
func rec(i int) Record {
	keys := []string{"key_a", "key_b"}
	r := Record{
		ID:       fmt.Sprintf("req_%04d", i),
		Time:     base.Add(time.Duration(i) * time.Minute),
		KeyID:    keys[i%2],
		KeyName:  map[string]string{"key_a": "alice", "key_b": "bob"}[keys[i%2]],
		Model:    []string{"glm-5", "claude-sonnet", "gpt-5"}[i%3],
		Provider: []string{"zhipu", "anthropic"}[i%2],
		Protocol: "openai",
		Status:   200,
		Attempts: []Attempt{{Provider: "zhipu", Model: "glm-5"}},
		Usage:    Usage{Input: 10 + i, Output: 20},
		Request:  []byte(fmt.Sprintf(`{"model":"m","messages":[{"role":"user","content":"hello %d"}]}`, i)),
		Output:   Output{Text: fmt.Sprintf("answer %d", i), StopReason: "stop"},
	}
	if i%5 == 4 {
		r.Status, r.Error, r.Output = 502, "upstream failed", Output{}
	}
	return r
}

// ids lists the ids of items.
func ids(items []Summary) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = s.ID
	}
	return out
}

// wantIDs lists "req_%04d" for each number.
func wantIDs(nums ...int) []string {
	out := make([]string, len(nums))
	for i, n := range nums {
		out[i] = fmt.Sprintf("req_%04d", n)
	}
	return out
}
