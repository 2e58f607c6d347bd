/* armjit's C shim; see armjit_shim.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "armjit_shim.h"

/* ------------------------------------------------------------ code memory */

void *armjit_code_reserve(void *hint, size_t size) {
    /* PROT_NONE until code is written: reserved address space costs no memory
     * and nothing can run from it.  The hint places code near CinderX so that
     * helper calls are direct bl (+-128 MiB); the kernel may ignore it. */
    void *p = mmap(hint, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void armjit_flush_icache(void *start, size_t size) {
    /* The data and instruction caches are not coherent for code written by the
     * process itself (Arm ARM B2.4.4): clean D-cache to PoU, invalidate I-cache,
     * then barriers.  GCC's builtin emits exactly that sequence on aarch64. */
    __builtin___clear_cache((char *)start, (char *)start + size);
}

int armjit_code_write(void *dst, const void *src, size_t size) {
    if (size == 0) {
        return 0;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)dst & ~(uintptr_t)(page - 1);
    uintptr_t hi = ((uintptr_t)dst + size + page - 1) & ~(uintptr_t)(page - 1);
    int err = 0;
    /* The pages may hold other functions' code: no thread may run it while it
     * is writable.  JIT code only runs with the GIL held, so hold it. */
    PyGILState_STATE g = PyGILState_Ensure();
    if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE) != 0) {
        err = errno;
    } else {
        memcpy(dst, src, size);
        if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_EXEC) != 0) {
            err = errno;
        }
        armjit_flush_icache(dst, size);
    }
    PyGILState_Release(g);
    return err;
}

