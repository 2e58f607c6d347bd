"""Executable code memory on aarch64 Linux: W^X pages and the icache flush.

Code is written into an anonymous read-write mapping, which is then sealed
read-execute (never writable and executable at once), and the instruction cache
is flushed for the range: on aarch64 the data and instruction caches are not
coherent for code the process wrote itself (Arm ARM B2.4.4, "Concurrent
modification and execution of instructions"), and CinderX's own allocator does
not flush on Linux (cinderx-backend-notes.md section 5), so armjit must.

The system calls and the flush go through the C shim (csrc/, built with cffi by
``python -m armjit.target setup``).  This module runs on the target only; it
refuses to run elsewhere rather than execute aarch64 bytes on another CPU.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import platform

PAGE = mmap.PAGESIZE


class CodeMemoryError(RuntimeError):
    pass


def load_shim():
    """The cffi shim module: the one ``pip install`` compiled into the package on
    aarch64 (``armjit._armjit_shim``) first, else the top-level ``_armjit_shim``
    that ``python -m armjit.target setup`` cross-builds for the qemu target."""
    import importlib
    for name in ("armjit._armjit_shim", "_armjit_shim"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:      # found, but something it needs is missing
                raise CodeMemoryError(f"the C shim {name} does not load: {e}") from None
        except ImportError as e:    # found, but it does not load (wrong build)
            raise CodeMemoryError(f"the C shim {name} does not load: {e}") from None
    raise CodeMemoryError(
        "the C shim is not importable (neither armjit._armjit_shim nor _armjit_shim): "
        "install armjit with pip on the aarch64 machine (setup.py compiles it), or, for "
        "the qemu target, run 'python -m armjit.target setup' and start Python through "
        "armjit.target")


class CodeBlock:
    """One installed piece of code: its address, size, and a way to call it."""

    def __init__(self, address: int, size: int, mapped: int, owner: "CodeMemory"):
        self.address = address
        self.size = size
        self.capacity = mapped
        self._mapped = mapped
        self._owner = owner

    def function(self, restype, *argtypes, offset: int = 0, keep_gil: bool = True):
        """A ctypes callable for the code at ``address + offset``.

        ``keep_gil``: PYFUNCTYPE keeps the GIL, which code calling the C API
        needs; CFUNCTYPE releases it (DESIGN.md).
        """
        proto = (ctypes.PYFUNCTYPE if keep_gil else ctypes.CFUNCTYPE)(restype, *argtypes)
        return proto(self.address + offset)

    def release(self) -> None:
        if self._mapped:
            shim = self._owner.shim
            err = shim.lib.armjit_code_free(shim.ffi.cast("void *", self.address), self._mapped)
            if err:
                raise CodeMemoryError(f"munmap failed: {os.strerror(err)}")
            self._mapped = 0


class CodeMemory:
    def __init__(self):
        if platform.machine() not in ("aarch64", "arm64"):
            raise CodeMemoryError(
                f"armjit installs aarch64 code only on aarch64 (this is {platform.machine()}); "
                "run it under the target: python -m armjit.target run -- ...")
        self.shim = load_shim()

    def reserve(self, size: int) -> CodeBlock:
        """Fresh read-write pages for code that must be assembled for its final
        address first; fill and seal them with :meth:`commit`."""
        lib, ffi = self.shim.lib, self.shim.ffi
        mapped = (max(size, 1) + PAGE - 1) // PAGE * PAGE
        p = lib.armjit_code_alloc(mapped)
        if p == ffi.NULL:
            raise CodeMemoryError(f"mmap of {mapped} bytes failed: {os.strerror(ffi.errno)}")
        return CodeBlock(int(ffi.cast("uintptr_t", p)), 0, mapped, self)

    def commit(self, block: CodeBlock, code: bytes) -> CodeBlock:
        """Copy ``code`` into a reserved block, seal it RX and flush the icache."""
        lib, ffi = self.shim.lib, self.shim.ffi
        if block.size:
            raise CodeMemoryError("this block is already sealed (W^X: code is written once)")
        if len(code) > block.capacity:
            raise CodeMemoryError(f"{len(code)} bytes of code exceed the block's "
                                  f"{block.capacity} bytes")
        p = ffi.cast("void *", block.address)
        ffi.memmove(p, code, len(code))
        err = lib.armjit_code_seal(p, block.capacity)
        if err:
            raise CodeMemoryError(f"mprotect failed: {os.strerror(err)}")
        block.size = len(code)
        return block

    def install(self, code: bytes) -> CodeBlock:
        """Copy ``code`` into fresh RW pages, seal them RX and flush the icache."""
        return self.commit(self.reserve(len(code)), code)
