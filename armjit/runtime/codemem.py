"""Executable code memory on aarch64 Linux: W^X pages and the icache flush.

Code is written into an anonymous read-write mapping, which is then switched
to read-execute (never both writable and executable), and the instruction
cache is flushed for the range with libgcc's ``__clear_cache``: on aarch64 the
data and instruction caches are not coherent for self-written code (Arm ARM
B2.4.4, "Concurrent modification and execution of instructions"), and CinderX's
own allocator does not flush on Linux (cinderx-backend-notes.md section 5),
so the emitter must.

This module runs on the target only (the aarch64 python3.14 under qemu); it
refuses to run elsewhere rather than execute aarch64 bytes on another CPU.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import platform

PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
MAP_PRIVATE, MAP_ANONYMOUS = 0x02, 0x20
PAGE = mmap.PAGESIZE


class CodeMemoryError(RuntimeError):
    pass


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return libc


def _clear_cache():
    lib = ctypes.CDLL(ctypes.util.find_library("gcc_s") or "libgcc_s.so.1")
    fn = lib.__clear_cache
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    fn.restype = None
    return fn


class CodeBlock:
    """One installed piece of code: its address, size, and a way to call it."""

    def __init__(self, address: int, size: int, mapped: int, owner: "CodeMemory"):
        self.address = address
        self.size = size
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
            self._owner._libc.munmap(self.address, self._mapped)
            self._mapped = 0


class CodeMemory:
    def __init__(self):
        if platform.machine() not in ("aarch64", "arm64"):
            raise CodeMemoryError(
                f"armjit installs aarch64 code only on aarch64 (this is {platform.machine()}); "
                "run it under the target: python -m armjit.target run -- ...")
        self._libc = _libc()
        self._flush = _clear_cache()

    def install(self, code: bytes) -> CodeBlock:
        size = max(len(code), 1)
        mapped = (size + PAGE - 1) // PAGE * PAGE
        addr = self._libc.mmap(None, mapped, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise CodeMemoryError(f"mmap failed: errno {ctypes.get_errno()}")
        ctypes.memmove(addr, code, len(code))
        if self._libc.mprotect(addr, mapped, PROT_READ | PROT_EXEC) != 0:
            raise CodeMemoryError(f"mprotect failed: errno {ctypes.get_errno()}")
        self._flush(addr, addr + len(code))
        return CodeBlock(addr, len(code), mapped, self)