void *armjit_code_alloc(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
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

/* ------------------------------------------------------------ installation */

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

/* ---------------------------------------------- tracked functions (GIL held) */

typedef struct {
    PyFunctionObject *func;     /* NULL: empty; TOMBSTONE: deleted */
    vectorcallfunc entry;
    vectorcallfunc previous;
    unsigned long long token;
    PyObject *cinderx_compile;  /* CinderX's CompiledFunction the function is registered
                                   with (CinderX holds it for the function); or NULL */
} Tracked;

#define TOMBSTONE ((PyFunctionObject *)1)

static Tracked *table;
static size_t table_cap, table_used, table_live;
static vectorcallfunc interp_vc;
static int watcher_id = -1;
static int runs_before_cinderx;  /* registered before CinderX's watcher (lower id runs first) */
static unsigned long long *invalidated;
static size_t inv_len, inv_cap;

static size_t slot_of(PyFunctionObject *f) {
    return ((uintptr_t)f >> 4) * 11400714819323198485ull;
}

static Tracked *find(PyFunctionObject *f) {
    if (table_cap == 0) {
        return NULL;
    }
    size_t mask = table_cap - 1;
    for (size_t i = slot_of(f) & mask;; i = (i + 1) & mask) {
        if (table[i].func == f) {
            return &table[i];
        }
        if (table[i].func == NULL) {
            return NULL;
        }
    }
}

static int grow(void) {
    size_t cap = table_cap ? table_cap * 2 : 256;
    Tracked *t = PyMem_RawCalloc(cap, sizeof(Tracked));
    if (t == NULL) {
        return -1;
    }
    for (size_t i = 0; i < table_cap; i++) {
        PyFunctionObject *f = table[i].func;
        if (f != NULL && f != TOMBSTONE) {
            size_t j = slot_of(f) & (cap - 1);
            while (t[j].func != NULL) {
                j = (j + 1) & (cap - 1);
            }
            t[j] = table[i];
        }
    }
    PyMem_RawFree(table);
    table = t;
    table_cap = cap;
    table_used = table_live;
    return 0;
}

static void forget(Tracked *t) {
    t->func = TOMBSTONE;
    table_live--;
}

/* Put back what the function ran before armjit, if it still runs armjit's
 * entry (or the interpreter's, which armjit_pause_all put there). */
static int restore(Tracked *t) {
    vectorcallfunc now = t->func->vectorcall;
    if (now == t->entry || (now == interp_vc && t->previous != interp_vc)) {
        t->func->vectorcall = t->previous;
        return 1;
    }
    return 0;
}

static int queue_invalidated(unsigned long long token) {
    if (inv_len == inv_cap) {
        size_t cap = inv_cap ? inv_cap * 2 : 64;
        unsigned long long *p = PyMem_RawRealloc(invalidated, cap * sizeof(*p));
        if (p == NULL) {
            return -1;
        }
        invalidated = p;
        inv_cap = cap;
    }
    invalidated[inv_len++] = token;
    return 0;
}

/* CinderX reports a compiled function's logical reference to its
 * CompiledFunction to the garbage collector from a patched
 * PyFunction_Type.tp_traverse, but only while func->vectorcall is CinderX's
 * entry (Jit/function_slots.cpp jitFuncTraverse); its tp_clear releases the
 * compile the same way.  For a function running armjit's code armjit reports
 * that reference itself, and hands the function back before CinderX's clear:
 * without this, a function in a reference cycle (exec'd code, closures
 * capturing self) could never be collected. */
static traverseproc prev_traverse;
static inquiry prev_clear;

static int gc_traverse(PyObject *self, visitproc visit, void *arg) {
    Tracked *t = find((PyFunctionObject *)self);
    if (t != NULL && t->cinderx_compile != NULL
        && ((PyFunctionObject *)self)->vectorcall != t->previous) {
        Py_VISIT(t->cinderx_compile);
    }
    return prev_traverse(self, visit, arg);
}

static int gc_clear(PyObject *self) {
    Tracked *t = find((PyFunctionObject *)self);
    if (t != NULL) {
        restore(t);
        forget(t);
    }
    return prev_clear(self);
}

static void install_gc_slots(void) {
    /* After CinderX's own (it checks for the originals when it is imported). */
    if (prev_traverse == NULL) {
        prev_traverse = PyFunction_Type.tp_traverse;
        prev_clear = PyFunction_Type.tp_clear;
        PyFunction_Type.tp_traverse = gc_traverse;
        PyFunction_Type.tp_clear = gc_clear;
    }
}

static int watcher(PyFunction_WatchEvent event, PyFunctionObject *func, PyObject *new_value) {
    (void)new_value;
    if (event != PyFunction_EVENT_DESTROY && event != PyFunction_EVENT_MODIFY_CODE) {
        return 0;   /* defaults are read at call time by CinderX's helpers: nothing to undo */
    }
    Tracked *t = find(func);
    if (t == NULL) {
        return 0;
    }
    if (event == PyFunction_EVENT_DESTROY || runs_before_cinderx) {
        /* CinderX's watcher runs next and finds its own entry: it releases its
         * compile (DESTROY) or deopts the function to the interpreter
         * (MODIFY_CODE, CinderX's funcModified), exactly as without armjit. */
        restore(t);
    } else if (func->vectorcall == t->entry) {
        /* CinderX's watcher may already have run and left armjit's entry alone:
         * never hand the function back to code compiled for its old code. */
        func->vectorcall = interp_vc;
    }
    if (event == PyFunction_EVENT_MODIFY_CODE) {
        (void)queue_invalidated(t->token);   /* best effort: Python also checks armjit_is_tracked */
    }
    forget(t);
    return 0;
}

int armjit_watch_init(void *interp_vectorcall, int before_cinderx) {
    PyGILState_STATE g = PyGILState_Ensure();
    if (watcher_id < 0) {
        interp_vc = (vectorcallfunc)interp_vectorcall;
        runs_before_cinderx = before_cinderx;
        watcher_id = PyFunction_AddWatcher(watcher);
        if (watcher_id < 0) {
            PyErr_Clear();
        }
    }
    int id = watcher_id;
    PyGILState_Release(g);
    return id;
}

int armjit_track(void *funcp, void *entry, unsigned long long token, void **previous,
                 void *cinderx_compile) {
    int rc = -1;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *op = (PyObject *)funcp;
    PyObject *cx = (PyObject *)cinderx_compile;
    if (cx != NULL && (!PyObject_IS_GC(cx) || PyUnstable_IsImmortal(cx))) {
        cx = NULL;      /* CinderX does not report immortal compiles either */
    }
    if (watcher_id >= 0 && op != NULL && PyFunction_Check(op)) {
        install_gc_slots();
        PyFunctionObject *f = (PyFunctionObject *)op;
        Tracked *t = find(f);
        if (t == NULL && (table_used + 1) * 4 >= table_cap * 3 && grow() != 0) {
            goto done;
        }
        if (t == NULL) {
            size_t mask = table_cap - 1;
            size_t i = slot_of(f) & mask;
            while (table[i].func != NULL && table[i].func != TOMBSTONE) {
                i = (i + 1) & mask;
            }
            if (table[i].func == NULL) {
                table_used++;
            }
            t = &table[i];
            t->previous = f->vectorcall;
            table_live++;
        }
        /* A function already tracked keeps the vectorcall it had before armjit. */
        t->func = f;
        t->entry = (vectorcallfunc)entry;
        t->token = token;
        t->cinderx_compile = cx;
        if (previous != NULL) {
            *previous = (void *)t->previous;
        }
        __atomic_store_n(&f->vectorcall, (vectorcallfunc)entry, __ATOMIC_SEQ_CST);
        rc = 0;
    }
done:
    PyGILState_Release(g);
    return rc;
}

int armjit_untrack(void *funcp, unsigned long long token) {
    PyGILState_STATE g = PyGILState_Ensure();
    int rc = -1;
    Tracked *t = find((PyFunctionObject *)funcp);
    if (t != NULL && t->token == token) {
        rc = restore(t);
        forget(t);
    }
    PyGILState_Release(g);
    return rc;
}

int armjit_is_tracked(void *funcp, unsigned long long token) {
    PyGILState_STATE g = PyGILState_Ensure();
    Tracked *t = find((PyFunctionObject *)funcp);
    int rc = t != NULL && t->token == token;
    PyGILState_Release(g);
    return rc;
}

size_t armjit_tracked_count(void) {
    return table_live;
}

size_t armjit_pause_all(void) {
    size_t n = 0;
    PyGILState_STATE g = PyGILState_Ensure();
    for (size_t i = 0; i < table_cap; i++) {
        Tracked *t = &table[i];
        if (t->func != NULL && t->func != TOMBSTONE && t->func->vectorcall == t->entry) {
            t->func->vectorcall = interp_vc;
            n++;
        }
    }
    PyGILState_Release(g);
    return n;
}

size_t armjit_resume_all(void) {
    size_t n = 0;
    PyGILState_STATE g = PyGILState_Ensure();
    for (size_t i = 0; i < table_cap; i++) {
        Tracked *t = &table[i];
        if (t->func != NULL && t->func != TOMBSTONE && t->func->vectorcall == interp_vc) {
            t->func->vectorcall = t->entry;
            n++;
        }
    }
    PyGILState_Release(g);
    return n;
}

size_t armjit_drain_invalidated(unsigned long long *tokens, size_t max) {
    PyGILState_STATE g = PyGILState_Ensure();
    size_t n = inv_len < max ? inv_len : max;
    memcpy(tokens, invalidated, n * sizeof(*tokens));
    memmove(invalidated, invalidated + n, (inv_len - n) * sizeof(*tokens));
    inv_len -= n;
    PyGILState_Release(g);
    return n;
}

/* ------------------------------------------------------------ instrumentation */

int armjit_legacy_tracing_active(void) {
    /* What CinderX's hasActiveLegacyTracing() reads as interp->sys_tracing_threads
     * and sys_profiling_threads, from the public thread states. */
    int active = 0;
    PyGILState_STATE g = PyGILState_Ensure();
    PyInterpreterState *interp = PyInterpreterState_Get();
    for (PyThreadState *ts = PyInterpreterState_ThreadHead(interp); ts != NULL;
         ts = PyThreadState_Next(ts)) {
        if (ts->c_tracefunc != NULL || ts->c_profilefunc != NULL) {
            active = 1;
            break;
        }
    }
    PyGILState_Release(g);
    return active;
}

/* ------------------------------------------------------------ start counting */

/* The auto mode's sys.monitoring PY_START callback, in C: the per-code count
 * lives in a code-object extra slot as a countdown, tagged ((n << 1) | 1) so
 * that it is never NULL; NULL means "not seen yet".  Only at the start where
 * the countdown reaches zero is the Python decision function called; it returns
 * sys.monitoring.DISABLE, None (ask again at the next start) or an int k (ask
 * again after k more starts).  Counting in Python cost ~25 us per call of every
 * not-yet-hot function under qemu. */
static Py_ssize_t counter_index = -1;
static PyObject *counter_decide = NULL;
static uintptr_t counter_threshold = 1;
static PyObject *counter_fn = NULL;

static int counter_set(PyObject *code, uintptr_t left) {
    return PyUnstable_Code_SetExtra(code, counter_index, (void *)((left << 1) | 1));
}

static PyObject *armjit_on_start(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 2 || !PyCode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "armjit start counter: expected (code, offset)");
        return NULL;
    }
    PyObject *code = args[0];
    void *extra = NULL;
    if (PyUnstable_Code_GetExtra(code, counter_index, &extra) < 0) {
        return NULL;
    }
    uintptr_t left = extra != NULL ? (uintptr_t)extra >> 1 : counter_threshold;
    if (left > 1) {
        if (counter_set(code, left - 1) < 0) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    PyObject *decide = counter_decide;
    if (decide == NULL) {
        Py_RETURN_NONE;
    }
    Py_INCREF(decide);
    PyObject *res = PyObject_Vectorcall(decide, args, 2, NULL);
    Py_DECREF(decide);
    if (res == NULL) {
        return NULL;
    }
    uintptr_t again = 1;
    if (PyLong_CheckExact(res)) {
        long k = PyLong_AsLong(res);
        Py_DECREF(res);
        if (k == -1 && PyErr_Occurred()) {
            return NULL;
        }
        again = k < 1 ? 1 : (uintptr_t)k;
        res = Py_NewRef(Py_None);
    }
    if (counter_set(code, again) < 0) {
        Py_DECREF(res);
        return NULL;
    }
    return res;
}

