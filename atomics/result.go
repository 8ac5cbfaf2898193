package atomics

import "strconv"

// Result is the outcome of a wait, a lock or an acquire.
type Result int

const (
	// WaitOK means the waiter was woken by Wake, or the mutex or the
	// permits were acquired.
	WaitOK Result = iota + 1

	// WaitNotEqual means the word did not contain the expected value when
	// the call started, so it did not wait.
	WaitNotEqual

	// WaitTimedOut means the timeout of an asynchronous wait elapsed, or a
	// call with a zero slice or timeout would have had to wait.
	WaitTimedOut

	// WaitInterrupted means a synchronous wait returned because its slice
	// ended or a signal interrupted the futex wait (EINTR). The caller
	// checks its own deadline and calls again.
	WaitInterrupted

	// WaitShutdown means Shutdown was called, so the process is exiting and
	// nothing waits any more.
	WaitShutdown

	// WaitPending is the immediate result of an asynchronous call that
	// queued a waiter: the outcome arrives later through its deliver
	// function.
	WaitPending
)

var resultNames = [...]string{
	WaitOK:          "ok",
	WaitNotEqual:    "not-equal",
	WaitTimedOut:    "timed-out",
	WaitInterrupted: "interrupted",
	WaitShutdown:    "shutdown",
	WaitPending:     "pending",
}

// String returns the name that the JavaScript side uses for r, such as "ok"
// or "timed-out".
func (r Result) String() string {
	if r > 0 && int(r) < len(resultNames) {
		return resultNames[r]
	}
	return "Result(" + strconv.Itoa(int(r)) + ")"
}
