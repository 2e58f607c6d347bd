"""armjit in a live CinderX process (target only): compile with armjit, install, run.

CinderX gives no Python API for LIR: it only logs it (cinderx-backend-notes.md
section 6).  :func:`enable` turns CinderX's LIR and asm dumps on, into a log
file of armjit's own, before ``cinderx`` is imported; :func:`compile` then has
CinderX compile the function (HIR, LIR, register allocation), takes exactly
what CinderX logged for that compile (:mod:`armjit.runtime.cinderx_log`),
parses the post-alloc LIR once, lowers it for an address in armjit's code heap
(:class:`armjit.runtime.codemem.CodeHeap`), writes the code (W^X, icache
flush) and points the function's vectorcall at armjit's entry.

What the runtime guarantees, each shown by a target-tier test
(tests/target/test_live_runtime.py):

* **One compile at a time.**  Compiles are serialised by one lock, and the log
  is emptied before CinderX compiles: what is read after is that compile's and
  nothing else (exactly one post-alloc LIR, named as the function, or refuse).
  Code is written and sealed before the vectorcall pointer is swapped, in one
  atomic store: a concurrent caller runs CinderX's code or armjit's, never
  half-written code.
* **Identity.**  Compiled code is shared only between function objects of the
  *same* code object (by identity) and the same globals, as CinderX shares it.
  A C function watcher (csrc/armjit_shim.c), registered before CinderX's,
  hands a function back to CinderX/the interpreter when its ``__code__`` is
  assigned, exactly as CinderX's ``funcModified`` does for its own code.
* **Lifetimes.**  Functions are held weakly; when the last function of a
  compiled code dies, its code is freed (zeroed, and its bytes reused) --
  but never while a frame of any thread still runs its code object (a
  function that calls ``armjit.disable()``, or whose ``__code__`` is assigned
  while it runs): such code waits, intact, until no frame runs it.
  CinderX's own compile is released by CinderX as without armjit (the watcher
  restores CinderX's entry before CinderX's watcher sees the function die).
* **Instrumentation.**  :mod:`armjit.runtime.instrumentation` sends every
  function to the interpreter while a tracer, profiler or other
  ``sys.monitoring`` tool is active, as CinderX does with its own code.
* **Generators.**  A generator or coroutine made by armjit's code resumes
  only in armjit's code, through armjit's own resume entry and GenYieldPoints
  (:mod:`armjit.runtime.genfacts`, offsets checked at every install); such a
  code is freed only once its code object died (a suspended generator holds
  it), never by disable() or the retired-code limit
  (tests/target/test_generators_live.py).
* **Refusal.**  Anything armjit cannot do exactly is refused with a one-line
  :class:`LiveJITError` and the function keeps CinderX's code.

The process facts the LIR does not state (helper addresses, the CodeRuntime of
the function, the deopt trampoline) are learned from this process without any
listing (:mod:`armjit.runtime.process`: ``_cinderx.so``'s symbols plus its load
bias, and CinderX's compiled code of the same function in memory), so CinderX's
asm dump stays off.  ``enable(check_facts=True)`` turns it on and refuses any
compile whose facts differ from the listing's (the target-tier check).
CinderX's own code and metadata for the function stay alive (deopt metadata is
indexed by the LIR's deopt ids, which armjit's code passes unchanged).
"""

from __future__ import annotations

import ctypes
import itertools
import os
import sys
import threading
import time
import types
import weakref
from typing import Dict, List, Optional

from armjit.codegen import abi

try:    # imported now: nothing may be imported between a compile and its log
    from _sha2 import sha256 as _sha256     # (hashlib costs ~0.1 s under qemu)
except ImportError:                          # pragma: no cover (a build without _sha2)
    from hashlib import sha256 as _sha256

from .codemem import AARCH64, CodeHeap, CodeMemoryError
from .process import ProcessFacts, ProcessFactsError


_FLAGS = ("CINDERX_JIT_DUMP_LIR", "CINDERX_JIT_LOG_FILE")

# One lock for compiles, installs, frees and the instrumentation switch.
# Re-entrant: a weakref callback may run inside a compile of the same thread.
_lock = threading.RLock()
_rt: Optional["Runtime"] = None


class LiveJITError(RuntimeError):
    pass


def _one_line(msg: str) -> str:
    return " ".join(str(msg).split())


# ------------------------------------------------------------------ records

