// C half of the napi package: the callback trampoline, argument unpacking
// done in one C call for hot paths, and Node-API functions that exist only in
// some runtimes, looked up with dlsym at load time.
#ifndef EXPERIMENTAL_THREADS_BRIDGE_H
#define EXPERIMENTAL_THREADS_BRIDGE_H

#include <stdint.h>
#include <stdlib.h>
#include <node_api.h>

#define ET_MAX_ARGS 8

// et_call is filled by the trampoline and read by Go: all arguments of one
// JavaScript call, unpacked with a single napi_get_cb_info.
typedef struct {
  napi_env env;
  napi_value this_arg;
  size_t argc;
  napi_value argv[ET_MAX_ARGS];
  uintptr_t id;
} et_call;

napi_status et_create_function(napi_env env, const char* name, uintptr_t id, napi_value* result);

// et_int32_cell validates that value is an Int32Array and index is an
// integer inside it, and stores the address of that element. It returns 0 on
// success, 1 when value is not an Int32Array, 2 when index is out of range or
// not an integer.
int et_int32_cell(napi_env env, napi_value array, napi_value index, uintptr_t* address, size_t* length);

// et_byte_view returns the data pointer and length of an ArrayBuffer,
// SharedArrayBuffer, typed array or DataView; 0 on success, 1 otherwise.
int et_byte_view(napi_env env, napi_value value, void** data, size_t* length);

// Optional Node-API functions, resolved at load time.
int et_has_external_sab(void);
napi_status et_create_external_sab(napi_env env, uintptr_t data, size_t length, napi_value* result);
napi_status et_create_external_arraybuffer(napi_env env, uintptr_t data, size_t length, napi_value* result);

// Threadsafe functions carry a packed uint64 instead of a pointer so Go never
// converts an integer to unsafe.Pointer.
napi_status et_tsfn_create(napi_env env, napi_value fn, uintptr_t env_id, napi_threadsafe_function* result);
napi_status et_tsfn_call(napi_threadsafe_function tsfn, uint64_t packed);
napi_status et_add_cleanup_hook(napi_env env, uintptr_t env_id);

// Conversions done in C so that Go never turns an integer into unsafe.Pointer.
static inline napi_env et_env(uintptr_t raw) { return (napi_env)raw; }
static inline napi_value et_value(uintptr_t raw) { return (napi_value)raw; }

#endif
