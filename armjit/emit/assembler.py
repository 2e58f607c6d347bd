"""The A64 Assembler: one method per A64 instruction over the code buffer.

An asmjit-like API over the pure encoders of this package, reading like
assembly::

    a = Assembler(base=0x10000, scratch=x16, veneer_scratch=x16)
    loop = a.new_label("loop")
    a.stp(x29, x30, pre(sp, -16))
    a.bind(loop)
    a.add(x0, x0, 1)
    a.cmp(x0, x1)
    a.b_ne(loop)                 # or a.b_cond(Cond.NE, loop)
    a.ldp(x29, x30, post(sp, 16))
    a.ret()
    out = a.finalize()           # out.code, out.labels, out.annotations, out.relocations

Labels, fixups, relaxation, veneers, the literal pool and relocations are the
:class:`~armjit.emit.buffer.CodeBuffer`'s (see its module for the layout model).

The instructions are one table, :data:`INSTRUCTIONS`: per mnemonic, the
operand shapes its text form takes and its *emitter*, a function
``emit(a, *operands, scratch=None)`` that appends the instruction's words to
``a.words``.  The emitters are the Assembler's methods (``a.add(x0, x1, 4095)``
calls the ``add`` emitter with ``a``), and :func:`armjit.emit.assemble` calls
the same emitters on the operands it parses (refusing anything that is not
exactly one instruction).  An emitter decides with the legality tests of
:mod:`armjit.emit.immediates`: the common case (an imm12, a register operand,
an offset one LDR/STR holds) is its first branch, which calls the encoder
directly; everything else goes through :mod:`armjit.emit.legalize`, which
uses the scratch register only when one is given (``scratch=`` or the
Assembler's ``scratch``) and otherwise raises EncodingError naming the
operand and the legal range.
"""

from __future__ import annotations

from typing import Callable, Dict, NamedTuple, Optional, Tuple

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
from .buffer import (_WORD0, B_COND, CBNZ, CBZ, FX_ADR, FX_B, FX_BL, FX_LIT, TBNZ, TBZ,
                     Annotation, CodeBuffer, FinalCode, Label, Relocation)
from .errors import EncodingError
from .operands import WZR, XZR, AddrMode, Cond, Extend, FpReg, GpReg, Mem, Shift

__all__ = ["Assembler", "Label", "Annotation", "Relocation", "FinalCode", "Insn",
           "INSTRUCTIONS", "BY_MNEMONIC"]

_CBZ0: dict = {}          # interned register -> its CBZ word with offset 0 (validated)
_CBNZ0: dict = {}         # the same for CBNZ
_X30 = _br.X[30]
_RET_X30 = _br.encode_ret(_X30)
_LSL = Shift.LSL
_MASKS = {32: (1 << 32) - 1, 64: (1 << 64) - 1}


