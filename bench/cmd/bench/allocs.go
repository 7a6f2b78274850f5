package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The allocation figures come from the unit test that caps them
// (gateway/server/allocs_test.go), run as it is, so the report and CI can
// never disagree about what is counted or what the caps are. Counts do not
// depend on the machine's load, unlike everything else in the report.

const allocsTest = "TestAllocationsPerRequest"

const allocsPkg = "./gateway/server/"

// allocLine is the test's t.Logf line, after go test's "file.go:N: " prefix:
// "%s: %.0f allocs per request (cap %.0f)".
var allocLine = regexp.MustCompile(`^\s*\S+\.go:\d+: (.+): (\d+) allocs per request \(cap (\d+)\)\s*$`)

type allocLane struct {
	Lane        string
	Allocs, Cap float64
}

type allocsResult struct {
	Command string
	Lanes   []allocLane
	Passed  bool    // go test's own verdict (it fails when a lane is over its cap)
	Seconds float64 // build and run
	Err     string  `json:",omitempty"` // no lanes: why (build failure, test missing, …)
}

// measureAllocs runs the allocation test with -count=1, so the figures are
// this run's and not a cached replay, and parses its log.
func measureAllocs(ctx context.Context) allocsResult {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := []string{"test", "-count=1", "-run", "^" + allocsTest + "$", "-v", allocsPkg}
	res := allocsResult{Command: "go " + strings.Join(args, " ")}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = moduleRoot(goBin)
	out, err := runTimed(cmd, &res.Seconds)
	res.Lanes = parseAllocs(out)
	res.Passed = err == nil
	if len(res.Lanes) == 0 {
		res.Err = noFigures("allocation", err, out)
	}
	return res
}

// runTimed runs a test command of a phase, storing its wall time in secs,
// and returns its combined output.
func runTimed(cmd *exec.Cmd, secs *float64) (string, error) {
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	*secs = time.Since(t0).Seconds()
	return string(out), err
}

// noFigures explains a test run whose output held none of the phase's lines:
// its error, or that the lines are missing, and the end of the output.
func noFigures(what string, err error, out string) string {
	msg := "no " + what + " lines in the test's output"
	if err != nil {
		msg = err.Error()
	}
	return msg + ": " + tail(out, 600)
}

func parseAllocs(out string) []allocLane {
	var lanes []allocLane
	for _, line := range strings.Split(out, "\n") {
		m := allocLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.ParseFloat(m[2], 64)
		c, _ := strconv.ParseFloat(m[3], 64)
		lanes = append(lanes, allocLane{Lane: m[1], Allocs: n, Cap: c})
	}
	return lanes
}

// moduleRoot is where go.mod is, so the package path resolves whatever the
// bench's working directory; "" (the current one) if go cannot say.
func moduleRoot(goBin string) string {
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if gomod := strings.TrimSpace(string(out)); err == nil && gomod != "" && gomod != "/dev/null" {
		return filepath.Dir(gomod)
	}
	return ""
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return strings.ReplaceAll(s, "\n", " ⏎ ")
}
