"""What the code generator needs to know of a function CinderX compiled, read
from the live function and CinderX's API: the in-memory meta.json of the live
back end, and of the corpus tool's function directories.

A leaf of the runtime: it imports nothing at module level beyond the standard
modules armjit's runtime already holds, because the live back end imports it at
its first compile -- possibly while the program is itself importing modules
(see :func:`armjit.runtime.live.load_compile_path`).
"""

from __future__ import annotations


def vectorcall_entry(fn, start: int, size: int):
    """``fn->vectorcall``, read at ``offsetof(PyFunctionObject, vectorcall)``
    through the C shim (csrc/armjit_shim.c, armjit_func_vectorcall_slot); None
    unless it points into the function's compiled code [start, start + size)."""
    from armjit.runtime.install import vectorcall_slot
    shim, slot = vectorcall_slot(fn)
    entry = int(shim.ffi.cast("uintptr_t", shim.ffi.cast("void **", slot)[0]))
    return entry if start <= entry < start + size else None


def function_meta(jit, fn, start: int, size: int, trampoline) -> dict:
    """What the code generator needs to know of a function CinderX compiled
    (meta.json of a corpus directory; built in memory by the live back end)."""
    code = fn.__code__
    # CinderX names a function whose __module__ is not a str "<invalid>:QUALNAME"
    module = fn.__module__ if isinstance(fn.__module__, str) else "<invalid>"
    return {
        "module": module,
        "qualname": fn.__qualname__,
        "fullname": f"{module}:{fn.__qualname__}",
        "argcount": code.co_argcount,
        "posonlyargcount": code.co_posonlyargcount,
        "kwonlyargcount": code.co_kwonlyargcount,
        "flags": code.co_flags,
        "nlocalsplus": len(code.co_varnames) + len(code.co_cellvars) + len(code.co_freevars),
        "compiled_size": size,
        "stack_size": jit.get_compiled_stack_size(fn),
        "spill_stack_size": jit.get_compiled_spill_stack_size(fn),
        "code_address": start,
        "vectorcall_entry": vectorcall_entry(fn, start, size),
        "deopt_trampoline": trampoline,
    }
