package atomics

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/experimental-threads/experimental-threads/registry"
)

var segmentSequence atomic.Int64

// newWords returns the address of n zeroed int32 words in a new registry
// segment, the kind of memory the addon passes in.
func newWords(t testing.TB, n int) uintptr {
	t.Helper()
	id := fmt.Sprintf("atomics-test/%s/%d", t.Name(), segmentSequence.Add(1))
	seg, _, err := registry.Define(id, "Int32Array", 4*n, nil, t.Name())
	if err != nil {
		t.Fatalf("registry.Define: %v", err)
	}
	return seg.Addr
}

func load(addr uintptr) int32         { return atomic.LoadInt32(wordAt(addr)) }
func store(addr uintptr, value int32) { atomic.StoreInt32(wordAt(addr), value) }

// jsLock, jsUnlock, jsAcquire and jsRelease do what the JavaScript side does
// on its fast paths, following the protocols in mutex.go and semaphore.go.

func jsLock(addr uintptr) bool {
	return atomic.CompareAndSwapInt32(wordAt(addr), mutexUnlocked, mutexLocked)
}

func jsUnlock(addr uintptr) {
	if atomic.SwapInt32(wordAt(addr), mutexUnlocked) == mutexContended {
		Wake(addr, 1)
	}
}

func jsAcquire(addr uintptr, k int32) bool {
	for {
		if load(addr+4) != 0 {
			return false
		}
		p := load(addr)
		if p < k {
			return false
		}
		if atomic.CompareAndSwapInt32(wordAt(addr), p, p-k) {
			return true
		}
	}
}

func jsRelease(t testing.TB, addr uintptr, k, max int32) {
	for {
		p := load(addr)
		if p+k > max {
			t.Errorf("jsRelease: %d + %d permits exceed the maximum %d", p, k, max)
			return
		}
		if atomic.CompareAndSwapInt32(wordAt(addr), p, p+k) {
			break
		}
	}
	if load(addr+4) != 0 {
		if err := SemRelease(addr, 0, max); err != nil {
			t.Errorf("SemRelease(0): %v", err)
		}
	}
}

// lockSync and acquireSync loop as the JavaScript lockSync and acquireSync
// do, with no deadline. The caller must be locked to its OS thread.
func lockSync(t testing.TB, addr uintptr, slice time.Duration) {
	if jsLock(addr) {
		return
	}
	for {
		switch r := MutexLock(addr, slice); r {
		case WaitOK:
			return
		case WaitInterrupted:
		default:
			t.Errorf("MutexLock = %v, want ok or interrupted", r)
			return
		}
	}
}

func acquireSync(t testing.TB, addr uintptr, k int32, slice time.Duration) {
	if jsAcquire(addr, k) {
		return
	}
	for {
		switch r := SemAcquire(addr, k, slice); r {
		case WaitOK:
			return
		case WaitInterrupted:
		default:
			t.Errorf("SemAcquire = %v, want ok or interrupted", r)
			return
		}
	}
}

// eventually polls cond every millisecond and fails the test if it is still
// false after timeout.
func eventually(t testing.TB, timeout time.Duration, condition string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting until %s", timeout, condition)
		}
		time.Sleep(time.Millisecond)
	}
}

func waitersEqual(addr uintptr, n int) func() bool {
	return func() bool { return Waiters(addr) == n }
}

// waitGroupWithin waits for wg and fails the test if that takes longer
// than timeout.
func waitGroupWithin(t testing.TB, wg *sync.WaitGroup, timeout time.Duration) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	receive(t, done, timeout, "all goroutines to finish")
}

// receive returns the next value from ch, or fails the test after timeout.
func receive[T any](t testing.TB, ch <-chan T, timeout time.Duration, event string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(timeout):
		t.Fatalf("timed out after %v waiting for %s", timeout, event)
		var zero T
		return zero
	}
}

// expectNothing fails the test if ch delivers a value within d.
func expectNothing[T any](t testing.TB, ch <-chan T, d time.Duration, event string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %s: %v", event, v)
	case <-time.After(d):
	}
}

// resultChannel returns a deliver function that sends to the returned
// channel. The buffer means deliver never blocks.
func resultChannel(buffer int) (func(Result), chan Result) {
	ch := make(chan Result, buffer)
	return func(r Result) { ch <- r }, ch
}

// threadCount returns the number of OS threads of this process.
func threadCount(t testing.TB) int {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatalf("open /proc/self/status: %v", err)
	}
	defer f.Close()

	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if value, ok := strings.CutPrefix(scanner.Text(), "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil {
				t.Fatalf("parse %q: %v", scanner.Text(), err)
			}
			return n
		}
	}
	t.Fatalf("no Threads line in /proc/self/status")
	return 0
}