class CompiledCode:
    """armjit's code for one (code object, globals): what CinderX shares too."""

    def __init__(self, code, globals_id: int, address: int, size: int, compiled, fullname: str,
                 cinderx_id: int):
        self.code_ref = weakref.ref(code)
        self.key = id(code)                 # its key in Runtime.codes
        # id() of CinderX's CompiledFunction for the same compile.  Its
        # CodeRuntime (deopt metadata, the objects the LIR's constants point
        # at) must outlive every use of armjit's code: every function given
        # this code is registered with that compile (CinderX holds it for the
        # function), never held by armjit itself -- it references the globals,
        # which reference the functions.
        self.cinderx_id = cinderx_id
        self.globals_id = globals_id
        self.address = address
        self.size = size
        self.compiled = compiled            # armjit.codegen CompiledFunction
        self.entry = compiled.vectorcall_entry
        self.fullname = fullname
        self.users: set = set()             # installation tokens
        self.freed = False
        # CinderX's code of the same compile, to know it again (Runtime.revive)
        self.cinderx_start = 0
        self.cinderx_size = 0
        self.cinderx_digest = b""
        # A generator/coroutine: a generator its code created resumes in it
        # (armjit.runtime.genfacts) for as long as it lives, and it holds the
        # code object: the code is freed only when the code object died.
        self.is_gen = False
        self.gen_info: Optional[dict] = None


class Installation:
    """``func``'s vectorcall pointing at a CompiledCode (weakly held function)."""

    def __init__(self, token: int, func, code: CompiledCode, previous: int, on_dead):
        self.token = token
        self.func_ref = weakref.ref(func, lambda _ref, t=token: on_dead(t))
        self.func_id = id(func)
        self.code = code
        self.previous = previous            # the vectorcall before armjit
        self.entry = code.entry

    @property
    def func(self):
        return self.func_ref()

    # compatibility with the first installer's record
    @property
    def compiled(self):
        return self.code.compiled

    @property
    def address(self) -> int:
        return self.code.address

    @property
    def size(self) -> int:
        return self.code.size


