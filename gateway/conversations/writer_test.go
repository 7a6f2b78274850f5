package conversations

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWriteListGet(t *testing.T) {
	w := newWriter(t, openDB(t), t.TempDir(), Options{})
	var written []Record
	for i := range 10 {
		written = append(written, rec(i))
		w.Write(rec(i))
	}
	w.Sync()

	tests := []struct {
		name  string
		f     Filter
		want  []string
		total int
	}{
		{"all, newest first", Filter{}, wantIDs(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), 10},
		{"key", Filter{KeyID: "key_a"}, wantIDs(8, 6, 4, 2, 0), 5},
		{"model", Filter{Model: "glm-5"}, wantIDs(9, 6, 3, 0), 4},
		{"provider", Filter{Provider: "anthropic"}, wantIDs(9, 7, 5, 3, 1), 5},
		{"success", Filter{Status: "success"}, wantIDs(8, 7, 6, 5, 3, 2, 1, 0), 8},
		{"error", Filter{Status: "ERROR"}, wantIDs(9, 4), 2},
		{"status code", Filter{Status: "502"}, wantIDs(9, 4), 2},
		{"status code with a leading zero", Filter{Status: "0200"}, wantIDs(8, 7, 6, 5, 3, 2, 1, 0), 8},
		{"two filters", Filter{KeyID: "key_b", Model: "gpt-5"}, wantIDs(5), 1},
		{"key and error", Filter{KeyID: "key_a", Status: "error"}, wantIDs(4), 1},
		{"time range is half-open", Filter{From: base.Add(3 * time.Minute), To: base.Add(6 * time.Minute)}, wantIDs(5, 4, 3), 3},
		{"time range with a filter", Filter{KeyID: "key_a", From: base.Add(3 * time.Minute)}, wantIDs(8, 6, 4), 3},
		{"query matches the model", Filter{Query: "SONN"}, wantIDs(7, 4, 1), 3},
		{"query matches the key name", Filter{Query: "bo"}, wantIDs(9, 7, 5, 3, 1), 5},
		{"query and key", Filter{KeyID: "key_a", Query: "glm"}, wantIDs(6, 0), 2},
		{"query matching nothing", Filter{Query: "nothing"}, []string{}, 0},
		{"unknown key", Filter{KeyID: "key_zz"}, []string{}, 0},
		{"page 2", Filter{Page: 2, PageSize: 3}, wantIDs(6, 5, 4), 10},
		{"page past the end", Filter{Page: 5, PageSize: 3}, []string{}, 10},
		{"filtered page", Filter{Status: "success", Page: 2, PageSize: 5}, wantIDs(2, 1, 0), 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, total, err := w.List(tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(items)); diff != "" || total != tt.total {
				t.Errorf("ids (-want +got):\n%s total %d, want %d", diff, total, tt.total)
			}
		})
	}

	items, _, _ := w.List(Filter{KeyID: "key_b", Status: "error"})
	want := Summary{ID: "req_0009", Time: base.Add(9 * time.Minute), KeyID: "key_b", KeyName: "bob", Model: "glm-5",
		Provider: "anthropic", Protocol: "openai", Status: 502, Error: "upstream failed", InputTokens: 19, OutputTokens: 20,
		File: SegmentName(1), Offset: items[0].Offset, Length: items[0].Length}
	if diff := cmp.Diff([]Summary{want}, items); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}

	for _, r := range written {
		got, err := w.Get(r.ID)
		if err != nil {
			t.Fatalf("Get(%s): %v", r.ID, err)
		}
		if diff := cmp.Diff(r, *got); diff != "" {
			t.Errorf("Get(%s) (-want +got):\n%s", r.ID, diff)
		}
	}
	if _, err := w.Get("req_nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := w.GetOwned("req_0000", "key_b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetOwned(another key's record) = %v, want ErrNotFound", err)
	}
	if r, err := w.GetOwned("req_0000", "key_a"); err != nil || r.ID != "req_0000" {
		t.Errorf("GetOwned(own record) = %v, %v", r, err)
	}
}

// TestDuplicateRequestIDs: clients may reuse X-Request-ID; nothing is lost.
func TestDuplicateRequestIDs(t *testing.T) {
	w := newWriter(t, openDB(t), t.TempDir(), Options{})
	a, b := rec(0), rec(1)
	b.ID = a.ID
	w.Write(a)
	w.Write(b)
	w.Sync()
	for _, tt := range []struct {
		name, key string
		want      string // KeyID of the record returned; "" = ErrNotFound
	}{{"newest", "", "key_b"}, {"own a", "key_a", "key_a"}, {"own b", "key_b", "key_b"}, {"other", "key_c", ""}} {
		t.Run(tt.name, func(t *testing.T) {
			var r *Record
			var err error
			if tt.key == "" {
				r, err = w.Get(a.ID)
			} else {
				r, err = w.GetOwned(a.ID, tt.key)
			}
			switch {
			case tt.want == "" && !errors.Is(err, ErrNotFound):
				t.Errorf("err = %v, want ErrNotFound", err)
			case tt.want != "" && (err != nil || r.KeyID != tt.want):
				t.Errorf("got %v, %v; want the record of %s", r, err, tt.want)
			}
		})
	}
	if _, total, _ := w.List(Filter{}); total != 2 {
		t.Errorf("total = %d, want 2", total)
	}
}