static PyMethodDef counter_def = {
    "armjit_on_start", (PyCFunction)(void (*)(void))armjit_on_start, METH_FASTCALL,
    "armjit's PY_START counter (csrc/armjit_shim.c)"};

void *armjit_start_counter(void *decide, unsigned long threshold) {
    PyObject *fn = NULL;
    PyGILState_STATE g = PyGILState_Ensure();
    if (counter_index < 0) {
        counter_index = PyUnstable_Eval_RequestCodeExtraIndex(NULL);
    }
    if (counter_index >= 0) {
        if (counter_fn == NULL) {
            counter_fn = PyCFunction_New(&counter_def, NULL);
        }
        if (counter_fn != NULL) {
            Py_XSETREF(counter_decide, Py_XNewRef((PyObject *)decide));
            counter_threshold = threshold < 1 ? 1 : threshold;
            fn = counter_fn;
        }
    }
    if (fn == NULL) {
        PyErr_Clear();
    }
    PyGILState_Release(g);
    return fn;
}

long long armjit_start_countdown(void *code) {
    /* The countdown of ``code`` (tests): -1 not seen yet, -2 on error. */
    void *extra = NULL;
    long long out;
    PyGILState_STATE g = PyGILState_Ensure();
    if (counter_index < 0 || PyUnstable_Code_GetExtra((PyObject *)code, counter_index, &extra) < 0) {
        PyErr_Clear();
        out = -2;
    } else {
        out = extra == NULL ? -1 : (long long)((uintptr_t)extra >> 1);
    }
    PyGILState_Release(g);
    return out;
}

