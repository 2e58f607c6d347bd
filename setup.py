"""Everything declarative is in pyproject.toml; this file only adds the C shim.

On aarch64 Linux (where armjit installs code into a live CinderX) the shim
(csrc/) is compiled at install time by cffi with the machine's C compiler, into
the package as ``armjit._armjit_shim``.  Elsewhere (e.g. an x86-64 host, where
armjit's emit/lir/codegen/disasm tools run) nothing is compiled: the shim is
cross-built for the qemu target by ``python -m armjit.target setup`` instead.
"""

import platform
import sys

from setuptools import setup


def _builds_shim() -> bool:
    return (sys.platform == "linux" and platform.machine() == "aarch64"
            and sys.implementation.name == "cpython")


setup(**({"cffi_modules": ["armjit/runtime/shim_build.py:package_ffi"]}
         if _builds_shim() else {}))