class Assembler(CodeBuffer):
    """The code buffer with a method per A64 instruction (see the module doc).

    ``base``, ``scratch`` and ``veneer_scratch`` are those of
    :class:`~armjit.emit.buffer.CodeBuffer`.  The methods of the word
    instructions (``add``, ``ldr``, ``fmov`` ...) are the emitters of
    :data:`INSTRUCTIONS`; the branch methods below place items in the buffer.
    """

    # ------------------------------------------------------------ branches

    def b_cond(self, cond, target) -> None:
        """B.<cond> to a Label or an absolute address (widened when out of range)."""
        if cond == Cond.AL:
            self.b(target)
            return
        self.cond_branch(B_COND, target, cond=cond)

    def cbz(self, rt: GpReg, target) -> None:
        """CBZ rt, target: a Label or an absolute address (widened when out of range)."""
        w0 = _CBZ0.get(rt)
        if w0 is not None and target.__class__ is Label and target.owner == self._id:
            items = self._items                     # (cond_branch, operands checked before)
            words = self.words
            items.append((len(self._code) + 4 * len(words), len(items), CBZ, target, None, rt,
                          None))
            words.append(w0)
        else:
            self.cond_branch(CBZ, target, rt=rt)
            if rt.__class__ is GpReg:
                _CBZ0[rt] = _WORD0[(CBZ, None, rt, None)]

    def cbnz(self, rt: GpReg, target) -> None:
        """CBNZ rt, target: a Label or an absolute address (widened when out of range)."""
        w0 = _CBNZ0.get(rt)
        if w0 is not None and target.__class__ is Label and target.owner == self._id:
            items = self._items                     # (cond_branch, operands checked before)
            words = self.words
            items.append((len(self._code) + 4 * len(words), len(items), CBNZ, target, None, rt,
                          None))
            words.append(w0)
        else:
            self.cond_branch(CBNZ, target, rt=rt)
            if rt.__class__ is GpReg:
                _CBNZ0[rt] = _WORD0[(CBNZ, None, rt, None)]

    def tbz(self, rt: GpReg, bit: int, target) -> None:
        """TBZ rt, #bit, target (+-32 KiB, widened when out of range)."""
        self.cond_branch(TBZ, target, rt=rt, bit=bit)

    def tbnz(self, rt: GpReg, bit: int, target) -> None:
        """TBNZ rt, #bit, target (+-32 KiB, widened when out of range)."""
        self.cond_branch(TBNZ, target, rt=rt, bit=bit)

    def b(self, target) -> None:
        """B to a Label, an absolute address (veneer if far), or a register
        (``b(x16)`` is ``br x16``)."""
        if target.__class__ is Label and target.owner == self._id:
            words = self.words
            self._fixups.append((len(self._code) + 4 * len(words), len(self._items), FX_B,
                                 target, 0x14000000))
            words.append(0x14000000)
        elif isinstance(target, GpReg):
            self.words.append(_br.encode_br(target))
        else:
            self.fixup(FX_B, target, 0x14000000)

    def bl(self, target) -> None:
        """BL to a Label, an absolute address (veneer if far) or a register (blr)."""
        if target.__class__ is Label and target.owner == self._id:
            words = self.words
            self._fixups.append((len(self._code) + 4 * len(words), len(self._items), FX_BL,
                                 target, 0x94000000))
            words.append(0x94000000)
        elif isinstance(target, GpReg):
            self.words.append(_br.encode_blr(target))
        else:
            self.fixup(FX_BL, target, 0x94000000)

    def br(self, rn: GpReg) -> None:
        """BR rn."""
        self.words.append(_br.encode_br(rn))

    def blr(self, rn: GpReg) -> None:
        """BLR rn."""
        self.words.append(_br.encode_blr(rn))

    def ret(self, rn: GpReg = _X30) -> None:
        """RET {xn} (x30 by default)."""
        self.words.append(_RET_X30 if rn is _X30 else _br.encode_ret(rn))

    def adr(self, rd: GpReg, target) -> None:
        """ADR rd, label (+-1 MiB)."""
        self.fixup(FX_ADR, target, _br.encode_adr(rd, 0))

    def ldr_literal(self, rt, target) -> None:
        """LDR (literal) rt, label: ``target`` a Label (e.g. from
        :meth:`literal`), +-1 MiB."""
        self.fixup(FX_LIT, target, _br.encode_ldr_literal(rt, 0))

    def ldrsw_literal(self, rt, target) -> None:
        """LDRSW (literal) rt, label (+-1 MiB)."""
        self.fixup(FX_LIT, target, _br.encode_ldrsw_literal(rt, 0))

    def ldr_const(self, rt, value: int) -> None:
        """``ldr rt, =value`` through the literal pool."""
        self.ldr_literal(rt, self.literal(value))

    def ldr_address(self, rt, address: int) -> None:
        """``ldr rt, =address`` of an external address (an ``abs64`` relocation)."""
        self.ldr_literal(rt, self.address_literal(address))


# ==========================================================================
# Emitters of the word instructions
# ==========================================================================


def _put(a, words) -> None:
    a.words += words


def _value(mnemonic, rd, value):
    """``value`` reduced to the width of ``rd`` (signed or unsigned input)."""
    size = rd.size if isinstance(rd, GpReg) else 64
    if isinstance(value, bool) or not isinstance(value, int) \
            or not -(1 << (size - 1)) <= value < (1 << size):
        raise EncodingError(mnemonic, "imm", value,
                            f"{-(1 << (size - 1))}..{(1 << size) - 1} for a {size}-bit register")
    return value & _MASKS[size]


_ZR_OF = {64: XZR, 32: WZR}


def _zr(reg):
    """XZR or WZR, the width of ``reg`` (XZR for anything else)."""
    return WZR if reg.__class__ is GpReg and reg.size == 32 else XZR


class _Words(dict):
    """The words of an emitter's register forms, keyed by the operands and
    computed by ``encode(*operands)`` -- the one encoding path -- on first use.

    The emitter looks up only interned registers, Shift/Cond members and ints
    (their classes checked first, so that an IntEnum or a bool never finds an
    int's entry), and only accepted operands are stored, so equal keys are
    identical operands and the words are that path's for them."""

    __slots__ = ("encode",)

    def __init__(self, encode):
        super().__init__()
        self.encode = encode

    def __missing__(self, key) -> int:
        w = self.encode(*key)              # EncodingError for operands it refuses
        if len(self) >= 1 << 14:
            self.clear()
        self[key] = w
        return w


