package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// smokeLog is the desktop smoke test's output as go test -v prints it (the
// RSS lines of build/smoke/helpers_test.go rss(), then an older line without
// RssFile or files, a failed reading and noise).
const smokeLog = `=== RUN   TestDesktopSmoke
    smoke_test.go:140: RSS of the core with the tray, idle: VmRSS: 93760 kB, RssAnon: 18676 kB, RssFile: 75084 kB; largest files: libLLVM-15.so.1 44076 kB, modelswitch 13576 kB, libgtk-3.so.0.2406.32 4228 kB
    smoke_test.go:145: tray item :1.5/StatusNotifierItem (registered: ["x"]): Id=modelswitch Status=Active
    smoke_test.go:188: screenshot: /tmp/TestDesktopSmoke1/002/desktop.png
    smoke_test.go:257: RSS of the core with the tray, after the window, route, Claude Code and gateway restarts: VmRSS: 96108 kB, RssAnon: 20900 kB, RssFile: 75208 kB; largest files: libLLVM-15.so.1 44076 kB
    smoke_test.go:140: RSS of the core with the tray, idle: VmRSS: 52000 kB, RssAnon: 9000 kB
    smoke_test.go:140: RSS of the core with the tray, idle: open /proc/4242/status: no such file or directory
--- PASS: TestDesktopSmoke (7.85s)
PASS
`

func TestParseDesktopRSS(t *testing.T) {
	got := parseDesktopRSS(smokeLog)
	if len(got) != 3 {
		t.Fatalf("%d points, want 3: %+v", len(got), got)
	}
	idle, after, old := got[0], got[1], got[2]
	if idle.Point != "idle" || idle.Mem != (mem{VmRSS: 93760, RssAnon: 18676, RssFile: 75084}) {
		t.Errorf("idle: %+v", idle)
	}
	wantFiles := []fileRSS{{"libLLVM-15.so.1", 44076}, {"modelswitch", 13576}, {"libgtk-3.so.0.2406.32", 4228}}
	if !slices.Equal(idle.Files, wantFiles) {
		t.Errorf("idle files %+v, want %+v", idle.Files, wantFiles)
	}
	if after.Point != "after the window, route, Claude Code and gateway restarts" || after.Mem.VmRSS != 96108 ||
		after.Mem.RssFile != 75208 || len(after.Files) != 1 {
		t.Errorf("after: %+v", after)
	}
	if old.Mem != (mem{VmRSS: 52000, RssAnon: 9000}) || old.Files != nil {
		t.Errorf("line without RssFile or files: %+v", old)
	}
}

func TestParseLdd(t *testing.T) {
	out := "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibgtk-3.so.0 => /lib/x86_64-linux-gnu/libgtk-3.so.0 (0x00007f8f)\n" +
		"\t/lib64/ld-linux-x86-64.so.2 (0x00007f90)\n\tnot a dynamic executable\n"
	if got := parseLdd(out); strings.Join(got, ",") != "linux-vdso.so.1,libgtk-3.so.0,ld-linux-x86-64.so.2" {
		t.Errorf("%q", got)
	}
}

