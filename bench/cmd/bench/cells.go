package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/modelswitch/modelswitch/bench/bodies"
	"github.com/modelswitch/modelswitch/bench/load"
)

// target is one thing a cell is measured through.
type target struct {
	name string // direct, floor, on, off
	base string // http://127.0.0.1:port
	pid  int    // process whose CPU is read; 0 = none
}

// cell is one request shape sent through every target.
type cell struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Conv   bool    `json:"conversion"`
	Budget float64 `json:"budget_us"` // over the floor; 0 = no budget in DESIGN §16
	path   string
	body   []byte
	header http.Header
	chunks int // token lines a stream must carry; 0 = not a stream
}

// stats are one target's figures in one cell, one entry per round.
type stats struct {
	P50, P99       []float64 // latency, µs
	TTFT50, TTFT99 []float64
	Gap50, Gap99   []float64
	CPU            []float64 // µs of CPU per request (schedstat), proxies only
	Errors         int
	FirstError     string `json:",omitempty"`
}

type cellResult struct {
	Cell  cell
	T     map[string]*stats
	Rerun bool // the first rounds spread over 20 % and were measured again
}

// worstSpread is the largest spread of round medians among the targets.
func (c *cellResult) worstSpread() float64 {
	w := 0.0
	for name, s := range c.T {
		if name != "direct" { // direct's tiny medians swing by large ratios and bind nothing
			w = max(w, spread(s.P50), spread(s.TTFT50))
		}
	}
	return w
}

