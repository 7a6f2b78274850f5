package service

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// awkward is a workspace path with everything systemd and XML treat specially.
const awkward = `/home/alice/My Models/模型 %h $HOME "q" back\slash 'x' & <y>`

var renderCases = []struct {
	name string
	spec Spec
}{
	{"user", Spec{Binary: "/usr/local/bin/modelswitch", Workspace: "/home/alice/.modelswitch", Home: "/home/alice"}},
	{"system", Spec{Binary: "/usr/local/bin/modelswitch", Workspace: "/srv/modelswitch", User: "alice",
		Home: "/home/alice", System: true, Host: "0.0.0.0", Port: 8080, ExtraWritable: []string{"/var/log/modelswitch"}}},
	{"awkward", Spec{Binary: "/opt/Model Switch/bin/modelswitch", Workspace: awkward, Home: "/home/alice", Port: 9000}},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range renderCases {
		unit, err := RenderSystemd(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		golden(t, tc.name+".service", unit)
		back, err := ParseSystemd(unit)
		if err != nil {
			t.Fatalf("%s: parsing the unit back: %v", tc.name, err)
		}
		checkRoundTrip(t, tc.name+".service", tc.spec, back, true)
		if tc.spec.System {
			if _, err := RenderLaunchd(tc.spec); err == nil {
				t.Errorf("%s: a system plist was rendered", tc.name)
			}
			continue
		}
		plist, err := RenderLaunchd(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		golden(t, tc.name+".plist", plist)
		back, err = ParseLaunchd(plist)
		if err != nil {
			t.Fatalf("%s: parsing the plist back: %v", tc.name, err)
		}
		checkRoundTrip(t, tc.name+".plist", tc.spec, back, false)
	}
}

func checkRoundTrip(t *testing.T, name string, want, got Spec, unit bool) {
	t.Helper()
	w := Spec{Binary: want.Binary, Workspace: want.Workspace, Host: want.Host, Port: want.Port}
	g := Spec{Binary: got.Binary, Workspace: got.Workspace, Host: got.Host, Port: got.Port}
	if unit {
		w.User, w.System, g.User, g.System = want.User, want.System, got.User, got.System
	}
	if !reflect.DeepEqual(w, g) {
		t.Errorf("%s round trip:\n got %+v\nwant %+v", name, g, w)
	}
}

func TestSystemdWordQuoting(t *testing.T) {
	for _, tc := range []struct {
		in     string
		dollar bool
		want   string
	}{
		{"/usr/bin/modelswitch", true, "/usr/bin/modelswitch"},
		{"/a b", false, `"/a b"`},
		{`/a"b\c`, false, `"/a\"b\\c"`},
		{"/100%/$HOME", true, "/100%%/$$HOME"},
		{"/100%/$HOME", false, "/100%%/$HOME"},
		{"/模型", true, "/模型"},
		{"", true, `""`},
		{";", true, `";"`},
		{"it's", true, `"it's"`},
	} {
		if got := systemdWord(tc.in, tc.dollar); got != tc.want {
			t.Errorf("systemdWord(%q, %v) = %s, want %s", tc.in, tc.dollar, got, tc.want)
		}
	}
}

func TestRenderRefusesWhatCannotBeWritten(t *testing.T) {
	// systemd refuses quotes and backslashes in an executable name ("contains special
	// characters"); a plist carries them.
	if _, err := RenderSystemd(Spec{Binary: `/opt/a"b/modelswitch`, Workspace: "/w"}); err == nil ||
		!strings.Contains(err.Error(), "quote or a backslash") {
		t.Errorf("a quote in the binary path: %v", err)
	}
	if _, err := RenderLaunchd(Spec{Binary: `/opt/a"b/modelswitch`, Workspace: "/w"}); err != nil {
		t.Errorf("plist with a quote in the binary path: %v", err)
	}
	ok := Spec{Binary: "/bin/modelswitch", Workspace: "/w"}
	for name, mutate := range map[string]func(*Spec){
		"newline in workspace": func(s *Spec) { s.Workspace = "/w\nExecStartPre=/bin/rm" },
		"relative workspace":   func(s *Spec) { s.Workspace = "w" },
		"relative binary":      func(s *Spec) { s.Binary = "modelswitch" },
		"invalid utf-8":        func(s *Spec) { s.Workspace = "/w\xff" },
		"system without user":  func(s *Spec) { s.System = true },
		"user with a space":    func(s *Spec) { s.System, s.User = true, "a b" },
		"host with a space":    func(s *Spec) { s.Host = "a b" },
		"bad name":             func(s *Spec) { s.Name = "../x" },
	} {
		s := ok
		mutate(&s)
		if _, err := RenderSystemd(s); err == nil {
			t.Errorf("%s: rendered", name)
		}
		if _, err := RenderLaunchd(s); err == nil {
			t.Errorf("%s: rendered a plist", name)
		}
	}
}

// TestRenderedUnitsPassSystemdAnalyze has systemd itself parse the units, awkward paths
// included: it names the executable it resolved, so quoting mistakes show.
func TestRenderedUnitsPassSystemdAnalyze(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed; the golden files still pin the output")
	}
	dir := t.TempDir()
	binDir := filepath.Join(dir, `Model Switch %h $HOME 模型`)
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "modelswitch")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, system := range []bool{false, true} {
		s := Spec{Binary: bin, Workspace: filepath.Join(dir, awkward[1:]), System: system, User: "root", Port: 9000}
		unit, err := RenderSystemd(s)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "modelswitch-test.service")
		if err := os.WriteFile(path, unit, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "verify", path).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			t.Errorf("systemd-analyze verify (system=%v): %v\n%s\n%s", system, err, out, unit)
		}
	}
	// The check can fail: a wrongly escaped path is reported as not executable.
	bad := strings.Replace(string(mustRender(t, Spec{Binary: bin, Workspace: "/w"})), "%%h", "%h", 1)
	path := filepath.Join(dir, "modelswitch-bad.service")
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(sa, "verify", path).CombinedOutput(); err == nil {
		t.Errorf("systemd-analyze accepted a unit with an unescaped %%h:\n%s", out)
	}
}

