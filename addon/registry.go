package main

import (
	"strings"

	"github.com/experimental-threads/experimental-threads/napi"
	"github.com/experimental-threads/experimental-threads/registry"
)

// maxSegment caps one Global at 1 GiB, far above any lock or counter, so a
// wrong size argument fails clearly instead of reserving the address space.
const maxSegment = 1 << 30

// define(id, kind, size, init, definedAt) returns [buffer, created]: the
// process-wide memory of a Global as a SharedArrayBuffer where the runtime
// supports external ones, otherwise as an ArrayBuffer over the same bytes.
func define(c *napi.Call) (napi.Value, error) {
	e := c.Env
	id, err := e.GoString(c.Arg(0), "id")
	if err != nil {
		return napi.Value{}, err
	}
	kind, err := e.GoString(c.Arg(1), "kind")
	if err != nil {
		return napi.Value{}, err
	}
	size, err := e.GoInt(c.Arg(2), "size", 0, maxSegment)
	if err != nil {
		return napi.Value{}, err
	}
	var init []byte
	if t := e.TypeOf(c.Arg(3)); t != "undefined" && t != "null" {
		if init, err = e.Bytes(c.Arg(3), "initial contents"); err != nil {
			return napi.Value{}, err
		}
		if len(init) > int(size) {
			return napi.Value{}, napi.RangeError("ERR_OUT_OF_RANGE", "initial contents of %d bytes do not fit a Global of %d bytes", len(init), size)
		}
	}
	definedAt, err := e.GoString(c.Arg(4), "definedAt")
	if err != nil {
		return napi.Value{}, err
	}

	seg, created, err := registry.Define(id, kind, int(size), init, definedAt)
	if err != nil {
		return napi.Value{}, &napi.Error{Kind: "Error", Code: "ERR_THREADS_GLOBAL_MISMATCH", Message: "new Global(): " + strings.TrimPrefix(err.Error(), "registry: ")}
	}
	buffer, _ := e.ExternalBuffer(seg.Addr, seg.Size)
	return e.Array(buffer, e.Bool(created)), nil
}
