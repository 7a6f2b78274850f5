package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Phases that BENCH_ONLY can select. stats, allocs and desktop run last in a
// full run, after every other gateway has stopped, so neither the seeding nor
// the test build shares a CPU with a measurement; alone, they let the phase
// be checked in seconds without a 10-minute run that disturbs the box.
// cells is the c=1 whole and stream cells against the floor (sections 1 and
// 2 of the report), those BENCH_CELLS picks (pickCells) or all of them.
var onlyNames = []string{"cells", "stats", "allocs", "desktop"}

// onlyPhases parses BENCH_ONLY: one or more of onlyNames, comma-separated
// ("stats", "allocs,desktop", "cells", …).
func onlyPhases(env string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(env, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(onlyNames, f) {
			return nil, fmt.Errorf("BENCH_ONLY=%q: unknown phase %q (%s)", env, f, strings.Join(onlyNames, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// measureOnly is a partial run: the selected phases and nothing else.
// Without cells, the stats gateway's config still names a mock and a dead
// primary, but no inference request is sent, so neither needs to listen.
func measureOnly(ctx context.Context, h *host, bin string, s settings, res *results, say func(string)) error {
	say("partial run, BENCH_ONLY=" + strings.Join(res.Only, ","))
	if slices.Contains(res.Only, "cells") {
		gp, err := measureCellsOnly(ctx, h, bin, s, res, say)
		if err != nil {
			return err
		}
		gp.features = true
		measureTail(ctx, h, gp, s, res, say, func(p string) bool { return slices.Contains(res.Only, p) })
		return ctx.Err()
	}
	ports := make([]int, 2)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return err
		}
		ports[i] = p
	}
	gp := gatewayParams{bin: bin, mockPort: ports[0], deadPort: ports[1], pacedGapMS: s.GapMS,
		holdChunks: s.HoldChunks, holdGapMS: s.HoldGap, features: true, cpu: 1}
	measureTail(ctx, h, gp, s, res, say, func(p string) bool { return slices.Contains(res.Only, p) })
	return ctx.Err()
}

// measureTail runs the phases that need no mock traffic: the statistics
// query over a seeded month, the allocation test and the desktop smoke test.
func measureTail(ctx context.Context, h *host, gp gatewayParams, s settings, res *results, say func(string), want func(string) bool) {
	if want("stats") && ctx.Err() == nil {
		st := h.measureStats(ctx, gp, s, say)
		res.Stats = &st
		if st.Err != "" {
			say("stats: FAILED: " + st.Err)
		} else if w := st.worst(); w != nil {
			say(fmt.Sprintf("stats: worst median %.1f ms (%s)", w.P50MS, w.Name))
		}
	}
	if want("allocs") && ctx.Err() == nil {
		say("allocations: go test -run " + allocsTest + " " + allocsPkg)
		a := measureAllocs(ctx)
		res.Allocs = &a
		if a.Err != "" {
			say("allocations: FAILED: " + a.Err)
		}
	}
	if want("desktop") && ctx.Err() == nil {
		say("desktop core: the desktop smoke test (" + desktopScript + ", " + desktopTest + ")")
		d := measureDesktop(ctx, h, h.desktop)
		res.Desktop = &d
		switch {
		case d.Missing != "":
			say("desktop core: not measured: " + d.Missing + " (" + desktopSetup + ")")
			return
		case len(d.Points) == 0:
			say("desktop core: FAILED: " + d.Err)
			return
		}
		say(fmt.Sprintf("desktop core: %s in %.0f s, idle VmRSS %s", d.Command, d.Seconds, fmb(d.Points[0].Mem.VmRSS)))
		if len(res.Startups) == 0 && ctx.Err() == nil { // a partial run: nothing to compare with yet
			if m, err := h.headlessIdle(gp); err == nil {
				d.Headless = m
			} else {
				say("desktop core: headless comparison failed: " + err.Error())
			}
		}
	}
}
