package usage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneChunk bounds the rows one prune deletes, so that the writer goroutine
// returns to its queue quickly even after a long retention backlog.
const pruneChunk = 10000

// Raw rows live in rowsBucket under their ID (8 bytes, big-endian) as JSON;
// timeBucket indexes them by arrival (Unix nanoseconds, then the ID, both
// big-endian; empty values) so that pruning finds old rows in time order
// even when they were committed out of order.
const (
	rowsBucket = "rows"
	timeBucket = "rows_by_time"
)

func timeKey(t time.Time, id uint64) []byte {
	ns := t.UnixNano()
	if ns < 0 || t.Year() < 1970 {
		ns = 0
	}
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(ns)), id)
}

// appendFill is the FillPercent of buckets whose keys are appended in order.
const appendFill = 0.9

// commit saves batch and folds it into the hourly rollups in one bbolt
// transaction: after a crash either both are on disk or neither is.
func (r *Recorder) commit(batch []Record) error {
	tx, err := r.db.Bolt.Begin(true)
	if err != nil {
		return fmt.Errorf("beginning usage transaction: %w", err)
	}
	defer tx.Rollback() // after Commit it only returns ErrTxClosed
	var buckets [4]*bolt.Bucket
	for i, name := range []string{rowsBucket, timeBucket, hourlyBucket, keyNamesBucket} {
		if buckets[i], err = r.node.CreateBucketIfNotExists(tx, name); err != nil {
			return fmt.Errorf("creating usage bucket %s: %w", name, err)
		}
	}
	rows, byTime, hourly := buckets[0], buckets[1], buckets[2]
	// Rows and the time index only grow at their end: pages filled to 90 %
	// instead of bbolt's default half take fewer pages to write per commit
	// and half the file (bbolt's own advice for sequential keys).
	rows.FillPercent, byTime.FillPercent = appendFill, appendFill

	clear(r.sums)
	for i := range batch {
		rec := &batch[i]
		if rec.ID, err = rows.NextSequence(); err != nil {
			return fmt.Errorf("numbering usage row: %w", err)
		}
		rec.Time = rec.Time.UTC()
		raw, err := json.Marshal(rec) // bbolt keeps the slice until the commit: a fresh one per row
		if err != nil {
			return fmt.Errorf("encoding usage row: %w", err)
		}
		if err := rows.Put(binary.BigEndian.AppendUint64(nil, rec.ID), raw); err != nil {
			return fmt.Errorf("saving usage row: %w", err)
		}
		if err := byTime.Put(timeKey(rec.Time, rec.ID), nil); err != nil {
			return fmt.Errorf("indexing usage row: %w", err)
		}
		r.keyBuf = appendRollupKey(r.keyBuf[:0], rec)
		c := r.sums[string(r.keyBuf)]
		if c == nil {
			c = new(counters)
			r.sums[string(r.keyBuf)] = c
		}
		c.add(rec)
	}

	// The encoded rollups go into one slab that is only appended to, so
	// every slice handed to Put stays valid until the commit.
	slab := make([]byte, 0, len(r.sums)*64)
	for k, c := range r.sums {
		key := []byte(k)
		if old := hourly.Get(key); old != nil {
			var prev counters
			if err := prev.decodeAdd(old); err != nil {
				r.opt.Logger.Warn("usage: replacing a malformed rollup", "err", err)
			} else {
				c.merge(&prev)
			}
		}
		start := len(slab)
		slab = c.appendEncoded(slab)
		if err := hourly.Put(key, slab[start:len(slab):len(slab)]); err != nil {
			return fmt.Errorf("writing rollup: %w", err)
		}
	}
	if err := r.saveKeyNames(buckets[3], batch); err != nil {
		return err
	}
	return tx.Commit()
}

// saveKeyNames stores each key ID's latest name, so that a report grouped
// by key can show names although rollups hold only IDs.
func (r *Recorder) saveKeyNames(b *bolt.Bucket, batch []Record) error {
	for i := range batch {
		id, name := batch[i].KeyID, batch[i].KeyName
		if id == "" {
			continue
		}
		if old, ok := r.keyNames[id]; ok && old == name {
			continue
		}
		if old := b.Get([]byte(id)); old == nil || string(old) != name {
			if err := b.Put([]byte(id), []byte(name)); err != nil {
				return fmt.Errorf("writing key name: %w", err)
			}
		}
		r.keyNames[id] = name
	}
	return nil
}

// prune deletes up to pruneChunk raw rows that arrived before cutoff, oldest
// first, and reports whether it stopped at the chunk limit with more to do.
// Rollups are never pruned.
func (r *Recorder) prune(cutoff time.Time) (more bool, err error) {
	tx, err := r.db.Bolt.Begin(true)
	if err != nil {
		return false, fmt.Errorf("beginning prune transaction: %w", err)
	}
	defer tx.Rollback()
	rows, byTime := r.node.GetBucket(tx, rowsBucket), r.node.GetBucket(tx, timeBucket)
	if rows == nil || byTime == nil {
		return false, nil
	}
	limit := timeKey(cutoff, 0)
	var old [][]byte // collected first: deleting under a bbolt cursor can skip keys
	c := byTime.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0; k, _ = c.Next() {
		if len(old) == r.pruneChunk {
			more = true
			break
		}
		old = append(old, bytes.Clone(k))
	}
	if len(old) == 0 {
		return false, nil
	}
	for _, k := range old {
		if err := rows.Delete(k[8:]); err != nil {
			return false, fmt.Errorf("deleting usage row: %w", err)
		}
		if err := byTime.Delete(k); err != nil {
			return false, fmt.Errorf("deleting usage row index: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("committing prune: %w", err)
	}
	r.opt.Logger.Debug("usage: pruned raw rows", "rows", len(old), "before", cutoff)
	return more, nil
}
