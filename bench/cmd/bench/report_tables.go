package main

import (
	"fmt"
	"sort"
	"strings"
)

var gateways = []string{"on", "off"}

func pair(s *stats, a, b func(*stats) []float64) string {
	if len(a(s)) == 0 {
		if s.FirstError != "" {
			return "error"
		}
		return "—"
	}
	return fmt.Sprintf("%.0f / %.0f", median(a(s)), median(b(s)))
}

// latencyTable prints one row per cell: p50/p99 per target and the added figures.
func latencyTable(m *md, rs []cellResult, a, b func(*stats) []float64, what string) {
	m.head("Cell", "direct "+what, "floor", "on", "off", "on − floor p50 / p99", "off − floor p50", "on − direct p50", "budget", "verdict")
	for i := range rs {
		c := &rs[i]
		if len(a(c.T["on"])) == 0 || len(a(c.T["floor"])) == 0 {
			m.row(c.Cell.Title, pair(c.T["direct"], a, b), pair(c.T["floor"], a, b), pair(c.T["on"], a, b), pair(c.T["off"], a, b), "", "", "", "", "no data")
			continue
		}
		on50, on99 := over(c, "on", "floor", a), over(c, "on", "floor", b)
		budget := "—"
		if c.Cell.Budget > 0 {
			budget = fmt.Sprintf("≤ %.0f", c.Cell.Budget)
		}
		title := c.Cell.Title
		if c.Rerun {
			title += " (rerun)"
		}
		m.row(title, pair(c.T["direct"], a, b), pair(c.T["floor"], a, b)+noisy(a(c.T["floor"])),
			pair(c.T["on"], a, b)+noisy(a(c.T["on"])), pair(c.T["off"], a, b)+noisy(a(c.T["off"])),
			fmt.Sprintf("%+.0f / %+.0f", on50, on99), fmt.Sprintf("%+.0f", over(c, "off", "floor", a)),
			fmt.Sprintf("%+.0f", over(c, "on", "direct", a)), budget, verdict(on50 <= c.Cell.Budget, c.Cell.Budget > 0))
	}
	m.p("")
}

func cpuTable(m *md, rs []cellResult) {
	m.head("Cell", "floor", "on", "off", "on − floor", "off − floor")
	for _, c := range rs {
		f, on, off := median(c.T["floor"].CPU), median(c.T["on"].CPU), median(c.T["off"].CPU)
		m.row(c.Cell.Title, fmt.Sprintf("%.0f", f), fmt.Sprintf("%.0f", on), fmt.Sprintf("%.0f", off),
			fmt.Sprintf("%+.0f", on-f), fmt.Sprintf("%+.0f", off-f))
	}
	m.p("")
}

func errorsOf(groups ...[]cellResult) []string {
	var out []string
	for _, rs := range groups {
		for _, c := range rs {
			for _, t := range []string{"direct", "floor", "on", "off"} {
				if s := c.T[t]; s != nil && s.Errors > 0 {
					out = append(out, fmt.Sprintf("%s via %s: %d errors, first: `%.200s`", c.Cell.ID, t, s.Errors, s.FirstError))
				}
			}
		}
	}
	return out
}

// cellSections are the c=1 tables, numbered n and n+1: whole answers and
// time to first token.
func cellSections(m *md, r *results, n int) {
	m.p("## %d. Added latency at c=1, whole answers (µs, p50 / p99)\n", n)
	latencyTable(m, r.Latency, p50, p99, "p50 / p99")
	m.p("CPU time spent by the proxy per request in the same cells (µs, from `/proc/PID/task/*/schedstat`; at c=1 it includes")
	m.p("the runtime's spinning and parking between requests, so only the differences mean work):\n")
	cpuTable(m, r.Latency)

	m.p("## %d. Streaming: time to first token at c=1 (µs, p50 / p99)\n", n+1)
	m.p("8 chunks, no pause; TTFT = request sent → first SSE `data:` line holding the first token (the gateway holds the")
	m.p("prelude back until content arrives, DESIGN §7, so `message_start` does not count; for a Responses client, the first")
	m.p("`response.output_text.delta`, since the `.done` events repeat the whole text).\n")
	latencyTable(m, r.Stream, t50, t99, "p50 / p99")
	m.p("CPU per streamed request (µs):\n")
	cpuTable(m, r.Stream)
}

