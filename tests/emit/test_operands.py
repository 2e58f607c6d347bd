"""The operand model and the operand checks every encoder builds on
(operands.py): registers and memory operands keep their semantics, and
gp_field, check_range and same_size accept exactly the legal operands and
refuse every other one with these exact words."""

from __future__ import annotations

import copy
import pickle

import pytest

from armjit.emit import (D, SP, WSP, WZR, XZR, AddrMode, Cond, EncodingError, Extend, FpReg,
                         GpReg, Mem, W, X, mem, post, pre)
from armjit.emit.operands import check_range, gp_field, same_size

GP = [GpReg(n, s) for n in range(32) for s in (64, 32)] + [SP, WSP]    # every interned one


def refusal(fn, *args, **kw) -> str:
    with pytest.raises(EncodingError) as e:
        fn(*args, **kw)
    return str(e.value)


# --------------------------------------------------------------------------
# gp_field

GP_FIELD_WORDS = {
    "not gp": "a general-purpose register",
    "want x": "an X register",
    "want w": "a W register",
    "zr in sp field": "x0-x30 or sp (register 31 means SP here, not ZR)",
    "sp in zr field": "x0-x30 or xzr (register 31 means ZR here, not SP)",
    "sp, no zr": "x0-x30",
    "zr, no zr": "x0-x30 (not the zero register)",
}


@pytest.mark.parametrize("reg, kw, expect", [
    (X[5], {}, 5), (W[30], {}, 30), (XZR, {}, 31), (WZR, {"size": 32}, 31),
    (SP, {"sp": True}, 31), (WSP, {"sp": True, "size": 32}, 31), (X[0], {"zr": False}, 0),
    (X[7], {"sp": True, "size": 64}, 7),
    (SP, {}, "sp in zr field"), (WSP, {}, "sp in zr field"),
    (SP, {"zr": False}, "sp, no zr"),
    (XZR, {"sp": True}, "zr in sp field"), (WZR, {"sp": True}, "zr in sp field"),
    (XZR, {"zr": False}, "zr, no zr"), (WZR, {"zr": False}, "zr, no zr"),
    (W[3], {"size": 64}, "want x"), (X[3], {"size": 32}, "want w"),
    (SP, {"sp": True, "size": 32}, "want w"),            # the width is checked first
    (D[0], {}, "not gp"), (None, {}, "not gp"), (3, {}, "not gp"), ("x0", {}, "not gp"),
])
def test_gp_field(reg, kw, expect):
    if isinstance(expect, int):
        assert gp_field("m", "rd", reg, **kw) == expect
    else:
        assert refusal(gp_field, "m", "rd", reg, **kw) == \
            f"m: operand rd={reg!r} cannot be encoded; legal: {GP_FIELD_WORDS[expect]}"


def test_gp_field_every_register_in_every_field():
    """Register 31 is SP only in a field that means SP and ZR only in one that
    takes ZR (Arm ARM C1.2.5); the width is the one asked; the field value is
    the register number; every refusal is one of the explanations above."""
    words = set(GP_FIELD_WORDS.values())
    for reg in GP:
        for sp in (False, True):
            for zr in (False, True):
                for size in (None, 32, 64):
                    legal = size in (None, reg.size) and (
                        reg.num < 31 or (reg.is_sp if sp else zr and not reg.is_sp))
                    try:
                        got = gp_field("m", "rd", reg, sp=sp, zr=zr, size=size)
                    except EncodingError as e:
                        assert not legal and (e.operand, e.value) == ("rd", reg), (reg, sp, zr)
                        assert e.legal in words
                    else:
                        assert legal and got == reg.num, (reg, sp, zr, size)


# --------------------------------------------------------------------------
# check_range

@pytest.mark.parametrize("value, lo, hi, multiple, expect", [
    (0, 0, 31, 1, 0), (31, 0, 31, 1, 31), (32, 0, 31, 1, "0..31"), (-1, 0, 31, 1, "0..31"),
    (-256, -256, 255, 1, -256), (-257, -256, 255, 1, "-256..255"),
    (1 << 70, -256, 255, 1, "-256..255"),
    (504, -512, 504, 8, 504), (-512, -512, 504, 8, -512),
    (12, -512, 504, 8, "-512..504, a multiple of 8"),
    (512, -512, 504, 8, "-512..504, a multiple of 8"),
    (True, 0, 31, 1, "an integer"), (False, 0, 31, 1, "an integer"),
    (1.0, 0, 31, 1, "an integer"), (None, 0, 31, 1, "an integer"), ("8", 0, 31, 1, "an integer"),
    (Cond.NE, 0, 15, 1, Cond.NE),         # an int subclass other than bool is an integer
    (Cond.NV, 0, 14, 1, "0..14"),
])
def test_check_range(value, lo, hi, multiple, expect):
    if isinstance(expect, int):
        assert check_range("m", "imm", value, lo, hi, multiple) is value
    else:
        assert refusal(check_range, "m", "imm", value, lo, hi, multiple) == \
            f"m: operand imm={value!r} cannot be encoded; legal: {expect}"


