//go:build !amd64

package atomics

import "sync/atomic"

var pauseSink atomic.Uint32

// pause spins for about cycles iterations. Only amd64 has an assembly
// version with the PAUSE instruction.
func pause(cycles uint32) {
	for range cycles {
		pauseSink.Load()
	}
}