class Runtime:
    def __init__(self, log_path: Optional[str]):
        from .cinderx_log import CinderXLog
        self.heap = CodeHeap()
        self.shim = self.heap.shim
        self.log = CinderXLog(log_path)
        self.codes: Dict[int, CompiledCode] = {}            # id(code) -> CompiledCode
        self.installs: Dict[int, Installation] = {}         # token -> Installation
        self.by_func: Dict[int, int] = {}                   # id(func) -> token
        self.tokens = itertools.count(1)
        self.dead: List[int] = []                           # tokens whose function died
        self.busy = False
        self.paused = False
        self.enabled = True
        self.process = None                                 # armjit.runtime.process.ProcessFacts
        self.cinderx_zone = None                            # _cinderx.so's (lo, hi)
        self.check_facts = False                            # compare with asmjit's listing
        self.stack_check = True                             # armjit's C-stack check at entry
        self.facts_checked = 0
        self.compile_ms: List[float] = []                   # per compiled code, whole path
        self.compile_s = 0.0                                # their sum, in seconds
        self.veneers: List[int] = []                        # far-call veneers per compiled code
        self.cinderx_ms: List[float] = []                   # of which CinderX's force_compile
        self.counts = {"compiled": 0, "shared": 0, "freed": 0, "invalidated": 0, "revived": 0}
        self.retired: Dict[int, CompiledCode] = {}          # id(code) -> retired code, oldest first
        self.doomed: List[CompiledCode] = []    # to free once nothing can still run them (_free)
        self.refusals: Dict[str, int] = {}
        self.largest_log = (0, "")                          # one compile's log: (bytes, function)
        ffi, lib = self.shim.ffi, self.shim.lib

        def _probe():
            pass
        slot = lib.armjit_func_vectorcall_slot(ffi.cast("void *", id(_probe)))
        self.interp_vectorcall = ctypes.c_void_p.from_address(
            int(ffi.cast("uintptr_t", slot))).value
        before = "_cinderx" not in sys.modules
        if lib.armjit_watch_init(ffi.cast("void *", self.interp_vectorcall), int(before)) < 0:
            raise LiveJITError("no free CPython function watcher for armjit")

    # -- bookkeeping (under _lock)
    def _on_func_dead(self, token: int) -> None:
        # Runs while the function is being destroyed, possibly inside armjit:
        # queue, and reap now only outside armjit's own work.  At interpreter
        # exit (module globals already cleared) the code goes with the process.
        self.dead.append(token)
        try:
            if sys.is_finalizing() or self.busy or not _lock.acquire(blocking=False):
                return
        except Exception:
            return
        try:
            if not self.busy:
                self.reap()
        finally:
            _lock.release()

    def reap(self) -> None:
        lib, ffi = self.shim.lib, self.shim.ffi
        buf = ffi.new("unsigned long long[64]")
        while True:
            n = lib.armjit_drain_invalidated(buf, 64)
            if not n:
                break
            for i in range(n):
                self.counts["invalidated"] += 1
                self.dead.append(int(buf[i]))
        while self.dead:
            self._drop(self.dead.pop())
        if self.retired:
            self._purge_retired()
        if self.doomed:
            doomed, self.doomed = self.doomed, []
            running = _running_code_ids() if any(not cc.is_gen for cc in doomed) else None
            for cc in doomed:
                self._free(cc, running)

    def _drop(self, token: int) -> None:
        inst = self.installs.pop(token, None)
        if inst is None:
            return
        if self.by_func.get(inst.func_id) == token:
            del self.by_func[inst.func_id]
        cc = inst.code
        cc.users.discard(token)
        if not cc.users:
            self._retire(cc)

    # A code whose last function died is retired, not freed at once: CinderX
    # keeps its own compile of a nested function's code (NestedCompileData)
    # and attaches it to the next function object made from that code without
    # compiling, or logging, anew -- armjit would have no LIR for it.  A
    # retired code is given to such a function when CinderX's compile attached
    # to it is provably the one armjit lowered (Runtime.revive).  At most
    # RETIRED_MAX are kept (their bytes only: the code object is held weakly);
    # the oldest, and any whose code object died, are freed.
    RETIRED_MAX = 64

    def _retire(self, cc: CompiledCode) -> None:
        if cc.freed:
            return
        if self.codes.get(cc.key) is cc:
            del self.codes[cc.key]
        if cc.code_ref() is None or not self.enabled:
            self._free(cc)
            return
        old = self.retired.pop(cc.key, None)
        if old is not None and old is not cc:
            self._free(old)
        self.retired[cc.key] = cc
        while len(self.retired) > self.RETIRED_MAX:
            self._free(self.retired.pop(next(iter(self.retired))))

    def _purge_retired(self) -> None:
        for key, cc in list(self.retired.items()):
            if cc.code_ref() is None:
                del self.retired[key]
                self._free(cc)

    def revive(self, func, cinderx_id: Optional[int]) -> Optional[CompiledCode]:
        """The retired code of ``func``'s code object and globals, when the
        compile CinderX attached to ``func`` (``cinderx_id``) is the one armjit
        lowered it from: the same CompiledFunction object, and CinderX's code
        for ``func`` at the same address with the same size and bytes (its
        CodeRuntime and constants are in them); else None."""
        cc = self.retired.get(id(func.__code__))
        if cc is None or cinderx_id is None or cc.cinderx_id != cinderx_id \
                or cc.code_ref() is not func.__code__ or cc.globals_id != id(func.__globals__):
            return None
        start = _cinderx_code_start(self, func, cc.cinderx_size)
        if start != cc.cinderx_start or \
                _digest(ctypes.string_at(start, cc.cinderx_size)) != cc.cinderx_digest:
            return None
        del self.retired[cc.key]
        self.codes[cc.key] = cc
        self.counts["revived"] += 1
        return cc

    def _free(self, cc: CompiledCode, running: Optional[set] = None) -> None:
        """Release ``cc``'s bytes -- or, while something may still run them,
        keep them intact in :attr:`doomed` for reap() to try again: code whose
        code object a frame of some thread executes (``running``:
        _running_code_ids(), computed here when not given), and a generator's
        code while its code object lives (a suspended generator, which holds
        the code object and is on no frame chain, resumes in it)."""
        if cc.freed:
            return
        if self.codes.get(cc.key) is cc:
            del self.codes[cc.key]
        if self.retired.get(cc.key) is cc:
            del self.retired[cc.key]
        code = cc.code_ref()
        if code is not None and (cc.is_gen or id(code) in (
                _running_code_ids() if running is None else running)):
            # Freed, its bytes would be zeroed under the frame or the suspended
            # generator: SIGILL at the next instruction.  CinderX never frees
            # code under a running frame either.
            if cc not in self.doomed:
                self.doomed.append(cc)
            return
        self.heap.release(cc.address, cc.size)
        cc.freed = True
        self.counts["freed"] += 1

    def free_retired(self) -> None:
        for cc in list(self.retired.values()):
            self._free(cc)

    def installation_of(self, func) -> Optional[Installation]:
        token = self.by_func.get(id(func))
        if token is None:
            return None
        inst = self.installs.get(token)
        if inst is None or inst.func is not func or inst.code.code_ref() is not func.__code__:
            return None
        lib, ffi = self.shim.lib, self.shim.ffi
        if not lib.armjit_is_tracked(ffi.cast("void *", id(func)), token):
            self._drop(token)
            return None
        return inst

    def code_for(self, func) -> Optional[CompiledCode]:
        cc = self.codes.get(id(func.__code__))
        if cc is None or cc.freed:
            return None
        if cc.code_ref() is not func.__code__ or cc.globals_id != id(func.__globals__):
            return None
        return cc

    def install(self, func, cc: CompiledCode) -> Installation:
        lib, ffi = self.shim.lib, self.shim.ffi
        old = self.by_func.get(id(func))
        if old is not None:
            self._drop(old)
        token = next(self.tokens)
        prev = ffi.new("void **")
        if lib.armjit_track(ffi.cast("void *", id(func)), ffi.cast("void *", cc.entry),
                            token, prev, ffi.cast("void *", cc.cinderx_id)) != 0:
            raise LiveJITError(f"{func.__qualname__}: the C shim could not track the function")
        inst = Installation(token, func, cc, int(ffi.cast("uintptr_t", prev[0])),
                            self._on_func_dead)
        cc.users.add(token)
        self.installs[token] = inst
        self.by_func[id(func)] = token
        return inst

    def uninstall_all(self) -> int:
        lib, ffi = self.shim.lib, self.shim.ffi
        n = 0
        for token, inst in list(self.installs.items()):
            func = inst.func
            if func is not None and lib.armjit_untrack(ffi.cast("void *", id(func)), token) == 1:
                n += 1
            self._drop(token)
        return n

    def refuse(self, reason: str) -> LiveJITError:
        """Count the refusal by its reason ("module:qualname: reason" -> reason)."""
        key = reason.split(": ", 1)[-1].strip()[:80]
        self.refusals[key] = self.refusals.get(key, 0) + 1
        return LiveJITError(reason)


