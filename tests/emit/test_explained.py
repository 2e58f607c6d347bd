"""The hot encoders on random operands -- legal ones and, mostly, illegal ones
(wrong register kinds and widths, SP/ZR in the wrong field, out-of-range,
bool, float and None immediates, junk objects).

The hot encoders of arith, logical, bitfield, dataproc (csel), movewide and
loadstore (single registers and pairs) are one fast check followed by an
explaining path that only raises, so every call must either

* return a word that GNU as gives for the same instruction text (all the
  accepted calls of a test go to GNU as in one batch), or
* raise EncodingError from that mnemonic naming one of its operands (never
  another exception, never the catch-all "operands").
"""

from __future__ import annotations

import random

import pytest

from armjit.emit import (D, H, Q, S, SP, WSP, AddrMode, Cond, EncodingError, Extend, FpReg,
                         GpReg, Mem, Shift)
from armjit.emit import arith, bitfield, dataproc, loadstore, logical, movewide
from tests.emit import oracles
from tests.emit.a64_text import fmt_mem

GP = [GpReg(n, s) for n in range(32) for s in (64, 32)] + [SP, WSP]
FP = [D[0], D[7], S[3], H[1], Q[2], D[31], FpReg(5, 8)]
JUNK = [None, 0, 1, "x0", 1.5, True, (0, 64)]
REGS = GP * 3 + FP + JUNK
IMMS = [0, 1, 2, 3, 4, 7, 8, 12, 16, 31, 32, 63, 64, 255, 256, 4095, 4096, 4097, 8190,
        32760, 32768, 65535, 65536, 1 << 31, -1, -4, -8, -16, -255, -256, -257, -512,
        -520, -4096, True, False, 1.0, None, "8"]
SHIFTS = list(Shift) * 3 + [None, 0, 1, Extend.UXTW, "lsl"]
CONDS = list(Cond) * 2 + [0, None, "eq"]
MODES = [AddrMode.OFFSET, AddrMode.OFFSET, AddrMode.PRE, AddrMode.POST]
X0 = GpReg(0, 64)

N = 3000

# The operand names each family's errors may give.
REG3 = {"rd", "rn", "rm"}
SHIFTED = REG3 | {"shift", "amount"}
LDST = {"rt", "mem", "base", "offset", "mode", "index", "extend", "shift"}
PAIR = {"rt1", "rt2", "mem", "base", "offset", "mode"}


def rnd_imm(rnd):
    return rnd.choice(IMMS) if rnd.random() < 0.7 else rnd.randrange(-70000, 70000)


def rnd_mem(rnd):
    r = rnd.random()
    base = rnd.choice(GP + [SP] * 8 + FP[:2] + [None])
    if r < 0.85:
        off = rnd.choice(IMMS) if rnd.random() < 0.5 else rnd.randrange(-600, 40000)
        return Mem(base, off, rnd.choice(MODES + ["bogus"] if r < 0.02 else MODES))
    idx = rnd.choice(GP + FP[:1])
    return Mem(base, rnd.choice([0, 0, 8]), AddrMode.OFFSET, idx,
               rnd.choice(list(Extend)), rnd.choice([None, 0, 1, 2, 3, 4]))


def explained(mnemonic, fn, args_list, names, text):
    """Call ``fn`` on each argument tuple: a refusal must be an EncodingError
    of ``mnemonic`` naming one of ``names``; every word must be GNU as's for
    ``text(*args)``.  Returns the number of words."""
    accepted = []
    for args in args_list:
        try:
            w = fn(*args)
        except EncodingError as e:
            assert e.mnemonic == mnemonic and e.operand in names, (fn, args, e)
            continue
        assert w.__class__ is int and 0 <= w < 1 << 32, (fn, args, w)
        accepted.append((text(*args), w))
    gas = oracles.gas_words_each([t for t, _ in accepted])
    bad = [(t, f"{w:08x}", g if g is None else f"{g:08x}")
           for (t, w), g in zip(accepted, gas) if g != w]
    assert not bad, bad[:10]
    return len(accepted)


def _lsl12(shift12):
    return ", lsl #12" if shift12 else ""


