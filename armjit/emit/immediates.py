"""Immediate legality and legalisation for A64, in one place.

Legality:

* logical (bitmask) immediates: :func:`encode_bitmask` / :func:`decode_bitmask`,
  Arm ARM DDI 0487 J1.1 pseudocode ``DecodeBitMasks`` and C4.1 class
  "Logical (immediate)" (C6.2 AND (immediate));
* ADD/SUB immediates: :func:`is_add_sub_imm` (C6.2 ADD (immediate): imm12,
  optionally LSL #12);
* load/store offsets: :func:`ldst_imm_form` (C6.2 LDR (immediate) unsigned
  offset scaled imm12, LDUR signed imm9) and :func:`pair_offset_ok` (C6.2 LDP,
  signed imm7 scaled).

Legalisation (lists of 32-bit words; they write only the destination and the
named scratch register):

* :func:`plan_mov_imm` — shortest MOVZ/MOVN + MOVK sequence, or one ORR (bitmask);
* :func:`plan_add_imm` — Rd = Rn + value for any value of the register width;
* :func:`plan_cmp_imm` — CMP/CMN/scratch, as CinderX ``arch::cmp_immediate``;
* :func:`plan_logical_imm` — AND/ORR/EOR/ANDS with any value.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from .errors import EncodingError
from .movewide import encode_movk, encode_movn, encode_movz
from .operands import GpReg, Shift, gp_field

__all__ = [
    "encode_bitmask", "decode_bitmask", "is_add_sub_imm", "split_add_sub_imm",
    "plan_mov_imm", "plan_add_imm", "plan_cmp_imm", "plan_logical_imm",
    "ldst_imm_form", "pair_offset_ok", "mov_imm_cost",
]


# ---------------------------------------------------------------- bitmask immediates


def _ror(x: int, r: int, e: int) -> int:
    r %= e
    m = (1 << e) - 1
    return ((x >> r) | (x << (e - r))) & m


def _reduce(value: int, size: int) -> Optional[int]:
    """value as an unsigned ``size``-bit pattern; signed and unsigned inputs allowed."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if not -(1 << (size - 1)) <= value < (1 << size):
        return None
    return value & ((1 << size) - 1)


