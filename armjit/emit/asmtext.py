"""A small textual A64 assembler over the same encoders as the Assembler.

Syntax is GNU/LLVM as Capstone prints it::

    add x0, x1, #0xfff              stp x29, x30, [sp, #-16]!
    ldr x0, [x1], #8                ldr x0, [x1, w2, sxtw #3]
    b.eq label                      lsl x0, x1, #3
    mov x0, #-1                     fmov d0, #1.0
    loop: subs x0, x0, #1; b.ne loop   // comment
    .quad 0x1234                    .word 7

Statements are separated by newlines or ``;``; ``//`` starts a comment.  A
branch target is a label or an absolute address (``b #0x1c``; relative to
``address``, the address of the first byte).

Every statement is exactly one instruction, as in GNU as: ``mov x0, #imm``
accepts only values one MOVZ/MOVN/ORR holds and ``add x0, x1, #0x123456``
raises :class:`EncodingError` (the Assembler API, not this text form, offers
legalisation).  Text that cannot be parsed raises :class:`AsmSyntaxError` with
its line and column (1-based).
"""

from __future__ import annotations

import re
from typing import List

from .assembler import Assembler, Label, _addsub_reg
from .errors import AsmSyntaxError, EncodingError, LabelError
from .operands import (AddrMode, Cond, Extend, FpReg, GpReg, Mem, Shift, SP, WSP, XZR,
                       WZR)
from . import arith as _ar
from . import bitfield as _bf
from . import branch as _br
from . import dataproc as _dp
from . import fpsimd as _fp
from . import immediates as _im
from . import legalize as _lz
from . import loadstore as _ls
from . import logical as _lg
from . import movewide as _mw
from . import system as _sy

__all__ = ["assemble", "assemble_into"]

# ------------------------------------------------------------------ operands

_REGS = {}
for _i in range(31):
    _REGS[f"x{_i}"] = GpReg(_i, 64)
    _REGS[f"w{_i}"] = GpReg(_i, 32)
_REGS.update(sp=SP, wsp=WSP, xzr=XZR, wzr=WZR, fp=GpReg(29, 64), lr=GpReg(30, 64))
for _i in range(32):
    for _p, _s in (("b", 8), ("h", 16), ("s", 32), ("d", 64), ("q", 128)):
        _REGS[f"{_p}{_i}"] = FpReg(_i, _s)
_SHIFTS = {s.name.lower(): s for s in Shift}
_EXTENDS = {e.name.lower(): e for e in Extend}
_CONDS = {c.name.lower(): c for c in Cond}
_CONDS.update(cs=Cond.HS, cc=Cond.LO)

_NUM = re.compile(r"[-+]?(0x[0-9a-f]+|0b[01]+|[0-9]+(\.[0-9]*)?(e[-+]?[0-9]+)?)$", re.I)
_IDENT = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*$")


class Op:
    """A parsed operand: kind in R (GP reg), F (FP reg), I (int), D (float),
    M (Mem), S (shift: (Shift, amount)), E (extend: (Extend, amount|None)),
    N (name: label, condition, barrier option, system register)."""

    __slots__ = ("kind", "value", "col", "text")

    def __init__(self, kind, value, col, text):
        self.kind = kind
        self.value = value
        self.col = col
        self.text = text

    def __repr__(self):
        return f"Op({self.kind}, {self.value!r})"


class _Ctx:
    def __init__(self, line, col, text):
        self.line = line
        self.col = col
        self.text = text

    def err(self, msg, col=None):
        return AsmSyntaxError(msg, self.line, col if col is not None else self.col, self.text)


def _number(tok: str, ctx: _Ctx, col: int):
    t = tok.strip()
    if not _NUM.match(t):
        raise ctx.err(f"bad number {tok!r}", col)
    body = t.lstrip("+-")
    neg = t.startswith("-")
    if body[:2].lower() in ("0x", "0b") or ("." not in body and "e" not in body.lower()):
        v = int(body, 0) if body[:2].lower() in ("0x", "0b") else int(body, 10)
        return -v if neg else v
    f = float(body)
    return -f if neg else f


