package main

import (
	"math"
	"strings"
	"sync"
	"time"

	"github.com/experimental-threads/experimental-threads/atomics"
	"github.com/experimental-threads/experimental-threads/napi"
)

// maxSlice bounds one blocking wait inside Go. The shim loops until its own
// deadline, so a thread returns to JavaScript at least this often: Bun's
// worker.terminate() and Node.js's process.exit() both need that.
const maxSlice = 100 * time.Millisecond

// Kinds of asynchronous waits, which decide how an undeliverable result is
// undone.
const (
	waitPlain = iota
	waitMutex
	waitSemaphore
)

// pendingWait is an asynchronous wait started by one environment.
type pendingWait struct {
	env     uintptr
	kind    int
	addr    uintptr
	permits int32
	max     int32
	token   uint64 // the atomics token; set once the wait is queued
}

var (
	waitsMu    sync.Mutex
	waits      = map[uint64]*pendingWait{}
	lastTicket uint64
)

func newTicket(w *pendingWait) uint64 {
	waitsMu.Lock()
	defer waitsMu.Unlock()
	lastTicket++
	waits[lastTicket] = w
	return lastTicket
}

func takeWait(ticket uint64) *pendingWait {
	waitsMu.Lock()
	defer waitsMu.Unlock()
	w := waits[ticket]
	delete(waits, ticket)
	return w
}

// undo gives back what a result meant when no thread is left to receive it:
// a lock acquired or permits granted on behalf of a thread that has exited.
func undo(w *pendingWait, code int) {
	if atomics.Result(code) != atomics.WaitOK {
		return
	}
	switch w.kind {
	case waitMutex:
		_ = atomics.MutexUnlock(w.addr)
	case waitSemaphore:
		_ = atomics.SemRelease(w.addr, w.permits, w.max)
	}
}

// deliverer returns the callback atomics calls from a waking thread.
func deliverer(ticket uint64, w *pendingWait) func(atomics.Result) {
	return func(r atomics.Result) {
		if !napi.Send(w.env, ticket, int(r)) {
			if takeWait(ticket) != nil {
				undo(w, int(r))
			}
		}
	}
}

func receive(envID uintptr, ticket uint64, code int) bool {
	return takeWait(ticket) != nil
}

func drop(envID uintptr, ticket uint64, code int) {
	if w := takeWait(ticket); w != nil {
		undo(w, code)
	}
}

// cleanupEnv cancels the waits of an environment that is shutting down.
// Waits that cannot be cancelled have a result in flight, which drop or a
// failed Send undoes.
func cleanupEnv(envID uintptr) {
	waitsMu.Lock()
	var mine []uint64
	for ticket, w := range waits {
		if w.env == envID {
			mine = append(mine, ticket)
		}
	}
	waitsMu.Unlock()
	for _, ticket := range mine {
		waitsMu.Lock()
		w := waits[ticket]
		waitsMu.Unlock()
		if w != nil && atomics.Cancel(w.token) {
			takeWait(ticket)
		}
	}
}

// startAsync finishes an asynchronous wait begun by start: an immediate
// result is returned as -1-code, a queued wait as its positive ticket.
func startAsync(e napi.Env, w *pendingWait, start func(deliver func(atomics.Result)) (uint64, atomics.Result)) (napi.Value, error) {
	w.env = e.ID()
	// The record is published before the wait starts, because a wake on
	// another thread may deliver before start returns.
	ticket := newTicket(w)
	token, immediate := start(deliverer(ticket, w))
	if token == 0 {
		takeWait(ticket)
		return e.Int(-1 - int64(immediate)), nil
	}
	waitsMu.Lock()
	w.token = token
	waitsMu.Unlock()
	e.Hold()
	return e.Float(float64(ticket)), nil
}

func sliceArg(e napi.Env, v napi.Value) (time.Duration, error) {
	ms, err := e.GoFloat(v, "slice")
	if err != nil {
		return 0, err
	}
	d := time.Duration(ms * float64(time.Millisecond))
	if !(ms >= 0) || d > maxSlice {
		d = maxSlice
	}
	return d, nil
}

