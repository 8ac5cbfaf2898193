package atomics

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newSemaphore returns the address of a semaphore's two words with the
// given number of permits available.
func newSemaphore(t *testing.T, permits int32) uintptr {
	addr := newWords(t, 2)
	store(addr, permits)
	return addr
}

func checkSemaphore(t *testing.T, addr uintptr, permits, waiters int32) {
	t.Helper()
	if got := load(addr); got != permits {
		t.Errorf("available permits = %d, want %d", got, permits)
	}
	if got := load(addr + 4); got != waiters {
		t.Errorf("waiter word = %d, want %d", got, waiters)
	}
	if got := Waiters(addr); got != int(waiters) {
		t.Errorf("Waiters = %d, want %d", got, waiters)
	}
}

func TestSemAcquireAndRelease(t *testing.T) {
	addr := newSemaphore(t, 3)

	if r := SemAcquire(addr, 2, time.Second); r != WaitOK {
		t.Fatalf("SemAcquire(2) = %v, want ok", r)
	}
	checkSemaphore(t, addr, 1, 0)

	if r := SemAcquire(addr, 0, time.Second); r != WaitOK {
		t.Errorf("SemAcquire(0) = %v, want ok", r)
	}
	if err := SemRelease(addr, 2, 3); err != nil {
		t.Fatalf("SemRelease(2): %v", err)
	}
	checkSemaphore(t, addr, 3, 0)
}

func TestSemReleaseErrors(t *testing.T) {
	addr := newSemaphore(t, 3)

	err := SemRelease(addr, 1, 3)
	want := "atomics: release of 1 permits would exceed the maximum of 3, because 3 are available already. " +
		"A permit was released twice, or released without being acquired"
	if err == nil || err.Error() != want {
		t.Errorf("SemRelease over the maximum:\n got: %v\nwant: %s", err, want)
	}
	var releaseErr *ReleaseError
	if !errors.As(err, &releaseErr) {
		t.Fatalf("error is %T, want *ReleaseError", err)
	}
	if *releaseErr != (ReleaseError{Permits: 1, Max: 3, Available: 3}) {
		t.Errorf("ReleaseError = %+v, want {Permits:1 Max:3 Available:3}", *releaseErr)
	}
	checkSemaphore(t, addr, 3, 0)

	err = SemRelease(addr, -1, 3)
	if err == nil || err.Error() != "atomics: invalid permit count -1 for a release (the count must be 0 or more)" {
		t.Errorf("SemRelease(-1) = %v, want an invalid permit count error", err)
	}
	checkSemaphore(t, addr, 3, 0)
}

func TestSemAcquireNegativePanics(t *testing.T) {
	addr := newSemaphore(t, 1)
	defer func() {
		if recover() == nil {
			t.Errorf("SemAcquire(-1) did not panic")
		}
	}()
	SemAcquire(addr, -1, time.Second)
}

func TestSemAcquireZeroSlice(t *testing.T) {
	addr := newSemaphore(t, 1)

	if r := SemAcquire(addr, 2, 0); r != WaitTimedOut {
		t.Errorf("SemAcquire(2) with a zero slice = %v, want timed-out", r)
	}
	checkSemaphore(t, addr, 1, 0)
	if r := SemAcquire(addr, 1, 0); r != WaitOK {
		t.Errorf("SemAcquire(1) with a zero slice and 1 permit free = %v, want ok", r)
	}
	checkSemaphore(t, addr, 0, 0)
}

func TestSemAcquireAsyncImmediate(t *testing.T) {
	addr := newSemaphore(t, 2)
	deliver, results := resultChannel(1)

	if token, r := SemAcquireAsync(addr, 2, -1, deliver); token != 0 || r != WaitOK {
		t.Errorf("SemAcquireAsync with enough permits = (%d, %v), want (0, ok)", token, r)
	}
	if token, r := SemAcquireAsync(addr, 1, 0, deliver); token != 0 || r != WaitTimedOut {
		t.Errorf("SemAcquireAsync with timeout 0 = (%d, %v), want (0, timed-out)", token, r)
	}
	checkSemaphore(t, addr, 0, 0)
	expectNothing(t, results, 20*time.Millisecond, "delivery for an immediate result")
}

