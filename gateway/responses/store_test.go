package responses

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPutGetDelete(t *testing.T) {
	s := openStore(t, Options{Now: newClock().Now})
	want := rec("resp_1", "key-a", t0.Add(time.Second))
	mustPut(t, s, want)

	got, err := s.Get("resp_1", "key-a")
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt = want.CreatedAt
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	if st := stats(t, s); st.Records != 1 || st.Bytes != int64(encodedLen(&want)) {
		t.Errorf("Stats = %+v, want 1 record of %d bytes", st, encodedLen(&want))
	}

	if err := s.Delete("resp_1", "key-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("resp_1", "key-a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete("resp_1", "key-a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
	if st := stats(t, s); st != (Stats{}) {
		t.Errorf("Stats after Delete = %+v, want zero", st)
	}
}

func TestPutStampsZeroCreatedAt(t *testing.T) {
	s := openStore(t, Options{Now: newClock().Now})
	r := rec("resp_1", "k", time.Time{})
	mustPut(t, s, r)
	got, err := s.Get("resp_1", "k")
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(t0) {
		t.Errorf("CreatedAt = %v, want the clock's %v", got.CreatedAt, t0)
	}
}

func TestPutReplacesSameKey(t *testing.T) {
	s := openStore(t, Options{Now: newClock().Now})
	mustPut(t, s, rec("resp_1", "k", t0))
	r := rec("resp_1", "k", t0.Add(time.Minute))
	r.Model = "another-model"
	mustPut(t, s, r)
	got, err := s.Get("resp_1", "k")
	if err != nil {
		t.Fatal(err)
	}
	if got.Model != "another-model" {
		t.Errorf("Model = %q, want the replacement's", got.Model)
	}
	if st := stats(t, s); st.Records != 1 || st.Bytes != int64(encodedLen(&r)) {
		t.Errorf("Stats = %+v, want 1 record of %d bytes", st, encodedLen(&r))
	}
	checkConsistent(t, s)
}

func TestOtherKeyIsNotFound(t *testing.T) {
	s := openStore(t, Options{Now: newClock().Now})
	mustPut(t, s, rec("resp_1", "key-a", t0))

	if _, err := s.Get("resp_1", "key-b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get by another key: %v, want ErrNotFound", err)
	}
	if _, err := s.Get("resp_1", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get with no key: %v, want ErrNotFound", err)
	}
	if err := s.Delete("resp_1", "key-b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete by another key: %v, want ErrNotFound", err)
	}
	if err := s.Put(rec("resp_1", "key-b", t0)); !errors.Is(err, ErrConflict) {
		t.Errorf("Put over another key's record: %v, want ErrConflict", err)
	}
	if got := present(t, s, "key-a", "resp_1"); len(got) != 1 {
		t.Error("the owner lost its record to another key's Get, Delete or Put")
	}
}

func TestPutRefuses(t *testing.T) {
	s := openStore(t, Options{Now: newClock().Now, MaxBytes: 4096})
	big := rec("resp_big", "k", t0)
	big.Input = []byte("[" + strings.Repeat(`"x",`, 2000) + `"x"]`)
	for _, tc := range []struct {
		name string
		r    Record
		want error
	}{
		{"empty id", rec("", "k", t0), ErrInvalid},
		{"long id", rec(strings.Repeat("r", MaxIDLen+1), "k", t0), ErrInvalid},
		{"input not an array", func() Record { r := rec("resp_1", "k", t0); r.Input = []byte(`{"a":1}`); return r }(), ErrInvalid},
		{"no input", func() Record { r := rec("resp_1", "k", t0); r.Input = nil; return r }(), ErrInvalid},
		{"response not an object", func() Record { r := rec("resp_1", "k", t0); r.Response = []byte(`[]`); return r }(), ErrInvalid},
		{"larger than MaxBytes", big, ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Put(tc.r); !errors.Is(err, tc.want) {
				t.Errorf("Put: %v, want %v", err, tc.want)
			}
		})
	}
	if st := stats(t, s); st != (Stats{}) {
		t.Errorf("Stats = %+v after refused Puts, want zero", st)
	}
	// The longest id is fine.
	mustPut(t, s, rec(strings.Repeat("r", MaxIDLen), "k", t0))
}

func TestTTLExpiry(t *testing.T) {
	c := newClock()
	s := openStore(t, Options{Now: c.Now, TTL: 24 * time.Hour})
	mustPut(t, s, rec("resp_old", "k", t0))
	c.Add(12 * time.Hour)
	mustPut(t, s, rec("resp_new", "k", c.Now()))

	c.Add(12*time.Hour - time.Nanosecond)
	if got := present(t, s, "k", "resp_old", "resp_new"); len(got) != 2 {
		t.Fatalf("just before the TTL: present %v, want both", got)
	}
	c.Add(time.Nanosecond)
	if got := present(t, s, "k", "resp_old", "resp_new"); !cmp.Equal(got, []string{"resp_new"}) {
		t.Fatalf("at the TTL: present %v, want only resp_new", got)
	}
	if err := s.Delete("resp_old", "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of an expired record: %v, want ErrNotFound", err)
	}
	n, err := s.Prune()
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 removed", n, err)
	}
	if st := stats(t, s); st.Records != 1 {
		t.Errorf("Stats = %+v after Prune, want 1 record", st)
	}

	// Put drops expired records as it goes.
	c.Add(24 * time.Hour)
	mustPut(t, s, rec("resp_later", "k", c.Now()))
	if st := stats(t, s); st.Records != 1 {
		t.Errorf("Stats = %+v after a Put past resp_new's TTL, want only the new record", st)
	}
	checkConsistent(t, s)
}

