package atomics

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/experimental-threads/experimental-threads/registry"
)

func TestMutexLockUnlockFree(t *testing.T) {
	addr := newWords(t, 1)

	if r := MutexLock(addr, time.Second); r != WaitOK {
		t.Fatalf("MutexLock on a free mutex = %v, want ok", r)
	}
	if got := load(addr); got != mutexLocked {
		t.Errorf("word = %d after MutexLock, want %d", got, mutexLocked)
	}
	if err := MutexUnlock(addr); err != nil {
		t.Errorf("MutexUnlock: %v", err)
	}
	if got := load(addr); got != mutexUnlocked {
		t.Errorf("word = %d after MutexUnlock, want %d", got, mutexUnlocked)
	}
}

func TestMutexUnlockErrors(t *testing.T) {
	addr := newWords(t, 1)

	err := MutexUnlock(addr)
	if !errors.Is(err, ErrNotLocked) {
		t.Errorf("MutexUnlock of a free mutex = %v, want ErrNotLocked", err)
	}
	if err == nil || !strings.Contains(err.Error(), "unlock of unlocked mutex") {
		t.Errorf("error message %q does not contain %q", err, "unlock of unlocked mutex")
	}

	store(addr, 7)
	err = MutexUnlock(addr)
	if err == nil || !strings.Contains(err.Error(), "contained 7, which is not a mutex state") {
		t.Errorf("MutexUnlock of the value 7 = %v, want an error about the invalid state", err)
	}
	if got := load(addr); got != mutexUnlocked {
		t.Errorf("word = %d after unlocking an invalid state, want 0", got)
	}
}

func TestMutexLockSliceEndsKeepsPlace(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	addr := newWords(t, 1)
	store(addr, mutexLocked) // held by another thread

	start := time.Now()
	r := MutexLock(addr, 50*time.Millisecond)
	elapsed := time.Since(start)
	if r != WaitInterrupted {
		t.Fatalf("MutexLock on a held mutex = %v, want interrupted", r)
	}
	if elapsed < 50*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("MutexLock with a 50ms slice returned after %v", elapsed)
	}
	if got := load(addr); got != mutexContended {
		t.Errorf("word = %d while a waiter is queued, want %d", got, mutexContended)
	}
	if n := Waiters(addr); n != 1 {
		t.Errorf("Waiters = %d between slices, want 1 (the waiter keeps its place)", n)
	}

	// A final call with a zero slice gives the place up.
	if r := MutexLock(addr, 0); r != WaitTimedOut {
		t.Errorf("MutexLock with a zero slice = %v, want timed-out", r)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d after giving up, want 0", n)
	}
}

func TestMutexHandOffToDetachedWaiter(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	addr := newWords(t, 1)
	store(addr, mutexLocked)

	if r := MutexLock(addr, 10*time.Millisecond); r != WaitInterrupted {
		t.Fatalf("MutexLock = %v, want interrupted", r)
	}
	// The owner unlocks while this thread is between two slices: the mutex
	// is handed to this thread's waiter.
	jsUnlock(addr)
	if got := load(addr); got != mutexLocked {
		t.Errorf("word = %d after the hand-off, want %d", got, mutexLocked)
	}
	if r := MutexLock(addr, 0); r != WaitOK {
		t.Errorf("next MutexLock = %v, want ok (the mutex was handed over)", r)
	}
	jsUnlock(addr)
	if got := load(addr); got != mutexUnlocked {
		t.Errorf("word = %d after unlock, want 0", got)
	}
}

// TestMutexSyncWaiterKeepsFIFOAcrossSlices queues a synchronous waiter with
// short slices, then an asynchronous one. The synchronous waiter must get
// the mutex first although it left and re-entered Go many times.
func TestMutexSyncWaiterKeepsFIFOAcrossSlices(t *testing.T) {
	addr := newWords(t, 1)
	store(addr, mutexLocked)
	order := make(chan string, 2)

	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		lockSync(t, addr, 5*time.Millisecond)
		order <- "sync"
		jsUnlock(addr)
	}()
	eventually(t, 2*time.Second, "the synchronous waiter is queued", waitersEqual(addr, 1))
	time.Sleep(30 * time.Millisecond) // several slices

	token, r := MutexLockAsync(addr, -1, func(r Result) {
		if r != WaitOK {
			t.Errorf("asynchronous waiter got %v, want ok", r)
		}
		order <- "async"
		jsUnlock(addr)
	})
	if r != WaitPending || token == 0 {
		t.Fatalf("MutexLockAsync = (%d, %v), want a token and pending", token, r)
	}
	time.Sleep(30 * time.Millisecond)

	jsUnlock(addr)
	if first := receive(t, order, 2*time.Second, "the first owner"); first != "sync" {
		t.Errorf("first owner: %s, want sync", first)
	}
	if second := receive(t, order, 2*time.Second, "the second owner"); second != "async" {
		t.Errorf("second owner: %s, want async", second)
	}
	eventually(t, time.Second, "the mutex is free", func() bool { return load(addr) == mutexUnlocked })
}

