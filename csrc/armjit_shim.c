/* armjit's C shim; see armjit_shim.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>

#include "armjit_shim.h"

void *armjit_code_alloc(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void armjit_flush_icache(void *start, size_t size) {
    /* The data and instruction caches are not coherent for code written by the
     * process itself (Arm ARM B2.4.4): clean D-cache to PoU, invalidate I-cache,
     * then barriers.  GCC's builtin emits exactly that sequence on aarch64. */
    __builtin___clear_cache((char *)start, (char *)start + size);
}

int armjit_code_seal(void *code, size_t size) {
    if (mprotect(code, size, PROT_READ | PROT_EXEC) != 0) {
        return errno;
    }
    armjit_flush_icache(code, size);
    return 0;
}

int armjit_code_free(void *code, size_t size) {
    return munmap(code, size) == 0 ? 0 : errno;
}

size_t armjit_func_vectorcall_offset(void) {
    return offsetof(PyFunctionObject, vectorcall);
}

void *armjit_func_vectorcall_slot(void *func) {
    PyObject *op = (PyObject *)func;
    if (op == NULL || !PyFunction_Check(op)) {
        return NULL;
    }
    return (void *)&((PyFunctionObject *)op)->vectorcall;
}

void *armjit_swap_pointer(void **slot, void *value) {
    return __atomic_exchange_n(slot, value, __ATOMIC_SEQ_CST);
}
