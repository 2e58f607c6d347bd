/* armjit's C shim, the part that needs CPython's internal headers (Py_BUILD_CORE):
 * where the thread state keeps the C stack limit that CPython's own recursion
 * check reads (_Py_ReachedRecursionLimit, Include/internal/pycore_ceval.h). */
#define Py_BUILD_CORE 1
#include <Python.h>
#include "internal/pycore_tstate.h"

#include <stddef.h>

#include "armjit_shim.h"

size_t armjit_stack_soft_limit_offset(void) {
    return offsetof(_PyThreadStateImpl, c_stack_soft_limit);
}
