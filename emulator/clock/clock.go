// Package clock is the emulator's notion of time. Everything that Stripe
// would stamp or schedule (created, retries, renewals, expiries) reads it, so
// a test can move time forward instantly and deterministically.
package clock

import (
	"sync"
	"time"
)

// Clock follows the wall clock shifted by an offset, or stands still when
// frozen. Set and Advance run the registered tick hooks synchronously, so
// work that became due (webhook retries, renewals, expiries) is done before
// they return.
type Clock struct {
	mu       sync.Mutex
	offset   time.Duration
	frozen   bool
	frozenAt time.Time
	hooks    []hook
	nextHook int

	tickMu sync.Mutex // serialises hook runs so no two ticks interleave
}

type hook struct {
	id int
	fn func(now time.Time)
}

// New returns a clock that follows the wall clock.
func New() *Clock { return &Clock{} }

// NewFrozen returns a clock that stands still at t until moved.
func NewFrozen(t time.Time) *Clock {
	return &Clock{frozen: true, frozenAt: t.Truncate(time.Second)}
}

// Now is the emulator's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.frozen {
		return c.frozenAt
	}
	return time.Now().Add(c.offset)
}

// Unix is Now in seconds, the unit of every Stripe timestamp.
func (c *Clock) Unix() int64 { return c.Now().Unix() }

// Frozen reports whether the clock stands still.
func (c *Clock) Frozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	c.mu.Lock()
	if !c.frozen {
		c.frozenAt = c.nowLocked()
		c.frozen = true
	}
	c.mu.Unlock()
}

// Resume lets a frozen clock run again from where it stands.
func (c *Clock) Resume() {
	c.mu.Lock()
	if c.frozen {
		c.offset = time.Until(c.frozenAt)
		c.frozen = false
	}
	c.mu.Unlock()
}

// Set moves the clock to t (forward or back) and runs due work.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	if c.frozen {
		c.frozenAt = t
	} else {
		c.offset = time.Until(t)
	}
	c.mu.Unlock()
	c.Tick()
}

// Advance moves the clock forward by d and runs due work.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	if c.frozen {
		c.frozenAt = c.frozenAt.Add(d)
	} else {
		c.offset += d
	}
	c.mu.Unlock()
	c.Tick()
}

// OnTick registers fn to run whenever time moves (Set, Advance, Tick). It
// returns a function that unregisters it.
func (c *Clock) OnTick(fn func(now time.Time)) (remove func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextHook++
	id := c.nextHook
	c.hooks = append(c.hooks, hook{id: id, fn: fn})
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, h := range c.hooks {
			if h.id == id {
				c.hooks = append(c.hooks[:i:i], c.hooks[i+1:]...)
				return
			}
		}
	}
}

// Tick runs every hook once with the current time, in registration order.
// A server whose clock follows the wall calls it periodically.
func (c *Clock) Tick() {
	c.tickMu.Lock()
	defer c.tickMu.Unlock()
	c.mu.Lock()
	hooks := append([]hook(nil), c.hooks...)
	c.mu.Unlock()
	for _, h := range hooks {
		h.fn(c.Now())
	}
}
