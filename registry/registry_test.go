package registry

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

// The registry is one table for the whole test binary, and tests may run
// more than once (go test -count), so every test makes its IDs with
// uniqueID.
var idSequence atomic.Int64

func uniqueID(t *testing.T) string {
	return fmt.Sprintf("%s#%d", t.Name(), idSequence.Add(1))
}

func TestDefineCreatesSegment(t *testing.T) {
	id := uniqueID(t)
	init := []byte{1, 2, 3}

	seg, created, err := Define(id, "SharedArrayBuffer", 16, init, "file:///a.mjs:3:15 (thread 1)")
	if err != nil {
		t.Fatalf("Define: %v", err)
	}
	if !created {
		t.Errorf("created = false for a new ID, want true")
	}
	if seg.ID != id || seg.Kind != "SharedArrayBuffer" || seg.Size != 16 || seg.DefinedAt != "file:///a.mjs:3:15 (thread 1)" {
		t.Errorf("segment = %+v, want the ID, kind, size and definition site passed to Define", seg)
	}

	want := []byte{1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if got := Bytes(seg); !bytes.Equal(got, want) {
		t.Errorf("Bytes = %v, want %v", got, want)
	}

	init[0] = 99
	if got := Bytes(seg)[0]; got != 1 {
		t.Errorf("Bytes[0] = %d after changing the init slice, want 1 (Define must copy init)", got)
	}
}

func TestDefineReturnsExisting(t *testing.T) {
	id := uniqueID(t)
	first, _, err := Define(id, "Mutex", 4, nil, "first")
	if err != nil {
		t.Fatalf("first Define: %v", err)
	}
	Bytes(first)[0] = 7

	second, created, err := Define(id, "Mutex", 4, []byte{1, 1, 1, 1}, "second")
	if err != nil {
		t.Fatalf("second Define: %v", err)
	}
	if created {
		t.Errorf("created = true for an existing ID, want false")
	}
	if second != first {
		t.Errorf("second Define returned another segment (Addr %#x, want %#x)", second.Addr, first.Addr)
	}
	if got := Bytes(second); !bytes.Equal(got, []byte{7, 0, 0, 0}) {
		t.Errorf("Bytes = %v, want [7 0 0 0] (a later init must be ignored)", got)
	}
	if second.DefinedAt != "first" {
		t.Errorf("DefinedAt = %q, want %q (the creating definition)", second.DefinedAt, "first")
	}
}

func TestDefineAlignment(t *testing.T) {
	pageSize := uintptr(os.Getpagesize())
	for _, size := range []int{0, 1, 4, 8, 4095, 4096, 4097, 1 << 20} {
		seg, _, err := Define(fmt.Sprintf("%s/%d", uniqueID(t), size), "SharedArrayBuffer", size, nil, "")
		if err != nil {
			t.Fatalf("Define of %d bytes: %v", size, err)
		}
		if seg.Addr%pageSize != 0 {
			t.Errorf("size %d: Addr %#x is not aligned to the page size %d", size, seg.Addr, pageSize)
		}
		if seg.Size != size {
			t.Errorf("size %d: Size = %d", size, seg.Size)
		}

		memory := Bytes(seg)
		if len(memory) != size || cap(memory) != size {
			t.Errorf("size %d: Bytes has len %d and cap %d, want both %d", size, len(memory), cap(memory), size)
		}
		if size > 0 && uintptr(unsafe.Pointer(&memory[0])) != seg.Addr {
			t.Errorf("size %d: Bytes starts at %p, want Addr %#x", size, &memory[0], seg.Addr)
		}
		if !bytes.Equal(memory, make([]byte, size)) {
			t.Errorf("size %d: new memory is not zeroed", size)
		}
	}
}

func TestDefineSizeZeroHasDistinctAddress(t *testing.T) {
	a, _, err := Define(uniqueID(t)+"/a", "Empty", 0, nil, "")
	if err != nil {
		t.Fatalf("Define a: %v", err)
	}
	b, _, err := Define(uniqueID(t)+"/b", "Empty", 0, nil, "")
	if err != nil {
		t.Fatalf("Define b: %v", err)
	}
	if a.Addr == 0 || b.Addr == 0 {
		t.Errorf("Addr of an empty segment is 0 (a %#x, b %#x), want a mapped page", a.Addr, b.Addr)
	}
	if a.Addr == b.Addr {
		t.Errorf("two empty segments share the address %#x", a.Addr)
	}
}

func TestDefineConcurrentOneID(t *testing.T) {
	const goroutines = 64
	id := uniqueID(t)

	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		segs    [goroutines]*Segment
		created [goroutines]bool
		errs    [goroutines]error
	)
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			segs[i], created[i], errs[i] = Define(id, "Int32Array", 64, []byte{byte(i + 1)}, fmt.Sprintf("goroutine %d", i))
		}()
	}
	close(start)
	wg.Wait()

	creations := 0
	winner := -1
	for i := range goroutines {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: Define: %v", i, errs[i])
		}
		if created[i] {
			creations++
			winner = i
		}
	}
	if creations != 1 {
		t.Fatalf("%d goroutines report created = true, want exactly 1", creations)
	}
	for i := range goroutines {
		if segs[i] != segs[winner] {
			t.Errorf("goroutine %d got Addr %#x, want %#x", i, segs[i].Addr, segs[winner].Addr)
		}
	}
	if got, want := Bytes(segs[winner])[0], byte(winner+1); got != want {
		t.Errorf("first byte = %d, want %d from the creating goroutine's init", got, want)
	}
	if got, want := segs[winner].DefinedAt, fmt.Sprintf("goroutine %d", winner); got != want {
		t.Errorf("DefinedAt = %q, want %q", got, want)
	}
}

