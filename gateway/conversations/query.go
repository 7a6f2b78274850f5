package conversations

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Page sizes of List.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

var (
	// ErrNotFound: the index has no record with that id (for that key).
	ErrNotFound = errors.New("conversation record not found")
	// ErrStale: the index points at a line that is missing or is another
	// record; a rebuild repairs it.
	ErrStale = errors.New("conversation index is stale (rebuild it)")
)

// Filter selects records for List. Empty fields do not filter.
type Filter struct {
	KeyID    string
	Model    string
	Provider string
	Status   string    // "success", "error" or an HTTP status code such as "429"
	From, To time.Time // From ≤ Time < To
	// Query is a case-insensitive substring of the model or the key name.
	// Message content is not searched: the index holds no content (doc.go).
	Query    string
	Page     int // from 1
	PageSize int // default 50, at most 200
}

// cond is one filter: an entry passes when any alternative term has it.
type cond struct{ alts []alt }

type alt struct {
	b      *bolt.Bucket
	prefix []byte
}

func (c cond) has(key []byte) bool {
	for _, a := range c.alts {
		if a.b.Get(append(a.prefix[:len(a.prefix):len(a.prefix)], key...)) != nil {
			return true
		}
	}
	return false
}

// List returns one page of the records that pass f, newest first, and how
// many pass in all. It walks one index (the first of key, model, provider,
// status that is set, else all entries) backwards within the time range and
// checks the other filters per entry with a Get; only the page is decoded.
func (w *Writer) List(f Filter) ([]Summary, int, error) {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize < 1 {
		f.PageSize = DefaultPageSize
	}
	f.PageSize = min(f.PageSize, MaxPageSize)
	skip := (f.Page - 1) * f.PageSize
	items := []Summary{}
	total := 0
	err := w.db.Bolt.View(func(tx *bolt.Tx) error {
		entries := w.node.GetBucket(tx, entryBucket)
		if entries == nil {
			return nil
		}
		var terms [nTerms]*bolt.Bucket
		for i, name := range termBuckets {
			if terms[i] = w.node.GetBucket(tx, name); terms[i] == nil {
				return nil
			}
		}
		var conds []cond
		eq := func(t int, v string) {
			if v != "" {
				conds = append(conds, cond{[]alt{{terms[t], termPrefix(v)}}})
			}
		}
		eq(tKey, f.KeyID)
		eq(tModel, f.Model)
		eq(tProvider, f.Provider)
		switch s := strings.ToLower(f.Status); s {
		case "":
		case "success", "error":
			eq(tOutcome, s)
		default:
			if n, err := strconv.Atoi(s); err == nil {
				s = strconv.Itoa(n) // "0429" is 429
			}
			eq(tStatus, s)
		}
		if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
			c := cond{append(matching(terms[tModel], q), matching(terms[tKeyName], q)...)}
			if len(c.alts) == 0 {
				return nil
			}
			conds = append(conds, c)
		}
		lo, hi := timeBound(f.From), timeBound(f.To)
		var it *cursor
		if len(conds) > 0 && len(conds[0].alts) == 1 {
			it = newCursor(conds[0].alts[0].b, conds[0].alts[0].prefix, lo, hi)
			conds = conds[1:]
		} else {
			it = newCursor(entries, nil, lo, hi)
		}
	next:
		for key := it.first(); key != nil; key = it.next() {
			for _, c := range conds {
				if !c.has(key) {
					continue next
				}
			}
			total++
			if total <= skip || len(items) >= f.PageSize {
				continue
			}
			var s Summary
			if err := w.node.Codec().Unmarshal(entries.Get(key), &s); err != nil {
				return fmt.Errorf("decoding index entry %s: %w", key, err)
			}
			items = append(items, s)
		}
		return nil
	})
	return items, total, err
}