// TestMutexLeaseReleasesAbandonedHandOff abandons a synchronous waiter
// between slices. The mutex handed to it must reach the next waiter when
// the lease ends.
func TestMutexLeaseReleasesAbandonedHandOff(t *testing.T) {
	addr := newWords(t, 1)
	store(addr, mutexLocked)

	abandoned := make(chan Result)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		abandoned <- MutexLock(addr, 10*time.Millisecond)
	}()
	if r := receive(t, abandoned, 2*time.Second, "the abandoned waiter"); r != WaitInterrupted {
		t.Fatalf("MutexLock = %v, want interrupted", r)
	}

	deliver, results := resultChannel(1)
	if _, r := MutexLockAsync(addr, -1, deliver); r != WaitPending {
		t.Fatalf("MutexLockAsync = %v, want pending", r)
	}

	start := time.Now()
	jsUnlock(addr) // handed to the abandoned waiter
	if r := receive(t, results, 2*time.Second, "the next waiter"); r != WaitOK {
		t.Fatalf("next waiter got %v, want ok", r)
	}
	if elapsed := time.Since(start); elapsed < detachedLease/2 {
		t.Errorf("next waiter got the mutex after %v, before the lease of %v could end", elapsed, detachedLease)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d, want 0", n)
	}
	jsUnlock(addr)
}

func TestMutexLockAsyncImmediate(t *testing.T) {
	addr := newWords(t, 1)
	deliver, results := resultChannel(1)

	if token, r := MutexLockAsync(addr, -1, deliver); token != 0 || r != WaitOK {
		t.Fatalf("MutexLockAsync on a free mutex = (%d, %v), want (0, ok)", token, r)
	}
	if token, r := MutexLockAsync(addr, 0, deliver); token != 0 || r != WaitTimedOut {
		t.Errorf("MutexLockAsync with timeout 0 on a held mutex = (%d, %v), want (0, timed-out)", token, r)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d, want 0", n)
	}
	expectNothing(t, results, 20*time.Millisecond, "delivery for an immediate result")
}

func TestMutexLockAsyncHandOff(t *testing.T) {
	addr := newWords(t, 1)
	store(addr, mutexLocked)
	first, firstResults := resultChannel(1)
	second, secondResults := resultChannel(1)

	MutexLockAsync(addr, -1, first)
	MutexLockAsync(addr, -1, second)
	if got := load(addr); got != mutexContended {
		t.Errorf("word = %d with 2 waiters, want %d", got, mutexContended)
	}

	if err := MutexUnlock(addr); err != nil {
		t.Fatalf("MutexUnlock: %v", err)
	}
	if r := receive(t, firstResults, time.Second, "the first waiter"); r != WaitOK {
		t.Errorf("first waiter got %v, want ok", r)
	}
	if got := load(addr); got != mutexContended {
		t.Errorf("word = %d after handing off to the first of 2 waiters, want %d", got, mutexContended)
	}
	expectNothing(t, secondResults, 20*time.Millisecond, "delivery to the second waiter while the first owns the mutex")

	if err := MutexUnlock(addr); err != nil {
		t.Fatalf("MutexUnlock: %v", err)
	}
	if r := receive(t, secondResults, time.Second, "the second waiter"); r != WaitOK {
		t.Errorf("second waiter got %v, want ok", r)
	}
	if got := load(addr); got != mutexLocked {
		t.Errorf("word = %d after handing off to the last waiter, want %d", got, mutexLocked)
	}

	jsUnlock(addr)
	if got := load(addr); got != mutexUnlocked {
		t.Errorf("word = %d at the end, want 0", got)
	}
}

