"""The one cffi definition of the C shim (csrc/armjit_shim.{h,c}), built two ways.

* **At install time, on aarch64** (``pip install`` on the machine itself):
  setup.py names :func:`package_ffi` in ``cffi_modules``; setuptools compiles the
  shim with the machine's own C compiler into the package, as
  ``armjit._armjit_shim`` (found first by ``armjit.runtime.codemem.load_shim``).
  cffi executes this file by path, outside the package: it must import nothing
  but cffi and the standard library.
* **Cross-built for the qemu target** (the dev flow, ``armjit.target.ensure_shim``):
  :func:`build` writes the extension module's C source on the host (cffi API
  mode, out of line) and the aarch64 cross compiler (Debian's
  gcc-aarch64-linux-gnu) compiles it against the target rootfs's python3.14
  headers into the top-level module
  ``_armjit_shim.cpython-314-aarch64-linux-gnu.so``, which the target finds on
  its PYTHONPATH.  At run time it needs cffi's ``_cffi_backend``, which the
  target gets from PyPI's aarch64 cffi wheel (armjit.target.ensure_site).

Both use :func:`ffibuilder`: the cdef is the header itself, whatever functions
it declares.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import subprocess
from pathlib import Path

CSRC = Path(__file__).resolve().parents[2] / "csrc"
SOURCES = ("armjit_shim.c", "armjit_tstate.c")   # the latter with CPython's internal headers
MODULE = "_armjit_shim"                  # the cross-built, top-level module (dev flow)
PACKAGE_MODULE = "armjit._armjit_shim"   # the module pip builds into the package
SOABI = "cpython-314-aarch64-linux-gnu"
CROSS_CC = "aarch64-linux-gnu-gcc"


def sources_digest() -> str:
    h = hashlib.sha256()
    for name in SOURCES + ("armjit_shim.h",):
        h.update((CSRC / name).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def cdef_text() -> str:
    """The header without its comments and preprocessor lines: cffi's cdef."""
    header = (CSRC / "armjit_shim.h").read_text()
    return "\n".join(line for line in header.splitlines()
                     if not line.lstrip().startswith(("/*", "*", "#")))


def ffibuilder(module: str = MODULE, **source_kw):
    import cffi
    ffi = cffi.FFI()
    ffi.cdef(cdef_text())
    ffi.set_source(module, '#include "armjit_shim.h"', **source_kw)
    return ffi


def package_ffi():
    """The FFI for ``cffi_modules`` in setup.py (run from the source tree's root)."""
    csrc = os.path.relpath(CSRC)     # setuptools wants paths relative to setup.py
    return ffibuilder(PACKAGE_MODULE, sources=[os.path.join(csrc, n) for n in SOURCES],
                      include_dirs=[csrc])


def build(out_dir: Path, rootfs: Path, cc: str = CROSS_CC) -> Path:
    """Write and cross-compile the module into ``out_dir``; return the .so path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    c_file = out_dir / f"{MODULE}.c"
    with contextlib.redirect_stdout(io.StringIO()):   # cffi prints "generating ..."
        ffibuilder().emit_c_code(str(c_file))
    so = out_dir / f"{MODULE}.{SOABI}.so"
    inc = rootfs / "usr" / "include"
    cmd = [cc, "-shared", "-fPIC", "-O2", "-Wall", "-Werror=implicit-function-declaration",
           f"-I{CSRC}", f"-I{inc / 'python3.14'}",
           # After the cross toolchain's own libc headers: only for pyconfig.h's
           # multiarch include (aarch64-linux-gnu/python3.14/pyconfig.h).
           "-idirafter", str(inc),
           "-o", str(so), str(c_file), *(str(CSRC / n) for n in SOURCES)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"building the C shim failed:\n{' '.join(cmd)}\n{p.stderr[-3000:]}")
    return so