@pytest.mark.parametrize("mn", ["add", "adds", "sub", "subs", "cmp", "cmn"])
def test_addsub_imm(mn):
    rnd = random.Random(f"imm{mn}")
    enc = getattr(arith, f"encode_{mn}_imm")
    if mn in ("cmp", "cmn"):
        def regs():
            return (rnd.choice(REGS),)

        def text(rn, imm, sh):
            return f"{mn} {rn}, #{imm}{_lsl12(sh)}"
    else:
        def regs():
            return (rnd.choice(REGS), rnd.choice(REGS))

        def text(rd, rn, imm, sh):
            return f"{mn} {rd}, {rn}, #{imm}{_lsl12(sh)}"
    args = [regs() + (rnd_imm(rnd), rnd.choice([False, False, True, 0, 1, None]))
            for _ in range(N)]
    args += [(rnd.choice(GP),) * len(regs()) + (rnd.randrange(4096), rnd.random() < 0.2)
             for _ in range(N)]
    assert explained(mn, enc, args, {"rd", "rn", "imm12", "shift12"}, text) > N // 4


@pytest.mark.parametrize("mn", ["add", "adds", "sub", "subs"])
def test_addsub_shifted(mn):
    rnd = random.Random(f"sh{mn}")
    args = [(rnd.choice(REGS), rnd.choice(REGS), rnd.choice(REGS), rnd.choice(SHIFTS),
             rnd.choice(IMMS[:14] + [-1, 64, True, None])) for _ in range(N)]
    args += [(rnd.choice(GP), rnd.choice(GP), rnd.choice(GP), rnd.choice(list(Shift)),
              rnd.randrange(64)) for _ in range(N)]
    assert explained(mn, getattr(arith, f"encode_{mn}_shifted"), args, SHIFTED,
                     lambda rd, rn, rm, sh, a: f"{mn} {rd}, {rn}, {rm}, {sh.name.lower()} #{a}"
                     ) > N // 8


@pytest.mark.parametrize("mn", list(logical.LOGICAL_OPC) + ["bic", "orn", "eon", "bics"])
def test_logical_shifted(mn):
    rnd = random.Random(f"lg{mn}")
    args = [(rnd.choice(REGS), rnd.choice(REGS), rnd.choice(REGS), rnd.choice(SHIFTS),
             rnd.choice(IMMS[:14] + [-1, 64, True])) for _ in range(N)]
    args += [(rnd.choice(GP), rnd.choice(GP), rnd.choice(GP), rnd.choice(list(Shift)),
              rnd.randrange(64)) for _ in range(N)]
    assert explained(mn, getattr(logical, f"encode_{mn}_shifted"), args, SHIFTED,
                     lambda rd, rn, rm, sh, a: f"{mn} {rd}, {rn}, {rm}, {sh.name.lower()} #{a}"
                     ) > N // 8


def test_mov_reg_and_mov_sp():
    rnd = random.Random("mov")
    args = [(rnd.choice(REGS), rnd.choice(REGS)) for _ in range(N)]
    args += [(rnd.choice(GP + [SP] * 20), rnd.choice(GP + [SP] * 20)) for _ in range(N)]

    def text(rd, rm):
        return f"mov {rd}, {rm}"
    assert explained("mov", logical.encode_mov_reg, args, SHIFTED, text) > N // 4
    assert explained("mov", arith.encode_mov_sp, args, {"rd", "rn", "rd/rn"}, text) > 50


def test_bitfield_and_lsl():
    rnd = random.Random("bf")
    small = IMMS[:14] + [-1, True, None, 1.0]
    args = [(rnd.choice(REGS), rnd.choice(REGS), rnd.choice(small)) for _ in range(N)]
    args += [(rnd.choice(GP), rnd.choice(GP), rnd.randrange(64)) for _ in range(N)]
    assert explained("lsl", bitfield.encode_lsl_imm, args, {"rd", "rn", "shift"},
                     lambda rd, rn, sh: f"lsl {rd}, {rn}, #{sh}") > N // 4
    for mn in ("sbfm", "bfm", "ubfm"):
        args = [(rnd.choice(REGS), rnd.choice(REGS), rnd.choice(small), rnd.choice(small))
                for _ in range(N)]
        assert explained(mn, getattr(bitfield, f"encode_{mn}"), args,
                         {"rd", "rn", "immr", "imms"},
                         lambda rd, rn, r, s: f"{mn} {rd}, {rn}, #{r}, #{s}") > 100
    for mn in ("sxtb", "sxth", "sxtw", "uxtb", "uxth"):
        args = [(rnd.choice(REGS), rnd.choice(REGS)) for _ in range(N)]
        assert explained(mn, getattr(bitfield, f"encode_{mn}"), args, {"rd", "rn"},
                         lambda rd, rn: f"{mn} {rd}, {rn}") > 20