_MOV_WORDS: dict = {}     # (rd, rm) -> MOV (register) or MOV (to/from SP), the same way


def _imm12_shifted(mn, enc, rd, rn, op, sh, amount):
    """An immediate written with its shift (``#imm, lsl #12``): exactly that
    encoding (C6.2 ADD (immediate): sh = 0 or 1), nothing legalised."""
    if sh is not _LSL or amount not in (0, 12):
        raise EncodingError(mn, "shift", sh if sh is not _LSL else f"lsl #{amount}",
                            "lsl #0 or lsl #12 with an immediate (or no shift: then any "
                            "integer of the register width)")
    return enc(rd, rn, op, amount == 12)


# --------------------------------------------------------------- add / sub

_ADDSUB_IMM = {(0, 0): _ar.encode_add_imm, (0, 1): _ar.encode_adds_imm,
               (1, 0): _ar.encode_sub_imm, (1, 1): _ar.encode_subs_imm}
_ADDSUB_SHIFTED = {(0, 0): _ar.encode_add_shifted, (0, 1): _ar.encode_adds_shifted,
                   (1, 0): _ar.encode_sub_shifted, (1, 1): _ar.encode_subs_shifted}
_ADDSUB_EXT = {(0, 0): _ar.encode_add_ext, (0, 1): _ar.encode_adds_ext,
               (1, 0): _ar.encode_sub_ext, (1, 1): _ar.encode_subs_ext}


def _addsub_reg(sub, flags, rd, rn, rm, sh, amount) -> int:
    """ADD/ADDS/SUB/SUBS with a register operand: the extended form for an
    Extend, and when Rd or Rn is SP (there LSL is UXTX, UXTW for W registers,
    C6.2 ADD (extended register)); else the shifted form."""
    if isinstance(sh, Extend):
        return _ADDSUB_EXT[(sub, flags)](rd, rn, rm, sh, amount)
    sp_involved = (isinstance(rd, GpReg) and rd.is_sp) or (isinstance(rn, GpReg) and rn.is_sp)
    if sp_involved and (sh is None or sh is _LSL):
        e = Extend.UXTX if rd.size == 64 else Extend.UXTW
        return _ADDSUB_EXT[(sub, flags)](rd, rn, rm, e, amount)
    return _ADDSUB_SHIFTED[(sub, flags)](rd, rn, rm, _LSL if sh is None else sh, amount)


def _addsub_imm_words(mn, sub, flags, rd, rn, op, sh, amount, scratch):
    if sh is not None or amount:
        return [_imm12_shifted(mn, _ADDSUB_IMM[(sub, flags)], rd, rn, op, sh, amount)]
    v = _value(mn, rd, op)
    if _im.is_add_sub_imm(v):
        return [_ADDSUB_IMM[(sub, flags)](rd, rn, *_im.split_add_sub_imm(v))]
    if not sub:
        return _lz.plan_add_imm(rd, rn, v, scratch, bool(flags))
    neg = (-v) & _MASKS[rd.size if isinstance(rd, GpReg) else 64]   # rd is checked below
    if not flags or _im.is_add_sub_imm(neg):
        # SUB without flags is ADD of the negation; SUBS #v equals ADDS #-v
        # in all four flags when -v is an imm12 (v != 0, v != INT_MIN).
        return _lz.plan_add_imm(rd, rn, neg, scratch, bool(flags))
    # SUBS with a materialised value: keep the exact SUBS flags.
    tmp = rd if (not rd.is_sp and not rd.is_zr and rd.num != rn.num) else None
    if tmp is None:
        if scratch is None:
            raise EncodingError(mn, "imm", op, "an imm12 (optionally lsl #12), or give "
                                "a scratch register")
        tmp = _lz.check_scratch(mn, scratch, rd.size, [("rn", rn)])
    return _lz.plan_mov_imm(tmp, v) + [_addsub_reg(1, 1, rd, rn, tmp, None, 0)]