// timeoutArg reads a timeout in milliseconds; a negative number or Infinity
// means none.
func timeoutArg(e napi.Env, v napi.Value) (time.Duration, error) {
	ms, err := e.GoFloat(v, "timeout")
	if err != nil {
		return 0, err
	}
	if ms < 0 || math.IsInf(ms, 1) || ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		return -1, nil
	}
	if math.IsNaN(ms) {
		return 0, napi.RangeError("ERR_OUT_OF_RANGE", "timeout must be a number of milliseconds, got NaN")
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

func int32Arg(e napi.Env, v napi.Value, what string) (int32, error) {
	n, err := e.GoInt(v, what, math.MinInt32, math.MaxInt32)
	return int32(n), err
}

func permitsArg(e napi.Env, v napi.Value, what string) (int32, error) {
	n, err := e.GoInt(v, what, 1, math.MaxInt32)
	return int32(n), err
}

// wait(array, index, expected, sliceMs) blocks while array[index] == expected.
func wait(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	expected, err := int32Arg(e, c.Arg(2), "expected value")
	if err != nil {
		return napi.Value{}, err
	}
	slice, err := sliceArg(e, c.Arg(3))
	if err != nil {
		return napi.Value{}, err
	}
	return e.Int(int64(atomics.Wait(addr, expected, slice))), nil
}

// wake(array, index, count) wakes up to count waiters (all when count < 0).
func wake(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	count, err := e.GoInt(c.Arg(2), "count", -1, math.MaxInt32)
	if err != nil {
		return napi.Value{}, err
	}
	return e.Int(int64(atomics.Wake(addr, int(count)))), nil
}

// waitAsync(array, index, expected, timeoutMs) waits without blocking.
func waitAsync(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	expected, err := int32Arg(e, c.Arg(2), "expected value")
	if err != nil {
		return napi.Value{}, err
	}
	timeout, err := timeoutArg(e, c.Arg(3))
	if err != nil {
		return napi.Value{}, err
	}
	return startAsync(e, &pendingWait{kind: waitPlain, addr: addr}, func(deliver func(atomics.Result)) (uint64, atomics.Result) {
		return atomics.WaitAsync(addr, expected, timeout, deliver)
	})
}

// cancel(ticket) withdraws an asynchronous wait; false when its result is
// already on the way.
func cancel(c *napi.Call) (napi.Value, error) {
	e := c.Env
	ticket, err := e.GoInt(c.Arg(0), "ticket", 1, 1<<53)
	if err != nil {
		return napi.Value{}, err
	}
	waitsMu.Lock()
	w := waits[uint64(ticket)]
	waitsMu.Unlock()
	if w == nil || w.env != e.ID() || !atomics.Cancel(w.token) {
		return e.Bool(false), nil
	}
	takeWait(uint64(ticket))
	e.Release()
	return e.Bool(true), nil
}

func mutexLock(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	slice, err := sliceArg(e, c.Arg(2))
	if err != nil {
		return napi.Value{}, err
	}
	return e.Int(int64(atomics.MutexLock(addr, slice))), nil
}

func mutexLockAsync(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	timeout, err := timeoutArg(e, c.Arg(2))
	if err != nil {
		return napi.Value{}, err
	}
	return startAsync(e, &pendingWait{kind: waitMutex, addr: addr}, func(deliver func(atomics.Result)) (uint64, atomics.Result) {
		return atomics.MutexLockAsync(addr, timeout, deliver)
	})
}

func mutexUnlock(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	if err := atomics.MutexUnlock(addr); err != nil {
		return napi.Value{}, &napi.Error{Kind: "Error", Code: "ERR_THREADS_NOT_LOCKED", Message: err.Error()}
	}
	return e.Undefined(), nil
}

func semAcquire(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	k, err := permitsArg(e, c.Arg(2), "permits")
	if err != nil {
		return napi.Value{}, err
	}
	slice, err := sliceArg(e, c.Arg(3))
	if err != nil {
		return napi.Value{}, err
	}
	return e.Int(int64(atomics.SemAcquire(addr, k, slice))), nil
}

func semAcquireAsync(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	k, err := permitsArg(e, c.Arg(2), "permits")
	if err != nil {
		return napi.Value{}, err
	}
	timeout, err := timeoutArg(e, c.Arg(3))
	if err != nil {
		return napi.Value{}, err
	}
	max, err := permitsArg(e, c.Arg(4), "maximum permits")
	if err != nil {
		return napi.Value{}, err
	}
	return startAsync(e, &pendingWait{kind: waitSemaphore, addr: addr, permits: k, max: max}, func(deliver func(atomics.Result)) (uint64, atomics.Result) {
		return atomics.SemAcquireAsync(addr, k, timeout, deliver)
	})
}

func semRelease(c *napi.Call) (napi.Value, error) {
	e := c.Env
	addr, err := e.Int32Cell(c.Arg(0), c.Arg(1))
	if err != nil {
		return napi.Value{}, err
	}
	k, err := permitsArg(e, c.Arg(2), "permits")
	if err != nil {
		return napi.Value{}, err
	}
	max, err := permitsArg(e, c.Arg(3), "maximum permits")
	if err != nil {
		return napi.Value{}, err
	}
	if err := atomics.SemRelease(addr, k, max); err != nil {
		return napi.Value{}, napi.RangeError("ERR_THREADS_TOO_MANY_PERMITS", "Cannot release: %s", strings.TrimPrefix(err.Error(), "atomics: "))
	}
	return e.Undefined(), nil
}

// openChannel(handler, resendMs) sets the function that receives (ticket,
// code) for every asynchronous wait this thread starts. With resendMs above
// zero, the thread's event loop is woken again when a result stays
// undelivered for that many milliseconds (see napi.OpenChannel).
func openChannel(c *napi.Call) (napi.Value, error) {
	e := c.Env
	if t := e.TypeOf(c.Arg(0)); t != "function" {
		return napi.Value{}, napi.TypeError("ERR_INVALID_ARG_TYPE", "handler must be a function, got %s", t)
	}
	var resendAfter time.Duration
	if e.TypeOf(c.Arg(1)) != "undefined" {
		ms, err := e.GoFloat(c.Arg(1), "resendMs")
		if err != nil {
			return napi.Value{}, err
		}
		if !(ms >= 0 && ms <= 60_000) {
			return napi.Value{}, napi.RangeError("ERR_OUT_OF_RANGE", "resendMs must be from 0 to 60000 milliseconds, got %v", ms)
		}
		resendAfter = time.Duration(ms * float64(time.Millisecond))
	}
	if err := e.OpenChannel(c.Arg(0), resendAfter); err != nil {
		return napi.Value{}, err
	}
	return e.Undefined(), nil
}

// shutdown() wakes every waiter in the process; the main thread calls it on
// exit so no thread stays blocked in a futex wait.
func shutdown(c *napi.Call) (napi.Value, error) {
	atomics.Shutdown()
	return c.Env.Undefined(), nil
}
