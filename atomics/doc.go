// Package atomics waits and wakes on int32 words in shared memory, and
// implements the contended paths of the library's Mutex and Semaphore.
//
// # Addresses
//
// Every function takes the address of a 4-byte-aligned int32 as a uintptr.
// The word lives in memory that the Go garbage collector does not manage and
// that stays mapped while any thread may call in: the backing store of a
// JavaScript SharedArrayBuffer, or a segment of package registry. JavaScript
// threads read and write the same words with Atomics, and call into this
// package only when they have to wait or wake.
//
// JavaScript engines keep their own waiter lists for Atomics.wait and
// Atomics.notify (V8 emulates futexes, and JavaScriptCore parks threads in
// its own lists), so a futex wake never wakes Atomics.wait and
// Atomics.notify never wakes a futex waiter. Every wait and every wake on a
// word must therefore go through this package. A word must never be waited
// on with Atomics.wait as well.
//
// # Waiters
//
// The package keeps its waiters in a table in Go, keyed by address, with a
// FIFO queue per address. Checking a word and queuing a waiter happen under
// the lock of the address's bucket, and so does taking waiters off the
// queue in Wake. JavaScript stores the new value (with an Atomics operation)
// before it calls Wake. A waiter therefore either reads the new value or is
// already queued when Wake looks, and no wake-up is lost.
//
// A synchronous waiter (Wait, MutexLock, SemAcquire) blocks its OS thread in
// FUTEX_WAIT_PRIVATE on a word of its own, inside its waiter struct, and the
// waker sets that word and wakes it. Such a wait always returns within its
// time slice, and also when a signal interrupts it (EINTR), because a thread
// that stays inside a native call cannot be terminated by Bun's
// worker.terminate() and keeps Node.js from exiting. The JavaScript caller
// keeps its own deadline and calls again.
//
// An asynchronous waiter (WaitAsync, MutexLockAsync, SemAcquireAsync) holds
// no thread at all: it is a queue entry with a deliver function and, if it
// has a timeout, a runtime timer. Any number of them can be pending without
// creating OS threads.
//
// Shutdown wakes every waiter and makes later calls return instead of
// waiting. The main thread calls it when the process exits.
//
// Waiting is implemented on Linux only. Elsewhere Supported returns an error,
// and calls that need a futex or a thread ID panic.
package atomics
