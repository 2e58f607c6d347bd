"""armjit.cinderxlog: CinderX's log sections and asmjit's listing, on the dev corpus."""

from armjit.cinderxlog import asm_address_range, asmjit_sections, listing_instructions, mov_value
from armjit.codegen.function import process_facts
from armjit.corpus.dev import corpus_dir

F = corpus_dir() / "string/Formatter.check_unused_args"


def test_process_facts():
    f = process_facts(F)
    assert f["tstate_getter"] == 0x726F2C        # stub ldr x16,#8; br x16; .quad at +0x150
    assert f["kw_helper"] == 0x55019A4FE0
    assert f["argcount_helper"] == 0x55019A4BC4
    g = process_facts(corpus_dir() / "colorsys/hls_to_rgb")
    assert g["code_rt"] == 0x1035000


def test_listing_of_one_function():
    text = (F / "asmjit.asm").read_text()
    secs = asmjit_sections(text)
    assert [t for t, _ in secs[:3]] == ["Reentry with processed args", "Set up frame pointer",
                                        "Keyword argument dispatch"]
    assert secs[0][1][0] == "  0x00005502e29c70:        stp x29, x30, [sp, #-0x10]!"
    ins = listing_instructions(text)
    assert ins[0] == ("Reentry with processed args", 0x5502E29C70, "stp", "x29, x30, [sp, #-0x10]!")
    assert sum(len(body) for _, body in secs) == len(ins)
    first, last = asm_address_range(text)
    assert first == 0x5502E29C70 and last == ins[-1][1]


def test_mov_value():
    # asmjit's yield-point materialisation in heapq.merge: movz x13 then movk w13
    assert mov_value([("mov", "x13, #0x5ec0"), ("movk", "w13, #0x12c, lsl #16")]) == 0x12C5EC0
    assert mov_value([("mov", "x13, xzr")]) == 0
    assert mov_value([("add", "x13, x13, #1")]) is None
