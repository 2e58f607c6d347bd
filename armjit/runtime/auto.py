"""armjit as an automatic back end: compile every plain function after N calls (target only).

``armjit.enable(auto=True, after_calls=N)`` (before ``cinderx`` is imported)
registers a ``sys.monitoring`` (PEP 669) PY_START callback under a tool id of
armjit's own.  The callback is the C shim's start counter
(``armjit_start_counter``, csrc/armjit_shim.c): it counts starts per code
object in a code extra slot and calls :func:`_on_start` only at the N-th start
of a code (and later only when asked to), so a function that never gets hot
costs one C call per start, not a Python call (~25 us under qemu).
:func:`_on_start` finds the function object of the started frame, hands it to
:func:`armjit.runtime.live.compile` (CinderX's front end, armjit's back end)
and returns ``sys.monitoring.DISABLE`` for that code, so the hook costs
nothing for it afterwards (calls then go through the function's vectorcall to
armjit's code and raise no PY_START at all).  The default N is CinderX's own
``auto()`` threshold, 1000: code compiled after the interpreter has
specialised the byte code is faster (bench/RESULTS.md, live_overhead).

Design points, each checked on the target (tests/target/test_auto.py):

* CinderX pauses its JIT -- and refuses every compile -- while any
  ``sys.monitoring`` callback is registered, unless its
  ``CINDERX_JIT_SUPPORT_INSTRUMENTATION`` flag is off (``toggleJitBasedOn
  InstrumentationState`` in Jit/pyjit.cpp).  :func:`prepare_env` turns it off;
  like the dump flags it must be set before ``cinderx`` is imported.
* The callback gets the code object, not the function.  CPython 3.14's frame
  has no Python-level link to its function, so :func:`function_of` reads the
  interpreter frame's ``f_funcobj`` (PyFrameObject.f_frame -> _PyInterpreterFrame
  .f_funcobj, a tagged _PyStackRef) and accepts it only when the pointed-to
  object's type is ``types.FunctionType`` and its ``__code__`` is the started
  code.  The layout is self-checked once at start; if the check fails the
  lookup falls back to the qualified name in the frame's globals (which cannot
  find nested functions).
* Events are never delivered while a monitoring callback runs (CPython counts
  ``tstate->tracing``), so compiling inside the callback cannot recurse; code of
  armjit, cinderx and cffi is disabled on its first start all the same.
* Nested functions (``<locals>`` in the qualname: closures, inner defs) have
  one code and many function objects.  Their code is not disabled after the
  first compile: each later function object is seen at its first call and gets
  the already compiled code (``live.compile`` shares it, as CinderX does per
  code and globals).  A code that keeps starting after all its function
  objects were installed is disabled after ``NESTED_LIMIT`` such starts.
* Module and class bodies (no CO_OPTIMIZED) are disabled at any start, before
  anything else is looked at, and never sent to CinderX.  Generators and
  coroutines are compiled like any function (armjit.runtime.genfacts); what
  :func:`armjit.runtime.live.unsupported` names (static-entry functions) gets
  CinderX's own code.  An async generator, which CinderX does not compile,
  is refused and runs interpreted, as under CinderX's auto mode.
* Counts are kept per code object by identity (equal code objects of two
  files are two codes), dropped when the code object dies.
* Refusals go to :data:`refused` as ``(fullname, message)`` and the code is
  disabled; a KeyboardInterrupt or SystemExit raised during a compile (a
  signal arriving then) propagates to the program, as it would have at that
  point of the program without armjit; the code is compiled at a later start.
* While tracing or profiling is active (:mod:`armjit.runtime.instrumentation`)
  nothing is compiled and nothing is disabled: counting goes on.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
import types
import weakref
from typing import Dict, List, Optional, Tuple

TOOL_NAME = "armjit"
NESTED_LIMIT = 64
RECOMPILE_LIMIT = 3         # compiles of one code object (freed in between) before giving up
BUDGET_ALLOWANCE_S = 1.0    # compile seconds allowed beyond the budget (the first compile,
                            # which sets up CinderX's and armjit's first-use state, is not counted)

refused: List[Tuple[str, str]] = []     # (module:qualname, reason)
compiled: List[str] = []                # compiled by armjit (one per code)
shared: List[str] = []                  # further function objects given an existing code
_counts: Dict[int, list] = {}            # id(code) -> [starts, weakref to the code, step]
_recompiles: Dict[int, int] = {}         # id(code) -> armjit compiles (dropped with _counts)
_outcome: Dict[int, str] = {}            # id(code) -> "armjit" or why not (hot codes only)
CO_OPTIMIZED = 0x1
_config: dict = {}


def prepare_env() -> None:
    """Flags CinderX must read at import for auto mode (see module docstring)."""
    if "cinderx" in sys.modules or "_cinderx" in sys.modules:
        if os.environ.get("CINDERX_JIT_SUPPORT_INSTRUMENTATION") != "0":
            from .live import LiveJITError
            raise LiveJITError("armjit.enable(auto=True) must be called before cinderx is "
                               "imported (CinderX pauses its JIT under sys.monitoring "
                               "unless CINDERX_JIT_SUPPORT_INSTRUMENTATION=0 at import)")
        return
    os.environ["CINDERX_JIT_SUPPORT_INSTRUMENTATION"] = "0"


# ------------------------------------------------------------ frame -> function

_FUNCTION_TYPE = id(types.FunctionType)
_F_FRAME = 2 * ctypes.sizeof(ctypes.c_void_p) + ctypes.sizeof(ctypes.c_void_p)  # after HEAD, f_back
_F_FUNCOBJ = 2 * ctypes.sizeof(ctypes.c_void_p)        # after f_executable, previous
_TAG_BITS = 3


def _function_of_raw(frame) -> Optional[types.FunctionType]:
    iframe = ctypes.c_void_p.from_address(id(frame) + _F_FRAME).value
    if not iframe:
        return None
    obj = (ctypes.c_size_t.from_address(iframe + _F_FUNCOBJ).value) & ~_TAG_BITS
    if not obj or ctypes.c_void_p.from_address(obj + ctypes.sizeof(ctypes.c_ssize_t)).value \
            != _FUNCTION_TYPE:
        return None
    return ctypes.cast(obj, ctypes.py_object).value


def _function_by_name(frame) -> Optional[types.FunctionType]:
    code = frame.f_code
    if "<locals>" in code.co_qualname:
        return None
    obj = frame.f_globals
    parts = code.co_qualname.split(".")
    obj = obj.get(parts[0])
    for p in parts[1:]:
        obj = getattr(obj, "__dict__", {}).get(p)
    return obj if isinstance(obj, types.FunctionType) else None


def _probe_layout() -> bool:
    def probe():
        return _function_of_raw(sys._getframe())
    try:
        import sysconfig
        return (sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 14)
                and not sysconfig.get_config_var("Py_GIL_DISABLED") and probe() is probe)
    except Exception:
        return False


def function_of(frame) -> Optional[types.FunctionType]:
    """The function object running ``frame`` (None when it cannot be found safely)."""
    func = _function_of_raw(frame) if _config.get("raw") else _function_by_name(frame)
    if type(func) is types.FunctionType and func.__code__ is frame.f_code:
        return func
    return None


# ------------------------------------------------------------------ the hook

_skip_cache: list = [None, ()]          # (modules seen, directories)


def _skip_dirs() -> Tuple[str, ...]:
    """armjit's, cinderx's and cffi's directories (recomputed only when one of
    the latter two has been imported since)."""
    seen = tuple(name in sys.modules for name in ("cinderx", "cffi"))
    if _skip_cache[0] == seen:
        return _skip_cache[1]
    dirs = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]   # armjit/
    for name in ("cinderx", "cffi"):
        mod = sys.modules.get(name)
        if mod is not None and getattr(mod, "__file__", None):
            dirs.append(os.path.dirname(os.path.abspath(mod.__file__)))
    _skip_cache[:] = [seen, tuple(d + os.sep for d in dirs)]
    return _skip_cache[1]


def _fullname(code) -> str:
    return f"{code.co_filename}:{code.co_qualname}"


def _on_start(code, offset):
    """The decision, called by the C start counter at a code's ``after_calls``-th
    start and then whenever the previous decision asked: returns DISABLE, None
    (ask again at the next start) or an int k (ask again after k more starts)."""
    try:
        key = id(code)
        entry = _counts.get(key)
        if entry is not None and entry[1]() is code:
            entry[0] += entry[2]        # the starts since the last decision
        else:
            # [starts, the code, starts until the next decision]
            entry = _counts[key] = [_after, weakref.ref(code, lambda _r, k=key: _forget(k)), 1]
        out = _decide(code, entry)
    except Exception as e:              # a refusal (or interpreter shutdown): never escapes
        try:
            refused.append((_fullname(code), f"{type(e).__name__}: {e}"[:300]))
        except Exception:
            pass
        return _DISABLE
    entry[2] = out if out.__class__ is int else 1
    return out


def _forget(key: int) -> None:
    _counts.pop(key, None)
    _recompiles.pop(key, None)
    _outcome.pop(key, None)


def _reason(message: str) -> str:
    """A refusal's reason without the function's name (for counting by reason)."""
    parts = message.split(": ", 1)
    return parts[1] if len(parts) == 2 and ":" in parts[0] else message


def _decide(code, entry):
    from .live import (LiveJITError, _rt, compile as live_compile, compile_path_loaded,
                       importing_in_this_thread, leave_to_cinderx, unsupported)
    if not code.co_flags & CO_OPTIMIZED:
        return _DISABLE                 # module and class bodies: CinderX does not compile them
    if code.co_filename.startswith(_skip_dirs()):
        return _DISABLE                 # armjit, cinderx, cffi
    why = unsupported(code)
    n = entry[0]
    if _rt is None or not _rt.enabled:
        return _DISABLE
    if _rt.paused or _rt.busy:
        # tracing: the interpreter runs it; or armjit is compiling (in this
        # thread, re-entrantly, or in another): compile at a later start
        return None
    cx = sys.modules.get("cinderx.jit")
    if cx is None or getattr(getattr(cx, "__spec__", None), "_initializing", False):
        return None                     # cinderx is being imported: compile at a later start
    if not compile_path_loaded() and importing_in_this_thread():
        # armjit's first compile imports its code generator: never in the middle
        # of one of the program's imports (live.load_compile_path)
        _config["deferred_in_import"] = _config.get("deferred_in_import", 0) + 1
        return IMPORT_RETRY
    budget = _config.get("budget")
    if budget is not None and _rt.compile_ms and \
            _rt.compile_s - _rt.compile_ms[0] / 1e3 > \
            budget * (time.perf_counter() - _config["t0"]) + BUDGET_ALLOWANCE_S:
        # Over the compile budget: look again after as many more starts (a
        # code that keeps starting is hot, and is looked at again sooner in
        # time than one that is not).
        _config["deferred"] = _config.get("deferred", 0) + 1
        return n
    frame = sys._getframe(2)            # _decide <- _on_start <- the started frame
    if frame.f_code is not code:
        refused.append((_fullname(code), "started frame not found"))
        _outcome[id(code)] = "refused: started frame not found"
        return _DISABLE
    func = function_of(frame)
    if func is None:
        refused.append((_fullname(code), "function object not found"))
        _outcome[id(code)] = "refused: function object not found"
        return _DISABLE
    if why is not None:
        # Static-entry functions: armjit does not
        # install them, so they get what CinderX's auto mode gives them,
        # CinderX's own code (not the interpreter).
        ok = leave_to_cinderx(func)
        _outcome[id(code)] = f"CinderX's code: {why}" if ok else "CinderX refused it"
        return _DISABLE
    nested = "<locals>" in code.co_qualname
    twin = _rt.code_for(func)
    already = _rt.installation_of(func) is not None
    if twin is None and not already and _recompiles.get(id(code), 0) >= RECOMPILE_LIMIT:
        refused.append((f"{func.__module__}:{func.__qualname__}",
                        f"short-lived functions: this code was compiled {RECOMPILE_LIMIT} "
                        "times, each freed when its last function died"))
        return _DISABLE
    before = _rt.counts["compiled"]
    revived = _rt.counts["revived"]
    try:
        live_compile(func)
    except LiveJITError as e:
        if _rt.paused:
            return None
        refused.append((f"{func.__module__}:{func.__qualname__}", str(e)[:300]))
        _outcome[id(code)] = "refused: " + _reason(str(e))
        return _DISABLE
    _outcome[id(code)] = "armjit"
    if _rt.counts["compiled"] != before:
        _recompiles[id(code)] = _recompiles.get(id(code), 0) + 1
    if twin is None and _rt.counts["revived"] == revived:
        compiled.append(f"{func.__module__}:{func.__qualname__}")
    elif not already:
        shared.append(f"{func.__module__}:{func.__qualname__}")
    if not nested:
        return _DISABLE
    if twin is not None and n > _config["after"] + NESTED_LIMIT:
        return _DISABLE
    return None


_DISABLE = None
_after = 2


IMPORT_RETRY = 64              # starts until a code deferred inside an import is looked at again
DEFAULT_AFTER_CALLS = 1000     # CinderX's kDefaultAutoJitCallThreshold (Jit/config.h:175)


def start(after_calls: int = DEFAULT_AFTER_CALLS, compile_budget: Optional[float] = None) -> int:
    """Install the PY_START hook (after :func:`armjit.runtime.live.enable`); returns the tool id.

    ``after_calls``: a function is compiled at its ``after_calls``-th call (as
    CinderX's ``compile_after_n_calls``).  ``compile_budget``: at most this
    fraction of the time since :func:`start` is spent compiling (plus
    :data:`BUDGET_ALLOWANCE_S` to begin with; the first compile, which pays
    one-time set-up, is not counted); a function that becomes hot while
    the budget is spent runs interpreted and is looked at again after as many
    calls again (2N, 4N, ...), when there may be budget again -- the hottest
    functions, which call most often, first.
    None: no budget."""
    global _DISABLE, _after
    if after_calls < 1:
        raise ValueError(f"after_calls must be >= 1, got {after_calls}")
    if compile_budget is not None and not 0 < compile_budget <= 1:
        raise ValueError(f"compile_budget must be in (0, 1], got {compile_budget}")
    mon = sys.monitoring
    _config.update(budget=compile_budget, t0=time.perf_counter())
    counter = _start_counter(after_calls)
    if "tool" in _config:
        _config["after"] = after_calls
        _after = after_calls
        return _config["tool"]
    _DISABLE = mon.DISABLE
    _config.update(after=after_calls, raw=_probe_layout())
    _after = after_calls
    _counts.clear()
    for tool in (mon.OPTIMIZER_ID, 4, 3):
        try:
            mon.use_tool_id(tool, TOOL_NAME)
        except ValueError:
            continue
        break
    else:
        from .live import LiveJITError
        raise LiveJITError("no free sys.monitoring tool id for armjit (tried 5, 4, 3)")
    mon.register_callback(tool, mon.events.PY_START, counter)
    mon.set_events(tool, mon.events.PY_START)
    _config["tool"] = tool
    return tool


def _start_counter(after_calls: int):
    """The C start counter (csrc/armjit_shim.c) set to call :func:`_on_start`
    at the ``after_calls``-th start of each code."""
    from .install import load_shim
    shim = load_shim()
    ptr = shim.lib.armjit_start_counter(shim.ffi.cast("void *", id(_on_start)), after_calls)
    if ptr == shim.ffi.NULL:
        from .live import LiveJITError
        raise LiveJITError("armjit's start counter could not be created (no code extra index)")
    return ctypes.cast(int(shim.ffi.cast("uintptr_t", ptr)), ctypes.py_object).value


def stop() -> None:
    """Remove the hook (installed code stays installed)."""
    tool = _config.pop("tool", None)
    if tool is None:
        return
    mon = sys.monitoring
    mon.set_events(tool, 0)
    mon.register_callback(tool, mon.events.PY_START, None)
    mon.free_tool_id(tool)


def coverage() -> dict:
    """Of the live function codes auto mode decided on (they reached
    ``after_calls`` and CinderX's auto mode would compile them: module and
    class bodies and armjit's, cinderx's and cffi's own code are not counted),
    how many run armjit's code, and why the others do not."""
    reasons: Dict[str, int] = {}
    armjit = 0
    for why in _outcome.values():
        if why == "armjit":
            armjit += 1
        else:
            key = why[:120]
            reasons[key] = reasons.get(key, 0) + 1
    hot = armjit + sum(reasons.values())
    return {"hot_functions": hot, "armjit": armjit,
            "percent": round(100.0 * armjit / hot, 2) if hot else None,
            "not_armjit": dict(sorted(reasons.items(), key=lambda kv: -kv[1]))}


def stats() -> dict:
    return {"compiled": len(compiled), "shared": len(shared), "refused": len(refused),
            "coverage": coverage(),
            "layout": "frame" if _config.get("raw") else "globals",
            "after_calls": _config.get("after"), "compile_budget": _config.get("budget"),
            "deferred_by_budget": _config.get("deferred", 0),
            "deferred_in_import": _config.get("deferred_in_import", 0)}
