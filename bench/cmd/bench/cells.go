package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/modelswitch/modelswitch/bench/bodies"
	"github.com/modelswitch/modelswitch/bench/load"
	"github.com/modelswitch/modelswitch/bench/mock"
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
	chunks int    // token lines a stream must carry; 0 = not a stream
	first  string // TTFT marker (load.Options.FirstMarker); "" = the default
	marker string // token-line marker (load.Options.ChunkMarker); "" = the default
	big    bool   // the large body of the client's protocol
	// up is where direct and the floor send a conversion cell's request: the
	// mock's endpoint of the upstream's protocol, with its markers (see shape).
	up struct{ path, first, marker string }
}

// load is the load generator's options for c through t.
func (c cell) load(t target) load.Options {
	path, first, marker := c.path, c.first, c.marker
	if c.Conv && (t.name == "direct" || t.name == "floor") {
		path, first, marker = c.up.path, c.up.first, c.up.marker
	}
	return load.Options{URL: t.base + path, Body: c.body, Header: c.header, WantChunks: c.chunks,
		FirstMarker: first, ChunkMarker: marker}
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

func headers(client proto, extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if client == protoAnthropic {
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
	pathResponses = "/v1/responses"
)

// proto is a wire protocol a client speaks or an upstream serves.
type proto int

const (
	protoOpenAI    proto = iota // Chat Completions
	protoAnthropic              // Messages
	protoResponses              // OpenAI Responses
)

func (p proto) path() string {
	return [...]string{pathOpenAI, pathAnthropic, pathResponses}[p]
}

// modelPrefix names the virtual models gatewayConfig routes to the mock's
// endpoint of that protocol: gpt-bench, claude-bench, resp-bench, gpt-paced, ….
func (p proto) modelPrefix() string {
	return [...]string{"gpt", "claude", "resp"}[p]
}

// shape is one request shape: the client's protocol, the upstream's (the
// gateway converts when they differ) and the body size. The direct and floor
// targets get the client's request on the mock's endpoint of the upstream's
// protocol (the mock reads only "stream" of a body), so that the floor does
// the upstream's work and a conversion cell's added figure is what the
// gateway adds, conversion included: the mock's Responses stream reaches its
// first token ~55 µs after its Chat stream, and its whole answer is three
// times the size, which a floor on the client's protocol charged to the
// gateway (and credited to it the other way round). Until 2026-12-07 the
// floor was on the client's protocol (docs/decisions.md).
type shape struct {
	id, title        string
	client, upstream proto
	big              bool   // the client's large body: Claude Code (Anthropic, 76 KB) or Codex (Responses, 41 KB)
	lane             string // the virtual model's suffix: "" = bench; paced (X-Mock-Gap-Ms), fallover (dead primary)
}

func (s shape) conv() bool { return s.client != s.upstream }

func (s shape) model() string {
	if s.lane == "" {
		return s.upstream.modelPrefix() + "-bench"
	}
	return s.upstream.modelPrefix() + "-" + s.lane
}

func (s shape) build(stream bool, extra ...string) cell {
	c := cell{ID: s.id, Title: s.title, Conv: s.conv(), path: s.client.path(), header: headers(s.client, extra...), big: s.big}
	model := s.model()
	switch {
	case s.big && s.client == protoAnthropic:
		c.body = bodies.ClaudeCode(model, stream)
	case s.big && s.client == protoResponses:
		c.body = bodies.Codex(model, stream)
	case s.big:
		panic("no large body for " + s.id)
	case s.client == protoAnthropic:
		c.body = bodies.AnthropicSmall(model, stream)
	case s.client == protoResponses:
		c.body = bodies.ResponsesSmall(model, stream)
	default:
		c.body = bodies.OpenAISmall(model, stream)
	}
	if stream && s.client == protoResponses { // the done events repeat the whole text
		c.first, c.marker = mock.ResponsesFirstMarker, mock.ResponsesChunkMarker
	}
	c.up.path = s.upstream.path()
	if stream && s.upstream == protoResponses {
		c.up.first, c.up.marker = mock.ResponsesFirstMarker, mock.ResponsesChunkMarker
	}
	return c
}

const (
	oa = protoOpenAI
	an = protoAnthropic
	rs = protoResponses
)

// shapes: the first six are the Chat Completions ⇄ Anthropic cells, the rest
// the Responses lanes. Ids are results keys: keep them.
var shapes = []shape{
	{id: "oa-1k", title: "OpenAI → OpenAI (pass-through), 1 KB", client: oa, upstream: oa},
	{id: "an-1k", title: "Anthropic → Anthropic (pass-through), 1 KB", client: an, upstream: an},
	{id: "an-76k", title: "Anthropic → Anthropic (pass-through), 76 KB Claude Code body", client: an, upstream: an, big: true},
	{id: "an2oa-1k", title: "Anthropic → OpenAI (conversion), 1 KB", client: an, upstream: oa},
	{id: "oa2an-1k", title: "OpenAI → Anthropic (conversion), 1 KB", client: oa, upstream: an},
	{id: "an2oa-76k", title: "Anthropic → OpenAI (conversion), 76 KB Claude Code body", client: an, upstream: oa, big: true},
	{id: "rs-1k", title: "Responses → Responses (pass-through), 1 KB", client: rs, upstream: rs},
	{id: "rs-41k", title: "Responses → Responses (pass-through), 41 KB Codex body", client: rs, upstream: rs, big: true},
	{id: "rs2oa-1k", title: "Responses → OpenAI (conversion), 1 KB", client: rs, upstream: oa},
	{id: "rs2oa-41k", title: "Responses → OpenAI (conversion), 41 KB Codex body", client: rs, upstream: oa, big: true},
	{id: "rs2an-1k", title: "Responses → Anthropic (conversion via Chat), 1 KB", client: rs, upstream: an},
	{id: "rs2an-41k", title: "Responses → Anthropic (conversion via Chat), 41 KB Codex body", client: rs, upstream: an, big: true},
	{id: "oa2rs-1k", title: "OpenAI → Responses (conversion), 1 KB", client: oa, upstream: rs},
	{id: "an2rs-1k", title: "Anthropic → Responses (conversion), 1 KB", client: an, upstream: rs},
	{id: "an2rs-76k", title: "Anthropic → Responses (conversion), 76 KB Claude Code body", client: an, upstream: rs, big: true},
}

// budgets are DESIGN §16's, µs over the floor: pass-through at any size,
// conversion for 1 KB bodies only (0 = no budget).
func budget(c cell, passThrough, conversion float64) float64 {
	switch {
	case !c.Conv:
		return passThrough
	case c.big:
		return 0
	}
	return conversion
}

// latencyCells are the non-stream c=1 cells.
func latencyCells() []cell {
	var out []cell
	for _, s := range shapes {
		c := s.build(false)
		c.Budget = budget(c, 30, 100)
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
		c.Budget = budget(c, 30, 80)
		out = append(out, c)
	}
	return out
}

// cellByID is the cell of cs with that id; it panics on a missing one (a
// programming error: the ids are constants here).
func cellByID(cs []cell, id string) cell {
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	panic("no cell " + id)
}

// pacedCells measure the gap between tokens of a stream paced gapMS apart.
func pacedCells(gapMS int) []cell {
	paced := []shape{
		{id: "g-oa", title: "OpenAI → OpenAI (pass-through)", client: oa, upstream: oa, lane: "paced"},
		{id: "g-an", title: "Anthropic → Anthropic (pass-through)", client: an, upstream: an, lane: "paced"},
		{id: "g-an2oa", title: "Anthropic → OpenAI (conversion)", client: an, upstream: oa, lane: "paced"},
		{id: "g-oa2an", title: "OpenAI → Anthropic (conversion)", client: oa, upstream: an, lane: "paced"},
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
	o := c.load(t)
	o.Concurrency, o.Requests, o.Warmup = conc, n, warm
	o.Started = func() {
		if t.pid != 0 {
			before = cpuNS(t.pid)
		}
	}
	r := load.Run(ctx, o)
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
			o := c.load(t)
			o.Requests = 1
			r := load.Run(ctx, o)
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
