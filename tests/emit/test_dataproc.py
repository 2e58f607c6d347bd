"""Tests for armjit.emit.dataproc (1/2/3-source, conditional select/compare) and
the LLVM conformance corpus for all of this helper's families (arith, logical,
movewide, bitfield, dataproc).

Expected words in the tables come from the LLVM MC corpus or GNU as / Keystone,
never from the encoders under test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from armjit.emit import arith, bitfield, dataproc, immediates, logical, movewide
from armjit.emit.errors import EncodingError
from armjit.emit.operands import (SP, WSP, WZR, XZR, Cond, Extend, GpReg, Shift, W, X)

from . import oracles

MASK64 = (1 << 64) - 1

# ---------------------------------------------------------------- text -> call adapter

_REG_RE = re.compile(r"^(x|w)(\d+)$")


def parse_reg(tok: str):
    tok = tok.strip()
    named = {"sp": SP, "wsp": WSP, "xzr": XZR, "wzr": WZR}
    if tok in named:
        return named[tok]
    m = _REG_RE.match(tok)
    if m and int(m.group(2)) <= 30:
        return GpReg(int(m.group(2)), 64 if m.group(1) == "x" else 32)
    return None


def parse_int(tok: str):
    tok = tok.strip()
    if tok.startswith("#"):
        tok = tok[1:]
    return int(tok, 0)


_COND = {c.name.lower(): c for c in Cond}
_COND.update({"hs": Cond.HS, "lo": Cond.LO, "cs": Cond.CS, "cc": Cond.CC})
_SHIFTS = {s.name.lower(): s for s in Shift}
_EXTS = {e.name.lower(): e for e in Extend}


def parse_operands(text: str):
    mnem, _, rest = text.strip().partition(" ")
    ops = []
    for tok in [t.strip() for t in rest.split(",")] if rest.strip() else []:
        r = parse_reg(tok)
        if r is not None:
            ops.append(("reg", r))
        elif tok.startswith("#"):
            ops.append(("imm", parse_int(tok)))
        elif tok in _COND:
            ops.append(("cond", _COND[tok]))
        else:
            parts = tok.split()
            if parts[0] in _SHIFTS:
                ops.append(("shift", _SHIFTS[parts[0]], parse_int(parts[1]) if len(parts) > 1 else 0))
            elif parts[0] in _EXTS:
                ops.append(("ext", _EXTS[parts[0]], parse_int(parts[1]) if len(parts) > 1 else 0,
                            len(parts) > 1))
            else:
                raise ValueError(f"cannot parse operand {tok!r} in {text!r}")
    return mnem, ops


class Unmapped(Exception):
    pass


def _kinds(ops):
    return tuple(o[0] for o in ops)


def _addsub(mnem, ops):
    """add/sub/adds/subs/cmp/cmn in all three forms."""
    base = {"cmp": "subs", "cmn": "adds"}.get(mnem, mnem)
    alias = mnem in ("cmp", "cmn")
    regs = [o[1] for o in ops if o[0] == "reg"]
    k = _kinds(ops)
    if "imm" in k:
        imm = [o[1] for o in ops if o[0] == "imm"][0]
        sh = [o for o in ops if o[0] == "shift"]
        shift12 = bool(sh) and sh[0][2] == 12
        if sh and sh[0][2] not in (0, 12):
            raise Unmapped
        if alias:
            return getattr(arith, f"encode_{mnem}_imm")(regs[0], imm, shift12)
        return getattr(arith, f"encode_{base}_imm")(regs[0], regs[1], imm, shift12)
    rd_rn = regs[:1] if alias else regs[:2]
    rm = regs[-1]
    mods = [o for o in ops if o[0] in ("shift", "ext")]
    use_ext = any(o[0] == "ext" for o in mods) or any(r.is_sp for r in rd_rn) \
        or rm.size != rd_rn[0].size
    if use_ext:
        if mods and mods[0][0] == "ext":
            ext, amount = mods[0][1], mods[0][2]
        else:
            if mods and mods[0][1] is not Shift.LSL:
                raise Unmapped
            ext = Extend.UXTX if rd_rn[0].size == 64 else Extend.UXTW
            amount = mods[0][2] if mods else 0
        if alias:
            return getattr(arith, f"encode_{mnem}_ext")(rd_rn[0], rm, ext, amount)
        return getattr(arith, f"encode_{base}_ext")(rd_rn[0], rd_rn[1], rm, ext, amount)
    shift, amount = (mods[0][1], mods[0][2]) if mods else (Shift.LSL, 0)
    if alias:
        return getattr(arith, f"encode_{mnem}_shifted")(rd_rn[0], rm, shift, amount)
    return getattr(arith, f"encode_{base}_shifted")(rd_rn[0], rd_rn[1], rm, shift, amount)


def _shift_of(ops):
    mods = [o for o in ops if o[0] == "shift"]
    return (mods[0][1], mods[0][2]) if mods else (Shift.LSL, 0)


def encode_text(text: str) -> int:
    """Map one LLVM-syntax line to an encoder call; raise Unmapped if we can't."""
    mnem, ops = parse_operands(text)
    k = _kinds(ops)
    regs = [o[1] for o in ops if o[0] == "reg"]
    imms = [o[1] for o in ops if o[0] == "imm"]
    conds = [o[1] for o in ops if o[0] == "cond"]
    if mnem in ("add", "sub", "adds", "subs", "cmp", "cmn"):
        return _addsub(mnem, ops)
    if mnem in ("neg", "negs"):
        return getattr(arith, f"encode_{mnem}")(regs[0], regs[1], *_shift_of(ops))
    if mnem in ("adc", "adcs", "sbc", "sbcs"):
        return getattr(arith, f"encode_{mnem}")(*regs)
    if mnem in ("ngc", "ngcs"):
        return getattr(arith, f"encode_{mnem}")(*regs)
    if mnem == "mov":
        if k == ("reg", "imm"):
            words = immediates.plan_mov_imm(regs[0], imms[0])
            if len(words) != 1:
                raise AssertionError(f"mov {imms[0]} is one instruction in LLVM, {len(words)} here")
            return words[0]
        if regs[0].is_sp or regs[1].is_sp:
            return arith.encode_mov_sp(regs[0], regs[1])
        return logical.encode_mov_reg(regs[0], regs[1])
    if mnem in ("movz", "movn", "movk"):
        sh = [o[2] for o in ops if o[0] == "shift"]
        return getattr(movewide, f"encode_{mnem}")(regs[0], imms[0], sh[0] if sh else 0)
    if mnem in ("and", "orr", "eor", "ands"):
        if imms:
            return getattr(logical, f"encode_{mnem}_imm")(regs[0], regs[1], imms[0])
        return getattr(logical, f"encode_{mnem}_shifted")(*regs, *_shift_of(ops))
    if mnem in ("bic", "orn", "eon", "bics"):
        return getattr(logical, f"encode_{mnem}_shifted")(*regs, *_shift_of(ops))
    if mnem == "tst":
        if imms:
            return logical.encode_tst_imm(regs[0], imms[0])
        return logical.encode_tst_shifted(regs[0], regs[1], *_shift_of(ops))
    if mnem == "mvn":
        return logical.encode_mvn(regs[0], regs[1], *_shift_of(ops))
    if mnem in ("lsl", "lsr", "asr", "ror"):
        if imms:
            return getattr(bitfield, f"encode_{mnem}_imm")(regs[0], regs[1], imms[0])
        return getattr(dataproc, f"encode_{mnem}_reg")(*regs)
    if mnem in ("lslv", "lsrv", "asrv", "rorv", "udiv", "sdiv"):
        return getattr(dataproc, f"encode_{mnem}")(*regs)
    if mnem in ("sbfm", "bfm", "ubfm", "ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi"):
        return getattr(bitfield, f"encode_{mnem}")(regs[0], regs[1], *imms)
    if mnem in ("uxtb", "uxth", "sxtb", "sxth", "sxtw"):
        return getattr(bitfield, f"encode_{mnem}")(regs[0], regs[1])
    if mnem == "extr":
        return bitfield.encode_extr(*regs, imms[0])
    if mnem in ("ccmp", "ccmn"):
        if k[1] == "imm":
            return getattr(dataproc, f"encode_{mnem}_imm")(regs[0], imms[0], imms[1], conds[0])
        return getattr(dataproc, f"encode_{mnem}")(regs[0], regs[1], imms[0], conds[0])
    if mnem in ("csel", "csinc", "csinv", "csneg", "cset", "csetm", "cinc", "cinv", "cneg"):
        return getattr(dataproc, f"encode_{mnem}")(*regs, conds[0])
    if mnem in ("rbit", "rev16", "rev32", "rev", "clz", "cls"):
        return getattr(dataproc, f"encode_{mnem}")(*regs)
    if mnem in ("madd", "msub", "mul", "mneg", "smaddl", "smsubl", "umaddl", "umsubl",
                "smull", "smnegl", "umull", "umnegl", "smulh", "umulh"):
        return getattr(dataproc, f"encode_{mnem}")(*regs)
    raise Unmapped(mnem)


