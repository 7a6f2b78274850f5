package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// host is the machine layout: whether mock+load and the proxies get their own CPUs.
type host struct {
	taskset string // path, "" when absent
	pinned  bool   // taskset present and at least 2 CPUs
	note    string // why not pinned
	dir     string // scratch directory for workspaces, bodies and logs
	self    string // this executable, for the mock and floor subcommands
	desktop string // the desktop binaries' directory (-desktop), for the desktop phase
	procs   []*proc
	clkTck  int64
}

type proc struct {
	name    string
	cmd     *exec.Cmd
	pid     int
	started time.Time
	log     string
	done    chan struct{}
}

// pinSelf re-executes the orchestrator under `taskset -c 0` so that the load
// generator shares CPU 0 with the mock; the proxies get CPU 1.
func pinSelf() (pinned bool, note string) {
	ts, err := exec.LookPath("taskset")
	switch {
	case os.Getenv("BENCH_PINNED") == "1": // already re-executed; NumCPU now sees one CPU
		return true, ""
	case err != nil:
		return false, "taskset not found: nothing pinned, figures mix load, mock and proxy on the same CPUs"
	case runtime.NumCPU() < 2:
		return false, "only one CPU: nothing pinned, everything shares it"
	}
	self, err := os.Executable()
	if err != nil {
		return false, "cannot find own executable: " + err.Error()
	}
	env := append(os.Environ(), "BENCH_PINNED=1")
	err = syscall.Exec(ts, append([]string{"taskset", "-c", "0", self}, os.Args[1:]...), env)
	return false, "re-exec under taskset failed: " + err.Error()
}

func newHost(pinned bool, note string) (*host, error) {
	dir, err := os.MkdirTemp("", "modelswitch-bench-")
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	h := &host{pinned: pinned, note: note, dir: dir, self: self, clkTck: 100}
	if pinned {
		h.taskset, _ = exec.LookPath("taskset")
	}
	if out, err := exec.Command("getconf", "CLK_TCK").Output(); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil && n > 0 {
			h.clkTck = n
		}
	}
	return h, nil
}

// start runs bin with args, pinned to cpu when the host is pinned.
func (h *host) start(name string, cpu int, env []string, bin string, args ...string) (*proc, error) {
	argv := append([]string{bin}, args...)
	if h.pinned {
		argv = append([]string{h.taskset, "-c", strconv.Itoa(cpu)}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	logPath := filepath.Join(h.dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p.pid = cmd.Process.Pid // taskset execs the program, so the pid stays
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	h.procs = append(h.procs, p)
	return p, nil
}

// stop ends p with SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (h *host) stopAll() {
	for i := len(h.procs) - 1; i >= 0; i-- {
		h.procs[i].stop()
	}
	h.procs = nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy polls url every 250 µs on fresh connections until it answers
// 200 and returns the time since p started.
func waitHealthy(p *proc, url string, timeout time.Duration) (time.Duration, error) {
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := p.started.Add(timeout)
	for time.Now().Before(deadline) {
		if !p.alive() {
			return 0, fmt.Errorf("%s exited during start; see %s", p.name, p.log)
		}
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.started), nil
			}
		}
		time.Sleep(250 * time.Microsecond)
	}
	return 0, fmt.Errorf("%s not healthy after %v; see %s", p.name, timeout, p.log)
}

// cpuTicks is utime+stime of pid from /proc/pid/stat, in clock ticks.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// cpuNS is the on-CPU time of all of pid's threads from schedstat, in ns
// (finer than clock ticks; used for the c=1 cells).
func cpuNS(pid int) int64 {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			sum += n
		}
	}
	return sum
}

// mem is a /proc/pid/status reading in kB.
type mem struct {
	VmRSS   int64 `json:"vm_rss_kb"`
	RssAnon int64 `json:"rss_anon_kb"`
	RssFile int64 `json:"rss_file_kb"`
}

func readMem(pid int) (mem, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return mem{}, err
	}
	var m mem
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.VmRSS = n
		case "RssAnon":
			m.RssAnon = n
		case "RssFile":
			m.RssFile = n
		}
	}
	if m.VmRSS == 0 {
		return m, errors.New("no VmRSS")
	}
	return m, nil
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// cpuCount is the number of CPUs in /proc/cpuinfo (NumCPU sees only our affinity mask).
func cpuCount() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	n := strings.Count(string(b), "\nprocessor")
	if strings.HasPrefix(string(b), "processor") {
		n++
	}
	return n
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func dialQuick(port int) (net.Conn, error) {
	return net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 100*time.Millisecond)
}

// cpuPressure is the kernel's CPU pressure (PSI "some" avg60, in %): how much
// of the last minute runnable tasks waited for a CPU — other work on the box.
func cpuPressure() string {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return "n/a"
	}
	for _, f := range strings.Fields(strings.SplitN(string(b), "\n", 2)[0]) {
		if v, ok := strings.CutPrefix(f, "avg60="); ok {
			return v + " %"
		}
	}
	return "n/a"
}
