//go:build unix

package registry

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapMemory maps size bytes of zeroed, private, anonymous memory, rounded up
// to whole pages. A size of 0 still maps one page, so every segment has a
// valid, distinct address.
func mapMemory(size int) ([]byte, error) {
	pageSize := os.Getpagesize()
	length := (size + pageSize - 1) / pageSize * pageSize
	if length == 0 {
		length = pageSize
	}
	return unix.Mmap(-1, 0, length, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
}
