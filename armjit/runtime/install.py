"""Installing code into a live CPython/CinderX process (target only).

A Python function is entered through ``PyFunctionObject.vectorcall``; CinderX
installs compiled code by pointing it at the code's vectorcall entry
(``CompiledFunction::addFunction`` -> ``setVectorcall``, cinderx-backend-notes.md
section 5).  armjit does the same through the C shim: the slot's address comes
from C (``offsetof`` in the target's own Python.h, never a hard-coded number)
and the pointer is swapped atomically.
"""

from __future__ import annotations

from .codemem import CodeBlock, CodeMemoryError, load_shim


class Installed:
    """The vectorcall of ``func`` replaced by armjit's code; ``restore()`` undoes it."""

    def __init__(self, func, block: CodeBlock, previous: int, entry: int):
        self.func = func
        self.block = block
        self.previous = previous
        self.entry = entry

    def restore(self) -> None:
        swap_vectorcall(self.func, self.previous)


def vectorcall_slot(func):
    shim = load_shim()
    slot = shim.lib.armjit_func_vectorcall_slot(shim.ffi.cast("void *", id(func)))
    if slot == shim.ffi.NULL:
        raise CodeMemoryError(f"{func!r} is not a Python function")
    return shim, slot


def swap_vectorcall(func, entry: int) -> int:
    """Point ``func``'s vectorcall at ``entry``; return the previous pointer."""
    shim, slot = vectorcall_slot(func)
    old = shim.lib.armjit_swap_pointer(shim.ffi.cast("void **", slot),
                                       shim.ffi.cast("void *", entry))
    return int(shim.ffi.cast("uintptr_t", old))


def install_vectorcall(func, block: CodeBlock, entry_offset: int = 0) -> Installed:
    entry = block.address + entry_offset
    if not 0 <= entry_offset < block.size or entry % 4:
        raise CodeMemoryError(f"entry offset {entry_offset:#x} is not inside the code "
                              f"({block.size} bytes) or not 4-byte aligned")
    previous = swap_vectorcall(func, entry)
    return Installed(func, block, previous, entry)
