package atomics

import (
	"sync/atomic"
	"time"
)

// Wait blocks the calling OS thread while the int32 at addr contains
// expected, for at most slice.
//
// Wait returns WaitOK when Wake woke it, WaitNotEqual at once if the word
// does not contain expected, and WaitInterrupted when the slice ends or a
// signal interrupts the wait. The caller then checks its own deadline and
// calls again. A slice of zero or less does not wait: Wait returns
// WaitTimedOut if it would have had to. After Shutdown, Wait returns
// WaitShutdown instead of waiting.
func Wait(addr uintptr, expected int32, slice time.Duration) Result {
	word := wordAt(addr)
	b := bucketFor(addr)

	b.mu.Lock()
	if !b.enterIfEqual(word, expected) {
		b.mu.Unlock()
		return WaitNotEqual
	}
	if r := refuseWait(slice <= 0); r != WaitPending {
		b.waiting.Add(-1)
		b.mu.Unlock()
		return r
	}
	w := &waiter{addr: addr, kind: plainWaiter}
	b.push(w)
	b.mu.Unlock()

	return b.waitSync(w, slice)
}

// enterIfEqual counts one more waiter in b.waiting, then reports whether the
// word contains expected. If it does not, enterIfEqual undoes the count. If
// it does, the caller must queue a waiter or undo the count itself. The
// caller holds b.mu.
//
// The order of the two steps is what lets Wake read b.waiting without the
// mutex. JavaScript stores the new value with a sequentially consistent
// Atomics operation and then calls Wake, which loads b.waiting. If that load
// returns 0, it came before the increment here, so the store came before the
// load of the word here, and this waiter reads the new value.
func (b *bucket) enterIfEqual(word *int32, expected int32) bool {
	b.waiting.Add(1)
	if atomic.LoadInt32(word) != expected {
		b.waiting.Add(-1)
		return false
	}
	return true
}

// refuseWait returns the result of a call that cannot wait: WaitShutdown
// after Shutdown, or WaitTimedOut if mustNotWait (a slice of zero or less,
// or a timeout of zero). Otherwise it returns WaitPending.
func refuseWait(mustNotWait bool) Result {
	switch {
	case shuttingDown.Load():
		return WaitShutdown
	case mustNotWait:
		return WaitTimedOut
	}
	return WaitPending
}

// WaitAsync queues an asynchronous waiter on addr if the int32 there
// contains expected. It holds no thread while it waits.
//
// If the word does not contain expected, WaitAsync returns (0, WaitNotEqual).
// If it would have to wait but timeout is 0, it returns (0, WaitTimedOut),
// and after Shutdown (0, WaitShutdown). Otherwise it returns a token and
// WaitPending, and later exactly one of these happens: Wake delivers WaitOK,
// the timeout elapses and WaitTimedOut is delivered, Cancel(token) returns
// true and nothing is delivered, or Shutdown delivers WaitShutdown. A
// negative timeout means no timeout.
//
// deliver is called on the thread or goroutine that ends the wait: the
// caller of Wake, MutexUnlock, SemRelease, Cancel, Shutdown or of a new wait
// on the same address, or a timer goroutine. It is never called under a
// lock of this package, so it may call this package. It must not block or
// panic.
func WaitAsync(addr uintptr, expected int32, timeout time.Duration, deliver func(Result)) (token uint64, immediate Result) {
	if deliver == nil {
		panic("atomics: WaitAsync with a nil deliver function")
	}
	word := wordAt(addr)
	b := bucketFor(addr)

	b.mu.Lock()
	defer b.mu.Unlock()

	if !b.enterIfEqual(word, expected) {
		return 0, WaitNotEqual
	}
	if r := refuseWait(timeout == 0); r != WaitPending {
		b.waiting.Add(-1)
		return 0, r
	}
	w := &waiter{addr: addr, kind: plainWaiter, deliver: deliver}
	b.push(w)
	return b.register(w, timeout), WaitPending
}