def _addsub(mn, sub, flags):
    enc_imm = _ADDSUB_IMM[(sub, flags)]
    words = _Words(lambda rd, rn, rm, sh, amount: _addsub_reg(sub, flags, rd, rn, rm, sh, amount))

    def emit(a, rd, rn, op, sh=None, amount=0, *, scratch=None):
        c = op.__class__
        if c is int:
            if 0 <= op <= 4095 and sh is None and not amount:        # imm12
                a.words.append(enc_imm(rd, rn, op))
                return
        elif c is GpReg:
            if (rd.__class__ is GpReg and rn.__class__ is GpReg and amount.__class__ is int
                    and (sh is None or sh.__class__ is Shift)):
                a.words.append(words[(rd, rn, op, sh, amount)])
            else:
                a.words.append(_addsub_reg(sub, flags, rd, rn, op, sh, amount))
            return
        _put(a, _addsub_imm_words(mn, sub, flags, rd, rn, op, sh, amount,
                                  a.scratch if scratch is None else scratch))
    emit.__doc__ = (f"{mn.upper()} rd, rn, op{{, shift|extend, amount}}: op a register "
                    "(shifted/extended forms) or any integer of the register width "
                    "(legalised; a scratch is used only when given).")
    return emit


def _cmp(mn):
    sub = int(mn == "cmp")
    enc_imm = _ar._cmp_imm if sub else _ar._cmn_imm          # (zr, rn, imm12, shift12)
    flipped = _ar._cmn_imm if sub else _ar._cmp_imm
    words = _Words(lambda rn, rm, sh, amount: _addsub_reg(sub, 1, _zr(rn), rn, rm, sh, amount))

    def emit(a, rn, op, sh=None, amount=0, *, scratch=None):
        c = op.__class__
        if c is GpReg:
            if (rn.__class__ is GpReg and amount.__class__ is int
                    and (sh is None or sh.__class__ is Shift)):
                a.words.append(words[(rn, op, sh, amount)])
            else:
                a.words.append(_addsub_reg(sub, 1, _zr(rn), rn, op, sh, amount))
            return
        if scratch is None:
            scratch = a.scratch
        if (c is int and 0 <= op <= 4095 and sh is None and not amount
                and rn.__class__ is GpReg and not rn.is_zr
                and (scratch is None or not sub                      # (plan_cmp_imm checks
                     or (scratch.__class__ is GpReg and scratch._f_nz < 32))):  # a scratch)
            a.words.append(enc_imm(_ZR_OF[rn.size], rn, op))        # imm12
            return
        if not isinstance(rn, GpReg):
            raise EncodingError(mn, "rn", rn, "a general-purpose register")
        if sh is not None or amount:
            a.words.append(_imm12_shifted(mn, enc_imm, _zr(rn), rn, op, sh, amount))
            return
        v = _value(mn, rn, op)
        if sub:
            _put(a, _lz.plan_cmp_imm(rn, v, scratch))
            return
        neg = (-v) & _MASKS[rn.size]
        if not rn.is_zr:
            # CMN #v sets the flags of CMP #-v when -v is an imm12 (see legalize.plan_add_imm)
            if _im.is_add_sub_imm(v):
                a.words.append(enc_imm(_zr(rn), rn, *_im.split_add_sub_imm(v)))
                return
            if _im.is_add_sub_imm(neg):
                a.words.append(flipped(_zr(rn), rn, *_im.split_add_sub_imm(neg)))
                return
        if scratch is None:
            raise EncodingError(mn, "imm", op, "an imm12 (optionally lsl #12), or give a "
                                "scratch register")
        s = _lz.check_scratch(mn, scratch, rn.size, [("rn", rn)])
        _put(a, _lz.plan_mov_imm(s, v) + [_addsub_reg(0, 1, _zr(rn), rn, s, None, 0)])
    emit.__doc__ = f"{mn.upper()} rn, op: op a register or any integer (legalised)."
    return emit


def _shifted2(enc):
    """rd, rm{, shift #amount} (neg, negs, mvn)."""
    def emit(a, rd, rm, sh=None, amount=0):
        a.words.append(enc(rd, rm, _LSL if sh is None else sh, amount))
    emit.__doc__ = enc.__doc__
    return emit


# --------------------------------------------------------------- logical

