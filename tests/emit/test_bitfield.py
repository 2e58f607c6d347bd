"""Tests for armjit.emit.bitfield (SBFM/BFM/UBFM and aliases, EXTR/ROR).

Table words were produced by GNU as (aarch64-linux-gnu-as), not by the encoders.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, strategies as st

from armjit.emit import bitfield
from armjit.emit.errors import EncodingError
from armjit.emit.operands import (GpReg, sp, wsp, wzr, xzr, w0, w1, w2, w3, w4, w5, w6, w13,
                                  w16, w17, x0, x1, x2, x12, x13, x16, x17)

from . import oracles
from .test_arith import fewer, check3, machines, mask, norm, reg, set_regs, sint, sizes, u64

TABLE = [
    (lambda: bitfield.encode_ubfm(x0, x1, 3, 10), 0xd3432820, 'ubfx x0, x1, #3, #8'),
    (lambda: bitfield.encode_sbfm(w0, w1, 31, 31), 0x131f7c20, 'asr w0, w1, #31'),
    (lambda: bitfield.encode_bfm(x0, x1, 60, 3), 0xb37c0c20, 'bfi x0, x1, #4, #4'),
    (lambda: bitfield.encode_lsl_imm(x0, x1, 0), 0xd340fc20, 'lsr x0, x1, #0'),  # LSL #0 is UBFM #0, #63: preferred LSR
    (lambda: bitfield.encode_lsl_imm(x0, x1, 63), 0xd3410020, 'lsl x0, x1, #63'),
    (lambda: bitfield.encode_lsl_imm(w16, w17, 1), 0x531f7a30, 'lsl w16, w17, #1'),
    (lambda: bitfield.encode_lsr_imm(x12, x13, 63), 0xd37ffdac, 'lsr x12, x13, #63'),
    (lambda: bitfield.encode_lsr_imm(w0, wzr, 0), 0x53007fe0, 'lsr w0, wzr, #0'),
    (lambda: bitfield.encode_asr_imm(x0, x1, 5), 0x9345fc20, 'asr x0, x1, #5'),
    (lambda: bitfield.encode_ubfx(x0, x1, 0, 64), 0xd340fc20, 'lsr x0, x1, #0'),
    (lambda: bitfield.encode_ubfx(w0, w1, 4, 8), 0x53042c20, 'ubfx w0, w1, #4, #8'),
    (lambda: bitfield.encode_ubfx(x0, x1, 0, 8), 0xd3401c20, 'ubfx x0, x1, #0, #8'),
    (lambda: bitfield.encode_sbfx(x0, x1, 32, 16), 0x9360bc20, 'sbfx x0, x1, #32, #16'),
    (lambda: bitfield.encode_bfxil(x0, x1, 63, 1), 0xb37ffc20, 'bfxil x0, x1, #63, #1'),
    (lambda: bitfield.encode_ubfiz(x0, x1, 4, 60), 0xd37cec20, 'lsl x0, x1, #4'),
    (lambda: bitfield.encode_ubfiz(x0, x1, 4, 8), 0xd37c1c20, 'ubfiz x0, x1, #4, #8'),
    (lambda: bitfield.encode_sbfiz(w0, w1, 31, 1), 0x13010020, 'sbfiz w0, w1, #31, #1'),
    (lambda: bitfield.encode_bfi(w5, w6, 8, 16), 0x33183cc5, 'bfi w5, w6, #8, #16'),
    (lambda: bitfield.encode_uxtb(w0, w1), 0x53001c20, 'uxtb w0, w1'),
    (lambda: bitfield.encode_uxth(w0, w1), 0x53003c20, 'uxth w0, w1'),
    (lambda: bitfield.encode_sxtb(x0, w1), 0x93401c20, 'sxtb x0, w1'),
    (lambda: bitfield.encode_sxtb(w0, w1), 0x13001c20, 'sxtb w0, w1'),
    (lambda: bitfield.encode_sxth(x16, w17), 0x93403e30, 'sxth x16, w17'),
    (lambda: bitfield.encode_sxtw(x0, w13), 0x93407da0, 'sxtw x0, w13'),
    (lambda: bitfield.encode_extr(x0, x1, x2, 17), 0x93c24420, 'extr x0, x1, x2, #17'),
    (lambda: bitfield.encode_extr(w0, w1, w2, 0), 0x13820020, 'extr w0, w1, w2, #0'),
    (lambda: bitfield.encode_ror_imm(x0, x1, 63), 0x93c1fc20, 'ror x0, x1, #63'),
    (lambda: bitfield.encode_ror_imm(w3, w4, 7), 0x13841c83, 'ror w3, w4, #7'),
]


@pytest.mark.parametrize("call,word,text", TABLE, ids=[t for _, _, t in TABLE])
def test_table(call, word, text):
    assert call() == word
    assert norm(oracles.decode(word)) == norm(text)


def bfm_text(opc, rd, rn, immr, imms):
    """Preferred disassembly of SBFM/BFM/UBFM (Arm ARM alias conditions)."""
    size = rd.size
    if opc == "sbfm":
        if imms == size - 1:
            return f"asr {rd}, {rn}, #{immr}"
        if imms < immr:
            return f"sbfiz {rd}, {rn}, #{(size - immr) % size}, #{imms + 1}"
        if immr == 0 and imms in (7, 15) or (immr == 0 and imms == 31 and size == 64):
            return f"{ {7: 'sxtb', 15: 'sxth', 31: 'sxtw'}[imms]} {rd}, {rn.w}"
        return f"sbfx {rd}, {rn}, #{immr}, #{imms - immr + 1}"
    if opc == "ubfm":
        if imms != size - 1 and imms + 1 == immr:
            return f"lsl {rd}, {rn}, #{size - immr}"
        if imms == size - 1:
            return f"lsr {rd}, {rn}, #{immr}"
        if imms < immr:
            return f"ubfiz {rd}, {rn}, #{(size - immr) % size}, #{imms + 1}"
        if size == 32 and immr == 0 and imms in (7, 15):
            return f"{ {7: 'uxtb', 15: 'uxth'}[imms]} {rd}, {rn}"
        return f"ubfx {rd}, {rn}, #{immr}, #{imms - immr + 1}"
    if rn.is_zr and (imms < immr or immr == 0):
        # BFC (Armv8.2 alias).  Capstone 5 also uses it for immr == 0, where the
        # BFXIL and BFI readings coincide (clear bits imms..0).
        return f"bfc {rd}, #{(size - immr) % size}, #{imms + 1}"
    if imms < immr:
        return f"bfi {rd}, {rn}, #{(size - immr) % size}, #{imms + 1}"
    return f"bfxil {rd}, {rn}, #{immr}, #{imms - immr + 1}"


def bfm_model(opc, size, dst, src, immr, imms):
    """Bitfield move semantics by cases (field extract vs insert), not DecodeBitMasks."""
    if imms >= immr:          # extract src<imms:immr> to bit 0
        width, lsb_src, lsb_dst = imms - immr + 1, immr, 0
    else:                     # insert src<imms:0> at bit size-immr
        width, lsb_src, lsb_dst = imms + 1, 0, size - immr
    field = (src >> lsb_src) & mask(width)
    if opc == "bfm":
        return (dst & ~(mask(width) << lsb_dst) | field << lsb_dst) & mask(size)
    if opc == "sbfm":
        field = sint(field, width)
    return (field << lsb_dst) & mask(size)


@st.composite
def bfm_case(draw):
    opc = draw(st.sampled_from(["sbfm", "bfm", "ubfm"]))
    size = draw(sizes)
    rd, rn = draw(reg(size)), draw(reg(size))
    edge = st.sampled_from([0, 1, 7, 8, 15, 16, 31, size - 2, size - 1])
    immr = draw(st.one_of(edge, st.integers(0, size - 1)))
    imms = draw(st.one_of(edge, st.integers(0, size - 1), st.just(max(immr - 1, 0))))
    return opc, rd, rn, immr, imms


@fewer()
@given(bfm_case(), machines, u64, u64)
def test_bfm(case, m, vd, vn):
    opc, rd, rn, immr, imms = case
    word = getattr(bitfield, f"encode_{opc}")(rd, rn, immr, imms)
    set_regs(m, [(rd, vd), (rn, vn)])
    exp = m.copy()
    exp.write(rd, bfm_model(opc, rd.size, m.read(rd), m.read(rn), immr, imms))
    # Keystone (Armv8.0) has no BFC: give assemblers the base spelling.
    check3(word, bfm_text(opc, rd, rn, immr, imms), m, exp,
           asm_text=f"{opc} {rd}, {rn}, #{immr}, #{imms}")


ALIASES = {  # name: (base opcode, function(size, a, b) -> (immr, imms))
    "ubfx": ("ubfm", lambda s, lsb, w: (lsb, lsb + w - 1)),
    "sbfx": ("sbfm", lambda s, lsb, w: (lsb, lsb + w - 1)),
    "bfxil": ("bfm", lambda s, lsb, w: (lsb, lsb + w - 1)),
    "ubfiz": ("ubfm", lambda s, lsb, w: ((s - lsb) % s, w - 1)),
    "sbfiz": ("sbfm", lambda s, lsb, w: ((s - lsb) % s, w - 1)),
    "bfi": ("bfm", lambda s, lsb, w: ((s - lsb) % s, w - 1)),
}


@fewer()
@given(st.sampled_from(sorted(ALIASES)), sizes, st.data(), machines, u64, u64)
def test_field_aliases(name, size, data, m, vd, vn):
    rd, rn = data.draw(reg(size)), data.draw(reg(size))
    lsb = data.draw(st.one_of(st.sampled_from([0, size - 1]), st.integers(0, size - 1)))
    width = data.draw(st.one_of(st.sampled_from([1, size - lsb]), st.integers(1, size - lsb)))
    base, f = ALIASES[name]
    immr, imms = f(size, lsb, width)
    word = getattr(bitfield, f"encode_{name}")(rd, rn, lsb, width)
    assert word == getattr(bitfield, f"encode_{base}")(rd, rn, immr, imms)
    set_regs(m, [(rd, vd), (rn, vn)])
    exp = m.copy()
    exp.write(rd, bfm_model(base, size, m.read(rd), m.read(rn), immr, imms))
    check3(word, bfm_text(base, rd, rn, immr, imms), m, exp,
           asm_text=f"{name} {rd}, {rn}, #{lsb}, #{width}")


@fewer()
@given(st.sampled_from(["lsl", "lsr", "asr", "ror"]), sizes, st.data(), machines, u64)
def test_shift_aliases(name, size, data, m, vn):
    rd, rn = data.draw(reg(size)), data.draw(reg(size))
    sh = data.draw(st.one_of(st.sampled_from([0, 1, size - 1]), st.integers(0, size - 1)))
    word = getattr(bitfield, f"encode_{name}_imm")(rd, rn, sh)
    set_regs(m, [(rn, vn)])
    v = m.read(rn)
    res = {"lsl": lambda: v << sh, "lsr": lambda: v >> sh,
           "asr": lambda: sint(v, size) >> sh,
           "ror": lambda: (v >> sh) | (v << (size - sh))}[name]() & mask(size)
    exp = m.copy()
    exp.write(rd, res)
    text = f"{name} {rd}, {rn}, #{sh}"
    if name == "lsl" and sh == 0:
        text = f"lsr {rd}, {rn}, #0"
    check3(word, text, m, exp)


@fewer()
@given(st.sampled_from(["uxtb", "uxth", "sxtb", "sxth", "sxtw"]), st.data(), machines, u64)
def test_extend_aliases(name, data, m, vn):
    if name.startswith("u"):
        rd = data.draw(reg(32))
    elif name == "sxtw":
        rd = data.draw(reg(64))
    else:
        rd = data.draw(reg(data.draw(sizes)))
    rn = data.draw(reg(32))
    word = getattr(bitfield, f"encode_{name}")(rd, rn)
    set_regs(m, [(rn, vn)])
    bits = {"b": 8, "h": 16, "w": 32}[name[-1]]
    v = m.read(rn) & mask(bits)
    res = sint(v, bits) if name[0] == "s" else v
    exp = m.copy()
    exp.write(rd, res)
    check3(word, f"{name} {rd}, {rn}", m, exp)


@fewer()
@given(sizes.flatmap(lambda s: st.tuples(reg(s), reg(s), reg(s), st.integers(0, s - 1))),
       machines, u64, u64)
def test_extr(case, m, vn, vm):
    rd, rn, rm, lsb = case
    word = bitfield.encode_extr(rd, rn, rm, lsb)
    set_regs(m, [(rn, vn), (rm, vm)])
    size = rd.size
    res = ((m.read(rn) << size | m.read(rm)) >> lsb) & mask(size)
    exp = m.copy()
    exp.write(rd, res)
    text = f"ror {rd}, {rn}, #{lsb}" if rn == rm else f"extr {rd}, {rn}, {rm}, #{lsb}"
    check3(word, text, m, exp)


INVALID = [
    lambda: bitfield.encode_ubfm(x0, x1, 64, 0),
    lambda: bitfield.encode_ubfm(w0, w1, 32, 0),
    lambda: bitfield.encode_sbfm(w0, w1, 0, 32),
    lambda: bitfield.encode_bfm(x0, x1, -1, 0),
    lambda: bitfield.encode_ubfm(x0, w1, 0, 0),
    lambda: bitfield.encode_ubfm(sp, x1, 0, 0),
    lambda: bitfield.encode_ubfm(x0, sp, 0, 0),
    lambda: bitfield.encode_lsl_imm(x0, x1, 64),
    lambda: bitfield.encode_lsl_imm(w0, w1, 32),
    lambda: bitfield.encode_lsr_imm(x0, x1, -1),
    lambda: bitfield.encode_asr_imm(w0, x1, 1),
    lambda: bitfield.encode_ubfx(x0, x1, 60, 5),
    lambda: bitfield.encode_ubfx(x0, x1, 0, 0),
    lambda: bitfield.encode_ubfx(w0, w1, 0, 33),
    lambda: bitfield.encode_sbfiz(w0, w1, 32, 1),
    lambda: bitfield.encode_bfi(x0, x1, 1, 64),
    lambda: bitfield.encode_bfxil(x0, x1, 64, 1),
    lambda: bitfield.encode_uxtb(x0, w1),
    lambda: bitfield.encode_uxth(w0, x1),
    lambda: bitfield.encode_sxtb(x0, x1),
    lambda: bitfield.encode_sxtw(w0, w1),
    lambda: bitfield.encode_sxtw(x0, x1),
    lambda: bitfield.encode_sxth(wsp, w1),
    lambda: bitfield.encode_extr(x0, x1, x2, 64),
    lambda: bitfield.encode_extr(w0, w1, w2, 32),
    lambda: bitfield.encode_extr(x0, x1, w2, 1),
    lambda: bitfield.encode_ror_imm(x0, x1, 64),
    lambda: bitfield.encode_ror_imm(x0, sp, 1),
    lambda: bitfield.encode_ror_imm("x0", x1, 1),
]


@pytest.mark.parametrize("call", INVALID, ids=range(len(INVALID)))
def test_invalid_raises(call):
    with pytest.raises(EncodingError):
        call()


def test_gas_batch_agrees():
    rnd = random.Random(3)
    calls = []
    for _ in range(300):
        size = rnd.choice([32, 64])
        rd, rn = GpReg(rnd.randrange(32), size), GpReg(rnd.randrange(32), size)
        name = rnd.choice(sorted(ALIASES) + ["extr", "lsl", "lsr", "asr", "ror"])
        if name in ALIASES:
            lsb = rnd.randrange(size)
            w = rnd.randrange(1, size - lsb + 1)
            calls.append((getattr(bitfield, f"encode_{name}")(rd, rn, lsb, w),
                          f"{name} {rd}, {rn}, #{lsb}, #{w}"))
        elif name == "extr":
            rm, lsb = GpReg(rnd.randrange(32), size), rnd.randrange(size)
            calls.append((bitfield.encode_extr(rd, rn, rm, lsb), f"extr {rd}, {rn}, {rm}, #{lsb}"))
        else:
            sh = rnd.randrange(size)
            calls.append((getattr(bitfield, f"encode_{name}_imm")(rd, rn, sh),
                          f"{name} {rd}, {rn}, #{sh}"))
    words = oracles.gas_words_each([t for _, t in calls])
    bad = [(t, f"{w:08x}", g) for (w, t), g in zip(calls, words) if g != w]
    assert not bad, bad[:10]
