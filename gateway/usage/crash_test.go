package usage

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/store"
)

const (
	crashChildEnv = "USAGE_TEST_CRASH_CHILD_DB"
	crashBatch    = 50 // the child's BatchSize
	crashKillAt   = 3000
)

// crashRecord is the i-th record the crash child sends.
func crashRecord(i int) Record {
	return Record{RequestID: "req-" + strconv.Itoa(i), Time: t0.Add(time.Duration(i) * 3 * time.Second),
		Model: []string{"glm-5", "qwen", "deepseek"}[i%3], Provider: []string{"a", "b"}[i%2], KeyID: "key_" + strconv.Itoa(i%4),
		Status: []int{200, 200, 200, 429, 503}[i%5], InputTokens: i % 100, OutputTokens: i % 37, LatencyMs: int64(i % 3000)}
}

// crashChild runs in a re-executed test binary: it records continuously and
// prints "s N" before sending record N and "c N" once N rows are committed.
// It keeps at most one batch uncommitted (it waits otherwise), which is the
// "writer keeps up" case the bound below is about.
func crashChild(path string) {
	db, err := store.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	committed := 0
	r := NewRecorder(db, Options{BatchSize: crashBatch, BatchWindow: 20 * time.Millisecond, RetentionDays: -1, Logger: quiet,
		OnCommit: func(n int) {
			mu.Lock()
			committed += n
			fmt.Fprintf(os.Stdout, "c %d\n", committed)
			cond.Broadcast()
			mu.Unlock()
		}})
	for i := 1; ; i++ {
		mu.Lock()
		for i-1-committed >= crashBatch {
			cond.Wait()
		}
		mu.Unlock()
		fmt.Fprintf(os.Stdout, "s %d\n", i)
		r.Record(crashRecord(i))
	}
}

func TestCrashLosesAtMostOneBatch(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	path := filepath.Join(t.TempDir(), store.FileName)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) // only the child this test started

	submitted, committed, killed := 0, 0, false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var kind string
		var n int
		if _, err := fmt.Sscanf(sc.Text(), "%s %d", &kind, &n); err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		if kind == "s" {
			submitted = n
		} else {
			committed = n
		}
		if !killed && submitted >= crashKillAt {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL, mid-stream
				t.Fatal(err)
			}
			killed = true
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatalf("the child stopped before the kill; stderr:\n%s", stderr.String())
	}

	db, err := store.Open(path)
	if err != nil {
		t.Fatalf("reopening after kill -9: %v", err)
	}
	defer db.Close()
	rows := rawRows(t, db)
	seen := make(map[int]bool, len(rows))
	var in, out int64
	for _, r := range rows {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.RequestID, "req-"))
		seen[n] = true
		in, out = in+int64(r.InputTokens), out+int64(r.OutputTokens)
	}
	stored := len(rows)
	for i := 1; i <= stored; i++ {
		if !seen[i] {
			t.Fatalf("row req-%d is missing among %d stored rows: not a clean prefix", i, stored)
		}
	}
	t.Logf("submitted ≤ %d, acknowledged %d, stored %d, lost %d (batch %d)", submitted, committed, stored, submitted-stored, crashBatch)
	if stored < committed || stored > submitted {
		t.Errorf("stored %d rows, want between the acknowledged %d and the submitted %d", stored, committed, submitted)
	}
	if submitted-stored > crashBatch {
		t.Errorf("lost %d rows, more than one batch (%d)", submitted-stored, crashBatch)
	}
	rep := mustSummary(t, NewQuerier(db), Params{From: allFrom, To: allTo})
	if rep.Total != int64(stored) || rep.Totals.InputTokens != in || rep.Totals.OutputTokens != out {
		t.Errorf("rollups (%d requests, %d in, %d out) differ from the raw rows (%d, %d, %d)",
			rep.Total, rep.Totals.InputTokens, rep.Totals.OutputTokens, stored, in, out)
	}
}
