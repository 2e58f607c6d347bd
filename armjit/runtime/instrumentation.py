"""Tracers, profilers and debuggers see every function, as under CinderX.

JIT code raises no ``sys.settrace``/``sys.setprofile`` or ``sys.monitoring``
events.  CinderX (with ``CINDERX_JIT_SUPPORT_INSTRUMENTATION``, its default)
therefore patches ``sys.settrace``, ``sys.setprofile``,
``sys.monitoring.register_callback`` and ``free_tool_id``; after each call it
re-evaluates whether instrumentation is active and, if so, deopts every
compiled function to the interpreter and pauses its JIT, undoing both when the
last tool goes (``toggleJitBasedOnInstrumentationState``, Jit/pyjit.cpp).

armjit needs a ``sys.monitoring`` hook of its own for auto mode, which would
keep CinderX paused for good, so armjit turns CinderX's support off
(``CINDERX_JIT_SUPPORT_INSTRUMENTATION=0``) and does the same thing itself,
for its own code and for CinderX's:

* it patches the same functions (plus ``sys._settraceallthreads`` and
  ``sys._setprofileallthreads``, which ``threading.settrace_all_threads`` uses);
* "active" is CinderX's rule: a thread has a trace or profile function, or a
  ``sys.monitoring`` tool other than armjit's own is registered;
* when it becomes active, every function running armjit's code goes to the
  interpreter (C shim, ``armjit_pause_all``), CinderX's JIT is disabled with
  ``deopt_all`` (its own functions go to the interpreter too), compiles stop;
  when it stops, CinderX's JIT is re-enabled and armjit's entries come back.

Like CinderX on 3.14 (whose on-stack deopt needs lightweight frames, not in this
build), frames already running JIT code when tracing starts finish in JIT code.
"""

from __future__ import annotations

import sys
import types
from typing import Dict, Optional

_patched: Dict[tuple, object] = {}          # (namespace, name) -> original
_rt = None
_cinderx_was_enabled: Optional[bool] = None


def active() -> bool:
    """CinderX's ``isInstrumentationActive``, armjit's own tool excluded."""
    if _rt is not None and _rt.shim.lib.armjit_legacy_tracing_active():
        return True
    mon = getattr(sys, "monitoring", None)
    if mon is None:
        return False
    from .auto import TOOL_NAME
    for tool in range(6):       # 6 and 7 are sys.setprofile/sys.settrace's own ids
        name = mon.get_tool(tool)
        if name is not None and name != TOOL_NAME:
            return True
    return False


def toggle() -> None:
    """Re-evaluate after a tracing/monitoring call (CinderX's toggle)."""
    rt = _rt
    if rt is None or not rt.enabled:
        return
    from .live import _lock
    with _lock:
        now = active()
        if now and not rt.paused:
            rt.paused = True
            rt.shim.lib.armjit_pause_all()
            pause_cinderx()
        elif not now and rt.paused:
            resume_cinderx(rt)
            rt.paused = False
            rt.shim.lib.armjit_resume_all()


def pause_cinderx() -> None:
    global _cinderx_was_enabled
    jit = sys.modules.get("cinderx.jit")
    if jit is None:
        return
    _cinderx_was_enabled = bool(jit.is_enabled())
    if _cinderx_was_enabled:
        jit.disable(deopt_all=True)
    deopt_suspended_generators(jit)


def deopt_suspended_generators(jit) -> int:
    """Hand every suspended JIT generator and coroutine (CinderX's code or
    armjit's) to the interpreter, so that tracing sees the rest of it: what
    CinderX's own toggle does by patching its generator types' am_send
    (toggleJitBasedOnInstrumentationState, Jit/pyjit.cpp:2046-2057;
    patchJitGenAmSendForDeopt, Jit/generators_rt.cpp:851-858), done here once
    through ``cinderx.jit._deopt_gen`` (deopt_gen_impl, pyjit.cpp:3410-3416),
    which deopts only a suspended JIT generator.  Returns how many."""
    deopt = getattr(jit, "_deopt_gen", None)
    if deopt is None:
        return 0
    import gc
    n = 0
    for o in gc.get_objects():
        if type(o).__name__ in ("generator", "coroutine") and \
                type(o) is not types.GeneratorType and type(o) is not types.CoroutineType:
            try:
                n += bool(deopt(o))
            except Exception:
                pass
    return n


def resume_cinderx(rt) -> None:
    global _cinderx_was_enabled
    jit = sys.modules.get("cinderx.jit")
    if jit is not None and _cinderx_was_enabled:
        jit.enable()
    _cinderx_was_enabled = None


def _wrap(namespace, name: str):
    original = getattr(namespace, name, None)
    if original is None or (namespace, name) in _patched:
        return

    def patched(*args, **kwargs):
        result = original(*args, **kwargs)
        toggle()
        return result

    patched.__name__ = getattr(original, "__name__", name)
    patched.__qualname__ = getattr(original, "__qualname__", name)
    patched.__doc__ = getattr(original, "__doc__", None)
    patched.__wrapped__ = original
    _patched[(namespace, name)] = original
    setattr(namespace, name, patched)


def install(rt) -> None:
    """Patch the tracing entry points (once, at armjit.enable())."""
    global _rt
    _rt = rt
    for name in ("settrace", "setprofile", "_settraceallthreads", "_setprofileallthreads"):
        _wrap(sys, name)
    mon = getattr(sys, "monitoring", None)
    if mon is not None:
        for name in ("register_callback", "free_tool_id"):
            _wrap(mon, name)
    toggle()


def uninstall() -> None:
    for (namespace, name), original in list(_patched.items()):
        setattr(namespace, name, original)
    _patched.clear()