func TestSemReleaseGrantsAsyncWaiter(t *testing.T) {
	addr := newSemaphore(t, 0)
	deliver, results := resultChannel(1)

	token, r := SemAcquireAsync(addr, 2, -1, deliver)
	if r != WaitPending || token == 0 {
		t.Fatalf("SemAcquireAsync = (%d, %v), want a token and pending", token, r)
	}
	checkSemaphore(t, addr, 0, 1)

	if err := SemRelease(addr, 1, 4); err != nil {
		t.Fatalf("SemRelease(1): %v", err)
	}
	expectNothing(t, results, 20*time.Millisecond, "delivery with 1 of 2 permits")
	checkSemaphore(t, addr, 1, 1)

	jsRelease(t, addr, 1, 4)
	if r := receive(t, results, time.Second, "the grant"); r != WaitOK {
		t.Errorf("delivered %v, want ok", r)
	}
	checkSemaphore(t, addr, 0, 0)
	if Cancel(token) {
		t.Errorf("Cancel after the grant = true, want false")
	}
}

func TestSemAcquireAsyncTimeout(t *testing.T) {
	addr := newSemaphore(t, 0)
	deliver, results := resultChannel(1)

	SemAcquireAsync(addr, 1, 30*time.Millisecond, deliver)
	if r := receive(t, results, 2*time.Second, "the timeout"); r != WaitTimedOut {
		t.Errorf("delivered %v, want timed-out", r)
	}
	checkSemaphore(t, addr, 0, 0)

	jsRelease(t, addr, 1, 1)
	checkSemaphore(t, addr, 1, 0)
	expectNothing(t, results, 20*time.Millisecond, "delivery after the timeout")
}

// TestSemStrictFIFO queues a request for all permits, then small requests
// that would fit in the free permits. The small ones must wait behind it.
func TestSemStrictFIFO(t *testing.T) {
	addr := newSemaphore(t, 4)
	order := make(chan string, 5)

	if !jsAcquire(addr, 1) {
		t.Fatalf("fast acquire of 1 of 4 free permits failed")
	}
	checkSemaphore(t, addr, 3, 0)

	_, r := SemAcquireAsync(addr, 4, -1, func(r Result) { order <- "big" })
	if r != WaitPending {
		t.Fatalf("SemAcquireAsync(4) = %v, want pending", r)
	}
	checkSemaphore(t, addr, 3, 1)

	if jsAcquire(addr, 1) {
		t.Fatalf("fast acquire succeeded although a waiter is queued")
	}
	for _, name := range []string{"small 1", "small 2"} {
		if _, r := SemAcquireAsync(addr, 1, -1, func(r Result) { order <- name }); r != WaitPending {
			t.Fatalf("%s: SemAcquireAsync(1) = %v, want pending (strict FIFO)", name, r)
		}
	}
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		acquireSync(t, addr, 1, 10*time.Millisecond)
		order <- "small 3"
	}()
	eventually(t, 2*time.Second, "4 waiters are queued", waitersEqual(addr, 4))
	expectNothing(t, order, 30*time.Millisecond, "grant while the first waiter cannot be served")
	checkSemaphore(t, addr, 3, 4)

	jsRelease(t, addr, 1, 4)
	if got := receive(t, order, time.Second, "the big request"); got != "big" {
		t.Fatalf("first served: %s, want big", got)
	}
	checkSemaphore(t, addr, 0, 3)

	jsRelease(t, addr, 4, 4)
	for _, want := range []string{"small 1", "small 2", "small 3"} {
		if got := receive(t, order, time.Second, want); got != want {
			t.Errorf("served %s, want %s", got, want)
		}
	}
	eventually(t, time.Second, "all waiters are served", waitersEqual(addr, 0))
	checkSemaphore(t, addr, 1, 0)
}

