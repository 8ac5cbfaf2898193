package atomics

import (
	"fmt"
	"sync/atomic"
	"time"
)

// A Semaphore is two adjacent int32 words in shared memory, at addr and
// addr+4:
//
//	word[0]  permits available now
//	word[1]  waiters queued in Go; only Go writes it
//
// The maximum number of permits is not stored: callers pass it to
// SemRelease, which rejects a release that would exceed it.
//
// JavaScript protocol. Acquiring and releasing run in JavaScript without
// calling Go as long as no waiter is queued:
//
//   - acquire(k), tryAcquire(k): loop { if Atomics.load(word, 1) != 0, take
//     the slow path; p = Atomics.load(word, 0); if p < k, take the slow path;
//     if Atomics.compareExchange(word, 0, p, p-k) == p, the permits are
//     acquired }. The slow path of tryAcquire is to fail, without calling Go.
//   - release(k): loop { p = Atomics.load(word, 0); if p+k > max, throw the
//     error that SemRelease returns; if Atomics.compareExchange(word, 0, p,
//     p+k) == p, stop }. Then, if Atomics.load(word, 1) != 0, call
//     SemRelease(addr, 0, max), which grants the new permits to the queued
//     waiters.
//   - acquireSync(k), slow path: call SemAcquire(addr, k, slice) as lockSync
//     calls MutexLock (see the mutex protocol), with a final slice of 0 once
//     the deadline has passed.
//   - acquire(k) as a promise, slow path: call SemAcquireAsync; Cancel works
//     as for a mutex, and a delivered WaitOK that cannot reach JavaScript
//     must be undone with SemRelease(addr, k, max).
//   - k must be between 1 and the maximum. Go cannot check the upper bound
//     here, and a request above the maximum would stay first in the queue
//     forever and block every later waiter.
//
// Why the lock-free release cannot lose a wake-up: release adds its permits
// before it loads word[1], and a waiter increments word[1] (under the
// bucket's mutex) before it loads word[0] one last time. All these are
// sequentially consistent, so either release finds the waiter and calls Go,
// or the waiter finds the permits and takes them.
//
// The fast acquire can overtake a waiter only in one narrow case: it loaded
// word[1] as 0 just before the first waiter queued. That waiter queued
// because too few permits were available, and the fast acquire only makes
// them fewer, so the result is the same as if the fast acquire had come
// first.

func semaphoreWaitersWord(addr uintptr) *int32 {
	return wordAt(addr + 4)
}

// ReleaseError is returned by SemRelease for a release that would make the
// available permits exceed the maximum.
type ReleaseError struct {
	Permits   int32 // permits in the rejected release
	Max       int32
	Available int32 // permits available when the release was rejected
}

func (e *ReleaseError) Error() string {
	return fmt.Sprintf("atomics: release of %d permits would exceed the maximum of %d, because %d are available already. "+
		"A permit was released twice, or released without being acquired",
		e.Permits, e.Max, e.Available)
}

// SemAcquire acquires k permits of the semaphore at addr, blocking the
// calling OS thread for at most slice. It is the slow path of acquireSync.
//
// SemAcquire returns WaitOK when the permits have been taken from word[0] for
// the calling thread. It takes them at once only if no waiter is queued.
// Otherwise it queues behind the waiters (see grantPermits). It returns
// WaitInterrupted when the slice ends or a signal interrupts the sleep. The
// thread's waiter then keeps its place in the queue for the next call from
// the same thread with the same k. A slice of zero or less does not wait: it
// returns WaitOK if the permits are available or were granted meanwhile, and
// otherwise gives up the thread's place and returns WaitTimedOut. After
// Shutdown, SemAcquire returns WaitShutdown instead of waiting. A k of 0
// returns WaitOK, and a negative k panics.
func SemAcquire(addr uintptr, k int32, slice time.Duration) Result {
	permits := checkAcquire(addr, k)
	if k == 0 {
		return WaitOK
	}
	b := bucketFor(addr)
	if b.detached.Load() == 0 && atomic.LoadInt32(semaphoreWaitersWord(addr)) == 0 && takePermits(permits, k) {
		return WaitOK
	}

	thread := currentThreadID()
	if b.detached.Load() != 0 {
		if r, resumed := b.resumeDetached(addr, thread, k, slice); resumed {
			return r
		}
	}

	w := &waiter{addr: addr, kind: semaphoreWaiter, permits: k, thread: thread}
	var ready readyList
	b.mu.Lock()
	r := b.acquireOrQueue(permits, w, slice <= 0, &ready)
	b.mu.Unlock()
	ready.notify()
	if r != WaitPending {
		return r
	}
	return b.waitSync(w, slice)
}