# ------------------------------------------------------------------ enable

def enable(log_file: Optional[str] = None, check_facts: bool = False,
           stack_check: bool = True) -> str:
    """Arrange for CinderX to log LIR and asm where armjit reads them.

    Must run before ``cinderx`` is imported: CinderX reads its flags once, at
    import (``jit::initialize``); it then imports ``cinderx.jit`` itself.
    Returns the log file's path.  ``check_facts``: CinderX also logs its asm
    listing, and every compile's process facts must equal the listing's
    (slower: a check, not a mode to run in).  ``stack_check``: armjit's code
    checks the C stack at its vectorcall entry and raises RecursionError as
    the interpreter does (CinderX's code has no such check and overflows the
    C stack on deep recursion); False leaves it out, as CinderX does.
    """
    global _rt
    import platform
    if platform.machine() not in AARCH64:
        raise LiveJITError(f"armjit.enable(): armjit runs only on aarch64, this machine is "
                           f"{platform.machine()} (use 'python -m armjit.target run -- ...')")
    with _lock:
        if _rt is not None:
            if not _rt.enabled:
                _rt.enabled = True
                _rt.log.unmute()
                from . import instrumentation
                instrumentation.install(_rt)
            return _rt.log.path
        if "cinderx" in sys.modules or "_cinderx" in sys.modules:
            if not all(os.environ.get(f) for f in _FLAGS):
                raise LiveJITError("armjit.enable() must be called before cinderx is imported "
                                   "(CinderX reads its dump flags once, at import)")
            log_file = os.environ["CINDERX_JIT_LOG_FILE"]
            if check_facts and not os.environ.get("CINDERX_JIT_DUMP_ASM"):
                raise LiveJITError("armjit.enable(check_facts=True) must be called before "
                                   "cinderx is imported (CinderX's asm dump is off)")
        try:
            rt = Runtime(log_file)
        except CodeMemoryError as e:
            raise LiveJITError(_one_line(e)) from None
        rt.check_facts = check_facts
        rt.stack_check = stack_check
        if "_cinderx" not in sys.modules:
            os.environ.update({"CINDERX_JIT_DUMP_LIR": "1",
                               # no HIR comments: ~30 % less text for CinderX to
                               # format and armjit to read (tests/codegen/test_no_origin.py)
                               "CINDERX_JIT_DUMP_LIR_ORIGIN": "0",
                               "CINDERX_JIT_LOG_FILE": rt.log.path,
                               # armjit pauses CinderX itself under tracing (instrumentation.py)
                               "CINDERX_JIT_SUPPORT_INSTRUMENTATION": "0"})
            if check_facts:
                os.environ["CINDERX_JIT_DUMP_ASM"] = "1"
            else:
                os.environ.pop("CINDERX_JIT_DUMP_ASM", None)
        _rt = rt
        from . import instrumentation
        instrumentation.install(rt)
    # armjit is CinderX's back end: bring CinderX up now, with the flags just
    # set (a program that never imports cinderx itself still gets compiled).
    try:
        import cinderx.jit  # noqa: F401
    except ImportError as e:
        raise LiveJITError(f"armjit.enable(): cannot import cinderx.jit ({e})") from None
    return rt.log.path


_compile_path_loaded = False


def load_compile_path() -> None:
    """Import the code generator and everything a compile imports (once).

    It is imported at the first compile, not at :func:`enable`: a program that
    compiles nothing does not pay ~0.6 s for it under qemu.  Auto mode never
    makes that first compile while the thread is inside an import
    (:func:`importing_in_this_thread`): a module the program is half-way
    through importing would be imported again from armjit's code -- in the
    torch workload, pdb's ``import asyncio`` was under way when the first
    compile imported (through the corpus tool, then) asyncio: the nested import
    failed half-way and left ``asyncio.base_events`` unbound, and the
    program's import failed with a NameError.  The compile path imports only
    armjit's own modules and standard modules at the top of theirs."""
    global _compile_path_loaded
    if _compile_path_loaded:
        return
    from armjit import codegen  # noqa: F401
    from armjit.cinderxlog import split_sections  # noqa: F401
    from armjit.codegen.layout import entry_plan  # noqa: F401
    from armjit.lir import parse  # noqa: F401
    from armjit.runtime import funcmeta  # noqa: F401
    from armjit.runtime import genfacts  # noqa: F401
    _compile_path_loaded = True