def _logical(mn):
    shifted = getattr(_lg, f"encode_{mn}_shifted")
    has_imm = mn in _lg.LOGICAL_OPC
    words = _Words(lambda rd, rn, rm, sh, amount:
                   shifted(rd, rn, rm, _LSL if sh is None else sh, amount))

    def emit(a, rd, rn, op, sh=None, amount=0, *, scratch=None):
        if op.__class__ is GpReg:
            if (rd.__class__ is GpReg and rn.__class__ is GpReg and amount.__class__ is int
                    and (sh is None or sh.__class__ is Shift)):
                a.words.append(words[(rd, rn, op, sh, amount)])
            else:
                a.words.append(shifted(rd, rn, op, _LSL if sh is None else sh, amount))
            return
        if sh is not None or amount:
            raise EncodingError(mn, "shift", sh, "no shift with an immediate operand")
        if not has_imm:
            raise EncodingError(mn, "rm", op, "a register (no immediate form)")
        _put(a, _lz.plan_logical_imm(mn, rd, rn, _value(mn, rd, op),
                                     a.scratch if scratch is None else scratch))
    emit.__doc__ = f"{mn.upper()} rd, rn, op{{, shift, amount}} (immediates legalised)."
    return emit


def _tst(a, rn, op, sh=None, amount=0, *, scratch=None):
    """TST rn, op: a register (shifted) or any integer (legalised with a scratch)."""
    if isinstance(op, GpReg):
        a.words.append(_lg.encode_tst_shifted(rn, op, _LSL if sh is None else sh, amount))
        return
    if sh is not None or amount:
        raise EncodingError("tst", "shift", sh, "no shift with an immediate operand")
    v = _value("tst", rn, op)
    if _im.encode_bitmask(v, rn.size) is not None:
        a.words.append(_lg.encode_tst_imm(rn, v))
        return
    if scratch is None:
        scratch = a.scratch
    if scratch is None:
        raise EncodingError("tst", "imm", op, "a bitmask immediate, or give a scratch register")
    _put(a, _lz.plan_logical_imm("ands", _zr(rn), rn, v, scratch))


# --------------------------------------------------------------- moves

def _mov(a, rd, op, *, scratch=None):
    """MOV rd, op: a GP/SP register, an FP register (fmov), or any integer
    (MOVZ/MOVN/MOVK/ORR sequence writing only rd; rd = SP takes a bitmask
    immediate, C6.2 MOV (bitmask immediate), or needs a scratch)."""
    c = op.__class__
    if c is GpReg and rd.__class__ is GpReg:
        w = _MOV_WORDS.get((rd, op))
        if w is None:
            w = _MOV_WORDS[(rd, op)] = (_ar.encode_mov_sp(rd, op) if rd.is_sp or op.is_sp
                                        else _lg.encode_mov_reg(rd, op))
        a.words.append(w)
        return
    if c is int and 0 <= op <= 0xFFFF and rd.__class__ is GpReg and rd._f_nz < 32:
        a.words.append(_mw.encode_movz(rd, op, 0))        # one halfword: MOVZ
        return
    if isinstance(op, FpReg) or isinstance(rd, FpReg):
        a.words.append(_fp.encode_fmov(rd, op))
        return
    v = _value("mov", rd, op)
    if isinstance(rd, GpReg) and rd.is_sp:
        if _im.encode_bitmask(v, rd.size) is not None:
            a.words.append(_lg.encode_orr_imm(rd, _zr(rd), v))
            return
        if scratch is None:
            scratch = a.scratch
        if scratch is None:
            raise EncodingError("mov", "imm", op, "a bitmask immediate for SP, or give a "
                                "scratch register")
        s = _lz.check_scratch("mov", scratch, rd.size, [])
        _put(a, _lz.plan_mov_imm(s, v) + [_ar.encode_mov_sp(rd, s)])
        return
    _put(a, _lz.plan_mov_imm(rd, v))


def _movewide(enc):
    def emit(a, rd, imm16, shift=0):
        a.words.append(enc(rd, imm16, shift))
    emit.__doc__ = enc.__doc__
    return emit


def _shift(mn, reg, imm):
    words = _Words(lambda rd, rn, op: reg(rd, rn, op) if op.__class__ is GpReg
                   else imm(rd, rn, op))          # (the register and the #imm form)

    def emit(a, rd, rn, op):
        c = op.__class__
        if (c is int or c is GpReg) and rd.__class__ is GpReg and rn.__class__ is GpReg:
            a.words.append(words[(rd, rn, op)])
        else:
            a.words.append(reg(rd, rn, op) if c is GpReg else imm(rd, rn, op))
    emit.__doc__ = f"{mn.upper()} rd, rn, #imm | rm."
    return emit


