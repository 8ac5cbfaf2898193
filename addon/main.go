// Command addon is the c-shared library that Node.js, Bun and Deno load as
// experimental_threads.node. It only checks and converts arguments: analysis
// lives in analyzer, shared memory in registry, waiting in atomics, and the
// Node-API plumbing in napi.
package main

/*
#cgo CFLAGS: -DNAPI_VERSION=8 -I${SRCDIR}/../node_modules/node-api-headers/include
#cgo LDFLAGS: -Wl,--unresolved-symbols=ignore-all
#include <stdint.h>
*/
import "C"

import (
	"github.com/experimental-threads/experimental-threads/napi"
)

func main() {}

var exports napi.Exports

func init() {
	exports.Add("analyze", analyze)
	exports.Add("maskJSX", maskJSX)
	exports.Add("define", define)
	exports.Add("wait", wait)
	exports.Add("wake", wake)
	exports.Add("waitAsync", waitAsync)
	exports.Add("cancel", cancel)
	exports.Add("mutexLock", mutexLock)
	exports.Add("mutexLockAsync", mutexLockAsync)
	exports.Add("mutexUnlock", mutexUnlock)
	exports.Add("semAcquire", semAcquire)
	exports.Add("semAcquireAsync", semAcquireAsync)
	exports.Add("semRelease", semRelease)
	exports.Add("openChannel", openChannel)
	exports.Add("shutdown", shutdown)
	napi.SetChannelHooks(napi.ChannelHooks{Receive: receive, Drop: drop, Cleanup: cleanupEnv})
}

//export etRegister
func etRegister(env, object C.uintptr_t) C.uintptr_t {
	return C.uintptr_t(napi.Init(uintptr(env), uintptr(object), func(e napi.Env, object napi.Value) error {
		exports.Attach(e, object)
		e.Set(object, "sharedMemory", e.Bool(napi.HasExternalSharedArrayBuffer()))
		return nil
	}))
}