_SPECIAL = re.compile(r"[\[\],]")


def _split_commas(s: str, base_col: int, ctx: _Ctx):
    """Split at top-level commas; yields (text, column of its first non-space)."""
    if "[" not in s and "]" not in s:
        # no brackets: every comma is at the top level
        out = []
        start = 0
        for text in s.split(","):
            out.append((text.strip(), base_col + start + len(text) - len(text.lstrip())))
            start += len(text) + 1
        return out
    parts = []
    depth = 0
    start = 0
    for m in _SPECIAL.finditer(s):
        i = m.start()
        ch = m.group()
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ctx.err("unbalanced ']'", base_col + i)
        elif ch == "," and depth == 0:
            parts.append((s[start:i], start))
            start = i + 1
    if depth:
        raise ctx.err("missing ']'", base_col + len(s))
    parts.append((s[start:], start))
    out = []
    for text, off in parts:
        stripped = text.strip()
        lead = len(text) - len(text.lstrip())
        out.append((stripped, base_col + off + lead))
    return out


def _parse_simple(text: str, col: int, ctx: _Ctx) -> Op:
    if not text:
        raise ctx.err("missing operand", col)
    low = text.lower()
    if low in _REGS:
        r = _REGS[low]
        return Op("F" if isinstance(r, FpReg) else "R", r, col, text)
    if text.startswith("#"):
        v = _number(text[1:], ctx, col + 1)
        return Op("D" if isinstance(v, float) else "I", v, col, text)
    words = low.split(None, 1)
    if words[0] in _SHIFTS and len(words) == 2:
        amt = words[1].strip()
        if not amt.startswith("#"):
            raise ctx.err("expected '#amount' after shift", col)
        v = _number(amt[1:], ctx, col)
        if not isinstance(v, int):
            raise ctx.err("shift amount must be an integer", col)
        return Op("S", (_SHIFTS[words[0]], v), col, text)
    if words[0] in _EXTENDS:
        if len(words) == 1:
            return Op("E", (_EXTENDS[words[0]], None), col, text)
        amt = words[1].strip()
        if not amt.startswith("#"):
            raise ctx.err("expected '#amount' after extend", col)
        v = _number(amt[1:], ctx, col)
        if not isinstance(v, int):
            raise ctx.err("extend amount must be an integer", col)
        return Op("E", (_EXTENDS[words[0]], v), col, text)
    if _NUM.match(text):
        v = _number(text, ctx, col)
        return Op("D" if isinstance(v, float) else "I", v, col, text)
    if _IDENT.match(text):
        return Op("N", text, col, text)
    raise ctx.err("cannot parse operand", col)


def _parse_mem(text: str, col: int, ctx: _Ctx) -> Op:
    # text starts with '['
    close = text.find("]")
    inner = text[1:close]
    tail = text[close + 1:]
    rest = tail.strip()
    pre = False
    if rest == "!":
        pre = True
    elif rest:
        raise ctx.err("unexpected text after ']'",
                      col + close + 1 + len(tail) - len(tail.lstrip()))
    parts = _split_commas(inner, col + 1, ctx)
    ops = [_parse_simple(t, c, ctx) for t, c in parts]
    base = ops[0]
    if base.kind != "R":
        raise ctx.err("memory base must be a general-purpose register", base.col)
    if len(ops) == 1:
        m = Mem(base.value, 0, AddrMode.PRE if pre else AddrMode.OFFSET)
        return Op("M", m, col, text)
    second = ops[1]
    if second.kind == "I" and len(ops) == 2:
        return Op("M", Mem(base.value, second.value, AddrMode.PRE if pre else AddrMode.OFFSET),
                  col, text)
    if second.kind == "R" and not pre:
        if len(ops) == 2:
            return Op("M", Mem(base.value, index=second.value, extend=Extend.UXTX), col, text)
        if len(ops) == 3:
            third = ops[2]
            if third.kind == "S" and third.value[0] is Shift.LSL:
                return Op("M", Mem(base.value, index=second.value, extend=Extend.UXTX,
                                   shift=third.value[1]), col, text)
            if third.kind == "E":
                return Op("M", Mem(base.value, index=second.value, extend=third.value[0],
                                   shift=third.value[1]), col, text)
            raise ctx.err("expected lsl/uxtw/sxtw/sxtx after the index register", third.col)
    raise ctx.err("unsupported addressing mode", col)