// TestMutexHandOffAfterBarging lets a thread take the mutex between an
// unlock and its Wake. The queued waiter must stay first and get the mutex
// from the barging thread's unlock.
func TestMutexHandOffAfterBarging(t *testing.T) {
	addr := newWords(t, 1)
	store(addr, mutexLocked)
	deliver, results := resultChannel(1)
	MutexLockAsync(addr, -1, deliver)

	// The owner's unlock, split in two with a barging lock in between.
	if old := swapWord(addr, mutexUnlocked); old != mutexContended {
		t.Fatalf("unlock found %d, want %d", old, mutexContended)
	}
	if !jsLock(addr) {
		t.Fatalf("barging lock failed on a free mutex")
	}
	if n := Wake(addr, 1); n != 0 {
		t.Errorf("Wake while the barging thread owns the mutex = %d, want 0", n)
	}
	if got := load(addr); got != mutexContended {
		t.Errorf("word = %d after the failed hand-off, want %d", got, mutexContended)
	}
	if n := Waiters(addr); n != 1 {
		t.Errorf("Waiters = %d after the failed hand-off, want 1", n)
	}

	jsUnlock(addr)
	if r := receive(t, results, time.Second, "the queued waiter"); r != WaitOK {
		t.Errorf("queued waiter got %v, want ok", r)
	}
	jsUnlock(addr)
}

func TestMutexLockAsyncTimeout(t *testing.T) {
	addr := newWords(t, 1)
	store(addr, mutexLocked)
	deliver, results := resultChannel(1)

	MutexLockAsync(addr, 30*time.Millisecond, deliver)
	if r := receive(t, results, 2*time.Second, "the timeout"); r != WaitTimedOut {
		t.Fatalf("delivered %v, want timed-out", r)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d after the timeout, want 0", n)
	}
	if got := load(addr); got != mutexContended {
		t.Errorf("word = %d, want %d (the owner still holds it)", got, mutexContended)
	}

	jsUnlock(addr)
	if got := load(addr); got != mutexUnlocked {
		t.Errorf("word = %d after the owner's unlock, want 0 (nobody was handed the mutex)", got)
	}
	expectNothing(t, results, 20*time.Millisecond, "second delivery")
}

func TestMutexLockAsyncCancel(t *testing.T) {
	addr := newWords(t, 1)
	store(addr, mutexLocked)
	deliver, results := resultChannel(1)

	token, _ := MutexLockAsync(addr, -1, deliver)
	if !Cancel(token) {
		t.Fatalf("Cancel = false, want true")
	}
	jsUnlock(addr)
	if got := load(addr); got != mutexUnlocked {
		t.Errorf("word = %d after unlock, want 0 (the cancelled waiter must not get the mutex)", got)
	}
	expectNothing(t, results, 20*time.Millisecond, "delivery after Cancel")
}

// TestMutexLockAsyncCreatesNoThreads queues 1,000 asynchronous lockers,
// checks that no thread was started for them, then releases the mutex 1,000
// times and checks that they got it one at a time in FIFO order.
func TestMutexLockAsyncCreatesNoThreads(t *testing.T) {
	const waiters = 1000
	addr := newWords(t, 1)
	store(addr, mutexLocked)
	owners := make(chan int, waiters)

	before := threadCount(t)
	for i := range waiters {
		_, r := MutexLockAsync(addr, time.Hour, func(r Result) {
			if r != WaitOK {
				t.Errorf("waiter %d got %v, want ok", i, r)
			}
			owners <- i
		})
		if r != WaitPending {
			t.Fatalf("MutexLockAsync %d = %v, want pending", i, r)
		}
	}
	after := threadCount(t)
	if after > before+4 {
		t.Errorf("OS threads grew from %d to %d with %d pending MutexLockAsync", before, after, waiters)
	}
	if n := Waiters(addr); n != waiters {
		t.Fatalf("Waiters = %d, want %d", n, waiters)
	}

	for want := range waiters {
		jsUnlock(addr)
		if got := receive(t, owners, 2*time.Second, "the next owner"); got != want {
			t.Fatalf("owner %d got the mutex, want %d (FIFO)", got, want)
		}
	}
	jsUnlock(addr)
	if got := load(addr); got != mutexUnlocked {
		t.Errorf("word = %d at the end, want 0", got)
	}
}

// counterWords returns a non-atomic int64 counter in a registry segment.
// The mutex under test is the only thing that keeps increments from being
// lost; the race detector does not watch memory outside the Go heap.
func counterWords(t *testing.T) *int64 {
	id := fmt.Sprintf("atomics-test/%s/counter/%d", t.Name(), segmentSequence.Add(1))
	seg, _, err := registry.Define(id, "Counter", 8, nil, t.Name())
	if err != nil {
		t.Fatalf("registry.Define: %v", err)
	}
	return (*int64)(unsafe.Pointer(&registry.Bytes(seg)[0]))
}

