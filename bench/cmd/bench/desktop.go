package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The desktop core's memory comes from the desktop smoke test (build/smoke,
// run by build/desktop-smoke.sh under Xvfb and a private D-Bus session, as
// `make test-desktop` runs it), parsed from its log lines like the
// allocation figures: the core with its tray, idle and after the window,
// route, Claude Code and gateway-restart steps. It needs the desktop
// binaries and the X/D-Bus test tools; without them the section says what
// is missing and how to get it, and the rest of the report is unaffected.

const (
	desktopTest   = "TestDesktopSmoke"
	desktopScript = "build/desktop-smoke.sh"
	desktopSetup  = "make desktop deps-desktop-test"
)

// desktopTools are the commands build/desktop-smoke.sh requires.
var desktopTools = []string{"xvfb-run", "dbus-run-session", "xwininfo", "xdotool", "import",
	"status-notifier-watcher", "gtk-sni-tray-standalone"}

// desktopBins are what the smoke test starts from the desktop binary directory.
var desktopBins = []string{"modelswitch", "modelswitch-ui"}

// rssLogLine is rss()'s t.Logf line (build/smoke/helpers_test.go), after go
// test's "file.go:N: " prefix: "RSS of the core with the tray, <point>:
// VmRSS: N kB, RssAnon: N kB[, RssFile: N kB][; largest files: name N kB, …]".
var rssLogLine = regexp.MustCompile(`^\s*\S+\.go:\d+: RSS of the core with the tray, (.+?): (VmRSS: .*)$`)

var kbField = regexp.MustCompile(`(\w+): (\d+) kB`)

var fileField = regexp.MustCompile(`^(\S+) (\d+) kB$`)

// fileRSS is one mapped file's resident part.
type fileRSS struct {
	Name string
	KB   int64
}

// desktopPoint is one reading of the core.
type desktopPoint struct {
	Point string // the test's words: "idle", "after the window, …"
	Mem   mem
	Files []fileRSS `json:",omitempty"` // largest file-backed mappings, largest first
}

type desktopResult struct {
	Command string
	BinDir  string
	Version string   // the core's --version
	Built   string   // the core's modification time
	Libs    []string `json:",omitempty"` // shared libraries the core links (ldd), base names
	Points  []desktopPoint
	Passed  bool    // go test's own verdict
	Seconds float64 // build and run
	Missing string  `json:",omitempty"` // not run: what is missing
	Err     string  `json:",omitempty"` // ran, but no readings: why
	// Headless is a fresh headless gateway's idle reading taken by this
	// phase, only when the run has no startup series to compare with.
	Headless *mem `json:",omitempty"`
}

// desktopMissing says why the smoke test cannot run here ("" when it can).
// root is the module root, abs the binary directory (dir as the user gave
// it, for the message); lookPath is exec.LookPath outside tests.
func desktopMissing(goos, root, dir, abs string, lookPath func(string) (string, error)) string {
	if goos != "linux" {
		return "the desktop smoke test runs on Linux only (Xvfb, D-Bus StatusNotifierItem)"
	}
	if _, err := os.Stat(filepath.Join(root, desktopScript)); err != nil {
		return desktopScript + " not found"
	}
	var bins, tools []string
	for _, b := range desktopBins {
		if st, err := os.Stat(filepath.Join(abs, b)); err != nil || st.IsDir() {
			bins = append(bins, b)
		}
	}
	for _, t := range desktopTools {
		if _, err := lookPath(t); err != nil {
			tools = append(tools, t)
		}
	}
	var why []string
	if len(bins) > 0 {
		why = append(why, fmt.Sprintf("no desktop binaries %s in %s", strings.Join(bins, ", "), dir))
	}
	if len(tools) > 0 {
		why = append(why, "missing test tools: "+strings.Join(tools, ", "))
	}
	return strings.Join(why, "; ")
}

