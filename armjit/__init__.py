"""armjit: a pure-Python aarch64 code generator for CinderX's LIR.

In a live CinderX process on aarch64::

    import armjit
    armjit.enable()            # before cinderx is imported
    import cinderx.jit
    armjit.compile(f)          # CinderX's front end, armjit's back end; f now runs armjit's code
"""

__version__ = "0.1.0"


def enable(log_file=None, *, auto=False, after_calls=2):
    """Make CinderX log its LIR where armjit reads it (call before importing cinderx).

    With ``auto=True`` armjit also compiles every plain function after
    ``after_calls`` calls (a sys.monitoring hook, armjit.runtime.auto).
    """
    from .runtime.live import enable as _enable
    if auto:
        from .runtime import auto as _auto
        _auto.prepare_env()
    path = _enable(log_file)
    if auto:
        _auto.start(after_calls)
    return path


def compile(func):
    """Compile ``func`` with armjit and install it as ``func``'s vectorcall entry."""
    from .runtime.live import compile as _compile
    return _compile(func)


def __getattr__(name):
    if name == "LiveJITError":
        from .runtime.live import LiveJITError
        return LiveJITError
    raise AttributeError(name)
