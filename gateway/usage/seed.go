package usage

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/modelswitch/modelswitch/gateway/store"
)

// DefaultSeedBatch is Seed's transaction size when it is given none: large
// enough that a million rows take 20 commits (one fsync each), small enough
// that a batch's encoded rows stay a few tens of MB.
const DefaultSeedBatch = 50_000

// Seed stores n records, the i-th made by next(i), through the Recorder's
// own commit in transactions of batch rows (DefaultSeedBatch when ≤ 0). The
// database then holds exactly what a Recorder would have written for the
// same records in the same order: raw rows numbered in sequence, their time
// index, the hourly rollups and the key names. It skips only the channel
// and the batch window, which is what makes a million rows take seconds
// rather than the minutes Record's 500-row batches would.
//
// It exists for benchmarks and fixtures that need a large usage history
// (bench's stats phase, DESIGN §16's 1 M-row query). Retention is not
// applied: rows older than RetentionDays stay until a gateway's Recorder
// prunes them. A zero Time is stamped with time.Now, as Record does. bbolt
// serialises writers, so a Recorder on the same db may run meanwhile; their
// rows interleave by transaction.
func Seed(db *store.DB, n, batch int, next func(i int) Record) error {
	if n < 0 {
		return fmt.Errorf("usage.Seed: negative row count %d", n)
	}
	if next == nil {
		return errors.New("usage.Seed: no record source")
	}
	if batch <= 0 {
		batch = DefaultSeedBatch
	}
	// A Recorder that is never started: commit needs its node, scratch maps
	// and key-name cache, not its goroutine or timer. Its logger only speaks
	// about a malformed existing rollup, which commit then replaces.
	r := newRecorder(db, Options{RetentionDays: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, newRealTimer())
	buf := make([]Record, 0, min(batch, max(n, 1)))
	for i := range n {
		rec := next(i)
		if rec.Time.IsZero() {
			rec.Time = time.Now()
		}
		buf = append(buf, rec)
		if len(buf) == cap(buf) || i == n-1 {
			if err := r.commit(buf); err != nil {
				return fmt.Errorf("usage.Seed: rows %d–%d: %w", i+1-len(buf), i, err)
			}
			clear(buf) // release the strings before the next batch fills
			buf = buf[:0]
		}
	}
	return nil
}
