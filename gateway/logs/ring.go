package logs

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRingSize is the ring's capacity when Options.RingSize is 0.
const DefaultRingSize = 2000

// Entry is one log record as /api/logs shows it. The four fields the admin
// UI filters on are lifted out of the attributes; everything else is in
// Attrs (groups as nested maps). Entries handed out by Query and Subscribe
// may share Attrs maps: treat them as read-only.
type Entry struct {
	Seq       uint64         `json:"seq"` // 1, 2, …: increases by one per record
	Time      time.Time      `json:"time"`
	Level     string         `json:"level"` // DEBUG, INFO, WARN, ERROR
	Message   string         `json:"message"`
	RequestID string         `json:"request_id"`
	KeyID     string         `json:"key_id"`
	Model     string         `json:"model"`
	Provider  string         `json:"provider"`
	Attrs     map[string]any `json:"attrs,omitempty"`
}

// Filter selects entries; its zero value selects all of them.
type Filter struct {
	Level     slog.Leveler // minimum level; nil = any
	RequestID string       // exact; "" = any
	KeyID     string       // exact; "" = any
	Model     string       // exact; "" = any
	Since     uint64       // only entries with Seq > Since
	Limit     int          // Query returns at most Limit entries; ≤ 0 = no limit
}

// Match reports whether e passes f (Limit aside).
func (f Filter) Match(e Entry) bool {
	var l slog.Level
	if f.Level != nil && l.UnmarshalText([]byte(e.Level)) != nil {
		return false
	}
	return f.match(e.Seq, l, e.RequestID, e.KeyID, e.Model)
}

func (f *Filter) match(seq uint64, l slog.Level, requestID, keyID, model string) bool {
	return seq > f.Since && (f.Level == nil || l >= f.Level.Level()) &&
		(f.RequestID == "" || f.RequestID == requestID) &&
		(f.KeyID == "" || f.KeyID == keyID) && (f.Model == "" || f.Model == model)
}

// item is an Entry as stored: attrs stay a slice until someone asks, so that
// a record costs the request path one allocation, not a map.
type item struct {
	seq                               uint64
	time                              time.Time
	level                             slog.Level
	msg                               string
	requestID, keyID, model, provider string
	attrs                             []slog.Attr // cleaned by the redactor: immutable
}

func (it *item) entry() Entry {
	e := Entry{Seq: it.seq, Time: it.time, Level: it.level.String(), Message: it.msg,
		RequestID: it.requestID, KeyID: it.keyID, Model: it.model, Provider: it.provider}
	if len(it.attrs) > 0 {
		e.Attrs = attrMap(it.attrs)
	}
	return e
}

func attrMap(as []slog.Attr) map[string]any {
	m := make(map[string]any, len(as))
	for _, a := range as {
		m[a.Key] = attrValue(a.Value)
	}
	return m
}

func attrValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindGroup:
		return attrMap(v.Group())
	case slog.KindDuration:
		return v.Duration().String()
	}
	return v.Any()
}

// Ring keeps the last N records in memory for /api/logs and feeds live
// subscribers. A mutex guards it: at the gateway's rates a lock-free ring
// buys nothing (performance-notes §2 item 7). The zero Ring is not usable;
// call NewRing.
type Ring struct {
	mu    sync.Mutex
	items []item // fixed length; items[(seq-1)%len] holds seq
	next  uint64 // Seq of the next record
	subs  map[*subscriber]struct{}

	nsubs   atomic.Int32  // len(subs), read without mu to skip building entries
	dropped atomic.Uint64 // entries a slow subscriber lost
}

type subscriber struct{ ch chan Entry }

// NewRing returns a ring of the given capacity (DefaultRingSize when ≤ 0).
func NewRing(capacity int) *Ring {
	if capacity <= 0 {
		capacity = DefaultRingSize
	}
	return &Ring{items: make([]item, capacity), next: 1, subs: map[*subscriber]struct{}{}}
}

// Handler returns a slog.Handler that records into r at level and above,
// with secrets masked as on every other output.
func (r *Ring) Handler(level slog.Leveler) slog.Handler {
	return &redactor{next: &ringHandler{ring: r, level: level}, level: level}
}

// add stores it (assigning its Seq) and offers it to every subscriber
// without blocking: a subscriber whose buffer is full loses the entry.
func (r *Ring) add(it item) {
	var e Entry
	live := r.nsubs.Load() > 0
	if live {
		e = it.entry() // outside the lock; Seq is set below
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	it.seq = r.next
	r.next++
	r.items[(it.seq-1)%uint64(len(r.items))] = it
	if !live {
		return
	}
	e.Seq = it.seq
	for s := range r.subs {
		select {
		case s.ch <- e:
		default:
			r.dropped.Add(1)
		}
	}
}

// Query returns the entries that pass f, newest first, at most f.Limit.
func (r *Ring) Query(f Filter) []Entry {
	var picked []item
	r.mu.Lock()
	n := min(r.next-1, uint64(len(r.items)))
	for seq := r.next - 1; seq > r.next-1-n && seq > f.Since; seq-- {
		it := &r.items[(seq-1)%uint64(len(r.items))]
		if !f.match(it.seq, it.level, it.requestID, it.keyID, it.model) {
			continue
		}
		picked = append(picked, *it)
		if f.Limit > 0 && len(picked) == f.Limit {
			break
		}
	}
	r.mu.Unlock()
	out := make([]Entry, len(picked)) // maps are built outside the lock
	for i := range picked {
		out[i] = picked[i].entry()
	}
	return out
}

// Subscribe starts a live tail: every record from now on is sent to ch,
// except those that find its buffer (at least 1) full, which are dropped and
// counted in Dropped so that logging never waits for a reader. cancel
// unsubscribes and closes ch; it may be called more than once.
func (r *Ring) Subscribe(buffer int) (ch <-chan Entry, cancel func()) {
	s := &subscriber{ch: make(chan Entry, max(buffer, 1))}
	r.mu.Lock()
	r.subs[s] = struct{}{}
	r.nsubs.Add(1)
	r.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			r.mu.Lock()
			delete(r.subs, s)
			r.nsubs.Add(-1)
			close(s.ch) // under mu: add never sends on a closed channel
			r.mu.Unlock()
		})
	}
}

// Dropped returns how many entries subscribers have lost to full buffers.
func (r *Ring) Dropped() uint64 { return r.dropped.Load() }

// Len returns how many entries the ring holds.
func (r *Ring) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return int(min(r.next-1, uint64(len(r.items))))
}
