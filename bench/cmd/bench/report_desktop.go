package main

import (
	"fmt"
	"slices"
	"strings"
)

// Report parts of the desktop phase: the core with its tray, measured by
// the desktop smoke test, beside the headless gateway of the same report.

const desktopTitle = "Desktop core with the tray"

func mdCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// headlessCompare is the headless gateway's idle reading to compare with: the
// median of the startup series (each field on its own) in a full run, the
// desktop phase's own start in a partial one.
func headlessCompare(r *results) (mem, string, bool) {
	var rss, anon, file []float64
	for _, s := range r.Startups {
		for _, m := range s.IdleRSS {
			rss, anon, file = append(rss, float64(m.VmRSS)), append(anon, float64(m.RssAnon)), append(file, float64(m.RssFile))
		}
	}
	if len(rss) > 0 {
		return mem{VmRSS: int64(median(rss)), RssAnon: int64(median(anon)), RssFile: int64(median(file))},
			fmt.Sprintf("idle 500 ms after healthy, median of the %d starts in §8", len(rss)), true
	}
	if d := r.Desktop; d != nil && d.Headless != nil {
		return *d.Headless, "idle 500 ms after healthy, one start by this phase (features-on config, CPU 1)", true
	}
	return mem{}, "", false
}

func desktopSummaryRow(m *md, r *results) {
	const what = "Idle RSS of the desktop core with the tray (VmRSS; `" + desktopTest + "` under Xvfb)"
	d := r.Desktop
	switch {
	case d == nil:
		m.row(what, "—", "not measured in this partial run", "", "—")
		return
	case d.Missing != "":
		m.row(what, "—", mdCell("not measured: "+d.Missing+"; `"+desktopSetup+"` provides them"), "", "—")
		return
	case len(d.Points) == 0:
		m.row(what, "—", "test did not report (see its section below)", "", "**not measured**")
		return
	}
	idle := d.idle().Mem
	val := fmt.Sprintf("%s (RssAnon %s, RssFile %s)", fmb(idle.VmRSS), fmb(idle.RssAnon), fmb(idle.RssFile))
	if len(d.Points) > 1 {
		val += "; after use " + fmb(d.Points[len(d.Points)-1].Mem.VmRSS)
	}
	if h, _, ok := headlessCompare(r); ok {
		val += fmt.Sprintf("; headless gateway %s (RssAnon %s)", fmb(h.VmRSS), fmb(h.RssAnon))
	}
	m.row(what, "—", val, "", "—")
}

func desktopDetails(m *md, r *results, n int) {
	d := r.Desktop
	if d == nil {
		return
	}
	m.p("## %d. %s\n", n, desktopTitle)
	if d.Missing != "" {
		m.p("Not measured: %s. `%s` builds the desktop binaries (GTK 3, WebKitGTK 4.1 and AppIndicator development packages", d.Missing, desktopSetup)
		m.p("are installed on Debian/Ubuntu when missing) and installs the Xvfb and D-Bus tools of the smoke test; then run the")
		m.p("bench again (`BENCH_ONLY=desktop` measures this section alone).\n")
		return
	}
	pin := ""
	if r.Pinned {
		pin = ", the test binary and so the core and the window on CPU 1 (`-exec`), Xvfb and the bus on CPU 0"
	}
	m.p("`%s` (%.0f s, build included), parsed from its log, as `make test-desktop` runs it: the desktop core", d.Command, d.Seconds)
	m.p("`%s/modelswitch` (%s, built %s) with its tray under Xvfb and a private D-Bus session with a StatusNotifierWatcher",
		d.BinDir, orUnknown(d.Version), orUnknown(d.Built))
	m.p("and a panel (gtk-sni-tray)%s. The readings are the core's own `/proc/PID/status`; the admin window is a separate", pin)
	m.p("process (`modelswitch-ui`, WebKitGTK) that exits when it is closed and is not counted. **Idle**: the tray and its menu")
	m.p("are up and the gateway listens; no window has opened yet. **After use**: 200 chat completions went through the gateway")
	m.p("to a local upstream (the tray's \"Today\" line counted them), the window has opened and made requests through its")
	m.p("`/api` (over the control channel), a route was pinned and set back to failover, the Claude Code switch turned on, off")
	m.p("and on, and the gateway stopped and started from the tray. The headless gateway's RSS under load is in the memory")
	m.p("section of a full run.\n")
	if len(d.Points) == 0 {
		m.p("No figures: `%s`\n", mdCell(d.Err))
		return
	}
	m.head("Process", "point", "VmRSS", "RssAnon", "RssFile")
	for _, p := range d.Points {
		m.row("desktop core with the tray", mdCell(p.Point), fmb(p.Mem.VmRSS), fmb(p.Mem.RssAnon), fmb(p.Mem.RssFile))
	}
	h, label, ok := headlessCompare(r)
	if ok {
		idle := d.idle().Mem
		m.row("headless gateway (`"+mdCell(r.Gateway)+"`), fresh", label, fmb(h.VmRSS), fmb(h.RssAnon), fmb(h.RssFile))
		m.row("desktop − headless", "idle", fdiff(idle.VmRSS-h.VmRSS), fdiff(idle.RssAnon-h.RssAnon), fdiff(idle.RssFile-h.RssFile))
	} else {
		m.row("headless gateway", "not measured in this run", "", "", "")
	}
	m.p("")
	fileBacked(m, d)
	if !d.Passed {
		m.p("The test itself failed after its readings: `%s`\n", mdCell(d.Err))
	}
}

