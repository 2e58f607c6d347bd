"""Legalisation: sequences of A64 words for operations no single instruction
holds (any constant, any ADD/SUB/CMP/logical immediate, any load/store offset).

Every plan returns a list of 32-bit words built only from the encoders of this
package, chooses by the legality tests of :mod:`armjit.emit.immediates`, and
writes only the destination and the named scratch register:

* :func:`plan_mov_imm` -- shortest MOVZ/MOVN + MOVK sequence, or one ORR (bitmask);
* :func:`plan_add_imm` -- Rd = Rn + value for any value of the register width;
* :func:`plan_cmp_imm` -- CMP/CMN/scratch, as CinderX ``arch::cmp_immediate``;
* :func:`plan_logical_imm` -- AND/ORR/EOR/ANDS with any value;
* :func:`plan_ldst` -- a load/store at any offset from a base register.
"""

from __future__ import annotations

from typing import List, Optional

from . import arith
from .errors import EncodingError
from .immediates import (encode_bitmask, imm_range, is_add_sub_imm, mov_imm_form, reduce_imm,
                         split_add_sub_imm)
from .loadstore import LDST_OPS, encode_ldst, is_load
from .logical import (LOGICAL_OPC, encode_and_imm, encode_and_shifted, encode_ands_imm,
                      encode_ands_shifted, encode_eor_imm, encode_eor_shifted,
                      encode_mov_bitmask, encode_mov_reg, encode_orr_imm, encode_orr_shifted)
from .movewide import encode_movk, encode_movn, encode_movz
from .operands import Extend, GpReg, Mem, Shift, check_range, gp_field

__all__ = ["plan_mov_imm", "plan_add_imm", "plan_cmp_imm", "plan_logical_imm", "plan_ldst",
           "check_scratch"]


def plan_mov_imm(rd: GpReg, value: int) -> List[int]:
    """Words that set ``rd`` to ``value`` (a W or X register; ZR is refused, SP too).

    The shortest of (:func:`armjit.emit.immediates.mov_imm_form`): MOVZ + MOVK
    for each other non-zero halfword; MOVN + MOVK for each other non-0xffff
    halfword; a single ORR rd, ZR, #bitmask.  Only ``rd`` is written.
    """
    gp_field("mov", "rd", rd, zr=False)
    kind, v, hw = mov_imm_form(value, rd.size)
    if kind == "orr":
        return [encode_mov_bitmask(rd, v)]
    (first, h), rest = hw[0], hw[1:]
    if kind == "movz":
        words = [encode_movz(rd, h, 16 * first)]
    else:
        words = [encode_movn(rd, h ^ 0xFFFF, 16 * first)]
    for i, h in rest:
        words.append(encode_movk(rd, h, 16 * i))
    return words


# ---------------------------------------------------------------- add / cmp


def check_scratch(mnemonic: str, scratch, size: int, avoid) -> GpReg:
    """The scratch register viewed at ``size``; it must be an ordinary register
    (not SP/ZR) distinct from every register in ``avoid``."""
    gp_field(mnemonic, "scratch", scratch, zr=False)
    for name, reg in avoid:
        if isinstance(reg, GpReg) and reg.num == scratch.num:
            raise EncodingError(mnemonic, "scratch", scratch,
                                f"a register other than {name} ({reg}), which is still "
                                "needed after the scratch is written")
    return GpReg(scratch.num, size)


def _reg_add(mnemonic: str, sub: bool, set_flags: bool, rd: GpReg, rn: GpReg,
             rm: GpReg) -> int:
    """rd = rn +/- rm with the register form that can hold rd/rn (SP needs the
    extended form with UXTX/UXTW, which printers show as LSL)."""
    if rd.is_sp or rn.is_sp:
        ext = Extend.UXTX if rd.size == 64 else Extend.UXTW
        fn = {(False, False): arith.encode_add_ext, (False, True): arith.encode_adds_ext,
              (True, False): arith.encode_sub_ext, (True, True): arith.encode_subs_ext}
        return fn[(sub, set_flags)](rd, rn, rm, ext, 0)
    fn = {(False, False): arith.encode_add_shifted, (False, True): arith.encode_adds_shifted,
          (True, False): arith.encode_sub_shifted, (True, True): arith.encode_subs_shifted}
    return fn[(sub, set_flags)](rd, rn, rm, Shift.LSL, 0)


