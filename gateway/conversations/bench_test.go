package conversations

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/store"
)

// BenchmarkWriterRecord is the writer goroutine's cost per record (encode,
// append, fsync and index, amortised over batches) with random request ids,
// as the gateway generates them, and bodies off as in "features off".
func BenchmarkWriterRecord(b *testing.B) {
	for _, tc := range []struct{ bodies, ids string }{{BodiesOff, "random"}, {BodiesOff, "timed"}, {BodiesFull, "timed"}} {
		bodies := tc.bodies
		b.Run(tc.bodies+"/"+tc.ids, func(b *testing.B) {
			dir := b.TempDir()
			db, err := store.Open(filepath.Join(dir, store.FileName))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			w, err := NewWriter(Options{Dir: filepath.Join(dir, "logs"), DB: db, LogBodies: bodies, Buffer: 1 << 16})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			recs := make([]Record, 1000)
			for i := range recs {
				recs[i] = rec(i)
				var id [12]byte
				_, _ = rand.Read(id[:])
				recs[i].ID = "req_" + hex.EncodeToString(id[:])
			}
			now := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := recs[i%len(recs)]
				r.Time = now.Add(time.Duration(i) * time.Microsecond)
				if tc.ids == "timed" {
					r.ID = fmt.Sprintf("req_%016x%s", r.Time.UnixNano(), r.ID[4:12])
				}
				w.Write(r)
				if i%maxBatch == maxBatch-1 {
					w.Sync() // keep the queue from overflowing
				}
			}
			w.Sync()
		})
	}
}