// TestSemLargeRequestNotStarved runs a stream of 1-permit acquirers that
// keep the semaphore busy, then requests all permits. The large request
// must be served within a bounded time.
func TestSemLargeRequestNotStarved(t *testing.T) {
	const (
		maxPermits = 4
		workers    = 4
	)
	addr := newSemaphore(t, maxPermits)

	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		granted atomic.Int64
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for !stop.Load() {
				acquireSync(t, addr, 1, 20*time.Millisecond)
				granted.Add(1)
				pause(200)
				jsRelease(t, addr, 1, maxPermits)
			}
		}()
	}
	eventually(t, 2*time.Second, "the small requests are running", func() bool { return granted.Load() > 100 })

	deliver, results := resultChannel(1)
	start := time.Now()
	_, r := SemAcquireAsync(addr, maxPermits, -1, deliver)
	if r == WaitPending {
		r = receive(t, results, 5*time.Second, "the large request")
	}
	if r != WaitOK {
		t.Errorf("large request got %v, want ok", r)
	}
	t.Logf("large request served after %v", time.Since(start))

	grantedBefore := granted.Load()
	time.Sleep(10 * time.Millisecond)
	if g := granted.Load(); g != grantedBefore {
		t.Errorf("%d small requests were served while the large one held every permit", g-grantedBefore)
	}
	jsRelease(t, addr, maxPermits, maxPermits)

	stop.Store(true)
	waitGroupWithin(t, &wg, 5*time.Second)
	checkSemaphore(t, addr, maxPermits, 0)
}

// TestSemNeverExceedsPermits has goroutines acquire random numbers of
// permits in every way the JavaScript side can, and measures how many
// permits are in use at once.
func TestSemNeverExceedsPermits(t *testing.T) {
	const (
		maxPermits = 3
		goroutines = 6
		iterations = 600
	)
	addr := newSemaphore(t, maxPermits)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)

	var (
		inUse, maxInUse atomic.Int32
		wg              sync.WaitGroup
		start           = make(chan struct{})
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
			for range iterations {
				k := int32(1 + random.IntN(maxPermits))
				if random.IntN(2) == 0 {
					acquireSync(t, addr, k, 5*time.Millisecond)
				} else if !jsAcquire(addr, k) {
					_, r := SemAcquireAsync(addr, k, -1, deliver)
					if r == WaitPending {
						r = <-results
					}
					if r != WaitOK {
						t.Errorf("acquire of %d permits: %v, want ok", k, r)
						return
					}
				}

				now := inUse.Add(k)
				for {
					old := maxInUse.Load()
					if now <= old || maxInUse.CompareAndSwap(old, now) {
						break
					}
				}
				pause(uint32(random.IntN(100)))
				inUse.Add(-k)

				if random.IntN(2) == 0 {
					jsRelease(t, addr, k, maxPermits)
				} else if err := SemRelease(addr, k, maxPermits); err != nil {
					t.Errorf("SemRelease(%d): %v", k, err)
					return
				}
			}
		}()
	}
	close(start)
	waitGroupWithin(t, &wg, 20*time.Second)

	t.Logf("at most %d of %d permits were in use at once", maxInUse.Load(), maxPermits)
	if got := maxInUse.Load(); got > maxPermits {
		t.Errorf("%d permits were in use at once, want at most %d", got, maxPermits)
	}
	checkSemaphore(t, addr, maxPermits, 0)
}