def _parse_operands(s: str, base_col: int, ctx: _Ctx) -> List[Op]:
    if not s.strip():
        return []
    ops = []
    for text, col in _split_commas(s, base_col, ctx):
        if text.startswith("["):
            ops.append(_parse_mem(text, col, ctx))
        else:
            ops.append(_parse_simple(text, col, ctx))
    # Post-index: "[xn], #imm"
    if len(ops) >= 2 and ops[-2].kind == "M" and ops[-1].kind == "I":
        m = ops[-2].value
        if m.index is None and m.mode is AddrMode.OFFSET and m.offset == 0 \
                and "," not in ops[-2].text:
            ops[-2] = Op("M", Mem(m.base, ops[-1].value, AddrMode.POST), ops[-2].col,
                         ops[-2].text)
            ops.pop()
    return ops


# ------------------------------------------------------------------ handlers

class _Shape(Exception):
    """Operands of a shape the mnemonic does not take."""


def _kinds(ops):
    return "".join(o.kind for o in ops)


def _want(ops, *shapes):
    k = _kinds(ops)
    if k not in shapes:
        raise _Shape(k)
    return k


def _shift_of(op):
    if op.kind != "S":
        raise _Shape(op.kind)
    return op.value


def _cond_of(op, ctx):
    if op.kind != "N" or op.value.lower() not in _CONDS:
        raise ctx.err("expected a condition (eq, ne, ...)", op.col)
    return _CONDS[op.value.lower()]


def _target(a: Assembler, op, ctx):
    if op.kind == "I":
        return op.value
    if op.kind == "N":
        return a.label(op.value)
    raise ctx.err("expected a label or an address", op.col)


def _addsub(mn, sub, flags):
    imm_enc = {(0, 0): _ar.encode_add_imm, (0, 1): _ar.encode_adds_imm,
               (1, 0): _ar.encode_sub_imm, (1, 1): _ar.encode_subs_imm}

    def h(a, ops, ctx):
        k = _kinds(ops)
        if k in ("RRI", "RRIS"):
            rd, rn, v = ops[0].value, ops[1].value, ops[2].value
            if k == "RRIS":
                sh, amt = ops[3].value
                if sh is not Shift.LSL or amt not in (0, 12):
                    raise EncodingError(mn, "shift", ops[3].text, "lsl #0 or lsl #12")
                return imm_enc[(sub, flags)](rd, rn, v, amt == 12)
            s = sub
            if not _im.is_add_sub_imm(v) and isinstance(v, int) and _im.is_add_sub_imm(-v) \
                    and v != 0:
                s, v = 1 - sub, -v
            if _im.is_add_sub_imm(v):
                return imm_enc[(s, flags)](rd, rn, *_im.split_add_sub_imm(v))
            return imm_enc[(sub, flags)](rd, rn, v)      # raises EncodingError
        if k in ("RRR", "RRRS", "RRRE"):
            sh, amt = (None, 0)
            if len(ops) == 4:
                sh, amt = ops[3].value
                if ops[3].kind == "E" and amt is None:
                    amt = 0
            return _addsub_reg(mn, sub, flags, ops[0].value, ops[1].value, ops[2].value, sh, amt)
        raise _Shape(k)
    return h


