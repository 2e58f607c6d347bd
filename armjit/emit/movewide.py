"""A64 move wide (immediate) encoders: MOVN, MOVZ, MOVK.

Arm ARM DDI 0487 C4.1 "Move wide (immediate)": sf opc 100101 hw imm16 Rd,
opc 00 = MOVN (C6.2), 10 = MOVZ (C6.2), 11 = MOVK (C6.2).
Rd is ZR.  ``shift`` is 0/16/32/48 for X registers and 0/16 for W registers
(hw<1> = 1 with sf = 0 is unallocated).  Constants of any value go through
legalize.plan_mov_imm.
"""

from __future__ import annotations

from .errors import EncodingError, refused
from .operands import GpReg, check_range, gp_field

__all__ = ["encode_movn", "encode_movz", "encode_movk"]


def _movewide(mnemonic: str, opc: int, rd, imm16: int, shift: int) -> int:
    # One fast check: a legal ZR-field register, imm16 in range, shift 0/16 (or
    # 32/48 for X); else the explanation.
    if (rd.__class__ is GpReg and imm16.__class__ is int and shift.__class__ is int
            and 0 <= imm16 <= 0xFFFF and rd._f_zr < 32
            and (shift == 0 or shift == 16 or (rd.size == 64 and (shift == 32 or shift == 48)))):
        return rd._sfb | opc << 29 | 0x12800000 | (shift >> 4) << 21 | imm16 << 5 | rd.num
    gp_field(mnemonic, "rd", rd)
    check_range(mnemonic, "imm16", imm16, 0, 0xFFFF)
    legal = (0, 16, 32, 48) if rd.size == 64 else (0, 16)
    if not isinstance(shift, int) or isinstance(shift, bool) or shift not in legal:
        raise EncodingError(mnemonic, "shift", shift, "/".join(map(str, legal)))
    raise refused(mnemonic, (rd, imm16, shift))


def encode_movn(rd, imm16: int, shift: int = 0) -> int:
    """MOVN Rd, #imm16{, LSL #shift}: Rd = NOT(imm16 << shift)."""
    return _movewide("movn", 0, rd, imm16, shift)


def encode_movz(rd, imm16: int, shift: int = 0) -> int:
    """MOVZ Rd, #imm16{, LSL #shift}: Rd = imm16 << shift."""
    return _movewide("movz", 2, rd, imm16, shift)


def encode_movk(rd, imm16: int, shift: int = 0) -> int:
    """MOVK Rd, #imm16{, LSL #shift}: replace one halfword of Rd."""
    return _movewide("movk", 3, rd, imm16, shift)
