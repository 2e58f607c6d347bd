"""Landmarks: the code offsets that may be *observed* as values (code pointers)
when a function runs, found independently in asmjit's listing and in armjit's
own labels, so that the equivalence harness can compare landmarks instead of
raw offsets (armjit's code is shorter, so the same landmark sits at another
offset).

Code pointers that escape into registers or memory the outside world reads:

* ``hard_exit``: ``adr x28, hard_exit`` in the stage-2 deopt block
  (generator.cpp:7060-7075), stored in stage-2 slot 0 and left in X28;
* ``("deopt_ret", idx)``: the return address of stage-1 exit ``idx``'s
  ``bl stage2`` (X30, stored in stage-2 slot 6);
* ``("deopt", idx)``: the stage-1 exit itself (a patched ``b`` target);
* ``stage2``, ``prologue_exit``, ``reentry``, ``vectorcall``;
* ``("exit", k)``: the k-th instruction of the exit sequence hard_exit .. ret
  (restore callee-saved registers, tear down the frame): a run that faults
  there (a generator's footer->originalFramePointer read from the fake heap)
  reports that PC;
* generators: ``gen_resume_entry`` and ``("resume", k)`` (armjit only: asmjit's
  are in the CodeRuntime, not in its code).

asmjit's landmarks come from asmjit.asm: the section titles "Stage 1
deoptimization exits" (``mov x13, #idx`` ... ``bl``), "Deoptimization exits"
(its first address, its ``adr x28`` target), "Keyword argument dispatch" (its
``b`` to the prologue exit) and meta.json's entry address.  armjit's come from
:class:`~armjit.codegen.function.CompiledFunction` ``.labels``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Hashable

from armjit.codegen.abi import REENTRY_OFFSET

__all__ = ["asmjit_landmarks", "armjit_landmarks", "offset_map"]


def asmjit_landmarks(dirpath) -> Dict[Hashable, int]:
    from armjit.cinderxlog import listing_instructions, mov_value, parse_imm
    d = Path(dirpath)
    meta = json.loads((d / "meta.json").read_text())
    base = meta["code_address"]
    lines = listing_instructions((d / "asmjit.asm").read_text())
    out: Dict[Hashable, int] = {"vectorcall": meta["vectorcall_entry"] - base,
                                "reentry": meta["vectorcall_entry"] - base + REENTRY_OFFSET}
    seq, start = [], None
    for title, addr, mn, ops in lines:
        if title == "Stage 1 deoptimization exits":
            if mn in ("mov", "movk") and ops.startswith("x13,"):
                if start is None:
                    start = addr
                seq.append((mn, ops))
            elif mn == "bl" and seq:
                idx = mov_value(seq)
                if idx is None:
                    raise ValueError(f"asmjit stage-1 exit at {addr:#x}: cannot read the index")
                out[("deopt", idx)] = start - base
                out[("deopt_ret", idx)] = addr + 4 - base
                seq, start = [], None
            else:
                seq, start = [], None
        elif title == "Deoptimization exits":
            out.setdefault("stage2", addr - base)
            if mn == "adr" and ops.startswith("x28,"):
                out["hard_exit"] = parse_imm(ops.split(",", 1)[1]) - base
        elif title and title.startswith("Keyword argument dispatch") and mn == "b":
            out.setdefault("prologue_exit", parse_imm(ops) - base)
    if "hard_exit" in out:
        # the exit sequence hard_exit .. ret, instruction by instruction
        addrs = [(addr, mn) for _, addr, mn, _ in lines]
        start = base + out["hard_exit"]
        k = next((i for i, (a, _) in enumerate(addrs) if a == start), None)
        while k is not None and k < len(addrs):
            a, mn = addrs[k]
            out[("exit", (a - start) // 4)] = a - base
            if mn == "ret":
                break
            k += 1
    return out


def armjit_landmarks(cf) -> Dict[Hashable, int]:
    """armjit's landmarks, from the labels function.compile_function recorded."""
    return dict(cf.labels)


def offset_map(cf, dirpath) -> Dict[int, int]:
    """armjit code offset -> asmjit code offset for every landmark both codes have
    (the ``armjit_offsets`` of :func:`armjit.verify.equiv.prove`)."""
    mine = armjit_landmarks(cf)
    theirs = asmjit_landmarks(dirpath)
    out: Dict[int, int] = {}
    for k, off in mine.items():
        if k in theirs:
            if off in out and out[off] != theirs[k]:
                raise ValueError(f"landmark {k!r}: armjit offset {off:#x} maps to two asmjit offsets")
            out[off] = theirs[k]
    return out