def _cmp(mn):
    sub = mn == "cmp"

    def h(a, ops, ctx):
        rn = ops[0].value if ops else None
        zr = GpReg(31, rn.size) if isinstance(rn, GpReg) else None
        k = _kinds(ops)
        if k in ("RI", "RIS"):
            v = ops[1].value
            if k == "RIS":
                sh, amt = ops[2].value
                if sh is not Shift.LSL or amt not in (0, 12):
                    raise EncodingError(mn, "shift", ops[2].text, "lsl #0 or lsl #12")
                return (_ar.encode_cmp_imm if sub else _ar.encode_cmn_imm)(rn, v, amt == 12)
            s = sub
            if not _im.is_add_sub_imm(v) and _im.is_add_sub_imm(-v) and v != 0:
                s, v = not sub, -v
            enc = _ar.encode_cmp_imm if s else _ar.encode_cmn_imm
            if _im.is_add_sub_imm(v):
                return enc(rn, *_im.split_add_sub_imm(v))
            return enc(rn, v)
        if k in ("RR", "RRS", "RRE"):
            sh, amt = (None, 0)
            if len(ops) == 3:
                sh, amt = ops[2].value
                if ops[2].kind == "E" and amt is None:
                    amt = 0
            return _addsub_reg(mn, int(sub), 1, zr, rn, ops[1].value, sh, amt)
        raise _Shape(k)
    return h


def _shifted2(enc):
    """rd, rm{, shift #n} (neg, negs, mvn)."""
    def h(a, ops, ctx):
        k = _want(ops, "RR", "RRS")
        sh, amt = ops[2].value if k == "RRS" else (Shift.LSL, 0)
        return enc(ops[0].value, ops[1].value, sh, amt)
    return h


def _logical(mn):
    shifted = getattr(_lg, f"encode_{mn}_shifted")
    imm = getattr(_lg, f"encode_{mn}_imm", None)

    def h(a, ops, ctx):
        k = _kinds(ops)
        if k == "RRI" and imm is not None:
            return imm(ops[0].value, ops[1].value, ops[2].value)
        k = _want(ops, "RRR", "RRRS")
        sh, amt = ops[3].value if k == "RRRS" else (Shift.LSL, 0)
        return shifted(ops[0].value, ops[1].value, ops[2].value, sh, amt)
    return h


def _tst(a, ops, ctx):
    k = _kinds(ops)
    if k == "RI":
        return _lg.encode_tst_imm(ops[0].value, ops[1].value)
    k = _want(ops, "RR", "RRS")
    sh, amt = ops[2].value if k == "RRS" else (Shift.LSL, 0)
    return _lg.encode_tst_shifted(ops[0].value, ops[1].value, sh, amt)


def _mov(a, ops, ctx):
    k = _want(ops, "RR", "RI")
    rd, op = ops[0].value, ops[1].value
    if k == "RR":
        if rd.is_sp or op.is_sp:
            return _ar.encode_mov_sp(rd, op)
        return _lg.encode_mov_reg(rd, op)
    # GNU as: one MOVZ, MOVN or ORR (bitmask); nothing longer.
    if isinstance(rd, GpReg) and rd.is_sp:
        v = op & ((1 << rd.size) - 1) if -(1 << (rd.size - 1)) <= op < (1 << rd.size) else None
        if v is None or _im.encode_bitmask(v, rd.size) is None:
            raise EncodingError("mov", "imm", op, "a bitmask immediate (MOV to SP is ORR)")
        return _lg.encode_orr_imm(rd, GpReg(31, rd.size), v)
    words = _lz.plan_mov_imm(rd, op)
    if len(words) != 1:
        raise EncodingError("mov", "imm", op, "a value one MOVZ, MOVN or ORR (bitmask) can "
                            "hold (use movz/movk, or the Assembler API, for others)")
    return words[0]


