//go:build !unix

package registry

import (
	"fmt"
	"runtime"
)

func mapMemory(size int) ([]byte, error) {
	return nil, fmt.Errorf("shared memory segments are implemented only on Unix systems, not on %s", runtime.GOOS)
}
