/* armjit's C shim: the few things Python cannot do safely by itself on aarch64.
 *
 * Built with cffi (armjit/runtime/shim_build.py) for the target's python3.14 by the
 * aarch64 cross compiler; loaded as the extension module _armjit_shim.
 * This header is also the cffi cdef: plain C types only.
 *
 * cffi releases the GIL around every call into this library.  Every function
 * below that touches code other threads may be running, or Python objects,
 * takes the GIL back itself (PyGILState_Ensure) for its whole duration: no
 * thread runs JIT code without the GIL, so while one of these runs no thread
 * can execute a page that is briefly writable, or see a half-updated table.
 */

/* Code memory, W^X: pages are never writable and executable at once.
 * armjit_code_reserve: a PROT_NONE mapping near hint; NULL on failure.
 * armjit_code_write: pages RW, copy, pages RX, icache flush, all under the GIL; 0 or errno.
 * armjit_code_alloc: a RW mapping, NULL on failure; armjit_code_seal: RW -> RX + icache
 * flush, 0 or errno; armjit_code_free: munmap, 0 or errno. */
void *armjit_code_reserve(void *hint, size_t size);
int armjit_code_write(void *dst, const void *src, size_t size);
void *armjit_code_alloc(size_t size);
int armjit_code_seal(void *code, size_t size);
int armjit_code_free(void *code, size_t size);
void armjit_flush_icache(void *start, size_t size);

/* Installation into a live CPython/CinderX process.
 * armjit_func_vectorcall_offset: offsetof(PyFunctionObject, vectorcall);
 * armjit_func_vectorcall_slot: &func->vectorcall, NULL if not a function;
 * armjit_swap_pointer: atomic exchange, returns the old value. */
size_t armjit_func_vectorcall_offset(void);
void *armjit_func_vectorcall_slot(void *func);
void *armjit_swap_pointer(void **slot, void *value);

/* Installed functions, tracked in C so that a function watcher can undo an
 * installation before CPython (or CinderX's own watcher) acts on the function.
 * A function watcher registered before cinderx is imported runs before
 * CinderX's: on PyFunction_EVENT_DESTROY and _MODIFY_CODE it puts back the
 * vectorcall the function had before armjit (CinderX's entry, so CinderX
 * releases its compile or deopts the function as it would without armjit; or
 * the interpreter's) and forgets the function; a MODIFY_CODE also queues the
 * installation's token for Python (armjit_drain_invalidated).
 *
 * armjit_watch_init: register the watcher once; its id or -1.
 * armjit_track: func->vectorcall = entry, remembering the previous one; 0 or -1.
 *   cinderx_compile: CinderX's CompiledFunction the function is registered with
 *   (its vectorcall was that compile's entry), or NULL; while armjit's entry is
 *   installed armjit reports CinderX's reference to it to the garbage collector
 *   (CinderX's patched tp_traverse only does while its own entry is installed).
 * armjit_untrack: restore the previous vectorcall if func still runs armjit's
 *   entry (or the interpreter's while paused); 1 restored, 0 only forgotten,
 *   -1 not tracked under that token.
 * armjit_pause_all / armjit_resume_all: armjit entry <-> interpreter for every
 *   tracked function (tracing and profiling run in the interpreter). */
int armjit_watch_init(void *interp_vectorcall, int before_cinderx);
int armjit_track(void *func, void *entry, unsigned long long token, void **previous,
                 void *cinderx_compile);
int armjit_untrack(void *func, unsigned long long token);
int armjit_is_tracked(void *func, unsigned long long token);
size_t armjit_tracked_count(void);
size_t armjit_pause_all(void);
size_t armjit_resume_all(void);
size_t armjit_drain_invalidated(unsigned long long *tokens, size_t max);

/* Instrumentation: does any thread have a sys.settrace/sys.setprofile function? */
int armjit_legacy_tracing_active(void);

/* Auto mode's PY_START counter (see armjit_shim.c): returns the builtin to
 * register as the sys.monitoring PY_START callback (a borrowed reference the
 * shim keeps alive), or NULL.  ``decide`` (a Python callable, kept) is called
 * at a code's ``threshold``-th start, and then as it asks: DISABLE, None (next
 * start) or an int k (after k more starts).  NULL ``decide`` stops asking. */
void *armjit_start_counter(void *decide, unsigned long threshold);
long long armjit_start_countdown(void *code);

/* The stack-limit check armjit adds at its vectorcall entry (CinderX's code
 * has none): where the current thread state is (an offset from TPIDR_EL0, -1
 * if not found), whether an offset holds it in the calling thread, and
 * offsetof(_PyThreadStateImpl, c_stack_soft_limit) (armjit_tstate.c). */
long long armjit_tstate_tls_offset(void);
int armjit_tstate_tls_matches(long long offset);
size_t armjit_stack_soft_limit_offset(void);