def _movewide(enc):
    def h(a, ops, ctx):
        k = _want(ops, "RI", "RIS")
        sh = 0
        if k == "RIS":
            s, sh = ops[2].value
            if s is not Shift.LSL:
                raise EncodingError("movz", "shift", ops[2].text, "lsl #0/16/32/48")
        return enc(ops[0].value, ops[1].value, sh)
    return h


def _shift(mn):
    imm = getattr(_bf, f"encode_{mn}_imm")
    reg = getattr(_dp, f"encode_{mn}v")

    def h(a, ops, ctx):
        k = _want(ops, "RRI", "RRR")
        return (imm if k == "RRI" else reg)(ops[0].value, ops[1].value, ops[2].value)
    return h


def _regs(enc, shape):
    def h(a, ops, ctx):
        _want(ops, shape)
        return enc(*[o.value for o in ops])
    return h


def _with_cond(enc, shape):
    """Registers/immediates per ``shape`` followed by a condition name."""
    def h(a, ops, ctx):
        if not ops:
            raise _Shape("")
        _want(ops[:-1], *shape.split("|"))
        return enc(*[o.value for o in ops[:-1]], _cond_of(ops[-1], ctx))
    return h


def _ccmp(mn):
    reg = getattr(_dp, f"encode_{mn}")
    imm = getattr(_dp, f"encode_{mn}_imm")

    def h(a, ops, ctx):
        if not ops:
            raise _Shape("")
        k = _want(ops[:-1], "RRI", "RII")
        return (reg if k == "RRI" else imm)(ops[0].value, ops[1].value, ops[2].value,
                                             _cond_of(ops[-1], ctx))
    return h


def _ldst(op):
    def h(a, ops, ctx):
        k = _kinds(ops)
        if k in ("RN", "FN", "RI", "FI") and op in ("ldr", "ldrsw"):
            tgt = _target(a, ops[1], ctx)
            enc = _br.encode_ldr_literal if op == "ldr" else _br.encode_ldrsw_literal
            if isinstance(tgt, Label):
                (a.ldr_literal if op == "ldr" else a.ldrsw_literal)(ops[0].value, tgt)
                return None
            return enc(ops[0].value, tgt - (a.base + a.offset))
        _want(ops, "RM", "FM")
        return _ls.encode_ldst(op, ops[0].value, ops[1].value)
    return h


def _pair(enc):
    def h(a, ops, ctx):
        _want(ops, "RRM", "FFM")
        return enc(ops[0].value, ops[1].value, ops[2].value)
    return h


def _branch(kind):
    def h(a, ops, ctx):
        # Numeric targets are encoded directly (out of range: EncodingError);
        # label targets go through the Assembler (fixups, relaxation).
        pc = a.base + a.offset
        if kind in ("b", "bl"):
            if len(ops) != 1:
                raise _Shape(_kinds(ops))
            tgt = _target(a, ops[0], ctx)
            if not isinstance(tgt, Label):
                return getattr(_br, f"encode_{kind}")(tgt - pc)
            getattr(a, kind)(tgt)
        elif kind in ("cbz", "cbnz"):
            _want(ops, "RN", "RI")
            tgt = _target(a, ops[1], ctx)
            if not isinstance(tgt, Label):
                return getattr(_br, f"encode_{kind}")(ops[0].value, tgt - pc)
            getattr(a, kind)(ops[0].value, tgt)
        elif kind in ("tbz", "tbnz"):
            _want(ops, "RIN", "RII")
            tgt = _target(a, ops[2], ctx)
            if not isinstance(tgt, Label):
                return getattr(_br, f"encode_{kind}")(ops[0].value, ops[1].value, tgt - pc)
            getattr(a, kind)(ops[0].value, ops[1].value, tgt)
        elif kind == "adr":
            _want(ops, "RN", "RI")
            tgt = _target(a, ops[1], ctx)
            if isinstance(tgt, Label):
                a.adr(ops[0].value, tgt)
            else:
                return _br.encode_adr(ops[0].value, tgt - (a.base + a.offset))
        elif kind == "adrp":
            _want(ops, "RI")
            pc = a.base + a.offset
            return _br.encode_adrp(ops[0].value, (ops[1].value & ~0xFFF) - (pc & ~0xFFF))
        return None
    return h


