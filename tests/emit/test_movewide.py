"""Tests for armjit.emit.movewide (MOVZ/MOVN/MOVK).

Table words were produced by GNU as (aarch64-linux-gnu-as), not by the encoders.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, strategies as st

from armjit.emit import movewide
from armjit.emit.errors import EncodingError
from armjit.emit.operands import GpReg, sp, wsp, w0, w1, w13, x0, x2, x7, x16, x17, xzr

from . import oracles
from .test_arith import fewer, check3, machines, mask, norm, reg, set_regs, sizes, u64

TABLE = [
    (lambda: movewide.encode_movz(x0, 0), 0xd2800000, 'mov x0, #0'),
    (lambda: movewide.encode_movz(x0, 0xFFFF, 48), 0xd2ffffe0, 'mov x0, #0xffff000000000000'),
    (lambda: movewide.encode_movz(w1, 0x1234, 16), 0x52a24681, 'mov w1, #0x12340000'),
    (lambda: movewide.encode_movz(x2, 0, 32), 0xd2c00002, 'movz x2, #0, lsl #32'),
    (lambda: movewide.encode_movz(xzr, 5), 0xd28000bf, 'mov xzr, #5'),
    (lambda: movewide.encode_movn(x0, 0), 0x92800000, 'mov x0, #-1'),
    (lambda: movewide.encode_movn(x0, 0x1234, 16), 0x92a24680, 'mov x0, #0xffffffffedcbffff'),
    (lambda: movewide.encode_movn(w0, 0xFFFF), 0x129fffe0, 'movn w0, #0xffff'),
    (lambda: movewide.encode_movn(w0, 0xFFFF, 16), 0x12bfffe0, 'movn w0, #0xffff, lsl #16'),
    (lambda: movewide.encode_movn(x7, 0, 48), 0x92e00007, 'movn x7, #0, lsl #48'),
    (lambda: movewide.encode_movk(x16, 0xBEEF), 0xf297ddf0, 'movk x16, #0xbeef'),
    (lambda: movewide.encode_movk(x17, 0xFFFF, 48), 0xf2fffff1, 'movk x17, #0xffff, lsl #48'),
    (lambda: movewide.encode_movk(w13, 1, 16), 0x72a0002d, 'movk w13, #0x1, lsl #16'),
]


@pytest.mark.parametrize("call,word,text", TABLE, ids=[t for _, _, t in TABLE])
def test_table(call, word, text):
    assert call() == word
    assert norm(oracles.decode(word)) == norm(text)


def movewide_text(op, rd, imm, shift):
    """Preferred disassembly (Arm ARM MOV (wide immediate) / MOV (inverted wide immediate))."""
    size = rd.size
    tail = f", lsl #{shift}" if shift else ""
    if op == "movk":
        return f"movk {rd}, #{imm}{tail}"
    if imm == 0 and shift != 0:
        return f"{op} {rd}, #{imm}{tail}"
    if op == "movz":
        return f"mov {rd}, #{imm << shift}"
    if size == 32 and imm == 0xFFFF:
        return f"movn {rd}, #{imm}{tail}"
    return f"mov {rd}, #{~(imm << shift) & mask(size)}"


imm16s = st.one_of(st.sampled_from([0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF]), st.integers(0, 0xFFFF))


@st.composite
def movewide_case(draw):
    op = draw(st.sampled_from(["movz", "movn", "movk"]))
    size = draw(sizes)
    rd = draw(reg(size))
    shift = draw(st.sampled_from([0, 16] if size == 32 else [0, 16, 32, 48]))
    return op, rd, draw(imm16s), shift


@fewer()
@given(movewide_case(), machines, u64)
def test_movewide(case, m, vd):
    op, rd, imm, shift = case
    word = getattr(movewide, f"encode_{op}")(rd, imm, shift)
    set_regs(m, [(rd, vd)])
    size = rd.size
    if op == "movz":
        res = imm << shift
    elif op == "movn":
        res = ~(imm << shift) & mask(size)
    else:
        res = (m.read(rd) & ~(0xFFFF << shift)) | (imm << shift)
    exp = m.copy()
    exp.write(rd, res)
    check3(word, movewide_text(op, rd, imm, shift), m, exp)


INVALID = [
    lambda: movewide.encode_movz(x0, 0x10000),
    lambda: movewide.encode_movz(x0, -1),
    lambda: movewide.encode_movz(x0, 1, 8),
    lambda: movewide.encode_movz(x0, 1, 64),
    lambda: movewide.encode_movz(w0, 1, 32),
    lambda: movewide.encode_movn(w0, 1, 48),
    lambda: movewide.encode_movk(w0, 1, 32),
    lambda: movewide.encode_movz(sp, 1),
    lambda: movewide.encode_movk(wsp, 1),
    lambda: movewide.encode_movz(x0, 1, True),
    lambda: movewide.encode_movz(5, 1),
]


@pytest.mark.parametrize("call", INVALID, ids=range(len(INVALID)))
def test_invalid_raises(call):
    with pytest.raises(EncodingError):
        call()


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=0x10000)))
def test_imm16_out_of_range(imm):
    for f in (movewide.encode_movz, movewide.encode_movn, movewide.encode_movk):
        with pytest.raises(EncodingError):
            f(x2, imm)


def test_gas_batch_agrees():
    rnd = random.Random(7)
    calls = []
    for _ in range(200):
        size = rnd.choice([32, 64])
        rd = GpReg(rnd.randrange(32), size)
        op = rnd.choice(["movz", "movn", "movk"])
        imm, sh = rnd.randrange(0x10000), rnd.choice([0, 16] if size == 32 else [0, 16, 32, 48])
        calls.append((getattr(movewide, f"encode_{op}")(rd, imm, sh), f"{op} {rd}, #{imm}, lsl #{sh}"))
    words = oracles.gas_words_each([t for _, t in calls])
    bad = [(t, f"{w:08x}", g) for (w, t), g in zip(calls, words) if g != w]
    assert not bad, bad[:10]
