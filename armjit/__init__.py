"""armjit: a pure-Python aarch64 code generator for CinderX's LIR.

In a live CinderX process on aarch64::

    import armjit
    armjit.enable()            # before cinderx is imported
    import cinderx.jit
    armjit.compile(f)          # CinderX's front end, armjit's back end; f now runs armjit's code
    armjit.stats()             # compiles, code memory, log, refusals
    armjit.disable()           # every function back on CinderX's code, armjit's code freed

or ``armjit.enable(auto=True, after_calls=N)``: every plain function is
compiled by armjit after N calls.
"""

__version__ = "0.1.0"


def enable(log_file=None, *, auto=False, after_calls=1000, compile_budget=None,
           check_facts=False, stack_check=True):
    """Make CinderX log its LIR where armjit reads it (call before importing cinderx).

    With ``auto=True`` armjit also compiles every plain function after
    ``after_calls`` calls (a sys.monitoring hook, armjit.runtime.auto; the
    default, 1000, is CinderX's own ``cinderx.jit.auto()`` threshold: code
    compiled after the interpreter has specialised the byte code is faster), spending
    at most ``compile_budget`` (a fraction, e.g. 0.1) of the run compiling when
    one is given.
    Raises :class:`LiveJITError` with a one-line reason where armjit cannot run
    (not aarch64, no C shim, cinderx imported too early).
    """
    from .runtime.live import enable as _enable
    if auto:
        from .runtime import auto as _auto
        _auto.prepare_env()
    path = _enable(log_file, check_facts, stack_check)
    if auto:
        _auto.start(after_calls, compile_budget)
    return path


def compile(func):
    """Compile ``func`` with armjit and install it as ``func``'s vectorcall entry."""
    from .runtime.live import compile as _compile
    return _compile(func)


def disable():
    """Stop auto mode and put every installed function back on CinderX's code."""
    from .runtime.live import disable as _disable
    return _disable()


def stats():
    """Counters of the live back end: compiles, code memory, log, refusals, latency."""
    from .runtime.live import stats as _stats
    return _stats()


def __getattr__(name):
    if name == "LiveJITError":
        from .runtime.live import LiveJITError
        return LiveJITError
    raise AttributeError(name)
