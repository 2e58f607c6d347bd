"""armjit.cinderxlog: CinderX's log sections and asmjit's listing, on the dev corpus."""

from armjit.cinderxlog import (FACT_TITLES, asm_address_range, asmjit_sections,
                               listing_instructions, mov_value)
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


def _in_sections(instructions, titles):
    return [i for i in instructions if i[0] is not None and any(t in i[0] for t in titles)]


def test_listing_of_some_sections():
    """listing_instructions(text, titles) reads only the sections whose title
    holds one of ``titles`` (codegen.meta's and listing_facts's reader): the
    same instructions as the whole listing's, on every dev-corpus listing, with
    "\n" line breaks (the targeted scan) and with "\r\n" (the per-line scan)."""
    entry = ("Load vectorcall arguments", "Check if called with correct argcount")
    n = 0
    for path in sorted(corpus_dir().glob("*/*/asmjit.asm")):
        text = path.read_text()
        for titles in (FACT_TITLES, entry, ("Deoptimization exits",), ("no such title",)):
            want = _in_sections(listing_instructions(text), titles)
            assert listing_instructions(text, titles) == want, (path, titles)
            assert listing_instructions(text.replace("\n", "\r\n"), titles) == want
            n += len(want)
    assert n > 1000


def test_listing_of_some_sections_edges():
    text = ("Keyword argument dispatch\n"
            "  0x10:  bl #0x500\n"
            "JIT: a log line inside a section\n"
            "# a comment\n"
            "\n"
            "  0x14:  mov x0, x1\n"
            "Other section\n"
            "  0x18:  bl #0x600\n"
            "  Keyword argument dispatch (an indented line is no title)\n"
            "  0x1c:  ret\n"
            "Deoptimization exits\n"
            "  0x20:  b #0x700\n"
            "Keyword argument dispatch on the last line")
    got = listing_instructions(text, FACT_TITLES)
    assert got == [("Keyword argument dispatch", 0x10, "bl", "#0x500"),
                   ("Keyword argument dispatch", 0x14, "mov", "x0, x1"),
                   ("Deoptimization exits", 0x20, "b", "#0x700")]
    assert got == _in_sections(listing_instructions(text), FACT_TITLES)
    assert listing_instructions(text.replace("\n", "\u2028"), FACT_TITLES) == got
