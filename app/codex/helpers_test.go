package codex

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const (
	testURL   = "http://127.0.0.1:8080"
	testToken = "ms-test-token"
	testModel = "m1"
)

var testOpts = Options{BaseURL: testURL, Token: testToken, Model: testModel}

// fixture is a Switch on real files in a temporary directory.
type fixture struct {
	t      *testing.T
	dir    string
	config string
	state  string
	sw     *Switch
	clock  time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, dir: dir,
		config: filepath.Join(dir, "home", ".codex", "config.toml"),
		state:  filepath.Join(dir, "ws", "data", "codex.json"),
		clock:  time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	sw, err := New(Config{ConfigPath: f.config, StatePath: f.state, BaseURL: testURL, Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	f.sw = sw
	return f
}

// now advances one second per call, like a user clicking now and then.
func (f *fixture) now() time.Time {
	f.clock = f.clock.Add(time.Second)
	return f.clock
}

func (f *fixture) write(text string) {
	f.t.Helper()
	if err := os.MkdirAll(filepath.Dir(f.config), 0o700); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(f.config, []byte(text), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

const missing = "<missing>"

// read returns the config text, or missing.
func (f *fixture) read() string {
	f.t.Helper()
	b, err := os.ReadFile(f.config)
	if errors.Is(err, fs.ErrNotExist) {
		return missing
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func (f *fixture) enable(o Options) Result {
	f.t.Helper()
	res, err := f.sw.Enable(o)
	if err != nil {
		f.t.Fatalf("Enable: %v", err)
	}
	return res
}

func (f *fixture) disable() Result {
	f.t.Helper()
	res, err := f.sw.Disable()
	if err != nil {
		f.t.Fatalf("Disable: %v", err)
	}
	return res
}

func (f *fixture) backupCount() int {
	f.t.Helper()
	names, err := f.sw.backups().List()
	if err != nil {
		f.t.Fatal(err)
	}
	return len(names)
}

func (f *fixture) stateExists() bool {
	_, err := os.Stat(f.state)
	return err == nil
}

func keysOf(kept []Kept) []string {
	var out []string
	for _, k := range kept {
		out = append(out, k.Key)
	}
	return out
}
