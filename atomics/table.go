package atomics

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The waiter table is an array of buckets. An address hashes to one bucket,
// whose mutex guards the queues of every address in it, the asynchronous
// waiters' tokens and the state of each waiter queued there.
const (
	bucketBits  = 8
	bucketCount = 1 << bucketBits
)

type bucket struct {
	mu     sync.Mutex
	queues map[uintptr]*queue // by address (empty queues are deleted)
	tokens map[uint64]*waiter // queued asynchronous waiters by token

	// waiting is the number of waiters queued in this bucket. Wake reads it
	// without the mutex to return at once when no waiter is queued, and
	// enterIfEqual explains why that loses no wake-up.
	waiting atomic.Int32

	// detached is the number of detached synchronous waiters in this bucket
	// (see queue.detached). Synchronous calls read it without the mutex to
	// skip the lookup of their own detached waiter when there is none.
	detached atomic.Int32

	_ cpu.CacheLinePad
}

var (
	buckets      [bucketCount]bucket
	shuttingDown atomic.Bool
	lastToken    atomic.Uint64
)

// bucketIndex hashes a word address to a bucket (Fibonacci hashing of the
// word index).
func bucketIndex(addr uintptr) uint64 {
	return uint64(addr>>2) * 0x9e3779b97f4a7c15 >> (64 - bucketBits)
}

func bucketFor(addr uintptr) *bucket {
	return &buckets[bucketIndex(addr)]
}

// A queue contains the waiters of one address in FIFO order.
type queue struct {
	head, tail *waiter
	length     int

	// detached contains, by OS thread ID, the synchronous mutex and
	// semaphore waiters whose slice ended while they were queued. The thread
	// returned to JavaScript and is expected to call again at once. Until
	// then, or until its lease ends, the waiter keeps its place in the queue
	// (or the mutex or permits it was granted meanwhile).
	detached map[int]*waiter
}

type waiterKind uint8

const (
	plainWaiter     waiterKind = iota + 1 // Wait, WaitAsync: Wake finishes it with WaitOK
	mutexWaiter                           // MutexLock, MutexLockAsync: Wake acquires the mutex for it first
	semaphoreWaiter                       // SemAcquire, SemAcquireAsync: a release takes its permits first
)

type waiterState uint8

const (
	waiterQueued   waiterState = iota + 1
	waiterFinished             // result is set, and the waiter is in no queue
)

// A waiter is one pending wait. Fields are guarded by the bucket's mutex,
// except signal, which is accessed atomically.
type waiter struct {
	addr    uintptr
	kind    waiterKind
	state   waiterState
	result  Result
	permits int32 // requested by a semaphore waiter

	prev, next *waiter
	readyNext  *waiter // link in a readyList

	// Synchronous waiters.
	signal   uint32 // futex word: 0 until the waiter is finished
	thread   int    // OS thread ID of a mutex or semaphore waiter
	detached bool
	lease    *time.Timer

	// Asynchronous waiters.
	token   uint64
	deliver func(Result)
	timer   *time.Timer
}

// detachedLease is how long a detached waiter keeps its place for its
// thread. The JavaScript loop calls again within microseconds, so the lease
// only ends when the loop was abandoned (the worker was terminated, or the
// caller stopped waiting without a final call). Then a mutex or permits
// granted to the waiter are released when the lease ends, and other threads
// wait that long for them.
//
// NOTE: 50 ms is an estimate, not a measurement. A garbage collection pause
// in the JavaScript thread longer than this costs the waiter its place in
// the queue, but nothing else.
const detachedLease = 50 * time.Millisecond

// wordAt converts the address of an int32 in shared memory to a pointer.
//
// The memory is outside the Go heap (see the package documentation), so the
// garbage collector neither moves nor frees it and the pointer stays valid.
// unsafe.Add from a nil pointer states that the result is not derived from
// any Go pointer. A plain unsafe.Pointer(addr) conversion means the same,
// but go vet reports it as a possible misuse.
func wordAt(addr uintptr) *int32 {
	if addr == 0 || addr%4 != 0 {
		panic(fmt.Sprintf("atomics: address %#x is not a 4-byte-aligned int32", addr))
	}
	return (*int32)(unsafe.Add(nil, addr))
}

// push appends w to the queue of w.addr. The caller holds b.mu and has
// already counted w in b.waiting.
func (b *bucket) push(w *waiter) {
	q := b.queues[w.addr]
	if q == nil {
		if b.queues == nil {
			b.queues = make(map[uintptr]*queue)
		}
		q = &queue{}
		b.queues[w.addr] = q
	}

	w.state = waiterQueued
	w.prev = q.tail
	w.next = nil
	if q.tail != nil {
		q.tail.next = w
	} else {
		q.head = w
	}
	q.tail = w
	q.length++

	if w.kind == semaphoreWaiter {
		atomic.AddInt32(semaphoreWaitersWord(w.addr), 1)
	}
}

