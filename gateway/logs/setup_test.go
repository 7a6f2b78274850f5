package logs

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// backupName is how lumberjack names a rotated gateway.log.
var backupName = regexp.MustCompile(`^gateway-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.log$`)

func logFiles(t *testing.T, dir string) (current string, backups []string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		switch {
		case e.Name() == FileName:
			current = e.Name()
		case backupName.MatchString(e.Name()):
			backups = append(backups, e.Name())
		default:
			t.Errorf("unexpected file %s", e.Name())
		}
	}
	return current, backups
}

func TestRotationBySize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	l, err := Setup(Options{Dir: dir, MaxBytes: 1000, Backups: 5}) // rounds up to 1 MiB
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("p", 400)
	const lines = 4000 // ~1.8 MiB
	for i := range lines {
		l.Logger.Info("line", "i", i, "pad", pad)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	cur, backups := logFiles(t, dir)
	if cur == "" || len(backups) == 0 || len(backups) > 2 {
		t.Fatalf("current %q, backups %v; want gateway.log and a backup or two", cur, backups)
	}
	seen := 0
	for _, name := range append(backups, cur) { // backups are older
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > mib || name != cur && fi.Size() < mib-chunkSize {
			t.Errorf("%s is %d bytes; want at most 1 MiB, and 1 MiB less a chunk if rotated", name, fi.Size())
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() { // rotation happens between lines: every line is whole JSON, in order
			var rec struct {
				Msg string `json:"msg"`
				I   int    `json:"i"`
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || rec.I != seen {
				t.Fatalf("%s: line %q: %v (want i=%d)", name, sc.Text()[:min(60, len(sc.Text()))], err, seen)
			}
			seen++
		}
		f.Close()
	}
	if seen != lines {
		t.Errorf("%d lines across files, want %d", seen, lines)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("log dir: %v, %v; want mode 0700", fi.Mode().Perm(), err)
	}
}

func TestSetupTightensAnExistingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(`{"old":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Setup(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	l.Logger.Info("new")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || !strings.HasPrefix(string(b), `{"old":true}`) || !strings.Contains(string(b), `"msg":"new"`) {
		t.Errorf("mode %v, content %q; want 0600, appended", fi.Mode().Perm(), b)
	}
}

func TestSetupFailsOnAnUnusableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Setup(Options{Dir: filepath.Join(file, "logs")}); err == nil {
		t.Error("Setup under a regular file succeeded")
	}
}

func TestMegabytes(t *testing.T) {
	for in, want := range map[int64]int{0: 100, -1: 100, 1: 1, mib: 1, mib + 1: 2, 100 * mib: 100} {
		if got := megabytes(in); got != want {
			t.Errorf("megabytes(%d) = %d, want %d", in, got, want)
		}
	}
}

// TestLevelAppliesToEveryOutput logs at each level before and after SetLevel
// and checks what the file, the console and the ring received.
func TestLevelAppliesToEveryOutput(t *testing.T) {
	dir := t.TempDir()
	var console syncBuffer
	l, err := Setup(Options{Dir: dir, Console: &console, Level: slog.LevelWarn, RingSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	logAll := func(tag string) {
		l.Logger.Debug(tag + "-debug")
		l.Logger.Info(tag + "-info")
		l.Logger.Warn(tag + "-warn")
	}
	logAll("a")
	l.SetLevel(slog.LevelDebug)
	if l.Level() != slog.LevelDebug {
		t.Errorf("Level = %v", l.Level())
	}
	logAll("b")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	file, _ := os.ReadFile(filepath.Join(dir, FileName))
	var ring strings.Builder
	for _, e := range l.Ring.Query(Filter{}) {
		ring.WriteString(e.Message + "\n")
	}
	for name, out := range map[string]string{"file": string(file), "console": console.String(), "ring": ring.String()} {
		for msg, want := range map[string]bool{"a-debug": false, "a-info": false, "a-warn": true, "b-debug": true, "b-info": true, "b-warn": true} {
			if got := strings.Contains(out, msg); got != want {
				t.Errorf("%s has %s: %v, want %v", name, msg, got, want)
			}
		}
	}
	if !strings.Contains(console.String(), "level=WARN msg=a-warn") {
		t.Errorf("console is not slog text: %q", console.String())
	}
	// After Close the logger still feeds the ring; the outputs count the loss.
	l.Logger.Info("late")
	if got := l.Ring.Query(Filter{Limit: 1}); got[0].Message != "late" || l.Dropped() != 2 {
		t.Errorf("after Close: newest %q, dropped %d", got[0].Message, l.Dropped())
	}
}

func TestSetupWithoutFileOrConsole(t *testing.T) {
	l, err := Setup(Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Logger.Info("only the ring", "at", time.Unix(0, 0).UTC())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := l.Ring.Query(Filter{}); len(got) != 1 || len(l.Ring.items) != DefaultRingSize {
		t.Errorf("entries %+v, capacity %d", got, len(l.Ring.items))
	}
}
