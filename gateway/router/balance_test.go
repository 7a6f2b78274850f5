package router

import (
	"context"
	"math"
	"testing"
	"time"
)

func level(prio int, specs ...any) []Target {
	var ts []Target
	for i := 0; i < len(specs); i += 2 {
		ts = append(ts, Target{Index: len(ts), Provider: specs[i].(string), Model: "m", Priority: prio, Weight: specs[i+1].(int)})
	}
	return ts
}

// TestWeightedSpreadOver10000: over 10,000 requests each adapter of a level
// goes first within 5 % of its weight's share, and the level below is never
// moved ahead of it.
func TestWeightedSpreadOver10000(t *testing.T) {
	b := NewBalancer()
	now := time.Now()
	firsts := map[string]int{}
	const n = 10000
	for range n {
		ts := append(level(1, "a", 5, "b", 3, "c", 2), level(2, "backup", 9)...)
		b.Order("glm", Weighted, ts, "", now)
		firsts[ts[0].Provider]++
		if ts[3].Provider != "backup" {
			t.Fatalf("the second level moved: %v", ts)
		}
		seen := map[string]bool{}
		for _, x := range ts[:3] {
			seen[x.Provider] = true
		}
		if len(seen) != 3 {
			t.Fatalf("a target lost or doubled: %v", ts)
		}
	}
	for p, w := range map[string]float64{"a": 0.5, "b": 0.3, "c": 0.2} {
		got := float64(firsts[p]) / n
		if math.Abs(got-w)/w > 0.05 {
			t.Errorf("%s went first %.3f of the time, want %.2f ± 5 %%", p, got, w)
		}
	}
	if firsts["backup"] != 0 {
		t.Errorf("the backup level went first %d times", firsts["backup"])
	}
}

// TestWeightedInterleaves: the smooth round robin does not serve one
// target's whole share in a burst.
func TestWeightedInterleaves(t *testing.T) {
	b := NewBalancer()
	var order string
	for range 4 {
		ts := level(1, "a", 1, "b", 1)
		b.Order("m", Weighted, ts, "", time.Now())
		order += ts[0].Provider
	}
	if order != "abab" && order != "baba" {
		t.Errorf("equal weights went first as %q, want them alternating", order)
	}
}

func TestLeastInFlightPrefersTheIdle(t *testing.T) {
	b := NewBalancer()
	busy, idle := b.Load("a", "m"), b.Load("b", "m")
	busy.begin()
	busy.begin()
	idle.begin()
	for range 10 {
		ts := level(1, "a", 1, "b", 1)
		ts[0].Load, ts[1].Load = busy, idle
		b.Order("m", LeastInFlight, ts, "", time.Now())
		if ts[0].Provider != "b" {
			t.Fatalf("%v: the busier target went first", ts)
		}
	}
	idle.end()
	busy.end()
	busy.end()
	firsts := map[string]int{}
	for range 10 {
		ts := level(1, "a", 1, "b", 1)
		ts[0].Load, ts[1].Load = busy, idle
		b.Order("m", LeastInFlight, ts, "", time.Now())
		firsts[ts[0].Provider]++
	}
	if firsts["a"] != 5 || firsts["b"] != 5 {
		t.Errorf("idle targets went first %v, want them taking turns", firsts)
	}
}

func TestLatencyPrefersTheFastAndRetriesTheUnmeasured(t *testing.T) {
	b := NewBalancer()
	slow, fast, fresh := b.Load("slow", "m"), b.Load("fast", "m"), b.Load("fresh", "m")
	now := time.Now()
	slow.observe(300*time.Millisecond, now)
	fast.observe(20*time.Millisecond, now)
	order := func() string {
		ts := level(1, "slow", 1, "fast", 1, "fresh", 1)
		ts[0].Load, ts[1].Load, ts[2].Load = slow, fast, fresh
		b.Order("m", Latency, ts, "", now)
		return ts[0].Provider + "," + ts[1].Provider + "," + ts[2].Provider
	}
	if got := order(); got != "fresh,fast,slow" {
		t.Errorf("order %s, want the unmeasured first, then by latency", got)
	}
	fresh.observe(100*time.Millisecond, now)
	if got := order(); got != "fast,fresh,slow" {
		t.Errorf("order %s, want fast,fresh,slow", got)
	}
	// A target not measured for a while counts as unmeasured again.
	slow.measured.Store(now.Add(-2 * latencyStale).UnixNano())
	if got := order(); got[:4] != "slow" {
		t.Errorf("order %s: a stale measurement should be tried again first", got)
	}
	// One outlier moves the average a quarter of the way.
	fast.observe(420*time.Millisecond, now)
	if d, _ := fast.Latency(now); d != 120*time.Millisecond {
		t.Errorf("average after an outlier %v, want 120ms", d)
	}
}

