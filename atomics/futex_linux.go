package atomics

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Futex operations, from the Linux UAPI header linux/futex.h (x/sys/unix
// does not define them). The private flag declares that no other process maps
// the word, which makes waits and wakes cheaper.
const (
	futexWaitPrivate = 0 | 128 // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
	futexWakePrivate = 1 | 128 // FUTEX_WAKE | FUTEX_PRIVATE_FLAG
)

// Supported returns nil on systems where this package can wait.
func Supported() error { return nil }

// futexWait sleeps with FUTEX_WAIT_PRIVATE while *word == val, for at most
// timeout. It reports whether a signal interrupted the sleep (EINTR). Every
// other return (a wake-up, a spurious wake-up, *word != val at entry, the
// timeout) reports false, so callers check *word and the time themselves.
//
// The word must be a Go heap object's field that stays reachable for the
// whole call. Go's garbage collector does not move heap objects, so its
// address stays valid.
func futexWait(word *uint32, val uint32, timeout time.Duration) (interrupted bool) {
	ts := unix.NsecToTimespec(int64(timeout))
	_, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(word)),
		futexWaitPrivate, uintptr(val),
		uintptr(unsafe.Pointer(&ts)), 0, 0)
	switch errno {
	case 0, unix.EAGAIN, unix.ETIMEDOUT:
		return false
	case unix.EINTR:
		return true
	default:
		panic("atomics: futex wait failed: " + errno.Error())
	}
}

// futexWake wakes at most n threads sleeping in futexWait on word.
func futexWake(word *uint32, n int) {
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(word)),
		futexWakePrivate, uintptr(n), 0, 0, 0)
}

// currentThreadID returns the ID of the calling OS thread. Each JavaScript
// thread enters Go on its own OS thread, so the ID identifies the thread that
// a synchronous waiter belongs to.
func currentThreadID() int { return unix.Gettid() }
