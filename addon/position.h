#ifndef EXPERIMENTAL_THREADS_POSITION_H
#define EXPERIMENTAL_THREADS_POSITION_H

#include <node_api.h>

// Adds functionPosition(fn) to exports; see position.c.
napi_status et_define_function_position(napi_env env, napi_value exports);

#endif
