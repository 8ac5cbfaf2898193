package atomics

import (
	"runtime"
	"testing"
	"time"
)

// shutdownForTest calls Shutdown and undoes it when the test ends, so the
// tests after it can wait again. Tests in this package do not run in
// parallel, so no other test observes the shutdown state.
func shutdownForTest(t *testing.T) {
	t.Cleanup(func() { shuttingDown.Store(false) })
	Shutdown()
}

// TestShutdownEndsEveryWait queues every kind of waiter, then calls
// Shutdown. Each must end with WaitShutdown within a short time, although
// their slices and timeouts are long.
func TestShutdownEndsEveryWait(t *testing.T) {
	const prompt = 500 * time.Millisecond
	word := newWords(t, 1)
	mutex := newWords(t, 1)
	semaphore := newWords(t, 2)
	store(mutex, mutexLocked)

	results := make(chan string, 10)
	report := func(name string, r Result) {
		if r != WaitShutdown {
			t.Errorf("%s: %v, want shutdown", name, r)
		}
		results <- name
	}
	startSync := func(name string, wait func() Result) {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			report(name, wait())
		}()
	}
	deliverTo := func(name string) func(Result) {
		return func(r Result) { report(name, r) }
	}

	startSync("Wait", func() Result { return Wait(word, 0, time.Hour) })
	startSync("MutexLock", func() Result { return MutexLock(mutex, time.Hour) })
	startSync("SemAcquire", func() Result { return SemAcquire(semaphore, 1, time.Hour) })
	WaitAsync(word, 0, time.Hour, deliverTo("WaitAsync"))
	MutexLockAsync(mutex, -1, deliverTo("MutexLockAsync"))
	SemAcquireAsync(semaphore, 1, -1, deliverTo("SemAcquireAsync"))
	eventually(t, 2*time.Second, "every waiter is queued", func() bool {
		return Waiters(word) == 2 && Waiters(mutex) == 2 && Waiters(semaphore) == 2
	})

	start := time.Now()
	shutdownForTest(t)
	for range 6 {
		receive(t, results, prompt, "a waiter to end")
	}
	t.Logf("6 waiters ended %v after Shutdown", time.Since(start))

	for _, addr := range []uintptr{word, mutex, semaphore} {
		if n := Waiters(addr); n != 0 {
			t.Errorf("Waiters(%#x) = %d after Shutdown, want 0", addr, n)
		}
	}
	if got := load(semaphore + 4); got != 0 {
		t.Errorf("semaphore waiter word = %d after Shutdown, want 0", got)
	}
}

// TestShutdownLaterCalls checks what calls do after Shutdown: those that
// would wait return WaitShutdown at once, the others still succeed.
func TestShutdownLaterCalls(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	word := newWords(t, 1)
	freeMutex := newWords(t, 1)
	heldMutex := newWords(t, 1)
	semaphore := newWords(t, 2)
	store(heldMutex, mutexLocked)
	store(semaphore, 1)
	deliver, results := resultChannel(1)

	shutdownForTest(t)
	start := time.Now()

	tests := []struct {
		name string
		call func() Result
		want Result
	}{
		{"Wait on an equal value", func() Result { return Wait(word, 0, time.Hour) }, WaitShutdown},
		{"Wait on a differing value", func() Result { return Wait(word, 1, time.Hour) }, WaitNotEqual},
		{"WaitAsync", func() Result { _, r := WaitAsync(word, 0, -1, deliver); return r }, WaitShutdown},
		{"MutexLock on a held mutex", func() Result { return MutexLock(heldMutex, time.Hour) }, WaitShutdown},
		{"MutexLockAsync on a held mutex", func() Result { _, r := MutexLockAsync(heldMutex, -1, deliver); return r }, WaitShutdown},
		{"MutexLock on a free mutex", func() Result { return MutexLock(freeMutex, time.Hour) }, WaitOK},
		{"SemAcquire of a free permit", func() Result { return SemAcquire(semaphore, 1, time.Hour) }, WaitOK},
		{"SemAcquire without permits", func() Result { return SemAcquire(semaphore, 1, time.Hour) }, WaitShutdown},
		{"SemAcquireAsync without permits", func() Result { _, r := SemAcquireAsync(semaphore, 1, -1, deliver); return r }, WaitShutdown},
	}
	for _, test := range tests {
		if got := test.call(); got != test.want {
			t.Errorf("%s = %v, want %v", test.name, got, test.want)
		}
	}

	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("calls after Shutdown took %v, want no waiting", elapsed)
	}
	expectNothing(t, results, 20*time.Millisecond, "delivery after Shutdown")
	if err := MutexUnlock(freeMutex); err != nil {
		t.Errorf("MutexUnlock after Shutdown: %v", err)
	}
}

// TestShutdownReleasesDetachedGrant hands a mutex to a synchronous waiter
// between two slices, then shuts down. The mutex must be released, and the
// thread's next call must not report that it owns it.
func TestShutdownReleasesDetachedGrant(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mutex := newWords(t, 1)
	store(mutex, mutexLocked)

	if r := MutexLock(mutex, 10*time.Millisecond); r != WaitInterrupted {
		t.Fatalf("MutexLock = %v, want interrupted", r)
	}
	jsUnlock(mutex) // handed to the detached waiter
	if got := load(mutex); got != mutexLocked {
		t.Fatalf("word = %d after the hand-off, want %d", got, mutexLocked)
	}

	shutdownForTest(t)
	if got := load(mutex); got != mutexUnlocked {
		t.Errorf("word = %d after Shutdown, want 0 (the detached waiter's mutex is released)", got)
	}
	if r := MutexLock(mutex, time.Hour); r != WaitOK {
		t.Errorf("MutexLock of the released mutex = %v, want ok", r)
	}
}
