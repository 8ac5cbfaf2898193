package atomics

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestResultString(t *testing.T) {
	tests := []struct {
		result Result
		want   string
	}{
		{WaitOK, "ok"},
		{WaitNotEqual, "not-equal"},
		{WaitTimedOut, "timed-out"},
		{WaitInterrupted, "interrupted"},
		{WaitShutdown, "shutdown"},
		{WaitPending, "pending"},
		{0, "Result(0)"},
		{99, "Result(99)"},
	}
	for _, test := range tests {
		if got := test.result.String(); got != test.want {
			t.Errorf("Result(%d).String() = %q, want %q", int(test.result), got, test.want)
		}
	}
}

func TestWaitNotEqual(t *testing.T) {
	addr := newWords(t, 1)
	store(addr, 5)

	start := time.Now()
	if r := Wait(addr, 4, 10*time.Second); r != WaitNotEqual {
		t.Errorf("Wait = %v, want not-equal", r)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Wait on a differing value took %v, want an immediate return", elapsed)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d, want 0", n)
	}
}

func TestWaitSliceEnds(t *testing.T) {
	addr := newWords(t, 1)

	start := time.Now()
	r := Wait(addr, 0, 50*time.Millisecond)
	elapsed := time.Since(start)

	if r != WaitInterrupted {
		t.Errorf("Wait = %v, want interrupted", r)
	}
	if elapsed < 50*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("Wait with a 50ms slice returned after %v", elapsed)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d after the slice ended, want 0", n)
	}
}

func TestWaitZeroSlice(t *testing.T) {
	addr := newWords(t, 1)

	for _, slice := range []time.Duration{0, -time.Second} {
		if r := Wait(addr, 0, slice); r != WaitTimedOut {
			t.Errorf("Wait(slice %v) on an equal value = %v, want timed-out", slice, r)
		}
		if r := Wait(addr, 1, slice); r != WaitNotEqual {
			t.Errorf("Wait(slice %v) on a differing value = %v, want not-equal", slice, r)
		}
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d, want 0", n)
	}
}

func TestWakeWakesSyncWaiter(t *testing.T) {
	addr := newWords(t, 1)
	done := make(chan Result, 1)
	go func() { done <- Wait(addr, 0, 10*time.Second) }()
	eventually(t, 2*time.Second, "the waiter is queued", waitersEqual(addr, 1))

	store(addr, 1)
	if n := Wake(addr, 1); n != 1 {
		t.Errorf("Wake = %d, want 1", n)
	}
	if r := receive(t, done, 2*time.Second, "Wait to return"); r != WaitOK {
		t.Errorf("Wait = %v, want ok", r)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d, want 0", n)
	}
}

func TestWakeNoWaiters(t *testing.T) {
	addr := newWords(t, 1)
	if n := Wake(addr, 1); n != 0 {
		t.Errorf("Wake(1) = %d, want 0", n)
	}
	if n := Wake(addr, -1); n != 0 {
		t.Errorf("Wake(-1) = %d, want 0", n)
	}
}

// TestWakeOrderAcrossKinds checks that Wake serves synchronous and
// asynchronous waiters in the order they queued, and counts exactly.
func TestWakeOrderAcrossKinds(t *testing.T) {
	addr := newWords(t, 1)
	order := make(chan string, 4)

	queueAsync := func(name string) {
		_, r := WaitAsync(addr, 0, -1, func(r Result) {
			if r != WaitOK {
				t.Errorf("%s: delivered %v, want ok", name, r)
			}
			order <- name
		})
		if r != WaitPending {
			t.Fatalf("%s: WaitAsync = %v, want pending", name, r)
		}
	}
	queueSync := func(name string) {
		go func() {
			if r := Wait(addr, 0, 10*time.Second); r != WaitOK {
				t.Errorf("%s: Wait = %v, want ok", name, r)
			}
			order <- name
		}()
	}

	queueAsync("async 1")
	queueSync("sync 1")
	eventually(t, 2*time.Second, "2 waiters are queued", waitersEqual(addr, 2))
	queueAsync("async 2")
	queueSync("sync 2")
	eventually(t, 2*time.Second, "4 waiters are queued", waitersEqual(addr, 4))

	store(addr, 1)
	if n := Wake(addr, 1); n != 1 {
		t.Errorf("Wake(1) = %d, want 1", n)
	}
	if got := receive(t, order, 2*time.Second, "the first waiter"); got != "async 1" {
		t.Errorf("first woken: %s, want async 1", got)
	}

	if n := Wake(addr, 2); n != 2 {
		t.Errorf("Wake(2) = %d, want 2", n)
	}
	// The synchronous waiter may report after the asynchronous one that
	// was woken after it, so compare as a set.
	woken := map[string]bool{}
	woken[receive(t, order, 2*time.Second, "the second waiter")] = true
	woken[receive(t, order, 2*time.Second, "the third waiter")] = true
	if !woken["sync 1"] || !woken["async 2"] {
		t.Errorf("Wake(2) woke %v, want sync 1 and async 2", woken)
	}

	if n := Wake(addr, -1); n != 1 {
		t.Errorf("Wake(-1) = %d, want 1", n)
	}
	if got := receive(t, order, 2*time.Second, "the last waiter"); got != "sync 2" {
		t.Errorf("last woken: %s, want sync 2", got)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d, want 0", n)
	}
}

