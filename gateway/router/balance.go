package router

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Balancing (issue 18): a virtual model with a balance policy shares the load
// of each priority level among its targets; Try still walks the reordered
// list, so a target that fails falls over to the rest of its level and then
// to the next level, with breakers and queues as before. Written here rather
// than taken from a library: the policies are a few lines each, and every
// load-balancing package we looked at owns the connection or the upstream
// list, which this gateway's router already does.

// Policies, as config.Model.Balance spells them (config.Balance*).
const (
	Weighted      = "weighted"
	LeastInFlight = "least_in_flight"
	Latency       = "latency"
)

// PinTTL is how long a conversation stays pinned to the target that served
// it after its last request: near the lifetime of the upstreams' prompt
// caches (Anthropic's default is five minutes, refreshed on every hit;
// OpenAI's is five to ten minutes of inactivity).
const PinTTL = 5 * time.Minute

// maxPins bounds the pins kept; a local gateway serves a handful of
// conversations at a time, so reaching it means keys are not conversations.
const maxPins = 10000

// latencyStale is the age after which a target's latency no longer counts:
// it is treated as unmeasured and tried first again, so a target that
// recovered is seen again.
const latencyStale = 30 * time.Second

// Load is what the balancer knows of one (provider, upstream model): the
// requests in flight on it and a moving average of its time to the first
// content. Try keeps it up to date for targets that carry one.
type Load struct {
	inFlight atomic.Int64
	latency  atomic.Int64 // EWMA in nanoseconds; 0 = never measured
	measured atomic.Int64 // unix nanoseconds of the last measurement
}

func (l *Load) begin() {
	if l != nil {
		l.inFlight.Add(1)
	}
}

func (l *Load) end() {
	if l != nil {
		l.inFlight.Add(-1)
	}
}

// observe folds one time to first content into the average (weight 1/4: a
// few requests move it, one outlier does not).
func (l *Load) observe(d time.Duration, at time.Time) {
	if l == nil {
		return
	}
	old := l.latency.Load()
	v := int64(d)
	if old != 0 && at.UnixNano()-l.measured.Load() < int64(latencyStale) {
		v = old + (v-old)/4
	}
	l.latency.Store(max(v, 1))
	l.measured.Store(at.UnixNano())
}

// InFlight is the number of requests on the target now (0 for a nil Load).
func (l *Load) InFlight() int64 {
	if l == nil {
		return 0
	}
	return l.inFlight.Load()
}

// Latency is the average time to first content; ok is false (and d 0, so
// the target is tried first) when it was never measured, not for
// latencyStale, or l is nil.
func (l *Load) Latency(now time.Time) (d time.Duration, ok bool) {
	if l == nil {
		return 0, false
	}
	v := l.latency.Load()
	if v == 0 || now.UnixNano()-l.measured.Load() > int64(latencyStale) {
		return 0, false
	}
	return time.Duration(v), true
}

// Balancer orders the targets of balanced models and keeps their pins. One
// lives as long as the gateway, like Breakers, so it survives reloads.
type Balancer struct {
	mu    sync.Mutex
	loads map[breakerKey]*Load
	turns map[turnKey]int // smooth weighted round robin: each target's current weight
	pins  map[pinKey]pin
	spin  atomic.Uint64 // rotates ties, so equal targets take turns
}

type turnKey struct {
	model string
	breakerKey
}

type pinKey struct{ model, conversation string }

type pin struct {
	target breakerKey
	until  time.Time
}

// NewBalancer returns an empty balancer.
func NewBalancer() *Balancer {
	return &Balancer{loads: map[breakerKey]*Load{}, turns: map[turnKey]int{}, pins: map[pinKey]pin{}}
}

// Load returns the load of (provider, model), creating it.
func (b *Balancer) Load(provider, model string) *Load {
	k := breakerKey{provider, model}
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.loads[k]
	if l == nil {
		l = &Load{}
		b.loads[k] = l
	}
	return l
}

// Order reorders ts, sorted by ascending Priority, within each run of equal
// priority: a conversation's pinned target first when it is healthy, else by
// the policy. model names the virtual model (whose turns and pins these
// are); conversation is "" when the request has no conversation to pin.
func (b *Balancer) Order(model, policy string, ts []Target, conversation string, now time.Time) {
	pinned, hasPin := b.pinned(model, conversation, now)
	for start := 0; start < len(ts); {
		end := start + 1
		for end < len(ts) && ts[end].Priority == ts[start].Priority {
			end++
		}
		if run := ts[start:end]; len(run) > 1 {
			if !hasPin || !pinFirst(run, pinned, now) {
				b.order(model, policy, run)
			}
		}
		start = end
	}
}

