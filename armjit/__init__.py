"""armjit: a pure-Python aarch64 code generator for CinderX's LIR."""

__version__ = "0.1.0"
