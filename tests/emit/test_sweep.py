"""Random-instruction sweep: assemble() against GNU as (batch), Keystone and Capstone.

Random lines are drawn across all families (add/sub imm/shifted/extended,
logical imm/shifted, move wide, mov aliases, bitfield and shifts, multiply/
divide, conditional select/compare, bit ops, loads/stores in every addressing
mode, pairs, FP arithmetic/moves/conversions/compares, barriers), about a
tenth of them with deliberately out-of-range operands.  For every line:

* if assemble() accepts it, GNU as must produce the same word (a line GNU as
  rejects but we accept is a mismatch too), and Capstone must decode it;
* if assemble() refuses (EncodingError/AsmSyntaxError), that is allowed, and
  counted.

``test_sweep_small`` (a few thousand lines) runs in CI; ``test_sweep_million``
is marked ``sweep`` (``pytest --run-sweeps``); its result is recorded in
bench/RESULTS.md.
"""

from __future__ import annotations

import os
import random
import struct
import time

import pytest

from armjit.emit import AsmSyntaxError, EncodingError, assemble
from tests.emit import oracles

CONDS = ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le"]


def _r(rng, size=64, sp=False, zr=True):
    n = rng.randrange(32 if (sp or zr) else 31)
    if n == 31:
        if sp and (not zr or rng.random() < 0.5):
            return "sp" if size == 64 else "wsp"
        return "xzr" if size == 64 else "wzr"
    return f"{'x' if size == 64 else 'w'}{n}"


def _imm(rng, lo, hi, bad=0.08):
    if rng.random() < bad:
        return rng.choice([lo - 1, hi + 1, rng.randrange(-(1 << 40), 1 << 40)])
    edge = rng.random()
    if edge < 0.2:
        return rng.choice([lo, hi, lo + 1, hi - 1, 0])
    return rng.randrange(lo, hi + 1)


def _bitmask(rng, size):
    # a random element size / run / rotation, replicated (the generator's own model)
    e = rng.choice([e for e in (2, 4, 8, 16, 32, 64) if e <= size])
    ones = rng.randrange(1, e)
    rot = rng.randrange(e)
    elem = (1 << ones) - 1
    elem = ((elem >> rot) | (elem << (e - rot))) & ((1 << e) - 1)
    v = 0
    for i in range(0, size, e):
        v |= elem << i
    if rng.random() < 0.08:
        v ^= 1 << rng.randrange(size)       # usually not a bitmask any more
    return v


