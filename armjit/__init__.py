"""armjit: a pure-Python aarch64 code generator for CinderX's LIR.

In a live CinderX process on aarch64::

    import armjit
    armjit.enable()            # before cinderx is imported
    import cinderx.jit
    armjit.compile(f)          # CinderX's front end, armjit's back end; f now runs armjit's code
"""

__version__ = "0.1.0"


def enable(log_file=None):
    """Make CinderX log its LIR where armjit reads it (call before importing cinderx)."""
    from .runtime.live import enable as _enable
    return _enable(log_file)


def compile(func):
    """Compile ``func`` with armjit and install it as ``func``'s vectorcall entry."""
    from .runtime.live import compile as _compile
    return _compile(func)


def __getattr__(name):
    if name == "LiveJITError":
        from .runtime.live import LiveJITError
        return LiveJITError
    raise AttributeError(name)
