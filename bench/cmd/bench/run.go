package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// settings are the counts of one run (full, or quick with BENCH_QUICK=1).
type settings struct {
	Quick                            bool
	Rounds, Requests, Warmup         int // c=1 cells
	PacedRounds, PacedStreams, GapMS int
	TPRounds, TPRequests, TPConc     int
	HoldStreams, HoldChunks, HoldGap int
	AfterWait                        time.Duration
	StartRuns                        int
	ProfileSecs                      int
	StatsRows                        int // usage rows seeded for the stats phase
	StatsRequests, StatsWarmup       int // timed and warm-up requests per stats query
}

func settingsFor(quick bool) settings {
	if quick {
		return settings{Quick: true, Rounds: 3, Requests: 60, Warmup: 10, PacedRounds: 1, PacedStreams: 8, GapMS: 20,
			TPRounds: 1, TPRequests: 2000, TPConc: 32, HoldStreams: 1000, HoldChunks: 6, HoldGap: 50,
			AfterWait: 2 * time.Second, StartRuns: 2, ProfileSecs: 1,
			StatsRows: 100_000, StatsRequests: 30, StatsWarmup: 5} // ~3 s instead of ~25 s: seeding dominates
	}
	return settings{Rounds: 7, Requests: 300, Warmup: 30, PacedRounds: 5, PacedStreams: 16, GapMS: 20,
		TPRounds: 3, TPRequests: 20000, TPConc: 32, HoldStreams: 1000, HoldChunks: 20, HoldGap: 50,
		AfterWait: 30 * time.Second, StartRuns: 10, ProfileSecs: 5,
		StatsRows: 1_000_000, StatsRequests: 200, StatsWarmup: 20}
}

// results is everything one run measured; it is also written as JSON.
type results struct {
	Settings                settings
	Date, GoVersion, Commit string
	Gateway, GatewayVersion string
	CPU                     string
	Cores                   int
	Pinned                  bool
	PinNote                 string
	LoadBefore, LoadAfter   string
	PSIBefore, PSIAfter     string
	Sanity                  []string
	Latency, Stream, Paced  []cellResult
	Fallover                falloverResult
	Routing                 []cellResult // [no routes, five routes], targets on/off
	Throughput              []tpResult
	Hold                    []holdResult
	Memory                  map[string]map[string]mem // process → point → reading
	FirstStartMS            map[string]float64
	Startups                []startupResult
	Profiles                []profile
	Disk                    map[string]map[string]int64 // gateway → what → bytes
	ClkTck                  int64
	Only                    []string       // BENCH_ONLY: the phases this partial run measured; empty = all
	Stats                   *statsResult   // nil when not measured
	Allocs                  *allocsResult  // nil when not measured
	Desktop                 *desktopResult // nil when not measured
}