def compile_path_loaded() -> bool:
    return _compile_path_loaded


def importing_in_this_thread() -> bool:
    """True inside an import in this thread (a frame of importlib's bootstrap
    on the stack: module bodies run under _call_with_frames_removed)."""
    f = sys._getframe(1)
    while f is not None:
        if f.f_code.co_filename.startswith("<frozen importlib._bootstrap"):
            return True
        f = f.f_back
    return False


def _running_code_ids() -> set:
    """id() of the code object of every frame of every thread (the Python
    frame chains: CinderX's JIT frames are linked into them too, which is what
    tracebacks and sys._getframe see)."""
    ids = set()
    for top in sys._current_frames().values():
        f = top
        while f is not None:
            ids.add(id(f.f_code))
            f = f.f_back
    return ids


def runtime() -> "Runtime":
    if _rt is None or not _rt.enabled:
        raise LiveJITError("call armjit.enable() first (before importing cinderx)")
    return _rt


def unsupported(code) -> Optional[str]:
    """Why armjit never installs code for ``code`` (None when it may)."""
    flags = code.co_flags
    if not flags & abi.CO_OPTIMIZED:
        return "module and class bodies are not compiled (no CO_OPTIMIZED)"
    if flags & abi.CI_CO_STATICALLY_COMPILED:
        return "static-entry (Static Python) functions are not implemented"
    return None


# ------------------------------------------------------------------ compile

def compile(func) -> Installation:
    """Compile ``func`` with armjit (CinderX's front end, armjit's back end) and install it."""
    rt = runtime()
    if not isinstance(func, types.FunctionType):
        raise LiveJITError(f"{func!r} is not a Python function")
    why = unsupported(func.__code__)
    if why:
        raise rt.refuse(f"{func.__qualname__}: {why}")
    with _lock:
        rt.busy = True
        try:
            rt.reap()
            if rt.paused:
                raise LiveJITError(f"{func.__qualname__}: tracing or profiling is active; "
                                   "armjit leaves functions to the interpreter until it stops")
            inst = rt.installation_of(func)
            if inst is not None:
                return inst
            cc = rt.code_for(func)
            if cc is not None and _cinderx_compile_of(rt, func) == cc.cinderx_id:
                rt.counts["shared"] += 1
            else:
                revived = None
                if cc is None and id(func.__code__) in rt.retired:
                    # only a compile CinderX attached by itself (never compile here:
                    # its log would be lost)
                    import cinderx.jit as jit
                    cx = jit.get_compiled_function(func) if jit.is_jit_compiled(func) else None
                    revived = rt.revive(func, None if cx is None else id(cx))
                cc = revived or _compile_code(rt, func)
            return rt.install(func, cc)
        finally:
            rt.busy = False
            rt.reap()


def leave_to_cinderx(func) -> bool:
    """Give ``func`` CinderX's own code (asmjit's), as CinderX's auto mode
    would: for what armjit does not install (static-entry functions).  Under the compile lock, with what CinderX logs
    for it discarded.  False when CinderX refuses it too."""
    import cinderx.jit as jit
    rt = runtime()
    with _lock:
        if rt.paused or rt.busy:
            return False
        rt.busy = True
        try:
            rt.log.attach()
            rt.log.take()
            ok = bool(jit.is_jit_compiled(func) or _force_compile(jit, func))
            rt.log.take()
            return ok
        finally:
            rt.busy = False


def _force_compile(jit, func) -> bool:
    """CinderX's force_compile; False where CinderX refuses by raising (an
    async generator: RuntimeError PYJIT_RESULT_CANNOT_SPECIALIZE)."""
    try:
        return bool(jit.force_compile(func))
    except RuntimeError:
        return False


def _cinderx_compile_of(rt: Runtime, func) -> Optional[int]:
    """Register ``func`` with CinderX's compile of its code (CinderX attaches a
    cached compile of the same code and globals without compiling or logging
    anew) and return the compile's id()."""
    import cinderx.jit as jit
    rt.log.attach()
    if not jit.is_jit_compiled(func) and not _force_compile(jit, func):
        return None
    rt.log.take()
    cx = jit.get_compiled_function(func)
    return None if cx is None else id(cx)


