// Package registry keeps the process-wide table of shared memory segments.
//
// Every JavaScript thread of the process (the main thread and each worker)
// calls into the same Go library, so one table here is seen by all of them.
// A segment is keyed by a string ID, normally the definition site of a
// Global: module URL, line, column and an ordinal for the n-th construction
// at that site. The first thread that defines an ID allocates the memory.
// Every later definition of the same ID gets the same memory, so all threads
// see one set of bytes.
//
// Segment memory comes from an anonymous mmap, so it is page aligned, lies
// outside the Go heap (the garbage collector neither moves nor frees it) and
// stays mapped until the process exits. JavaScript views and the futex waits
// in package atomics rely on its address never changing.
package registry

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// A Segment is one block of shared memory in the registry.
//
// Callers must treat the fields as read-only. The memory itself is shared
// by every thread and is read and written through Bytes or Addr.
type Segment struct {
	ID   string
	Kind string // caller's name for the contents, e.g. "SharedArrayBuffer" or "Mutex"
	Size int    // bytes requested at creation (the mapping is rounded up to whole pages, and is never empty)
	Addr uintptr

	// DefinedAt is the caller's description of the creating definition,
	// for example "file:///a.mjs:3:15 (thread 2)". It appears in errors.
	DefinedAt string

	mapping []byte // the whole mmap'd region, which Bytes slices
}

// MismatchError is returned by Define when the ID already exists with
// another kind or size.
type MismatchError struct {
	Existing *Segment

	// The rejected definition.
	Kind      string
	Size      int
	DefinedAt string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("registry: segment %q is already defined as %s of %d bytes at %s, "+
		"but a second definition requests %s of %d bytes at %s. "+
		"Every definition of one ID must have the same kind and size, "+
		"so pass a value of the same type and length at this site in every thread",
		e.Existing.ID, e.Existing.Kind, e.Existing.Size, e.Existing.DefinedAt,
		e.Kind, e.Size, e.DefinedAt)
}

var (
	mu       sync.RWMutex
	segments = map[string]*Segment{}
)

// Define returns the segment for id, creating it if it does not exist yet.
//
// On creation, Define maps size bytes of zeroed memory, copies init to the
// start of it and returns the new segment with created set to true. If the
// segment exists with the same kind and size, Define returns it with created
// set to false and ignores init and definedAt. Concurrent calls for one id
// from any number of threads create exactly one segment.
//
// Define returns a *MismatchError, naming both definitions, if id exists with
// another kind or size. It also fails on an empty id, a negative size, an
// init longer than size, and when the memory cannot be mapped. On failure
// the table is unchanged.
func Define(id, kind string, size int, init []byte, definedAt string) (seg *Segment, created bool, err error) {
	if id == "" {
		return nil, false, errors.New("registry: empty segment ID (pass the definition site as the ID)")
	}
	if size < 0 || size > maxSize {
		return nil, false, fmt.Errorf("registry: invalid size %d bytes for segment %q (the size must be between 0 and %d)", size, id, maxSize)
	}
	if len(init) > size {
		return nil, false, fmt.Errorf("registry: initial contents of %d bytes do not fit in segment %q of %d bytes", len(init), id, size)
	}

	if seg, ok := Lookup(id); ok {
		return checkMatch(seg, kind, size, definedAt)
	}

	mu.Lock()
	defer mu.Unlock()

	// Another thread may have created the segment between Lookup and Lock.
	if seg, ok := segments[id]; ok {
		return checkMatch(seg, kind, size, definedAt)
	}

	mapping, err := mapMemory(size)
	if err != nil {
		return nil, false, fmt.Errorf("registry: mmap of %d bytes for segment %q failed: %w", size, id, err)
	}
	copy(mapping, init)

	seg = &Segment{
		ID:        id,
		Kind:      kind,
		Size:      size,
		Addr:      uintptr(unsafe.Pointer(&mapping[0])),
		DefinedAt: definedAt,
		mapping:   mapping,
	}
	segments[id] = seg
	return seg, true, nil
}

// maxSize is the largest segment size that Define accepts. It leaves room to
// round the size up to whole pages without overflowing an int.
const maxSize = math.MaxInt - 1<<20

func checkMatch(seg *Segment, kind string, size int, definedAt string) (*Segment, bool, error) {
	if seg.Kind != kind || seg.Size != size {
		return nil, false, &MismatchError{Existing: seg, Kind: kind, Size: size, DefinedAt: definedAt}
	}
	return seg, false, nil
}

// Lookup returns the segment for id and true, or nil and false if no
// definition of id has run yet.
func Lookup(id string) (*Segment, bool) {
	mu.RLock()
	seg, ok := segments[id]
	mu.RUnlock()
	return seg, ok
}

// Bytes returns the segment's memory: Size bytes starting at Addr. The slice
// has no spare capacity, so append never writes past the segment. Other
// threads may change the bytes at any time, so concurrent readers and writers
// must use atomic operations or a lock.
func Bytes(seg *Segment) []byte {
	return seg.mapping[:seg.Size:seg.Size]
}
