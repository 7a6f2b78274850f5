package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// TestSeedStatsCoversTheQueriedMonth: every seeded row falls inside the
// days the month queries ask for, so "counted" must equal the rows seeded;
// the drill-down and the one-key week count their share.
func TestSeedStatsCoversTheQueriedMonth(t *testing.T) {
	const n = 20_000
	dir := t.TempDir()
	to := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, 0, -statsDays)
	rollups, _, err := seedStats(dir, n, from)
	if err != nil {
		t.Fatal(err)
	}
	if rollups != n { // under 40 rows an hour: each row is a combination of its own
		t.Errorf("%d rollups, want %d", rollups, n)
	}
	if first, last := statsRecord(0, n, from).Time, statsRecord(n-1, n, from).Time; first.Before(from) || !last.Before(to) {
		t.Errorf("rows span %v – %v, outside [%v, %v)", first, last, from, to)
	}
	db, err := store.Open(filepath.Join(dir, "data", store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := usage.NewQuerier(db)
	for _, sq := range statsQueries(from, to) {
		u, err := url.Parse(sq.Path)
		if err != nil {
			t.Fatal(err)
		}
		v := u.Query()
		day := func(k string, plus int) time.Time {
			d, err := time.Parse(time.DateOnly, v.Get(k))
			if err != nil {
				t.Fatalf("%s: %s: %v", sq.Name, k, err)
			}
			return d.AddDate(0, 0, plus)
		}
		p := usage.Params{From: day("date_from", 0), To: day("date_to", 1)} // the admin API's inclusive days
		want := int64(n)
		switch {
		case strings.Contains(sq.Path, "/detail"):
			p.GroupBy, p.Item, want = usage.DimModel, "glm-5", n/4
		case strings.HasPrefix(sq.Path, "/api/keys/key_c/"):
			p.KeyID = "key_c"
			if !p.To.Equal(to) || p.From != to.AddDate(0, 0, -7) {
				t.Errorf("%s: week %v – %v, want the last 7 days before %v", sq.Name, p.From, p.To, to)
			}
			want = -1 // a fifth of a week's rows; only checked to be some
		}
		rep, err := q.Summary(p)
		if err != nil {
			t.Fatal(err)
		}
		if (want >= 0 && rep.Total != want) || rep.Total <= 0 {
			t.Errorf("%s: counted %d, want %d", sq.Name, rep.Total, want)
		}
	}
}

// TestStatsMixEveryHour: at the quick size already every hour holds all 40
// combinations, so a quick run walks as many rollups as a full one (the
// report's "hourly rollups" row shows it); only the counters' sizes differ.
func TestStatsMixEveryHour(t *testing.T) {
	const n = 100_000
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := map[[2]int64]bool{}
	for i := range n {
		r := statsRecord(i, n, from)
		seen[[2]int64{int64(r.Time.Sub(from) / time.Hour), int64(i % 40)}] = true
	}
	if want := statsDays * 24 * 40; len(seen) != want {
		t.Errorf("%d combinations, want %d", len(seen), want)
	}
}

// TestTimeQueries: the admin key is sent, answers are described, failures
// counted, and the distribution comes from the timed rounds only.
func TestTimeQueries(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.Header.Get("Authorization") != "Bearer "+adminKey {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		if strings.Contains(r.URL.Path, "broken") {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Write([]byte(`{"total":1234,"groups":[{},{},{}],"series":[{},{}]}`))
	}))
	defer srv.Close()
	qs := timeQueries(context.Background(), srv.URL, 0, []statsQuery{{Name: "ok", Path: "/api/usage"}, {Name: "bad", Path: "/broken"}}, 2, 5)
	if hits != 14 {
		t.Errorf("%d requests, want 2×(2 warm-up + 5 timed)", hits)
	}
	ok, bad := qs[0], qs[1]
	if ok.Requests != 5 || ok.Rows != 1234 || ok.Groups != 3 || ok.Points != 2 || ok.Errors != 0 || ok.P50MS <= 0 || ok.P99MS < ok.P50MS {
		t.Errorf("ok query: %+v", ok)
	}
	if bad.Requests != 0 || bad.Errors != 7 || !strings.Contains(bad.FirstError, "500") {
		t.Errorf("bad query: %+v", bad)
	}
	st := statsResult{Queries: qs}
	if w := st.worst(); w == nil || w.Name != "ok" {
		t.Errorf("worst = %+v, want the query that answered", w)
	}
}