func TestDefineConcurrentManyIDs(t *testing.T) {
	const (
		goroutines = 16
		ids        = 100
	)
	prefix := uniqueID(t)
	var (
		wg        sync.WaitGroup
		start     = make(chan struct{})
		mu        sync.Mutex
		addrs     = map[string]uintptr{}
		creations = map[string]int{}
		failures  []string
	)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for n := range ids {
				// Each goroutine walks the IDs in another order, and looks up
				// the next ID before defining it, so Define races with Lookup.
				id := fmt.Sprintf("%s/%d", prefix, (n+g*7)%ids)
				looked, found := Lookup(id)
				seg, created, err := Define(id, "SharedArrayBuffer", 8+(n+g*7)%ids, nil, "")

				mu.Lock()
				switch {
				case err != nil:
					failures = append(failures, fmt.Sprintf("Define %s: %v", id, err))
				case found && looked != seg:
					failures = append(failures, fmt.Sprintf("Lookup %s returned %#x but Define returned %#x", id, looked.Addr, seg.Addr))
				case addrs[id] != 0 && addrs[id] != seg.Addr:
					failures = append(failures, fmt.Sprintf("%s has two addresses: %#x and %#x", id, addrs[id], seg.Addr))
				default:
					addrs[id] = seg.Addr
					if created {
						creations[id]++
					}
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()

	for _, failure := range failures {
		t.Error(failure)
	}
	if len(addrs) != ids {
		t.Errorf("%d distinct IDs were defined, want %d", len(addrs), ids)
	}
	for id := range addrs {
		if creations[id] != 1 {
			t.Errorf("%s was created %d times, want 1", id, creations[id])
		}
	}
}

func TestDefineMismatch(t *testing.T) {
	id := uniqueID(t)
	existing, _, err := Define(id, "SharedArrayBuffer", 16, []byte{5}, "file:///a.mjs:3:15 (thread 1)")
	if err != nil {
		t.Fatalf("Define: %v", err)
	}

	tests := []struct {
		name string
		kind string
		size int
		want string
	}{
		{
			name: "size",
			kind: "SharedArrayBuffer",
			size: 32,
			want: `registry: segment "` + id + `" is already defined as SharedArrayBuffer of 16 bytes at file:///a.mjs:3:15 (thread 1), ` +
				`but a second definition requests SharedArrayBuffer of 32 bytes at file:///a.mjs:3:15 (thread 2). ` +
				`Every definition of one ID must have the same kind and size, so pass a value of the same type and length at this site in every thread`,
		},
		{
			name: "kind",
			kind: "Mutex",
			size: 16,
			want: `registry: segment "` + id + `" is already defined as SharedArrayBuffer of 16 bytes at file:///a.mjs:3:15 (thread 1), ` +
				`but a second definition requests Mutex of 16 bytes at file:///a.mjs:3:15 (thread 2). ` +
				`Every definition of one ID must have the same kind and size, so pass a value of the same type and length at this site in every thread`,
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			seg, created, err := Define(id, test.kind, test.size, []byte{9}, "file:///a.mjs:3:15 (thread 2)")
			if err == nil {
				t.Fatalf("Define returned no error")
			}
			if seg != nil || created {
				t.Errorf("Define returned segment %v and created %v with an error, want nil and false", seg, created)
			}
			if err.Error() != test.want {
				t.Errorf("error message:\n got: %s\nwant: %s", err, test.want)
			}

			var mismatch *MismatchError
			if !errors.As(err, &mismatch) {
				t.Fatalf("error is %T, want *MismatchError", err)
			}
			if mismatch.Existing != existing {
				t.Errorf("MismatchError.Existing is not the existing segment")
			}
		})
	}

	if seg, _ := Lookup(id); seg != existing || seg.Size != 16 || seg.Kind != "SharedArrayBuffer" {
		t.Errorf("the existing segment changed after rejected definitions: %+v", seg)
	}
	if got := Bytes(existing)[0]; got != 5 {
		t.Errorf("first byte = %d after rejected definitions, want 5", got)
	}
}

func TestDefineInvalidArguments(t *testing.T) {
	tests := []struct {
		name string
		id   string
		size int
		init []byte
		want string
	}{
		{"empty ID", "", 4, nil, "empty segment ID"},
		{"negative size", uniqueID(t), -1, nil, "invalid size -1 bytes"},
		{"init too long", uniqueID(t), 2, []byte{1, 2, 3}, "initial contents of 3 bytes do not fit"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, _, err := Define(test.id, "SharedArrayBuffer", test.size, test.init, "")
			if err == nil {
				t.Fatalf("Define returned no error")
			}
			if !strings.Contains(err.Error(), test.want) {
				t.Errorf("error %q does not contain %q", err, test.want)
			}
			if _, found := Lookup(test.id); found {
				t.Errorf("a rejected definition was stored")
			}
		})
	}
}

func TestLookupMissing(t *testing.T) {
	seg, found := Lookup(uniqueID(t))
	if found || seg != nil {
		t.Errorf("Lookup of an undefined ID = %v, %v; want nil, false", seg, found)
	}
}

func TestBytesSharedBetweenDefinitions(t *testing.T) {
	id := uniqueID(t)
	first, _, err := Define(id, "Int32Array", 8, nil, "")
	if err != nil {
		t.Fatalf("Define: %v", err)
	}
	looked, found := Lookup(id)
	if !found {
		t.Fatalf("Lookup did not find a defined ID")
	}

	Bytes(first)[5] = 42
	if got := Bytes(looked)[5]; got != 42 {
		t.Errorf("a write through one Bytes slice is not visible through the other: got %d, want 42", got)
	}
}
