package responses

import (
	"bytes"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// txn is one read-write transaction on the store's buckets, with the meta
// counters read at its start and written back at its end, so that the
// records, the time index and the totals always change together.
type txn struct {
	recs, byTime, meta *bolt.Bucket
	count, bytes       int64
}

// update runs fn in one bbolt read-write transaction.
func (s *Store) update(fn func(t *txn) error) error {
	return s.db.Bolt.Update(func(tx *bolt.Tx) error {
		var t txn
		for _, p := range []struct {
			b    **bolt.Bucket
			name string
		}{{&t.recs, recordsBucket}, {&t.byTime, byTimeBucket}, {&t.meta, metaBucket}} {
			var err error
			if *p.b, err = s.node.CreateBucketIfNotExists(tx, p.name); err != nil {
				return err
			}
		}
		// Index keys start with the creation time, so inserts land at the
		// end of the bucket: fuller pages, fewer pages per commit (bbolt's
		// advice for sequential keys).
		t.byTime.FillPercent = 0.9
		t.count, t.bytes = getUint(t.meta, metaCount), getUint(t.meta, metaBytes)
		if err := fn(&t); err != nil {
			return err
		}
		if err := t.meta.Put(metaCount, binary.BigEndian.AppendUint64(nil, uint64(max(t.count, 0)))); err != nil {
			return err
		}
		return t.meta.Put(metaBytes, binary.BigEndian.AppendUint64(nil, uint64(max(t.bytes, 0))))
	})
}

// remove deletes record id and its index entry, if present. With a keyID
// other than the record's it refuses (ErrConflict) instead, unless the
// record expired (created at or before cutoff): a Put must not replace
// another key's live record.
func (t *txn) remove(id []byte, keyID string, cutoff int64) error {
	v := t.recs.Get(id)
	if v == nil {
		return nil
	}
	h, err := decodeHeader(v)
	if err != nil {
		return err
	}
	if string(h.keyID) != keyID && h.created > cutoff {
		return ErrConflict
	}
	return t.drop(timeKey(h.created, string(id)), len(v))
}

// drop deletes the index entry k and its record (of n bytes when the
// caller knows it, else -1).
func (t *txn) drop(k []byte, n int) error {
	id := k[8:]
	if n < 0 {
		if v := t.recs.Get(id); v != nil {
			n = len(v)
		}
	}
	if n >= 0 {
		if err := t.recs.Delete(id); err != nil {
			return err
		}
		t.count--
		t.bytes -= int64(n)
	}
	return t.byTime.Delete(k)
}

// oldest returns a copy of the first index key (bbolt's may not outlive a
// change to the bucket), or nil.
func (t *txn) oldest() []byte {
	k, _ := t.byTime.Cursor().First()
	return bytes.Clone(k)
}

// pruneExpired drops up to limit records created at or before cutoff
// (unix nanos), oldest first.
func (t *txn) pruneExpired(cutoff int64, limit int) (int, error) {
	n := 0
	for ; n < limit; n++ {
		k := t.oldest()
		if len(k) < 8 || int64(binary.BigEndian.Uint64(k)) > cutoff {
			break
		}
		if err := t.drop(k, -1); err != nil {
			return n, err
		}
	}
	return n, nil
}

// pruneBounds drops the oldest records while the store holds more than
// MaxRecords or MaxBytes, up to limit of them (no limit when negative).
func (t *txn) pruneBounds(opt Options, limit int) (int, error) {
	n := 0
	for ; limit < 0 || n < limit; n++ {
		over := (opt.MaxRecords > 0 && t.count > int64(opt.MaxRecords)) || (opt.MaxBytes > 0 && t.bytes > opt.MaxBytes)
		if !over {
			break
		}
		k := t.oldest()
		if len(k) < 8 {
			break
		}
		if err := t.drop(k, -1); err != nil {
			return n, err
		}
	}
	return n, nil
}