def _compile_code(rt: Runtime, func) -> CompiledCode:
    import cinderx.jit as jit

    t0 = time.perf_counter()
    name = f"{func.__module__}:{func.__qualname__}"
    if not rt.log.attach():
        raise rt.refuse(f"{name}: CinderX's log file is not open (was armjit.enable() called "
                        "before cinderx was imported?)")
    rt.log.take()                                   # whatever was logged before is not ours
    if jit.is_jit_compiled(func):
        # CinderX attached a compile of this code to the function already (a
        # nested function, CinderX's reoptFunc at creation): release it so that
        # CinderX compiles, and logs, anew.
        jit.force_uncompile(func)
    if not _force_compile(jit, func):
        raise rt.refuse(f"{name}: CinderX refused to compile it")
    # Nothing may run between the compile and reading its log: no import, no
    # Python function that a sys.monitoring hook could compile re-entrantly.
    try:
        return _lower_and_write(rt, jit, func, name, t0)
    except Exception:
        raise                   # a refusal: the function keeps CinderX's code
    except BaseException:
        # KeyboardInterrupt, SystemExit: the program gets it; the function goes
        # back to the interpreter, so that it is compiled at a later call.
        jit.force_uncompile(func)
        raise


_VENEER = (0x58000050).to_bytes(4, "little") + (0xD61F0200).to_bytes(4, "little")   # ldr x16,#8; br x16


_REENTRY_HEAD = (0xA9BF7BFD).to_bytes(4, "little") + (0x910003FD).to_bytes(4, "little")
# stp x29, x30, [sp, #-16]!; mov x29, sp -- the re-entry and the vectorcall
# entry both begin so (gen_asm.cpp:1447-1480)


def _cinderx_code_start(rt: Runtime, func, size: int) -> Optional[int]:
    """Where CinderX's code for ``func`` starts: its vectorcall entry (the
    function's vectorcall slot, just set by force_compile) minus the 12-byte
    re-entry, checked by the two entries' first words."""
    from .install import vectorcall_slot
    shim, slot = vectorcall_slot(func)
    entry = int(shim.ffi.cast("uintptr_t", shim.ffi.cast("void **", slot)[0]))
    start = entry + abi.REENTRY_OFFSET
    if size < 24 or ctypes.string_at(start, 8) != _REENTRY_HEAD \
            or ctypes.string_at(entry, 8) != _REENTRY_HEAD:
        return None
    return start


def _check_facts(rt: Runtime, name: str, facts: dict, asm, sections, binary: bytes,
                 start: int) -> None:
    """check_facts mode: the facts learned without the listing must be the listing's."""
    from armjit.cinderxlog import asm_address_range, listing_facts
    for tname, attr in (("deopt_trampoline", "listing_trampoline"),
                        ("deopt_trampoline_generators", "listing_trampoline_gen")):
        tramp = [asm_address_range(s.text)[0] for s in sections
                 if s.kind == "asm" and s.name == tname]
        if tramp:
            setattr(rt, attr, tramp[0])
    gen = "gen_yield_records" in facts
    listing = listing_facts(asm.text, binary, start,
                            getattr(rt, "listing_trampoline_gen" if gen else "listing_trampoline",
                                    None))
    for key, value in listing.items():
        if key == "deopt_trampoline" and "code_rt" not in listing:
            continue                # only a function with deopt exits branches to it
        mine = facts.get(key)
        if key == "gen_yield_points" and isinstance(mine, list):
            # the listing's are in code order, armjit's in LIR order (by deopt index)
            mine, value = sorted(mine), sorted(value)
        if mine != value:
            raise rt.refuse(f"{name}: process fact {key} is {_hex(facts.get(key))} but "
                            f"CinderX's listing says {_hex(value)}")
    rt.facts_checked += 1


def _digest(data: bytes) -> bytes:
    return _sha256(data).digest()


def _hex(v) -> str:
    return hex(v) if isinstance(v, int) else repr(v)


def loop_blocks(fn) -> set:
    """Ids of the blocks on a cycle of the CFG (a strongly connected component
    of more than one block, or a block that branches to itself): Tarjan's
    algorithm, iteratively."""
    succs = {b.id: b.succs for b in fn.blocks}
    index, low, on_stack, stack, out = {}, {}, set(), [], set()
    counter = 0
    for root in succs:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            nxt = succs.get(v, ())
            if i < len(nxt):
                work.append((v, i + 1))
                w = nxt[i]
                if w not in succs:
                    continue
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in succs.get(v, ()):
                    out.update(comp)
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
    return out


LOOP_WEIGHT = 16        # a call site in a loop counts as this many outside one
COLD_WEIGHT = 0         # ... in a .coldtext block (exceptions, rare paths): not at all