func TestWaitAsyncImmediateResults(t *testing.T) {
	addr := newWords(t, 1)
	deliver, results := resultChannel(1)

	if token, r := WaitAsync(addr, 1, -1, deliver); token != 0 || r != WaitNotEqual {
		t.Errorf("WaitAsync on a differing value = (%d, %v), want (0, not-equal)", token, r)
	}
	if token, r := WaitAsync(addr, 0, 0, deliver); token != 0 || r != WaitTimedOut {
		t.Errorf("WaitAsync with timeout 0 = (%d, %v), want (0, timed-out)", token, r)
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d, want 0", n)
	}
	expectNothing(t, results, 20*time.Millisecond, "delivery for an immediate result")
}

func TestWaitAsyncTimeout(t *testing.T) {
	addr := newWords(t, 1)
	deliver, results := resultChannel(1)

	start := time.Now()
	token, r := WaitAsync(addr, 0, 30*time.Millisecond, deliver)
	if r != WaitPending || token == 0 {
		t.Fatalf("WaitAsync = (%d, %v), want a token and pending", token, r)
	}
	if got := receive(t, results, 2*time.Second, "the timeout"); got != WaitTimedOut {
		t.Errorf("delivered %v, want timed-out", got)
	}
	if elapsed := time.Since(start); elapsed < 30*time.Millisecond {
		t.Errorf("timed out after %v, want at least 30ms", elapsed)
	}

	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d after the timeout, want 0", n)
	}
	if Cancel(token) {
		t.Errorf("Cancel after the timeout = true, want false")
	}
	store(addr, 1)
	if n := Wake(addr, -1); n != 0 {
		t.Errorf("Wake after the timeout = %d, want 0", n)
	}
	expectNothing(t, results, 20*time.Millisecond, "second delivery")
}

func TestCancelAsyncWaiter(t *testing.T) {
	addr := newWords(t, 1)
	deliver, results := resultChannel(1)

	token, r := WaitAsync(addr, 0, time.Hour, deliver)
	if r != WaitPending {
		t.Fatalf("WaitAsync = %v, want pending", r)
	}
	if !Cancel(token) {
		t.Fatalf("Cancel of a queued waiter = false, want true")
	}
	if Cancel(token) {
		t.Errorf("second Cancel = true, want false")
	}
	if n := Waiters(addr); n != 0 {
		t.Errorf("Waiters = %d after Cancel, want 0", n)
	}
	if n := Wake(addr, -1); n != 0 {
		t.Errorf("Wake after Cancel = %d, want 0", n)
	}
	expectNothing(t, results, 20*time.Millisecond, "delivery after Cancel")

	if Cancel(0) {
		t.Errorf("Cancel(0) = true, want false")
	}
	if Cancel(token + 1<<bucketBits) {
		t.Errorf("Cancel of a token never issued = true, want false")
	}
}

func TestCancelAfterWake(t *testing.T) {
	addr := newWords(t, 1)
	deliver, results := resultChannel(1)

	token, _ := WaitAsync(addr, 0, -1, deliver)
	store(addr, 1)
	Wake(addr, 1)
	if Cancel(token) {
		t.Errorf("Cancel after Wake = true, want false")
	}
	if r := receive(t, results, time.Second, "the wake-up"); r != WaitOK {
		t.Errorf("delivered %v, want ok", r)
	}
}

// TestDeliverMayCallPackage checks that deliver runs without any lock of
// this package held: it queues a new waiter and wakes it from inside deliver.
func TestDeliverMayCallPackage(t *testing.T) {
	addr := newWords(t, 1)
	inner, innerResults := resultChannel(1)
	outer := func(r Result) {
		if _, r := WaitAsync(addr, 1, -1, inner); r != WaitPending {
			t.Errorf("WaitAsync inside deliver = %v, want pending", r)
			return
		}
		store(addr, 2)
		if n := Wake(addr, 1); n != 1 {
			t.Errorf("Wake inside deliver = %d, want 1", n)
		}
	}

	WaitAsync(addr, 0, -1, outer)
	store(addr, 1)
	Wake(addr, 1)
	if r := receive(t, innerResults, 2*time.Second, "the inner waiter"); r != WaitOK {
		t.Errorf("inner waiter got %v, want ok", r)
	}
}

