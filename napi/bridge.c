#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
#include "bridge.h"
#include "_cgo_export.h"

static napi_value et_trampoline(napi_env env, napi_callback_info info) {
  et_call call;
  void* data = NULL;
  call.env = env;
  call.argc = ET_MAX_ARGS;
  if (napi_get_cb_info(env, info, &call.argc, call.argv, &call.this_arg, &data) != napi_ok) {
    return NULL;
  }
  if (call.argc > ET_MAX_ARGS) call.argc = ET_MAX_ARGS;
  call.id = (uintptr_t)data;
  return etInvoke(&call);
}

napi_status et_create_function(napi_env env, const char* name, uintptr_t id, napi_value* result) {
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, et_trampoline, (void*)id, result);
}

int et_int32_cell(napi_env env, napi_value array, napi_value index, uintptr_t* address, size_t* length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, array, &is_typed) != napi_ok || !is_typed) return 1;
  napi_typedarray_type type;
  size_t count = 0;
  void* data = NULL;
  if (napi_get_typedarray_info(env, array, &type, &count, &data, NULL, NULL) != napi_ok) return 1;
  if (type != napi_int32_array) return 1;
  double position = 0;
  if (napi_get_value_double(env, index, &position) != napi_ok) return 2;
  if (!(position >= 0) || position >= (double)count || position != (double)(size_t)position) return 2;
  *address = (uintptr_t)data + (size_t)position * 4;
  if (length) *length = count;
  return 0;
}

int et_byte_view(napi_env env, napi_value value, void** data, size_t* length) {
  bool yes = false;
  void* ptr = NULL;
  size_t len = 0;
  if (napi_is_arraybuffer(env, value, &yes) == napi_ok && yes) {
    if (napi_get_arraybuffer_info(env, value, &ptr, &len) != napi_ok) return 1;
  } else if (napi_is_typedarray(env, value, &yes) == napi_ok && yes) {
    napi_typedarray_type type;
    size_t count = 0;
    if (napi_get_typedarray_info(env, value, &type, &count, &ptr, NULL, NULL) != napi_ok) return 1;
    size_t width = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: width = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: width = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: width = 8; break;
      default: width = 1;
    }
    len = count * width;
  } else if (napi_is_dataview(env, value, &yes) == napi_ok && yes) {
    if (napi_get_dataview_info(env, value, &len, &ptr, NULL, NULL) != napi_ok) return 1;
  } else {
    // Node.js 20 rejects a SharedArrayBuffer in napi_is_arraybuffer, so the
    // shim passes SharedArrayBuffer contents through a typed array view.
    return 1;
  }
  *data = ptr;
  *length = len;
  return 0;
}

typedef napi_status (*et_create_sab_fn)(napi_env, void*, size_t, node_api_noenv_finalize, void*, napi_value*);
static et_create_sab_fn create_external_sab = NULL;

__attribute__((constructor)) static void et_resolve_optional(void) {
  create_external_sab = (et_create_sab_fn)dlsym(RTLD_DEFAULT, "node_api_create_external_sharedarraybuffer");

  // Pin the library: Node.js closes an addon when the last thread that
  // loaded it exits, and a Go runtime cannot be unloaded and loaded again.
  // The Go linker already marks the file NODELETE; this keeps it resident
  // even if a toolchain stops doing so.
  Dl_info self;
  if (dladdr((void*)et_resolve_optional, &self) && self.dli_fname) {
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  }
}

int et_has_external_sab(void) { return create_external_sab != NULL; }

napi_status et_create_external_sab(napi_env env, uintptr_t data, size_t length, napi_value* result) {
  if (!create_external_sab) return napi_generic_failure;
  return create_external_sab(env, (void*)data, length, NULL, NULL, result);
}

napi_status et_create_external_arraybuffer(napi_env env, uintptr_t data, size_t length, napi_value* result) {
  return napi_create_external_arraybuffer(env, (void*)data, length, NULL, NULL, result);
}

static void et_call_js(napi_env env, napi_value fn, void* context, void* data) {
  etDeliver(env, fn, (uint64_t)(uintptr_t)data, (uintptr_t)context);
}

napi_status et_tsfn_create(napi_env env, napi_value fn, uintptr_t env_id, napi_threadsafe_function* result) {
  napi_value name;
  napi_status status = napi_create_string_utf8(env, "experimental-threads wait", NAPI_AUTO_LENGTH, &name);
  if (status != napi_ok) return status;
  return napi_create_threadsafe_function(env, fn, NULL, name, 0, 1, NULL, NULL, (void*)env_id, et_call_js, result);
}

napi_status et_tsfn_call(napi_threadsafe_function tsfn, uint64_t packed) {
  return napi_call_threadsafe_function(tsfn, (void*)(uintptr_t)packed, napi_tsfn_nonblocking);
}

static void et_cleanup_hook(void* arg) { etEnvCleanup((uintptr_t)arg); }

napi_status et_add_cleanup_hook(napi_env env, uintptr_t env_id) {
  return napi_add_env_cleanup_hook(env, et_cleanup_hook, (void*)env_id);
}