def call_zone(rt: Runtime, fn, facts: dict):
    """The code heap zone (armjit.runtime.codemem) for a function: the object
    that more of its absolute call and branch targets lie in -- CinderX's
    ``_cinderx.so`` (helpers, and the deopt trampoline in CinderX's code next
    to it) or the executable holding the C API (None, the default).  Every
    target outside the zone costs a veneer (ldr x16, #8; br x16; under qemu an
    indirect branch is a lookup, not a chained jump), so the zone with more
    targets leaves fewer of them; a site in a loop (:func:`loop_blocks`)
    weighs :data:`LOOP_WEIGHT`, one in a cold block nothing."""
    if rt.cinderx_zone is None:
        from .codemem import _library_range
        rt.cinderx_zone = _library_range(os.path.basename(sys.modules["_cinderx"].__file__)) \
            or (0, 0)
    lo, hi = rt.cinderx_zone
    reach = 1 << 27

    def near(t):
        return t is not None and hi - reach < t < lo + reach
    from armjit.lir.model import Imm
    inside = sum(near(facts.get(k)) for k in ("kw_helper", "argcount_helper"))
    outside = 0                                 # a tie goes to the C API's zone
    inside += near(facts.get("deopt_trampoline")) if "code_rt" in facts else 0
    loops = loop_blocks(fn)
    for b in fn.blocks:
        w = COLD_WEIGHT if b.section else LOOP_WEIGHT if b.id in loops else 1
        if not w:
            continue
        for ins in b.instructions:
            op = ins.opcode
            if op == "Call" or op == "Branch":
                t = ins.inputs[0]
                if t.__class__ is Imm:
                    if near(t.value):
                        inside += w
                    else:
                        outside += w
            elif op == "LoadThreadState":
                outside += w
    return rt.cinderx_zone if inside > outside else None


def _count_veneers(code: bytes) -> int:
    """Far-call veneers in ``code`` (helpers beyond bl reach of the code heap)."""
    n, k = 0, code.find(_VENEER)
    while k >= 0:
        n += k % 4 == 0
        k = code.find(_VENEER, k + 4)
    return n


def _lower_and_write(rt: Runtime, jit, func, name: str, t0: float) -> CompiledCode:
    load_compile_path()
    from armjit import codegen
    from armjit.cinderxlog import split_sections
    from armjit.codegen.layout import entry_plan
    from armjit.runtime.funcmeta import function_meta
    from armjit.lir import parse
    t1 = time.perf_counter()
    text = rt.log.take()
    if len(text) > rt.largest_log[0]:
        rt.largest_log = (len(text), name)
    sections = list(split_sections(text))
    lirs = [s for s in sections if s.kind == "lir" and s.stage == "postalloc"]
    asms = [s for s in sections if s.kind == "asm"
            and s.name not in ("deopt_trampoline", "deopt_trampoline_generators")]
    if not lirs and not asms:
        # CinderX attached a compile of this code it already had: the one
        # armjit lowered before, when the code is retired (Runtime.revive)
        cx = jit.get_compiled_function(func)
        revived = rt.revive(func, None if cx is None else id(cx))
        if revived is not None:
            return revived
    if not lirs:
        raise rt.refuse(f"{name}: CinderX logged no LIR: it reused a compile of this code "
                        "that other functions (not compiled by armjit) still hold")
    if len(lirs) != 1 or len(asms) != (1 if rt.check_facts else 0):
        raise rt.refuse(f"{name}: CinderX logged {len(lirs)} LIR dumps and {len(asms)} "
                        f"listings during this compile, expected one LIR dump")
    lir = lirs[0]
    if not lir.name.endswith(":" + func.__qualname__):
        raise rt.refuse(f"{name}: the LIR CinderX logged is for {lir.name}")
    size = jit.get_compiled_size(func)
    start = _cinderx_code_start(rt, func, size)
    if start is None:
        raise rt.refuse(f"{name}: CinderX's code for it is not where its vectorcall entry says")
    binary = ctypes.string_at(start, size)
    meta = function_meta(jit, func, start, size, None)
    try:
        if rt.process is None:
            rt.process = ProcessFacts(sys.modules["_cinderx"].__file__)
        is_gen = bool(meta["flags"] & abi.CO_FLAGS_ANY_GENERATOR)
        facts = rt.process.function_facts(entry_plan(meta), binary, start, generator=is_gen)
        if rt.stack_check:
            sc = rt.process.stack_check(rt.shim)
            if sc is not None:
                facts["stack_check"] = sc
    except (ProcessFactsError, OSError, ImportError) as e:
        raise rt.refuse(f"{name}: {_one_line(e)}") from None
    if facts.get("deopt_trampoline") is not None:
        meta["deopt_trampoline"] = facts["deopt_trampoline"]
    else:
        meta.pop("deopt_trampoline", None)
    cx = jit.get_compiled_function(func)
    if cx is None:
        raise rt.refuse(f"{name}: CinderX's compile is not attached to the function")
    try:
        fn = parse(lir.text)
    except Exception as e:
        raise rt.refuse(f"{name}: armjit refused: {type(e).__name__}: {_one_line(e)}"[:400]) \
            from None
    if is_gen:
        # armjit's own GenYieldPoints and resume entry, every offset checked
        # against CinderX's code and data (armjit.runtime.genfacts)
        from .genfacts import GenFactsError, check_generator
        try:
            facts.update(check_generator(fn, binary, start, rt.process.gen_alloc_helper, id(cx),
                                         ctypes.string_at, facts.get("code_rt")))
        except GenFactsError as e:
            raise rt.refuse(f"{name}: generator: {_one_line(e)}") from None
    if rt.check_facts:
        _check_facts(rt, name, facts, asms[0], sections, binary, start)
    try:
        # Assemble for where the code will live (direct bl reach, adr/adrp),
        # then write it there; a rare overflow of the chosen room picks again.
        zone = call_zone(rt, fn, facts)
        address, room = rt.heap.place(2 * size + 256, zone)
        compiled = codegen.compile_function(fn, meta, facts, address)
        if len(compiled.code) > room:
            address, room = rt.heap.place(len(compiled.code), zone)
            compiled = codegen.compile_function(fn, meta, facts, address)
        rt.heap.commit(address, compiled.code)
    except CodeMemoryError as e:
        raise rt.refuse(f"{name}: {_one_line(e)}") from None
    except Exception as e:      # a refusal of the code generator: keep CinderX's code
        raise rt.refuse(f"{name}: armjit refused: {type(e).__name__}: {_one_line(e)}"[:400]) \
            from None
    if jit.get_compiled_function(func) is not cx:
        rt.heap.release(address, len(compiled.code))
        raise rt.refuse(f"{name}: CinderX's compile is not attached to the function")
    cc = CompiledCode(func.__code__, id(func.__globals__), address, len(compiled.code),
                      compiled, name, id(cx))
    cc.cinderx_start, cc.cinderx_size, cc.cinderx_digest = start, size, _digest(binary)
    cc.is_gen = is_gen
    if is_gen:
        # where a generator of this code keeps its footer pointer, armjit's
        # resume entry and own GenYieldPoints (tests, armjit.verify)
        cc.gen_info = {"gi_jit_data_offset": facts["gi_jit_data_offset"],
                       "resume_entry": address + compiled.labels["gen_resume_entry"],
                       "yield_points": [p for p, _ in compiled.yield_points],
                       "cinderx_yield_points": list(facts["gen_yield_points"])}
    rt.codes[cc.key] = cc
    rt.counts["compiled"] += 1
    t2 = time.perf_counter()
    rt.compile_ms.append((t2 - t0) * 1e3)
    rt.compile_s += t2 - t0
    rt.veneers.append(_count_veneers(compiled.code))
    rt.cinderx_ms.append((t1 - t0) * 1e3)
    return cc


