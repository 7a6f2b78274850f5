package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestThrottleBurstThenOneASecond(t *testing.T) {
	th := NewThrottle()
	now := time.Unix(1_000_000, 0)
	if th.Check("10.0.0.1", now) != nil {
		t.Fatal("a client with no failures is throttled")
	}
	for i := 0; i < failBurst; i++ {
		if e := th.Check("10.0.0.1", now); e != nil {
			t.Fatalf("failure %d refused early: %v", i, e)
		}
		th.Failed("10.0.0.1", now)
	}
	e := th.Check("10.0.0.1", now)
	if e == nil || e.Status != 429 || e.RetryAfter != 1 {
		t.Fatalf("after the burst: %+v", e)
	}
	if th.Check("10.0.0.2", now) != nil {
		t.Error("another client is throttled too")
	}
	if th.Check("10.0.0.1", now.Add(failEvery)) != nil {
		t.Error("no new attempt after waiting a second")
	}
}

func TestThrottleForgetsRestedClients(t *testing.T) {
	th := NewThrottle()
	now := time.Unix(1_000_000, 0)
	for i := 0; i < maxClients; i++ {
		th.Failed(fmt.Sprint("c", i), now)
	}
	th.Failed("late", now.Add(time.Hour)) // everyone before has rested by then
	if len(th.clients) != 1 {
		t.Errorf("%d clients kept, want only the late one", len(th.clients))
	}
}
