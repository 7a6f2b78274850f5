package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
)

func TestResolve(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	home := func() (string, error) { return "/home/u", nil }
	noHome := func() (string, error) { return "", errors.New("no home") }
	tests := []struct {
		name, flag, env string
		home            func() (string, error)
		want            string
		wantErr         bool
	}{
		{"flag wins", "/srv/ws/", "/env/ws", home, "/srv/ws", false},
		{"flag relative", "ws/../other", "/env/ws", home, filepath.Join(cwd, "other"), false},
		{"env next", "", "/env/ws", home, "/env/ws", false},
		{"env relative", "", "rel", home, filepath.Join(cwd, "rel"), false},
		{"env tilde", "", "~/work", home, "/home/u/work", false},
		{"flag tilde", "~", "", home, "/home/u", false},
		{"default", "", "", home, "/home/u/.modelswitch", false},
		{"blank env is unset", "  ", "  ", home, "/home/u/.modelswitch", false},
		{"no home needed", "/x", "", noHome, "/x", false},
		{"no home", "", "", noHome, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k != EnvVar {
					t.Errorf("read env %q", k)
				}
				return tt.env
			}
			got, err := resolve(tt.flag, getenv, tt.home)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("resolve = %q, %v; want %q, err %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	t.Setenv(EnvVar, "/from/env")
	if got, err := Resolve(""); err != nil || got != "/from/env" {
		t.Errorf("Resolve reads the process env: %q, %v", got, err)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// mkdirMode creates dir with exactly mode m, whatever the umask.
func mkdirMode(t *testing.T, dir string, m fs.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, m); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, m); err != nil {
		t.Fatal(err)
	}
}

func TestOpenFirstRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "ws")
	w, first, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if first == nil || first.ConfigPath != filepath.Join(dir, "config.yaml") || !strings.HasPrefix(first.AdminKey, config.SecretPrefix) {
		t.Fatalf("first run = %+v", first)
	}
	for _, d := range []string{w.Dir, w.LogDir, w.DataDir, w.RunDir} {
		if m := mode(t, d); m != 0o700 {
			t.Errorf("%s mode %v, want 0700", d, m)
		}
	}
	if m := mode(t, w.ConfigPath); m != 0o600 {
		t.Errorf("config mode %v, want 0600", m)
	}
	cfg, _, err := config.Load(w.ConfigPath)
	if err != nil {
		t.Fatalf("first-run config does not load: %v", err)
	}
	if len(cfg.APIKeys) != 1 || cfg.APIKeys[0].Key != first.AdminKey || !cfg.APIKeys[0].HasRole(config.RoleAdmin) {
		t.Errorf("config keys = %+v, want the returned admin key", cfg.APIKeys)
	}
	entries, _ := os.ReadDir(w.Dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}

	// Second open: the config exists, nothing is rewritten.
	before, _ := os.ReadFile(w.ConfigPath)
	_, again, err := Open(dir)
	after, _ := os.ReadFile(w.ConfigPath)
	if err != nil || again != nil || string(before) != string(after) {
		t.Errorf("second Open: first=%v err=%v changed=%v", again, err, string(before) != string(after))
	}
}

// A workspace made by hand: Open keeps the user's config.yaml (content and mode) and makes the
// four directories private, since run/ holds the keyless control socket.
func TestOpenKeepsUserFilesTightensDirs(t *testing.T) {
	dir := t.TempDir()
	for name, m := range map[string]fs.FileMode{"logs": 0o755, "data": 0o750, "run": 0o777} {
		mkdirMode(t, filepath.Join(dir, name), m)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := []byte("gateway: {port: 9000}\n")
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), mine, 0o644); err != nil {
		t.Fatal(err)
	}
	w, first, err := Open(dir)
	if err != nil || first != nil {
		t.Fatalf("Open = %v, %v", first, err)
	}
	if got, _ := os.ReadFile(w.ConfigPath); string(got) != string(mine) {
		t.Errorf("config overwritten: %q", got)
	}
	for path, want := range map[string]fs.FileMode{dir: 0o700, w.LogDir: 0o700, w.DataDir: 0o700, w.RunDir: 0o700,
		w.ConfigPath: 0o644} {
		if m := mode(t, path); m != want {
			t.Errorf("%s mode %v, want %v", path, m, want)
		}
	}
	if len(w.Warnings) != 0 {
		t.Errorf("warnings %q, want none", w.Warnings)
	}
	if e := w.Exposure(); len(e) != 1 || !strings.Contains(e[0], "config.yaml is readable by other users (mode 0644)") {
		t.Errorf("Exposure = %q, want the config.yaml warning", e)
	}
	// A file where a directory belongs is an error, not a silent success.
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "run"), nil, 0o600)
	if _, _, err := Open(bad); err == nil {
		t.Errorf("Open with a file named run succeeded")
	}
}

// Racing first runs: exactly one writes the config and reports a key, and the file holds it.
func TestOpenRace(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	firsts := make(chan *FirstRun, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, first, err := Open(dir)
			if err != nil {
				t.Error(err)
			}
			firsts <- first
		}()
	}
	wg.Wait()
	close(firsts)
	var winners []*FirstRun
	for f := range firsts {
		if f != nil {
			winners = append(winners, f)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d first runs, want 1", len(winners))
	}
	cfg, _, err := config.Load(filepath.Join(dir, "config.yaml"))
	if err != nil || cfg.APIKeys[0].Key != winners[0].AdminKey {
		t.Errorf("config does not hold the reported key: %v", err)
	}
}

func TestCreateExclusiveNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	for i, tt := range []struct {
		data    string
		created bool
	}{{"one", true}, {"two", false}} {
		created, err := createExclusive(path, []byte(tt.data))
		if err != nil || created != tt.created {
			t.Errorf("call %d: created=%v err=%v, want %v", i, created, err, tt.created)
		}
	}
	if created, err := createExcl(path, []byte("three")); err != nil || created {
		t.Errorf("O_EXCL fallback: created=%v err=%v", created, err)
	}
	if got, _ := os.ReadFile(path); string(got) != "one" {
		t.Errorf("content %q, want one", got)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	w := New(t.TempDir())
	tests := []struct{ path, data string }{
		{"config.yaml", "a: 1\n"},
		{"config.yaml", "b: 2\n"}, // replaces
		{filepath.Join(w.Dir, "abs.txt"), "x"},
	}
	for _, tt := range tests {
		if err := w.WriteFileAtomic(tt.path, []byte(tt.data)); err != nil {
			t.Fatal(err)
		}
		full := tt.path
		if !filepath.IsAbs(full) {
			full = filepath.Join(w.Dir, full)
		}
		if got, _ := os.ReadFile(full); string(got) != tt.data {
			t.Errorf("%s = %q, want %q", tt.path, got, tt.data)
		}
		if m := mode(t, full); m != 0o600 {
			t.Errorf("%s mode %v, want 0600", tt.path, m)
		}
	}
	if err := WriteFileAtomic(filepath.Join(w.Dir, "missing", "f"), nil); err == nil {
		t.Errorf("write into a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(w.Dir); len(entries) != 2 {
		t.Errorf("directory holds %d entries, want 2 (no temp files)", len(entries))
	}
}
