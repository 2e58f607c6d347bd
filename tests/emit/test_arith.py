"""Tests for armjit.emit.arith (add/subtract: immediate, shifted, extended, with carry).

Also home of the small machine model shared by the data-processing test files
(register reads/writes with SP/ZR, AddWithCarry, shifts, extends) and of the
three-oracle check: Capstone text, Keystone (or GNU as) word, Unicorn effect.
Table words were produced by GNU as (binutils 2.40, aarch64-linux-gnu-as), not by
the encoders.
"""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
from hypothesis import given, settings, strategies as st

from armjit.emit import arith
from armjit.emit.errors import EncodingError
from armjit.emit.operands import (SP, WSP, WZR, XZR, Extend, GpReg, Shift, sp, wsp, wzr,
                                  xzr, w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w17, w28,
                                  w29, w30, x0, x1, x2, x3, x4, x5, x6, x12, x13, x16, x17,
                                  x29)

from . import oracles

MASK64 = (1 << 64) - 1

# ================================================================ shared helpers


def fewer(divisor: int = 2):
    """Settings for properties that start Unicorn: the active profile's example
    count divided by ``divisor`` (only ever lowers it, as tests/conftest.py asks)."""
    return settings(max_examples=max(25, settings.default.max_examples // divisor))


def mask(size: int) -> int:
    return (1 << size) - 1


def sint(v: int, size: int) -> int:
    v &= mask(size)
    return v - (1 << size) if v >> (size - 1) else v


_IMM_RE = re.compile(r"#(-?(?:0x[0-9a-f]+|\d+))")


def norm(text: str) -> str:
    """Canonical text for comparing Capstone output with ours: lower case, single
    spaces, every #immediate as an unsigned decimal of the operation width."""
    text = " ".join(text.lower().replace(",", ", ").split()).replace(" ,", ",")
    wide = bool(re.search(r"\b(x\d+|xzr|sp)\b", text))
    m = MASK64 if wide else 0xFFFFFFFF
    return _IMM_RE.sub(lambda mo: "#%d" % (int(mo.group(1), 0) & m), text)


def asm_word(text: str):
    """Keystone's word for text, else GNU as's (one process; rare)."""
    k = oracles.ks_words(text)
    if k is not None:
        assert len(k) == 1, (text, k)
        return k[0]
    return oracles.gas_words_each([text])[0]


EDGE64 = [0, 1, 2, 0x7F, 0x80, 0xFF, 0xFFF, 0x1000, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF,
          0x80000000, 0xFFFFFFFF, 0x100000000, (1 << 63) - 1, 1 << 63, MASK64, MASK64 - 1]
u64 = st.one_of(st.sampled_from(EDGE64), st.integers(0, MASK64))
SCRATCHY = [0, 1, 12, 13, 16, 17, 29, 30]


def reg(size: int, sp: bool = False, zr: bool = True):
    """GP registers of a width: x0..x30 (biased to the scratch/frame registers),
    and register 31 as SP or ZR as the field allows."""
    nums = st.one_of(st.sampled_from(SCRATCHY), st.integers(0, 30))
    opts = [nums.map(lambda n: GpReg(n, size))]
    if zr:
        opts.append(st.just(GpReg(31, size)))
    if sp:
        opts.append(st.just(GpReg(31, size, True)))
    return st.one_of(*opts)


sizes = st.sampled_from([32, 64])
nzcv_bits = st.integers(0, 15).map(lambda f: f << 28)


@dataclasses.dataclass
class Machine:
    """The architectural state the tests model (mirrors oracles.MachineState)."""

    x: list
    sp: int
    nzcv: int

    def read(self, r: GpReg) -> int:
        if r.is_sp:
            v = self.sp
        elif r.is_zr:
            v = 0
        else:
            v = self.x[r.num]
        return v & mask(r.size)

    def write(self, r: GpReg, v: int) -> None:
        v &= mask(r.size)          # W writes zero-extend
        if r.is_sp:
            self.sp = v
        elif not r.is_zr:
            self.x[r.num] = v

    def copy(self) -> "Machine":
        return Machine(list(self.x), self.sp, self.nzcv)

    def state(self) -> oracles.MachineState:
        return oracles.MachineState(x=list(self.x), sp=self.sp, nzcv=self.nzcv)


def machine(seed: int, sp_value: int, flags: int, **regs) -> Machine:
    rnd = random.Random(seed)
    m = Machine([rnd.getrandbits(64) for _ in range(31)], sp_value, flags)
    return m


machines = st.builds(machine, st.integers(0, 2**32), u64, nzcv_bits)


def set_regs(m: Machine, pairs) -> None:
    """Give operand registers drawn values (full 64 bits, so W reads see junk above)."""
    for r, v in pairs:
        if r.is_sp:
            m.sp = v
        elif not r.is_zr:
            m.x[r.num] = v


def run_and_compare(words, m: Machine, expect: Machine) -> oracles.MachineState:
    out = oracles.run(words, m.state())
    assert out.x == expect.x, [(i, hex(a), hex(b)) for i, (a, b) in
                               enumerate(zip(out.x, expect.x)) if a != b]
    assert out.sp == expect.sp, (hex(out.sp), hex(expect.sp))
    assert out.nzcv == expect.nzcv, (hex(out.nzcv), hex(expect.nzcv))
    return out


def check3(word: int, text: str, m: Machine, expect: Machine, asm_text=None) -> None:
    """The three oracles: Capstone decodes to our text, the assembler encodes our
    text (or ``asm_text`` where Capstone's alias is ambiguous) to our word, and
    Unicorn's effect is the model's."""
    got = oracles.decode(word)
    assert got is not None, f"{word:08x} does not decode ({text})"
    assert norm(got) == norm(text), (f"{word:08x}", got, text)
    asm_text = asm_text or text
    assert asm_word(asm_text) == word, (asm_text, f"{word:08x}")
    run_and_compare([word], m, expect)


def add_with_carry(x: int, y: int, carry: int, size: int):
    """Arm ARM AddWithCarry(): (result, nzcv in bits 31..28)."""
    usum = (x & mask(size)) + (y & mask(size)) + carry
    ssum = sint(x, size) + sint(y, size) + carry
    res = usum & mask(size)
    n = res >> (size - 1)
    z = int(res == 0)
    c = int(res != usum)
    v = int(sint(res, size) != ssum)
    return res, oracles.nzcv(n, z, c, v)


def shift_value(v: int, shift: Shift, amount: int, size: int) -> int:
    v &= mask(size)
    if shift is Shift.LSL:
        return (v << amount) & mask(size)
    if shift is Shift.LSR:
        return v >> amount
    if shift is Shift.ASR:
        return (sint(v, size) >> amount) & mask(size)
    return ((v >> amount) | (v << (size - amount))) & mask(size)


def extend_value(v: int, ext: Extend, amount: int, size: int) -> int:
    width = 8 << (int(ext) & 3)
    v &= mask(width)
    if int(ext) & 4:
        v = sint(v, width)
    return (v << amount) & mask(size)


def shift_suffix(shift: Shift, amount: int) -> str:
    return "" if (shift is Shift.LSL and amount == 0) else f", {shift.name.lower()} #{amount}"


# ================================================================ table (GNU as words)

TABLE = [
    (lambda: arith.encode_add_imm(x0, x1, 0), 0x91000020, 'add x0, x1, #0'),
    (lambda: arith.encode_add_imm(x0, x1, 4095), 0x913ffc20, 'add x0, x1, #4095'),
    (lambda: arith.encode_add_imm(w3, w4, 4095, True), 0x117ffc83, 'add w3, w4, #4095, lsl #12'),
    (lambda: arith.encode_add_imm(sp, sp, 16), 0x910043ff, 'add sp, sp, #16'),
    (lambda: arith.encode_add_imm(x29, sp, 0), 0x910003fd, 'mov x29, sp'),
    (lambda: arith.encode_add_imm(wsp, w17, 0), 0x1100023f, 'mov wsp, w17'),
    (lambda: arith.encode_add_imm(x16, x17, 1, True), 0x91400630, 'add x16, x17, #1, lsl #12'),
    (lambda: arith.encode_sub_imm(sp, sp, 0x120), 0xd10483ff, 'sub sp, sp, #0x120'),
    (lambda: arith.encode_sub_imm(x13, x29, 4095, True), 0xd17fffad, 'sub x13, x29, #4095, lsl #12'),
    (lambda: arith.encode_adds_imm(x0, sp, 7), 0xb1001fe0, 'adds x0, sp, #7'),
    (lambda: arith.encode_adds_imm(xzr, x2, 7), 0xb1001c5f, 'cmn x2, #7'),
    (lambda: arith.encode_subs_imm(w1, w2, 4095), 0x713ffc41, 'subs w1, w2, #4095'),
    (lambda: arith.encode_subs_imm(wzr, wsp, 1, True), 0x714007ff, 'cmp wsp, #1, lsl #12'),
    (lambda: arith.encode_cmp_imm(x12, 0), 0xf100019f, 'cmp x12, #0'),
    (lambda: arith.encode_cmn_imm(sp, 4095), 0xb13fffff, 'cmn sp, #4095'),
    (lambda: arith.encode_mov_sp(sp, x13), 0x910001bf, 'mov sp, x13'),
    (lambda: arith.encode_mov_sp(w0, wsp), 0x110003e0, 'mov w0, wsp'),
    (lambda: arith.encode_add_shifted(x0, x1, x2), 0x8b020020, 'add x0, x1, x2'),
    (lambda: arith.encode_add_shifted(x0, xzr, x2, Shift.LSL, 63), 0x8b02ffe0, 'add x0, xzr, x2, lsl #63'),
    (lambda: arith.encode_add_shifted(w0, w1, wzr, Shift.LSR, 31), 0x0b5f7c20, 'add w0, w1, wzr, lsr #31'),
    (lambda: arith.encode_adds_shifted(x16, x17, x12, Shift.ASR, 0), 0xab8c0230, 'adds x16, x17, x12, asr #0'),
    (lambda: arith.encode_sub_shifted(x1, x2, x3, Shift.ASR, 17), 0xcb834441, 'sub x1, x2, x3, asr #17'),
    (lambda: arith.encode_subs_shifted(w30, w29, w28, Shift.LSL, 1), 0x6b1c07be, 'subs w30, w29, w28, lsl #1'),
    (lambda: arith.encode_sub_shifted(x5, xzr, x6, Shift.LSR, 2), 0xcb460be5, 'neg x5, x6, lsr #2'),
    (lambda: arith.encode_neg(w5, w6), 0x4b0603e5, 'neg w5, w6'),
    (lambda: arith.encode_negs(x5, x6, Shift.ASR, 63), 0xeb86ffe5, 'negs x5, x6, asr #63'),
    (lambda: arith.encode_cmp_shifted(x1, x2, Shift.LSL, 3), 0xeb020c3f, 'cmp x1, x2, lsl #3'),
    (lambda: arith.encode_cmn_shifted(wzr, w2), 0x2b0203ff, 'cmn wzr, w2'),
    (lambda: arith.encode_add_ext(x0, sp, x1, Extend.UXTX, 0), 0x8b2163e0, 'add x0, sp, x1'),
    (lambda: arith.encode_add_ext(sp, x0, x1, Extend.UXTX, 3), 0x8b216c1f, 'add sp, x0, x1, lsl #3'),
    (lambda: arith.encode_add_ext(x0, x1, w2, Extend.UXTB, 0), 0x8b220020, 'add x0, x1, w2, uxtb'),
    (lambda: arith.encode_add_ext(x0, x1, w2, Extend.SXTW, 4), 0x8b22d020, 'add x0, x1, w2, sxtw #4'),
    (lambda: arith.encode_add_ext(x0, x1, x2, Extend.SXTX, 1), 0x8b22e420, 'add x0, x1, x2, sxtx #1'),
    (lambda: arith.encode_add_ext(x0, x1, x2, Extend.UXTX, 2), 0x8b226820, 'add x0, x1, x2, uxtx #2'),
    (lambda: arith.encode_sub_ext(wsp, wsp, w3, Extend.UXTW, 2), 0x4b234bff, 'sub wsp, wsp, w3, lsl #2'),
    (lambda: arith.encode_sub_ext(w3, w4, w5, Extend.SXTH, 1), 0x4b25a483, 'sub w3, w4, w5, sxth #1'),
    (lambda: arith.encode_adds_ext(x3, sp, w4, Extend.UXTW, 0), 0xab2443e3, 'adds x3, sp, w4, uxtw'),
    (lambda: arith.encode_subs_ext(xzr, sp, x13, Extend.UXTX, 0), 0xeb2d63ff, 'cmp sp, x13'),
    (lambda: arith.encode_cmp_ext(x1, w2, Extend.SXTB, 0), 0xeb22803f, 'cmp x1, w2, sxtb'),
    (lambda: arith.encode_cmn_ext(wsp, w2, Extend.UXTH, 4), 0x2b2233ff, 'cmn wsp, w2, uxth #4'),
    (lambda: arith.encode_adc(x0, x1, x2), 0x9a020020, 'adc x0, x1, x2'),
    (lambda: arith.encode_adcs(w0, wzr, w2), 0x3a0203e0, 'adcs w0, wzr, w2'),
    (lambda: arith.encode_sbc(x0, x1, xzr), 0xda1f0020, 'sbc x0, x1, xzr'),
    (lambda: arith.encode_sbcs(w7, w8, w9), 0x7a090107, 'sbcs w7, w8, w9'),
    (lambda: arith.encode_ngc(x3, x4), 0xda0403e3, 'ngc x3, x4'),
    (lambda: arith.encode_ngcs(w3, w4), 0x7a0403e3, 'ngcs w3, w4'),
]


@pytest.mark.parametrize("call,word,text", TABLE, ids=[t for _, _, t in TABLE])
def test_table(call, word, text):
    assert call() == word
    assert norm(oracles.decode(word)) == norm(text)


# ================================================================ properties

imm12s = st.one_of(st.sampled_from([0, 1, 2, 4094, 4095]), st.integers(0, 4095))
ADDSUB = {"add": (0, 0), "adds": (0, 1), "sub": (1, 0), "subs": (1, 1)}


@st.composite
def addsub_imm_case(draw):
    op = draw(st.sampled_from(sorted(ADDSUB)))
    size = draw(sizes)
    s = ADDSUB[op][1]
    rd = draw(reg(size, sp=not s, zr=bool(s)))
    rn = draw(reg(size, sp=True, zr=False))
    return op, rd, rn, draw(imm12s), draw(st.booleans())


def addsub_imm_text(op, rd, rn, imm, sh):
    if op == "add" and imm == 0 and not sh and (rd.is_sp or rn.is_sp):
        return f"mov {rd}, {rn}"
    tail = ", lsl #12" if sh else ""
    if op in ("adds", "subs") and rd.is_zr:
        return f"{'cmn' if op == 'adds' else 'cmp'} {rn}, #{imm}{tail}"
    return f"{op} {rd}, {rn}, #{imm}{tail}"


@fewer()
@given(addsub_imm_case(), machines, u64)
def test_addsub_imm(case, m, vn):
    op, rd, rn, imm, sh = case
    word = getattr(arith, f"encode_{op}_imm")(rd, rn, imm, sh)
    set_regs(m, [(rn, vn)])
    sub, s = ADDSUB[op]
    size = rd.size
    op2 = imm << (12 if sh else 0)
    res, flags = add_with_carry(m.read(rn), ~op2 if sub else op2, sub, size)
    exp = m.copy()
    exp.write(rd, res)
    if s:
        exp.nzcv = flags
    check3(word, addsub_imm_text(op, rd, rn, imm, sh), m, exp)


@st.composite
def addsub_shifted_case(draw):
    op = draw(st.sampled_from(sorted(ADDSUB)))
    size = draw(sizes)
    rd, rn, rm = (draw(reg(size)) for _ in range(3))
    shift = draw(st.sampled_from([Shift.LSL, Shift.LSR, Shift.ASR]))
    amount = draw(st.one_of(st.sampled_from([0, 1, size - 1]), st.integers(0, size - 1)))
    return op, rd, rn, rm, shift, amount


def addsub_shifted_text(op, rd, rn, rm, shift, amount):
    suffix = shift_suffix(shift, amount)
    if op in ("adds", "subs") and rd.is_zr:
        return f"{'cmn' if op == 'adds' else 'cmp'} {rn}, {rm}{suffix}"
    if op in ("sub", "subs") and rn.is_zr:
        return f"{'neg' if op == 'sub' else 'negs'} {rd}, {rm}{suffix}"
    return f"{op} {rd}, {rn}, {rm}{suffix}"


@fewer()
@given(addsub_shifted_case(), machines, u64, u64)
def test_addsub_shifted(case, m, vn, vm):
    op, rd, rn, rm, shift, amount = case
    word = getattr(arith, f"encode_{op}_shifted")(rd, rn, rm, shift, amount)
    set_regs(m, [(rn, vn), (rm, vm)])
    sub, s = ADDSUB[op]
    size = rd.size
    op2 = shift_value(m.read(rm), shift, amount, size)
    res, flags = add_with_carry(m.read(rn), ~op2 if sub else op2, sub, size)
    exp = m.copy()
    exp.write(rd, res)
    if s:
        exp.nzcv = flags
    check3(word, addsub_shifted_text(op, rd, rn, rm, shift, amount), m, exp)


@st.composite
def addsub_ext_case(draw):
    op = draw(st.sampled_from(sorted(ADDSUB)))
    size = draw(sizes)
    s = ADDSUB[op][1]
    rd = draw(reg(size, sp=not s, zr=bool(s)))
    rn = draw(reg(size, sp=True, zr=False))
    ext = draw(st.sampled_from(list(Extend)))
    msize = 64 if (size == 64 and ext in (Extend.UXTX, Extend.SXTX)) else 32
    rm = draw(reg(msize))
    return op, rd, rn, rm, ext, draw(st.integers(0, 4))


def addsub_ext_text(op, rd, rn, rm, ext, amount):
    lsl_ok = (ext is (Extend.UXTX if rd.size == 64 else Extend.UXTW)
              and (rn.is_sp or (rd.is_sp and op in ("add", "sub"))))
    if lsl_ok:
        suffix = f", lsl #{amount}" if amount else ""
    else:
        suffix = f", {ext.name.lower()}" + (f" #{amount}" if amount else "")
    if op in ("adds", "subs") and rd.is_zr:
        return f"{'cmn' if op == 'adds' else 'cmp'} {rn}, {rm}{suffix}"
    return f"{op} {rd}, {rn}, {rm}{suffix}"


@fewer()
@given(addsub_ext_case(), machines, u64, u64)
def test_addsub_ext(case, m, vn, vm):
    op, rd, rn, rm, ext, amount = case
    word = getattr(arith, f"encode_{op}_ext")(rd, rn, rm, ext, amount)
    set_regs(m, [(rn, vn), (rm, vm)])
    sub, s = ADDSUB[op]
    size = rd.size
    op2 = extend_value(m.read(rm), ext, amount, size)
    res, flags = add_with_carry(m.read(rn), ~op2 if sub else op2, sub, size)
    exp = m.copy()
    exp.write(rd, res)
    if s:
        exp.nzcv = flags
    check3(word, addsub_ext_text(op, rd, rn, rm, ext, amount), m, exp)


CARRY = {"adc": (0, 0), "adcs": (0, 1), "sbc": (1, 0), "sbcs": (1, 1)}


@fewer()
@given(st.sampled_from(sorted(CARRY)), sizes.flatmap(lambda s: st.tuples(reg(s), reg(s), reg(s))),
       machines, u64, u64)
def test_addsub_carry(op, regs3, m, vn, vm):
    rd, rn, rm = regs3
    word = getattr(arith, f"encode_{op}")(rd, rn, rm)
    set_regs(m, [(rn, vn), (rm, vm)])
    sub, s = CARRY[op]
    c_in = (m.nzcv >> 29) & 1
    y = m.read(rm)
    res, flags = add_with_carry(m.read(rn), ~y if sub else y, c_in, rd.size)
    exp = m.copy()
    exp.write(rd, res)
    if s:
        exp.nzcv = flags
    text = (f"{'ngc' if op == 'sbc' else 'ngcs'} {rd}, {rm}" if sub and rn.is_zr
            else f"{op} {rd}, {rn}, {rm}")
    check3(word, text, m, exp)


# ================================================================ invalid operands

INVALID = [
    # immediate out of range / wrong types
    lambda: arith.encode_add_imm(x0, x1, 4096),
    lambda: arith.encode_add_imm(x0, x1, -1),
    lambda: arith.encode_sub_imm(x0, x1, 1 << 12, True),
    lambda: arith.encode_add_imm(x0, x1, True),
    lambda: arith.encode_add_imm(x0, x1, 1, 12),
    lambda: arith.encode_cmp_imm(x0, 4096),
    # ZR where the immediate form means SP
    lambda: arith.encode_add_imm(xzr, x1, 1),
    lambda: arith.encode_add_imm(x1, xzr, 1),
    lambda: arith.encode_adds_imm(x1, xzr, 1),
    lambda: arith.encode_cmp_imm(xzr, 1),
    # SP where ADDS/SUBS immediate Rd is ZR
    lambda: arith.encode_adds_imm(sp, x1, 1),
    lambda: arith.encode_subs_imm(wsp, w1, 1),
    # width mixes
    lambda: arith.encode_add_imm(x0, w1, 1),
    lambda: arith.encode_add_shifted(x0, x1, w2),
    lambda: arith.encode_sub_shifted(w0, x1, w2),
    lambda: arith.encode_add_ext(x0, w1, w2, Extend.UXTW),
    lambda: arith.encode_adc(x0, x1, w2),
    # shifted form: SP is never legal, ROR is illegal, amounts bounded
    lambda: arith.encode_add_shifted(sp, x1, x2),
    lambda: arith.encode_add_shifted(x0, sp, x2),
    lambda: arith.encode_add_shifted(x0, x1, sp),
    lambda: arith.encode_add_shifted(x0, x1, x2, Shift.ROR, 1),
    lambda: arith.encode_cmp_shifted(x1, x2, Shift.ROR, 0),
    lambda: arith.encode_add_shifted(x0, x1, x2, Shift.LSL, 64),
    lambda: arith.encode_add_shifted(w0, w1, w2, Shift.LSL, 32),
    lambda: arith.encode_add_shifted(w0, w1, w2, Shift.ASR, -1),
    lambda: arith.encode_add_shifted(x0, x1, x2, "lsl", 1),
    lambda: arith.encode_neg(sp, x1),
    # extended form: Rm width per extend, amount 0..4, Rn cannot be ZR, Rm cannot be SP
    lambda: arith.encode_add_ext(x0, x1, x2, Extend.UXTW),
    lambda: arith.encode_add_ext(x0, x1, w2, Extend.UXTX),
    lambda: arith.encode_add_ext(x0, x1, w2, Extend.SXTX),
    lambda: arith.encode_add_ext(w0, w1, x2, Extend.UXTX),
    lambda: arith.encode_add_ext(x0, x1, w2, Extend.UXTB, 5),
    lambda: arith.encode_add_ext(x0, xzr, w2, Extend.UXTB),
    lambda: arith.encode_add_ext(xzr, x1, w2, Extend.UXTB),
    lambda: arith.encode_adds_ext(sp, x1, w2, Extend.UXTB),
    lambda: arith.encode_add_ext(x0, x1, wsp, Extend.UXTB),
    lambda: arith.encode_add_ext(x0, x1, w2, Shift.LSL),
    # with carry: no SP
    lambda: arith.encode_adc(sp, x1, x2),
    lambda: arith.encode_ngc(x0, sp),
    # mov (to/from SP) needs SP
    lambda: arith.encode_mov_sp(x0, x1),
    lambda: arith.encode_mov_sp(xzr, sp),
    lambda: arith.encode_mov_sp(sp, w1),
    # not a register
    lambda: arith.encode_add_imm(0, x1, 1),
]


@pytest.mark.parametrize("call", INVALID, ids=range(len(INVALID)))
def test_invalid_raises(call):
    with pytest.raises(EncodingError):
        call()


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=4096)), st.booleans())
def test_imm12_out_of_range(imm, sh):
    for f in (arith.encode_add_imm, arith.encode_adds_imm, arith.encode_sub_imm,
              arith.encode_subs_imm):
        with pytest.raises(EncodingError) as e:
            f(x1, x2, imm, sh)
        assert e.value.operand == "imm12"


