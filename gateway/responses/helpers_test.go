package responses

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/store"
	bolt "go.etcd.io/bbolt"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// clock is an injected clock that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// openDB opens a fresh database at path (a new temp one when empty) that
// the test closes.
func openDB(t testing.TB, path string) *store.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), store.FileName)
	}
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openStore opens a Store on a fresh database with opt.
func openStore(t testing.TB, opt Options) *Store {
	t.Helper()
	s, err := Open(openDB(t, ""), opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rec is a small record of id for key, created at at.
func rec(id, key string, at time.Time) Record {
	return Record{
		ID: id, KeyID: key, Model: "gpt-test", CreatedAt: at,
		Input:    []byte(`[{"role":"user","content":"hi ` + id + `"}]`),
		Response: []byte(`{"id":"` + id + `","object":"response","status":"completed","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"hello"}]}]}`),
	}
}

func mustPut(t testing.TB, s *Store, r Record) {
	t.Helper()
	if err := s.Put(r); err != nil {
		t.Fatalf("Put(%s): %v", r.ID, err)
	}
}

// present reports which of ids key can read.
func present(t testing.TB, s *Store, key string, ids ...string) []string {
	t.Helper()
	var got []string
	for _, id := range ids {
		_, err := s.Get(id, key)
		switch {
		case err == nil:
			got = append(got, id)
		case !errors.Is(err, ErrNotFound):
			t.Fatalf("Get(%s): %v", id, err)
		}
	}
	return got
}

func stats(t testing.TB, s *Store) Stats {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

// checkConsistent walks the buckets and checks that the index and the meta
// totals agree with the records.
func checkConsistent(t testing.TB, s *Store) {
	t.Helper()
	err := s.db.Bolt.View(func(tx *bolt.Tx) error {
		recs, byTime := s.node.GetBucket(tx, recordsBucket), s.node.GetBucket(tx, byTimeBucket)
		var n, size int64
		err := recs.ForEach(func(k, v []byte) error {
			h, err := decodeHeader(v)
			if err != nil {
				return fmt.Errorf("record %s: %w", k, err)
			}
			if byTime.Get(timeKey(h.created, string(k))) == nil {
				return fmt.Errorf("record %s has no index entry", k)
			}
			n++
			size += int64(len(v))
			return nil
		})
		if err != nil {
			return err
		}
		if k := byTime.Stats().KeyN; int64(k) != n {
			return fmt.Errorf("%d index entries for %d records", k, n)
		}
		if st := (Stats{Records: int(n), Bytes: size}); st != stats(t, s) {
			return fmt.Errorf("meta says %+v, the buckets %+v", stats(t, s), st)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