func TestCloseDrainsEverything(t *testing.T) {
	db, dir := openDB(t), t.TempDir()
	w := newWriter(t, db, dir, Options{Buffer: 6000, MaxBytes: 256 << 10})
	const n = 5000
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				w.Write(rec(i))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if lines := countLines(t, dir); lines != n {
		t.Errorf("%d lines in the files, want %d", lines, n)
	}
	st := w.Stats()
	if st.Records != n || st.Dropped != 0 || st.Files < 2 {
		t.Errorf("stats = %+v, want %d records, none dropped, several files", st, n)
	}
	if _, total, _ := w.List(Filter{Status: "error"}); total != n/5 {
		t.Errorf("%d errors indexed, want %d", total, n/5)
	}
}

func TestWriteNeverBlocksAndCountsDrops(t *testing.T) {
	db, dir := openDB(t), t.TempDir()
	w := newWriter(t, db, dir, Options{Buffer: 4})
	tx, err := db.Bolt.Begin(true) // the writer goroutine's first commit waits for it
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	start := time.Now()
	for i := range n {
		w.Write(rec(i))
	}
	elapsed := time.Since(start)
	_ = tx.Rollback()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st := w.Stats()
	lines := countLines(t, dir)
	if st.Dropped == 0 || lines+int(st.Dropped) != n || st.Records != lines {
		t.Errorf("dropped %d, %d lines, %d indexed (Write took %v): want drops, lines+dropped = %d, all lines indexed",
			st.Dropped, lines, st.Records, elapsed, n)
	}
	w.Write(rec(0)) // after Close: counted, no panic
	w.Sync()
	if got := w.Stats().Dropped; got != st.Dropped+1 {
		t.Errorf("Write after Close: dropped %d, want %d", got, st.Dropped+1)
	}
	if err := w.StartRebuild(); !errors.Is(err, ErrClosed) {
		t.Errorf("StartRebuild after Close = %v, want ErrClosed", err)
	}
}

func TestFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	w := newWriter(t, openDB(t), dir, Options{})
	w.Write(rec(0))
	w.Sync()
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, SegmentName(1)): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, %v; want mode %v", path, fi.Mode(), err, want)
		}
	}
}

// TestRestartIndexesTheTail: a line written but not indexed (kill -9 between
// the two) is indexed at the next start; a torn line is skipped.
func TestRestartIndexesTheTail(t *testing.T) {
	db, dir := openDB(t), t.TempDir()
	w := newWriter(t, db, dir, Options{})
	for i := range 3 {
		w.Write(rec(i))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r3 := rec(3)
	line, _ := encodeLine(&r3)
	f, err := os.OpenFile(filepath.Join(dir, SegmentName(1)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write(append(line, `{"id":"req_torn","ti`...))
	_ = f.Close()

	w = newWriter(t, db, dir, Options{})
	if _, err := w.Get("req_0003"); err != nil {
		t.Errorf("the unindexed line: %v", err)
	}
	w.Write(rec(4))
	w.Sync()
	if r, err := w.Get("req_0004"); err != nil || r.ID != "req_0004" {
		t.Errorf("the record after the torn line: %v, %v", r, err)
	}
	n, err := w.Rebuild(t.Context())
	if err != nil || n != 5 {
		t.Errorf("Rebuild = %d, %v; want 5 (the torn line skipped)", n, err)
	}
}

func countLines(t *testing.T, dir string) int {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range segs {
		f, err := os.Open(filepath.Join(dir, s.Name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			n++
		}
		_ = f.Close()
	}
	return n
}

// TestLargeBatchGoesToTheFileInChunks: a batch of large records is not held in
// memory until it ends; past writeChunk its lines reach the segment before the
// batch is fsynced and indexed, and the index, once written, reads them back.
func TestLargeBatchGoesToTheFileInChunks(t *testing.T) {
	old := flushEvery
	flushEvery = time.Hour // the batch ends only at Sync
	t.Cleanup(func() { flushEvery = old })
	dir := t.TempDir()
	w := newWriter(t, openDB(t), dir, Options{})
	text := strings.Repeat("y", 400<<10)
	for i := range 3 {
		r := rec(i)
		r.Request = []byte(`{"model":"m","messages":[{"role":"user","content":"` + text + `"}]}`)
		w.Write(r)
	}
	seg := filepath.Join(dir, SegmentName(1))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if fi, err := os.Stat(seg); err == nil && fi.Size() >= writeChunk {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("1.2 MB of records queued, nothing reached the segment before the batch ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, total, _ := w.List(Filter{}); total != 0 {
		t.Errorf("%d records indexed before the batch ended, want 0", total)
	}
	w.Sync()
	if _, total, _ := w.List(Filter{}); total != 3 {
		t.Fatalf("%d records indexed after Sync, want 3", total)
	}
	for i := range 3 {
		got, err := w.Get(rec(i).ID)
		if err != nil || !strings.Contains(string(got.Request), text) {
			t.Errorf("record %d: %v, request of %d bytes", i, err, len(got.Request))
		}
	}
}
