// Package load is a keep-alive HTTP load generator for the benchmarks. It
// sends one body with a fixed concurrency for a count or a duration and
// measures latency, time to the first SSE data line that holds a token
// (TTFT), the gap between token lines, and req/s.
package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options describe one run.
type Options struct {
	URL         string
	Body        []byte
	Header      http.Header
	Concurrency int             // default 1
	Requests    int             // measured requests; 0 means run for Duration
	Duration    time.Duration   // used when Requests is 0
	Warmup      int             // requests sent first and not measured
	FirstMarker string          // TTFT: first SSE data line containing it; default `"tok0 `
	ChunkMarker string          // token lines for the gap figures; default `"tok`
	WantChunks  int             // if > 0, a stream with another token-line count is an error
	Timeout     time.Duration   // per request; default 60s
	Started     func()          // if set, called after the warm-up, as measuring starts
	Transport   *http.Transport // reused (and left open) if set; default a fresh one per run
}

// Dist summarises samples in microseconds.
type Dist struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// Result is what a run measured.
type Result struct {
	URL         string  `json:"url"`
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	ElapsedS    float64 `json:"elapsed_s"`
	RPS         float64 `json:"rps"`
	Latency     Dist    `json:"latency_us"`
	TTFT        *Dist   `json:"ttft_us,omitempty"`
	Gap         *Dist   `json:"chunk_gap_us,omitempty"`
	Streams     int     `json:"streams,omitempty"`
	ChunksMin   int     `json:"chunks_min,omitempty"`
	ChunksMax   int     `json:"chunks_max,omitempty"`
}

type sample struct {
	lat, ttft time.Duration
	gaps      []time.Duration
	chunks    int
	stream    bool
	err       error
}

// Run executes one run with a fresh keep-alive transport.
func Run(ctx context.Context, o Options) Result {
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.FirstMarker == "" {
		o.FirstMarker = `"tok0 `
	}
	if o.ChunkMarker == "" {
		o.ChunkMarker = `"tok`
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	tr := o.Transport
	if tr == nil {
		tr = NewTransport(o.Concurrency)
		defer tr.CloseIdleConnections()
	}
	if o.Warmup > 0 {
		phase(ctx, tr, o, o.Warmup, 0, nil)
	}
	var mu sync.Mutex
	var all []sample
	if o.Started != nil {
		o.Started()
	}
	start := time.Now()
	phase(ctx, tr, o, o.Requests, o.Duration, func(s []sample) {
		mu.Lock()
		all = append(all, s...)
		mu.Unlock()
	})
	return summarise(o, all, time.Since(start))
}

// NewTransport is a keep-alive client transport for conc concurrent requests.
func NewTransport(conc int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conc + 16,
		MaxIdleConnsPerHost: conc + 16,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		WriteBufferSize:     64 << 10,
	}
}

// phase runs n requests (or until d passes when n is 0) over Concurrency workers.
func phase(ctx context.Context, tr *http.Transport, o Options, n int, d time.Duration, collect func([]sample)) {
	var left atomic.Int64
	left.Store(int64(n))
	deadline := time.Now().Add(d)
	workers := o.Concurrency
	if n > 0 && n < workers {
		workers = n
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := bufio.NewReaderSize(nil, 64<<10)
			var mine []sample
			for ctx.Err() == nil {
				if n > 0 && left.Add(-1) < 0 {
					break
				}
				if n == 0 && !time.Now().Before(deadline) {
					break
				}
				mine = append(mine, one(ctx, tr, o, br))
			}
			if collect != nil {
				collect(mine)
			}
		}()
	}
	wg.Wait()
}

func one(ctx context.Context, tr *http.Transport, o Options, br *bufio.Reader) (s sample) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(o.Body))
	if err != nil {
		s.err = err
		return s
	}
	if o.Header != nil {
		req.Header = o.Header
	}
	req.ContentLength = int64(len(o.Body))
	t0 := time.Now()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		s.err = err
		return s
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		s.err = fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
		return s
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, err := io.ReadAll(resp.Body)
		s.lat = time.Since(t0)
		if err == nil && !bytes.Contains(b, []byte(strings.TrimPrefix(o.FirstMarker, `"`))) {
			err = fmt.Errorf("answer without %q: %.200s", o.FirstMarker, b)
		}
		s.err = err
		return s
	}
	s.stream = true
	br.Reset(resp.Body)
	first, chunk := []byte(o.FirstMarker), []byte(o.ChunkMarker)
	var last time.Duration
	for {
		line, err := br.ReadSlice('\n')
		if bytes.HasPrefix(line, []byte("data:")) && bytes.Contains(line, chunk) {
			now := time.Since(t0)
			if s.ttft == 0 && bytes.Contains(line, first) {
				s.ttft = now
			}
			if s.chunks > 0 {
				s.gaps = append(s.gaps, now-last)
			}
			last = now
			s.chunks++
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if err != io.EOF {
				s.err = err
			}
			break
		}
	}
	s.lat = time.Since(t0)
	switch {
	case s.err != nil:
	case s.ttft == 0:
		s.err = fmt.Errorf("stream without %q", o.FirstMarker)
	case o.WantChunks > 0 && s.chunks != o.WantChunks:
		s.err = fmt.Errorf("stream had %d token lines, want %d", s.chunks, o.WantChunks)
	}
	return s
}

func summarise(o Options, all []sample, elapsed time.Duration) Result {
	r := Result{URL: o.URL, Concurrency: o.Concurrency, ElapsedS: elapsed.Seconds()}
	var lat, ttft, gaps []time.Duration
	r.ChunksMin = math.MaxInt
	for _, s := range all {
		if s.err != nil {
			if r.Errors == 0 {
				r.FirstError = s.err.Error()
			}
			r.Errors++
			continue
		}
		r.Requests++
		lat = append(lat, s.lat)
		if s.stream {
			r.Streams++
			ttft = append(ttft, s.ttft)
			gaps = append(gaps, s.gaps...)
			r.ChunksMin = min(r.ChunksMin, s.chunks)
			r.ChunksMax = max(r.ChunksMax, s.chunks)
		}
	}
	if r.Streams == 0 {
		r.ChunksMin = 0
	}
	if elapsed > 0 {
		r.RPS = float64(r.Requests) / elapsed.Seconds()
	}
	r.Latency = Summarise(lat)
	if len(ttft) > 0 {
		d := Summarise(ttft)
		r.TTFT = &d
	}
	if len(gaps) > 0 {
		d := Summarise(gaps)
		r.Gap = &d
	}
	return r
}

// Summarise returns the distribution of xs in microseconds.
func Summarise(xs []time.Duration) Dist {
	if len(xs) == 0 {
		return Dist{}
	}
	s := append([]time.Duration(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return us(s[max(i, 0)])
	}
	return Dist{N: len(s), Mean: us(sum) / float64(len(s)), P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: us(s[len(s)-1])}
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
