package napi

import (
	"sync/atomic"
	"testing"
	"time"
)

// sendCounter replaces the channel in these tests: sendEmpty counts its calls and
// reports the channel open while open is true.
type sendCounter struct {
	calls atomic.Int32
	open  atomic.Bool
}

func newSendCounter() *sendCounter {
	k := &sendCounter{}
	k.open.Store(true)
	return k
}

func (k *sendCounter) sendEmpty() bool {
	k.calls.Add(1)
	return k.open.Load()
}

func queueOne(r *resender) {
	r.willQueue()
	r.queuedOne()
}

func isArmed(r *resender) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.armed
}

func TestResenderQuietWhenMessagesRun(t *testing.T) {
	k := newSendCounter()
	r := newResender(5*time.Millisecond, k.sendEmpty)
	defer r.stop()

	for range 3 {
		queueOne(r)
		r.ranOne()
	}
	time.Sleep(50 * time.Millisecond)

	if n := k.calls.Load(); n != 0 {
		t.Fatalf("sendEmpty was called %d times although every message ran", n)
	}
	if isArmed(r) {
		t.Fatal("the timer is still armed with no message unrun")
	}
}

func TestResenderSendsUntilTheMessageRuns(t *testing.T) {
	k := newSendCounter()
	r := newResender(5*time.Millisecond, k.sendEmpty)
	defer r.stop()

	queueOne(r)
	deadline := time.Now().Add(2 * time.Second)
	for k.calls.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("sendEmpty was not called within 2 s for a message left unrun")
		}
		time.Sleep(time.Millisecond)
	}

	r.ranOne()
	// The next check finds everything run and disarms the timer.
	deadline = time.Now().Add(2 * time.Second)
	for isArmed(r) {
		if time.Now().After(deadline) {
			t.Fatal("the timer stayed armed for 2 s after the message ran")
		}
		time.Sleep(time.Millisecond)
	}
	after := k.calls.Load()
	time.Sleep(50 * time.Millisecond)
	if n := k.calls.Load(); n != after {
		t.Fatalf("sendEmpty was called %d more times after the message ran", n-after)
	}
}

func TestResenderBacksOffOnABusyThread(t *testing.T) {
	k := newSendCounter()
	r := newResender(time.Millisecond, k.sendEmpty)
	defer r.stop()

	queueOne(r)
	time.Sleep(200 * time.Millisecond)

	// Delays of 1, 2, 4, ... ms fit about 8 calls into 200 ms, and a fixed
	// 1 ms delay would have made about 200.
	n := k.calls.Load()
	if n < 1 || n > 20 {
		t.Fatalf("sendEmpty was called %d times in 200 ms, expected from 1 to 20 with backoff", n)
	}
}

func TestResenderRestartsAfterProgress(t *testing.T) {
	k := newSendCounter()
	r := newResender(5*time.Millisecond, k.sendEmpty)
	defer r.stop()

	queueOne(r)
	queueOne(r)
	r.ranOne()
	// One message is still unrun, but one ran since the timer started, so
	// the first check, due at 5 ms, only restarts the timer. The second is
	// due at 10 ms at the earliest.
	time.Sleep(7 * time.Millisecond)
	if n := k.calls.Load(); n != 0 {
		t.Fatalf("sendEmpty was called %d times by the first check, which followed a message that ran", n)
	}

	deadline := time.Now().Add(2 * time.Second)
	for k.calls.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("sendEmpty was not called within 2 s for the message left unrun")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestResenderStopsWhenTheChannelCloses(t *testing.T) {
	k := newSendCounter()
	k.open.Store(false)
	r := newResender(time.Millisecond, k.sendEmpty)
	defer r.stop()

	queueOne(r)
	deadline := time.Now().Add(2 * time.Second)
	for k.calls.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("sendEmpty was not called within 2 s")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)

	if n := k.calls.Load(); n != 1 {
		t.Fatalf("sendEmpty was called %d times, expected 1: a closed channel ends the timer", n)
	}
	if isArmed(r) {
		t.Fatal("the timer is still armed after sendEmpty reported a closed channel")
	}
}

func TestResenderStop(t *testing.T) {
	k := newSendCounter()
	r := newResender(time.Millisecond, k.sendEmpty)

	queueOne(r)
	r.stop()
	queueOne(r)
	time.Sleep(20 * time.Millisecond)

	if n := k.calls.Load(); n != 0 {
		t.Fatalf("sendEmpty was called %d times after stop", n)
	}
}