def test_csel_family():
    rnd = random.Random("csel")
    for mn in ("csel", "csinc", "csinv", "csneg"):
        args = [(rnd.choice(REGS), rnd.choice(REGS), rnd.choice(REGS), rnd.choice(CONDS))
                for _ in range(N)]
        assert explained(mn, getattr(dataproc, f"encode_{mn}"), args, REG3 | {"cond"},
                         lambda rd, rn, rm, c: f"{mn} {rd}, {rn}, {rm}, {c.name.lower()}"
                         ) > N // 8


def test_movewide():
    rnd = random.Random("mw")
    for mn in ("movn", "movz", "movk"):
        args = [(rnd.choice(REGS), rnd_imm(rnd), rnd.choice([0, 16, 32, 48, 8, 64, -16, True,
                                                             None, 16.0]))
                for _ in range(N)]
        assert explained(mn, getattr(movewide, f"encode_{mn}"), args,
                         {"rd", "imm16", "shift"},
                         lambda rd, imm, sh: f"{mn} {rd}, #{imm}, lsl #{sh}") > N // 10


@pytest.mark.parametrize("op", list(loadstore.LDST_OPS))
def test_ldst(op):
    rnd = random.Random(f"ls{op}")
    enc = getattr(loadstore, f"encode_{op}")
    args = [(rnd.choice(REGS + FP * 6), rnd_mem(rnd)) for _ in range(N)]
    args += [(rnd.choice(GP), Mem(SP, 1, AddrMode.PRE)), (X0, "not a mem"), (X0, None)]

    def text(rt, m):
        return f"{op} {rt}, {fmt_mem(m)}"
    assert explained(op, enc, args, LDST, text) > 50
    assert explained(op, lambda rt, m: loadstore.encode_ldst(op, rt, m), args, LDST,
                     text) > 50
    # a bool offset or a mode that is not an AddrMode is refused, never encoded
    # (the checking path once took False as offset 0 and any junk mode as post-index)
    rt = next(r for r in GP if loadstore._head_facts(op)(r) is not None)
    for m in (Mem(SP, False), Mem(SP, True), Mem(SP, 8, "bogus")):
        with pytest.raises(EncodingError, match="operand (offset|mode|mem)="):
            enc(rt, m)


@pytest.mark.parametrize("op", loadstore.PAIR_OPS)
def test_pairs(op):
    rnd = random.Random(f"pair{op}")
    enc = getattr(loadstore, f"encode_{op}")
    pool = REGS + FP * 6 + [D[1], D[2], S[1], S[2], Q[1], Q[2]] * 4
    args = [(rnd.choice(pool), rnd.choice(pool), rnd_mem(rnd)) for _ in range(3 * N)]
    # legal-looking ones, with writeback collisions
    for _ in range(N):
        size = rnd.choice([32, 64])
        r1, r2, b = (GpReg(rnd.randrange(32), size), GpReg(rnd.randrange(32), size),
                     rnd.choice([SP, GpReg(rnd.randrange(31), 64)]))
        off = rnd.randrange(-80, 80) * rnd.choice([4, 8, 1])
        args.append((r1, r2, Mem(b, off, rnd.choice(MODES))))

    def text(rt1, rt2, m):
        return f"{op} {rt1}, {rt2}, {fmt_mem(m)}"
    assert explained(op, enc, args, PAIR, text) > 100
    assert explained(op, lambda a, b, m: loadstore.encode_ldst_pair(op, a, b, m), args[:N],
                     PAIR, text) > 10
