package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/modelswitch/modelswitch/bench/load"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// The stats phase (DESIGN §16: a statistics query over 1 M usage rows in
// ≤ 50 ms) measures what a user meets: a gateway started on a workspace whose
// database holds a month of usage, asked over its admin API. The rows go in
// through usage.Seed, i.e. the Recorder's own commit, so raw rows, time index,
// rollups and key names are exactly what a month of real traffic leaves.

const statsDays = 30

// Five keys, four virtual models on two providers each: 40 combinations, all
// present in every hour (≥ 139 rows an hour even at 100 k rows), so a month
// holds 28 800 hourly rollups — the figure a query's cost grows with.
var (
	statsModels    = []string{"glm-5", "qwen3", "deepseek-v4", "claude-sonnet"}
	statsProviders = []string{"primary", "fallback"}
	statsKeys      = []string{"key_a", "key_b", "key_c", "key_d", "key_e"}
	// Mostly 200, some rate limits, upstream failures and clients that left.
	statsStatus = []int{200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 503, 200, 200, 499}
)

// statsRecord is the i-th of n requests spread evenly over [from, from+30 d).
// The same shape as gateway/usage's BenchmarkSummaryOneMillionRows rows, so
// the HTTP figure here and that in-process one can be compared.
func statsRecord(i, n int, from time.Time) usage.Record {
	model, prov := statsModels[i%4], statsProviders[(i/4)%2]
	key := statsKeys[(i/8)%5]
	r := usage.Record{
		RequestID: "req-" + strconv.Itoa(i), Time: from.Add(time.Duration(i) * (statsDays * 24 * time.Hour / time.Duration(n))),
		KeyID: key, KeyName: "bench " + key, Model: model, Provider: prov, UpstreamModel: prov + "/" + model,
		Protocol: []string{"anthropic", "openai", "anthropic"}[i%3], Stream: i%2 == 0, Attempts: 1 + i%17/16, // a retry now and then
		Status: statsStatus[i%len(statsStatus)], InputTokens: 1000 + i%5000, OutputTokens: 100 + i%900,
		CacheReadTokens: i % 20000, LatencyMs: int64(200 + i%9000), TTFTMs: int64(100 + i%700),
	}
	if !r.Stream {
		r.TTFTMs = 0
	}
	if r.Status >= 400 {
		r.Error = "upstream answered " + strconv.Itoa(r.Status)
	}
	return r
}

// statsQuery is one timed admin request.
type statsQuery struct {
	Name, Path     string
	Requests       int
	P50MS, P99MS   float64
	MaxMS          float64
	CPUMS          float64 // the gateway's on-CPU time per request (median), which waiting on a busy box does not inflate
	Rows           int64   // Report.total of the answer: the requests the report covered
	Groups, Points int
	Bytes          int
	Errors         int
	FirstError     string `json:",omitempty"`
}

type statsResult struct {
	Rows, Days    int
	From, To      string // the seeded range, UTC days [From, To]
	Rollups       int    // distinct (hour, model, provider, key) combinations written
	SeedS         float64
	DBBytes       int64
	StartupMS     float64 // process start → /health 200 on the seeded workspace
	Warmup, Timed int
	Load, PSI     string // at the start of the timed requests: the box is shared
	Queries       []statsQuery
	Err           string `json:",omitempty"`
	Note          string `json:",omitempty"` // why the row count is not the budget's
}

// worst is the query with the highest median.
func (s *statsResult) worst() *statsQuery {
	var w *statsQuery
	for i := range s.Queries {
		q := &s.Queries[i]
		if q.Requests > 0 && (w == nil || q.P50MS > w.P50MS) {
			w = q
		}
	}
	return w
}

