//go:build desktopsmoke

package smoke

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// logBuffer collects a process's output for assertions and failure reports.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// proc is a started process; wait returns its exit code once.
type proc struct {
	cmd  *exec.Cmd
	out  *logBuffer
	done chan struct{}
	code int
}

// start runs name with env added to ours; it is killed at cleanup if still running.
func start(t *testing.T, env []string, name string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(name, args...), out: &logBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		err := p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		if err != nil && p.code == 0 {
			p.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(5 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
	})
	return p
}

func (p *proc) exited(within time.Duration) (int, bool) {
	select {
	case <-p.done:
		return p.code, true
	case <-time.After(within):
		return 0, false
	}
}

// eventually polls cond for up to d, failing with what() when it never holds.
func eventually(t *testing.T, d time.Duration, what func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(what())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// run runs a command and returns its combined output.
func run(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// windowState is xwininfo's "Map State" of the top-level window named name ("" if none).
func windowState(name string) string {
	out, err := run("xwininfo", "-name", name)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "Map State:"); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// windowCount counts mapped windows whose name is exactly name.
func windowCount(name string) int {
	out, _ := run("xdotool", "search", "--onlyvisible", "--name", "^"+name+"$")
	return len(strings.Fields(out))
}

// repoPath resolves a path relative to the repository root (two levels up).
func repoPath(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	abs, _ := filepath.Abs(filepath.Join("..", "..", rel))
	return abs
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func fileText(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

// rss reads a process's resident set from /proc: total, anonymous and
// file-backed, then the files that hold most of the file-backed part. The
// bench's desktop phase parses these log lines into docs/benchmarks.md
// (bench/cmd/bench/desktop.go): keep the format.
func rss(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") || strings.HasPrefix(line, "RssAnon:") || strings.HasPrefix(line, "RssFile:") {
			parts = append(parts, strings.Join(strings.Fields(line), " "))
		}
	}
	out := strings.Join(parts, ", ")
	if files := largestFiles(pid, 5); files != "" {
		out += "; largest files: " + files
	}
	return out
}

// largestFiles sums the resident kB of each mapped file in /proc/PID/smaps
// and names the n largest ("libfoo.so.1 123 kB, …").
func largestFiles(pid, n int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return ""
	}
	kb := map[string]int64{}
	var file string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"): // a mapping's header
			file = ""
			if len(f) >= 6 && strings.HasPrefix(f[5], "/") {
				file = filepath.Base(f[5])
			}
		case len(f) == 3 && f[0] == "Rss:" && file != "":
			v, _ := strconv.ParseInt(f[1], 10, 64)
			kb[file] += v
		}
	}
	names := make([]string, 0, len(kb))
	for name := range kb {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return kb[names[i]] > kb[names[j]] })
	var parts []string
	for _, name := range names[:min(n, len(names))] {
		parts = append(parts, fmt.Sprintf("%s %d kB", name, kb[name]))
	}
	return strings.Join(parts, ", ")
}