func details(m *md, r *results) {
	cellSections(m, r, 1)

	m.p("## 3. Per-chunk delay (µs between token lines, p50 / p99)\n")
	m.p(fmt.Sprintf("The mock paces 8 tokens %d ms apart; %d streams per round (%d at once), %d rounds. The gateway should add nothing "+
		"between tokens and never merge two into one line (a merged line fails the run as a wrong token count).\n",
		r.Settings.GapMS, r.Settings.PacedStreams, min(r.Settings.PacedStreams, 8), r.Settings.PacedRounds))
	m.head("Lane", "direct", "floor", "on", "off", "on − floor p50", "off − floor p50")
	for i := range r.Paced {
		c := &r.Paced[i]
		m.row(c.Cell.Title, pair(c.T["direct"], gap50, gap99), pair(c.T["floor"], gap50, gap99), pair(c.T["on"], gap50, gap99),
			pair(c.T["off"], gap50, gap99), fadd(over(c, "on", "floor", gap50)), fadd(over(c, "off", "floor", gap50)))
	}
	m.p("")

	m.p("## 4. Throughput at c=32, proxies on one core\n")
	m.head("Cell", "direct req/s", "floor req/s", "on req/s", "off req/s", "on / floor", "off / floor", "on / off",
		"latency p50 / p99, floor", "on")
	for _, t := range r.Throughput {
		d, f, on, off := median(t.T["direct"].RPS), median(t.T["floor"].RPS), median(t.T["on"].RPS), median(t.T["off"].RPS)
		m.row(t.Cell.Title, fmt.Sprintf("%.0f", d), fmt.Sprintf("%.0f", f), fmt.Sprintf("%.0f", on), fmt.Sprintf("%.0f", off),
			fmt.Sprintf("%.0f %%", 100*on/f), fmt.Sprintf("%.0f %%", 100*off/f), fmt.Sprintf("%.0f %%", 100*on/off),
			fmt.Sprintf("%.0f / %.0f µs", median(t.T["floor"].P50), median(t.T["floor"].P99)),
			fmt.Sprintf("%.0f / %.0f µs", median(t.T["on"].P50), median(t.T["on"].P99)))
	}
	m.p("\nCPU per request at c=32 (µs; utime+stime ticks ÷ requests, schedstat ns in brackets) and peak RSS while the cell ran")
	m.p("(cells run interleaved, so a peak includes what earlier cells left behind):\n")
	m.head("Cell", "floor", "on", "off", "on / floor", "peak RSS floor / on / off")
	for _, t := range r.Throughput {
		ns := func(s *tpStats) float64 { return float64(s.NS) / 1e3 / float64(max(s.Reqs, 1)) }
		f, on, off := t.T["floor"], t.T["on"], t.T["off"]
		m.row(t.Cell.Title, fmt.Sprintf("%.1f (%.1f)", f.cpuPerReqTicks(r.ClkTck), ns(f)), fmt.Sprintf("%.1f (%.1f)", on.cpuPerReqTicks(r.ClkTck), ns(on)),
			fmt.Sprintf("%.1f (%.1f)", off.cpuPerReqTicks(r.ClkTck), ns(off)), fmt.Sprintf("%.2f×", on.cpuPerReqTicks(r.ClkTck)/f.cpuPerReqTicks(r.ClkTck)),
			fmt.Sprintf("%s / %s / %s", fmb(f.Peak.VmRSS), fmb(on.Peak.VmRSS), fmb(off.Peak.VmRSS)))
	}
	m.p("")
	for _, t := range r.Throughput {
		for _, g := range []string{"direct", "floor", "on", "off"} {
			if s := t.T[g]; s.Errors > 0 {
				m.p("- throughput %s via %s: %d errors, first: `%.200s`", t.Cell.ID, g, s.Errors, s.FirstError)
			}
		}
	}

	m.p("## 5. Concurrent streams\n")
	m.p(fmt.Sprintf("%d streams opened at once (OpenAI pass-through), each %d tokens %d ms apart (ideal %.2f s).\n",
		r.Settings.HoldStreams, r.Settings.HoldChunks, r.Settings.HoldGap, float64((r.Settings.HoldChunks-1)*r.Settings.HoldGap)/1000))
	m.p("With %d streams the load generator and the mock share CPU 0 and fall behind, so token lines pile up in socket buffers:",
		r.Settings.HoldStreams)
	m.p("the wall time and the worst gap, next to direct's, are what to read here.\n")
	m.head("Target", "complete", "errors", "wall time", "TTFT p99", "gap p99 / max", "peak RSS")
	for _, h := range r.Hold {
		m.row(h.Target, fmt.Sprintf("%d/%d", h.Completed, h.Streams), fmt.Sprint(h.Errors), fmt.Sprintf("%.2f s", h.WallS),
			fmt.Sprintf("%.1f ms", h.TTFT99/1000), fmt.Sprintf("%.1f / %.1f ms", h.Gap99/1000, h.GapMax/1000), fmb(h.Peak.VmRSS))
		if h.FirstError != "" {
			defer m.p("- %s: first error `%.200s`", h.Target, h.FirstError)
		}
	}
	m.p("")

	m.p("## 6. Fall-over behind an open breaker\n")
	m.p("Model `gpt-fallover` chains a primary on a port nobody listens on (breaker opens after 1 failure, for an hour) and the")
	m.p("mock. The first request finds the primary dead; later ones should skip it at once.\n")
	m.head("Gateway", "first request (breaker closed)", "healthy path p50 / p99", "dead primary skipped p50 / p99", "added p50")
	if fo := r.Fallover.Rounds; len(fo) == 2 {
		for _, g := range gateways {
			m.row(g, fus(r.Fallover.FirstUS[g]), pair(fo[0].T[g], p50, p99), pair(fo[1].T[g], p50, p99),
				fadd(median(fo[1].T[g].P50)-median(fo[0].T[g].P50)))
		}
	}
	m.p("")

	m.p("Routing (issue 18): model `gpt-routed` has five routes whose conditions the request does not meet (input size,")
	m.p("thinking, web search, images, a header), so each is evaluated and the model's own adapter serves; `unrouted` is")
	m.p("the same adapter without routes, measured interleaved with it. `go test -bench ChooseFiveRoutes ./gateway/routing`")
	m.p("times the rule evaluation alone.\n")
	m.head("Gateway", "no routes p50 / p99", "five routes p50 / p99", "added p50")
	if rt := r.Routing; len(rt) == 2 {
		for _, g := range gateways {
			m.row(g, pair(rt[0].T[g], p50, p99), pair(rt[1].T[g], p50, p99), fadd(median(rt[1].T[g].P50)-median(rt[0].T[g].P50)))
		}
	}
	m.p("")

	m.p("## 7. Memory (`/proc/PID/status`)\n")
	m.head("Process", "point", "VmRSS", "RssAnon", "RssFile")
	var names []string
	for n := range r.Memory {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var points []string
		for p := range r.Memory[n] {
			points = append(points, p)
		}
		sort.Strings(points)
		for _, p := range points {
			mm := r.Memory[n][p]
			_, label, _ := strings.Cut(p, " ") // points carry an ordering number
			m.row(n, label, fmb(mm.VmRSS), fmb(mm.RssAnon), fmb(mm.RssFile))
		}
	}
	m.p("")

	if len(r.Disk) > 0 {
		m.p("Written to the workspaces over the whole run (all cells, all rounds):\n")
		m.head("Gateway", "requests (/metrics)", "conversations*.jsonl kept", "records deleted by rotation", "per kept record",
			"gateway.log", "data/modelswitch.db", "per request")
		for _, g := range gateways {
			d := r.Disk[g]
			n, kept := max(d["requests"], 1), max(d["requests"]-d["deleted records"], 1)
			m.row(g, fmt.Sprint(d["requests"]), fmb(d["conversations"]/1024), fmt.Sprint(d["deleted records"]),
				fmt.Sprintf("%.1f KB", float64(d["conversations"])/1024/float64(kept)),
				fmb(d["gateway.log"]/1024), fmb(d["db"]/1024), fmt.Sprintf("%.1f KB", float64(d["db"])/1024/float64(n)))
		}
		m.p("\nThe mix is dominated by 1 KB cells; a 76 KB Claude Code request alone makes a record of about twice its size")
		m.p("with `log_bodies: full` (the client's body and the upstream body are both kept).")
		m.p("")
	}

	m.p("## 8. Startup to healthy\n")
	m.p("Process start (fork/exec) → first `GET /health` 200, polled every 250 µs; gateway on CPU 1, features-on config.")
	m.p("Cold = empty workspace (creates the database); warm = the workspace of the previous start. Idle RSS 500 ms later.\n")
	m.head("Kind", "starts", "median", "min", "max", "idle VmRSS (median)", "idle RssAnon (median)")
	for _, s := range r.Startups {
		if len(s.MS) == 0 {
			continue
		}
		lo, hi := s.MS[0], s.MS[0]
		var rss, anon []float64
		for i, x := range s.MS {
			lo, hi = min(lo, x), max(hi, x)
			rss, anon = append(rss, float64(s.IdleRSS[i].VmRSS)), append(anon, float64(s.IdleRSS[i].RssAnon))
		}
		m.row(s.Kind, fmt.Sprint(len(s.MS)), fmt.Sprintf("%.1f ms", median(s.MS)), fmt.Sprintf("%.1f ms", lo), fmt.Sprintf("%.1f ms", hi),
			fmb(int64(median(rss))), fmb(int64(median(anon))))
	}
	m.p("")

	profiles(m, r)
	if errs := errorsOf(r.Latency, r.Stream, r.Paced, r.Fallover.Rounds, r.Routing); len(errs) > 0 {
		m.p("## Errors during the rounds\n")
		for _, e := range errs {
			m.p("- %s", e)
		}
		m.p("")
	}
}

