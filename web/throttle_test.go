package web

import (
	"context"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for the throttle.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	th := NewThrottle(testPool(t), ThrottleOptions{UserLimit: 5, AddrLimit: 8, Window: 15 * time.Minute,
		Lock: time.Minute, MaxLock: 5 * time.Minute, Now: clk.Now})

	locked := func(user, addr string) time.Duration {
		t.Helper()
		d, err := th.Locked(ctx, user, addr)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	fail := func(user, addr string) time.Duration {
		t.Helper()
		d, err := th.Fail(ctx, user, addr)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	// Four failures lock nothing; the fifth locks the username for a
	// minute, from any address, and not another username.
	for i := range 4 {
		if d := fail("handler1", "10.0.0.1"); d != 0 {
			t.Fatalf("failure %d locked for %s", i+1, d)
		}
	}
	if d := fail("handler1", "10.0.0.1"); d != time.Minute {
		t.Fatalf("fifth failure: lock %s, want 1m", d)
	}
	if d := locked("handler1", "10.0.0.2"); d != time.Minute {
		t.Errorf("handler1 from another address: %s, want 1m", d)
	}
	if d := locked("leader1", "10.0.0.2"); d != 0 {
		t.Errorf("leader1: locked for %s", d)
	}
	clk.add(61 * time.Second)
	if d := locked("handler1", "10.0.0.1"); d != 0 {
		t.Errorf("after the lock: still %s", d)
	}
	// Each failure past the limit doubles the lock, up to the maximum.
	for _, want := range []time.Duration{2 * time.Minute, 4 * time.Minute, 5 * time.Minute} {
		if d := fail("handler1", "10.0.0.3"); d != want {
			t.Errorf("next failure: lock %s, want %s", d, want)
		}
		clk.add(want + time.Second)
	}
	// A success clears the username; its address keeps its count.
	if err := th.Succeed(ctx, "handler1"); err != nil {
		t.Fatal(err)
	}
	if d := fail("handler1", "10.0.0.9"); d != 0 {
		t.Errorf("after a success, the first failure locks for %s", d)
	}

	// An address is locked after its own limit, whatever the usernames
	// (made-up names included).
	for i := range 7 {
		if d := fail("guess"+string(rune('a'+i)), "192.0.2.7"); d != 0 {
			t.Fatalf("address failure %d locked for %s", i+1, d)
		}
	}
	if d := fail("guessz", "192.0.2.7"); d != time.Minute {
		t.Errorf("eighth failure from one address: lock %s, want 1m", d)
	}
	if d := locked("anyone", "192.0.2.7"); d != time.Minute {
		t.Errorf("another username from the locked address: %s, want 1m", d)
	}

	// Failures spread wider than the window never add up.
	for range 10 {
		if d := fail("slow", "198.51.100.1"); d != 0 {
			t.Fatalf("spread failures locked for %s", d)
		}
		clk.add(16 * time.Minute)
	}
}