func TestExpiredIDMayBeReused(t *testing.T) {
	c := newClock()
	s := openStore(t, Options{Now: c.Now, TTL: time.Hour, MaxRecords: -1})
	mustPut(t, s, rec("resp_1", "key-a", t0))
	c.Add(time.Hour)
	if err := s.Put(rec("resp_1", "key-b", c.Now())); err != nil {
		t.Fatalf("Put over another key's expired record: %v", err)
	}
	if got := present(t, s, "key-b", "resp_1"); len(got) != 1 {
		t.Error("the new owner cannot read its record")
	}
}

func TestPruneByCountKeepsNewest(t *testing.T) {
	s := openStore(t, Options{Now: newClock().Now, MaxRecords: 3})
	all := ids("resp_", 5)
	for i, id := range all {
		mustPut(t, s, rec(id, "k", t0.Add(time.Duration(i)*time.Second)))
	}
	if got := present(t, s, "k", all...); !cmp.Equal(got, all[2:]) {
		t.Errorf("present %v, want the newest three %v", got, all[2:])
	}
	if st := stats(t, s); st.Records != 3 {
		t.Errorf("Stats = %+v, want 3 records", st)
	}
	checkConsistent(t, s)
}

func TestPruneByBytesKeepsNewest(t *testing.T) {
	one := rec("resp_000", "k", t0)
	size := int64(encodedLen(&one))
	s := openStore(t, Options{Now: newClock().Now, MaxBytes: 3*size + size/2})
	all := ids("resp_", 6)
	for i, id := range all {
		mustPut(t, s, rec(id, "k", t0.Add(time.Duration(i)*time.Second)))
	}
	if got := present(t, s, "k", all...); !cmp.Equal(got, all[3:]) {
		t.Errorf("present %v, want the newest three %v", got, all[3:])
	}
	if st := stats(t, s); st.Records != 3 || st.Bytes != 3*size {
		t.Errorf("Stats = %+v, want 3 records of %d bytes", st, 3*size)
	}
	checkConsistent(t, s)
}

// TestReopen: the records, the byte total and the index survive a restart,
// and lowered bounds apply at Open.
func TestReopen(t *testing.T) {
	c := newClock()
	db := openDB(t, "")
	path := db.Path
	s, err := Open(db, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	all := ids("resp_", 4)
	var total int64
	for i, id := range all {
		r := rec(id, "k", t0.Add(time.Duration(i)*time.Second))
		total += int64(encodedLen(&r))
		mustPut(t, s, r)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(openDB(t, path), Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if st := stats(t, s); st.Records != 4 || st.Bytes != total {
		t.Errorf("Stats after reopening = %+v, want 4 records of %d bytes", st, total)
	}
	if got := present(t, s, "k", all...); !cmp.Equal(got, all) {
		t.Errorf("present after reopening %v, want %v", got, all)
	}
	s.db.Close()

	s, err = Open(openDB(t, path), Options{Now: c.Now, MaxRecords: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := present(t, s, "k", all...); !cmp.Equal(got, all[2:]) {
		t.Errorf("present after reopening with MaxRecords 2: %v, want %v", got, all[2:])
	}
}

func TestConcurrentPutGet(t *testing.T) {
	// The bounds do not bite here: a record pruned between a worker's Put
	// and Get would read as a failure.
	s := openStore(t, Options{Now: newClock().Now})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := string(rune('a' + w))
			for i, id := range ids("resp_"+key+"_", each) {
				r := rec(id, key, t0.Add(time.Duration(w*each+i)*time.Millisecond))
				if err := s.Put(r); err != nil {
					errs <- err
					return
				}
				got, err := s.Get(id, key)
				if err == nil && !bytes.Equal(got.Input, r.Input) {
					err = errors.New("read back another input")
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := stats(t, s); st.Records != workers*each {
		t.Errorf("Stats = %+v, want %d records", st, workers*each)
	}
	checkConsistent(t, s)
}

// TestConcurrentPutDeleteUnderBounds: writers racing with pruning and
// deletes leave the index and the totals consistent.
func TestConcurrentPutDeleteUnderBounds(t *testing.T) {
	one := rec("resp_x_000", "k", t0)
	s := openStore(t, Options{Now: newClock().Now, MaxRecords: 40, MaxBytes: 30 * int64(encodedLen(&one))})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := string(rune('a' + w))
			for i, id := range ids("resp_"+key+"_", 30) {
				if err := s.Put(rec(id, key, t0.Add(time.Duration(i*8+w)*time.Millisecond))); err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					if err := s.Delete(id, key); err != nil && !errors.Is(err, ErrNotFound) {
						t.Error(err)
					}
				}
				if _, err := s.Get(id, key); err != nil && !errors.Is(err, ErrNotFound) {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if st := stats(t, s); st.Records > 30 {
		t.Errorf("Stats = %+v, want at most 30 records (MaxBytes)", st)
	}
	checkConsistent(t, s)
}