def gen_line(rng) -> str:
    f = rng.randrange(22)
    s = rng.choice([32, 64])
    R = lambda **k: _r(rng, s, **k)                       # noqa: E731
    if f == 0:
        op = rng.choice(["add", "adds", "sub", "subs"])
        rd = R(sp=op in ("add", "sub"), zr=op in ("adds", "subs"))
        sh = ", lsl #12" if rng.random() < 0.3 else ""
        return f"{op} {rd}, {R(sp=True, zr=False)}, #{_imm(rng, 0, 4095)}{sh}"
    if f == 1:
        op = rng.choice(["add", "adds", "sub", "subs", "cmp", "cmn", "neg", "negs"])
        sh = rng.choice(["lsl", "lsr", "asr"])
        tail = f", {sh} #{_imm(rng, 0, s - 1)}" if rng.random() < 0.7 else ""
        if op in ("cmp", "cmn", "neg", "negs"):
            return f"{op} {R(zr=True)}, {R()}{tail}"
        return f"{op} {R()}, {R()}, {R()}{tail}"
    if f == 2:
        op = rng.choice(["add", "adds", "sub", "subs"])
        ext = rng.choice(["uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"])
        rm = _r(rng, 64 if (s == 64 and ext in ("uxtx", "sxtx")) else 32)
        rd = R(sp=op in ("add", "sub"), zr=op in ("adds", "subs"))
        return f"{op} {rd}, {R(sp=True, zr=False)}, {rm}, {ext} #{_imm(rng, 0, 4)}"
    if f == 3:
        op = rng.choice(["and", "orr", "eor", "ands", "tst"])
        v = _bitmask(rng, s)
        if op == "tst":
            return f"tst {R()}, #{v:#x}"
        rd = R(sp=op != "ands", zr=op == "ands")
        return f"{op} {rd}, {R()}, #{v:#x}"
    if f == 4:
        op = rng.choice(["and", "orr", "eor", "ands", "bic", "orn", "eon", "bics"])
        sh = rng.choice(["lsl", "lsr", "asr", "ror"])
        return f"{op} {R()}, {R()}, {R()}, {sh} #{_imm(rng, 0, s - 1)}"
    if f == 5:
        op = rng.choice(["movz", "movn", "movk"])
        return f"{op} {R()}, #{_imm(rng, 0, 0xFFFF)}, lsl #{rng.choice(range(0, s, 16))}"
    if f == 6:
        v = rng.choice([rng.randrange(1 << 16) << (16 * rng.randrange(s // 16)),
                        ~(rng.randrange(1 << 16) << (16 * rng.randrange(s // 16))),
                        _bitmask(rng, s), rng.randrange(1 << s)])
        return f"mov {R()}, #{v}"
    if f == 7:
        op = rng.choice(["lsl", "lsr", "asr", "ror"])
        if rng.random() < 0.5:
            return f"{op} {R()}, {R()}, {R()}"
        return f"{op} {R()}, {R()}, #{_imm(rng, 0, s - 1)}"
    if f == 8:
        op = rng.choice(["ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi"])
        lsb = _imm(rng, 0, s - 1)
        return f"{op} {R()}, {R()}, #{lsb}, #{_imm(rng, 1, max(1, s - lsb))}"
    if f == 9:
        op = rng.choice(["sxtb", "sxth", "uxtb", "uxth", "sxtw"])
        rd = _r(rng, 64 if op == "sxtw" else s)
        return f"{op} {rd}, {_r(rng, 32)}"
    if f == 10:
        op = rng.choice(["mul", "mneg", "udiv", "sdiv", "smulh", "umulh", "adc", "sbc",
                         "madd", "msub", "smull", "umaddl"])
        if op in ("smulh", "umulh"):
            return f"{op} {_r(rng)}, {_r(rng)}, {_r(rng)}"
        if op == "smull":
            return f"smull {_r(rng)}, {_r(rng, 32)}, {_r(rng, 32)}"
        if op == "umaddl":
            return f"umaddl {_r(rng)}, {_r(rng, 32)}, {_r(rng, 32)}, {_r(rng)}"
        if op in ("madd", "msub"):
            return f"{op} {R()}, {R()}, {R()}, {R()}"
        return f"{op} {R()}, {R()}, {R()}"
    if f == 11:
        op = rng.choice(["csel", "csinc", "csinv", "csneg", "cset", "csetm", "cinc", "cneg"])
        c = rng.choice(CONDS)
        if op in ("cset", "csetm"):
            return f"{op} {R()}, {c}"
        if op in ("cinc", "cneg"):
            return f"{op} {R()}, {R()}, {c}"
        return f"{op} {R()}, {R()}, {R()}, {c}"
    if f == 12:
        op = rng.choice(["ccmp", "ccmn"])
        rm = f"#{_imm(rng, 0, 31)}" if rng.random() < 0.5 else R()
        return f"{op} {R()}, {rm}, #{_imm(rng, 0, 15)}, {rng.choice(CONDS)}"
    if f == 13:
        op = rng.choice(["clz", "cls", "rbit", "rev", "rev16"])
        return f"{op} {R()}, {R()}"
    if f in (14, 15, 16):
        op, rt = rng.choice([("ldr", _r(rng, s)), ("str", _r(rng, s)), ("ldrb", _r(rng, 32)),
                             ("strb", _r(rng, 32)), ("ldrh", _r(rng, 32)),
                             ("strh", _r(rng, 32)), ("ldrsb", _r(rng, s)),
                             ("ldrsh", _r(rng, s)), ("ldrsw", _r(rng, 64)),
                             ("ldr", f"d{rng.randrange(32)}"), ("str", f"s{rng.randrange(32)}"),
                             ("ldr", f"q{rng.randrange(32)}")])
        base = _r(rng, 64, sp=True, zr=False)
        mode = rng.randrange(5)
        if mode == 0:
            return f"{op} {rt}, [{base}, #{_imm(rng, -256, 32760)}]"
        if mode == 1:
            return f"{op} {rt}, [{base}, #{_imm(rng, -256, 255)}]!"
        if mode == 2:
            return f"{op} {rt}, [{base}], #{_imm(rng, -256, 255)}"
        if mode == 3:
            return f"{op} {rt}, [{base}, {_r(rng, 64)}]"
        ext = rng.choice(["uxtw", "sxtw", "sxtx", "lsl"])
        idx = _r(rng, 32 if ext in ("uxtw", "sxtw") else 64)
        amt = rng.choice(["", " #0", f" #{rng.randrange(5)}"])
        if ext == "lsl" and not amt:
            amt = " #0"
        return f"{op} {rt}, [{base}, {idx}, {ext}{amt}]"
    if f == 17:
        op = rng.choice(["ldp", "stp"])
        kind = rng.choice(["x", "w", "d", "s", "q"])
        nb = {"x": 8, "w": 4, "d": 8, "s": 4, "q": 16}[kind]
        regs = [f"{kind}{rng.randrange(31 if kind in 'xw' else 32)}" for _ in range(2)]
        base = _r(rng, 64, sp=True, zr=False)
        off = _imm(rng, -64, 63) * nb if rng.random() < 0.95 else rng.randrange(-600, 600)
        form = rng.choice(["[{b}, #{o}]", "[{b}, #{o}]!", "[{b}], #{o}"])
        return f"{op} {regs[0]}, {regs[1]}, " + form.format(b=base, o=off)
    if f == 18:
        p = rng.choice(["d", "s"])
        op = rng.choice(["fadd", "fsub", "fmul", "fdiv", "fmax", "fminnm", "fnmul"])
        r = lambda: f"{p}{rng.randrange(32)}"                # noqa: E731
        if rng.random() < 0.3:
            op = rng.choice(["fabs", "fneg", "fsqrt", "frintz", "frinta"])
            return f"{op} {r()}, {r()}"
        if rng.random() < 0.2:
            return f"fmadd {r()}, {r()}, {r()}, {r()}"
        return f"{op} {r()}, {r()}, {r()}"
    if f == 19:
        p = rng.choice(["d", "s"])
        k = rng.randrange(5)
        if k == 0:
            n = rng.randrange(16, 32)
            e = rng.randrange(-3, 5)
            v = n / 16 * 2.0 ** e * rng.choice([1, -1])
            if rng.random() < 0.1:
                v += 0.001
            return f"fmov {p}{rng.randrange(32)}, #{v!r}"
        if k == 1:
            return f"fmov {p}{rng.randrange(32)}, {_r(rng, 64 if p == 'd' else 32)}"
        if k == 2:
            return f"fcmp {p}{rng.randrange(32)}, " + (
                "#0.0" if rng.random() < 0.3 else f"{p}{rng.randrange(32)}")
        if k == 3:
            return f"{rng.choice(['scvtf', 'ucvtf'])} {p}{rng.randrange(32)}, {R()}"
        return f"{rng.choice(['fcvtzs', 'fcvtzu', 'fcvtms'])} {R()}, {p}{rng.randrange(32)}"
    if f == 20:
        return rng.choice(["nop", "isb", "dmb ish", "dmb ishld", "dsb sy", "dmb oshst",
                           f"brk #{_imm(rng, 0, 0xFFFF)}", "ret", f"ret {_r(rng)}",
                           f"br {_r(rng, zr=False)}", f"blr {_r(rng, zr=False)}"])
    return f"fcsel d{rng.randrange(32)}, d{rng.randrange(32)}, d{rng.randrange(32)}, " \
        f"{rng.choice(CONDS)}"


def sweep(n: int, seed: int, chunk: int = 50_000, keystone: bool = False):
    rng = random.Random(seed)
    stats = dict(lines=0, accepted=0, refused=0, gas_refused_both=0, mismatches=[])
    for start in range(0, n, chunk):
        lines = [gen_line(rng) for _ in range(min(chunk, n - start))]
        ours = []
        for line in lines:
            try:
                code = assemble(line)
                ours.append(struct.unpack("<I", code)[0] if len(code) == 4 else code)
            except (EncodingError, AsmSyntaxError):
                ours.append(None)
        gas = oracles.gas_words_each(lines)
        for line, o, g in zip(lines, ours, gas):
            stats["lines"] += 1
            if o is None:
                stats["refused"] += 1
                if g is None:
                    stats["gas_refused_both"] += 1
                continue
            stats["accepted"] += 1
            if o != g or oracles.decode(o) is None:
                stats["mismatches"].append((line, o, g))
            elif keystone:
                k = oracles.ks_words(line)
                if k is not None and k != [o]:
                    stats["mismatches"].append((line, o, g, "keystone", k))
    return stats


def test_sweep_small():
    st = sweep(3000, seed=int(os.environ.get("SWEEP_SEED", "1234")), keystone=True)
    assert st["mismatches"] == []
    # The generator is meant to be mostly legal: most lines must be accepted.
    assert st["accepted"] > 0.8 * st["lines"], st


@pytest.mark.sweep
def test_sweep_million():
    t0 = time.time()
    st = sweep(1_000_000, seed=20261124)
    dt = time.time() - t0
    print(f"\nsweep: {st['lines']} lines, {st['accepted']} accepted, {st['refused']} refused "
          f"({st['gas_refused_both']} also refused by GNU as), "
          f"{len(st['mismatches'])} mismatches, {dt:.0f} s")
    for m in st["mismatches"][:50]:
        print("MISMATCH", m)
    assert st["mismatches"] == []