func runCmd(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	bin := fs.String("gateway", "bin/modelswitch", "gateway binary (built by `make build`)")
	outPath := fs.String("out", "docs/benchmarks.md", "report to write")
	desktopDir := fs.String("desktop", "bin/desktop", "desktop binaries (built by `make desktop`) for the desktop phase")
	_ = fs.Parse(args)
	only, err := onlyPhases(os.Getenv("BENCH_ONLY"))
	if err != nil {
		return err
	}
	outGiven := false
	fs.Visit(func(f *flag.Flag) { outGiven = outGiven || f.Name == "out" })
	if _, err := os.Stat(*bin); err != nil {
		return fmt.Errorf("gateway binary %s: %w (run `make build` first)", *bin, err)
	}
	absBin, _ := filepath.Abs(*bin)
	pinned, note := pinSelf()
	h, err := newHost(pinned, note)
	if err != nil {
		return err
	}
	h.desktop = *desktopDir
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer h.stopAll()
	s := settingsFor(os.Getenv("BENCH_QUICK") == "1")
	res := &results{Settings: s, Date: time.Now().Format("2006-01-02 15:04 MST"), GoVersion: runtime.Version(),
		Gateway: *bin, CPU: cpuModel(), Cores: cpuCount(), Pinned: pinned, PinNote: note, LoadBefore: loadAvg(), PSIBefore: cpuPressure(),
		Memory: map[string]map[string]mem{}, Disk: map[string]map[string]int64{}, FirstStartMS: map[string]float64{}, ClkTck: h.clkTck}
	res.Commit, res.Only = gitCommit(), only
	if len(only) > 0 && !outGiven { // a partial report must not replace docs/benchmarks.md by accident
		*outPath = filepath.Join(h.dir, "benchmarks.md")
	}
	if v, err := exec.Command(absBin, "--version").Output(); err == nil {
		res.GatewayVersion = strings.TrimSpace(string(v))
	}
	t0 := time.Now()
	say := func(msg string) { fmt.Fprintf(os.Stderr, "[%5.1fs] %s\n", time.Since(t0).Seconds(), msg) }
	if !pinned {
		say("WARNING: " + note)
	}
	say("scratch directory " + h.dir)
	if err := measureAll(ctx, h, absBin, s, res, say); err != nil {
		return err
	}
	res.LoadAfter, res.PSIAfter = loadAvg(), cpuPressure()
	if os.Getenv("BENCH_KEEP") != "1" { // the workspaces hold GBs of conversation logs after a full run
		ws, _ := filepath.Glob(filepath.Join(h.dir, "ws-*"))
		for _, d := range ws {
			_ = os.RemoveAll(d)
		}
	}
	raw, _ := json.MarshalIndent(res, "", " ")
	rawPath := filepath.Join(h.dir, "results.json")
	if err := os.WriteFile(rawPath, raw, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(*outPath, report(res), 0o644); err != nil {
		return err
	}
	say(fmt.Sprintf("wrote %s (raw figures in %s)", *outPath, rawPath))
	return ctx.Err()
}

func measureAll(ctx context.Context, h *host, bin string, s settings, res *results, say func(string)) error {
	if len(res.Only) > 0 {
		return measureOnly(ctx, h, bin, s, res, say)
	}
	r, err := h.startRig(ctx, bin, s, res)
	if err != nil {
		return err
	}
	gp, gws, all := r.gp, r.gws, r.all()
	on, off := r.on, r.off
	lat, str, paced := latencyCells(), streamCells(), pacedCells(s.GapMS)
	measureCells(ctx, r, lat, str, s, res, say)
	say("paced streams (per-chunk gap)")
	res.Paced = runRounds(ctx, paced, all, s.PacedRounds, min(s.PacedStreams, 8), s.PacedStreams, 0, say)
	say("fall-over behind an open breaker")
	res.Fallover = fallover(ctx, []target{on, off}, s.Rounds, s.Requests, s.Warmup, say)
	say("routing: five routes evaluated")
	res.Routing = routed(ctx, []target{on, off}, s.Rounds, s.Requests, s.Warmup, say)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	tp := []cell{cellByID(lat, "oa-1k"), cellByID(lat, "an2oa-1k")}
	if !s.Quick {
		tp = append(tp, cellByID(lat, "an-76k"))
	}
	say(fmt.Sprintf("throughput at c=%d: %d round(s) × %d requests", s.TPConc, s.TPRounds, s.TPRequests))
	res.Throughput = throughput(ctx, tp, all, s.TPRounds, s.TPConc, s.TPRequests, say)
	r.memPoint(res, "3 right after load")
	say(fmt.Sprintf("waiting %v for the after-load memory reading", s.AfterWait))
	select {
	case <-time.After(s.AfterWait):
	case <-ctx.Done():
		return ctx.Err()
	}
	r.memPoint(res, fmt.Sprintf("4 %v after load", s.AfterWait))
	say(fmt.Sprintf("%d concurrent streams", s.HoldStreams))
	res.Hold = holdStreams(ctx, all, s.HoldStreams, s.HoldChunks, s.HoldGap)
	if perf, err := exec.LookPath("perf"); err == nil {
		say("perf profiles of the gateway")
		res.Profiles = append(res.Profiles,
			h.profileGateway(ctx, perf, on.pid, on, cellByID(lat, "oa-1k"), s.TPConc, s.ProfileSecs, "OpenAI → OpenAI pass-through, 1 KB, c=32"))
		if !s.Quick {
			res.Profiles = append(res.Profiles,
				h.profileGateway(ctx, perf, off.pid, off, cellByID(lat, "oa-1k"), s.TPConc, s.ProfileSecs, "OpenAI → OpenAI pass-through, 1 KB, c=32, features off"))
		}
		res.Profiles = append(res.Profiles,
			h.profileGateway(ctx, perf, on.pid, on, cellByID(lat, "an2oa-76k"), 4, s.ProfileSecs, "Anthropic → OpenAI conversion, 76 KB Claude Code body, c=4"))
	} else {
		res.Profiles = append(res.Profiles, profile{Title: "perf", Err: "perf not found; no profile"})
	}
	for _, g := range gws {
		n := requestsServed(g)
		g.p.stop()
		res.Disk[g.name] = diskUse(g.dir)
		res.Disk[g.name]["requests"] = n
		res.Disk[g.name]["deleted records"] = deletedRecords(g.p.log)
	}
	say(fmt.Sprintf("startup to healthy: %d cold and warm starts", s.StartRuns))
	gp.features, gp.cpu = true, 1
	if res.Startups, err = h.startups(gp, s.StartRuns); err != nil {
		return err
	}
	measureTail(ctx, h, gp, s, res, say, func(string) bool { return true })
	return ctx.Err()
}

// requestsServed sums modelswitch_requests_total from the gateway's /metrics.
func requestsServed(g *gw) int64 {
	req, _ := http.NewRequest(http.MethodGet, g.url("/metrics"), nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var total float64
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "modelswitch_requests_total{") {
			if f := strings.Fields(line); len(f) == 2 {
				v, _ := strconv.ParseFloat(f[1], 64)
				total += v
			}
		}
	}
	return int64(total)
}

// deletedRecords counts the conversation records the gateway's rotation
// deleted (log_backup_count segments are kept), from its console log.
func deletedRecords(logPath string) int64 {
	b, _ := os.ReadFile(logPath)
	var n int64
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, "conversation segment deleted") {
			continue
		}
		if _, v, ok := strings.Cut(line, "records="); ok {
			k, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			n += k
		}
	}
	return n
}

// diskUse sums what a gateway wrote into its workspace.
func diskUse(ws string) map[string]int64 {
	out := map[string]int64{}
	conv, _ := filepath.Glob(filepath.Join(ws, "logs", "conversations*"))
	for _, f := range conv {
		if st, err := os.Stat(f); err == nil {
			out["conversations"] += st.Size()
		}
	}
	logs, _ := filepath.Glob(filepath.Join(ws, "logs", "gateway*.log"))
	for _, f := range logs {
		if st, err := os.Stat(f); err == nil {
			out["gateway.log"] += st.Size()
		}
	}
	if st, err := os.Stat(filepath.Join(ws, "data", "modelswitch.db")); err == nil {
		out["db"] = st.Size()
	}
	return out
}

// waitListening waits until p accepts TCP connections on port.
func waitListening(p *proc, port int) error {
	for range 2000 {
		if !p.alive() {
			return fmt.Errorf("%s exited; see %s", p.name, p.log)
		}
		if c, err := dialQuick(port); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return errors.New(p.name + " did not start listening")
}

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += " (with uncommitted changes: " + strconv.Itoa(strings.Count(string(st), "\n")) + " files)"
	}
	return c
}