def _bcond(cond):
    def h(a, ops, ctx):
        if len(ops) != 1:
            raise _Shape(_kinds(ops))
        tgt = _target(a, ops[0], ctx)
        if not isinstance(tgt, Label):
            return _br.encode_b_cond(cond, tgt - (a.base + a.offset))
        if cond is Cond.AL or cond is Cond.NV:
            if isinstance(tgt, Label):
                raise EncodingError("b.cond", "cond", cond.name.lower(),
                                    "eq..le for a label target")
            return _br.encode_b_cond(cond, tgt - (a.base + a.offset))
        a.b_cond(cond, tgt)
        return None
    return h


def _fmov(a, ops, ctx):
    k = _want(ops, "FF", "FR", "RF", "FD", "FI")
    if k in ("FD", "FI"):
        return _fp.encode_fmov_imm(ops[0].value, ops[1].value)
    return _fp.encode_fmov(ops[0].value, ops[1].value)


def _fcmp(enc):
    def h(a, ops, ctx):
        _want(ops, "FF", "FD", "FI")
        return enc(ops[0].value, ops[1].value)
    return h


def _ret(a, ops, ctx):
    k = _want(ops, "", "R")
    return _br.encode_ret(ops[0].value) if k else _br.encode_ret()


def _imm_opt(enc):
    def h(a, ops, ctx):
        k = _want(ops, "", "I")
        return enc(ops[0].value) if k else enc()
    return h


def _barrier(enc):
    def h(a, ops, ctx):
        k = _want(ops, "", "N", "I")
        if not k:
            return enc()
        v = ops[0].value
        return enc(v.lower() if isinstance(v, str) else v)
    return h


def _mrs(a, ops, ctx):
    _want(ops, "RN")
    return _sy.encode_mrs(ops[0].value, ops[1].value.lower())


def _msr(a, ops, ctx):
    _want(ops, "NR")
    return _sy.encode_msr(ops[0].value.lower(), ops[1].value)


def _none(enc):
    def h(a, ops, ctx):
        _want(ops, "")
        return enc()
    return h


_H = {}
for _mn, _s, _f in (("add", 0, 0), ("adds", 0, 1), ("sub", 1, 0), ("subs", 1, 1)):
    _H[_mn] = _addsub(_mn, _s, _f)
_H["cmp"] = _cmp("cmp")
_H["cmn"] = _cmp("cmn")
_H["neg"] = _shifted2(_ar.encode_neg)
_H["negs"] = _shifted2(_ar.encode_negs)
_H["mvn"] = _shifted2(_lg.encode_mvn)
for _mn in ("adc", "adcs", "sbc", "sbcs"):
    _H[_mn] = _regs(getattr(_ar, f"encode_{_mn}"), "RRR")
for _mn in ("ngc", "ngcs"):
    _H[_mn] = _regs(getattr(_ar, f"encode_{_mn}"), "RR")
for _mn in ("and", "orr", "eor", "ands", "bic", "orn", "eon", "bics"):
    _H[_mn] = _logical(_mn)
_H["tst"] = _tst
_H["mov"] = _mov
for _mn in ("movz", "movn", "movk"):
    _H[_mn] = _movewide(getattr(_mw, f"encode_{_mn}"))
for _mn in ("lsl", "lsr", "asr"):
    _H[_mn] = _shift(_mn)


def _ror(a, ops, ctx):
    k = _want(ops, "RRI", "RRR")
    if k == "RRI":
        return _bf.encode_ror_imm(ops[0].value, ops[1].value, ops[2].value)
    return _dp.encode_rorv(ops[0].value, ops[1].value, ops[2].value)


