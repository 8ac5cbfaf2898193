#include <stdint.h>
#include <node_api.h>
#include "_cgo_export.h"
#include "position.h"

// The entry point every runtime looks up by name. It forwards the raw
// handles as integers, so Go never holds a napi_value as a pointer.
NAPI_MODULE_EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value result = (napi_value)etRegister((uintptr_t)env, (uintptr_t)exports);
  if (result != NULL) et_define_function_position(env, result);
  return result;
}
