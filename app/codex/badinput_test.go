package codex

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/agentconfig"
)

// TestMalformedRefused: a file that is not TOML is refused with the
// position of the problem, and nothing is written anywhere.
func TestMalformedRefused(t *testing.T) {
	cases := []struct {
		name, in       string
		line, col      int
		reasonContains string
	}{
		{"JSON", "{\"model\": \"x\"}\n", 1, 1, "invalid character"},
		{"missing value", "model = \n", 1, 9, ""},
		{"duplicate key", "model = \"a\"\nmodel = \"b\"\n", 2, 1, "already defined"},
		{"table twice", "[features]\n[features]\n", 2, 2, "already exists"},
		{"unterminated string", "model = \"gpt\n", 1, 0, ""},
		{"byte order mark", "\xEF\xBB\xBFmodel = \"x\"\n", 1, 1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.write(c.in)
			_, err := f.sw.Enable(testOpts)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Line != c.line || c.col != 0 && pe.Column != c.col || !strings.Contains(pe.Reason, c.reasonContains) {
				t.Errorf("got line %d col %d %q, want line %d col %d %q", pe.Line, pe.Column, pe.Reason, c.line, c.col, c.reasonContains)
			}
			if !strings.Contains(err.Error(), f.config) || !strings.Contains(err.Error(), "untouched") {
				t.Errorf("message does not name the file or say it is untouched: %v", err)
			}
			if f.read() != c.in || f.stateExists() || f.backupCount() != 0 {
				t.Fatal("something was written")
			}
		})
	}
}

// TestLayoutAndConflictRefused: valid files the switch does not edit, each
// refused with a message saying what to change, and left as they are.
func TestLayoutAndConflictRefused(t *testing.T) {
	cases := []struct {
		name, in string
		is       error
		says     string
	}{
		{"provider as an inline table", "model_providers.modelswitch = { name = \"x\" }\n", ErrLayout, "inline table or with dotted keys"},
		{"providers as an inline table", "model_providers = { azure = { name = \"x\" } }\n", ErrLayout, "inline table"},
		{"provider with dotted keys", "[model_providers]\nmodelswitch.base_url = \"http://x/v1\"\n", ErrLayout, "dotted keys"},
		{"model as a table", "[model]\nname = \"x\"\n", ErrLayout, "model is not a plain key"},
		{"providers not a table", "model_providers = 3\n", ErrLayout, "model_providers is not a table"},
		{"provider as an array of tables", "[[model_providers.modelswitch]]\nname = \"x\"\n", ErrLayout, "not a table"},
		{"a table key written with dotted keys", "[model_providers.modelswitch]\nname.x = 1\n", ErrLayout, "name is not a plain"},
		{"profile sets the provider", "profile = \"work\"\n[profiles.work]\nmodel_provider = \"azure\"\n", ErrConflict, `profile "work" sets model_provider`},
		{"profile sets the model", "profile = \"work\"\n[profiles.work]\nmodel = \"o3\"\n", ErrConflict, "sets model"},
		{"command-backed auth", "[model_providers.modelswitch.auth]\ncommand = \"get-token\"\n", ErrConflict, "has auth"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.write(c.in)
			_, err := f.sw.Enable(testOpts)
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), f.config) {
				t.Fatalf("err = %v", err)
			}
			if f.read() != c.in || f.stateExists() || f.backupCount() != 0 {
				t.Fatal("something was written")
			}
		})
	}
	// An inactive profile does not matter.
	f := newFixture(t)
	f.write("[profiles.work]\nmodel_provider = \"azure\"\n")
	f.enable(testOpts)
}

// TestMalformedAtDisable: a file broken while the switch was on is not
// touched by Disable, and the record stays so a later Disable can finish.
func TestMalformedAtDisable(t *testing.T) {
	f := newFixture(t)
	f.write(userConfig)
	f.enable(testOpts)
	broken := strings.Replace(f.read(), `approval_policy = "on-request"`, `approval_policy = `, 1)
	f.write(broken)
	var pe *ParseError
	if _, err := f.sw.Disable(); !errors.As(err, &pe) || pe.Line != 4 {
		t.Fatalf("err = %v", err)
	}
	if f.read() != broken || !f.stateExists() {
		t.Fatal("broken file touched or record dropped")
	}
	f.write(strings.Replace(broken, `approval_policy = `, `approval_policy = "on-request"`, 1))
	f.disable()
	if f.read() != userConfig {
		t.Fatalf("after repair: %q", f.read())
	}
}