@given(sizes.flatmap(lambda s: st.tuples(st.just(s), st.integers(s, 200))))
def test_shift_amount_out_of_range(sa):
    size, amount = sa
    r = GpReg(3, size)
    for f in (arith.encode_add_shifted, arith.encode_subs_shifted):
        with pytest.raises(EncodingError):
            f(r, r, r, Shift.LSL, amount)


# ================================================================ GNU as batch

def test_gas_batch_agrees():
    """Seeded random operands of every form, assembled by GNU as in one process."""
    rnd = random.Random(1234)
    calls = []
    for _ in range(400):
        size = rnd.choice([32, 64])
        g = lambda: GpReg(rnd.randrange(31), size)  # noqa: E731
        form = rnd.randrange(4)
        op = rnd.choice(sorted(ADDSUB))
        if form == 0:
            rd, rn = g(), GpReg(31, size, True) if rnd.random() < .3 else g()
            imm, sh = rnd.randrange(4096), rnd.random() < .5
            calls.append((getattr(arith, f"encode_{op}_imm")(rd, rn, imm, sh),
                          addsub_imm_text(op, rd, rn, imm, sh)))
        elif form == 1:
            sh = rnd.choice([Shift.LSL, Shift.LSR, Shift.ASR])
            a = rnd.randrange(size)
            rd, rn, rm = g(), g(), g()
            calls.append((getattr(arith, f"encode_{op}_shifted")(rd, rn, rm, sh, a),
                          addsub_shifted_text(op, rd, rn, rm, sh, a)))
        elif form == 2:
            ext = rnd.choice(list(Extend))
            ms = 64 if size == 64 and ext in (Extend.UXTX, Extend.SXTX) else 32
            rd, rn, rm = g(), g(), GpReg(rnd.randrange(32), ms)
            a = rnd.randrange(5)
            calls.append((getattr(arith, f"encode_{op}_ext")(rd, rn, rm, ext, a),
                          addsub_ext_text(op, rd, rn, rm, ext, a)))
        else:
            cop = rnd.choice(sorted(CARRY))
            rd, rn, rm = g(), g(), g()
            calls.append((getattr(arith, f"encode_{cop}")(rd, rn, rm), f"{cop} {rd}, {rn}, {rm}"))
    words = oracles.gas_words_each([t for _, t in calls])
    bad = [(t, f"{w:08x}", g) for (w, t), g in zip(calls, words) if g != w]
    assert not bad, bad[:10]