def plan_add_imm(rd: GpReg, rn: GpReg, value: int, scratch: Optional[GpReg] = None,
                 set_flags: bool = False) -> List[int]:
    """Words computing ``rd = rn + value`` (ADDS semantics, flags included, when
    ``set_flags``), for any ``value`` of the register width (signed or unsigned).

    In order of preference: nothing (rd == rn an X register, value 0, no
    flags; a W register is still written, which zero-extends); one ADD/SUB
    (imm12 or imm12 << 12, SUB for negative values; flags are exact either way,
    see the note in the code); without flags, two instructions hi << 12 then
    lo; otherwise the value is materialised (plan_mov_imm) in a register and
    added with the register form.  That register is ``rd`` itself when rd is an
    ordinary register different from rn, else ``scratch``, which must then be
    given and must differ from rn.  Only rd and the scratch are written.

    Rd = SP/WSP and Rn = SP/WSP are handled (extended-register forms).  Rd =
    XZR without flags is a no-op (empty list); Rn = XZR means rd = value.
    """
    mn = "adds" if set_flags else "add"
    gp_field(mn, "rd", rd, sp=rd.is_sp if isinstance(rd, GpReg) else False)
    gp_field(mn, "rn", rn, sp=rn.is_sp if isinstance(rn, GpReg) else False)
    if rd.size != rn.size:
        raise EncodingError(mn, "rn", rn, f"a register of the same width as rd ({rd})")
    if not isinstance(set_flags, bool):
        raise EncodingError(mn, "set_flags", set_flags, "True or False")
    size = rd.size
    mask = (1 << size) - 1
    v = reduce_imm(value, size)
    if v is None:
        raise EncodingError(mn, "value", value, imm_range(size))
    if set_flags and rd.is_sp:
        raise EncodingError(mn, "rd", rd, "x0-x30 or xzr (ADDS cannot write SP)")
    if rd.is_zr and not set_flags:
        return []                                   # result discarded, no flags
    if scratch is not None:
        gp_field(mn, "scratch", scratch, zr=False)
    neg = (-v) & mask

    # Rn = ZR: rd = 0 + value.
    if rn.is_zr:
        if not set_flags and not rd.is_sp:
            return plan_mov_imm(rd, v)
        s = check_scratch(mn, scratch, size, [])
        words = plan_mov_imm(s, v)
        if set_flags:
            return words + [arith.encode_adds_shifted(rd, rn, s)]
        return words + [arith.encode_mov_sp(rd, s)]

    # Note on flags: SUBS rd, rn, #neg computes AddWithCarry(rn, NOT(neg), 1) and
    # NOT(neg) + 1 == value (mod 2**size) when neg != 0, so its NZCV equal those of
    # ADDS rd, rn, #value (both the unsigned and the signed sums agree; value ==
    # INT_MIN, the only case where they would not, is never an imm12).
    if v == 0 and not set_flags:
        if rd == rn and size == 64:
            return []
        # (a W destination must still be written: that clears bits 63:32)
        if rd.is_sp or rn.is_sp:
            return [arith.encode_mov_sp(rd, rn)]
        return [encode_mov_reg(rd, rn)]
    if is_add_sub_imm(v):
        imm, sh = split_add_sub_imm(v)
        f = arith.encode_adds_imm if set_flags else arith.encode_add_imm
        return [f(rd, rn, imm, sh)]
    if is_add_sub_imm(neg):
        imm, sh = split_add_sub_imm(neg)
        f = arith.encode_subs_imm if set_flags else arith.encode_sub_imm
        return [f(rd, rn, imm, sh)]
    if not set_flags:
        for amount, f in ((v, arith.encode_add_imm), (neg, arith.encode_sub_imm)):
            if 0 < amount <= 0xFFFFFF:
                return [f(rd, rn, amount >> 12, True), f(rd, rd, amount & 0xFFF, False)]

    # Materialise into a register.
    if not rd.is_sp and not rd.is_zr and rd.num != rn.num:
        tmp = rd
    else:
        tmp = check_scratch(mn, scratch, size, [("rn", rn)])
    words = plan_mov_imm(tmp, v)
    return words + [_reg_add(mn, False, set_flags, rd, rn, tmp)]


def plan_cmp_imm(rn: GpReg, value: int, scratch: Optional[GpReg] = None) -> List[int]:
    """Words setting NZCV as ``CMP rn, #value`` would (SUBS ZR, rn, value) for
    any value of the register width: CMP #imm, else CMN #-imm (flags are
    identical, see plan_add_imm), else materialise into ``scratch`` and CMP
    register (CinderX ``arch::cmp_immediate``).  Only the scratch is written.
    """
    gp_field("cmp", "rn", rn, sp=rn.is_sp if isinstance(rn, GpReg) else False)
    size = rn.size
    v = reduce_imm(value, size)
    if v is None:
        raise EncodingError("cmp", "value", value, imm_range(size))
    if scratch is not None:
        gp_field("cmp", "scratch", scratch, zr=False)
    neg = (-v) & ((1 << size) - 1)
    if not rn.is_zr:
        if is_add_sub_imm(v):
            return [arith.encode_cmp_imm(rn, *split_add_sub_imm(v))]
        if is_add_sub_imm(neg):
            return [arith.encode_cmn_imm(rn, *split_add_sub_imm(neg))]
    s = check_scratch("cmp", scratch, size, [("rn", rn)])
    zr = GpReg(31, size)
    return plan_mov_imm(s, v) + [_reg_add("cmp", True, True, zr, rn, s)]