// register gives the queued asynchronous waiter w a token and starts its
// timeout, if any. The caller holds b.mu.
func (b *bucket) register(w *waiter, timeout time.Duration) uint64 {
	w.token = lastToken.Add(1)<<bucketBits | bucketIndex(w.addr)
	if b.tokens == nil {
		b.tokens = make(map[uint64]*waiter)
	}
	b.tokens[w.token] = w

	if timeout > 0 {
		w.timer = time.AfterFunc(timeout, func() { b.expire(w) })
	}
	return w.token
}

// unlink removes the queued waiter w from its queue.
func (b *bucket) unlink(w *waiter) {
	q := b.queues[w.addr]
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		q.tail = w.prev
	}
	w.prev = nil
	w.next = nil
	q.length--
	b.waiting.Add(-1)

	if w.kind == semaphoreWaiter {
		atomic.AddInt32(semaphoreWaitersWord(w.addr), -1)
	}
	b.dropIfEmpty(w.addr, q)
}

func (b *bucket) dropIfEmpty(addr uintptr, q *queue) {
	if q.head == nil && len(q.detached) == 0 {
		delete(b.queues, addr)
	}
}

// finish sets the waiter's result, takes it off its queue and, when ready is
// not nil, adds it to ready so the caller wakes it or calls its deliver
// function after unlocking. The caller holds b.mu.
func (b *bucket) finish(w *waiter, r Result, ready *readyList) {
	if w.state == waiterQueued {
		b.unlink(w)
	}
	w.state = waiterFinished
	w.result = r

	if w.token != 0 {
		delete(b.tokens, w.token)
	}
	if w.timer != nil {
		// The timer may be firing already. expire then finds the waiter
		// finished and does nothing.
		w.timer.Stop()
	}
	if ready != nil {
		ready.add(w)
	}
}

// abandon finishes the queued waiter w with result r when it stops waiting
// without being woken (timeout, cancellation, the end of a lease). It does
// not add w to ready. If w was the first waiter for a semaphore, the permits
// it could not use may satisfy the waiters behind it, so abandon grants them
// and adds those to ready. The caller holds b.mu.
func (b *bucket) abandon(w *waiter, r Result, ready *readyList) {
	first := b.queues[w.addr].head == w
	b.finish(w, r, nil)
	if first && w.kind == semaphoreWaiter {
		b.grantPermits(w.addr, ready, nil)
	}
}

// expire ends an asynchronous waiter whose timeout elapsed.
func (b *bucket) expire(w *waiter) {
	var ready readyList

	b.mu.Lock()
	if w.state != waiterQueued {
		b.mu.Unlock()
		return
	}
	b.abandon(w, WaitTimedOut, &ready)
	ready.add(w)
	b.mu.Unlock()

	ready.notify()
}

// A readyList collects finished waiters so that they are woken, and their
// deliver functions called, after the bucket's mutex is released.
type readyList struct {
	head, tail *waiter
}

func (l *readyList) add(w *waiter) {
	if l.tail != nil {
		l.tail.readyNext = w
	} else {
		l.head = w
	}
	l.tail = w
}

// notify wakes the synchronous waiters in l and delivers the results of the
// asynchronous ones, in the order they were added. The waiters stay
// reachable through l, so waking a synchronous waiter that has already
// returned only wakes an unused futex word.
func (l *readyList) notify() {
	for w := l.head; w != nil; {
		next := w.readyNext
		w.readyNext = nil

		if w.deliver != nil {
			w.deliver(w.result)
		} else {
			atomic.StoreUint32(&w.signal, 1)
			futexWake(&w.signal, 1)
		}
		w = next
	}
	*l = readyList{}
}

// sleep blocks the calling thread until w is finished, the slice ends or a
// signal interrupts the futex wait. The caller then checks w's state under
// the bucket's mutex.
func (w *waiter) sleep(slice time.Duration) {
	deadline := time.Now().Add(slice)
	for atomic.LoadUint32(&w.signal) == 0 {
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return
		}
		if futexWait(&w.signal, 0, remaining) {
			return
		}
	}
}

// waitSync sleeps in the queued synchronous waiter w for at most slice and
// returns its result, or WaitInterrupted if it was not finished in time.
// A plain waiter then leaves the queue, while a mutex or semaphore waiter is
// detached and keeps its place for the thread's next call.
func (b *bucket) waitSync(w *waiter, slice time.Duration) Result {
	w.sleep(slice)

	b.mu.Lock()
	defer b.mu.Unlock()

	switch {
	case w.state == waiterFinished:
		return w.result
	case w.kind == plainWaiter:
		b.finish(w, WaitInterrupted, nil)
	default:
		b.detach(w)
	}
	return WaitInterrupted
}

// detach records the queued waiter w as its thread's detached waiter and
// starts its lease. The caller holds b.mu.
func (b *bucket) detach(w *waiter) {
	q := b.queues[w.addr]
	if q.detached == nil {
		q.detached = make(map[int]*waiter)
	}
	if q.detached[w.thread] != nil {
		// Each call of a thread takes back its detached waiter before it
		// queues a new one.
		panic("atomics: a thread has two detached waiters for one address")
	}

	q.detached[w.thread] = w
	w.detached = true
	b.detached.Add(1)
	w.lease = time.AfterFunc(detachedLease, func() { b.endLease(w) })
}

