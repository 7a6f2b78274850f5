package conversations

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// segmentNames lists the segment files in dir.
func segmentNames(t *testing.T, dir string) []string {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, s := range segs {
		names = append(names, s.Name)
	}
	return names
}

func TestIndexAcrossRotations(t *testing.T) {
	tests := []struct {
		name      string
		maxBytes  int64
		backups   int
		wantFiles []string
		kept      []int // records still listed, newest first
	}{
		{"one record per segment", 1, 30, []string{SegmentName(1), SegmentName(2), SegmentName(3), SegmentName(4),
			SegmentName(5), SegmentName(6)}, []int{5, 4, 3, 2, 1, 0}},
		{"two per segment", 1100, 30, []string{SegmentName(1), SegmentName(2), SegmentName(3)}, []int{5, 4, 3, 2, 1, 0}},
		{"oldest segments deleted", 1, 3, []string{SegmentName(4), SegmentName(5), SegmentName(6)}, []int{5, 4, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newWriter(t, openDB(t), dir, Options{MaxBytes: tt.maxBytes, Backups: tt.backups})
			for i := range 6 {
				w.Write(rec(i))
				w.Sync() // a batch per record: rotations between commits too
			}
			if diff := cmp.Diff(tt.wantFiles, segmentNames(t, dir)); diff != "" {
				t.Fatalf("files (-want +got):\n%s", diff)
			}
			items, total, err := w.List(Filter{})
			if err != nil || total != len(tt.kept) {
				t.Fatalf("List: %d, %v; want %d", total, err, len(tt.kept))
			}
			if diff := cmp.Diff(wantIDs(tt.kept...), ids(items)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			for i := range 6 {
				r, err := w.Get(rec(i).ID)
				kept := contains(tt.kept, i)
				switch {
				case kept && (err != nil || r.ID != rec(i).ID || r.Output.Text != rec(i).Output.Text):
					t.Errorf("Get(%d) = %v, %v", i, r, err)
				case !kept && !errors.Is(err, ErrNotFound):
					t.Errorf("Get(%d) of a deleted segment = %v, want ErrNotFound", i, err)
				}
			}
			if st := w.Stats(); st.Records != len(tt.kept) || st.Files != len(tt.wantFiles) {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestRebuildFromFilesAlone: the index node deleted, a rebuild gives the same
// results, both on demand and at the next start.
func TestRebuildFromFilesAlone(t *testing.T) {
	db, dir := openDB(t), t.TempDir()
	w := newWriter(t, db, dir, Options{MaxBytes: 900})
	for i := range 12 {
		w.Write(rec(i))
	}
	w.Sync()
	before, total, err := w.List(Filter{})
	if err != nil || total != 12 || len(segmentNames(t, dir)) < 3 {
		t.Fatalf("setup: %d records, %v, files %v", total, err, segmentNames(t, dir))
	}

	if err := db.Drop(NodeName); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := w.List(Filter{}); total != 0 {
		t.Fatalf("after dropping the node: %d records", total)
	}
	if n, err := w.Rebuild(t.Context()); err != nil || n != 12 {
		t.Fatalf("Rebuild = %d, %v", n, err)
	}
	after, _, _ := w.List(Filter{})
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("after Rebuild (-before +after):\n%s", diff)
	}
	for i := range 12 {
		if _, err := w.Get(rec(i).ID); err != nil {
			t.Errorf("Get(%d): %v", i, err)
		}
	}

	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Drop(NodeName); err != nil {
		t.Fatal(err)
	}
	w = newWriter(t, db, dir, Options{MaxBytes: 900}) // rebuilds in the background
	deadline := time.Now().Add(10 * time.Second)
	for w.Stats().Rebuilding || w.Stats().Records != 12 {
		if time.Now().After(deadline) {
			t.Fatalf("no rebuild at start: %+v", w.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	after, _, _ = w.List(Filter{})
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("after the start-up rebuild (-before +after):\n%s", diff)
	}
	if st := w.Stats(); st.LastRebuild.IsZero() || st.LastRebuildError != "" {
		t.Errorf("stats = %+v", st)
	}
}

func TestOneRebuildAtATime(t *testing.T) {
	w := newWriter(t, openDB(t), t.TempDir(), Options{})
	w.Write(rec(0))
	w.Sync()
	started, release := make(chan struct{}), make(chan struct{})
	w.job.hook = func() { close(started); <-release }
	if err := w.StartRebuild(); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := w.StartRebuild(); !errors.Is(err, ErrRebuildRunning) {
		t.Errorf("second StartRebuild = %v", err)
	}
	if _, err := w.Rebuild(t.Context()); !errors.Is(err, ErrRebuildRunning) {
		t.Errorf("Rebuild while running = %v", err)
	}
	if !w.Stats().Rebuilding {
		t.Error("Stats.Rebuilding = false while running")
	}
	close(release)
	w.job.wg.Wait()
	w.job.hook = nil
	if st := w.Stats(); st.Rebuilding || st.LastRebuildRecords != 1 || st.Records != 1 {
		t.Errorf("after: %+v", st)
	}
}

// TestStaleIndexIsReported: a file changed behind the index is never served
// as the wrong record.
func TestStaleIndexIsReported(t *testing.T) {
	db, dir := openDB(t), t.TempDir()
	w := newWriter(t, db, dir, Options{})
	for i := range 3 {
		w.Write(rec(i))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SegmentName(1))
	var lines []byte
	for _, i := range []int{2, 1, 0} { // same lines, other order
		r := rec(i)
		line, _ := encodeLine(&r)
		lines = append(lines, line...)
	}
	if err := os.WriteFile(path, lines, 0o600); err != nil {
		t.Fatal(err)
	}
	w = newWriter(t, db, dir, Options{})
	if _, err := w.Get("req_0000"); !errors.Is(err, ErrStale) {
		t.Errorf("Get after the file changed = %v, want ErrStale", err)
	}
	if _, err := w.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r, err := w.Get("req_0000"); err != nil || r.ID != "req_0000" {
		t.Errorf("Get after Rebuild = %v, %v", r, err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Get("req_0001"); !errors.Is(err, ErrStale) {
		t.Errorf("Get with the file gone = %v, want ErrStale", err)
	}
}

func TestParseSegment(t *testing.T) {
	for _, tt := range []struct {
		name string
		n    int
		ok   bool
	}{
		{"conversations-000001.jsonl", 1, true},
		{"conversations-1234567.jsonl", 1234567, true},
		{"conversations-000000.jsonl", 0, false},
		{"conversations-00001.jsonl", 0, false},
		{"conversations-+00001.jsonl", 0, false},
		{"conversations.jsonl", 0, false},
		{"conversations-000001.jsonl.1", 0, false},
	} {
		if n, ok := parseSegment(tt.name); n != tt.n || ok != tt.ok {
			t.Errorf("parseSegment(%q) = %d, %v", tt.name, n, ok)
		}
	}
}