type lockMode int

const (
	lockModeSync lockMode = iota
	lockModeAsync
	lockModeMixed
)

// runMutexStress has goroutines increment one non-atomic counter under the
// mutex, locking synchronously, asynchronously or either at random, and
// unlocking with the JavaScript protocol or MutexUnlock at random.
func runMutexStress(t *testing.T, mode lockMode, goroutines, increments int) {
	addr := newWords(t, 1)
	counter := counterWords(t)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)

	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()

			random := rand.New(rand.NewPCG(seed, uint64(g)))
			deliver, results := resultChannel(1)
			<-start
			for range increments {
				async := mode == lockModeAsync || mode == lockModeMixed && random.IntN(2) == 0
				if !async {
					lockSync(t, addr, 20*time.Millisecond)
				} else if _, r := MutexLockAsync(addr, -1, deliver); r == WaitPending {
					if r := <-results; r != WaitOK {
						t.Errorf("delivered %v, want ok", r)
						return
					}
				} else if r != WaitOK {
					t.Errorf("MutexLockAsync = %v, want ok or pending", r)
					return
				}

				// A read-modify-write with a pause inside, so that a second
				// owner would lose increments.
				v := *counter
				pause(uint32(random.IntN(20)))
				*counter = v + 1

				if random.IntN(2) == 0 {
					jsUnlock(addr)
				} else if err := MutexUnlock(addr); err != nil {
					t.Errorf("MutexUnlock: %v", err)
					return
				}
			}
		}()
	}
	close(start)
	waitGroupWithin(t, &wg, 20*time.Second)

	if want := int64(goroutines * increments); *counter != want {
		t.Errorf("counter = %d, want %d", *counter, want)
	}
	if got := load(addr); got != mutexUnlocked {
		t.Errorf("word = %d at the end, want 0", got)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d at the end, want 0", n)
	}
}

func TestMutexStressSync(t *testing.T)  { runMutexStress(t, lockModeSync, 4, 3000) }
func TestMutexStressAsync(t *testing.T) { runMutexStress(t, lockModeAsync, 4, 3000) }
func TestMutexStressMixed(t *testing.T) { runMutexStress(t, lockModeMixed, 6, 2000) }

// TestMutexStressNoSpin turns spinning off, so that nearly every contended
// lock queues and is handed the mutex by an unlock.
func TestMutexStressNoSpin(t *testing.T) {
	saved := mutexSpinDuration
	mutexSpinDuration = 0
	t.Cleanup(func() { mutexSpinDuration = saved })
	runMutexStress(t, lockModeMixed, 4, 2000)
}

func swapWord(addr uintptr, value int32) int32 {
	return atomic.SwapInt32(wordAt(addr), value)
}

// TestMutexStrandedQueueRecovers simulates a thread terminated between the
// exchange of its unlock and its call to Wake. The synchronous waiter's next
// slice must hand the mutex over, first to itself, then the rest of the
// queue must follow through normal unlocks.
func TestMutexStrandedQueueRecovers(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	addr := newWords(t, 1)
	store(addr, mutexLocked)

	if r := MutexLock(addr, 10*time.Millisecond); r != WaitInterrupted {
		t.Fatalf("MutexLock = %v, want interrupted", r)
	}
	deliver, results := resultChannel(1)
	MutexLockAsync(addr, -1, deliver)

	if old := swapWord(addr, mutexUnlocked); old != mutexContended {
		t.Fatalf("unlock found %d, want %d", old, mutexContended)
	}
	// No Wake: the unlocking thread is gone.

	if r := MutexLock(addr, 10*time.Millisecond); r != WaitOK {
		t.Fatalf("next MutexLock = %v, want ok (the free mutex is handed to the first waiter)", r)
	}
	if got := load(addr); got != mutexContended {
		t.Errorf("word = %d, want %d (the asynchronous waiter is still queued)", got, mutexContended)
	}
	expectNothing(t, results, 20*time.Millisecond, "delivery while the synchronous waiter owns the mutex")

	jsUnlock(addr)
	if r := receive(t, results, time.Second, "the asynchronous waiter"); r != WaitOK {
		t.Errorf("asynchronous waiter got %v, want ok", r)
	}
	jsUnlock(addr)
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d, want 0", n)
	}
}
