package usage

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/store"
)

// BenchmarkRecord measures the request-path cost: a channel send of the
// value. The writer does not run; the timer stops while the test empties the
// queue every Buffer rows, so "queued" never drops and "full" always does.
func BenchmarkRecord(b *testing.B) {
	const buffer = 10000
	rec := row{at: t0, model: "glm-5", provider: "zhipu", key: "key_a", status: 200, in: 100, out: 50, lat: 300}.rec()
	for _, full := range []bool{false, true} {
		name := map[bool]string{false: "queued", true: "full"}[full]
		b.Run(name, func(b *testing.B) {
			tr := newTestRecorder(b, openDB(b), Options{Buffer: buffer, RetentionDays: -1}, false)
			for full && len(tr.ch) < buffer {
				tr.Record(rec)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if !full && i%buffer == 0 && i > 0 {
					b.StopTimer()
					for len(tr.ch) > 0 {
						<-tr.ch
					}
					b.StartTimer()
				}
				tr.Record(rec)
			}
			b.StopTimer()
			if !full && tr.Dropped() != 0 {
				b.Fatalf("%d rows dropped", tr.Dropped())
			}
			for len(tr.ch) > 0 { // let the cleanup's Close finish fast
				<-tr.ch
			}
		})
	}
}

// BenchmarkCommit measures the writer: rows per second through storm and the
// rollups, in batches of 500 (one fsync each).
func BenchmarkCommit(b *testing.B) {
	db := openDB(b)
	tr := newTestRecorder(b, db, Options{RetentionDays: -1}, false)
	batch := make([]Record, 500)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		for j := range batch {
			batch[j] = seedRecord(i)
			i++
		}
		if err := tr.commit(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "rows/s")
}

const (
	seedRows = 1_000_000
	seedDays = 30
)

var seedStart = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

// seedRecord is the i-th of a month of synthetic traffic: 4 virtual models
// on 2 providers each, 5 keys, a few failures.
func seedRecord(i int) Record {
	model := []string{"glm-5", "qwen3", "deepseek-v4", "claude-sonnet"}[i%4]
	prov := []string{"primary", "fallback"}[(i/4)%2]
	return Record{
		RequestID: "req-" + strconv.Itoa(i), Time: seedStart.Add(time.Duration(i) * (seedDays * 24 * time.Hour / seedRows)),
		KeyID: []string{"key_a", "key_b", "key_c", "key_d", "key_e"}[(i/8)%5], Model: model, Provider: prov,
		UpstreamModel: prov + "/" + model, Protocol: "anthropic", Stream: i%2 == 0,
		Status:      []int{200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 503}[i%11],
		InputTokens: 1000 + i%5000, OutputTokens: 100 + i%900, CacheReadTokens: i % 20000,
		LatencyMs: int64(200 + i%9000), TTFTMs: int64(100 + i%700),
	}
}

var (
	benchOnce  sync.Once
	benchDB    *store.DB
	benchDir   string
	benchErr   error
	benchSeedT time.Duration
)

// seedBench stores a million rows through the writer's own commit, in
// batches of 50 000 (the same rows and rollups the Recorder would produce,
// without a million-row channel).
func seedBench() {
	start := time.Now()
	benchDir, benchErr = os.MkdirTemp("", "usage-bench-")
	if benchErr != nil {
		return
	}
	benchDB, benchErr = store.Open(filepath.Join(benchDir, store.FileName))
	if benchErr != nil {
		return
	}
	w := newRecorder(benchDB, Options{Logger: quiet}, newManualTimer())
	batch := make([]Record, 0, 50_000)
	for i := 0; i < seedRows && benchErr == nil; i++ {
		batch = append(batch, seedRecord(i))
		if len(batch) == cap(batch) || i == seedRows-1 {
			benchErr = w.commit(batch)
			batch = batch[:0]
		}
	}
	benchSeedT = time.Since(start)
}

func closeBenchDB() {
	if benchDB != nil {
		benchDB.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
}

// BenchmarkSummaryOneMillionRows times month-range Summaries over a million
// stored rows (DESIGN §16: ≤ 50 ms). The figure is reported, not asserted.
func BenchmarkSummaryOneMillionRows(b *testing.B) {
	if testing.Short() {
		b.Skip("seeding a million rows takes too long for -short")
	}
	benchOnce.Do(seedBench)
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	b.Logf("seeded %d rows in %v", seedRows, benchSeedT.Round(time.Millisecond))
	q := NewQuerier(benchDB)
	month := Params{From: seedStart, To: seedStart.AddDate(0, 0, seedDays)}
	cases := []struct {
		name string
		p    Params
	}{
		{"by_model_daily_series", Params{GroupBy: DimModel, Interval: Daily}},
		{"by_key", Params{GroupBy: DimKey}},
		{"drill_model_to_provider", Params{GroupBy: DimModel, Item: "glm-5"}},
		{"one_key_hourly_week", Params{GroupBy: DimProvider, KeyID: "key_c", Interval: Hourly, To: seedStart.AddDate(0, 0, 7)}},
	}
	for _, c := range cases {
		p := c.p
		p.From = month.From
		if p.To.IsZero() {
			p.To = month.To
		}
		b.Run(c.name, func(b *testing.B) {
			var rep *Report
			for b.Loop() {
				var err error
				if rep, err = q.Summary(p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/query")
			b.ReportMetric(float64(rep.Total), "rows")
		})
	}
}
