package main

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/bench/floor"
	"github.com/modelswitch/modelswitch/bench/mock"
)

// TestCellsDirectAndFloor sends every whole, stream and paced cell once to
// the mock and through the floor, as the sanity pass does: each answers, and
// each stream has exactly its 8 token lines (the Responses cells count only
// the delta events).
func TestCellsDirectAndFloor(t *testing.T) {
	up := httptest.NewServer(&mock.Server{})
	defer up.Close()
	fl := httptest.NewServer(floor.New(up.URL, "mock-model"))
	defer fl.Close()
	cells := append(append(latencyCells(), streamCells()...), pacedCells(0)...)
	if bad := sanity(context.Background(), cells, []target{{name: "direct", base: up.URL}, {name: "floor", base: fl.URL}}); len(bad) > 0 {
		t.Fatal(strings.Join(bad, "\n"))
	}
}

// TestShapes: the cell ids of earlier runs are unchanged, every id is unique,
// each cell goes to its client's endpoint with a model that the gateway's
// configuration routes, and the budgets are DESIGN §16's.
func TestShapes(t *testing.T) {
	lat, str := latencyCells(), streamCells()
	var ids []string
	for _, c := range lat {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids[:6], " "); got != "oa-1k an-1k an-76k an2oa-1k oa2an-1k an2oa-76k" {
		t.Errorf("the first cells are %s", got)
	}
	cfg := string(gatewayConfig(1, 2, 3, true, 20, 6, 50))
	seen := map[string]bool{}
	for i, s := range shapes {
		for _, c := range []cell{lat[i], str[i]} {
			if seen[c.ID] {
				t.Errorf("duplicate id %s", c.ID)
			}
			seen[c.ID] = true
			if c.path != s.client.path() || c.Conv != (s.client != s.upstream) {
				t.Errorf("%s: path %s, conversion %v", c.ID, c.path, c.Conv)
			}
			want := map[bool]float64{false: 30, true: 100}[c.Conv]
			if c.chunks > 0 {
				want = map[bool]float64{false: 30, true: 80}[c.Conv]
			}
			if c.Conv && s.big {
				want = 0
			}
			if c.Budget != want {
				t.Errorf("%s: budget %v, want %v", c.ID, c.Budget, want)
			}
		}
		if m := s.model(); !slices.Contains(benchModels, m) || !strings.Contains(cfg, "\n  "+m+":\n") {
			t.Errorf("%s: model %s is not configured", s.id, m)
		}
	}
	if !strings.Contains(cfg, "provider: responses\n    base_url: http://127.0.0.1:2/v1\n") {
		t.Error("no responses provider on the mock")
	}
}

func TestPickCells(t *testing.T) {
	for env, want := range map[string]string{
		"":                  "",
		"rs-*":              "rs-1k rs-41k s-rs-1k s-rs-41k",
		"*2rs-*, oa-1k":     "oa-1k oa2rs-1k an2rs-1k an2rs-76k s-oa-1k s-oa2rs-1k s-an2rs-1k s-an2rs-76k",
		"rs2an-41k,nomatch": "rs2an-41k s-rs2an-41k",
	} {
		got, err := pickCells(append(latencyCells(), streamCells()...), env)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if env == "" {
			if len(got) != 2*len(shapes) {
				t.Errorf("empty filter kept %d cells", len(got))
			}
			continue
		}
		if strings.Join(ids, " ") != want {
			t.Errorf("%q picks %v, want %s", env, ids, want)
		}
	}
	if _, err := pickCells(latencyCells(), "[x"); err == nil {
		t.Error("a bad pattern is accepted")
	}
}

// fakeResult gives every target of c the same figures each round, offset by
// add[target] µs.
func fakeResult(c cell, add map[string]float64) cellResult {
	cr := cellResult{Cell: c, T: map[string]*stats{}}
	for _, name := range []string{"direct", "floor", "on", "off"} {
		x := 300 + add[name]
		cr.T[name] = &stats{P50: []float64{x, x, x}, P99: []float64{2 * x}, CPU: []float64{100}}
		if c.chunks > 0 {
			cr.T[name].TTFT50, cr.T[name].TTFT99 = []float64{x, x, x}, []float64{2 * x}
		}
	}
	return cr
}