def encode_bitmask(value: int, size: int) -> Optional[Tuple[int, int, int]]:
    """(N, immr, imms) encoding ``value`` as a logical immediate of ``size`` bits.

    ``value`` may be given unsigned (0..2**size-1) or signed (two's complement).
    Returns None when no encoding exists (0, all ones, anything that is not a
    rotated run of ones replicated across 2/4/8/16/32/64-bit elements, or a
    value out of range).  Inverse of :func:`decode_bitmask`.
    """
    if size not in (32, 64):
        raise ValueError(f"bitmask size must be 32 or 64, not {size}")
    v = _reduce(value, size)
    if v is None or v == 0 or v == (1 << size) - 1:
        return None
    # Smallest element size e such that v is e-bit element replicated.
    e = size
    while e > 2:
        half = e // 2
        lo = v & ((1 << half) - 1)
        # v is the half-size element replicated across all ``size`` bits
        # (lo < 2**half, so the product has no carries)
        if lo * (((1 << size) - 1) // ((1 << half) - 1)) != v:
            break
        e = half
    elem = v & ((1 << e) - 1)
    ones = bin(elem).count("1")
    # The rotation r with ror(elem, r) == a run of `ones` ones at bit 0 (unique,
    # 0 < ones < e): elem a contiguous run from its lowest set bit (r = that
    # bit), or the ones wrap around and the zeros are one contiguous run
    # (r = the bit above the zeros); anything else has no encoding.
    low = elem & -elem
    if (elem + low) & elem == 0:
        r = low.bit_length() - 1
    else:
        inv = ~elem & ((1 << e) - 1)
        if (inv + (inv & -inv)) & inv != 0:
            return None
        r = inv.bit_length()
    immr = (e - r) % e
    imms = (~(2 * e - 1) & 0x3F) | (ones - 1)
    n = 1 if e == 64 else 0
    return n, immr, imms


def decode_bitmask(n: int, immr: int, imms: int, size: int) -> int:
    """The value of a logical immediate: Arm ARM DecodeBitMasks(N, imms, immr, TRUE, M).

    Raises EncodingError for reserved encodings (len < 1, N = 1 with size 32,
    S = all ones).
    """
    if size not in (32, 64):
        raise ValueError(f"bitmask size must be 32 or 64, not {size}")
    for name, v, hi in (("N", n, 1), ("immr", immr, 63), ("imms", imms, 63)):
        if not isinstance(v, int) or not 0 <= v <= hi:
            raise EncodingError("bitmask", name, v, f"0..{hi}")
    if size == 32 and n == 1:
        raise EncodingError("bitmask", "N", n, "0 for 32-bit operations")
    combined = (n << 6) | (~imms & 0x3F)
    length = combined.bit_length() - 1          # HighestSetBit
    if length < 1:
        raise EncodingError("bitmask", "imms", imms, "not 0b11111x with N=0 (reserved)")
    levels = (1 << length) - 1
    if imms & levels == levels:
        raise EncodingError("bitmask", "imms", imms,
                            "S != all ones within the element (reserved)")
    s = imms & levels
    r = immr & levels
    esize = 1 << length
    welem = (1 << (s + 1)) - 1
    elem = _ror(welem, r, esize)
    out = 0
    for i in range(0, size, esize):
        out |= elem << i
    return out


# ---------------------------------------------------------------- add/sub immediates


def is_add_sub_imm(value: int) -> bool:
    """True if ADD/SUB (immediate) holds ``value``: 0..4095, or a multiple of
    4096 up to 4095 << 12 (C6.2 ADD (immediate), imm12 with sh = 0 or 1)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    if 0 <= value <= 0xFFF:
        return True
    return value & 0xFFF == 0 and 0 <= value <= 0xFFF000


def split_add_sub_imm(value: int) -> Tuple[int, bool]:
    """(imm12, shift12) for an encodable ADD/SUB immediate."""
    if not is_add_sub_imm(value):
        raise EncodingError("add", "imm", value, "0..4095 or a multiple of 4096 up to 0xfff000")
    if value <= 0xFFF:
        return value, False
    return value >> 12, True


# ---------------------------------------------------------------- load/store offsets


_LDST_SIZES = (1, 2, 4, 8, 16)


def ldst_imm_form(offset: int, size_bytes: int) -> Optional[str]:
    """Which immediate-offset form of a load/store of ``size_bytes`` holds ``offset``.

    "scaled": unsigned offset, a multiple of the size up to 4095 * size (LDR/STR
    (immediate), unsigned offset); else "unscaled": -256..255 (LDUR/STUR);
    else None.  Scaled is preferred when both hold the offset.
    """
    if size_bytes not in _LDST_SIZES:
        raise ValueError(f"access size must be one of {_LDST_SIZES}, not {size_bytes}")
    if not isinstance(offset, int) or isinstance(offset, bool):
        return None
    if 0 <= offset <= 4095 * size_bytes and offset % size_bytes == 0:
        return "scaled"
    if -256 <= offset <= 255:
        return "unscaled"
    return None


def pair_offset_ok(offset: int, size_bytes: int) -> bool:
    """LDP/STP (signed offset, pre and post-index): imm7 scaled by the size,
    i.e. a multiple of ``size_bytes`` in -64*size .. 63*size (size 4, 8 or 16)."""
    if size_bytes not in (4, 8, 16):
        raise ValueError(f"pair access size must be 4, 8 or 16, not {size_bytes}")
    if not isinstance(offset, int) or isinstance(offset, bool):
        return False
    return offset % size_bytes == 0 and -64 <= offset // size_bytes <= 63


# ---------------------------------------------------------------- constants


def _halfwords(v: int, size: int) -> List[int]:
    return [(v >> s) & 0xFFFF for s in range(0, size, 16)]


def mov_imm_cost(value: int, size: int = 64) -> int:
    """Number of instructions :func:`plan_mov_imm` uses for ``value``."""
    v = _reduce(value, size)
    if v is None:
        raise EncodingError("mov", "imm", value, _imm_range(size))
    hw = _halfwords(v, size)
    movz = max(1, len(hw) - hw.count(0))
    movn = max(1, len(hw) - hw.count(0xFFFF))
    best = min(movz, movn)
    if best > 1 and encode_bitmask(v, size) is not None:
        return 1
    return best


def _imm_range(size: int) -> str:
    return f"{-(1 << (size - 1))}..{(1 << size) - 1} (a {size}-bit value, signed or unsigned)"


def plan_mov_imm(rd: GpReg, value: int) -> List[int]:
    """Words that set ``rd`` to ``value`` (a W or X register; ZR is refused, SP too).

    The shortest of: MOVZ + MOVK for each other non-zero halfword; MOVN + MOVK
    for each other non-0xffff halfword; a single ORR rd, ZR, #bitmask.  Only
    ``rd`` is written.
    """
    gp_field("mov", "rd", rd, zr=False)
    size = rd.size
    v = _reduce(value, size)
    if v is None:
        raise EncodingError("mov", "imm", value, _imm_range(size))
    hw = _halfwords(v, size)
    nz = [i for i, h in enumerate(hw) if h != 0]
    nf = [i for i, h in enumerate(hw) if h != 0xFFFF]
    movz_cost = max(1, len(nz))
    movn_cost = max(1, len(nf))
    if min(movz_cost, movn_cost) > 1 and encode_bitmask(v, size) is not None:
        from .logical import encode_mov_bitmask      # (logical imports this module)
        return [encode_mov_bitmask(rd, v)]
    if movz_cost <= movn_cost:
        if not nz:
            return [encode_movz(rd, 0, 0)]
        first, rest = nz[0], nz[1:]
        words = [encode_movz(rd, hw[first], 16 * first)]
    else:
        if not nf:
            return [encode_movn(rd, 0, 0)]
        first, rest = nf[0], nf[1:]
        words = [encode_movn(rd, hw[first] ^ 0xFFFF, 16 * first)]
    for i in rest:
        words.append(encode_movk(rd, hw[i], 16 * i))
    return words


# ---------------------------------------------------------------- add / cmp


def _check_scratch(mnemonic: str, scratch, size: int, avoid) -> GpReg:
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
    from . import arith
    from .operands import Extend

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
    from . import arith

    mn = "adds" if set_flags else "add"
    gp_field(mn, "rd", rd, sp=rd.is_sp if isinstance(rd, GpReg) else False)
    gp_field(mn, "rn", rn, sp=rn.is_sp if isinstance(rn, GpReg) else False)
    if rd.size != rn.size:
        raise EncodingError(mn, "rn", rn, f"a register of the same width as rd ({rd})")
    if not isinstance(set_flags, bool):
        raise EncodingError(mn, "set_flags", set_flags, "True or False")
    size = rd.size
    mask = (1 << size) - 1
    v = _reduce(value, size)
    if v is None:
        raise EncodingError(mn, "value", value, _imm_range(size))
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
        s = _check_scratch(mn, scratch, size, [])
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
        from .logical import encode_mov_reg
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
        tmp = _check_scratch(mn, scratch, size, [("rn", rn)])
    words = plan_mov_imm(tmp, v)
    return words + [_reg_add(mn, False, set_flags, rd, rn, tmp)]


def plan_cmp_imm(rn: GpReg, value: int, scratch: Optional[GpReg] = None) -> List[int]:
    """Words setting NZCV as ``CMP rn, #value`` would (SUBS ZR, rn, value) for
    any value of the register width: CMP #imm, else CMN #-imm (flags are
    identical, see plan_add_imm), else materialise into ``scratch`` and CMP
    register (CinderX ``arch::cmp_immediate``).  Only the scratch is written.
    """
    from . import arith

    gp_field("cmp", "rn", rn, sp=rn.is_sp if isinstance(rn, GpReg) else False)
    size = rn.size
    v = _reduce(value, size)
    if v is None:
        raise EncodingError("cmp", "value", value, _imm_range(size))
    if scratch is not None:
        gp_field("cmp", "scratch", scratch, zr=False)
    neg = (-v) & ((1 << size) - 1)
    if not rn.is_zr:
        if is_add_sub_imm(v):
            return [arith.encode_cmp_imm(rn, *split_add_sub_imm(v))]
        if is_add_sub_imm(neg):
            return [arith.encode_cmn_imm(rn, *split_add_sub_imm(neg))]
    s = _check_scratch("cmp", scratch, size, [("rn", rn)])
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
    from . import arith, logical

    if op not in logical.LOGICAL_OPC:
        raise EncodingError(op, "op", op, "and, orr, eor or ands")
    imm_fn = {"and": logical.encode_and_imm, "orr": logical.encode_orr_imm,
              "eor": logical.encode_eor_imm, "ands": logical.encode_ands_imm}[op]
    reg_fn = {"and": logical.encode_and_shifted, "orr": logical.encode_orr_shifted,
              "eor": logical.encode_eor_shifted, "ands": logical.encode_ands_shifted}[op]
    gp_field(op, "rd", rd, sp=(op != "ands" and isinstance(rd, GpReg) and rd.is_sp))
    # (Rd = ZR without flags is a no-op: the empty list.)
    gp_field(op, "rn", rn)
    if rd.size != rn.size:
        raise EncodingError(op, "rn", rn, f"a register of the same width as rd ({rd})")
    size = rd.size
    v = _reduce(value, size)
    if v is None:
        raise EncodingError(op, "value", value, _imm_range(size))
    if scratch is not None:
        gp_field(op, "scratch", scratch, zr=False)
    if rd.is_zr and op != "ands":
        return []                                   # result discarded, no flags
    if encode_bitmask(v, size) is not None:
        return [imm_fn(rd, rn, v)]
    if rd.is_sp:
        s = _check_scratch(op, scratch, size, [("rn", rn)])
        return plan_mov_imm(s, v) + [reg_fn(s, rn, s), arith.encode_mov_sp(rd, s)]
    if not rd.is_zr and rd.num != rn.num:
        tmp = rd
    else:
        tmp = _check_scratch(op, scratch, size, [("rn", rn)])
    return plan_mov_imm(tmp, v) + [reg_fn(rd, rn, tmp)]
