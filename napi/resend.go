package napi

import (
	"sync"
	"sync/atomic"
	"time"
)

// maxResendDelay caps the backoff of a resender whose environment's thread
// is busy and runs no messages for a long time.
const maxResendDelay = time.Second

// A resender wakes an environment's event loop again when messages that
// Send queued stay unrun for longer than a delay. Deno 2.9.6 sometimes leaves
// a threadsafe function call queued without waking the event loop of the
// thread that owns it. The call then runs only when something else wakes
// that loop, which in the stalls of test/futex.test.mjs on Linux x64 came
// about 30 s later. A second call wakes the loop, which then runs both.
//
// The resender counts messages queued and messages run. A timer runs while
// some are unrun. Each time it fires and no message has run since the last
// check, it calls sendEmpty and doubles its delay up to maxResendDelay. When
// a message has run meanwhile, the loop is awake, and the delay starts again
// from the first one.
type resender struct {
	first     time.Duration
	sendEmpty func() bool // queues an empty message; false when the channel is closed

	queued atomic.Uint64 // messages queued by Send
	run    atomic.Uint64 // messages run on the environment's thread

	mu        sync.Mutex
	timer     *time.Timer
	armed     bool          // the timer is running or about to be reset
	delay     time.Duration // until the next check
	runBefore uint64        // run at the previous check
	stopped   bool
}

func newResender(first time.Duration, sendEmpty func() bool) *resender {
	return &resender{first: first, sendEmpty: sendEmpty}
}

// willQueue counts a message that is about to be queued. It runs before the
// threadsafe function call so that run never exceeds queued. Call notQueued
// if the call fails.
func (r *resender) willQueue() { r.queued.Add(1) }

func (r *resender) notQueued() { r.queued.Add(^uint64(0)) }

// queuedOne starts the timer, unless it is already running, after a
// message was queued.
func (r *resender) queuedOne() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.armed || r.stopped {
		return
	}
	r.armed = true
	r.delay = r.first
	r.runBefore = r.run.Load()
	if r.timer == nil {
		r.timer = time.AfterFunc(r.delay, r.check)
	} else {
		r.timer.Reset(r.delay)
	}
}

// ranOne counts a message that ran on the environment's thread.
func (r *resender) ranOne() { r.run.Add(1) }

// check runs on the timer's goroutine.
func (r *resender) check() {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return
	}
	run := r.run.Load()
	if run >= r.queued.Load() {
		// Everything queued so far has run. A message queued after these
		// loads finds armed false once the lock is released and restarts
		// the timer.
		r.armed = false
		r.mu.Unlock()
		return
	}
	if run != r.runBefore {
		// The loop is running messages, so it is awake.
		r.runBefore = run
		r.delay = r.first
		r.timer.Reset(r.delay)
		r.mu.Unlock()
		return
	}
	r.delay = min(2*r.delay, maxResendDelay)
	r.mu.Unlock()

	// sendEmpty takes the channel's mutex. It runs without r.mu, so no
	// goroutine ever holds both.
	sent := r.sendEmpty()

	r.mu.Lock()
	defer r.mu.Unlock()
	if !sent || r.stopped {
		r.armed = false
		return
	}
	r.timer.Reset(r.delay)
}

// stop ends the timer for good; the channel is closing.
func (r *resender) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.armed = false
	if r.timer != nil {
		r.timer.Stop()
	}
}