FAMILIES = {
    "arith": "add adds sub subs cmp cmn neg negs adc adcs sbc sbcs ngc ngcs".split(),
    "logical": "and orr eor ands bic orn eon bics tst mvn".split(),
    "movewide": "movz movn movk".split(),
    "mov": ["mov"],
    "bitfield": "lsl lsr asr ror sbfm bfm ubfm ubfx sbfx bfxil ubfiz sbfiz bfi "
                "uxtb uxth sxtb sxth sxtw extr".split(),
    "dataproc": "udiv sdiv lslv lsrv asrv rorv ccmp ccmn csel csinc csinv csneg cset csetm "
                "cinc cinv cneg rbit rev16 rev32 rev clz cls madd msub mul mneg smaddl smsubl "
                "umaddl umsubl smull smnegl umull umnegl smulh umulh".split(),
}
ALL_MNEMONICS = {m for ms in FAMILIES.values() for m in ms}
CONFORMANCE = Path("/work/shared/conformance/llvm-basic-a64.jsonl")


def _conformance_lines():
    out = []
    for line in CONFORMANCE.read_text().splitlines():
        d = json.loads(line)
        mnem = d["text"].split()[0]
        if mnem in ALL_MNEMONICS:
            out.append((d["text"], int.from_bytes(bytes.fromhex(d["hex"]), "little")))
    return out


def test_llvm_conformance_all_families():
    """Every LLVM MC line in these families maps to an encoder call giving the same bytes."""
    lines = _conformance_lines()
    mapped, unmapped, bad = 0, [], []
    per_family = {f: 0 for f in FAMILIES}
    for text, word in lines:
        try:
            got = encode_text(text)
        except Unmapped:
            unmapped.append(text)
            continue
        except EncodingError as e:   # refusing a line LLVM accepts is a failure too
            bad.append((text, f"{word:08x}", f"EncodingError: {e}"))
            continue
        mapped += 1
        fam = next(f for f, ms in FAMILIES.items() if text.split()[0] in ms)
        per_family[fam] += 1
        if got != word:
            bad.append((text, f"{word:08x}", f"{got:08x}"))
    assert not bad, bad[:20]
    assert len(lines) >= 730
    assert mapped == len(lines), unmapped
    assert per_family["arith"] >= 380 and per_family["dataproc"] >= 140
    assert per_family["bitfield"] >= 90 and per_family["logical"] >= 50
