package atomics

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// Mutex state word values. A Mutex is one int32 in shared memory, the
// classic three-state futex mutex.
const (
	mutexUnlocked  int32 = 0
	mutexLocked    int32 = 1 // locked, no waiter queued
	mutexContended int32 = 2 // locked, and waiters may be queued, so unlock must call Wake

	// JavaScript protocol. The uncontended paths run in JavaScript without
	// calling Go:
	//
	//   - lock, tryLock: Atomics.compareExchange(word, 0, 1) returns 0 when
	//     the mutex was acquired. tryLock never calls Go.
	//   - unlock: old = Atomics.exchange(word, 0). If old is 0, the mutex was
	//     not locked: throw the error that MutexUnlock returns. If old is 2,
	//     call Wake(addr, 1). If old is 1, no waiter is queued.
	//   - lockSync, when the compare-exchange fails: call MutexLock(addr,
	//     slice) with slice = min(the slice length, the time left) until it
	//     returns WaitOK. On WaitInterrupted, call again. Once the deadline
	//     has passed, call once more with a slice of 0, which returns WaitOK
	//     (the mutex was handed over meanwhile) or WaitTimedOut.
	//   - lock (a promise), when the compare-exchange fails: call
	//     MutexLockAsync. On abort, call Cancel(token): true means nothing
	//     will be delivered, false means a result is being delivered, and if
	//     it is WaitOK the caller owns the mutex and must unlock it.
	//
	// Hand-off and fairness. Waiters queue in Go in FIFO order. An unlock
	// that finds the word at 2 calls Wake, which acquires the mutex for the
	// first waiter inside the unlocking thread. Only then does it wake the
	// waiter or deliver WaitOK, so a woken waiter never competes for the
	// mutex.
	// A thread that never queued can still take the mutex in the short
	// window between an unlock's exchange and its Wake (the JavaScript fast
	// path, or the spinning in MutexLock). Wake then finds the mutex locked,
	// sets the word to 2 so that the new owner's unlock calls Wake again, and
	// leaves the waiter first in the queue. Queued waiters are therefore
	// served in order but can be overtaken by such a thread, and no mode
	// forbids this. Allowing it keeps lock and unlock a single atomic
	// operation in JavaScript when no waiter is queued.
	//
	// The invariant that loses no wake-up: while a waiter is queued, the
	// word is 2, or an unlock that found 2 has not yet run its Wake. A locker
	// sets the word to 2 under the bucket's mutex before it queues, a failed
	// hand-off sets it to 2 again, and a hand-off sets it to 1 only when it
	// takes the last queued waiter.
	//
	// A synchronous waiter whose slice ends keeps its place in the queue for
	// its thread's next call (see detachedLease), so lockSync is served in
	// FIFO order like lock.
)

// mutexSpinDuration is how long MutexLock spins before it queues and
// sleeps. It spins only while the word is 1 (locked, no waiter queued),
// and checks the word after every PAUSE instruction. When the word becomes
// 2, other threads are queued already, so it queues at once instead of
// taking CPU time that the owner may need. The spin lets two threads that
// pass a mutex back and forth avoid a futex sleep and a wake-up on every
// lock. Spinning is useless with one CPU, where the owner cannot run while
// this thread spins. The spin is bounded by time because PAUSE latency
// depends on the processor model (about 25 ns on the machine below).
//
// BenchmarkMutexContended, median (min-max) of 6 interleaved runs, in µs
// per lock-unlock pair, with Go 1.26.8 on a 2-core AMD EPYC virtual machine
// whose load average from other work was 5 to 6:
//
//	spin     2 threads          4 threads
//	0        0.76 (0.58-9.76)   1.13 (0.90-4.70)
//	5 µs     0.56 (0.54-4.80)   1.05 (0.84-4.07)
//	10 µs    0.82 (0.56-4.16)   0.95 (0.86-0.99)
//	20 µs    0.63 (0.52-1.44)   0.92 (0.78-0.96)
//	50 µs    0.63 (0.55-0.86)   1.00 (0.88-1.14)
//
// The high maxima are runs in which the threads slept on nearly every lock.
// Without the check for 2, a 10 µs spin took 12.5 µs per pair with 4
// threads under the same load.
//
// NOTE: on that shared machine, runs varied more than the settings did.
// The benchmark's critical section is 20 PAUSE instructions, and longer
// JavaScript critical sections were not measured.
var mutexSpinDuration = func() time.Duration {
	if runtime.NumCPU() <= 1 {
		return 0
	}
	return 10 * time.Microsecond
}()

