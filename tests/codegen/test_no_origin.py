"""The live path's LIR dump carries no HIR origins (CINDERX_JIT_DUMP_LIR_ORIGIN=0):
armjit's code for it must be the code for the dump with origins, byte for byte.

Without origins the LIR does not show ReserveStack<n>'s size; armjit then takes
the reserved area as CinderX's frame size minus the rest of the frame
(armjit.codegen.layout.frame_layout).  The origin-free text is what CinderX
prints with the flag off (armjit.lir.printer without origins: no comment
lines, no blank line inside a block -- as the target's log shows).
"""

import pytest

from armjit.codegen.frame import FrameLayoutError
from armjit.codegen.function import compile_function, process_facts
from armjit.codegen.layout import frame_layout
from armjit.codegen.meta import load_dump
from armjit.corpus.dev import function_dirs
from armjit.lir import parse
from armjit.lir.printer import format as lir_format


def _without_origins(fn):
    for b in fn.blocks:
        for ins in b.instructions:
            ins.origin = None
    return lir_format(fn)


def test_every_dev_corpus_function_compiles_to_the_same_bytes_without_origins():
    n = reserving = 0
    for d in function_dirs():
        dump = load_dump(d)
        facts = process_facts(d)
        addr = dump.meta["code_address"]
        with_origins = compile_function(parse(dump.lir), dump.meta, facts, addr)
        text = _without_origins(parse(dump.lir))
        assert not any(line.startswith("#") for line in text.splitlines())
        fn = parse(text)
        without = compile_function(fn, dump.meta, facts, addr)
        assert without.code == with_origins.code, d
        n += 1
        if any(i.opcode == "ReserveStack" for b in fn.blocks for i in b.instructions):
            reserving += 1
            assert frame_layout(fn, dump.meta).reserve_stack_size == \
                frame_layout(parse(dump.lir), dump.meta).reserve_stack_size > 0
    assert n >= 105 and reserving >= 15


def _reserving_dump():
    for d in function_dirs():
        dump = load_dump(d)
        if "ReserveStack<" in dump.lir:
            return dump
    raise AssertionError("no dev-corpus function reserves stack")


@pytest.mark.parametrize("delta", [8, -16, None])
def test_a_frame_size_that_leaves_no_16_aligned_reserve_is_refused(delta):
    dump = _reserving_dump()
    fn = parse(_without_origins(parse(dump.lir)))
    meta = dict(dump.meta)
    if delta is None:
        meta.pop("stack_size")
        match = "frame size is not known"
    else:
        reserve = frame_layout(parse(dump.lir), dump.meta).reserve_stack_size
        meta["stack_size"] += delta - (reserve if delta < 0 else 0)
        match = "not a positive multiple of 16"
    with pytest.raises(FrameLayoutError, match=match):
        frame_layout(fn, meta)