// matching returns an alternative for every distinct value of a term bucket
// that contains q (case-insensitively), jumping from value to value.
func matching(b *bolt.Bucket, q string) []alt {
	var out []alt
	c := b.Cursor()
	for k, _ := c.First(); k != nil; {
		n, w := binary.Uvarint(k)
		if w <= 0 || uint64(len(k)-w) < n {
			k, _ = c.Next()
			continue
		}
		prefix := bytes.Clone(k[:w+int(n)])
		if strings.Contains(strings.ToLower(string(prefix[w:])), q) {
			out = append(out, alt{b, prefix})
		}
		k, _ = c.Seek(append(bytes.Clone(prefix), 0xff))
	}
	return out
}

// cursor walks the entry keys under prefix, newest first, within [lo, hi).
// Nested buckets (none today) are skipped.
type cursor struct {
	c          *bolt.Cursor
	prefix, lo []byte
	hi         []byte
	started    bool
}

func newCursor(b *bolt.Bucket, prefix, lo, hi []byte) *cursor {
	return &cursor{c: b.Cursor(), prefix: prefix, lo: lo, hi: hi}
}

func (c *cursor) first() []byte {
	upper := append(bytes.Clone(c.prefix), 0xff)
	if c.hi != nil {
		upper = append(bytes.Clone(c.prefix), c.hi...)
	}
	k, v := c.c.Seek(upper)
	if k == nil {
		k, v = c.c.Last()
	} else {
		k, v = c.c.Prev()
	}
	return c.accept(k, v)
}

func (c *cursor) next() []byte { return c.accept(c.c.Prev()) }

func (c *cursor) accept(k, v []byte) []byte {
	for ; k != nil; k, v = c.c.Prev() {
		if !bytes.HasPrefix(k, c.prefix) {
			return nil
		}
		key := k[len(c.prefix):]
		if c.lo != nil && bytes.Compare(key, c.lo) < 0 {
			return nil
		}
		if v != nil && len(key) == entryKeyLen {
			return key
		}
	}
	return nil
}

// Get returns the newest record with request id id, read from its segment.
func (w *Writer) Get(id string) (*Record, error) { return w.get(id, "", false) }

// GetOwned is Get restricted to the records of key keyID; another key's
// record is ErrNotFound, so that its existence does not leak.
func (w *Writer) GetOwned(id, keyID string) (*Record, error) { return w.get(id, keyID, true) }

func (w *Writer) get(id, keyID string, owned bool) (*Record, error) {
	if id == "" {
		return nil, ErrNotFound
	}
	var e *Summary
	err := w.db.Bolt.View(func(tx *bolt.Tx) error {
		byID, byKey, entries := w.node.GetBucket(tx, termBuckets[tID]), w.node.GetBucket(tx, termBuckets[tKey]), w.node.GetBucket(tx, entryBucket)
		if byID == nil || byKey == nil || entries == nil {
			return nil
		}
		own := cond{[]alt{{byKey, termPrefix(keyID)}}}
		it := newCursor(byID, termPrefix(id), nil, nil)
		for key := it.first(); key != nil; key = it.next() {
			if owned && !own.has(key) {
				continue
			}
			e = new(Summary)
			return w.node.Codec().Unmarshal(entries.Get(key), e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, ErrNotFound
	}
	return w.readLine(e)
}

// readLine reads the record at (File, Offset, Length) and checks that it is
// the one the index means.
func (w *Writer) readLine(e *Summary) (*Record, error) {
	if _, ok := parseSegment(e.File); !ok {
		return nil, fmt.Errorf("%w: bad file name %q", ErrStale, e.File)
	}
	f, err := os.Open(filepath.Join(w.opt.Dir, e.File))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is gone", ErrStale, e.File)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, e.Length)
	if _, err := f.ReadAt(buf, e.Offset); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s is shorter than offset %d", ErrStale, e.File, e.Offset)
		}
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(buf, &r); err != nil || r.ID != e.ID {
		return nil, fmt.Errorf("%w: %s at offset %d is not record %s", ErrStale, e.File, e.Offset, e.ID)
	}
	return &r, nil
}

// ValidStatus reports whether s is a valid Filter.Status: empty, "success",
// "error" or an HTTP status code (100–599).
func ValidStatus(s string) bool {
	switch strings.ToLower(s) {
	case "", "success", "error":
		return true
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 100 && n <= 599
}