// ErrNotLocked is returned by MutexUnlock for a mutex that is not locked.
var ErrNotLocked = errors.New("atomics: unlock of unlocked mutex (each lock must be released exactly once)")

// MutexLock acquires the mutex whose state word is at addr, blocking the
// calling OS thread for at most slice. It is the contended path of lockSync,
// for a caller whose compare-exchange from 0 to 1 failed.
//
// MutexLock spins briefly, then queues and sleeps until an unlock hands it
// the mutex. It returns WaitOK when the calling thread owns the mutex. It
// returns WaitInterrupted when the slice ends or a signal interrupts the
// sleep. The thread's waiter then keeps its place in the queue for the next
// call from the same thread. A slice of zero or less does not wait: it
// returns WaitOK if the mutex is free or was handed over meanwhile, and
// otherwise gives up the thread's place in the queue and returns
// WaitTimedOut. After Shutdown, MutexLock returns WaitShutdown instead of
// waiting.
func MutexLock(addr uintptr, slice time.Duration) Result {
	word := wordAt(addr)
	b := bucketFor(addr)

	// Fast path: grab a free mutex, unless some thread has a detached waiter
	// here. If that waiter is this thread's, it could be handed the mutex too.
	if b.detached.Load() == 0 && atomic.CompareAndSwapInt32(word, mutexUnlocked, mutexLocked) {
		return WaitOK
	}
	// Slow path: resume this thread's detached waiter, spin, then queue.
	return mutexLockSlow(addr, word, b, slice)
}

func mutexLockSlow(addr uintptr, word *int32, b *bucket, slice time.Duration) Result {
	thread := 0
	if b.detached.Load() != 0 {
		thread = currentThreadID()
		if r, resumed := b.resumeDetached(addr, thread, 0, slice); resumed {
			return r
		}
	}

	if slice > 0 && !shuttingDown.Load() && spinLock(word) {
		return WaitOK
	}
	if thread == 0 {
		thread = currentThreadID()
	}

	b.mu.Lock()
	b.waiting.Add(1)
	if acquireBeforeQueuing(word, b.queues[addr]) {
		b.waiting.Add(-1)
		b.mu.Unlock()
		return WaitOK
	}
	if r := refuseWait(slice <= 0); r != WaitPending {
		b.waiting.Add(-1)
		b.mu.Unlock()
		return r
	}
	w := &waiter{addr: addr, kind: mutexWaiter, thread: thread}
	b.push(w)
	b.mu.Unlock()

	return b.waitSync(w, slice)
}

// spinLock tries to take the mutex without sleeping, for at most
// mutexSpinDuration and only while no waiter is queued.
func spinLock(word *int32) bool {
	if mutexSpinDuration <= 0 {
		return false
	}
	start := time.Now()
	for i := 1; ; i++ {
		pause(1)
		switch atomic.LoadInt32(word) {
		case mutexUnlocked:
			if atomic.CompareAndSwapInt32(word, mutexUnlocked, mutexLocked) {
				return true
			}
		case mutexContended:
			return false
		}
		if i%16 == 0 && time.Since(start) >= mutexSpinDuration {
			return false
		}
	}
}

