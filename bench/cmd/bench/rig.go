package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"
	"time"
)

// rig is what the floor comparisons run on: the mock (CPU 0), the floor and
// the two measured gateways (CPU 1), and the four targets over them.
type rig struct {
	gp                  gatewayParams
	gws                 []*gw // on, off
	direct, fl, on, off target
	procs               map[string]int // process → pid, for the memory readings
}

func (r *rig) all() []target { return []target{r.direct, r.fl, r.on, r.off} }

// memPoint reads the memory of the floor and both gateways.
func (r *rig) memPoint(res *results, point string) {
	for name, pid := range r.procs {
		if m, err := readMem(pid); err == nil {
			if res.Memory[name] == nil {
				res.Memory[name] = map[string]mem{}
			}
			res.Memory[name][point] = m
		}
	}
}

// startRig starts the mock, the floor and both gateways, and takes the first
// two memory readings (fresh, after one request through each proxy).
func (h *host) startRig(ctx context.Context, bin string, s settings, res *results) (*rig, error) {
	ports := make([]int, 3)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	mockPort, floorPort, deadPort := ports[0], ports[1], ports[2]
	mockP, err := h.start("mock", 0, nil, h.self, "mock", "-addr", fmt.Sprintf("127.0.0.1:%d", mockPort))
	if err != nil {
		return nil, err
	}
	floorP, err := h.start("floor", 1, nil, h.self, "floor", "-addr", fmt.Sprintf("127.0.0.1:%d", floorPort),
		"-upstream", fmt.Sprintf("http://127.0.0.1:%d", mockPort), "-model", "mock-model")
	if err != nil {
		return nil, err
	}
	for _, pp := range []struct {
		p    *proc
		port int
	}{{mockP, mockPort}, {floorP, floorPort}} {
		if err := waitListening(pp.p, pp.port); err != nil {
			return nil, err
		}
	}
	r := &rig{gp: gatewayParams{bin: bin, mockPort: mockPort, deadPort: deadPort, pacedGapMS: s.GapMS,
		holdChunks: s.HoldChunks, holdGapMS: s.HoldGap, cpu: 1}}
	for _, on := range []bool{true, false} {
		p := r.gp
		p.features, p.name = on, map[bool]string{true: "on", false: "off"}[on]
		g, err := h.startGateway(p)
		if err != nil {
			return nil, err
		}
		res.FirstStartMS[g.name] = float64(g.startup.Microseconds()) / 1e3
		r.gws = append(r.gws, g)
	}
	time.Sleep(500 * time.Millisecond)
	r.procs = map[string]int{"floor": floorP.pid, "gateway on": r.gws[0].p.pid, "gateway off": r.gws[1].p.pid}
	r.memPoint(res, "1 idle, fresh")
	r.direct = target{"direct", fmt.Sprintf("http://127.0.0.1:%d", mockPort), 0}
	r.fl = target{"floor", fmt.Sprintf("http://127.0.0.1:%d", floorPort), floorP.pid}
	r.on = target{"on", r.gws[0].url(""), r.gws[0].p.pid}
	r.off = target{"off", r.gws[1].url(""), r.gws[1].p.pid}
	oneRequest(ctx, r.on.base)
	oneRequest(ctx, r.off.base)
	oneRequest(ctx, r.fl.base)
	r.memPoint(res, "2 after one request")
	return r, nil
}

// measureCells is the sanity pass and the c=1 rounds of the whole and stream
// cells (noisy cells measured again in a full run) into res.Latency and
// res.Stream.
func measureCells(ctx context.Context, r *rig, lat, str []cell, s settings, res *results, say func(string)) {
	all := r.all()
	say("sanity pass")
	res.Sanity = sanity(ctx, append(append([]cell{}, lat...), str...), all) // paced cells check their token count as they run
	for _, b := range res.Sanity {
		say("FAILED: " + b)
	}
	say(fmt.Sprintf("c=1 latency and TTFT: %d rounds × %d requests, %d cells × 4 targets", s.Rounds, s.Requests, len(lat)+len(str)))
	both := runRounds(ctx, append(append([]cell{}, lat...), str...), all, s.Rounds, 1, s.Requests, s.Warmup, say)
	if !s.Quick {
		rerunNoisy(ctx, both, all, s.Rounds, 1, s.Requests, s.Warmup, say)
	}
	res.Latency, res.Stream = both[:len(lat)], both[len(lat):]
}

// cellsEnv names the variable that picks the cells of BENCH_ONLY=cells.
const cellsEnv = "BENCH_CELLS"

// pickCells keeps the cells whose shape id (the stream cell's without its
// "s-") matches one of the comma-separated path.Match patterns of env
// ("rs*,*2rs-*"); an empty env keeps all.
func pickCells(cs []cell, env string) ([]cell, error) {
	pats := strings.FieldsFunc(env, func(r rune) bool { return r == ',' || r == ' ' })
	if len(pats) == 0 {
		return cs, nil
	}
	var out []cell
	for _, c := range cs {
		for _, p := range pats {
			ok, err := path.Match(p, strings.TrimPrefix(c.ID, "s-"))
			if err != nil {
				return nil, fmt.Errorf("%s=%q: %w", cellsEnv, env, err)
			}
			if ok {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}

// measureCellsOnly is BENCH_ONLY=cells: the rig and the c=1 whole and stream
// cells that BENCH_CELLS picks, nothing else. It returns the rig's gateway
// parameters for the phases that run after it.
func measureCellsOnly(ctx context.Context, h *host, bin string, s settings, res *results, say func(string)) (gatewayParams, error) {
	lat, err := pickCells(latencyCells(), os.Getenv(cellsEnv))
	if err != nil {
		return gatewayParams{}, err
	}
	str, _ := pickCells(streamCells(), os.Getenv(cellsEnv))
	if len(lat)+len(str) == 0 {
		return gatewayParams{}, fmt.Errorf("%s=%q picks no cell", cellsEnv, os.Getenv(cellsEnv))
	}
	r, err := h.startRig(ctx, bin, s, res)
	if err != nil {
		return gatewayParams{}, err
	}
	measureCells(ctx, r, lat, str, s, res, say)
	for _, g := range r.gws {
		g.p.stop()
	}
	return r.gp, ctx.Err()
}