// pinFirst moves the pinned target to the front of run when it is there and
// healthy; it reports whether it did.
func pinFirst(run []Target, k breakerKey, now time.Time) bool {
	i := slices.IndexFunc(run, func(t Target) bool { return t.Provider == k.provider && t.Model == k.model })
	if i < 0 || run[i].Unfit != "" || (run[i].Breaker != nil && run[i].Breaker.Status(now).State != Closed) {
		return false
	}
	toFront(run, i)
	return true
}

// toFront moves run[i] to the front, keeping the order of the others.
func toFront(run []Target, i int) {
	t := run[i]
	copy(run[1:i+1], run[:i])
	run[0] = t
}

func (b *Balancer) order(model, policy string, run []Target) {
	// Rotate first, so that a stable sort leaves equal targets taking turns.
	k := int(b.spin.Add(1) % uint64(len(run)))
	slices.Reverse(run[:k])
	slices.Reverse(run[k:])
	slices.Reverse(run)
	switch policy {
	case Weighted:
		b.weighted(model, run)
	case LeastInFlight:
		slices.SortStableFunc(run, func(x, y Target) int { return cmp.Compare(x.Load.InFlight(), y.Load.InFlight()) })
	case Latency:
		wall := time.Now() // Try measures on the wall clock, whatever now is
		latency := func(t Target) time.Duration { d, _ := t.Load.Latency(wall); return d }
		slices.SortStableFunc(run, func(x, y Target) int { return cmp.Compare(latency(x), latency(y)) })
	}
}

// weighted is nginx's smooth weighted round robin: every target gains its
// weight, the one with the most goes first and loses the total. Over any
// window of sum-of-weights requests each target goes first exactly weight
// times, interleaved rather than in bursts. The rest follow by weight.
func (b *Balancer) weighted(model string, run []Target) {
	b.mu.Lock()
	total, best, bestCur := 0, 0, 0
	for i := range run {
		k := turnKey{model, breakerKey{run[i].Provider, run[i].Model}}
		w := run[i].weight()
		cur := b.turns[k] + w
		b.turns[k] = cur
		total += w
		if i == 0 || cur > bestCur {
			best, bestCur = i, cur
		}
	}
	b.turns[turnKey{model, breakerKey{run[best].Provider, run[best].Model}}] -= total
	b.mu.Unlock()
	toFront(run, best)
	slices.SortStableFunc(run[1:], func(x, y Target) int { return cmp.Compare(y.weight(), x.weight()) })
}

func (t Target) weight() int { return max(t.Weight, 1) }

func (b *Balancer) pinned(model, conversation string, now time.Time) (breakerKey, bool) {
	if conversation == "" {
		return breakerKey{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.pins[pinKey{model, conversation}]
	if !ok || now.After(p.until) {
		return breakerKey{}, false
	}
	return p.target, true
}

// Pin keeps conversation on the target that served it for PinTTL from now.
func (b *Balancer) Pin(model, conversation string, t Target, now time.Time) {
	if conversation == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := pinKey{model, conversation}
	if _, ok := b.pins[k]; !ok && len(b.pins) >= maxPins {
		b.sweep(now)
	}
	b.pins[k] = pin{target: breakerKey{t.Provider, t.Model}, until: now.Add(PinTTL)}
}

// sweep drops expired pins and, when none had expired, the one closest to
// expiring, so the map stays bounded. Called with mu held.
func (b *Balancer) sweep(now time.Time) {
	var oldest pinKey
	var oldestUntil time.Time
	dropped := false
	for k, p := range b.pins {
		if now.After(p.until) {
			delete(b.pins, k)
			dropped = true
		} else if oldestUntil.IsZero() || p.until.Before(oldestUntil) {
			oldest, oldestUntil = k, p.until
		}
	}
	if !dropped {
		delete(b.pins, oldest)
	}
}

// Pins is the number of conversations pinned (for tests and the status).
func (b *Balancer) Pins() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pins)
}
