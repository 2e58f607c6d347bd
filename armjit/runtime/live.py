"""armjit in a live CinderX process (target only): compile with armjit, install, run.

CinderX gives no Python API for LIR: it only logs it (cinderx-backend-notes.md
section 6).  So :func:`enable` turns CinderX's LIR and asm dumps on, into a log
file of armjit's own, before ``cinderx`` is imported; :func:`compile` then has
CinderX compile the function (HIR, LIR, register allocation), reads the
post-alloc LIR of exactly that function back from the log (flushed after every
message), lowers it with :mod:`armjit.codegen` for an address in fresh code
memory, seals the code (W^X, icache flush) and points the function's vectorcall
at armjit's entry through the C shim.

The process facts the LIR does not state (helper addresses, the CodeRuntime of
the function, the deopt trampoline) are read from CinderX's listing of the same
function in the same process, so they are valid here; CinderX's own code and
metadata for the function stay alive (deopt metadata is indexed by the LIR's
deopt ids, which armjit's code passes unchanged).  Generators are refused: their
resume entry is recorded in CinderX's generator data, which a vectorcall swap
does not redirect.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Optional

from armjit.corpus._collect import LogReader, write_function_dir
from armjit.cinderxlog import asm_address_range

from .codemem import CodeMemory
from .install import Installed, swap_vectorcall

_FLAGS = ("CINDERX_JIT_DUMP_LIR", "CINDERX_JIT_DUMP_ASM", "CINDERX_JIT_LOG_FILE")
_state: dict = {}


class LiveJITError(RuntimeError):
    pass


def enable(log_file: Optional[str] = None) -> str:
    """Arrange for CinderX to log LIR and asm where armjit can read them.

    Must run before ``cinderx`` is imported: CinderX reads its flags once, at
    import (``jit::initialize``).  Returns the log file's path.
    """
    if "_state" in _state:
        return _state["_state"]
    if "cinderx" in sys.modules or "_cinderx" in sys.modules:
        if not all(os.environ.get(f) for f in _FLAGS):
            raise LiveJITError("armjit.enable() must be called before cinderx is imported "
                               "(CinderX reads its dump flags once, at import)")
        path = os.environ["CINDERX_JIT_LOG_FILE"]
    else:
        path = log_file or os.path.join(tempfile.mkdtemp(prefix="armjit-"), "cinderx.log")
        open(path, "a").close()
        os.environ.update({"CINDERX_JIT_DUMP_LIR": "1", "CINDERX_JIT_DUMP_ASM": "1",
                           "CINDERX_JIT_LOG_FILE": path})
    _state["_state"] = path
    _state["reader"] = LogReader(path)
    _state["memory"] = CodeMemory()
    _state["installed"] = {}
    return path


def compile(func) -> Installed:
    """Compile ``func`` with armjit (CinderX's front end, armjit's back end) and install it."""
    if "_state" not in _state:
        raise LiveJITError("call armjit.enable() first (before importing cinderx)")
    import cinderx.jit as jit
    from armjit.codegen import compile_dump

    code = func.__code__
    if code.co_flags & 0x2A0:   # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
        raise LiveJITError(f"{func.__qualname__}: generators and coroutines are not "
                           "installed by armjit (their resume entry lives in CinderX's data)")
    fullname = f"{func.__module__}:{func.__qualname__}"
    done = _state["installed"].get(id(func))
    if done is not None and done.func is func:
        return done
    # CinderX compiles per (code, globals) and gives every function object of
    # that code the same entry (closures, nested defs): so does armjit.
    twin = _state.setdefault("by_code", {}).get(code)
    if twin is not None and twin.func.__globals__ is func.__globals__:
        return _share(func, twin)
    reader = _state["reader"]
    reader.new_sections()           # skip whatever was logged before
    if not jit.force_compile(func):
        raise LiveJITError(f"CinderX refused to compile {fullname}")
    sections = reader.new_sections()
    for s in sections:
        if s.kind == "asm" and s.name == "deopt_trampoline":   # logged once per process
            _state["trampoline"] = asm_address_range(s.text)[0]
    if "trampoline" not in _state:
        raise LiveJITError("CinderX's deopt trampoline listing was not seen in the log: "
                           "armjit.enable() must run before the first CinderX compile")
    mine = {(s.kind, s.stage): s for s in sections if s.name == fullname}
    if ("lir", "postalloc") not in mine or ("asm", None) not in mine:
        raise LiveJITError(f"{fullname}: CinderX's log lacks its LIR or listing "
                           "(was armjit.enable() called before cinderx was imported?)")
    with tempfile.TemporaryDirectory(prefix="armjit-fn-") as d:
        size = write_function_dir(d, jit, func, mine, _state["trampoline"])["compiled_size"]
        # The code must be assembled for its final address (direct bl reach,
        # adr/adrp): reserve generously, assemble for the reservation, then fill it.
        memory: CodeMemory = _state["memory"]
        block = memory.reserve(max(4 * size, 1 << 16))
        compiled = compile_dump(d, address=block.address)
        if len(compiled.code) > block.capacity:
            raise LiveJITError(f"{fullname}: armjit's code ({len(compiled.code)} bytes) "
                               f"exceeds the reservation ({block.capacity})")
        memory.commit(block, compiled.code)
    previous = swap_vectorcall(func, compiled.vectorcall_entry)
    inst = Installed(func, block, previous, compiled.vectorcall_entry)
    inst.compiled = compiled
    _state["installed"][id(func)] = inst
    _state["by_code"][code] = inst
    return inst


def _share(func, twin: Installed) -> Installed:
    """Point ``func`` (same code and globals as ``twin.func``) at ``twin``'s code."""
    previous = swap_vectorcall(func, twin.entry)
    inst = Installed(func, twin.block, previous, twin.entry)
    inst.compiled = twin.compiled
    inst.shared_with = twin
    _state["installed"][id(func)] = inst
    return inst
