//go:build !linux

package atomics

import (
	"fmt"
	"runtime"
	"time"
)

// Supported returns nil on systems where this package can wait.
func Supported() error {
	return fmt.Errorf("atomics: waiting is implemented only on Linux, not on %s", runtime.GOOS)
}

func futexWait(word *uint32, val uint32, timeout time.Duration) bool { panic(Supported()) }

func futexWake(word *uint32, n int) { panic(Supported()) }

func currentThreadID() int { panic(Supported()) }