func TestReadOnlyFile(t *testing.T) {
	f := newFixture(t)
	f.write(userConfig)
	if err := os.Chmod(f.config, 0o444); err != nil {
		t.Fatal(err)
	}
	_, err := f.sw.Enable(testOpts)
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "0444") || !strings.HasPrefix(err.Error(), "codex: ") {
		t.Fatalf("err = %v", err)
	}
	if f.read() != userConfig || f.stateExists() || f.backupCount() != 0 {
		t.Fatal("something was written")
	}
}

func TestSymlinkRefused(t *testing.T) {
	f := newFixture(t)
	target := filepath.Join(f.dir, "dotfiles", "codex.toml")
	_ = os.MkdirAll(filepath.Dir(target), 0o700)
	_ = os.MkdirAll(filepath.Dir(f.config), 0o700)
	if err := os.WriteFile(target, []byte(userConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, f.config); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	_, err := f.sw.Enable(testOpts)
	if !errors.Is(err, ErrSymlink) || !strings.Contains(err.Error(), target) || !strings.Contains(err.Error(), "by hand") {
		t.Fatalf("err = %v", err)
	}
	if fi, _ := os.Lstat(f.config); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("link replaced")
	}
	if b, _ := os.ReadFile(target); string(b) != userConfig || f.stateExists() {
		t.Fatal("target changed or record written")
	}
	if st, err := f.sw.Status(); err != nil || !st.Exists || st.Model != "gpt-5-codex" {
		t.Fatalf("Status through the link: %+v %v", st, err)
	}
}

// TestConcurrentEditDetected: an edit made while the switch writes wins;
// nothing of ours lands and the record is rolled back.
func TestConcurrentEditDetected(t *testing.T) {
	f := newFixture(t)
	f.write(userConfig)
	edited := strings.Replace(userConfig, `"high"`, `"low"`, 1)
	agentconfig.BeforeRename = func(path string) {
		if path == f.config {
			f.write(edited)
		}
	}
	t.Cleanup(func() { agentconfig.BeforeRename = nil })
	if _, err := f.sw.Enable(testOpts); !errors.Is(err, ErrChanged) {
		t.Fatalf("err = %v", err)
	}
	if f.read() != edited || f.stateExists() {
		t.Fatal("user's edit lost or record left")
	}
}

// TestBackupRotation: 11 switch-ons of 11 different user files leave the
// newest 10 backups, each the file as it was before that write.
func TestBackupRotation(t *testing.T) {
	f := newFixture(t)
	var texts []string
	for i := range 11 {
		text := fmt.Sprintf("model_context_window = %d\n", 1000+i)
		texts = append(texts, text)
		f.write(text)
		res := f.enable(testOpts)
		if !strings.HasPrefix(filepath.Base(res.Backup), "config.toml.bak-20260301-12") || filepath.Dir(res.Backup) != filepath.Join(f.dir, "ws", "data", "codex-backups") {
			t.Fatalf("write %d: backup %q", i, res.Backup)
		}
		if b, _ := os.ReadFile(res.Backup); string(b) != text {
			t.Fatalf("backup %d holds %q", i, b)
		}
		f.disable() // points at us: no backup
	}
	names, _ := f.sw.backups().List()
	if len(names) != 10 {
		t.Fatalf("%d backups, want 10", len(names))
	}
	if b, _ := os.ReadFile(names[0]); string(b) != texts[1] {
		t.Errorf("oldest kept backup is %q, want the second file", b)
	}
}

// TestWarning: the switch speaks only when Codex points at this gateway
// and nothing answers at its /health.
func TestWarning(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer ok.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	f := newFixture(t)
	if err := f.sw.Warning(time.Second); err != nil {
		t.Errorf("no config: %v", err)
	}
	f.enable(Options{BaseURL: downURL, Token: testToken, Model: testModel})
	if err := f.sw.Warning(time.Second); err == nil || !strings.Contains(err.Error(), "Codex points at the gateway "+downURL+"/v1, but it is not running") {
		t.Errorf("stopped gateway: %v", err)
	}
	f.enable(Options{BaseURL: ok.URL, Token: testToken, Model: testModel})
	if err := f.sw.Warning(time.Second); err != nil {
		t.Errorf("running gateway: %v", err)
	}
}

// TestConcurrentUse runs switch-on, switch-off and status reads together
// (go test -race); the file always parses and ends as it began.
func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	f.write(userConfig)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if i%2 == 0 {
					_, _ = f.sw.Enable(testOpts)
				} else {
					_, _ = f.sw.Disable()
				}
				if _, err := f.sw.Status(); err != nil {
					t.Errorf("Status: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	_, _ = f.sw.Disable()
	if got := f.read(); got != userConfig {
		t.Fatalf("ended with %q", got)
	}
}
