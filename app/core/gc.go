package core

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The collector's settings when the environment gives none, chosen by
// measurement (docs/performance-log.md, 2026-12-07, third and fourth
// sessions). GOGC=200 halves the collections of the 76 KB Claude Code lane
// at c=32 (+15 % requests per second, −12 % CPU per request) and changes
// nothing on 1 KB bodies. Once request bodies were pooled and the
// conversation writer stopped holding whole batches, a 40 MiB soft limit
// keeps the gateway's peak RSS at ~58 MB on both lanes (the goal is 64 MB)
// for ~15 % more CPU per request than 160 MiB on the large body (the
// same on the small one); 48 MiB peaked at 64 MB for the same CPU, 32 MiB
// ran the collector 400 times a run.
const (
	defaultGCPercent   = 200
	defaultMemoryLimit = 40 << 20
)

// applyGCDefaults sets those where the user has not set GOGC or
// GOMEMLIMIT: theirs always win. It returns whether the memory limit is
// ours, which followHeap may then move.
func applyGCDefaults(getenv func(string) string) (ownLimit bool) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
		return true
	}
	return false
}

// heapLimit is the soft limit for a live heap of live bytes: the default
// while the heap is small, twice the live heap once it is not. A limit
// below the live heap makes the collector run without pause (up to half the
// CPU); a workload that needs the memory (a thousand streams, a burst of
// large bodies) gets it instead.
func heapLimit(live uint64) int64 { return max(defaultMemoryLimit, 2*int64(live)) }

// followHeap moves the limit after the live heap, checked every period,
// until stop is called. (No library does this: automemlimit and its like set
// a limit from the cgroup's, which a desktop process does not have.)
func followHeap(period time.Duration) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		current := int64(defaultMemoryLimit)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			current = adjustLimit(current, heapLimit(sample[0].Value.Uint64()))
		}
	}()
	return func() { close(done); <-finished }
}

// adjustLimit sets want as the limit when it differs from current by more
// than an eighth (no churn on every tick), and returns the limit in force.
func adjustLimit(current, want int64) int64 {
	if d := want - current; d > current/8 || -d > current/8 {
		debug.SetMemoryLimit(want)
		return want
	}
	return current
}
