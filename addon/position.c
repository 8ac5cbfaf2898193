#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <node_api.h>
#include "position.h"

// functionPosition(fn) returns a number that identifies where fn's text
// starts: its script and its offset (or line and column) in that script.
// spawn uses it to recognise a closure written at a call site it has seen
// before without capturing a stack trace, which costs microseconds in
// optimized callers.
//
// Node-API has no call for a function's position, but V8's C++ API does,
// and the Node.js executable exports it for native addons. On Node.js a
// napi_value has the same bits as a v8::Local, which is what V8's member
// functions take as `this`. They are called through plain C function
// pointers, because the Itanium C++ ABI passes `this` as the first argument. The
// symbols are looked up once; where they are missing (Deno, Bun, other
// platforms) the function returns -1 and spawn keeps using the stack. Bun
// exports part of a V8 shim whose handles are not napi_values, so the shim
// calls this only on Node.js.

typedef int (*et_function_query)(const void* self);

static et_function_query script_id;
static et_function_query start_position;
static et_function_query line_number;
static et_function_query column_number;

__attribute__((constructor)) static void et_resolve_v8(void) {
  script_id = (et_function_query)dlsym(RTLD_DEFAULT, "_ZNK2v88Function8ScriptIdEv");
  start_position = (et_function_query)dlsym(RTLD_DEFAULT, "_ZNK2v88Function22GetScriptStartPositionEv");
  line_number = (et_function_query)dlsym(RTLD_DEFAULT, "_ZNK2v88Function19GetScriptLineNumberEv");
  column_number = (et_function_query)dlsym(RTLD_DEFAULT, "_ZNK2v88Function21GetScriptColumnNumberEv");
}

static const double two_pow_21 = 2097152.0;
static const double two_pow_32 = 4294967296.0;

// Packs the script id and the position into one integer below 2^53, so the
// shim can use it as a Map key. -1 means unknown.
static double et_position_key(napi_value fn) {
  if (script_id == NULL) return -1;
  int script = script_id(fn);
  if (script <= 0 || (double)script >= two_pow_21) return -1;
  if (start_position != NULL) {
    int offset = start_position(fn);
    if (offset < 0) return -1;
    return (double)script * two_pow_32 + (double)offset;
  }
  // Node.js 20 has no start position: the 0-based line and column take 20
  // and 12 bits, and a position past that falls back to the stack.
  if (line_number == NULL || column_number == NULL) return -1;
  int line = line_number(fn);
  int column = column_number(fn);
  if (line < 0 || line >= (1 << 20) || column < 0 || column >= (1 << 12)) return -1;
  return (double)script * two_pow_32 + (double)line * 4096.0 + (double)column;
}

static napi_value et_function_position(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value fn = NULL;
  napi_value result = NULL;
  double key = -1;
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, &fn, NULL, NULL) == napi_ok && argc >= 1 &&
      napi_typeof(env, fn, &type) == napi_ok && type == napi_function) {
    key = et_position_key(fn);
  }
  napi_create_double(env, key, &result);
  return result;
}

napi_status et_define_function_position(napi_env env, napi_value exports) {
  napi_value fn;
  napi_status status = napi_create_function(env, "functionPosition", NAPI_AUTO_LENGTH, et_function_position, NULL, &fn);
  if (status != napi_ok) return status;
  return napi_set_named_property(env, exports, "functionPosition", fn);
}
