package atomics

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkMutexUncontended measures MutexLock and MutexUnlock on a free
// mutex: the cost of the Go calls without any waiting.
func BenchmarkMutexUncontended(b *testing.B) {
	addr := newWords(b, 1)
	for b.Loop() {
		if r := MutexLock(addr, 100*time.Millisecond); r != WaitOK {
			b.Fatalf("MutexLock = %v", r)
		}
		if err := MutexUnlock(addr); err != nil {
			b.Fatalf("MutexUnlock: %v", err)
		}
	}
}

// BenchmarkMutexContended has goroutines, each locked to its own OS thread
// as JavaScript threads are, lock and unlock one mutex with the JavaScript
// fast paths around a critical section of 20 PAUSE instructions. It reports
// the time per lock-unlock pair for 2 goroutines and for 4 (more threads
// than cores on a 2-core machine), with several spin durations.
func BenchmarkMutexContended(b *testing.B) {
	for _, goroutines := range []int{2, 4} {
		for _, spin := range []time.Duration{0, 2 * time.Microsecond, 5 * time.Microsecond, 10 * time.Microsecond, 20 * time.Microsecond, 50 * time.Microsecond} {
			b.Run(fmt.Sprintf("goroutines=%d/spin=%v", goroutines, spin), func(b *testing.B) {
				benchmarkMutexContended(b, goroutines, spin)
			})
		}
	}
}

func benchmarkMutexContended(b *testing.B, goroutines int, spin time.Duration) {
	saved := mutexSpinDuration
	mutexSpinDuration = spin
	defer func() { mutexSpinDuration = saved }()

	addr := newWords(b, 1)
	counter := newWords(b, 1)
	var wg sync.WaitGroup
	b.ResetTimer()

	for g := range goroutines {
		n := b.N / goroutines
		if g == 0 {
			n = b.N - n*(goroutines-1)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for range n {
				lockSync(b, addr, 100*time.Millisecond)
				store(counter, load(counter)+1)
				pause(20)
				jsUnlock(addr)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()

	if got := load(counter); got != int32(b.N) {
		b.Fatalf("counter = %d, want %d", got, b.N)
	}
}

// BenchmarkWakeNoWaiters measures Wake on a word without waiters, the cost
// of an unlock that found the word at 2 after the last waiter left.
func BenchmarkWakeNoWaiters(b *testing.B) {
	addr := newWords(b, 1)
	for b.Loop() {
		Wake(addr, 1)
	}
}

// BenchmarkWakeOneAsyncWaiter measures queuing an asynchronous waiter and
// waking it, with a deliver function that does nothing.
func BenchmarkWakeOneAsyncWaiter(b *testing.B) {
	addr := newWords(b, 1)
	deliver := func(Result) {}
	for b.Loop() {
		if _, r := WaitAsync(addr, 0, -1, deliver); r != WaitPending {
			b.Fatalf("WaitAsync = %v", r)
		}
		if n := Wake(addr, 1); n != 1 {
			b.Fatalf("Wake = %d", n)
		}
	}
}

// BenchmarkSemaphoreUncontended measures SemAcquire and SemRelease of one
// permit when no waiter is queued.
func BenchmarkSemaphoreUncontended(b *testing.B) {
	addr := newWords(b, 2)
	store(addr, 1)
	for b.Loop() {
		if r := SemAcquire(addr, 1, 100*time.Millisecond); r != WaitOK {
			b.Fatalf("SemAcquire = %v", r)
		}
		if err := SemRelease(addr, 1, 1); err != nil {
			b.Fatalf("SemRelease: %v", err)
		}
	}
}