// TestPinKeepsAConversationWhileHealthy: a pinned conversation goes to its
// target whatever the weights say, until that target's breaker opens or the
// pin expires; then it is balanced and pinned again.
func TestPinKeepsAConversationWhileHealthy(t *testing.T) {
	b := NewBalancer()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	br := NewBreaker(1, time.Minute)
	mk := func() []Target {
		ts := level(1, "a", 9, "b", 1)
		ts[1].Breaker = br
		return ts
	}
	b.Pin("m", "conv-1", mk()[1], now)
	for i := range 20 {
		ts := mk()
		b.Order("m", Weighted, ts, "conv-1", now.Add(time.Duration(i)*time.Second))
		if ts[0].Provider != "b" {
			t.Fatalf("request %d of the pinned conversation went to %s", i, ts[0].Provider)
		}
	}
	ts := mk()
	b.Order("m", Weighted, ts, "conv-2", now)
	if ts[0].Provider != "a" {
		t.Errorf("another conversation went to %s, want the weights to pick a", ts[0].Provider)
	}
	br.Record(now, Failure) // b's breaker opens
	ts = mk()
	b.Order("m", Weighted, ts, "conv-1", now)
	if ts[0].Provider != "a" {
		t.Errorf("a conversation pinned to an unhealthy target went to %s", ts[0].Provider)
	}
	b.Pin("m", "conv-1", ts[0], now) // re-pinned by the request that a served
	br.Record(now.Add(2*time.Minute), Success)
	ts = mk()
	b.Order("m", Weighted, ts, "conv-1", now.Add(2*time.Minute))
	if ts[0].Provider != "a" {
		t.Errorf("after re-pinning the conversation went to %s", ts[0].Provider)
	}
	if _, ok := b.pinned("m", "conv-1", now.Add(PinTTL+time.Second)); ok {
		t.Error("a pin outlived its TTL")
	}
	if _, ok := b.pinned("other-model", "conv-1", now); ok {
		t.Error("a pin leaked to another virtual model")
	}
}

func TestPinsStayBounded(t *testing.T) {
	b := NewBalancer()
	now := time.Now()
	tg := Target{Provider: "a", Model: "m"}
	for i := range maxPins + 50 {
		b.Pin("m", string(rune(i+1))+"-conv", tg, now.Add(time.Duration(i)*time.Millisecond))
	}
	if n := b.Pins(); n > maxPins {
		t.Errorf("%d pins kept, want at most %d", n, maxPins)
	}
	if _, ok := b.pinned("m", string(rune(maxPins+50))+"-conv", now); !ok {
		t.Error("the newest pin was dropped")
	}
}

// TestTryKeepsTheLoad: a target's requests in flight count up while its
// attempt runs and its answer streams, and down when it fails or finishes;
// the time to first content is measured for the winner.
func TestTryKeepsTheLoad(t *testing.T) {
	b := NewBalancer()
	la, lb := b.Load("a", "m"), b.Load("b", "m")
	ts := level(1, "a", 1, "b", 1)
	ts[0].Load, ts[1].Load = la, lb
	res, err := Try(context.Background(), time.Now, ts, func(tg Target) error {
		if tg.Load.InFlight() != 1 {
			t.Errorf("%s in flight %d during its attempt", tg.Provider, tg.Load.InFlight())
		}
		if tg.Provider == "a" {
			return fakeErr{retry: true}
		}
		time.Sleep(2 * time.Millisecond)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if la.InFlight() != 0 || lb.InFlight() != 1 {
		t.Errorf("in flight a=%d b=%d while b's answer streams, want 0 and 1", la.InFlight(), lb.InFlight())
	}
	res.Finish(time.Now(), Success)
	res.Finish(time.Now(), Success) // twice is once
	if lb.InFlight() != 0 {
		t.Errorf("b in flight %d after Finish", lb.InFlight())
	}
	if d, ok := lb.Latency(time.Now()); !ok || d < 2*time.Millisecond {
		t.Errorf("b's latency %v, %v", d, ok)
	}
	if _, ok := la.Latency(time.Now()); ok {
		t.Error("a failed attempt was measured as a latency")
	}
}