func TestParseAllocs(t *testing.T) {
	out := `=== RUN   TestAllocationsPerRequest
    allocs_test.go:81: pass-through OpenAI: 193 allocs per request (cap 250)
    allocs_test.go:81: Anthropic client on OpenAI upstream: 258 allocs per request (cap 330)
    allocs_test.go:83: Anthropic client on OpenAI upstream: 400 allocations per request, over the cap of 330
--- PASS: TestAllocationsPerRequest (0.12s)
`
	got := parseAllocs(out)
	if len(got) != 2 || got[0] != (allocLane{"pass-through OpenAI", 193, 250}) || got[1] != (allocLane{"Anthropic client on OpenAI upstream", 258, 330}) {
		t.Fatalf("%+v", got)
	}
}

func TestOnlyPhases(t *testing.T) {
	for env, want := range map[string]string{"": "", "stats": "stats", " allocs , stats,allocs": "allocs,stats", "desktop,allocs": "desktop,allocs"} {
		got, err := onlyPhases(env)
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("%q: %v, %v; want %q", env, got, err, want)
		}
	}
	if _, err := onlyPhases("stats,latency"); err == nil {
		t.Error("unknown phase accepted")
	}
}

// TestPartialReport: a partial run's report has the two rows filled or
// marked, and none of the empty floor tables.
func TestPartialReport(t *testing.T) {
	r := &results{Only: []string{"stats"}, Pinned: true, Settings: settingsFor(true),
		Stats: &statsResult{Rows: 100_000, Note: "quick mode: 100 k rows, not the budget's 1 M",
			Queries: []statsQuery{{Name: "month by key", Requests: 30, P50MS: 7.5, P99MS: 12}}}}
	out := string(report(r))
	for _, want := range []string{"Stats query over 100 k usage rows", "7.5 ms (p99 12.0 ms; gateway CPU 0.0 ms)", "— (quick)",
		"not measured in this partial run", "BENCH_ONLY=stats"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, unwanted := range []string{"## 1. Added latency", "Per-chunk delay", "c=1 cells"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("partial report has %q", unwanted)
		}
	}
	r.Stats = &statsResult{Rows: 1_000_000, Queries: []statsQuery{{Name: "a", Requests: 9, P50MS: 51}, {Name: "b", Requests: 9, P50MS: 3}}}
	if out := string(report(r)); !strings.Contains(out, "Stats query over 1 M usage rows") || !strings.Contains(out, "51.0 ms (p99 0.0 ms; gateway CPU 0.0 ms) |  | **missed**") {
		t.Errorf("over-budget run not marked missed:\n%s", out)
	}
}

// TestFullReportSections: in a full run's report the two phases come after
// the floor comparisons as §10 and §11, and the "not covered" line no longer
// lists them.
func TestFullReportSections(t *testing.T) {
	r := &results{Pinned: true, Settings: settingsFor(false),
		Stats:  &statsResult{Rows: 1_000_000, Queries: []statsQuery{{Name: "month by key", Requests: 200, P50MS: 12, P99MS: 20, CPUMS: 6}}},
		Allocs: &allocsResult{Passed: true, Lanes: []allocLane{{"pass-through OpenAI", 199, 250}}}}
	out := string(report(r))
	for _, want := range []string{"## 10. Statistics over a month of usage", "## 11. Allocations per request",
		"12.0 ms (p99 20.0 ms; gateway CPU 6.0 ms) |  | met", "pass-through OpenAI 199 / 250 |  | met", "## What the numbers mean"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(out, "not measured here") || strings.Contains(out, "the stats query over 1 M rows, failure") {
		t.Error("report still calls the phases unmeasured")
	}
	r.Allocs = &allocsResult{Err: "exit status 1: build failed"}
	if out := string(report(r)); !strings.Contains(out, "test did not report (see its section below) |  | **not measured**") {
		t.Error("a failed allocation test is not marked")
	}
}