/* ------------------------------------------------------------ stack-limit check */

#include <link.h>

static uintptr_t thread_pointer(void) {
    uintptr_t tp;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
    return tp;
}

static int find_exe_tls(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    if (info->dlpi_tls_modid != 1) {
        return 0;
    }
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type == PT_TLS) {
            *(const ElfW(Phdr) **)data = &info->dlpi_phdr[i];
            return 1;
        }
    }
    return 0;
}

long long armjit_tstate_tls_offset(void) {
    /* The offset from TPIDR_EL0 of CPython's _Py_tss_tstate: the executable's
     * TLS block (module 1) starts at TP + 16 rounded up to its alignment
     * (aarch64 TLS variant I, initial-exec), and holds the current thread
     * state at one fixed offset in every thread.  Found by the value it holds
     * in this thread; -1 when the interpreter's TLS is not the executable's
     * (a libpython build) or the value is not there exactly once. */
    const ElfW(Phdr) *tls = NULL;
    long long found = -1;
    PyGILState_STATE g = PyGILState_Ensure();
    PyThreadState *ts = PyThreadState_Get();
    dl_iterate_phdr(find_exe_tls, &tls);
    if (tls != NULL && tls->p_align <= 4096) {
        uintptr_t align = tls->p_align ? tls->p_align : 1;
        uintptr_t start = (16 + align - 1) & ~(align - 1);
        uintptr_t tp = thread_pointer();
        int hits = 0;
        for (uintptr_t off = start; off + 8 <= start + tls->p_memsz; off += 8) {
            if (*(PyThreadState **)(tp + off) == ts) {
                found = (long long)off;
                hits++;
            }
        }
        if (hits != 1) {
            found = -1;
        }
    }
    PyGILState_Release(g);
    return found;
}

int armjit_tstate_tls_matches(long long offset) {
    /* In the calling thread: does TP + offset hold its thread state? */
    PyGILState_STATE g = PyGILState_Ensure();
    int ok = offset >= 0 && *(PyThreadState **)(thread_pointer() + (uintptr_t)offset)
                                == PyThreadState_Get();
    PyGILState_Release(g);
    return ok;
}