// acquireBeforeQueuing is a locker's last attempt to take the mutex, made
// under the bucket's mutex just before it queues. When it fails, it leaves
// the word at 2, so the owner's unlock calls Wake, which then finds the new
// waiter queued.
func acquireBeforeQueuing(word *int32, q *queue) bool {
	if (q == nil || q.head == nil) && atomic.CompareAndSwapInt32(word, mutexUnlocked, mutexLocked) {
		return true
	}
	return atomic.SwapInt32(word, mutexContended) == mutexUnlocked
}

// grantMutex acquires the mutex for the first waiter of q (the hand-off of
// an unlock) and reports whether it succeeded. The word becomes 1 if that
// waiter is the only one queued, and 2 otherwise. If another thread holds
// the mutex, grantMutex sets the word to 2, so that thread's unlock calls
// Wake, and reports false. The caller holds the bucket's mutex.
func grantMutex(word *int32, q *queue) bool {
	next := mutexContended
	if q.length == 1 {
		next = mutexLocked
	}
	if atomic.CompareAndSwapInt32(word, mutexUnlocked, next) {
		return true
	}
	return atomic.SwapInt32(word, mutexContended) == mutexUnlocked
}

// MutexLockAsync acquires the mutex whose state word is at addr without
// blocking any thread. It is the contended path of lock().
//
// If the mutex is free, MutexLockAsync takes it and returns (0, WaitOK). If
// it would have to wait but timeout is 0, it returns (0, WaitTimedOut), and
// after Shutdown (0, WaitShutdown). Otherwise it queues a waiter and returns
// a token and WaitPending. Later exactly one of these happens:
//
//   - An unlock hands the mutex to the waiter: the mutex is acquired on the
//     waiter's behalf inside the unlocking thread, then WaitOK is delivered
//     and the JavaScript waiter owns the mutex.
//   - The timeout elapses first: WaitTimedOut is delivered and the mutex is
//     not held. A negative timeout means no timeout.
//   - Cancel(token) returns true: nothing is delivered, nothing is held.
//   - Shutdown delivers WaitShutdown: nothing is held.
//
// deliver follows the rules of WaitAsync. If the addon cannot pass WaitOK on
// to JavaScript (the waiting thread is gone), it must call MutexUnlock(addr),
// or the mutex stays locked.
func MutexLockAsync(addr uintptr, timeout time.Duration, deliver func(Result)) (token uint64, immediate Result) {
	if deliver == nil {
		panic("atomics: MutexLockAsync with a nil deliver function")
	}
	word := wordAt(addr)
	if atomic.CompareAndSwapInt32(word, mutexUnlocked, mutexLocked) {
		return 0, WaitOK
	}
	b := bucketFor(addr)

	b.mu.Lock()
	defer b.mu.Unlock()

	b.waiting.Add(1)
	if acquireBeforeQueuing(word, b.queues[addr]) {
		b.waiting.Add(-1)
		return 0, WaitOK
	}
	if r := refuseWait(timeout == 0); r != WaitPending {
		b.waiting.Add(-1)
		return 0, r
	}
	w := &waiter{addr: addr, kind: mutexWaiter, deliver: deliver}
	b.push(w)
	return b.register(w, timeout), WaitPending
}

// MutexUnlock unlocks the mutex whose state word is at addr and, if waiters
// may be queued, hands the mutex to the first of them with Wake. It is the
// unlock of JavaScript's protocol written in Go, for the addon and for
// mutexes held on behalf of threads that are gone.
//
// It returns ErrNotLocked if the mutex was not locked, and an error if the
// word contained a value that is not a mutex state. In that case the word
// is 0 afterwards and one waiter is woken, as for 2.
func MutexUnlock(addr uintptr) error {
	switch old := atomic.SwapInt32(wordAt(addr), mutexUnlocked); old {
	case mutexLocked:
		return nil
	case mutexContended:
		Wake(addr, 1)
		return nil
	case mutexUnlocked:
		return ErrNotLocked
	default:
		Wake(addr, 1)
		return fmt.Errorf("atomics: mutex word at %#x contained %d, which is not a mutex state (0, 1 or 2), so other code wrote to the mutex's memory", addr, old)
	}
}
