// Command bench measures ModelSwitch against a zero-delay mock upstream and a
// minimal net/http "floor" proxy (performance-notes §1.1, §4) and writes
// docs/benchmarks.md. `make bench` runs it with no arguments (the "run"
// subcommand); the parts can also be run alone:
//
//	bench [run] [-gateway bin/modelswitch] [-out docs/benchmarks.md] [-desktop bin/desktop]
//	      (BENCH_QUICK=1 for a short run, BENCH_ONLY=cells,stats,allocs,desktop for those phases alone,
//	       BENCH_CELLS='rs*,*2rs-*' to pick the cells of BENCH_ONLY=cells)
//	bench mock  -addr 127.0.0.1:9001 [-chunks 8] [-gap 0s]
//	bench floor -addr 127.0.0.1:9002 -upstream http://127.0.0.1:9001 [-model mock-model]
//	bench load  -url http://127.0.0.1:9001/v1/chat/completions -body req.json [-c 32] [-n 20000 | -d 5s] [-H 'K: V']
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/modelswitch/modelswitch/bench/floor"
	"github.com/modelswitch/modelswitch/bench/load"
	"github.com/modelswitch/modelswitch/bench/mock"
)

func main() {
	args := os.Args[1:]
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "run":
		err = runCmd(args)
	case "mock":
		err = mockCmd(args)
	case "floor":
		err = floorCmd(args)
	case "load":
		err = loadCmd(args)
	default:
		err = fmt.Errorf("unknown subcommand %q (run, mock, floor, load)", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// serve runs h on addr until SIGINT or SIGTERM.
func serve(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("listening on", ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func mockCmd(args []string) error {
	fs := flag.NewFlagSet("mock", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:9001", "listen address")
	chunks := fs.Int("chunks", 8, "content events per stream")
	gap := fs.Duration("gap", 0, "pause between content events")
	_ = fs.Parse(args)
	return serve(*addr, &mock.Server{Chunks: *chunks, Gap: *gap})
}

func floorCmd(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:9002", "listen address")
	up := fs.String("upstream", "http://127.0.0.1:9001", "upstream scheme://host:port")
	model := fs.String("model", "mock-model", "value swapped into \"model\"")
	_ = fs.Parse(args)
	return serve(*addr, floor.New(strings.TrimRight(*up, "/"), *model))
}

type headerFlags []string

func (h *headerFlags) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlags) Set(v string) error { *h = append(*h, v); return nil }

func loadCmd(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	url := fs.String("url", "", "target URL (POST)")
	bodyFile := fs.String("body", "", "request body file")
	c := fs.Int("c", 1, "concurrency")
	n := fs.Int("n", 0, "measured requests (0: run for -d)")
	d := fs.Duration("d", 5*time.Second, "duration when -n is 0")
	warm := fs.Int("warmup", 0, "unmeasured requests first")
	chunks := fs.Int("want-chunks", 0, "token lines each stream must have (0: any)")
	var hs headerFlags
	fs.Var(&hs, "H", "request header 'Name: value' (repeatable)")
	_ = fs.Parse(args)
	if *url == "" || *bodyFile == "" {
		return fmt.Errorf("load needs -url and -body")
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for _, kv := range hs {
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			return fmt.Errorf("header %q is not 'Name: value'", kv)
		}
		h.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	res := load.Run(context.Background(), load.Options{URL: *url, Body: body, Header: h, Concurrency: *c,
		Requests: *n, Duration: *d, Warmup: *warm, WantChunks: *chunks})
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
