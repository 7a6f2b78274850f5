package usage

import (
	"reflect"
	"testing"
	"time"
)

// seedMix is a varied history: rows out of time order, several keys with
// names that change, failures of each class, streams and estimates, so that
// every part of what commit writes has something to disagree about.
func seedMix(i int) Record {
	r := row{
		at:       time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration((i*7919)%5000) * time.Minute),
		model:    []string{"glm-5", "qwen3", "deepseek-v4"}[i%3],
		provider: []string{"zhipu", "openrouter"}[(i/3)%2],
		key:      []string{"key_a", "key_b", "key_c", "key_d"}[(i/6)%4],
		up:       "up-" + []string{"x", "y"}[i%2],
		status:   []int{200, 200, 200, 201, 429, 503, 499, 0}[i%8],
		in:       i % 3000, out: i % 700, cr: i % 50, cw: i % 7, reasoning: i % 11,
		lat: int64(i % 130000), ttft: int64(i % 5 * 90),
	}.rec()
	r.KeyName = "name-" + r.KeyID + "-" + string(rune('0'+i/400)) // renamed as the history goes on
	r.Estimated = i%13 == 0
	r.RequestID = "req-" + string(rune('a'+i%26))
	return r
}

// TestSeedMatchesRecorder: the same records through Seed and through a
// running Recorder leave the same raw rows and answer the same reports.
func TestSeedMatchesRecorder(t *testing.T) {
	const n = 2000
	seeded, recorded := openDB(t), openDB(t)
	if err := Seed(seeded, n, 300, seedMix); err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(recorded, Options{Logger: quiet, RetentionDays: -1})
	for i := range n {
		rec.Record(seedMix(i))
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if rec.Committed() != n {
		t.Fatalf("recorder committed %d of %d", rec.Committed(), n)
	}

	a, b := rawRows(t, seeded), rawRows(t, recorded)
	if len(a) != n || !reflect.DeepEqual(a, b) {
		t.Fatalf("raw rows differ: seeded %d, recorded %d", len(a), len(b))
	}
	for i, r := range a {
		if r.ID != uint64(i+1) {
			t.Fatalf("row %d has ID %d, want %d", i, r.ID, i+1)
		}
	}
	qa, qb := NewQuerier(seeded), NewQuerier(recorded)
	for _, p := range []Params{
		{GroupBy: DimModel, Interval: Daily},
		{GroupBy: DimKey},
		{GroupBy: DimModel, Item: "glm-5"},
		{GroupBy: DimProvider, KeyID: "key_c", Interval: Hourly, To: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)},
	} {
		p.From = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		if p.To.IsZero() {
			p.To = p.From.AddDate(0, 0, 5)
		}
		ra, rb := mustSummary(t, qa, p), mustSummary(t, qb, p)
		if !reflect.DeepEqual(ra, rb) {
			t.Errorf("%+v: seeded and recorded reports differ:\n%+v\n%+v", p, ra, rb)
		}
		if p.Item == "" && p.KeyID == "" && ra.Total != n {
			t.Errorf("%+v: total %d, want %d", p, ra.Total, n)
		}
	}
}

// TestSeedAppends: a second Seed continues the numbering and adds into the
// existing rollups rather than replacing them; a batch larger than n and
// the default batch both work.
func TestSeedAppends(t *testing.T) {
	db := openDB(t)
	if err := Seed(db, 10, 1000, seedMix); err != nil {
		t.Fatal(err)
	}
	if err := Seed(db, 25, 0, func(i int) Record { return seedMix(i + 10) }); err != nil {
		t.Fatal(err)
	}
	all := rawRows(t, db)
	if len(all) != 35 || all[34].ID != 35 {
		t.Fatalf("%d rows, last ID %d; want 35, 35", len(all), all[len(all)-1].ID)
	}
	rep := mustSummary(t, NewQuerier(db), Params{From: allFrom, To: allTo})
	if rep.Total != 35 {
		t.Errorf("total %d, want 35", rep.Total)
	}
}

func TestSeedZeroTimeAndErrors(t *testing.T) {
	db := openDB(t)
	before := time.Now()
	if err := Seed(db, 1, 0, func(int) Record { return Record{Model: "m", Status: 200} }); err != nil {
		t.Fatal(err)
	}
	if got := rawRows(t, db)[0].Time; got.Before(before.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) {
		t.Errorf("zero Time stamped %v, want about now", got)
	}
	if err := Seed(db, 0, 0, seedMix); err != nil {
		t.Errorf("n=0: %v", err)
	}
	if err := Seed(db, -1, 0, seedMix); err == nil {
		t.Error("n=-1: no error")
	}
	if err := Seed(db, 1, 0, nil); err == nil {
		t.Error("nil source: no error")
	}
	db.Close() // cleanup closes it again; storm tolerates that
	if err := Seed(db, 5, 2, seedMix); err == nil {
		t.Error("closed database: no error")
	}
}
