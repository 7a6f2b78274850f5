package usage

import (
	"sync"
	"testing"
	"time"
)

// newPrices reprices a row at 10 nanos per input or output token for
// provider "p", and leaves provider "x" without a price.
func newPrices(rec *Record) {
	rec.Currency = "EUR"
	switch rec.Provider {
	case "p":
		rec.CostNanos, rec.Priced = int64(10*(rec.InputTokens+rec.OutputTokens)), true
	default:
		rec.CostNanos, rec.Priced = 0, false
	}
}

// costsAgree checks that the rollups' cost and priced count equal what the
// raw rows say, row by row summed.
func costsAgree(t *testing.T, rows []Record, rep *Report) {
	t.Helper()
	var cost, unpriced int64
	for i := range rows {
		cost += rows[i].PricedCost()
		if !rows[i].Priced {
			unpriced++
		}
	}
	if rep.Totals.CostNanos != cost || rep.Totals.Unpriced != unpriced {
		t.Errorf("rollups say %d nanos, %d unpriced; the rows %d, %d", rep.Totals.CostNanos, rep.Totals.Unpriced, cost, unpriced)
	}
}

func TestRecomputeRewritesRowsAndRollupsInTheRangeOnly(t *testing.T) {
	db := openDB(t)
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2) // recent: retention keeps it
	rows := []row{
		{at: day.Add(-time.Hour), model: "m", provider: "p", key: "k1", up: "u", status: 200, in: 100, out: 10, cost: 5}, // the day before: kept
		{at: day.Add(time.Hour), model: "m", provider: "p", key: "k1", up: "u", status: 200, in: 100, out: 10, cost: 5},  // → 1100
		{at: day.Add(time.Hour), model: "m", provider: "p", key: "k2", up: "u", status: 200, in: 1, out: 1},              // unpriced → 20
		{at: day.Add(2 * time.Hour), model: "m", provider: "x", key: "k1", up: "u", status: 200, in: 7, out: 7, cost: 9}, // priced → unpriced
		{at: day.Add(3 * time.Hour), model: "m", provider: "p", key: "k1", up: "u", status: 500},                         // 0, was unpriced → priced 0
	}
	r := recordAll(t, db, Options{}, rows...)
	type moved struct {
		key   string
		delta int64
	}
	var seen []moved
	res, err := r.Recompute(day, day.Add(24*time.Hour), newPrices, func(old, cur *Record) {
		seen = append(seen, moved{cur.KeyID, cur.PricedCost() - old.PricedCost()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || res.Changed != 4 || res.Before != 14 || res.After != 1120 {
		t.Errorf("result %+v, want 4 rows, 4 changed, 14 → 1120 nanos", res)
	}
	if !res.KeptSince.Equal(day.Add(-time.Hour)) {
		t.Errorf("kept since %v, want the oldest row's %v", res.KeptSince, day.Add(-time.Hour))
	}
	want := []moved{{"k1", 1095}, {"k2", 20}, {"k1", -9}, {"k1", 0}}
	if len(seen) != len(want) {
		t.Fatalf("changed rows %+v, want %+v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("changed row %d: %+v, want %+v", i, seen[i], want[i])
		}
	}
	stored := rawRows(t, db)
	q := NewQuerier(db)
	costsAgree(t, stored, mustSummary(t, q, Params{From: allFrom, To: allTo}))
	if stored[0].CostNanos != 5 || stored[0].Currency != "" {
		t.Errorf("a row outside the range was rewritten: %+v", stored[0])
	}
	for _, s := range stored[1:] {
		if s.Currency != "EUR" {
			t.Errorf("row %d keeps currency %q", s.ID, s.Currency)
		}
	}
	if rep := mustSummary(t, q, Params{From: day.Add(2 * time.Hour), To: day.Add(3 * time.Hour)}); rep.Totals.Cost != nil {
		t.Errorf("the hour whose only row lost its price still shows a cost: %v", *rep.Totals.Cost)
	}

	// Once more changes nothing.
	again, err := r.Recompute(day, day.Add(24*time.Hour), newPrices, func(_, _ *Record) { t.Error("a row changed on the second run") })
	if err != nil || again.Changed != 0 || again.After != 1120 || again.Before != 1120 {
		t.Errorf("second run %+v, %v", again, err)
	}
}

// TestRecomputeInChunksWhileRecording: a recompute over many rows, in small
// chunks, with new rows committed between and during its transactions,
// leaves the rollups equal to the rows.
func TestRecomputeInChunksWhileRecording(t *testing.T) {
	old := recomputeChunk
	recomputeChunk = 7
	t.Cleanup(func() { recomputeChunk = old })
	db := openDB(t)
	r := NewRecorder(db, Options{Logger: quiet, BatchSize: 5, BatchWindow: time.Millisecond})
	base := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	add := func(i int) {
		prov := "p"
		if i%3 == 0 {
			prov = "x"
		}
		r.Record(row{at: base.Add(time.Duration(i) * time.Minute), model: "m", provider: prov, key: "k", up: "u", status: 200, in: i, out: 1, cost: int64(i + 1)}.rec())
	}
	for i := range 100 {
		add(i)
	}
	// The first hundred must be committed before the recompute starts (a
	// fixed sleep was too short on a loaded CI box under -race).
	for deadline := time.Now().Add(10 * time.Second); len(rawRows(t, db)) < 100; {
		if time.Now().After(deadline) {
			t.Fatal("the first 100 rows were not committed within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 100; i < 200; i++ {
			add(i)
			time.Sleep(100 * time.Microsecond)
		}
	}()
	res, err := r.Recompute(base, base.Add(100*time.Minute), newPrices, nil)
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err != nil || res.Rows < 100 {
		t.Fatalf("recompute %+v, %v", res, err)
	}
	stored := rawRows(t, db)
	if len(stored) != 200 {
		t.Fatalf("%d rows stored, want 200", len(stored))
	}
	costsAgree(t, stored, mustSummary(t, NewQuerier(db), Params{From: allFrom, To: allTo}))
	for _, s := range stored[:100] {
		if s.Currency != "EUR" {
			t.Fatalf("row %d (recorded before the recompute) was not repriced: %+v", s.ID, s)
		}
	}
}