// measureDesktop runs the desktop smoke test with -count=1 and parses the
// core's RSS lines. When the host is pinned, the test binary (and so the
// core and the window it starts) runs on CPU 1 like every gateway;
// Xvfb and the session bus stay with the orchestrator on CPU 0. The
// screenshot goes to the test's temporary directory (SCREENSHOTS and
// MS_SCREENSHOT are removed from its environment), so docs/screenshots is
// left alone.
func measureDesktop(ctx context.Context, h *host, dir string) desktopResult {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	root := moduleRoot(goBin)
	res := desktopResult{BinDir: dir}
	binDir, _ := filepath.Abs(dir)
	args := []string{desktopScript, "-run", "^" + desktopTest + "$"}
	if h.pinned {
		args = append(args, "-exec", h.taskset+" -c 1")
	}
	res.Command = strings.Join(args, " ")
	if res.Missing = desktopMissing(runtime.GOOS, root, dir, binDir, exec.LookPath); res.Missing != "" {
		return res
	}
	core := filepath.Join(binDir, "modelswitch")
	res.Version, res.Built, res.Libs = coreFacts(ctx, core)
	ctx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, desktopScript), args[1:]...)
	cmd.Dir = root
	cmd.Env = append(withoutEnv(os.Environ(), "SCREENSHOTS", "MS_SCREENSHOT", "MS_BIN_DIR", "GO"),
		"MS_BIN_DIR="+binDir, "GO="+goBin)
	out, err := runTimed(cmd, &res.Seconds)
	res.Points = parseDesktopRSS(out)
	res.Passed = err == nil
	if len(res.Points) == 0 {
		res.Err = noFigures("RSS", err, out)
	} else if err != nil {
		res.Err = err.Error() + ": " + tail(out, 600)
	}
	return res
}

// coreFacts are the core's version, build time and linked libraries.
func coreFacts(ctx context.Context, core string) (version, built string, libs []string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if v, err := exec.CommandContext(ctx, core, "--version").Output(); err == nil {
		version = strings.TrimSpace(string(v))
	}
	if st, err := os.Stat(core); err == nil {
		built = st.ModTime().Format("2006-01-02 15:04 MST")
	}
	if out, err := exec.CommandContext(ctx, "ldd", core).Output(); err == nil {
		libs = parseLdd(string(out))
	}
	return version, built, libs
}

// parseLdd keeps the base names of the libraries ldd lists.
func parseLdd(out string) []string {
	var libs []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.Contains(f[0], ".so") {
			continue
		}
		libs = append(libs, filepath.Base(f[0]))
	}
	return libs
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || k == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

func parseDesktopRSS(out string) []desktopPoint {
	var points []desktopPoint
	for _, line := range strings.Split(out, "\n") {
		m := rssLogLine.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		sizes, files, _ := strings.Cut(m[2], "; largest files: ")
		p := desktopPoint{Point: m[1]}
		for _, f := range kbField.FindAllStringSubmatch(sizes, -1) {
			n, _ := strconv.ParseInt(f[2], 10, 64)
			switch f[1] {
			case "VmRSS":
				p.Mem.VmRSS = n
			case "RssAnon":
				p.Mem.RssAnon = n
			case "RssFile":
				p.Mem.RssFile = n
			}
		}
		if p.Mem.VmRSS == 0 {
			continue
		}
		for _, f := range strings.Split(files, ", ") {
			if fm := fileField.FindStringSubmatch(strings.TrimSpace(f)); fm != nil {
				n, _ := strconv.ParseInt(fm[2], 10, 64)
				p.Files = append(p.Files, fileRSS{Name: fm[1], KB: n})
			}
		}
		points = append(points, p)
	}
	return points
}

// idle is the first reading ("idle"), nil without readings.
func (d *desktopResult) idle() *desktopPoint {
	if d == nil || len(d.Points) == 0 {
		return nil
	}
	return &d.Points[0]
}

// headlessIdle measures one fresh headless gateway 500 ms after healthy, as
// the startup series does, for a run that has no such series.
func (h *host) headlessIdle(gp gatewayParams) (*mem, error) {
	gp.name, gp.workspace = "desktop-compare", ""
	g, err := h.startGateway(gp)
	if err != nil {
		return nil, err
	}
	defer g.p.stop()
	time.Sleep(500 * time.Millisecond)
	m, err := readMem(g.p.pid)
	if err != nil {
		return nil, err
	}
	return &m, nil
}