// TestSemRemovingFirstWaiterGrantsNext removes a first waiter that cannot
// be served, by timeout and by Cancel. A smaller request behind it that fits
// in the free permits must be served at once.
func TestSemRemovingFirstWaiterGrantsNext(t *testing.T) {
	for _, removal := range []string{"timeout", "cancel"} {
		t.Run(removal, func(t *testing.T) {
			addr := newSemaphore(t, 2)
			deliverBig, bigResults := resultChannel(1)
			deliverSmall, smallResults := resultChannel(1)

			timeout := time.Duration(-1)
			if removal == "timeout" {
				timeout = 30 * time.Millisecond
			}
			token, _ := SemAcquireAsync(addr, 3, timeout, deliverBig)
			SemAcquireAsync(addr, 1, -1, deliverSmall)
			checkSemaphore(t, addr, 2, 2)

			if removal == "cancel" {
				if !Cancel(token) {
					t.Fatalf("Cancel = false, want true")
				}
			} else if r := receive(t, bigResults, 2*time.Second, "the timeout"); r != WaitTimedOut {
				t.Fatalf("first waiter got %v, want timed-out", r)
			}

			if r := receive(t, smallResults, time.Second, "the second waiter"); r != WaitOK {
				t.Errorf("second waiter got %v, want ok", r)
			}
			checkSemaphore(t, addr, 1, 0)
			expectNothing(t, bigResults, 20*time.Millisecond, "delivery to the removed waiter")
		})
	}
}

// TestSemSyncWaiterKeepsPlace queues a synchronous request for 2 permits
// with short slices, then an asynchronous request for 1. Releasing 1 permit
// must not serve the second request.
func TestSemSyncWaiterKeepsPlace(t *testing.T) {
	addr := newSemaphore(t, 0)
	order := make(chan string, 2)

	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		acquireSync(t, addr, 2, 5*time.Millisecond)
		order <- "sync"
	}()
	eventually(t, 2*time.Second, "the synchronous waiter is queued", waitersEqual(addr, 1))
	time.Sleep(20 * time.Millisecond)

	SemAcquireAsync(addr, 1, -1, func(Result) { order <- "async" })
	time.Sleep(20 * time.Millisecond)

	jsRelease(t, addr, 1, 3)
	expectNothing(t, order, 30*time.Millisecond, "a grant that skips the first waiter")
	checkSemaphore(t, addr, 1, 2)

	jsRelease(t, addr, 1, 3)
	if got := receive(t, order, time.Second, "the first grant"); got != "sync" {
		t.Fatalf("served %s first, want sync", got)
	}
	expectNothing(t, order, 30*time.Millisecond, "a grant without free permits")
	checkSemaphore(t, addr, 0, 1)

	jsRelease(t, addr, 1, 3)
	if got := receive(t, order, time.Second, "the second grant"); got != "async" {
		t.Errorf("served %s second, want async", got)
	}
	checkSemaphore(t, addr, 0, 0)
}

// TestSemLeaseReturnsAbandonedGrant abandons a synchronous waiter between
// slices. Permits granted to it must return to the semaphore when the lease
// ends.
func TestSemLeaseReturnsAbandonedGrant(t *testing.T) {
	addr := newSemaphore(t, 0)

	abandoned := make(chan Result)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		abandoned <- SemAcquire(addr, 2, 10*time.Millisecond)
	}()
	if r := receive(t, abandoned, 2*time.Second, "the abandoned waiter"); r != WaitInterrupted {
		t.Fatalf("SemAcquire = %v, want interrupted", r)
	}
	checkSemaphore(t, addr, 0, 1)

	jsRelease(t, addr, 2, 2)
	checkSemaphore(t, addr, 0, 0) // granted to the abandoned waiter

	eventually(t, 2*time.Second, "the permits return", func() bool { return load(addr) == 2 })
	checkSemaphore(t, addr, 2, 0)
}

