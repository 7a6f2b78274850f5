package main

import (
	"fmt"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/usage"
)

// Report parts of the two phases that do not compare the gateway with the
// floor: the statistics query and the allocation counts.

const statsBudgetMS = 50 // DESIGN §16, at 1 M rows

// rowsLabel is "1 M" or "100 k".
func rowsLabel(n int) string {
	if n >= 1_000_000 && n%1_000_000 == 0 {
		return fmt.Sprintf("%d M", n/1_000_000)
	}
	return fmt.Sprintf("%d k", n/1000)
}

func statsSummaryRow(m *md, r *results) {
	st := r.Stats
	switch {
	case st == nil:
		m.row("Stats query over 1 M usage rows", fmt.Sprintf("≤ %d ms", statsBudgetMS), "not measured in this partial run", "", "—")
		return
	case st.Err != "":
		m.row("Stats query over "+rowsLabel(st.Rows)+" usage rows", fmt.Sprintf("≤ %d ms", statsBudgetMS),
			"failed: "+strings.ReplaceAll(st.Err, "|", "\\|"), "", "**not measured**")
		return
	}
	w := st.worst()
	if w == nil {
		m.row("Stats query over "+rowsLabel(st.Rows)+" usage rows", fmt.Sprintf("≤ %d ms", statsBudgetMS), "no answers", "", "**not measured**")
		return
	}
	errs := 0
	for _, q := range st.Queries {
		errs += q.Errors
	}
	title := fmt.Sprintf("Stats query over %s usage rows: worst median of %d `/api/usage` queries over HTTP (%s)",
		rowsLabel(st.Rows), len(st.Queries), w.Name)
	v := verdict(w.P50MS <= statsBudgetMS && errs == 0, true)
	if st.Note != "" {
		title += " — **" + st.Note + "**"
		v = "— (quick)"
	}
	val := fmt.Sprintf("%.1f ms (p99 %.1f ms; gateway CPU %.1f ms)", w.P50MS, w.P99MS, w.CPUMS)
	if errs > 0 {
		val += fmt.Sprintf(", %d failed requests", errs)
	}
	m.row(title, fmt.Sprintf("≤ %d ms", statsBudgetMS), val, "", v)
}

func allocsSummaryRow(m *md, r *results) {
	a := r.Allocs
	const what = "Allocations per request (`" + allocsTest + "`, whole handler; count / cap per lane)"
	switch {
	case a == nil:
		m.row(what, "unit-test caps", "not measured in this partial run", "", "—")
		return
	case len(a.Lanes) == 0:
		m.row(what, "unit-test caps", "test did not report (see its section below)", "", "**not measured**")
		return
	}
	var parts []string
	ok := a.Passed
	for _, l := range a.Lanes {
		parts = append(parts, fmt.Sprintf("%s %.0f / %.0f", l.Lane, l.Allocs, l.Cap))
		ok = ok && l.Allocs <= l.Cap
	}
	m.row(what, "unit-test caps", strings.Join(parts, "; "), "", verdict(ok, true))
}

func statsDetails(m *md, r *results, n int) {
	st := r.Stats
	if st == nil {
		return
	}
	m.p("## %d. Statistics over a month of usage (admin API)\n", n)
	m.p("A gateway (CPU 1, features-on config) started on a workspace whose `data/modelswitch.db` holds %d usage rows spread",
		st.Rows)
	failed := 0
	for _, c := range statsStatus {
		if c >= 400 {
			failed++
		}
	}
	m.p("evenly over %s – %s (UTC): %d keys, %d models on %d providers each, %.0f %% failures (429, 503, 499). The rows go in",
		st.From, st.To, len(statsKeys), len(statsModels), len(statsProviders), 100*float64(failed)/float64(len(statsStatus)))
	m.p("through `usage.Seed`, i.e. the Recorder's own commit, so raw rows, rollups and key names are what real traffic leaves;")
	m.p("the same shape as `go test -bench SummaryOneMillionRows ./gateway/usage/`, which times the query in-process.")
	if st.Note != "" {
		m.p("\n**%s**: the figures below do not test the 1 M-row budget; a full run does.", st.Note)
	}
	m.p("")
	if st.Err != "" {
		m.p("Not measured: `%s`\n", st.Err)
		return
	}
	m.head("", "")
	m.row("Rows seeded / hourly rollups", fmt.Sprintf("%d / %d", st.Rows, st.Rollups))
	m.row(fmt.Sprintf("Seeding time (orchestrator on CPU 0, one commit per %d rows)", usage.DefaultSeedBatch), fmt.Sprintf("%.1f s (%.0f rows/s)", st.SeedS, float64(st.Rows)/max(st.SeedS, 1e-9)))
	m.row("Database size", fmb(st.DBBytes/1024))
	m.row("Startup to healthy on this workspace", fmt.Sprintf("%.1f ms", st.StartupMS))
	m.row("Load average / CPU pressure (PSI some avg60) as the timed requests began", st.Load+" / "+st.PSI)
	m.row("Requests", fmt.Sprintf("%d warm-up per query, then %d timed rounds of all queries interleaved, c=1, one keep-alive connection", st.Warmup, st.Timed))
	m.p("\nTime = request sent → last byte of the JSON answer (admin key). Gateway CPU = its on-CPU time per request")
	m.p("(schedstat, median): on a busy box the latency includes waiting for CPU 1, this does not. \"Counted\" is the answer's")
	m.p("`total`, the requests the report covers.\n")
	m.head("Query", "median", "p99", "max", "gateway CPU", "counted", "groups / points", "answer", "verdict", "request")
	for _, q := range st.Queries {
		v := verdict(q.P50MS <= statsBudgetMS && q.Errors == 0, q.Requests > 0 && st.Note == "")
		if q.Errors > 0 {
			v += fmt.Sprintf(" (%d errors: `%.120s`)", q.Errors, strings.ReplaceAll(q.FirstError, "|", "\\|"))
		}
		m.row(q.Name, fmt.Sprintf("%.2f ms", q.P50MS), fmt.Sprintf("%.2f ms", q.P99MS), fmt.Sprintf("%.2f ms", q.MaxMS),
			fmt.Sprintf("%.2f ms", q.CPUMS), fmt.Sprint(q.Rows), fmt.Sprintf("%d / %d", q.Groups, q.Points), fmt.Sprintf("%.1f KB", float64(q.Bytes)/1024), v,
			"`GET "+q.Path+"`")
	}
	m.p("")
}

func allocsDetails(m *md, r *results, n int) {
	a := r.Allocs
	if a == nil {
		return
	}
	m.p("## %d. Allocations per request (unit test)\n", n)
	m.p("`%s` (%.0f s, build included), parsed from its log. The test counts with `testing.AllocsPerRun` (200 requests) through", a.Command, a.Seconds)
	m.p("the whole handler with metrics and the access log on, upstream round trip included; the usage and conversation sinks")
	m.p("are asynchronous and not attached. Counts do not depend on the machine's load; the caps live in the test.\n")
	if len(a.Lanes) == 0 {
		m.p("No figures: `%s`\n", a.Err)
		return
	}
	m.head("Lane", "allocs per request", "cap", "share of cap", "verdict")
	for _, l := range a.Lanes {
		m.row(l.Lane, fmt.Sprintf("%.0f", l.Allocs), fmt.Sprintf("%.0f", l.Cap), fmt.Sprintf("%.0f %%", 100*l.Allocs/max(l.Cap, 1)),
			verdict(l.Allocs <= l.Cap, l.Cap > 0))
	}
	if !a.Passed {
		m.p("\nThe test itself failed (`go test` exit status non-zero).")
	}
	m.p("")
}