// Wake wakes at most n waiters queued on addr, in the order they queued, and
// returns how many it woke. A negative n wakes all of them.
//
// A woken Wait returns WaitOK and an asynchronous waiter gets WaitOK
// delivered. For a mutex waiter at the head of the queue, Wake first
// acquires the mutex on the waiter's behalf (see MutexLockAsync). If another
// thread holds the mutex, that waiter stays first in the queue and Wake
// stops. Semaphore waiters are never woken by Wake, only by SemRelease.
//
// The caller must store the new value of the word with an Atomics operation
// before calling Wake.
func Wake(addr uintptr, n int) int {
	b := bucketFor(addr)
	// Fast path: an unlock that found the word at 2 after the last waiter
	// left, or whose waiters were all served by another thread.
	if n == 0 || b.waiting.Load() == 0 {
		return 0
	}
	return b.wakeSlow(addr, n)
}

func (b *bucket) wakeSlow(addr uintptr, n int) int {
	var ready readyList

	b.mu.Lock()
	woken := b.wakeLocked(addr, n, &ready)
	b.mu.Unlock()

	ready.notify()
	return woken
}

// wakeLocked is Wake with b.mu held: it finishes the waiters that Wake
// wakes, adds them to ready and returns their number.
func (b *bucket) wakeLocked(addr uintptr, n int, ready *readyList) int {
	woken := 0
	for woken != n {
		q := b.queues[addr]
		if q == nil || q.head == nil {
			break
		}
		w := q.head
		if w.kind == semaphoreWaiter {
			break
		}
		if w.kind == mutexWaiter && !grantMutex(wordAt(addr), q) {
			break
		}
		b.finish(w, WaitOK, ready)
		woken++
	}
	return woken
}

// Cancel removes the asynchronous waiter with the given token from its
// queue and reports true. Its deliver function is then never called. It
// reports false if the waiter has already been woken, has timed out or was
// delivered WaitShutdown (its deliver function has been or is being called),
// and for a token that was never issued. For a mutex or semaphore waiter,
// false may therefore mean that the lock or the permits were acquired and
// are being delivered.
func Cancel(token uint64) bool {
	if token == 0 {
		return false
	}
	b := &buckets[token&(bucketCount-1)]
	var ready readyList

	b.mu.Lock()
	w := b.tokens[token]
	if w == nil || w.state != waiterQueued {
		b.mu.Unlock()
		return false
	}
	b.abandon(w, WaitTimedOut, &ready)
	b.mu.Unlock()

	ready.notify()
	return true
}

// Shutdown marks the process as exiting and ends every wait.
//
// Every queued synchronous waiter is woken and returns WaitShutdown. Every
// queued asynchronous waiter gets WaitShutdown delivered on the calling
// thread before Shutdown returns. Mutexes and permits that were granted to
// synchronous waiters whose threads were between two slices are released.
// From then on, calls that would have to wait return WaitShutdown instead,
// while calls that need not wait (the word differs, the mutex is free, the
// permits are available) still succeed. Shutdown cannot be undone, and
// calling it again does nothing more.
func Shutdown() {
	shuttingDown.Store(true)
	for i := range buckets {
		buckets[i].shutdown()
	}
}

func (b *bucket) shutdown() {
	var (
		ready   readyList
		granted []*waiter
	)

	b.mu.Lock()
	for addr, q := range b.queues {
		for q.head != nil {
			b.finish(q.head, WaitShutdown, &ready)
		}
		for thread, w := range q.detached {
			delete(q.detached, thread)
			b.detached.Add(-1)
			w.detached = false
			w.lease.Stop()
			if w.result == WaitOK {
				granted = append(granted, w)
			}
		}
		delete(b.queues, addr)
	}
	b.mu.Unlock()

	ready.notify()
	for _, w := range granted {
		releaseHeld(w)
	}
}