// fileBacked is the sentence on what RssFile holds, from this run's own
// readings: the libraries the core links and the files it had resident.
func fileBacked(m *md, d *desktopResult) {
	m.p("RssFile is pages of mapped files: code and read-only data that the page cache shares among every process mapping the")
	m.p("same file, so the libraries a desktop session already has in memory for its panel and other GTK programs cost it")
	m.p("nothing more; RssAnon (heap, stacks, the Go runtime, the C libraries' own allocations) and the core's own binary are")
	m.p("what the core alone adds.")
	if len(d.Libs) > 0 {
		var gtk []string
		for _, l := range d.Libs {
			for _, want := range []string{"libgtk-3", "libgdk-3", "libglib-2.0", "libpango-1.0", "libcairo.", "libayatana-appindicator3", "libdbusmenu-gtk3"} {
				if strings.HasPrefix(l, want) && !slices.Contains(gtk, l) {
					gtk = append(gtk, l)
				}
			}
		}
		webkit := "WebKitGTK is not among them: only the window loads it"
		if slices.ContainsFunc(d.Libs, func(l string) bool { return strings.Contains(l, "webkit") }) {
			webkit = "**WebKitGTK is among them**, although only the window needs it"
		}
		m.p("The core links %d shared libraries (`ldd`), the GTK 3 stack and the tray's AppIndicator among them (%s); %s.",
			len(d.Libs), strings.Join(gtk, ", "), webkit)
	}
	idle := d.idle()
	if len(idle.Files) == 0 {
		m.p("")
		return
	}
	var parts []string
	mesa := false
	for _, f := range idle.Files {
		s := fmt.Sprintf("`%s` %s", f.Name, fmb(f.KB))
		if f.Name == "modelswitch" {
			s += " (the core's own binary)"
		}
		parts = append(parts, s)
		mesa = mesa || strings.HasPrefix(f.Name, "libLLVM") || strings.HasSuffix(f.Name, "_dri.so") || strings.HasPrefix(f.Name, "libgallium")
	}
	m.p("The files with most resident pages when idle: %s.", strings.Join(parts, ", "))
	if mesa {
		m.p("libLLVM and the `_dri.so` are Mesa's OpenGL driver, which GDK's X11 backend loads when it probes OpenGL at start-up")
		m.p("although the tray draws nothing with it: under Xvfb that is the software renderer (llvmpipe), on a desktop with a")
		m.p("GPU it is that GPU's Mesa driver, shared with every other OpenGL program of the session.")
	}
	m.p("")
}

func fdiff(kb int64) string { return fmt.Sprintf("%+.1f MB", float64(kb)/1024) }

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
