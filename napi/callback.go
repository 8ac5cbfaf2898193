package napi

/*
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"
)

// Call is one invocation of a Go function from JavaScript.
type Call struct {
	Env  Env
	Args []Value
}

// Arg returns argument i, or undefined when the caller passed fewer.
func (c *Call) Arg(i int) Value {
	if i < len(c.Args) {
		return c.Args[i]
	}
	return c.Env.Undefined()
}

// Func is a Go function callable from JavaScript. A returned *Error is thrown
// with its class and code; any other error is thrown as a plain Error.
type Func func(c *Call) (Value, error)

var (
	funcsMu sync.RWMutex
	funcs   []Func
)

func (e Env) functionByID(name string, id int) Value {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var v C.napi_value
	check("napi_create_function", C.et_create_function(e.raw, cname, C.uintptr_t(id), &v))
	return Value{v}
}

// Exports is a set of named functions registered once per process and
// attached to the exports object of every environment that loads the addon.
type Exports struct {
	names []string
	ids   []int
}

// Add registers fn under name.
func (x *Exports) Add(name string, fn Func) {
	funcsMu.Lock()
	x.names = append(x.names, name)
	x.ids = append(x.ids, len(funcs))
	funcs = append(funcs, fn)
	funcsMu.Unlock()
}

// Attach defines every registered function on object.
func (x *Exports) Attach(e Env, object Value) {
	for i, name := range x.names {
		e.Set(object, name, e.functionByID(name, x.ids[i]))
	}
}

// Init runs the module initialiser for one environment. env and exports are
// the raw arguments of napi_register_module_v1, passed as integers because
// the addon's C types differ from this package's. A Go panic or error becomes
// a JavaScript exception instead of crashing the process.
func Init(env, exports uintptr, init func(e Env, exports Value) error) (result uintptr) {
	e := Env{C.et_env(C.uintptr_t(env))}
	object := Value{C.et_value(C.uintptr_t(exports))}
	defer func() {
		if r := recover(); r != nil {
			e.throw(fmt.Errorf("experimental-threads: loading the addon failed: %v", r))
			result = 0
		}
	}()
	if err := init(e, object); err != nil {
		e.throw(err)
		return 0
	}
	return exports
}

//export etInvoke
func etInvoke(call *C.et_call) (result C.napi_value) {
	e := Env{call.env}
	c := Call{Env: e, Args: make([]Value, int(call.argc))}
	for i := range c.Args {
		c.Args[i] = Value{call.argv[i]}
	}

	funcsMu.RLock()
	fn := funcs[int(call.id)]
	funcsMu.RUnlock()

	defer func() {
		if r := recover(); r != nil {
			err, ok := r.(error)
			if !ok {
				err = fmt.Errorf("experimental-threads: internal error: %v", r)
			}
			e.throw(err)
			result = nil
		}
	}()
	v, err := fn(&c)
	if err != nil {
		e.throw(err)
		return nil
	}
	return v.raw
}

// throw raises err as a JavaScript exception unless one is already pending.
func (e Env) throw(err error) {
	var pending C.bool
	if C.napi_is_exception_pending(e.raw, &pending) == C.napi_ok && bool(pending) {
		return
	}
	kind, code := "Error", ""
	if je, ok := err.(*Error); ok {
		kind, code = je.Kind, je.Code
	}
	cmsg := C.CString(err.Error())
	defer C.free(unsafe.Pointer(cmsg))
	var ccode *C.char
	if code != "" {
		ccode = C.CString(code)
		defer C.free(unsafe.Pointer(ccode))
	}
	switch kind {
	case "TypeError":
		C.napi_throw_type_error(e.raw, ccode, cmsg)
	case "RangeError":
		C.napi_throw_range_error(e.raw, ccode, cmsg)
	default:
		C.napi_throw_error(e.raw, ccode, cmsg)
	}
}