_H["ror"] = _ror
for _mn in ("sbfm", "bfm", "ubfm", "ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi"):
    _H[_mn] = _regs(getattr(_bf, f"encode_{_mn}"), "RRII")
for _mn in ("uxtb", "uxth", "sxtb", "sxth", "sxtw"):
    _H[_mn] = _regs(getattr(_bf, f"encode_{_mn}"), "RR")
_H["extr"] = _regs(_bf.encode_extr, "RRRI")
for _mn in ("udiv", "sdiv", "lslv", "lsrv", "asrv", "rorv", "mul", "mneg", "smull", "smnegl",
            "umull", "umnegl", "smulh", "umulh"):
    _H[_mn] = _regs(getattr(_dp, f"encode_{_mn}"), "RRR")
for _mn in ("madd", "msub", "smaddl", "smsubl", "umaddl", "umsubl"):
    _H[_mn] = _regs(getattr(_dp, f"encode_{_mn}"), "RRRR")
for _mn in ("rbit", "rev16", "rev32", "rev", "clz", "cls"):
    _H[_mn] = _regs(getattr(_dp, f"encode_{_mn}"), "RR")
for _mn in ("csel", "csinc", "csinv", "csneg"):
    _H[_mn] = _with_cond(getattr(_dp, f"encode_{_mn}"), "RRR")
for _mn in ("cset", "csetm"):
    _H[_mn] = _with_cond(getattr(_dp, f"encode_{_mn}"), "R")
for _mn in ("cinc", "cinv", "cneg"):
    _H[_mn] = _with_cond(getattr(_dp, f"encode_{_mn}"), "RR")
_H["ccmp"] = _ccmp("ccmp")
_H["ccmn"] = _ccmp("ccmn")
for _mn in _ls.LDST_OPS:
    _H[_mn] = _ldst(_mn)
for _mn in ("ldp", "stp", "ldpsw"):
    _H[_mn] = _pair(getattr(_ls, f"encode_{_mn}"))
for _mn in ("b", "bl", "cbz", "cbnz", "tbz", "tbnz", "adr", "adrp"):
    _H[_mn] = _branch(_mn)
for _name, _c in _CONDS.items():
    _H[f"b.{_name}"] = _bcond(_c)
_H["br"] = _regs(_br.encode_br, "R")
_H["blr"] = _regs(_br.encode_blr, "R")
_H["ret"] = _ret
for _mn in ("fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul"):
    _H[_mn] = _regs(getattr(_fp, f"encode_{_mn}"), "FFF")
for _mn in ("fabs", "fneg", "fsqrt", "frintn", "frintp", "frintm", "frintz", "frinta",
            "frintx", "frinti", "fcvt"):
    _H[_mn] = _regs(getattr(_fp, f"encode_{_mn}"), "FF")
for _mn in ("scvtf", "ucvtf"):
    _H[_mn] = _regs(getattr(_fp, f"encode_{_mn}"), "FR")
for _mn in ("fcvtns", "fcvtnu", "fcvtas", "fcvtau", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu",
            "fcvtzs", "fcvtzu"):
    _H[_mn] = _regs(getattr(_fp, f"encode_{_mn}"), "RF")
for _mn in ("fmadd", "fmsub", "fnmadd", "fnmsub"):
    _H[_mn] = _regs(getattr(_fp, f"encode_{_mn}"), "FFFF")
_H["fcmp"] = _fcmp(_fp.encode_fcmp)
_H["fcmpe"] = _fcmp(_fp.encode_fcmpe)
_H["fcsel"] = _with_cond(_fp.encode_fcsel, "FFF")
_H["fmov"] = _fmov
for _mn in ("nop", "isb", "yield", "wfe", "wfi", "sev", "sevl"):
    _H[_mn] = _none(getattr(_sy, f"encode_{_mn}"))
for _mn in ("brk", "hlt", "svc", "udf"):
    _H[_mn] = _imm_opt(getattr(_sy, f"encode_{_mn}"))
