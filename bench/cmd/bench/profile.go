package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/bench/load"
)

// profile is a perf sample of the gateway under one load.
type profile struct {
	Title    string
	Samples  string     // perf's sample count line
	Packages []perfLine // self time grouped by Go package
	Self     []perfLine // top functions by self time
	Ours     []perfLine // ModelSwitch functions by inclusive time
	Err      string     `json:",omitempty"`
}

type perfLine struct {
	Pct  float64
	Name string
}

// profileGateway samples pid with perf while c runs at concurrency conc.
func (h *host) profileGateway(ctx context.Context, perf string, pid int, t target, c cell, conc int, secs int, title string) profile {
	pr := profile{Title: title}
	out := filepath.Join(h.dir, fmt.Sprintf("perf-%s-%s.data", t.name, c.ID))
	rec := exec.Command(perf, "record", "-F", "999", "-g", "-p", strconv.Itoa(pid), "-o", out, "--", "sleep", strconv.Itoa(secs))
	if err := rec.Start(); err != nil {
		pr.Err = err.Error()
		return pr
	}
	lctx, cancel := context.WithTimeout(ctx, time.Duration(secs+10)*time.Second)
	recorded := make(chan error, 1)
	go func() {
		recorded <- rec.Wait()
		cancel() // the load runs exactly as long as perf records
	}()
	o := c.load(t)
	o.Concurrency, o.Duration, o.WantChunks = conc, time.Hour, 0
	load.Run(lctx, o)
	if err := <-recorded; err != nil {
		pr.Err = "perf record: " + err.Error()
		return pr
	}
	self, err := exec.Command(perf, "report", "-i", out, "--stdio", "--no-children", "--sort", "sym", "-g", "none").CombinedOutput()
	if err != nil {
		pr.Err = fmt.Sprintf("perf report: %v: %.300s", err, self)
		return pr
	}
	lines := parsePerf(string(self), false)
	pr.Samples = samplesLine(string(self))
	byPkg := map[string]float64{}
	for _, l := range lines {
		byPkg[goPackage(l.Name)] += l.Pct
	}
	for k, v := range byPkg {
		pr.Packages = append(pr.Packages, perfLine{v, k})
	}
	sortLines(pr.Packages)
	pr.Packages = head(pr.Packages, 14)
	pr.Self = head(lines, 15)
	incl, err := exec.Command(perf, "report", "-i", out, "--stdio", "--children", "--sort", "sym", "-g", "none").CombinedOutput()
	if err == nil {
		for _, l := range parsePerf(string(incl), true) {
			if strings.Contains(l.Name, "modelswitch/") {
				pr.Ours = append(pr.Ours, l)
			}
		}
		sortLines(pr.Ours)
		pr.Ours = head(pr.Ours, 15)
	}
	return pr
}

// perf report lines: "  12.34%  [.] sym" or, with --children, "  40.00%  1.00%  [.] sym".
var perfRe = regexp.MustCompile(`^\s+([\d.]+)%\s+(?:([\d.]+)%\s+)?\[(.)\]\s+(.+?)\s*$`)

func parsePerf(s string, children bool) []perfLine {
	var out []perfLine
	for _, line := range strings.Split(s, "\n") {
		m := perfRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pct, _ := strconv.ParseFloat(m[1], 64)
		name := m[4]
		if m[3] == "k" {
			name = "[kernel] " + name
		}
		if children && m[2] == "" {
			continue
		}
		out = append(out, perfLine{pct, name})
	}
	sortLines(out)
	return out
}

func samplesLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "# Samples:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "#"))
		}
	}
	return ""
}

// goPackage maps a symbol to its Go package, "kernel" or "other".
func goPackage(sym string) string {
	if strings.HasPrefix(sym, "[kernel]") {
		return "kernel"
	}
	if strings.HasPrefix(sym, "0x") {
		return "other"
	}
	slash := strings.LastIndexByte(sym, '/')
	dot := strings.IndexByte(sym[slash+1:], '.')
	if dot < 0 {
		return "other"
	}
	pkg := sym[:slash+1+dot]
	return strings.TrimPrefix(pkg, "github.com/modelswitch/modelswitch/")
}

func sortLines(ls []perfLine) {
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].Pct > ls[j].Pct })
}

func head(ls []perfLine, n int) []perfLine {
	if len(ls) > n {
		return ls[:n]
	}
	return ls
}
