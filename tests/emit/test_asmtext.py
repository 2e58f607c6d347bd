"""Tests of armjit.emit.assemble (the textual assembler)."""

from __future__ import annotations

import struct

import pytest

from armjit.emit import AsmSyntaxError, EncodingError, LabelError, assemble
from tests.emit import oracles

# One statement per line; expected words from GNU as (one batch).
LINES = [
    "add x0, x1, #0xfff", "add x0, x1, #0x123, lsl #12", "add x0, x1, #4096",
    "sub x0, x1, #-4", "stp x29, x30, [sp, #-16]!", "ldp x29, x30, [sp], #16",
    "ldr x0, [x1], #8", "ldr x0, [x1, #8]!", "ldr x0, [x1, w2, sxtw #3]",
    "ldr w0, [x1, x2, lsl #2]", "ldrb w0, [x1, x2]", "ldr x0, [x1, #-8]", "str xzr, [sp]",
    "lsl x0, x1, #3", "asr w0, w1, #31", "mov x0, #-1", "mov x0, #0x10000",
    "mov w0, #0xffff0000", "mov x0, #0x5555555555555555", "mov x0, sp", "mov sp, x0",
    "mov x0, x1", "fmov d0, #1.0", "fmov s1, #-0.125", "fmov d2, x3", "fcmp d0, #0.0",
    "cmp x0, #-1", "cmn w0, #4095", "cmp sp, x1", "add x0, sp, x1, lsl #2",
    "and x0, x1, #0xff00", "tst w0, #0x80000000", "orr x0, xzr, #0xaaaaaaaaaaaaaaaa",
    "csel x0, x1, x2, ne", "cset w0, hs", "ccmp x0, #31, #15, al", "ubfx x0, x1, #60, #4",
    "bfi w0, w1, #3, #5", "madd x0, x1, x2, xzr", "udiv w0, w1, w2", "scvtf d0, w1",
    "fcvtzs x0, d1", "dmb ish", "isb", "brk #0x3e8", "mrs x0, nzcv", "msr fpcr, x1",
    "ret", "ret x1", "blr x16", "movk x0, #0xbeef, lsl #48", "neg x0, x1, lsl #2",
    "mvn w0, w1", "ldrsw x0, [sp, #4]", "ldrsb x0, [x1, #-1]!",
]


@pytest.fixture(scope="module")
def gas_words():
    words = oracles.gas_words_each(LINES)
    assert None not in words, [l for l, w in zip(LINES, words) if w is None]
    return words


@pytest.mark.parametrize("i", range(len(LINES)))
def test_line_matches_gnu_as(i, gas_words):
    assert assemble(LINES[i]) == struct.pack("<I", gas_words[i])


def test_program_with_labels_semicolons_comments_and_data():
    src = """
    // a loop
    start:  mov x0, #10 ; mov x1, #0
    loop:   add x1, x1, x0      // accumulate
            subs x0, x0, #1
            b.ne loop
            cbz x1, start
            b end
            .align 3
    data:   .quad 0x1122334455667788, data
            .word 7
    end:    ret
    """
    code = assemble(src, address=0x1000)
    words = struct.unpack(f"<{len(code) // 4}I", code)
    assert oracles.disasm(code[:28], 0x1000) == [
        "mov x0, #0xa", "mov x1, #0", "add x1, x1, x0", "subs x0, x0, #1",
        "b.ne #0x1008", "cbz x1, #0x1000", f"b #{0x1000 + len(code) - 4:#x}"]
    assert code[32:40] == struct.pack("<Q", 0x1122334455667788)
    assert code[40:48] == struct.pack("<Q", 0x1000 + 32)     # .quad data (absolute)
    assert words[12] == 7
    assert oracles.disasm(code[-4:]) == ["ret"]


def test_numeric_branch_targets_are_absolute_and_strict():
    assert oracles.disasm(assemble("b #0x2000", address=0x1000), 0x1000) == ["b #0x2000"]
    assert oracles.disasm(assemble("b.eq #0x1000", address=0x1000), 0x1000) == ["b.eq #0x1000"]
    with pytest.raises(EncodingError):
        assemble("b.eq #0x200000")          # beyond +-1 MiB: refused, never relaxed
    with pytest.raises(EncodingError):
        assemble("tbz x0, #1, #0x8000")


@pytest.mark.parametrize("text", [
    "add x0, x1, #0x123456",      # no single ADD holds it
    "mov x0, #0x123456789",       # GNU semantics: one instruction only
    "and x0, x1, #0x1234",        # not a bitmask
    "ldr x0, [x1, #0x100000]",
    "add x0, x1, x2, ror #3",
    "lsl x0, x1, #64",
    "fmov d0, #0.1",
    "stp x0, x1, [sp, #-1024]!",
    "ldp x0, x0, [x1]",
    "add w0, x1, w2",
    "ldr w0, [x1, x2, lsl #3]",
])
def test_encoding_errors(text):
    with pytest.raises(EncodingError):
        assemble(text)


@pytest.mark.parametrize("text,line,column", [
    ("frobnicate x0", 1, 1),
    ("nop\n  add x0, x1, #zz", 2, 16),
    ("nop ; add x0, [x1", 1, 18),  # where the missing "]" should be
    ("add x0, x1", 1, 1),
    ("ldr x0, [x1, #8] junk", 1, 18),
    ("mov x0, x1 ; ; bogus!op", 1, 21),
    ("b.eq", 1, 1),
    ("csel x0, x1, x2, xx", 1, 18),
])
def test_syntax_error_line_and_column(text, line, column):
    with pytest.raises(AsmSyntaxError) as e:
        assemble(text)
    assert (e.value.line, e.value.column) == (line, column)


def test_label_errors():
    with pytest.raises(LabelError):
        assemble("b nowhere")
    with pytest.raises(AsmSyntaxError):
        assemble("x: nop\nx: nop")
