package main

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/bench/bodies"
	"github.com/modelswitch/modelswitch/bench/load"
)

// rssPeak samples VmRSS of pids every 50 ms until stop is called.
type rssPeak struct {
	mu   sync.Mutex
	peak map[int]mem
	stop chan struct{}
	done chan struct{}
}

func sampleRSS(pids ...int) *rssPeak {
	s := &rssPeak{peak: map[int]mem{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			for _, pid := range pids {
				if m, err := readMem(pid); err == nil {
					s.mu.Lock()
					if m.VmRSS > s.peak[pid].VmRSS {
						s.peak[pid] = m
					}
					s.mu.Unlock()
				}
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *rssPeak) end() map[int]mem {
	close(s.stop)
	<-s.done
	return s.peak
}

// tpStats are one target's throughput figures in one cell.
type tpStats struct {
	RPS, P50, P99 []float64
	Ticks, NS     int64 // CPU of the target process over the measured requests
	Reqs          int64
	Peak          mem
	Errors        int
	FirstError    string `json:",omitempty"`
}

// cpuPerReqTicks is CPU µs per request from utime+stime (clock ticks).
func (s *tpStats) cpuPerReqTicks(clkTck int64) float64 {
	if s.Reqs == 0 {
		return 0
	}
	return float64(s.Ticks) * 1e6 / float64(clkTck) / float64(s.Reqs)
}

type tpResult struct {
	Cell cell
	T    map[string]*tpStats
}

// throughput runs each cell at concurrency conc for n requests per round.
func throughput(ctx context.Context, cells []cell, targets []target, rounds, conc, n int, progress func(string)) []tpResult {
	res := make([]tpResult, len(cells))
	var pids []int
	for _, t := range targets {
		if t.pid != 0 {
			pids = append(pids, t.pid)
		}
	}
	for i, c := range cells {
		res[i] = tpResult{Cell: c, T: map[string]*tpStats{}}
		for _, t := range targets {
			res[i].T[t.name] = &tpStats{}
		}
	}
	for r := range rounds {
		for i, c := range cells {
			count := n
			if len(c.body) > 8<<10 {
				count = n / 4
			}
			for k := range targets {
				t := targets[(k+r)%len(targets)]
				st := res[i].T[t.name]
				var ticks, ns int64
				rs := sampleRSS(pids...)
				o := c.load(t)
				o.Concurrency, o.Requests, o.Warmup = conc, count, 4*conc
				o.Started = func() {
					if t.pid != 0 {
						ticks, ns = cpuTicks(t.pid), cpuNS(t.pid)
					}
				}
				out := load.Run(ctx, o)
				if t.pid != 0 {
					st.Ticks += cpuTicks(t.pid) - ticks
					st.NS += cpuNS(t.pid) - ns
				}
				peaks := rs.end()
				if p := peaks[t.pid]; p.VmRSS > st.Peak.VmRSS {
					st.Peak = p
				}
				st.Reqs += int64(out.Requests + out.Errors)
				st.Errors += out.Errors
				if out.Errors > 0 && st.FirstError == "" {
					st.FirstError = out.FirstError
				}
				st.RPS = append(st.RPS, out.RPS)
				st.P50 = append(st.P50, out.Latency.P50)
				st.P99 = append(st.P99, out.Latency.P99)
			}
		}
		progress("throughput round " + strconv.Itoa(r+1) + "/" + strconv.Itoa(rounds) + " done")
	}
	return res
}

// holdResult is one target holding many concurrent streams.
type holdResult struct {
	Target     string
	Streams    int
	Completed  int
	Errors     int
	FirstError string `json:",omitempty"`
	WallS      float64
	TTFT99     float64
	Gap50      float64
	Gap99      float64
	GapMax     float64
	Peak       mem
}

// holdStreams opens streams concurrent streams of chunks tokens gapMS apart.
func holdStreams(ctx context.Context, targets []target, streams, chunks, gapMS int) []holdResult {
	body := bodies.OpenAISmall("gpt-hold", true)
	h := headers(protoOpenAI, "X-Mock-Chunks", strconv.Itoa(chunks), "X-Mock-Gap-Ms", strconv.Itoa(gapMS))
	var out []holdResult
	for _, t := range targets {
		var rs *rssPeak
		if t.pid != 0 {
			rs = sampleRSS(t.pid)
		}
		r := load.Run(ctx, load.Options{URL: t.base + pathOpenAI, Body: body, Header: h, Concurrency: streams,
			Requests: streams, WantChunks: chunks, Timeout: 2 * time.Minute})
		hr := holdResult{Target: t.name, Streams: streams, Completed: r.Requests, Errors: r.Errors, FirstError: r.FirstError, WallS: r.ElapsedS}
		if r.TTFT != nil {
			hr.TTFT99 = r.TTFT.P99
		}
		if r.Gap != nil {
			hr.Gap50, hr.Gap99, hr.GapMax = r.Gap.P50, r.Gap.P99, r.Gap.Max
		}
		if rs != nil {
			hr.Peak = rs.end()[t.pid]
		}
		out = append(out, hr)
		time.Sleep(200 * time.Millisecond) // let the closed connections drain
	}
	return out
}

// falloverResult: a chain whose primary is a dead port behind a breaker that
// opens after one failure, next to the same gateway's normal path.
type falloverResult struct {
	FirstUS map[string]float64 // the request that found the primary dead (breaker closed)
	Rounds  []cellResult       // [normal, fallover], targets on/off
}

func fallover(ctx context.Context, gws []target, rounds, n, warm int, progress func(string)) falloverResult {
	res := falloverResult{FirstUS: map[string]float64{}}
	normal := shapes[0].build(false)
	fo := shape{id: "fallover", title: "OpenAI → OpenAI, dead primary behind an open breaker", client: protoOpenAI,
		upstream: protoOpenAI, lane: "fallover"}.build(false)
	normal.ID, normal.Title = "normal", "OpenAI → OpenAI, healthy primary"
	for _, t := range gws {
		tr := load.NewTransport(1) // warmed on the healthy path, so the figure holds no TCP connect
		load.Run(ctx, load.Options{URL: t.base + normal.path, Body: normal.body, Header: normal.header, Requests: 5, Transport: tr})
		r := load.Run(ctx, load.Options{URL: t.base + fo.path, Body: fo.body, Header: fo.header, Requests: 1, Transport: tr})
		tr.CloseIdleConnections()
		if r.Requests == 1 {
			res.FirstUS[t.name] = r.Latency.P50
		}
	}
	res.Rounds = runRounds(ctx, []cell{normal, fo}, gws, rounds, 1, n, warm, progress)
	return res
}

// routed measures a model with five routes, none of which matches, next to
// the same adapter without routes: what evaluating the rules adds (issue 18).
func routed(ctx context.Context, gws []target, rounds, n, warm int, progress func(string)) []cellResult {
	normal := shapes[0].build(false)
	rt := shape{id: "routed", title: "OpenAI → OpenAI, five routes evaluated, none matching", client: protoOpenAI,
		upstream: protoOpenAI, lane: "routed"}.build(false)
	normal.ID, normal.Title = "unrouted", "OpenAI → OpenAI, no routes"
	return runRounds(ctx, []cell{normal, rt}, gws, rounds, 1, n, warm, progress)
}

// startupResult is one series of gateway starts.
type startupResult struct {
	Kind    string    // cold: empty workspace; warm: workspace (and database) from the previous start
	MS      []float64 // process start → /health 200
	IdleRSS []mem     // 500 ms after healthy, before any request
}

func (h *host) startups(gp gatewayParams, runs int) ([]startupResult, error) {
	cold := startupResult{Kind: "cold"}
	warm := startupResult{Kind: "warm"}
	for i := range runs {
		for _, sr := range []*startupResult{&cold, &warm} {
			p := gp
			p.name = "startup-" + sr.Kind + strconv.Itoa(i)
			if sr.Kind == "warm" {
				p.name = "startup-warm"
			}
			p.workspace = ""
			g, err := h.startGateway(p)
			if err != nil {
				return nil, err
			}
			time.Sleep(500 * time.Millisecond)
			m, _ := readMem(g.p.pid)
			g.p.stop()
			if sr.Kind == "warm" && i == 0 {
				continue // the first warm start creates the workspace
			}
			sr.MS = append(sr.MS, float64(g.startup.Microseconds())/1e3)
			sr.IdleRSS = append(sr.IdleRSS, m)
		}
	}
	return []startupResult{cold, warm}, nil
}

// oneRequest sends one small request, for the "after one request" memory point.
func oneRequest(ctx context.Context, base string) {
	c := shapes[0].build(false)
	load.Run(ctx, load.Options{URL: base + c.path, Body: c.body, Header: c.header, Requests: 1})
}