func TestWaitAsyncCreatesNoThreads(t *testing.T) {
	const waiters = 1000
	addr := newWords(t, 1)
	deliver, results := resultChannel(waiters)

	before := threadCount(t)
	for i := range waiters {
		if _, r := WaitAsync(addr, 0, time.Hour, deliver); r != WaitPending {
			t.Fatalf("WaitAsync %d = %v, want pending", i, r)
		}
	}
	if n := Waiters(addr); n != waiters {
		t.Fatalf("Waiters = %d, want %d", n, waiters)
	}
	after := threadCount(t)

	// Timers and queue entries use no threads. A few threads may still
	// start for unrelated runtime work, such as the garbage collector.
	if after > before+4 {
		t.Errorf("OS threads grew from %d to %d with %d pending asynchronous waits", before, after, waiters)
	}

	store(addr, 1)
	if n := Wake(addr, -1); n != waiters {
		t.Errorf("Wake(-1) = %d, want %d", n, waiters)
	}
	for range waiters {
		if r := receive(t, results, 2*time.Second, "a delivery"); r != WaitOK {
			t.Fatalf("delivered %v, want ok", r)
		}
	}
}

// TestWakeBeforeWaitRace races one waiter against one waker many times. The
// waker stores the new value and then wakes, as JavaScript does. Slices are
// long, so a lost wake-up would show as a stall, not as a late return.
func TestWakeBeforeWaitRace(t *testing.T) {
	const rounds = 3000
	seed := rand.Uint64()
	random := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)

	addr := newWords(t, 1)
	deliver, results := resultChannel(1)
	syncDone := make(chan Result, 1)

	for round := range int32(rounds) {
		async := random.IntN(2) == 0
		delay := random.IntN(200)

		if async {
			if _, r := WaitAsync(addr, round, -1, deliver); r != WaitPending {
				// The waker has not run yet, so the value is unchanged.
				t.Fatalf("round %d: WaitAsync = %v, want pending", round, r)
			}
		} else {
			go func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				syncDone <- Wait(addr, round, 10*time.Second)
			}()
		}

		// Wake from another goroutine after a random short delay, so it
		// lands before, during or after the synchronous waiter queues.
		go func() {
			for range delay {
				pause(10)
			}
			store(addr, round+1)
			Wake(addr, 1)
		}()

		var r Result
		if async {
			r = receive(t, results, 5*time.Second, "the asynchronous waiter")
		} else {
			r = receive(t, syncDone, 5*time.Second, "the synchronous waiter")
		}
		if r != WaitOK && r != WaitNotEqual {
			t.Fatalf("round %d: waiter returned %v, want ok or not-equal", round, r)
		}
		eventually(t, 2*time.Second, "the waker has run", func() bool { return load(addr) == round+1 })
	}
}

// TestNoLostWakeupsRing passes a turn around a ring of goroutines through
// one word, each waiting at random synchronously or asynchronously. A single
// lost wake-up stops the ring, and the watchdog reports the stall.
func TestNoLostWakeupsRing(t *testing.T) {
	const (
		goroutines = 4
		turns      = 2000
		stall      = 2 * time.Second
	)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	addr := newWords(t, 1)

	var wg sync.WaitGroup
	for id := range int32(goroutines) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()

			random := rand.New(rand.NewPCG(seed, uint64(id)))
			deliver, results := resultChannel(1)
			for {
				v := load(addr)
				if v >= turns {
					return
				}
				if v%goroutines == id {
					store(addr, v+1)
					Wake(addr, -1)
					continue
				}
				if random.IntN(2) == 0 {
					Wait(addr, v, 10*time.Second)
				} else if _, r := WaitAsync(addr, v, -1, deliver); r == WaitPending {
					<-results
				}
			}
		}()
	}

	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()

	last, lastChange := load(addr), time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-finished:
			if got := load(addr); got != turns {
				t.Errorf("word = %d at the end, want %d", got, turns)
			}
			return
		case <-ticker.C:
			if v := load(addr); v != last {
				last, lastChange = v, time.Now()
			} else if time.Since(lastChange) > stall {
				// Unblock the ring so the test ends, then report.
				store(addr, turns)
				Wake(addr, -1)
				t.Fatalf("the ring stalled at turn %d for %v: a wake-up was lost", v, stall)
			}
		}
	}
}

func TestWaitersCountsQueuedOnly(t *testing.T) {
	addr := newWords(t, 2)
	other := addr + 4
	deliver, _ := resultChannel(2)

	WaitAsync(addr, 0, -1, deliver)
	WaitAsync(other, 0, -1, deliver)
	if n := Waiters(addr); n != 1 {
		t.Errorf("Waiters(addr) = %d, want 1", n)
	}
	if n := Waiters(other); n != 1 {
		t.Errorf("Waiters(other) = %d, want 1", n)
	}
	if n := Wake(addr, -1); n != 1 {
		t.Errorf("Wake(addr) = %d, want 1", n)
	}
	if n := Waiters(other); n != 1 {
		t.Errorf("Waiters(other) = %d after waking addr, want 1", n)
	}
	Wake(other, -1)
}
