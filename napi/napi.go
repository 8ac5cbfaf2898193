// Package napi is a Go wrapper over Node-API (node_api.h) for the
// experimental-threads addon: environments, values, functions exported to
// JavaScript, errors thrown as JavaScript exceptions, external buffers over
// Go-owned memory and one threadsafe function per environment.
//
// Values stay C.napi_value inside this package and cross to other packages
// only as the opaque Value type. Bun passes NaN-boxed integers such as 0xa
// (undefined) as napi_value, so a value must never be converted to
// unsafe.Pointer: the garbage collector would find an invalid pointer on the
// goroutine stack.
package napi

/*
#cgo CFLAGS: -DNAPI_VERSION=8 -I${SRCDIR}/../node_modules/node-api-headers/include
#cgo LDFLAGS: -Wl,--unresolved-symbols=ignore-all
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Env is one JavaScript environment: the main thread or one worker thread.
type Env struct{ raw C.napi_env }

// Value is a JavaScript value that is valid until the current callback returns.
type Value struct{ raw C.napi_value }

// ID returns a number that identifies the environment while it lives.
func (e Env) ID() uintptr { return uintptr(unsafe.Pointer(e.raw)) }

// Error is a JavaScript exception to throw: Kind picks the constructor
// ("Error", "TypeError" or "RangeError") and Code fills error.code.
type Error struct {
	Kind    string
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// TypeError returns an Error thrown as a JavaScript TypeError.
func TypeError(code, format string, args ...any) *Error {
	return &Error{Kind: "TypeError", Code: code, Message: fmt.Sprintf(format, args...)}
}

// RangeError returns an Error thrown as a JavaScript RangeError.
func RangeError(code, format string, args ...any) *Error {
	return &Error{Kind: "RangeError", Code: code, Message: fmt.Sprintf(format, args...)}
}

// statusError reports a failed Node-API call. It is raised with panic inside
// callbacks and turned into a JavaScript exception by the trampoline.
type statusError struct {
	call   string
	status C.napi_status
}

func (e statusError) Error() string {
	return fmt.Sprintf("experimental-threads: Node-API call %s failed with status %d", e.call, int(e.status))
}

func check(call string, status C.napi_status) {
	if status != C.napi_ok {
		panic(statusError{call, status})
	}
}

// Undefined returns the undefined value.
func (e Env) Undefined() Value {
	var v C.napi_value
	check("napi_get_undefined", C.napi_get_undefined(e.raw, &v))
	return Value{v}
}

// Bool returns a JavaScript boolean.
func (e Env) Bool(b bool) Value {
	var v C.napi_value
	check("napi_get_boolean", C.napi_get_boolean(e.raw, C.bool(b), &v))
	return Value{v}
}

// Int returns a JavaScript number holding n, which must be a safe integer.
func (e Env) Int(n int64) Value {
	var v C.napi_value
	check("napi_create_int64", C.napi_create_int64(e.raw, C.int64_t(n), &v))
	return Value{v}
}

// Float returns a JavaScript number.
func (e Env) Float(f float64) Value {
	var v C.napi_value
	check("napi_create_double", C.napi_create_double(e.raw, C.double(f), &v))
	return Value{v}
}

// String returns a JavaScript string with the UTF-8 contents of s.
func (e Env) String(s string) Value {
	var v C.napi_value
	if len(s) == 0 {
		check("napi_create_string_utf8", C.napi_create_string_utf8(e.raw, nil, 0, &v))
		return Value{v}
	}
	p := (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
	check("napi_create_string_utf8", C.napi_create_string_utf8(e.raw, p, C.size_t(len(s)), &v))
	return Value{v}
}

// Array returns a JavaScript array of the given values.
func (e Env) Array(items ...Value) Value {
	var v C.napi_value
	check("napi_create_array_with_length", C.napi_create_array_with_length(e.raw, C.size_t(len(items)), &v))
	for i, item := range items {
		check("napi_set_element", C.napi_set_element(e.raw, v, C.uint32_t(i), item.raw))
	}
	return Value{v}
}

// Object returns a new empty JavaScript object.
func (e Env) Object() Value {
	var v C.napi_value
	check("napi_create_object", C.napi_create_object(e.raw, &v))
	return Value{v}
}

// Set stores value under the property name on object.
func (e Env) Set(object Value, name string, value Value) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	check("napi_set_named_property", C.napi_set_named_property(e.raw, object.raw, cname, value.raw))
}

// TypeOf returns the JavaScript typeof name of v ("number", "string", …, "null" for null).
func (e Env) TypeOf(v Value) string {
	var t C.napi_valuetype
	check("napi_typeof", C.napi_typeof(e.raw, v.raw, &t))
	switch t {
	case C.napi_undefined:
		return "undefined"
	case C.napi_null:
		return "null"
	case C.napi_boolean:
		return "boolean"
	case C.napi_number:
		return "number"
	case C.napi_string:
		return "string"
	case C.napi_symbol:
		return "symbol"
	case C.napi_function:
		return "function"
	case C.napi_bigint:
		return "bigint"
	}
	return "object"
}

// GoString returns the contents of a JavaScript string, or an error naming
// the argument when v is not a string.
func (e Env) GoString(v Value, what string) (string, error) {
	if t := e.TypeOf(v); t != "string" {
		return "", TypeError("ERR_INVALID_ARG_TYPE", "%s must be a string, got %s", what, t)
	}
	var n C.size_t
	check("napi_get_value_string_utf8", C.napi_get_value_string_utf8(e.raw, v.raw, nil, 0, &n))
	buf := make([]byte, int(n)+1)
	check("napi_get_value_string_utf8", C.napi_get_value_string_utf8(e.raw, v.raw, (*C.char)(unsafe.Pointer(&buf[0])), n+1, &n))
	return string(buf[:n]), nil
}

// GoFloat returns a JavaScript number, or an error naming the argument.
func (e Env) GoFloat(v Value, what string) (float64, error) {
	var f C.double
	if status := C.napi_get_value_double(e.raw, v.raw, &f); status != C.napi_ok {
		return 0, TypeError("ERR_INVALID_ARG_TYPE", "%s must be a number, got %s", what, e.TypeOf(v))
	}
	return float64(f), nil
}

// GoInt returns a JavaScript number that must be an integer in [min, max].
func (e Env) GoInt(v Value, what string, min, max int64) (int64, error) {
	f, err := e.GoFloat(v, what)
	if err != nil {
		return 0, err
	}
	if f != float64(int64(f)) || f < float64(min) || f > float64(max) {
		return 0, RangeError("ERR_OUT_OF_RANGE", "%s must be an integer from %d to %d, got %v", what, min, max, f)
	}
	return int64(f), nil
}

// GoBool returns the truthiness-free boolean value of v, or an error.
func (e Env) GoBool(v Value, what string) (bool, error) {
	var b C.bool
	if status := C.napi_get_value_bool(e.raw, v.raw, &b); status != C.napi_ok {
		return false, TypeError("ERR_INVALID_ARG_TYPE", "%s must be a boolean, got %s", what, e.TypeOf(v))
	}
	return bool(b), nil
}

// Int32Cell returns the address of element index of an Int32Array, unpacking
// both arguments in one C call because futex wait and wake are hot paths.
func (e Env) Int32Cell(array, index Value) (uintptr, error) {
	var addr C.uintptr_t
	switch C.et_int32_cell(e.raw, array.raw, index.raw, &addr, nil) {
	case 0:
		return uintptr(addr), nil
	case 1:
		return 0, TypeError("ERR_INVALID_ARG_TYPE", "expected an Int32Array over shared memory, got %s", e.TypeOf(array))
	default:
		return 0, RangeError("ERR_OUT_OF_RANGE", "index is not an integer inside the Int32Array")
	}
}

// Bytes returns the memory behind an ArrayBuffer, typed array or DataView.
// The slice aliases JavaScript memory and is valid only during the callback.
func (e Env) Bytes(v Value, what string) ([]byte, error) {
	var data unsafe.Pointer
	var n C.size_t
	if C.et_byte_view(e.raw, v.raw, &data, &n) != 0 {
		return nil, TypeError("ERR_INVALID_ARG_TYPE", "%s must be an ArrayBuffer, typed array or DataView, got %s", what, e.TypeOf(v))
	}
	if n == 0 {
		return nil, nil
	}
	return unsafe.Slice((*byte)(data), int(n)), nil
}

// HasExternalSharedArrayBuffer reports whether the runtime exports
// node_api_create_external_sharedarraybuffer.
func HasExternalSharedArrayBuffer() bool { return C.et_has_external_sab() != 0 }

// ExternalBuffer wraps memory that Go owns and never frees as a
// SharedArrayBuffer when the runtime can, otherwise as an ArrayBuffer over
// the same bytes. shared reports which.
func (e Env) ExternalBuffer(addr uintptr, size int) (buffer Value, shared bool) {
	var v C.napi_value
	if HasExternalSharedArrayBuffer() {
		check("node_api_create_external_sharedarraybuffer", C.et_create_external_sab(e.raw, C.uintptr_t(addr), C.size_t(size), &v))
		return Value{v}, true
	}
	check("napi_create_external_arraybuffer", C.et_create_external_arraybuffer(e.raw, C.uintptr_t(addr), C.size_t(size), &v))
	return Value{v}, false
}
