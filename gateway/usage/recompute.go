package usage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// recomputeChunk bounds the rows one recompute transaction rewrites, so the
// writer's commits (which wait for bbolt's single write lock) are held up for
// a few milliseconds at a time, not for the whole range.
var recomputeChunk = 2000

// Recomputed is what Recompute did.
type Recomputed struct {
	Rows    int   // raw rows in the range
	Changed int   // rows whose cost, price state or currency changed
	Before  int64 // nanos over the rows priced before
	After   int64 // nanos over the rows priced after
	// KeptSince is the arrival of the oldest raw row still stored (zero when
	// none): rollups of older hours keep the cost they were written with.
	KeptSince time.Time
}

// Recompute prices again every raw row that arrived in [from, to): reprice
// sets a row's CostNanos, Priced and Currency from the prices in force, and
// the row and its hourly rollup are rewritten by the difference (issue 17:
// a price change does not rewrite history; this does, on request). It works
// in transactions of recomputeChunk rows, each consistent on its own, and
// calls changed(old, new) for each rewritten row once its transaction is
// committed, so a caller can move derived totals (the key budgets) by the
// same difference. Rows pruned by retention are gone: their hours keep
// their cost. Safe to run while the Recorder writes.
func (r *Recorder) Recompute(from, to time.Time, reprice func(*Record), changed func(old, cur *Record)) (Recomputed, error) {
	var res Recomputed
	start, end := timeKey(from, 0), timeKey(to, 0)
	for {
		next, done, err := r.recomputeChunk(start, end, reprice, changed, &res)
		if err != nil || done {
			return res, err
		}
		start = next
	}
}

// recomputeChunk reprices up to recomputeChunk rows from start (a time key)
// up to end, and returns the time key to go on from.
func (r *Recorder) recomputeChunk(start, end []byte, reprice func(*Record), changed func(old, cur *Record), res *Recomputed) (next []byte, done bool, err error) {
	tx, err := r.db.Bolt.Begin(true)
	if err != nil {
		return nil, false, fmt.Errorf("beginning recompute transaction: %w", err)
	}
	defer tx.Rollback()
	rows, byTime, hourly := r.node.GetBucket(tx, rowsBucket), r.node.GetBucket(tx, timeBucket), r.node.GetBucket(tx, hourlyBucket)
	if rows == nil || byTime == nil || hourly == nil {
		return nil, true, nil // nothing recorded yet
	}
	if k, _ := byTime.Cursor().First(); len(k) == 16 && res.KeptSince.IsZero() {
		res.KeptSince = time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC()
	}
	var ids [][]byte // collected first: the loop below writes to the database
	c := byTime.Cursor()
	k, _ := c.Seek(start)
	for ; k != nil && bytes.Compare(k, end) < 0 && len(ids) < recomputeChunk; k, _ = c.Next() {
		if len(k) == 16 {
			ids = append(ids, bytes.Clone(k[8:]))
		}
	}
	done = k == nil || bytes.Compare(k, end) >= 0
	if !done {
		next = bytes.Clone(k)
	}

	type change struct{ old, cur Record }
	var changes []change
	deltas := map[string]*[2]int64{} // rollup key → (cost nanos, priced requests) to add
	var keyBuf []byte
	for _, id := range ids {
		raw := rows.Get(id)
		if raw == nil {
			continue // pruned between the index and the row: nothing to price
		}
		var old Record
		if err := json.Unmarshal(raw, &old); err != nil {
			r.opt.Logger.Warn("usage: recompute skips a malformed row", "id", binary.BigEndian.Uint64(id), "err", err)
			continue
		}
		res.Rows++
		cur := old
		reprice(&cur)
		res.Before += old.PricedCost()
		res.After += cur.PricedCost()
		if cur.CostNanos == old.CostNanos && cur.Priced == old.Priced && cur.Currency == old.Currency {
			continue
		}
		res.Changed++
		enc, err := json.Marshal(&cur)
		if err != nil {
			return nil, false, fmt.Errorf("encoding usage row: %w", err)
		}
		if err := rows.Put(id, enc); err != nil {
			return nil, false, fmt.Errorf("saving usage row: %w", err)
		}
		keyBuf = appendRollupKey(keyBuf[:0], &old)
		d := deltas[string(keyBuf)]
		if d == nil {
			d = new([2]int64)
			deltas[string(keyBuf)] = d
		}
		d[0] += cur.PricedCost() - old.PricedCost()
		d[1] += b2i(cur.Priced) - b2i(old.Priced)
		changes = append(changes, change{old, cur})
	}
	for key, d := range deltas {
		var sums counters
		if err := sums.decodeAdd(hourly.Get([]byte(key))); err != nil {
			r.opt.Logger.Warn("usage: recompute leaves a malformed rollup", "err", err)
			continue
		}
		sums[cCost] = addSigned(sums[cCost], d[0])
		sums[cPriced] = addSigned(sums[cPriced], d[1])
		if err := hourly.Put([]byte(key), sums.appendEncoded(nil)); err != nil {
			return nil, false, fmt.Errorf("writing rollup: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("committing recompute: %w", err)
	}
	if changed != nil {
		for i := range changes {
			changed(&changes[i].old, &changes[i].cur)
		}
	}
	return next, done, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// addSigned adds d to a counter slot, stopping at zero.
func addSigned(v uint64, d int64) uint64 {
	if d < 0 && uint64(-d) > v {
		return 0
	}
	return uint64(int64(v) + d)
}
