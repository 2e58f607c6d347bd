/* armjit's C shim: the few things Python cannot do safely by itself on aarch64.
 *
 * Built with cffi (armjit/runtime/shim_build.py) for the target's python3.14 by the
 * aarch64 cross compiler; loaded as the extension module _armjit_shim.
 * This header is also the cffi cdef: plain C types only.
 */

/* Code memory, W^X: an anonymous read-write mapping, later sealed read-execute. */
void *armjit_code_alloc(size_t size);               /* NULL on failure (errno set) */
int armjit_code_seal(void *code, size_t size);      /* RW -> RX + icache flush; 0 or errno */
int armjit_code_free(void *code, size_t size);      /* 0 or errno */
void armjit_flush_icache(void *start, size_t size);

/* Installation into a live CPython/CinderX process. */
size_t armjit_func_vectorcall_offset(void);          /* offsetof(PyFunctionObject, vectorcall) */
void *armjit_func_vectorcall_slot(void *func);       /* &func->vectorcall; NULL if not a function */
void *armjit_swap_pointer(void **slot, void *value); /* atomic exchange; returns the old value */