# ------------------------------------------------------------------ off-switch, stats

def disable() -> int:
    """Stop auto mode, give every installed function back its previous code
    (CinderX's), free armjit's code and stop CinderX's logging.  Returns the
    number of functions restored.  :func:`enable` or ``armjit.enable()`` turns
    armjit on again; functions are then compiled anew."""
    from . import auto, instrumentation
    auto.stop()
    if _rt is None:
        return 0
    with _lock:
        rt = _rt
        rt.busy = True
        try:
            rt.reap()
            n = rt.uninstall_all()
            rt.free_retired()
            rt.enabled = False
            rt.log.take()
            rt.log.mute()
            instrumentation.uninstall()
            if rt.paused:
                instrumentation.resume_cinderx(rt)
                rt.paused = False
        finally:
            rt.busy = False
        return n


def stats() -> dict:
    """Counters of the live back end (see README)."""
    from . import auto
    if _rt is None:
        return {"enabled": False}
    with _lock:
        rt = _rt
        if not rt.busy:
            rt.reap()
        ms = sorted(rt.compile_ms)
        cx = sorted(rt.cinderx_ms)
        med = (lambda v: v[len(v) // 2] if v else None)
        lib = rt.shim.lib
        return {
            "enabled": rt.enabled,
            "paused": rt.paused,
            "compiled": rt.counts["compiled"],
            "shared": rt.counts["shared"],
            "installed_functions": len(rt.installs),
            "tracked_functions": int(lib.armjit_tracked_count()),
            "live_codes": len(rt.codes),
            "freed_codes": rt.counts["freed"],
            "retired_codes": len(rt.retired),
            "codes_awaiting_free": len(rt.doomed),
            "revived_codes": rt.counts["revived"],
            "invalidated": rt.counts["invalidated"],
            "code_bytes": rt.heap.code_bytes,
            "code_bytes_allocated": rt.heap.used_bytes,
            "code_pages_bytes": rt.heap.committed_pages_bytes,
            "reserved_bytes": rt.heap.reserved_bytes,
            "arenas": len(rt.heap.arenas),
            "log_bytes": rt.log.size(),
            "log_bytes_consumed": rt.log.consumed,
            "log_peak_bytes": rt.log.peak,
            "log_largest_compile": list(rt.largest_log),
            "compile_ms_median": med(ms),
            "compile_ms_max": ms[-1] if ms else None,
            "cinderx_ms_median": med(cx),
            "veneers_per_code_median": med(sorted(rt.veneers)),
            "veneers_total": sum(rt.veneers),
            "heap_arenas": [hex(a) for a, _ in rt.heap.arenas],
            "refusals": dict(rt.refusals),
            "auto": auto.stats(),
        }
