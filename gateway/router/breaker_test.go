package router

import (
	"testing"
	"time"
)

func TestBreakerLifecycle(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	b := NewBreaker(3, 30*time.Second)
	type step struct {
		sec     int
		allow   *bool // check Allow
		record  *Outcome
		wantSt  State
		comment string
	}
	yes, no := true, false
	f, s, n := Failure, Success, NoVerdict
	steps := []step{
		{0, &yes, &f, Closed, "1st failure"},
		{1, &yes, &s, Closed, "a success resets the count"},
		{2, &yes, &f, Closed, "1"},
		{3, &yes, &f, Closed, "2"},
		{4, &yes, &n, Closed, "neutral changes nothing"},
		{5, &yes, &f, Open, "3rd consecutive failure opens"},
		{6, &no, nil, Open, "open refuses"},
		{34, &no, nil, Open, "still open before 30 s"},
		{35, &yes, nil, HalfOpen, "open time over: one probe"},
		{35, &no, nil, HalfOpen, "exactly one probe"},
		{36, nil, &n, HalfOpen, "a cancelled probe releases its slot"},
		{36, &yes, nil, HalfOpen, "the next request probes"},
		{37, nil, &f, Open, "a failed probe opens again"},
		{60, &no, nil, Open, "open from the probe's failure"},
		{67, &yes, nil, HalfOpen, "probe again"},
		{67, nil, &s, Closed, "a successful probe closes"},
		{68, &yes, nil, Closed, "closed admits"},
	}
	for _, st := range steps {
		if st.allow != nil {
			if got := b.Allow(at(st.sec)); got != *st.allow {
				t.Fatalf("t=%d (%s): Allow = %v", st.sec, st.comment, got)
			}
		}
		if st.record != nil {
			b.Record(at(st.sec), *st.record)
		}
		if got := b.Status(at(st.sec)).State; got != st.wantSt {
			t.Fatalf("t=%d (%s): state %v, want %v", st.sec, st.comment, got, st.wantSt)
		}
	}
}

func TestBreakersRegistry(t *testing.T) {
	bs := NewBreakers()
	a := bs.Get("p", "m1", 1, time.Minute)
	if bs.Get("p", "m1", 2, time.Minute) != a || bs.Get("p", "m2", 1, time.Minute) == a {
		t.Fatal("breakers are per (provider, model)")
	}
	now := time.Now()
	a.Allow(now)
	a.Record(now, Failure) // threshold was raised to 2 by the second Get
	if a.Status(now).State != Closed {
		t.Fatal("Configure did not apply the new threshold")
	}
	bs.Get("q", "m", 1, time.Minute)
	bs.Retain(func(p string) bool { return p == "p" })
	n := 0
	bs.Each(func(provider, model string, b *Breaker) { n++ })
	if n != 2 {
		t.Fatalf("kept %d breakers, want the 2 of provider p", n)
	}
}

func TestBreakerCool(t *testing.T) {
	t0 := time.Now()
	b := NewBreaker(5, 30*time.Second)
	b.Cool(t0, 7*time.Second)
	if b.Allow(t0.Add(6 * time.Second)) {
		t.Fatal("admitted while cooling down")
	}
	if !b.Allow(t0.Add(7 * time.Second)) {
		t.Fatal("not admitted after Retry-After")
	}
	b.Record(t0.Add(7*time.Second), Success)
	if st := b.Status(t0.Add(8 * time.Second)); st.State != Closed || st.Failures != 0 {
		t.Fatalf("status %+v", st)
	}
}