// TestCellsReport: a BENCH_ONLY=cells report lists the Responses cells with
// their budgets in the summary and in sections 1 and 2, and no section of a
// phase that did not run.
func TestCellsReport(t *testing.T) {
	lat, str := latencyCells(), streamCells()
	add := map[string]float64{"direct": -250, "on": 20, "off": 10}
	r := &results{Only: []string{"cells"}, Pinned: true, Settings: settingsFor(true), Gateway: "bin/modelswitch-bench",
		Latency: []cellResult{fakeResult(cellByID(lat, "rs-41k"), add), fakeResult(cellByID(lat, "rs2an-1k"), map[string]float64{"on": 120}),
			fakeResult(cellByID(lat, "an2rs-76k"), add)},
		Stream: []cellResult{fakeResult(cellByID(str, "s-oa2rs-1k"), add), fakeResult(cellByID(str, "s-rs-41k"), add)}}
	out := string(report(r))
	for _, want := range []string{
		"| Added p50: Responses → Responses (pass-through), 41 KB Codex body | ≤ 30 µs | +20 µs | +10 µs | met |",
		"| Added p50: Responses → Anthropic (conversion via Chat), 1 KB | ≤ 100 µs | +120 µs | +0 µs | **missed** |",
		"| Added p50: Anthropic → Responses (conversion), 76 KB Claude Code body | — | +20 µs | +10 µs | — |",
		"| Added TTFT p50: OpenAI → Responses (conversion), 1 KB, stream | ≤ 80 µs | +20 µs | +10 µs | met |",
		"| c=1 cells | 3 interleaved rounds",
		"## 1. Added latency at c=1", "## 2. Streaming: time to first token",
		"| Responses → Responses (pass-through), 41 KB Codex body, stream | 50 / 100 | 300 / 600 | 320 / 640 | 310 / 620 | +20 / +40 | +10 | +270 | ≤ 30 | met |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"Added TTFT p50: Responses → Responses (pass-through), 41 KB", "c=32 cells", "Statistics over a month", "## 3."} {
		if strings.Contains(out, not) {
			t.Errorf("report has %q:\n%s", not, out)
		}
	}
}

// TestConversionFloorOnUpstreamEndpoint: direct and the floor get a
// conversion cell's request on the upstream's endpoint (with the upstream's
// stream markers), the gateways on the client's; a pass-through cell is the
// same request everywhere.
func TestConversionFloorOnUpstreamEndpoint(t *testing.T) {
	base := func(name string) target { return target{name: name, base: "http://h"} }
	for _, c := range append(latencyCells(), streamCells()...) {
		gw, fl, dir := c.load(base("on")), c.load(base("floor")), c.load(base("direct"))
		if fl.URL != dir.URL || fl.FirstMarker != dir.FirstMarker || fl.ChunkMarker != dir.ChunkMarker {
			t.Errorf("%s: floor and direct differ: %s / %s", c.ID, fl.URL, dir.URL)
		}
		if !c.Conv {
			if gw.URL != fl.URL || gw.FirstMarker != fl.FirstMarker {
				t.Errorf("%s: pass-through floor %s, gateway %s", c.ID, fl.URL, gw.URL)
			}
			continue
		}
		up := strings.Split(strings.TrimPrefix(c.ID, "s-"), "2")[1] // "an2rs-1k" → "rs-1k"
		want := map[string]string{"oa": pathOpenAI, "an": pathAnthropic, "rs": pathResponses}[up[:2]]
		if fl.URL != "http://h"+want || gw.URL != "http://h"+c.path || string(fl.Body) != string(gw.Body) {
			t.Errorf("%s: floor %s, gateway %s", c.ID, fl.URL, gw.URL)
		}
		if streamed := c.chunks > 0; streamed && (up[:2] == "rs") != (fl.FirstMarker == mock.ResponsesFirstMarker) {
			t.Errorf("%s: floor marker %q", c.ID, fl.FirstMarker)
		}
	}
}
