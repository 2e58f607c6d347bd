"""Tests for armjit.emit.immediates: bitmask encode/decode (exhaustive),
ADD/SUB immediates, load/store offset forms, and the legalisation plans
executed in Unicorn (value in rd, flags, and no other register touched).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, strategies as st

from armjit.emit import immediates as imm
from armjit.emit.errors import EncodingError
from armjit.emit.operands import GpReg, SP, XZR, x1, x2, x3, w1, w2

from . import oracles
from .test_arith import (fewer, Machine, add_with_carry, machines, mask, reg, set_regs, sint, u64)

MASK64 = (1 << 64) - 1


def _all_patterns(size):
    """Every logical immediate of `size` bits, built from the definition (a rotated
    run of 1..e-1 ones in an e-bit element, replicated), independent of the code."""
    out = set()
    for e in (2, 4, 8, 16, 32, 64):
        if e > size:
            continue
        for ones in range(1, e):
            for r in range(e):
                elem = (1 << ones) - 1
                elem = ((elem >> r) | (elem << (e - r))) & ((1 << e) - 1)
                out.add(sum(elem << i for i in range(0, size, e)))
    return out


ALL_PATTERNS = {32: _all_patterns(32), 64: _all_patterns(64)}


# ---------------------------------------------------------------- bitmask: exhaustive

def test_pattern_counts():
    assert len(ALL_PATTERNS[64]) == 5334
    assert len(ALL_PATTERNS[32]) == 1302


@pytest.mark.parametrize("size", [32, 64])
def test_bitmask_exhaustive_roundtrip(size):
    """Decode every (N, immr, imms) with canonical immr; the values are exactly the
    patterns; re-encoding gives back the same fields; every pattern encodes."""
    decoded = {}
    for n in (0, 1) if size == 64 else (0,):
        for imms in range(64):
            for immr in range(64):
                try:
                    v = imm.decode_bitmask(n, immr, imms, size)
                except EncodingError:
                    continue
                esize = 1 << ((n << 6 | (~imms & 63)).bit_length() - 1)
                if immr >= esize:
                    # hardware ignores immr bits above the element: same value
                    assert v == imm.decode_bitmask(n, immr & (esize - 1), imms, size)
                    continue
                assert v not in decoded, (v, decoded.get(v), (n, immr, imms))
                decoded[v] = (n, immr, imms)
    assert set(decoded) == ALL_PATTERNS[size]
    for v, fields in decoded.items():
        assert imm.encode_bitmask(v, size) == fields


def test_bitmask_reserved_and_refused():
    with pytest.raises(EncodingError):
        imm.decode_bitmask(1, 0, 0, 32)          # N=1 with 32-bit
    with pytest.raises(EncodingError):
        imm.decode_bitmask(0, 0, 0b111111, 64)   # len < 1
    with pytest.raises(EncodingError):
        imm.decode_bitmask(0, 0, 0b111101, 64)   # S all ones in a 2-bit element
    with pytest.raises(EncodingError):
        imm.decode_bitmask(1, 0, 63, 64)         # all ones
    for size in (32, 64):
        assert imm.encode_bitmask(0, size) is None
        assert imm.encode_bitmask(mask(size), size) is None
        assert imm.encode_bitmask(-1, size) is None
        assert imm.encode_bitmask(1 << size, size) is None
    assert imm.encode_bitmask(-2, 64) == imm.encode_bitmask(MASK64 - 1, 64)
    assert imm.encode_bitmask(0x1234, 64) is None


@given(st.sampled_from([32, 64]), st.integers(0, MASK64))
def test_bitmask_random_values(size, v):
    v &= mask(size)
    enc = imm.encode_bitmask(v, size)
    assert (enc is not None) == (v in ALL_PATTERNS[size])
    if enc is not None:
        assert imm.decode_bitmask(*enc, size) == v


def test_bitmask_known_fields():
    # from the LLVM MC corpus: orr w3, w9, #0xffff0000 = 0x32103d23 (N=0 immr=16 imms=15)
    assert imm.encode_bitmask(0xFFFF0000, 32) == (0, 16, 15)
    # and x9, x10, #0x7fffffffffff = 0x9240b949 (N=1 immr=0 imms=46)
    assert imm.encode_bitmask(0x7FFFFFFFFFFF, 64) == (1, 0, 46)
    # eor x3, x6, #0xe0e0e0e0e0e0e0e0 = 0xd203c8c3 (N=0 immr=3 imms=0b110010)
    assert imm.encode_bitmask(0xE0E0E0E0E0E0E0E0, 64) == (0, 3, 0b110010)


# ---------------------------------------------------------------- add/sub immediates

def test_is_add_sub_imm():
    yes = [0, 1, 4095, 4096, 8192, 0xFFF000, 0x123000]
    no = [-1, 4097, 0xFFF001, 0x1000000, 0xFFFFFF, -4096, 1 << 63, True]
    assert all(imm.is_add_sub_imm(v) for v in yes)
    assert not any(imm.is_add_sub_imm(v) for v in no)


@given(st.integers(-(1 << 64), 1 << 64))
def test_is_add_sub_imm_definition(v):
    expect = any(0 <= v == i << s for s in (0, 12) for i in [v >> s] if i <= 4095)
    assert imm.is_add_sub_imm(v) == expect


# ---------------------------------------------------------------- load/store offsets

def test_ldst_imm_form_table():
    cases = [
        (0, 8, "scaled"), (8, 8, "scaled"), (32760, 8, "scaled"), (32768, 8, None),
        (4, 8, "unscaled"), (255, 8, "unscaled"), (256, 8, "scaled"), (257, 8, None),
        (-8, 8, "unscaled"), (-256, 8, "unscaled"), (-257, 8, None), (-264, 8, None),
        (4095, 1, "scaled"), (4096, 1, None), (-256, 1, "unscaled"),
        (8190, 2, "scaled"), (8191, 2, None), (255, 2, "unscaled"),
        (16380, 4, "scaled"), (16381, 4, None), (65520, 16, "scaled"), (65536, 16, None),
        (17, 16, "unscaled"), (272, 16, "scaled"), (258, 16, None),
    ]
    for off, size, form in cases:
        assert imm.ldst_imm_form(off, size) == form, (off, size)
    with pytest.raises(ValueError):
        imm.ldst_imm_form(0, 3)


def test_pair_offset_table():
    cases = [(0, 8, True), (504, 8, True), (512, 8, False), (-512, 8, True), (-520, 8, False),
             (4, 8, False), (252, 4, True), (256, 4, False), (-256, 4, True),
             (1008, 16, True), (1024, 16, False), (-1024, 16, True), (8, 16, False)]
    for off, size, ok in cases:
        assert imm.pair_offset_ok(off, size) == ok, (off, size)


_LD = {1: "ldrb w0", 2: "ldrh w0", 4: "ldr w0", 8: "ldr x0", 16: "ldr q0"}


def test_ldst_forms_agree_with_gnu_as():
    """GNU as: 'ldr' with an offset is accepted iff some form holds it; the
    chosen word is the scaled form (bit 24 set) iff we say scaled.  Same for LDP."""
    offsets = sorted({o for b in (0, 256, 4096, 8192, 16384, 32768, 65536)
                      for o in (b - 17, b - 16, b - 8, b - 4, b - 2, b - 1, b, b + 1, b + 8)}
                     | {-257, -256, -255, -16, -8, -1, 4095 * 16, 4095 * 8 + 8})
    lines, expect = [], []
    for size, ld in _LD.items():
        for off in offsets:
            lines.append(f"{ld}, [x1, #{off}]")
            expect.append(("ldr", imm.ldst_imm_form(off, size)))
    for size, ld in ((4, "ldp w0, w1"), (8, "ldp x0, x1"), (16, "ldp q0, q1")):
        for off in range(-70 * size, 70 * size, size // 2 if size > 4 else 2):
            lines.append(f"{ld}, [x2, #{off}]")
            expect.append(("ldp", imm.pair_offset_ok(off, size)))
    words = oracles.gas_words_each(lines)
    bad = []
    for line, (kind, form), w in zip(lines, expect, words):
        if kind == "ldr":
            got = None if w is None else ("scaled" if (w >> 24) & 1 else "unscaled")
        else:
            got = w is not None
        if got != form:
            bad.append((line, form, got))
    assert not bad, bad[:10]
    assert sum(w is not None for w in words) > 300


# ---------------------------------------------------------------- values for plans

def _around(vs):
    return sorted({(v + d) & MASK64 for v in vs for d in (-1, 0, 1)})


EDGES = _around([0, 4095, -4095, 4096, -4096, 0xFFF000, -0xFFF000, 0xFFFFFF, -0xFFFFFF,
                 0x1000000, 0xFFFF, 0x10000, 0xFFFFFFFF, 1 << 32, 1 << 63, (1 << 63) - 1,
                 0x7FFFFFFF, 0x80000000, 0x123456789ABCDEF0])
values64 = st.one_of(st.sampled_from(EDGES), st.sampled_from(sorted(ALL_PATTERNS[64])),
                     st.integers(0, MASK64),
                     st.integers(-(1 << 63), (1 << 63) - 1),
                     st.integers(0, 0xFFFF).flatmap(
                         lambda h: st.sampled_from([h, h << 16, h << 32, h << 48,
                                                    ~h & MASK64, ~(h << 32) & MASK64])))


def fit(v, size):
    """Draws are 64-bit; for W registers use a signed or unsigned 32-bit value."""
    if size == 64:
        return v if v >= 0 else v
    u = v & 0xFFFFFFFF
    return sint(u, 32) if (v >> 40) & 1 else u


def brute_force_mov_count(v, size):
    hws = [(v >> s) & 0xFFFF for s in range(0, size, 16)]
    movz = max(1, sum(h != 0 for h in hws))
    movn = max(1, sum(h != 0xFFFF for h in hws))
    return min(movz, movn, 1 if v in ALL_PATTERNS[size] else 99)


def check_only(out, m: Machine, allowed, sp_allowed=False):
    for i in range(31):
        if i not in allowed:
            assert out.x[i] == m.x[i], f"x{i} changed"
    if not sp_allowed:
        assert out.sp == m.sp, "sp changed"


@fewer()
@given(st.sampled_from([32, 64]), st.integers(0, 30), values64, machines)
def test_plan_mov_imm(size, rdn, v, m):
    v = fit(v, size)
    rd = GpReg(rdn, size)
    words = imm.plan_mov_imm(rd, v)
    assert all(oracles.decode(w) for w in words)
    assert len(words) == brute_force_mov_count(v & mask(size), size)
    assert len(words) == imm.mov_imm_cost(v, size)
    out = oracles.run(words, m.state())
    assert out.x[rdn] == v & mask(size)
    check_only(out, m, {rdn})
    assert out.nzcv == m.nzcv


def test_plan_mov_imm_single_agrees_with_gnu_as():
    """GNU as accepts 'mov xN, #v' exactly for one-instruction values: our plan is
    one word exactly then, and the same word."""
    rnd = random.Random(5)
    vals = EDGES + rnd.sample(sorted(ALL_PATTERNS[64]), 200) + [
        rnd.getrandbits(16) << rnd.choice([0, 16, 32, 48]) for _ in range(100)] + [
        ~(rnd.getrandbits(16) << rnd.choice([0, 16, 32, 48])) & MASK64 for _ in range(100)] + [
        rnd.getrandbits(64) for _ in range(50)]
    lines = [f"mov x5, #{v:#x}" for v in vals] + [f"mov w5, #{v & 0xFFFFFFFF:#x}" for v in vals]
    regs = [GpReg(5, 64)] * len(vals) + [GpReg(5, 32)] * len(vals)
    vs = vals + [v & 0xFFFFFFFF for v in vals]
    gas = oracles.gas_words_each(lines)
    for line, r, v, g in zip(lines, regs, vs, gas):
        plan = imm.plan_mov_imm(r, v)
        if g is None:
            assert len(plan) > 1, line
        else:
            assert plan == [g], (line, [hex(w) for w in plan], hex(g))
    assert sum(g is not None for g in gas) > 500


def test_plan_mov_imm_refuses():
    for bad in (lambda: imm.plan_mov_imm(SP, 1), lambda: imm.plan_mov_imm(XZR, 1),
                lambda: imm.plan_mov_imm(x1, 1 << 64), lambda: imm.plan_mov_imm(x1, -(1 << 63) - 1),
                lambda: imm.plan_mov_imm(w1, 1 << 32), lambda: imm.plan_mov_imm(w1, -(1 << 31) - 1),
                lambda: imm.plan_mov_imm(x1, "1")):
        with pytest.raises(EncodingError):
            bad()


scratch_regs = st.sampled_from([12, 13, 16, 17, 0, 30])


@st.composite
def plan_add_case(draw):
    size = draw(st.sampled_from([32, 64]))
    set_flags = draw(st.booleans())
    rd = draw(reg(size, sp=not set_flags, zr=True))
    rn = draw(st.one_of(reg(size, sp=True, zr=False), st.just(GpReg(31, size)), st.just(rd)))
    s = draw(st.one_of(st.none(), scratch_regs.map(lambda n: GpReg(n, 64))))
    return size, set_flags, rd, rn, s, fit(draw(values64), size)


@fewer()
@given(plan_add_case(), machines, u64)
def test_plan_add_imm(case, m, vn):
    size, set_flags, rd, rn, scratch, v = case
    set_regs(m, [(rn, vn)])
    try:
        words = imm.plan_add_imm(rd, rn, v, scratch, set_flags=set_flags)
    except EncodingError as e:
        # only the documented refusals: a scratch is needed but missing or aliases rn
        assert e.operand == "scratch", e
        assert scratch is None or scratch.num == rn.num, e
        return
    res, flags = add_with_carry(m.read(rn), v & mask(size), 0, size)
    exp = m.copy()
    exp.write(rd, res)
    out = oracles.run(words, m.state())
    allowed = {rd.num} | ({scratch.num} if scratch is not None else set())
    check_only(out, m, allowed, sp_allowed=rd.is_sp)
    if not rd.is_zr:
        got = out.sp if rd.is_sp else out.x[rd.num]
        assert got == res, (hex(got), hex(res), [oracles.decode(w) for w in words])
    assert out.nzcv == (flags if set_flags else m.nzcv)
    if scratch is None:   # never needs a scratch for single/two-instruction cases
        pass
    if rd.is_zr and not set_flags:
        assert words == []
    # length bound: 1 or 2 instructions for split-able values, else mov + 1
    assert len(words) <= imm.mov_imm_cost(v, size) + 1 + (1 if rd.is_sp and rn.is_zr else 0)


def test_plan_add_imm_shapes():
    from armjit.emit import arith
    assert imm.plan_add_imm(x1, x2, 4095) == [arith.encode_add_imm(x1, x2, 4095)]
    assert imm.plan_add_imm(x1, x2, -4096) == [arith.encode_sub_imm(x1, x2, 1, True)]
    assert imm.plan_add_imm(SP, SP, 0x123456) == [arith.encode_add_imm(SP, SP, 0x123, True),
                                                  arith.encode_add_imm(SP, SP, 0x456)]
    assert imm.plan_add_imm(x1, x1, 0) == []
    # needs a scratch: none given, or scratch = rn
    with pytest.raises(EncodingError):
        imm.plan_add_imm(x1, x1, 0x12345678)
    with pytest.raises(EncodingError):
        imm.plan_add_imm(SP, x3, 0x12345678, scratch=x3)
    with pytest.raises(EncodingError):
        imm.plan_add_imm(x1, x2, 0x12345678, scratch=SP)
    with pytest.raises(EncodingError):
        imm.plan_add_imm(x1, w2, 1)
    with pytest.raises(EncodingError):
        imm.plan_add_imm(x1, x2, 1 << 64)
    # rd != rn: rd itself serves as the temporary, no scratch needed
    assert len(imm.plan_add_imm(x1, x2, 0x12345678)) == 3


@fewer()
@given(st.sampled_from([32, 64]), st.one_of(reg(64, sp=True), reg(32, sp=True)),
       scratch_regs, values64, machines, u64)
def test_plan_cmp_imm(size, rn, sn, v, m, vn):
    rn = GpReg(rn.num, size, rn.is_sp)
    v = fit(v, size)
    scratch = GpReg(sn, size)
    set_regs(m, [(rn, vn)])
    try:
        words = imm.plan_cmp_imm(rn, v, scratch)
    except EncodingError as e:
        assert e.operand == "scratch" and sn == rn.num
        return
    _, flags = add_with_carry(m.read(rn), ~v & mask(size), 1, size)
    out = oracles.run(words, m.state())
    assert out.nzcv == flags, [oracles.decode(w) for w in words]
    check_only(out, m, {sn})
    u = v & mask(size)
    if not rn.is_zr and (imm.is_add_sub_imm(u) or imm.is_add_sub_imm(-u & mask(size))):
        assert len(words) == 1   # CMP or CMN, no scratch


LOG = {"and": lambda a, b: a & b, "orr": lambda a, b: a | b, "eor": lambda a, b: a ^ b,
       "ands": lambda a, b: a & b}


@fewer()
@given(st.sampled_from(sorted(LOG)), st.sampled_from([32, 64]), st.data(), scratch_regs,
       values64, machines, u64)
def test_plan_logical_imm(op, size, data, sn, v, m, vn):
    rd = data.draw(reg(size, sp=op != "ands"))
    rn = data.draw(st.one_of(reg(size), st.just(rd if not rd.is_sp else GpReg(0, size))))
    v = fit(v, size)
    scratch = GpReg(sn, size)
    set_regs(m, [(rn, vn)])
    try:
        words = imm.plan_logical_imm(op, rd, rn, v, scratch)
    except EncodingError as e:
        assert e.operand == "scratch" and sn == rn.num
        return
    res = LOG[op](m.read(rn), v & mask(size))
    out = oracles.run(words, m.state())
    check_only(out, m, {rd.num, sn}, sp_allowed=rd.is_sp)
    if not rd.is_zr:
        assert (out.sp if rd.is_sp else out.x[rd.num]) == res
    if op == "ands":
        assert out.nzcv == oracles.nzcv(res >> (size - 1), int(res == 0), 0, 0)
    else:
        assert out.nzcv == m.nzcv
    if rd.is_zr and op != "ands":
        assert words == []
    elif (v & mask(size)) in ALL_PATTERNS[size]:
        assert len(words) == 1


def test_plan_add_imm_zero_into_same_w_register_zero_extends():
    # Found by Hypothesis: plan_add_imm(w1, w1, 0) returned no words, leaving
    # bits 63:32 of x1 set, but "w1 = w1 + 0" writes w1, which clears them
    # (Unicorn executes the plan).  For an X register nothing is needed.
    state = oracles.MachineState()
    state.x[1] = 0xFFFFFFFF_00000005
    words = imm.plan_add_imm(w1, w1, 0)
    assert len(words) == 1
    assert oracles.run(words, state).x[1] == 5
    assert imm.plan_add_imm(x1, x1, 0) == []