_H["hint"] = _regs(_sy.encode_hint, "I")
_H["dmb"] = _barrier(_sy.encode_dmb)
_H["dsb"] = _barrier(_sy.encode_dsb)
_H["mrs"] = _mrs
_H["msr"] = _msr

# ------------------------------------------------------------------ directives

def _directive(a: Assembler, name: str, ops: List[Op], ctx: _Ctx) -> None:
    if name in (".quad", ".xword", ".dword", ".8byte"):
        for o in ops:
            if o.kind == "I":
                a.dword(o.value)
            elif o.kind == "N":
                a.dword(a.label(o.value))
            else:
                raise ctx.err("expected an integer or a label", o.col)
    elif name in (".word", ".4byte", ".long", ".inst"):
        for o in ops:
            if o.kind != "I":
                raise ctx.err("expected an integer", o.col)
            a.word(o.value)
    elif name in (".align", ".p2align", ".balign"):
        if len(ops) != 1 or ops[0].kind != "I":
            raise ctx.err(f"{name} takes one integer", ctx.col)
        n = ops[0].value
        a.align(n if name == ".balign" else 1 << n)
    elif name in (".text", ".globl", ".global", ".type", ".size"):
        pass
    else:
        raise ctx.err(f"unknown directive {name}")


# ------------------------------------------------------------------ driver

_LABEL = re.compile(r"\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*:")
_MNEM = re.compile(r"\s*([A-Za-z_.][A-Za-z0-9_.]*)")


def _statements(text: str):
    """Yield (line number, column of the statement, statement text, line text)."""
    for ln, line in enumerate(text.split("\n"), 1):
        cpos = line.find("//")
        body = line if cpos < 0 else line[:cpos]
        start = 0
        for part in body.split(";"):
            yield ln, start + 1, part, line
            start += len(part) + 1


def assemble_into(a: Assembler, text: str) -> None:
    """Assemble ``text`` into the Assembler ``a`` (labels live in ``a``)."""
    for ln, col, stmt, line in _statements(text):
        rest, pos = stmt, 0
        while True:
            m = _LABEL.match(rest, pos)
            if not m or rest[m.end():m.end() + 1] == ":":
                break
            ctx = _Ctx(ln, col + m.start(1), line)
            try:
                a.bind(a.label(m.group(1)))
            except LabelError as e:
                raise ctx.err(str(e)) from None
            pos = m.end()
        if not rest[pos:].strip():
            continue
        m = _MNEM.match(rest, pos)
        mcol = col + (m.start(1) if m else pos + len(rest[pos:]) - len(rest[pos:].lstrip()))
        ctx = _Ctx(ln, mcol, line)
        if not m:
            raise ctx.err("expected a mnemonic")
        mn = m.group(1).lower()
        ops = _parse_operands(rest[m.end():], col + m.end(), ctx)
        if mn.startswith("."):
            _directive(a, mn, ops, ctx)
            continue
        h = _H.get(mn)
        if h is None:
            raise ctx.err(f"unknown mnemonic {m.group(1)!r}")
        try:
            word = h(a, ops, ctx)
        except _Shape:
            raise ctx.err(f"operands not accepted by {mn}: "
                          + ", ".join(o.text for o in ops)) from None
        except (AttributeError, TypeError) as e:
            # an operand of the wrong type reached an encoder that assumed one
            raise EncodingError(mn, "operands", ", ".join(o.text for o in ops),
                                f"operands of the right kinds ({e})") from None
        if word is not None:
            a.emit(word)


def assemble(text: str, address: int = 0) -> bytes:
    """Assemble ``text`` at ``address``; return the bytes.

    Raises EncodingError for operands no encoding holds, AsmSyntaxError (with
    line and column) for text it cannot parse, LabelError for unbound labels
    and out-of-range branches.
    """
    a = Assembler(base=address)
    assemble_into(a, text)
    return a.finalize().code