def _ccmp(mn):
    reg = getattr(_dp, f"encode_{mn}")
    imm = getattr(_dp, f"encode_{mn}_imm")

    def emit(a, rn, op, nzcv, cond):
        a.words.append(reg(rn, op, nzcv, cond) if isinstance(op, GpReg)
                       else imm(rn, op, nzcv, cond))
    emit.__doc__ = f"{mn.upper()} rn, rm|#imm5, #nzcv, cond."
    return emit


def _csel(enc):
    words = _Words(enc)

    def emit(a, rd, rn, rm, cond):
        if (rd.__class__ is GpReg and rn.__class__ is GpReg and rm.__class__ is GpReg
                and cond.__class__ is Cond):
            a.words.append(words[(rd, rn, rm, cond)])
        else:
            a.words.append(enc(rd, rn, rm, cond))
    emit.__doc__ = enc.__doc__
    return emit


def _fmov(a, rd, op):
    """FMOV rd, op: register moves (FP/GP) or an FP immediate (+-n/16 * 2**e)."""
    if isinstance(op, (GpReg, FpReg)):
        a.words.append(_fp.encode_fmov(rd, op))
    else:
        a.words.append(_fp.encode_fmov_imm(rd, op))


def _one(enc):
    """An instruction that is exactly one call of ``enc``."""
    def emit(a, *operands, **named):
        a.words.append(enc(*operands, **named))
    emit.__doc__ = enc.__doc__
    return emit


# --------------------------------------------------------------- loads / stores

def _ldst(op):
    word = getattr(_ls, f"encode_{op}").word        # None unless one LDR/STR holds it
    literal = {"ldr": "ldr_literal", "ldrsw": "ldrsw_literal"}.get(op)
    can_plan = not _ls.LDST_OPS[op][1]              # the LDUR family has no plan

    def emit(a, rt, m, *, scratch=None):
        w = word(rt, m)
        if w is not None:
            a.words.append(w)
            return
        if m.__class__ is Label and literal is not None:
            getattr(a, literal)(rt, m)
            return
        if not isinstance(m, Mem):
            raise EncodingError(op, "mem", m, "a Mem operand" + (" or a Label (literal)"
                                                                 if literal else ""))
        if scratch is None:
            scratch = a.scratch
        if (scratch is not None and can_plan and m.index is None
                and m.mode is AddrMode.OFFSET):
            _put(a, _lz.plan_ldst(op, rt, m.base, m.offset, scratch))
        else:
            a.words.append(_ls.encode_ldst(op, rt, m))
    emit.__doc__ = (f"{op.upper()} rt, mem: any addressing mode; an offset no single "
                    "instruction holds is legalised only with a scratch register"
                    + (f"; {op.upper()} rt, label is the literal form." if literal else "."))
    return emit


def _pair(enc):
    def emit(a, rt1, rt2, m):
        a.words.append(enc(rt1, rt2, m))
    emit.__doc__ = enc.__doc__
    return emit


# ==========================================================================
# The table
# ==========================================================================


class Insn(NamedTuple):
    """One instruction of the table.

    ``mnemonic``: as written in assembly text (``"and"``, ``"b.eq"``).
    ``method``: the Assembler method (``"and_"``, ``"b_eq"``), None for a
    text-only form.  ``shapes``: the operand kinds of the text forms, one
    letter per operand: R a GP register, F an FP register, I an integer
    (``#n``), D a float, M a memory operand, S a shift (``lsl #n``, two
    arguments: Shift and amount), E an extend (two arguments), L ``lsl #n``
    given as the amount, C a condition, N a name (system register, barrier
    option), T a branch target (a label or an absolute address); ``""`` is
    the form without operands.
    ``emit``: ``emit(a, *operands)`` appends the words to ``a.words`` (the
    Assembler method); for the T shapes, the Assembler method named by
    ``method`` (or ``label_method``) takes a Label and ``direct(pc,
    *operands)`` is the one word for an absolute target at address ``pc``.
    """

    mnemonic: str
    method: Optional[str]
    shapes: Tuple[str, ...]
    emit: Optional[Callable]
    direct: Optional[Callable] = None
    label_method: Optional[str] = None


INSTRUCTIONS: list = []


def _row(mnemonic, shapes, emit, method="", **kw):
    if method == "":                   # the mnemonic, made a Python name where it is a keyword
        method = mnemonic + "_" if mnemonic in ("and", "yield") else mnemonic
    # shapes: space-separated, "-" for no operands
    INSTRUCTIONS.append(Insn(mnemonic, method,
                             tuple("" if s == "-" else s for s in shapes.split()), emit, **kw))


