"""armjit.codegen.abi against what CinderX produced for the dev corpus."""

import json
import re

from armjit.cinderxlog import listing_instructions
from armjit.codegen import abi
from armjit.corpus.dev import function_dirs
from armjit.lir import parse
from armjit.lir.model import Reg

DIRS = list(function_dirs())


def test_reentry_is_first():
    """asmjit's code starts with the re-entry, REENTRY_OFFSET before the
    vectorcall entry (no corpus function has the static entry)."""
    for d in DIRS:
        meta = json.loads((d / "meta.json").read_text())
        assert not meta["flags"] & abi.CI_CO_STATICALLY_COMPILED
        assert meta["vectorcall_entry"] + abi.REENTRY_OFFSET == meta["code_address"]


def test_never_allocated_registers_are_not_outputs():
    """No post-alloc LIR instruction defines a never-allocated register, except
    X13 (postalloc reloads of spilled operands, postalloc.cpp:1479-1693) and
    X29 (the generator's switch to its heap footer, generator.cpp:6163-6187)."""
    seen = set()
    for d in DIRS:
        for ins in parse((d / "postalloc.lir").read_text()).instructions():
            o = ins.output
            if isinstance(o, Reg) and o.is_gp and o.num in abi.NEVER_ALLOCATED_GP:
                seen.add(o.num)
            elif isinstance(o, Reg) and o.is_fp:
                assert o.num - 32 not in abi.NEVER_ALLOCATED_FP, ins
    assert seen == {abi.SCRATCH_0, abi.FRAME_POINTER}


def test_saved_registers_are_callee_saved():
    """Every register asmjit saves in "Save callee-saved registers" is in
    CALLEE_SAVED_GP/FP, and together the corpus saves all ten GP ones."""
    gp = set()
    for d in DIRS:
        for title, _, mn, ops in listing_instructions((d / "asmjit.asm").read_text()):
            if title == "Save callee-saved registers" and mn != "sub":
                for kind, num in re.findall(r"\b([xd])(\d+)\b", ops.split("[")[0]):
                    n = int(num)
                    assert n in (abi.CALLEE_SAVED_GP if kind == "x" else abi.CALLEE_SAVED_FP)
                    if kind == "x":
                        gp.add(n)
    assert gp == set(abi.CALLEE_SAVED_GP)