// seedStats writes the workspace database at dir/data/modelswitch.db.
func seedStats(dir string, n int, from time.Time) (rollups int, took time.Duration, err error) {
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	db, err := store.Open(filepath.Join(dir, "data", store.FileName))
	if err != nil {
		return 0, 0, err
	}
	seen := map[[2]int64]struct{}{}
	err = usage.Seed(db, n, 0, func(i int) usage.Record {
		r := statsRecord(i, n, from)
		seen[[2]int64{int64(r.Time.Sub(from) / time.Hour), int64(i % 40)}] = struct{}{} // i%40 fixes model, provider and key
		return r
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return len(seen), time.Since(start), err
}

// measureStats seeds a workspace, starts a gateway on it (pinned like the
// others) and times the admin queries, interleaved so that a busy moment on
// the box spreads over all of them rather than spoiling one.
func (h *host) measureStats(ctx context.Context, gp gatewayParams, s settings, say func(string)) statsResult {
	// The month ends at today's UTC midnight, so every row is in the past and
	// within the default 90-day retention: the gateway prunes none of them.
	to := time.Now().UTC().Truncate(24 * time.Hour)
	from := to.AddDate(0, 0, -statsDays)
	res := statsResult{Rows: s.StatsRows, Days: statsDays, From: from.Format(time.DateOnly),
		To: to.AddDate(0, 0, -1).Format(time.DateOnly), Warmup: s.StatsWarmup, Timed: s.StatsRequests}
	if s.Quick {
		res.Note = "quick mode: " + strconv.Itoa(s.StatsRows/1000) + " k rows, not the budget's 1 M"
	}
	dir := filepath.Join(h.dir, "ws-stats")
	say(fmt.Sprintf("stats: seeding %d usage rows over %d days", s.StatsRows, statsDays))
	rollups, took, err := seedStats(dir, s.StatsRows, from)
	res.Rollups, res.SeedS = rollups, took.Seconds()
	if err != nil {
		res.Err = "seeding: " + err.Error()
		return res
	}
	if st, err := os.Stat(filepath.Join(dir, "data", store.FileName)); err == nil {
		res.DBBytes = st.Size()
	}
	gp.name, gp.workspace, gp.features = "stats", dir, true
	g, err := h.startGateway(gp)
	if err != nil {
		res.Err = "starting the gateway: " + err.Error()
		return res
	}
	defer g.p.stop()
	res.StartupMS = float64(g.startup.Microseconds()) / 1e3
	say(fmt.Sprintf("stats: seeded in %.1f s; %d × %d timed requests (+%d warm-up each)", res.SeedS, len(statsQueries(from, to)), s.StatsRequests, s.StatsWarmup))
	res.Load, res.PSI = loadAvg(), cpuPressure()
	res.Queries = timeQueries(ctx, g.url(""), g.p.pid, statsQueries(from, to), s.StatsWarmup, s.StatsRequests)
	return res
}

// statsQueries are the four report shapes of usage's in-process benchmark,
// as the admin UI asks for them (docs/admin-api.md).
func statsQueries(from, to time.Time) []statsQuery {
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	month := "date_from=" + day(from) + "&date_to=" + day(to.AddDate(0, 0, -1)) + "&tz=UTC"
	week := "date_from=" + day(to.AddDate(0, 0, -7)) + "&date_to=" + day(to.AddDate(0, 0, -1)) + "&tz=UTC"
	return []statsQuery{
		{Name: "month by model, daily series", Path: "/api/usage?group_by=model&interval=day&" + month},
		{Name: "month by key", Path: "/api/usage?group_by=api_key&" + month},
		{Name: "month drill-down: glm-5 by provider", Path: "/api/usage/glm-5/detail?group_by=model&sub_group=provider&" + month},
		{Name: "one key hourly over the last week", Path: "/api/keys/key_c/usage?group_by=provider&interval=hour&" + week},
	}
}

// timeQueries sends warm warm-up requests per query, then n timed rounds of
// all queries on one keep-alive connection; a request's time runs from
// sending to the last byte of the answer (JSON decoding is not timed). With
// pid ≠ 0 the gateway's schedstat is read around each request, outside the
// timed span, for its CPU per query.
func timeQueries(ctx context.Context, base string, pid int, qs []statsQuery, warm, n int) []statsQuery {
	c := &http.Client{Transport: load.NewTransport(1), Timeout: 30 * time.Second}
	defer c.CloseIdleConnections()
	get := func(q *statsQuery) ([]byte, time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+q.Path, nil)
		if err != nil {
			return nil, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+adminKey)
		t0 := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return nil, 0, err
		}
		b, err := io.ReadAll(resp.Body)
		d := time.Since(t0)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s: %.200s", resp.Status, b)
		}
		return b, d, err
	}
	fail := func(q *statsQuery, err error) {
		if q.Errors == 0 {
			q.FirstError = err.Error()
		}
		q.Errors++
	}
	for i := range qs {
		q := &qs[i]
		for range warm {
			if b, _, err := get(q); err != nil {
				fail(q, err)
			} else {
				describe(q, b)
			}
		}
	}
	times := make([][]time.Duration, len(qs))
	cpu := make([][]float64, len(qs))
	for range n {
		for i := range qs {
			if ctx.Err() != nil {
				return qs
			}
			var ns int64
			if pid != 0 {
				ns = cpuNS(pid)
			}
			if _, d, err := get(&qs[i]); err != nil {
				fail(&qs[i], err)
			} else {
				times[i] = append(times[i], d)
				if pid != 0 {
					cpu[i] = append(cpu[i], float64(cpuNS(pid)-ns)/1e6)
				}
			}
		}
	}
	for i := range qs {
		d := load.Summarise(times[i])
		qs[i].Requests, qs[i].P50MS, qs[i].P99MS, qs[i].MaxMS = d.N, d.P50/1e3, d.P99/1e3, d.Max/1e3
		qs[i].CPUMS = median(cpu[i])
	}
	return qs
}

// describe records what an answer covered: its total (requests counted),
// groups and series points, and its size.
func describe(q *statsQuery, body []byte) {
	var rep struct {
		Total  int64             `json:"total"`
		Groups []json.RawMessage `json:"groups"`
		Series []json.RawMessage `json:"series"`
	}
	if err := json.Unmarshal(body, &rep); err == nil {
		q.Rows, q.Groups, q.Points, q.Bytes = rep.Total, len(rep.Groups), len(rep.Series), len(body)
	}
}