func headers(anthropic bool, extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if anthropic {
		h.Set("X-Api-Key", benchKey)
		h.Set("Anthropic-Version", "2023-06-01")
	} else {
		h.Set("Authorization", "Bearer "+benchKey)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

const (
	pathOpenAI    = "/v1/chat/completions"
	pathAnthropic = "/v1/messages"
)

// shape is one request shape: client protocol, target model and body size.
type shape struct {
	id, title       string
	anthropicClient bool
	model           string // gpt-* → OpenAI upstream, claude-* → Anthropic upstream
	big             bool
}

func (s shape) conv() bool { return s.anthropicClient == (s.model[0] == 'g') }

func (s shape) build(stream bool, extra ...string) cell {
	c := cell{ID: s.id, Title: s.title, Conv: s.conv(), path: pathOpenAI, header: headers(s.anthropicClient, extra...)}
	switch {
	case s.big:
		c.body = bodies.ClaudeCode(s.model, stream)
	case s.anthropicClient:
		c.body = bodies.AnthropicSmall(s.model, stream)
	default:
		c.body = bodies.OpenAISmall(s.model, stream)
	}
	if s.anthropicClient {
		c.path = pathAnthropic
	}
	return c
}

var shapes = []shape{
	{"oa-1k", "OpenAI → OpenAI (pass-through), 1 KB", false, "gpt-bench", false},
	{"an-1k", "Anthropic → Anthropic (pass-through), 1 KB", true, "claude-bench", false},
	{"an-76k", "Anthropic → Anthropic (pass-through), 76 KB Claude Code body", true, "claude-bench", true},
	{"an2oa-1k", "Anthropic → OpenAI (conversion), 1 KB", true, "gpt-bench", false},
	{"oa2an-1k", "OpenAI → Anthropic (conversion), 1 KB", false, "claude-bench", false},
	{"an2oa-76k", "Anthropic → OpenAI (conversion), 76 KB Claude Code body", true, "gpt-bench", true},
}

// latencyCells are the non-stream c=1 cells; budgets from DESIGN §16.
func latencyCells() []cell {
	var out []cell
	for _, s := range shapes {
		c := s.build(false)
		c.Budget = map[bool]float64{false: 30, true: 100}[c.Conv]
		if c.Conv && s.big {
			c.Budget = 0 // §16 sets the 76 KB budget for pass-through only
		}
		out = append(out, c)
	}
	return out
}

// streamCells measure time to the first token through an 8-chunk stream.
func streamCells() []cell {
	var out []cell
	for _, s := range shapes {
		c := s.build(true)
		c.ID, c.Title = "s-"+c.ID, c.Title+", stream"
		c.chunks = 8
		c.Budget = map[bool]float64{false: 30, true: 80}[c.Conv]
		if c.Conv && s.big {
			c.Budget = 0 // as in latencyCells
		}
		out = append(out, c)
	}
	return out
}

// pacedCells measure the gap between tokens of a stream paced gapMS apart.
func pacedCells(gapMS int) []cell {
	paced := []shape{
		{"g-oa", "OpenAI → OpenAI (pass-through)", false, "gpt-paced", false},
		{"g-an", "Anthropic → Anthropic (pass-through)", true, "claude-paced", false},
		{"g-an2oa", "Anthropic → OpenAI (conversion)", true, "gpt-paced", false},
		{"g-oa2an", "OpenAI → Anthropic (conversion)", false, "claude-paced", false},
	}
	var out []cell
	for _, s := range paced {
		c := s.build(true, "X-Mock-Gap-Ms", strconv.Itoa(gapMS))
		c.chunks = 8
		out = append(out, c)
	}
	return out
}

// measure runs one cell once through t and appends the round's figures.
func measure(ctx context.Context, c cell, t target, conc, n, warm int, st *stats) {
	var before int64
	r := load.Run(ctx, load.Options{URL: t.base + c.path, Body: c.body, Header: c.header, Concurrency: conc,
		Requests: n, Warmup: warm, WantChunks: c.chunks, Started: func() {
			if t.pid != 0 {
				before = cpuNS(t.pid)
			}
		}})
	if t.pid != 0 && r.Requests+r.Errors > 0 {
		st.CPU = append(st.CPU, float64(cpuNS(t.pid)-before)/1e3/float64(r.Requests+r.Errors))
	}
	st.Errors += r.Errors
	if r.Errors > 0 && st.FirstError == "" {
		st.FirstError = r.FirstError
	}
	if r.Requests == 0 {
		return
	}
	st.P50 = append(st.P50, r.Latency.P50)
	st.P99 = append(st.P99, r.Latency.P99)
	if r.TTFT != nil {
		st.TTFT50 = append(st.TTFT50, r.TTFT.P50)
		st.TTFT99 = append(st.TTFT99, r.TTFT.P99)
	}
	if r.Gap != nil {
		st.Gap50 = append(st.Gap50, r.Gap.P50)
		st.Gap99 = append(st.Gap99, r.Gap.P99)
	}
}

// runRounds measures every cell through every target for the given rounds,
// cells inside rounds, rotating the target order each round.
func runRounds(ctx context.Context, cells []cell, targets []target, rounds, conc, n, warm int, progress func(string)) []cellResult {
	res := make([]cellResult, len(cells))
	for i, c := range cells {
		res[i] = cellResult{Cell: c, T: map[string]*stats{}}
		for _, t := range targets {
			res[i].T[t.name] = &stats{}
		}
	}
	for r := range rounds {
		for i, c := range cells {
			for k := range targets {
				t := targets[(k+r)%len(targets)]
				measure(ctx, c, t, conc, n, warm, res[i].T[t.name])
			}
		}
		progress(fmt.Sprintf("round %d/%d done", r+1, rounds))
	}
	return res
}

// rerunNoisy measures again, once, each cell whose round medians spread over
// 20 % (performance-notes §4) and keeps the quieter of the two sets.
func rerunNoisy(ctx context.Context, res []cellResult, targets []target, rounds, conc, n, warm int, progress func(string)) {
	for i := range res {
		if res[i].worstSpread() <= 0.20 || ctx.Err() != nil {
			continue
		}
		progress(fmt.Sprintf("rerunning noisy cell %s (spread %.0f%%)", res[i].Cell.ID, 100*res[i].worstSpread()))
		again := runRounds(ctx, []cell{res[i].Cell}, targets, rounds, conc, n, warm, func(string) {})[0]
		if again.worstSpread() < res[i].worstSpread() {
			res[i].T = again.T
		}
		res[i].Rerun = true
	}
}

// sanity sends each cell once through each target and returns the failures.
func sanity(ctx context.Context, cells []cell, targets []target) []string {
	var bad []string
	for _, c := range cells {
		for _, t := range targets {
			r := load.Run(ctx, load.Options{URL: t.base + c.path, Body: c.body, Header: c.header, Requests: 1, WantChunks: c.chunks})
			if r.Errors > 0 {
				bad = append(bad, fmt.Sprintf("%s via %s: %s", c.ID, t.name, r.FirstError))
			}
		}
	}
	return bad
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is (max − min) / median of xs.
func spread(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	if m := median(xs); m > 0 {
		return (hi - lo) / m
	}
	return 0
}