// TestSemChangedRequestDropsOldWaiter lets a thread abandon a request for 2
// permits between slices and ask for 1. The old request must leave the
// queue.
func TestSemChangedRequestDropsOldWaiter(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	addr := newSemaphore(t, 1)
	if !jsAcquire(addr, 1) {
		t.Fatalf("fast acquire failed")
	}

	if r := SemAcquire(addr, 2, 10*time.Millisecond); r != WaitInterrupted {
		t.Fatalf("SemAcquire(2) = %v, want interrupted", r)
	}
	checkSemaphore(t, addr, 0, 1)

	if r := SemAcquire(addr, 1, 10*time.Millisecond); r != WaitInterrupted {
		t.Fatalf("SemAcquire(1) = %v, want interrupted", r)
	}
	checkSemaphore(t, addr, 0, 1)

	jsRelease(t, addr, 1, 2)
	if r := SemAcquire(addr, 1, 0); r != WaitOK {
		t.Errorf("SemAcquire(1) after the release = %v, want ok", r)
	}
	checkSemaphore(t, addr, 0, 0)
}

// TestSemFastReleaseRace races one JavaScript-style release against one
// waiter many times. The release adds the permit and calls Go only if it
// finds a waiter. The waiter must always get the permit.
func TestSemFastReleaseRace(t *testing.T) {
	const rounds = 2000
	seed := rand.Uint64()
	random := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)

	addr := newSemaphore(t, 0)
	deliver, results := resultChannel(1)
	syncDone := make(chan Result, 1)

	for round := range rounds {
		async := random.IntN(2) == 0
		delay := random.IntN(200)

		released := make(chan struct{})
		go func() {
			for range delay {
				pause(10)
			}
			jsRelease(t, addr, 1, 1)
			close(released)
		}()

		var r Result
		if async {
			_, r = SemAcquireAsync(addr, 1, -1, deliver)
			if r == WaitPending {
				r = receive(t, results, 5*time.Second, "the asynchronous waiter")
			}
		} else {
			go func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				syncDone <- SemAcquire(addr, 1, 10*time.Second)
			}()
			r = receive(t, syncDone, 5*time.Second, "the synchronous waiter")
		}
		if r != WaitOK {
			t.Fatalf("round %d: acquire = %v, want ok", round, r)
		}
		<-released
		checkSemaphore(t, addr, 0, 0)
	}
}

// TestSemStrandedQueueRecovers simulates a thread terminated between the
// compare-exchange of its release and its call to SemRelease. The next
// waiter that comes to Go, synchronous or asynchronous, must hand the
// permits to the queue.
func TestSemStrandedQueueRecovers(t *testing.T) {
	t.Run("sync waiter returns", func(t *testing.T) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		addr := newSemaphore(t, 0)

		if r := SemAcquire(addr, 1, 10*time.Millisecond); r != WaitInterrupted {
			t.Fatalf("SemAcquire = %v, want interrupted", r)
		}
		store(addr, 1) // a release without its call to Go

		if r := SemAcquire(addr, 1, 10*time.Millisecond); r != WaitOK {
			t.Errorf("next SemAcquire = %v, want ok", r)
		}
		checkSemaphore(t, addr, 0, 0)
	})

	t.Run("async waiter arrives", func(t *testing.T) {
		addr := newSemaphore(t, 0)
		first, firstResults := resultChannel(1)
		second, secondResults := resultChannel(1)

		SemAcquireAsync(addr, 1, -1, first)
		store(addr, 1) // a release without its call to Go

		if _, r := SemAcquireAsync(addr, 1, -1, second); r != WaitPending {
			t.Errorf("second SemAcquireAsync = %v, want pending", r)
		}
		if r := receive(t, firstResults, time.Second, "the first waiter"); r != WaitOK {
			t.Errorf("first waiter got %v, want ok", r)
		}
		checkSemaphore(t, addr, 0, 1)

		jsRelease(t, addr, 1, 2)
		if r := receive(t, secondResults, time.Second, "the second waiter"); r != WaitOK {
			t.Errorf("second waiter got %v, want ok", r)
		}
		checkSemaphore(t, addr, 0, 0)
	})
}
