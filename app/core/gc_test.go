package core

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCDefaultsYieldToTheEnvironment(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })

	applyGCDefaults(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Errorf("GOGC unset: percent %d, want %d", got, defaultGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != defaultMemoryLimit {
		t.Errorf("GOMEMLIMIT unset: limit %d, want %d", got, defaultMemoryLimit)
	}

	env := map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}
	applyGCDefaults(func(k string) string { return env[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set by the user was overridden: %d", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set by the user was overridden: %d", got)
	}
}

// TestLimitFollowsALargeLiveHeap: the limit stays at the default while the
// live heap is small and becomes twice the live heap once it is not, moving
// only for changes of more than an eighth.
func TestLimitFollowsALargeLiveHeap(t *testing.T) {
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(limit) })
	for _, tc := range []struct {
		live uint64
		want int64
	}{{0, defaultMemoryLimit}, {10 << 20, defaultMemoryLimit}, {20 << 20, defaultMemoryLimit}, {100 << 20, 200 << 20}} {
		if got := heapLimit(tc.live); got != tc.want {
			t.Errorf("heapLimit(%d MiB) = %d MiB, want %d MiB", tc.live>>20, got>>20, tc.want>>20)
		}
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	cur := adjustLimit(defaultMemoryLimit, defaultMemoryLimit+1<<20) // +2.5 %: kept
	if cur != defaultMemoryLimit || debug.SetMemoryLimit(-1) != defaultMemoryLimit {
		t.Errorf("a small change moved the limit to %d", cur)
	}
	cur = adjustLimit(cur, 200<<20)
	if cur != 200<<20 || debug.SetMemoryLimit(-1) != 200<<20 {
		t.Errorf("a live heap of 100 MiB: limit %d, want 200 MiB", debug.SetMemoryLimit(-1))
	}
	if cur = adjustLimit(cur, defaultMemoryLimit); debug.SetMemoryLimit(-1) != defaultMemoryLimit {
		t.Errorf("the heap shrank: limit %d, want the default back", debug.SetMemoryLimit(-1))
	}
}

// TestFollowHeapRaisesTheLimitForALiveHeap: with 3× the default kept live,
// the watcher lifts the limit above it.
func TestFollowHeapRaisesTheLimitForALiveHeap(t *testing.T) {
	limit := debug.SetMemoryLimit(defaultMemoryLimit)
	t.Cleanup(func() { debug.SetMemoryLimit(limit) })
	live := make([][]byte, 0, 120)
	for range 120 {
		live = append(live, make([]byte, 1<<20))
	}
	stop := followHeap(10 * time.Millisecond)
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) < 2*int64(len(live))<<20*9/10 {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d MiB with %d MiB live", debug.SetMemoryLimit(-1)>>20, len(live))
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(live)
}