// SemAcquireAsync acquires k permits of the semaphore at addr without
// blocking any thread. It is the slow path of acquire().
//
// If no waiter is queued and k permits are available, SemAcquireAsync takes
// them and returns (0, WaitOK). If it would have to wait but timeout is 0, it
// returns (0, WaitTimedOut), and after Shutdown (0, WaitShutdown). Otherwise
// it queues a waiter and returns a token and WaitPending. Later exactly one
// of these happens:
//
//   - A release grants the permits: they are taken from word[0] on the
//     waiter's behalf, and WaitOK is delivered.
//   - The timeout elapses first: WaitTimedOut is delivered. A negative
//     timeout means no timeout.
//   - Cancel(token) returns true: nothing is delivered.
//   - Shutdown delivers WaitShutdown.
//
// Only WaitOK leaves permits held.
//
// deliver follows the rules of WaitAsync. If the addon cannot pass WaitOK on
// to JavaScript, it must give the permits back with SemRelease.
func SemAcquireAsync(addr uintptr, k int32, timeout time.Duration, deliver func(Result)) (token uint64, immediate Result) {
	if deliver == nil {
		panic("atomics: SemAcquireAsync with a nil deliver function")
	}
	permits := checkAcquire(addr, k)
	if k == 0 {
		return 0, WaitOK
	}
	if atomic.LoadInt32(semaphoreWaitersWord(addr)) == 0 && takePermits(permits, k) {
		return 0, WaitOK
	}
	b := bucketFor(addr)

	w := &waiter{addr: addr, kind: semaphoreWaiter, permits: k, deliver: deliver}
	var ready readyList
	defer ready.notify()

	b.mu.Lock()
	defer b.mu.Unlock()

	if r := b.acquireOrQueue(permits, w, timeout == 0, &ready); r != WaitPending {
		return 0, r
	}
	return b.register(w, timeout), WaitPending
}

func checkAcquire(addr uintptr, k int32) *int32 {
	if k < 0 {
		panic(fmt.Sprintf("atomics: invalid permit count %d for an acquire (the count must be 0 or more)", k))
	}
	return wordAt(addr)
}

// acquireOrQueue takes w.permits for the new waiter w at once if no waiter
// is queued, and returns WaitOK. Otherwise it queues w and returns
// WaitPending, unless the caller must not wait (refuseWait). Waiters ahead
// of w that it serves on the way are added to ready. The caller holds b.mu.
func (b *bucket) acquireOrQueue(permits *int32, w *waiter, mustNotWait bool, ready *readyList) Result {
	q := b.queues[w.addr]
	if (q == nil || q.head == nil) && takePermits(permits, w.permits) {
		return WaitOK
	}
	if r := refuseWait(mustNotWait); r != WaitPending {
		return r
	}

	b.waiting.Add(1)
	b.push(w)

	// push has incremented word[1]. A JavaScript release that loaded word[1]
	// before that found no waiter and did not call Go, but its permits are
	// in word[0] by now, so they are granted here. The same pass serves a
	// queue stranded by a release that never made its call to Go (see
	// serveStranded).
	b.grantPermits(w.addr, ready, w)
	if w.state == waiterFinished {
		return WaitOK
	}
	return WaitPending
}

// takePermits subtracts k from the permit word if it contains at least k,
// and reports whether it did.
func takePermits(word *int32, k int32) bool {
	for {
		p := atomic.LoadInt32(word)
		if p < k {
			return false
		}
		if atomic.CompareAndSwapInt32(word, p, p-k) {
			return true
		}
	}
}

// grantPermits takes permits for the queued waiters of the semaphore at
// addr, in queue order, and adds each waiter served to ready, except the
// waiter self, whose caller reports the result itself. The caller holds b.mu.
func (b *bucket) grantPermits(addr uintptr, ready *readyList, self *waiter) {
	permits := wordAt(addr)
	for {
		q := b.queues[addr]
		if q == nil || q.head == nil || q.head.kind != semaphoreWaiter {
			return
		}
		w := q.head
		if !takePermits(permits, w.permits) {
			// Stop at the first waiter that cannot be served, even if a
			// waiter behind it requests fewer permits than are available.
			// Take a semaphore of 4 permits that guards a connection pool:
			// tasks acquire 1 permit each and a maintenance job acquires
			// all 4. If a release served any waiter whose request fits,
			// then as long as new tasks kept arriving at least one permit
			// would always be in use and the job would never run. Served
			// strictly in order, the job runs as soon as the permits held
			// when it queued are released, and the tasks behind it wait.
			// acquireOrQueue applies the same rule to new acquirers, which
			// queue behind any waiter even when enough permits are free.
			return
		}
		if w == self {
			b.finish(w, WaitOK, nil)
		} else {
			b.finish(w, WaitOK, ready)
		}
	}
}

// SemRelease adds k permits to the semaphore at addr and grants them to the
// queued waiters in FIFO order (see grantPermits), taking the permits from
// word[0] on their behalf and waking them or delivering WaitOK.
//
// It returns a *ReleaseError, and changes nothing, if the available permits
// would then exceed max, and an error for a negative k. A k of 0 adds no
// permits and only grants the available ones: JavaScript calls it that way
// after a release of its own finds waiters queued.
func SemRelease(addr uintptr, k int32, max int32) error {
	if k < 0 {
		return fmt.Errorf("atomics: invalid permit count %d for a release (the count must be 0 or more)", k)
	}
	permits := wordAt(addr)
	for k > 0 {
		p := atomic.LoadInt32(permits)
		if int64(p)+int64(k) > int64(max) {
			return &ReleaseError{Permits: k, Max: max, Available: p}
		}
		if atomic.CompareAndSwapInt32(permits, p, p+k) {
			break
		}
	}
	grantAfterRelease(addr)
	return nil
}

// returnPermits gives back k permits that were taken for a waiter whose
// thread will never use them. They were part of the available permits
// before, so no maximum applies.
func returnPermits(addr uintptr, k int32) {
	atomic.AddInt32(wordAt(addr), k)
	grantAfterRelease(addr)
}

// grantAfterRelease grants the available permits to the queued waiters, if
// there are any. It must follow the change to word[0] (see the protocol).
func grantAfterRelease(addr uintptr) {
	if atomic.LoadInt32(semaphoreWaitersWord(addr)) == 0 {
		return
	}
	b := bucketFor(addr)
	var ready readyList

	b.mu.Lock()
	b.grantPermits(addr, &ready, nil)
	b.mu.Unlock()

	ready.notify()
}