func profiles(m *md, r *results) {
	m.p("## 9. Where the gateway's CPU goes (perf)\n")
	for _, p := range r.Profiles {
		m.p("### %s\n", p.Title)
		if p.Err != "" {
			m.p("No profile: %s\n", p.Err)
			continue
		}
		m.p("`perf record -F 999 -g` on the gateway for %ds under load (%s). Self time by package, top functions by self",
			r.Settings.ProfileSecs, p.Samples)
		m.p("time, and ModelSwitch functions by inclusive time:\n")
		m.head("Package (self)", "%", "Function (self)", "%", "ModelSwitch (inclusive)", "%")
		for i := range max(len(p.Packages), len(p.Self), len(p.Ours)) {
			cell := func(ls []perfLine) (string, string) {
				if i >= len(ls) {
					return "", ""
				}
				return "`" + strings.ReplaceAll(trimSym(ls[i].Name), "|", "\\|") + "`", fmt.Sprintf("%.1f", ls[i].Pct)
			}
			a, ap := cell(p.Packages)
			b, bp := cell(p.Self)
			c, cp := cell(p.Ours)
			m.row(a, ap, b, bp, c, cp)
		}
		m.p("")
	}
}

func trimSym(s string) string {
	s = strings.TrimPrefix(s, "github.com/modelswitch/modelswitch/")
	if len(s) > 70 {
		s = s[:67] + "..."
	}
	return s
}