// takeDetached removes and returns the calling thread's detached waiter for
// addr, or returns nil if it has none. The caller holds b.mu.
func (b *bucket) takeDetached(addr uintptr, thread int) *waiter {
	q := b.queues[addr]
	if q == nil {
		return nil
	}
	w := q.detached[thread]
	if w == nil {
		return nil
	}

	delete(q.detached, thread)
	b.detached.Add(-1)
	w.detached = false
	w.lease.Stop()
	b.dropIfEmpty(addr, q)
	return w
}

// resumeDetached continues a synchronous mutex or semaphore wait of the
// calling thread whose previous slice ended with WaitInterrupted. It reports
// false if the thread has no detached waiter for addr that requests the
// same number of permits, and the caller then starts a new wait.
//
// If the waiter was finished while its thread was away, the thread now owns
// the mutex or the permits and resumeDetached returns WaitOK. A slice of zero
// or less gives up the waiter and returns WaitTimedOut.
func (b *bucket) resumeDetached(addr uintptr, thread int, permits int32, slice time.Duration) (r Result, resumed bool) {
	var ready readyList

	b.mu.Lock()
	w := b.takeDetached(addr, thread)
	if w == nil {
		b.mu.Unlock()
		return 0, false
	}
	if w.state == waiterQueued {
		b.serveStranded(addr, w.kind, &ready)
	}

	granted := w.state == waiterFinished && w.result == WaitOK
	switch {
	case w.permits != permits:
		// The thread abandoned an acquire of another size and started a new
		// one. Give up the old waiter's place, or release what it was granted.
		if w.state == waiterQueued {
			b.abandon(w, WaitTimedOut, &ready)
		}
		r, resumed = 0, false

	case w.state == waiterFinished:
		r, resumed = w.result, true

	case slice <= 0:
		b.abandon(w, WaitTimedOut, &ready)
		r, resumed = WaitTimedOut, true

	default:
		b.mu.Unlock()
		ready.notify()
		return b.waitSync(w, slice), true
	}
	b.mu.Unlock()

	ready.notify()
	if granted && !resumed {
		releaseHeld(w)
	}
	return r, resumed
}

// serveStranded serves the waiters of addr if the mutex is free or permits
// are available while waiters are queued. That state is left behind by a
// JavaScript thread that was terminated after the Atomics operation of an
// unlock or a release but before the call to Go that serves the waiters.
// Every synchronous waiter that comes back for the next slice calls it, so
// such a queue recovers within a slice. The caller holds b.mu.
//
// NOTE: a queue of asynchronous waiters only recovers when another waiter
// comes to Go: a mutex locker takes the free mutex and its unlock serves
// the queue, and a semaphore acquirer grants the permits. Until then the
// waiters stay queued.
func (b *bucket) serveStranded(addr uintptr, kind waiterKind, ready *readyList) {
	switch kind {
	case mutexWaiter:
		if atomic.LoadInt32(wordAt(addr)) == mutexUnlocked {
			b.wakeLocked(addr, 1, ready)
		}
	case semaphoreWaiter:
		b.grantPermits(addr, ready, nil)
	}
}

// endLease drops a detached waiter whose thread did not call again in time,
// and releases the mutex or permits it was granted meanwhile.
func (b *bucket) endLease(w *waiter) {
	var ready readyList

	b.mu.Lock()
	q := b.queues[w.addr]
	if q == nil || q.detached[w.thread] != w {
		// The thread took it back, or Shutdown dropped it.
		b.mu.Unlock()
		return
	}
	delete(q.detached, w.thread)
	b.detached.Add(-1)
	w.detached = false

	granted := w.state == waiterFinished && w.result == WaitOK
	if w.state == waiterQueued {
		b.abandon(w, WaitTimedOut, &ready)
	} else {
		b.dropIfEmpty(w.addr, q)
	}
	b.mu.Unlock()

	ready.notify()
	if granted {
		releaseHeld(w)
	}
}

// releaseHeld releases the mutex or the permits granted to a synchronous
// waiter whose thread will never take them.
func releaseHeld(w *waiter) {
	switch w.kind {
	case mutexWaiter:
		// The waiter owns the mutex, so MutexUnlock fails only if other
		// code overwrote the word, and a timer has no caller to report to.
		_ = MutexUnlock(w.addr)
	case semaphoreWaiter:
		returnPermits(w.addr, w.permits)
	}
}

// Waiters returns the number of waiters queued on addr, synchronous and
// asynchronous, including detached synchronous waiters that have not been
// granted anything yet.
func Waiters(addr uintptr) int {
	b := bucketFor(addr)
	b.mu.Lock()
	defer b.mu.Unlock()

	if q := b.queues[addr]; q != nil {
		return q.length
	}
	return 0
}
