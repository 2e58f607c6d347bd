"""Build the C shim (csrc/armjit_shim.{h,c}) with cffi for the aarch64 target.

cffi writes the extension module's C source on the host (API mode, out of line);
the aarch64 cross compiler (Debian's gcc-aarch64-linux-gnu) compiles it against
the target rootfs's python3.14 headers into ``_armjit_shim.cpython-314-aarch64-linux-gnu.so``.
At run time the module needs cffi's ``_cffi_backend``, which the target gets from
PyPI's aarch64 cffi wheel (armjit.target.ensure_site).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import subprocess
from pathlib import Path

CSRC = Path(__file__).resolve().parents[2] / "csrc"
MODULE = "_armjit_shim"
SOABI = "cpython-314-aarch64-linux-gnu"
CROSS_CC = "aarch64-linux-gnu-gcc"


def sources_digest() -> str:
    h = hashlib.sha256()
    for name in ("armjit_shim.h", "armjit_shim.c"):
        h.update((CSRC / name).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def ffibuilder():
    import cffi
    ffi = cffi.FFI()
    header = (CSRC / "armjit_shim.h").read_text()
    ffi.cdef("\n".join(line for line in header.splitlines()
                       if not line.lstrip().startswith(("/*", "*", "#"))))
    ffi.set_source(MODULE, '#include "armjit_shim.h"')
    return ffi


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
           "-o", str(so), str(c_file), str(CSRC / "armjit_shim.c")]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"building the C shim failed:\n{' '.join(cmd)}\n{p.stderr[-3000:]}")
    return so
