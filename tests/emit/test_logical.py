"""Tests for armjit.emit.logical (logical immediate and shifted register).

Table words were produced by GNU as (aarch64-linux-gnu-as), not by the encoders.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, strategies as st

from armjit.emit import logical
from armjit.emit.errors import EncodingError
from armjit.emit.immediates import decode_bitmask
from armjit.emit.operands import (GpReg, Shift, sp, wsp, wzr, xzr, w0, w1, w2, w3, w12, w13,
                                  w16, w17, x0, x1, x2, x3, x5, x6, x9, x12, x13, x16, x17,
                                  x29, x30)

from . import oracles
from .test_arith import (fewer, check3, machines, mask, reg, set_regs, shift_suffix, sizes, u64)

TABLE = [
    (lambda: logical.encode_and_imm(x0, x1, 0xFF), 0x92401c20, 'and x0, x1, #0xff'),
    (lambda: logical.encode_and_imm(w0, w1, 0xFFFFFFFE), 0x121f7820, 'and w0, w1, #0xfffffffe'),
    (lambda: logical.encode_and_imm(sp, x1, 0xFFFFFFFFFFFFFFF0), 0x927cec3f, 'and sp, x1, #0xfffffffffffffff0'),
    (lambda: logical.encode_orr_imm(x3, x9, 0xFFFF0000FFFF0000), 0xb2103d23, 'orr x3, x9, #0xffff0000ffff0000'),
    (lambda: logical.encode_orr_imm(x0, xzr, 0x5555555555555555), 0xb200f3e0, 'mov x0, #0x5555555555555555'),
    # GNU as: 'orr x0, xzr, #0xffff'; Capstone 5 prints the MOV alias even where the
    # Arm ARM prefers ORR (MoveWidePreferred), see logical_imm_text
    (lambda: logical.encode_orr_imm(x0, xzr, 0xFFFF), 0xb2403fe0, 'mov x0, #0xffff'),
    (lambda: logical.encode_orr_imm(wsp, wzr, 0xF0F0F0F0), 0x3204cfff, 'mov wsp, #0xf0f0f0f0'),
    (lambda: logical.encode_eor_imm(x16, x17, 0x8000000000000000), 0xd2410230, 'eor x16, x17, #0x8000000000000000'),
    (lambda: logical.encode_eor_imm(w2, w3, 0x1), 0x52000062, 'eor w2, w3, #0x1'),
    (lambda: logical.encode_ands_imm(x5, x6, 0x3333333333333333), 0xf200e4c5, 'ands x5, x6, #0x3333333333333333'),
    (lambda: logical.encode_ands_imm(xzr, x6, 7), 0xf24008df, 'tst x6, #0x7'),
    (lambda: logical.encode_tst_imm(w12, 0x80000000), 0x7201019f, 'tst w12, #0x80000000'),
    (lambda: logical.encode_mov_bitmask(x13, 0x00FF00FF00FF00FF), 0xb2009fed, 'mov x13, #0xff00ff00ff00ff'),
    (lambda: logical.encode_and_imm(x0, x1, -2), 0x927ff820, 'and x0, x1, #0xfffffffffffffffe'),
    (lambda: logical.encode_and_shifted(x0, x1, x2), 0x8a020020, 'and x0, x1, x2'),
    (lambda: logical.encode_and_shifted(w0, w1, w2, Shift.ROR, 31), 0x0ac27c20, 'and w0, w1, w2, ror #31'),
    (lambda: logical.encode_bic_shifted(x0, x1, x2, Shift.LSL, 63), 0x8a22fc20, 'bic x0, x1, x2, lsl #63'),
    (lambda: logical.encode_orr_shifted(x0, x1, x2, Shift.LSR, 7), 0xaa421c20, 'orr x0, x1, x2, lsr #7'),
    (lambda: logical.encode_orr_shifted(x0, xzr, x2, Shift.LSR, 7), 0xaa421fe0, 'orr x0, xzr, x2, lsr #7'),
    (lambda: logical.encode_orn_shifted(w0, w1, wzr, Shift.ASR, 1), 0x2abf0420, 'orn w0, w1, wzr, asr #1'),
    (lambda: logical.encode_eor_shifted(x0, x1, x2, Shift.ROR, 0), 0xcac20020, 'eor x0, x1, x2, ror #0'),
    (lambda: logical.encode_eon_shifted(x0, x1, x2), 0xca220020, 'eon x0, x1, x2'),
    (lambda: logical.encode_ands_shifted(w16, w17, w12, Shift.LSL, 4), 0x6a0c1230, 'ands w16, w17, w12, lsl #4'),
    (lambda: logical.encode_bics_shifted(x16, x17, x12), 0xea2c0230, 'bics x16, x17, x12'),
    (lambda: logical.encode_tst_shifted(x1, x2, Shift.ASR, 2), 0xea82083f, 'tst x1, x2, asr #2'),
    (lambda: logical.encode_mvn(x1, x2), 0xaa2203e1, 'mvn x1, x2'),
    (lambda: logical.encode_mvn(w1, w2, Shift.ROR, 3), 0x2ae20fe1, 'mvn w1, w2, ror #3'),
    (lambda: logical.encode_mov_reg(x29, x30), 0xaa1e03fd, 'mov x29, x30'),
    (lambda: logical.encode_mov_reg(w0, wzr), 0x2a1f03e0, 'mov w0, wzr'),
]


@pytest.mark.parametrize("call,word,text", TABLE, ids=[t for _, _, t in TABLE])
def test_table(call, word, text):
    from .test_arith import norm
    assert call() == word
    assert norm(oracles.decode(word)) == norm(text)


# ---------------------------------------------------------------- bitmask values, drawn
# independently of encode_bitmask: a run of `ones` ones in an element of `e` bits,
# rotated right by r, replicated.

@st.composite
def bitmask_value(draw, size):
    e = draw(st.sampled_from([s for s in (2, 4, 8, 16, 32, 64) if s <= size]))
    ones = draw(st.integers(1, e - 1))
    r = draw(st.integers(0, e - 1))
    elem = (1 << ones) - 1
    elem = ((elem >> r) | (elem << (e - r))) & ((1 << e) - 1)
    v = 0
    for i in range(0, size, e):
        v |= elem << i
    return v


def movewide_ok(v: int, size: int) -> bool:
    """A single MOVZ or MOVN makes v (Arm ARM MoveWidePreferred, by value)."""
    hws = [(v >> s) & 0xFFFF for s in range(0, size, 16)]
    inv = [h ^ 0xFFFF for h in hws]
    return sum(h != 0 for h in hws) <= 1 or sum(h != 0 for h in inv) <= 1


LOGIC = {"and": lambda a, b: a & b, "orr": lambda a, b: a | b,
         "eor": lambda a, b: a ^ b, "ands": lambda a, b: a & b}


def logical_imm_text(op, rd, rn, v):
    """Capstone's text.  Deviation from the Arm ARM: Capstone 5 prints MOV for every
    ORR Rd, ZR, #imm, also where MoveWidePreferred() says ORR is the preferred
    disassembly; `asm_text` below gives assemblers the unambiguous ORR spelling."""
    if op == "orr" and rn.is_zr:
        return f"mov {rd}, #{v}"
    if op == "ands" and rd.is_zr:
        return f"tst {rn}, #{v}"
    return f"{op} {rd}, {rn}, #{v}"


@st.composite
def logical_imm_case(draw):
    op = draw(st.sampled_from(sorted(LOGIC)))
    size = draw(sizes)
    rd = draw(reg(size, sp=op != "ands", zr=op == "ands"))
    rn = draw(reg(size))
    return op, rd, rn, draw(bitmask_value(size))


def nz_flags(res, size):
    return oracles.nzcv(res >> (size - 1), int(res == 0), 0, 0)


@fewer()
@given(logical_imm_case(), machines, u64)
def test_logical_imm(case, m, vn):
    op, rd, rn, v = case
    word = getattr(logical, f"encode_{op}_imm")(rd, rn, v)
    set_regs(m, [(rn, vn)])
    res = LOGIC[op](m.read(rn), v)
    exp = m.copy()
    exp.write(rd, res)
    if op == "ands":
        exp.nzcv = nz_flags(res, rd.size)
    asm_text = f"orr {rd}, {rn}, #{v:#x}" if (op == "orr" and rn.is_zr) else None
    check3(word, logical_imm_text(op, rd, rn, v), m, exp, asm_text=asm_text)
    # the encoded fields decode (Arm ARM DecodeBitMasks) to the value
    n, immr, imms = (word >> 22) & 1, (word >> 16) & 63, (word >> 10) & 63
    assert decode_bitmask(n, immr, imms, rd.size) == v


SHIFTED = {  # op: (function, inverts Rm)
    "and": (lambda a, b: a & b, False), "bic": (lambda a, b: a & b, True),
    "orr": (lambda a, b: a | b, False), "orn": (lambda a, b: a | b, True),
    "eor": (lambda a, b: a ^ b, False), "eon": (lambda a, b: a ^ b, True),
    "ands": (lambda a, b: a & b, False), "bics": (lambda a, b: a & b, True),
}


def logical_shifted_text(op, rd, rn, rm, shift, amount):
    suffix = shift_suffix(shift, amount)
    if op == "orr" and rn.is_zr and shift is Shift.LSL and amount == 0:
        return f"mov {rd}, {rm}"
    if op == "orn" and rn.is_zr:
        return f"mvn {rd}, {rm}{suffix}"
    if op == "ands" and rd.is_zr:
        return f"tst {rn}, {rm}{suffix}"
    return f"{op} {rd}, {rn}, {rm}{suffix}"


@st.composite
def logical_shifted_case(draw):
    op = draw(st.sampled_from(sorted(SHIFTED)))
    size = draw(sizes)
    rd, rn, rm = (draw(reg(size)) for _ in range(3))
    shift = draw(st.sampled_from(list(Shift)))
    amount = draw(st.one_of(st.sampled_from([0, 1, size - 1]), st.integers(0, size - 1)))
    return op, rd, rn, rm, shift, amount


@fewer()
@given(logical_shifted_case(), machines, u64, u64)
def test_logical_shifted(case, m, vn, vm):
    from .test_arith import shift_value
    op, rd, rn, rm, shift, amount = case
    word = getattr(logical, f"encode_{op}_shifted")(rd, rn, rm, shift, amount)
    set_regs(m, [(rn, vn), (rm, vm)])
    f, inv = SHIFTED[op]
    size = rd.size
    op2 = shift_value(m.read(rm), shift, amount, size)
    if inv:
        op2 ^= mask(size)
    res = f(m.read(rn), op2)
    exp = m.copy()
    exp.write(rd, res)
    if op in ("ands", "bics"):
        exp.nzcv = nz_flags(res, size)
    check3(word, logical_shifted_text(op, rd, rn, rm, shift, amount), m, exp)


# ---------------------------------------------------------------- invalid operands

INVALID = [
    lambda: logical.encode_and_imm(x0, x1, 0),
    lambda: logical.encode_and_imm(x0, x1, (1 << 64) - 1),
    lambda: logical.encode_and_imm(x0, x1, -1),
    lambda: logical.encode_orr_imm(x0, x1, 0x1234),
    lambda: logical.encode_orr_imm(w0, w1, 0xFFFFFFFF),
    lambda: logical.encode_orr_imm(w0, w1, 0x100000000),       # beyond 32 bits
    lambda: logical.encode_eor_imm(x0, x1, 1 << 64),
    lambda: logical.encode_eor_imm(x0, x1, 5),
    lambda: logical.encode_and_imm(x0, x1, 1.0),
    lambda: logical.encode_and_imm(xzr, x1, 1),                # Rd is SP here
    lambda: logical.encode_and_imm(x0, sp, 1),                 # Rn is ZR here
    lambda: logical.encode_ands_imm(sp, x1, 1),                # ANDS Rd is ZR
    lambda: logical.encode_tst_imm(sp, 1),
    lambda: logical.encode_and_imm(x0, w1, 1),
    lambda: logical.encode_and_shifted(sp, x1, x2),
    lambda: logical.encode_and_shifted(x0, sp, x2),
    lambda: logical.encode_orr_shifted(x0, x1, sp),
    lambda: logical.encode_orr_shifted(x0, x1, w2),
    lambda: logical.encode_eor_shifted(w0, w1, w2, Shift.ROR, 32),
    lambda: logical.encode_eor_shifted(x0, x1, x2, Shift.LSL, 64),
    lambda: logical.encode_eor_shifted(x0, x1, x2, 0, 1),
    lambda: logical.encode_mov_reg(sp, x1),
    lambda: logical.encode_mov_reg(x1, sp),
    lambda: logical.encode_mvn(x1, w2),
    lambda: logical.encode_mov_bitmask(x1, 0x12345),
]


@pytest.mark.parametrize("call", INVALID, ids=range(len(INVALID)))
def test_invalid_raises(call):
    with pytest.raises(EncodingError):
        call()


@given(sizes, st.integers(0, (1 << 64) - 1))
def test_non_bitmask_refused(size, v):
    """Any value that is not in the exhaustive set of patterns is refused."""
    from .test_immediates import ALL_PATTERNS
    v &= mask(size)
    if v in ALL_PATTERNS[size]:
        assert logical.encode_orr_imm(GpReg(1, size), GpReg(2, size), v)
    else:
        with pytest.raises(EncodingError):
            logical.encode_orr_imm(GpReg(1, size), GpReg(2, size), v)


def test_gas_batch_agrees():
    rnd = random.Random(99)
    calls = []
    for _ in range(300):
        size = rnd.choice([32, 64])
        g = lambda: GpReg(rnd.randrange(32), size)  # noqa: E731
        if rnd.random() < .5:
            op = rnd.choice(sorted(LOGIC))
            e = rnd.choice([s for s in (2, 4, 8, 16, 32, 64) if s <= size])
            ones, r = rnd.randrange(1, e), rnd.randrange(e)
            elem = (1 << ones) - 1
            elem = ((elem >> r) | (elem << (e - r))) & ((1 << e) - 1)
            v = sum(elem << i for i in range(0, size, e))
            rd, rn = GpReg(rnd.randrange(31), size), g()
            calls.append((getattr(logical, f"encode_{op}_imm")(rd, rn, v),
                          f"{op} {rd}, {rn}, #{v:#x}"))
        else:
            op = rnd.choice(sorted(SHIFTED))
            sh, a = rnd.choice(list(Shift)), rnd.randrange(size)
            rd, rn, rm = g(), g(), g()
            calls.append((getattr(logical, f"encode_{op}_shifted")(rd, rn, rm, sh, a),
                          f"{op} {rd}, {rn}, {rm}, {sh.name.lower()} #{a}"))
    words = oracles.gas_words_each([t for _, t in calls])
    bad = [(t, f"{w:08x}", g) for (w, t), g in zip(calls, words) if g != w]
    assert not bad, bad[:10]