for _mn, _s, _f in (("add", 0, 0), ("adds", 0, 1), ("sub", 1, 0), ("subs", 1, 1)):
    _row(_mn, "RRI RRIS RRR RRRS RRRE", _addsub(_mn, _s, _f))
for _mn in ("cmp", "cmn"):
    _row(_mn, "RI RIS RR RRS RRE", _cmp(_mn))
for _mn, _enc in (("neg", _ar.encode_neg), ("negs", _ar.encode_negs), ("mvn", _lg.encode_mvn)):
    _row(_mn, "RR RRS", _shifted2(_enc))
for _mn in ("adc", "adcs", "sbc", "sbcs"):
    _row(_mn, "RRR", _one(getattr(_ar, f"encode_{_mn}")))
for _mn in ("ngc", "ngcs"):
    _row(_mn, "RR", _one(getattr(_ar, f"encode_{_mn}")))
for _mn in ("and", "orr", "eor", "ands"):
    _row(_mn, "RRI RRR RRRS", _logical(_mn))
for _mn in ("bic", "orn", "eon", "bics"):
    _row(_mn, "RRR RRRS", _logical(_mn))
_row("tst", "RI RR RRS", _tst)
_row("mov", "RR RI", _mov)
for _mn in ("movz", "movn", "movk"):
    _row(_mn, "RI RIL", _movewide(getattr(_mw, f"encode_{_mn}")))
for _mn in ("lsl", "lsr", "asr"):
    _row(_mn, "RRI RRR", _shift(_mn, getattr(_dp, f"encode_{_mn}v"),
                                getattr(_bf, f"encode_{_mn}_imm")))
_row("ror", "RRI RRR", _shift("ror", _dp.encode_rorv, _bf.encode_ror_imm))
for _mn in ("sbfm", "bfm", "ubfm"):
    _row(_mn, "RRII", _one(getattr(_bf, f"encode_{_mn}")))
for _mn in ("ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi"):
    _row(_mn, "RRII", _one(getattr(_bf, f"encode_{_mn}")))
for _mn in ("uxtb", "uxth", "sxtb", "sxth", "sxtw"):
    _row(_mn, "RR", _one(getattr(_bf, f"encode_{_mn}")))
_row("extr", "RRRI", _one(_bf.encode_extr))
for _mn in ("udiv", "sdiv", "lslv", "lsrv", "asrv", "rorv", "mul", "mneg", "smull",
            "smnegl", "umull", "umnegl", "smulh", "umulh"):
    _row(_mn, "RRR", _one(getattr(_dp, f"encode_{_mn}")))
for _mn in ("madd", "msub", "smaddl", "smsubl", "umaddl", "umsubl"):
    _row(_mn, "RRRR", _one(getattr(_dp, f"encode_{_mn}")))
for _mn in ("rbit", "rev16", "rev32", "rev", "clz", "cls"):
    _row(_mn, "RR", _one(getattr(_dp, f"encode_{_mn}")))
for _mn in ("csel", "csinc", "csinv", "csneg"):
    _row(_mn, "RRRC", _csel(getattr(_dp, f"encode_{_mn}")))
for _mn in ("cset", "csetm"):
    _row(_mn, "RC", _one(getattr(_dp, f"encode_{_mn}")))
for _mn in ("cinc", "cinv", "cneg"):
    _row(_mn, "RRC", _one(getattr(_dp, f"encode_{_mn}")))
for _mn in ("ccmp", "ccmn"):
    _row(_mn, "RRIC RIIC", _ccmp(_mn))
for _mn in _ls.LDST_OPS:
    if _mn in ("ldr", "ldrsw"):
        _lit = _br.encode_ldr_literal if _mn == "ldr" else _br.encode_ldrsw_literal
        _row(_mn, "RM FM RT FT", _ldst(_mn), label_method=f"{_mn}_literal",
             direct=lambda pc, rt, t, _lit=_lit: _lit(rt, t - pc))
    else:
        _row(_mn, "RM FM", _ldst(_mn))
for _mn in ("ldp", "stp", "ldpsw"):
    _row(_mn, "RRM FFM", _pair(getattr(_ls, f"encode_{_mn}")))
# Branches: the Assembler methods place items in the code buffer.
_row("b", "T", Assembler.b, direct=lambda pc, t: _br.encode_b(t - pc))
_row("bl", "T", Assembler.bl, direct=lambda pc, t: _br.encode_bl(t - pc))
_row("cbz", "RT", Assembler.cbz, direct=lambda pc, rt, t: _br.encode_cbz(rt, t - pc))
_row("cbnz", "RT", Assembler.cbnz, direct=lambda pc, rt, t: _br.encode_cbnz(rt, t - pc))
_row("tbz", "RIT", Assembler.tbz,
     direct=lambda pc, rt, bit, t: _br.encode_tbz(rt, bit, t - pc))