def plan_logical_imm(op: str, rd: GpReg, rn: GpReg, value: int,
                     scratch: Optional[GpReg] = None) -> List[int]:
    """Words computing ``rd = rn <op> value`` for op in and/orr/eor/ands and any
    value of the register width.  A bitmask value is one instruction; otherwise
    the value is materialised in ``rd`` (when rd is an ordinary register other
    than rn) or in ``scratch`` and the shifted-register form is used.  Rd = SP
    (and/orr/eor only) goes through the scratch and a final MOV SP.
    """
    if op not in LOGICAL_OPC:
        raise EncodingError(op, "op", op, "and, orr, eor or ands")
    imm_fn = {"and": encode_and_imm, "orr": encode_orr_imm,
              "eor": encode_eor_imm, "ands": encode_ands_imm}[op]
    reg_fn = {"and": encode_and_shifted, "orr": encode_orr_shifted,
              "eor": encode_eor_shifted, "ands": encode_ands_shifted}[op]
    gp_field(op, "rd", rd, sp=(op != "ands" and isinstance(rd, GpReg) and rd.is_sp))
    # (Rd = ZR without flags is a no-op: the empty list.)
    gp_field(op, "rn", rn)
    if rd.size != rn.size:
        raise EncodingError(op, "rn", rn, f"a register of the same width as rd ({rd})")
    size = rd.size
    v = reduce_imm(value, size)
    if v is None:
        raise EncodingError(op, "value", value, imm_range(size))
    if scratch is not None:
        gp_field(op, "scratch", scratch, zr=False)
    if rd.is_zr and op != "ands":
        return []                                   # result discarded, no flags
    if encode_bitmask(v, size) is not None:
        return [imm_fn(rd, rn, v)]
    if rd.is_sp:
        s = check_scratch(op, scratch, size, [("rn", rn)])
        return plan_mov_imm(s, v) + [reg_fn(s, rn, s), arith.encode_mov_sp(rd, s)]
    if not rd.is_zr and rd.num != rn.num:
        tmp = rd
    else:
        tmp = check_scratch(op, scratch, size, [("rn", rn)])
    return plan_mov_imm(tmp, v) + [reg_fn(rd, rn, tmp)]


# ---------------------------------------------------------------- loads / stores


def plan_ldst(op: str, rt, base: GpReg, offset: int,
              scratch: Optional[GpReg] = None) -> List[int]:
    """Words that access exactly ``base + offset`` with ``op`` and ``rt``.

    ``op`` is one of the LDR/STR-family ops (not the LDUR family, not pairs).
    The offset is encoded directly when possible (scaled imm12, else unscaled
    imm9).  Otherwise the offset is materialised into ``scratch`` (an X
    register; via :func:`armjit.emit.plan_mov_imm`) and the
    register-offset form ``[base, scratch]`` is used, or, when shorter,
    ``scratch = base + offset`` (:func:`armjit.emit.plan_add_imm`)
    and ``[scratch]``.  Only ``rt`` (for loads) and ``scratch`` change.

    ``scratch`` must be an X register other than ``base``.  It must also
    differ from ``rt``, except for GP loads: there the sequence reads the
    scratch (as index or base) in the load itself, before the load writes
    ``rt``, and LDR (register/immediate, no writeback) has no constraint on
    Rt == Rm or Rt == Rn, so ``scratch.num == rt.num`` is well defined.
    Without a usable scratch, an offset that needs one raises EncodingError.
    """
    if op not in LDST_OPS or LDST_OPS[op][1]:
        raise EncodingError(op, "op", op,
                            "ldr, str, ldrb, strb, ldrh, strh, ldrsb, ldrsh or ldrsw")
    gp_field(op, "base", base, sp=True, size=64)       # the base rules of every LDR/STR
    check_range(op, "offset", offset, -(1 << 63), (1 << 63) - 1)
    try:
        return [encode_ldst(op, rt, Mem(base, offset))]
    except EncodingError as e:
        if e.operand != "offset":
            raise
    if scratch is None:
        raise EncodingError(op, "offset", offset,
                            "an offset encodable in one instruction, or give a scratch register")
    gp_field(op, "scratch", scratch, zr=False, size=64)
    if scratch.num == base.num:
        raise EncodingError(op, "scratch", scratch, f"an X register other than the base {base}")
    if isinstance(rt, GpReg) and scratch.num == rt.num and not is_load(op):
        raise EncodingError(op, "scratch", scratch,
                            f"an X register other than the stored register {rt}")
    via_index = list(plan_mov_imm(scratch, offset)) + [
        encode_ldst(op, rt, Mem(base, index=scratch, extend=Extend.UXTX))]
    best = via_index
    try:
        via_base = list(plan_add_imm(scratch, base, offset)) + [
            encode_ldst(op, rt, Mem(scratch, 0))]
        if len(via_base) < len(best):
            best = via_base
    except EncodingError:
        pass
    return best