def test_check_range_takes_exactly_the_range():
    values = list(range(-600, 600)) + [True, False, 1.0, None, "8", Extend.UXTW, 1 << 64]
    for lo, hi, multiple in ((0, 31, 1), (-256, 255, 1), (-512, 504, 8), (0, 4095 * 4, 4)):
        legal = f"{lo}..{hi}" + (f", a multiple of {multiple}" if multiple != 1 else "")
        for v in values:
            ok = (isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi
                  and v % multiple == 0)
            try:
                got = check_range("m", "imm", v, lo, hi, multiple)
            except EncodingError as e:
                assert not ok and e.legal == (legal if isinstance(v, int) and
                                              not isinstance(v, bool) else "an integer"), v
            else:
                assert ok and got is v, v


# --------------------------------------------------------------------------
# same_size

def test_same_size():
    assert same_size("m", "rd", X[1], "rn", XZR) == 64
    assert same_size("m", "rd", W[1], "rn", WSP, "rm", W[2]) == 32
    assert same_size("m", "rd", W[1], "rn", WZR, "rm", W[2], "ra", W[3]) == 32
    for regs, (name, reg) in [
            (("rd", X[1], "rn", W[2]), ("rn", W[2])),
            (("rd", W[1], "rn", W[2], "rm", X[3]), ("rm", X[3])),
            (("rd", W[1], "rn", X[2], "rm", X[3]), ("rn", X[2])),     # the first one
            (("rd", X[1], "rn", X[2], "rm", X[3], "ra", WZR), ("ra", WZR))]:
        first = regs[1]
        assert refusal(same_size, "m", *regs) == (
            f"m: operand {name}={reg!r} cannot be encoded; legal: a register of the same "
            f"width as rd ({first})")


# --------------------------------------------------------------------------
# Operand objects keep their semantics

def test_operand_objects():
    assert GpReg(3, 64) is GpReg(3, 64) and GpReg(3, 64) == GpReg(3, 64)
    assert GpReg(2, 64) is not GpReg(3, 64) and GpReg(2, 64) != GpReg(2, 32)
    assert GpReg(31, 64, True) is SP and GpReg(31, 64) is XZR and SP != XZR
    assert GpReg(5, 32).x is GpReg(5, 64) and GpReg(5, 64).w is GpReg(5, 32)
    assert SP.w is WSP and WZR.x is XZR and SP.sf == 1 and WSP.sf == 0
    assert (XZR.is_zr, SP.is_zr, SP.is_sp) == (True, False, True)
    assert copy.deepcopy(GpReg(7, 32)) is GpReg(7, 32)
    assert pickle.loads(pickle.dumps(D[3])) is D[3] and FpReg(3, 64) is D[3]
    for bad in ((32, 64), (-1, 64), (3, 16), (3, 64, True), (1.5, 64), (None, 64), (3, 48)):
        with pytest.raises(ValueError):
            GpReg(*bad)
    for bad in ((32, 64), (0, 24), (2.5, 64)):
        with pytest.raises(ValueError):
            FpReg(*bad)
    with pytest.raises(AttributeError):
        GpReg(1, 64).num = 2
    with pytest.raises(AttributeError):
        D[1].size = 32
    with pytest.raises(TypeError):
        type("R", (GpReg,), {})
    m = mem(GpReg(1, 64), 8)
    assert m == Mem(GpReg(1, 64), 8) and hash(m) == hash(Mem(GpReg(1, 64), 8))
    assert m != Mem(GpReg(1, 64), 16) and m != tuple(m) and not (m == tuple(m))
    assert (m.base, m.offset, m.mode, m.index, m.extend, m.shift) == \
        (GpReg(1, 64), 8, AddrMode.OFFSET, None, Extend.UXTX, None)
    assert pre(SP, -16) == Mem(SP, -16, AddrMode.PRE)
    assert post(SP, 16) == Mem(SP, 16, AddrMode.POST)
    assert str(pre(SP, 0)) == "[sp, #0]!" and str(m) == "[x1, #8]"
    with pytest.raises(AttributeError):
        m.offset = 16
    assert {m: 1}[Mem(GpReg(1, 64), 8)] == 1