func mustRender(t *testing.T, s Spec) []byte {
	t.Helper()
	b, err := RenderSystemd(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPrivateTmpRefused(t *testing.T) {
	for p, want := range map[string]bool{"/tmp": true, "/tmp/ws": true, "/var/tmp/x": true, "/tmpx": false, "/home/a/tmp": false} {
		if underTmp(p) != want {
			t.Errorf("underTmp(%q) = %v", p, !want)
		}
	}
	saved := privateTmp
	privateTmp = underTmp
	defer func() { privateTmp = saved }()
	if _, err := RenderSystemd(Spec{Binary: "/usr/bin/modelswitch", Workspace: "/tmp/ws"}); err == nil ||
		!strings.Contains(err.Error(), "PrivateTmp") {
		t.Errorf("a workspace in /tmp: %v", err)
	}
}

// FuzzRoundTrip: whatever workspace RenderSystemd and RenderLaunchd accept reads back intact.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{awkward, "/a b", `/x\"y`, "/%%$$", "/;", "/ ", "/é\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ws string) {
		s := Spec{Binary: "/usr/bin/modelswitch", Workspace: ws, Port: 1}
		if unit, err := RenderSystemd(s); err == nil {
			back, err := ParseSystemd(unit)
			if err != nil || back.Workspace != ws {
				t.Fatalf("unit round trip of %q: %q, %v\n%s", ws, back.Workspace, err, unit)
			}
		}
		if plist, err := RenderLaunchd(s); err == nil {
			back, err := ParseLaunchd(plist)
			if err != nil || back.Workspace != ws {
				t.Fatalf("plist round trip of %q: %q, %v\n%s", ws, back.Workspace, err, plist)
			}
		}
	})
}