_row("tbnz", "RIT", Assembler.tbnz,
     direct=lambda pc, rt, bit, t: _br.encode_tbnz(rt, bit, t - pc))
_row("adr", "RT", Assembler.adr, direct=lambda pc, rd, t: _br.encode_adr(rd, t - pc))
_row("adrp", "RI", None, method=None,
     direct=lambda pc, rd, t: _br.encode_adrp(rd, (t & ~0xFFF) - (pc & ~0xFFF)))


def _bcond(c):
    w0 = _br.encode_b_cond(c, 0)

    def emit(a, target):
        if target.__class__ is Label and target.owner == a._id:
            items = a._items                        # (cond_branch for a Label of this buffer)
            words = a.words
            items.append((len(a._code) + 4 * len(words), len(items), B_COND, target, c, None,
                          None))
            words.append(w0)
        else:
            a.cond_branch(B_COND, target, cond=c)
    emit.__name__ = f"b_{c.name.lower()}"
    emit.__doc__ = f"B.{c.name} to a Label or absolute address (widened when out of range)."
    return emit


for _c in Cond:
    _names = [_c.name.lower()] + {Cond.HS: ["cs"], Cond.LO: ["cc"]}.get(_c, [])
    for _name in _names:
        _direct = (lambda c: lambda pc, t: _br.encode_b_cond(c, t - pc))(_c)
        if _c < Cond.AL:
            _row(f"b.{_name}", "T", _bcond(_c), method=f"b_{_name}", direct=_direct)
        else:                          # b.al/b.nv: numeric targets only (no relaxation)
            _row(f"b.{_name}", "T", None, method=None, direct=_direct)
_row("br", "R", Assembler.br)
_row("blr", "R", Assembler.blr)
_row("ret", "- R", Assembler.ret)
# FP
for _mn in ("fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul"):
    _row(_mn, "FFF", _one(getattr(_fp, f"encode_{_mn}")))
for _mn in ("fabs", "fneg", "fsqrt", "frintn", "frintp", "frintm", "frintz", "frinta",
            "frintx", "frinti", "fcvt"):
    _row(_mn, "FF", _one(getattr(_fp, f"encode_{_mn}")))
for _mn in ("scvtf", "ucvtf"):
    _row(_mn, "FR", _one(getattr(_fp, f"encode_{_mn}")))
for _mn in ("fcvtns", "fcvtnu", "fcvtas", "fcvtau", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu",
            "fcvtzs", "fcvtzu"):
    _row(_mn, "RF", _one(getattr(_fp, f"encode_{_mn}")))
for _mn in ("fmadd", "fmsub", "fnmadd", "fnmsub"):
    _row(_mn, "FFFF", _one(getattr(_fp, f"encode_{_mn}")))
for _mn in ("fcmp", "fcmpe"):
    _row(_mn, "FF FD FI", _one(getattr(_fp, f"encode_{_mn}")))
_row("fcsel", "FFFC", _one(_fp.encode_fcsel))
_row("fmov", "FF FR RF FD FI", _fmov)
# System
for _mn in ("nop", "isb", "yield", "wfe", "wfi", "sev", "sevl"):
    _row(_mn, "-", _one(getattr(_sy, f"encode_{_mn}")))
for _mn in ("brk", "hlt", "svc", "udf"):
    _row(_mn, "- I", _one(getattr(_sy, f"encode_{_mn}")))
_row("hint", "I", _one(_sy.encode_hint))
for _mn in ("dmb", "dsb"):
    _row(_mn, "- N I", _one(getattr(_sy, f"encode_{_mn}")))
_row("mrs", "RN", _one(_sy.encode_mrs))
_row("msr", "NR", _one(_sy.encode_msr))

#: mnemonic (as in text) -> its row
BY_MNEMONIC: Dict[str, Insn] = {r.mnemonic: r for r in INSTRUCTIONS}

for _r in INSTRUCTIONS:
    if _r.method is not None and _r.emit is not None and _r.method not in Assembler.__dict__:
        _r.emit.__name__ = _r.method
        _r.emit.__qualname__ = f"Assembler.{_r.method}"
        setattr(Assembler, _r.method, _r.emit)
del _r, _mn, _s, _f, _enc, _c, _names, _name, _direct, _lit