func TestDesktopMissing(t *testing.T) {
	root, bin := t.TempDir(), t.TempDir()
	all := func(string) (string, error) { return "/usr/bin/x", nil }
	if got := desktopMissing("linux", root, "bin/desktop", bin, all); got != desktopScript+" not found" {
		t.Errorf("no script: %q", got)
	}
	if err := os.MkdirAll(filepath.Join(root, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, desktopScript), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "modelswitch"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	noX := func(name string) (string, error) {
		if name == "xvfb-run" || name == "xdotool" {
			return "", errors.New("not found")
		}
		return "/usr/bin/" + name, nil
	}
	got := desktopMissing("linux", root, "bin/desktop", bin, noX)
	if got != "no desktop binaries modelswitch-ui in bin/desktop; missing test tools: xvfb-run, xdotool" {
		t.Errorf("missing window binary and tools: %q", got)
	}
	if err := os.WriteFile(filepath.Join(bin, "modelswitch-ui"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := desktopMissing("linux", root, "bin/desktop", bin, all); got != "" {
		t.Errorf("everything present: %q", got)
	}
	if got := desktopMissing("darwin", root, "bin/desktop", bin, all); !strings.Contains(got, "Linux only") {
		t.Errorf("macOS: %q", got)
	}
}

func TestWithoutEnv(t *testing.T) {
	got := withoutEnv([]string{"SCREENSHOTS=1", "PATH=/bin", "MS_SCREENSHOT=/x.png", "SCREENSHOTS_X=1"}, "SCREENSHOTS", "MS_SCREENSHOT")
	if strings.Join(got, " ") != "PATH=/bin SCREENSHOTS_X=1" {
		t.Errorf("%q", got)
	}
}

// TestDesktopReport: the section and the summary row, measured, not
// measured for want of binaries or tools, and failed.
func TestDesktopReport(t *testing.T) {
	d := &desktopResult{Command: desktopScript + " -run ^" + desktopTest + "$", BinDir: "bin/desktop", Passed: true,
		Libs: []string{"libgtk-3.so.0", "libayatana-appindicator3.so.1"}, Points: parseDesktopRSS(smokeLog)[:2],
		Headless: &mem{VmRSS: 14000, RssAnon: 3000, RssFile: 11000}}
	r := &results{Only: []string{"desktop"}, Pinned: true, Settings: settingsFor(false), Gateway: "bin/modelswitch-bench", Desktop: d}
	out := string(report(r))
	for _, want := range []string{"## 1. " + desktopTitle,
		"| Idle RSS of the desktop core with the tray (VmRSS; `TestDesktopSmoke` under Xvfb) | — | 91.6 MB (RssAnon 18.2 MB, RssFile 73.3 MB); after use 93.9 MB; headless gateway 13.7 MB (RssAnon 2.9 MB) |  | — |",
		"| desktop core with the tray | idle | 91.6 MB | 18.2 MB | 73.3 MB |",
		"| desktop core with the tray | after the window, route, Claude Code and gateway restarts | 93.9 MB | 20.4 MB | 73.4 MB |",
		"one start by this phase", "| desktop − headless | idle | +77.9 MB | +15.3 MB | +62.6 MB |",
		"WebKitGTK is not among them", "`libLLVM-15.so.1` 43.0 MB", "(the core's own binary)", "Mesa's OpenGL driver"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Statistics over a month") || strings.Contains(out, "failed after its readings") {
		t.Error("partial desktop report has another phase's section or a failure note")
	}

	// A full run compares with the median of the startup series.
	r.Only, r.Startups = nil, []startupResult{{Kind: "cold", MS: []float64{5, 6, 7}, IdleRSS: []mem{{VmRSS: 15000, RssAnon: 4000}, {VmRSS: 16000, RssAnon: 5000}, {VmRSS: 99000, RssAnon: 9000}}}}
	out = string(report(r))
	if !strings.Contains(out, "## 12. "+desktopTitle) || !strings.Contains(out, "median of the 3 starts in §8 | 15.6 MB | 4.9 MB |") {
		t.Errorf("full report: no §12 or no startup median:\n%s", out)
	}

	r.Only, r.Startups = []string{"desktop"}, nil
	r.Desktop = &desktopResult{Command: d.Command, BinDir: "bin/desktop", Missing: "no desktop binaries modelswitch, modelswitch-ui in bin/desktop"}
	out = string(report(r))
	for _, want := range []string{"| — | not measured: no desktop binaries modelswitch, modelswitch-ui in bin/desktop; `make desktop deps-desktop-test` provides them |  | — |",
		"Not measured: no desktop binaries", "`make desktop deps-desktop-test` builds"} {
		if !strings.Contains(out, want) {
			t.Errorf("not-measured report lacks %q:\n%s", want, out)
		}
	}

	r.Desktop = &desktopResult{Command: d.Command, BinDir: "bin/desktop", Err: "exit status 1: --- FAIL: TestDesktopSmoke"}
	out = string(report(r))
	if !strings.Contains(out, "test did not report (see its section below) |  | **not measured**") || !strings.Contains(out, "No figures: `exit status 1") {
		t.Errorf("failed test not marked:\n%s", out)
	}
	r.Desktop = &desktopResult{Command: d.Command, BinDir: "bin/desktop", Points: d.Points, Err: "exit status 1: quit failed"}
	if out = string(report(r)); !strings.Contains(out, "The test itself failed after its readings: `exit status 1: quit failed`") {
		t.Errorf("failure after the readings not reported:\n%s", out)
	}
}
