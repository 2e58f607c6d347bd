"""A64 move wide (immediate) encoders: MOVN, MOVZ, MOVK.

Arm ARM DDI 0487 C4.1 "Move wide (immediate)": sf opc 100101 hw imm16 Rd,
opc 00 = MOVN (C6.2), 10 = MOVZ (C6.2), 11 = MOVK (C6.2).
Rd is ZR.  ``shift`` is 0/16/32/48 for X registers and 0/16 for W registers
(hw<1> = 1 with sf = 0 is unallocated).  Constants of any value go through
legalize.plan_mov_imm.
"""

from __future__ import annotations

from .errors import EncodingError, refused
from .operands import _GP_INTERN, GpReg, check_range, gp_field

__all__ = ["encode_movn", "encode_movz", "encode_movk"]


# hw field (bits 22:21) of each legal shift, per register width
_HW = {64: {0: 0, 16: 1 << 21, 32: 2 << 21, 48: 3 << 21}, 32: {0: 0, 16: 1 << 21}}
# the word without imm16/hw of every legal Rd (ZR field), per opc; built at import
_HEAD = {opc: {r: r._sfb | opc << 29 | 0x12800000 | r.num
               for r in _GP_INTERN.values() if r._f_zr < 32}
         for opc in (0, 2, 3)}


def _movewide(mnemonic: str, opc: int, doc: str):
    """MOVN/MOVZ/MOVK (C4.1 "Move wide (immediate)"): one fast check (a legal
    Rd, imm16 in range, shift 0/16, or 32/48 for X), else the explanation."""
    heads = _HEAD[opc]

    def enc(rd, imm16: int, shift: int = 0) -> int:
        head = heads.get(rd) if rd.__class__ is GpReg else None
        if (head is not None and imm16.__class__ is int and 0 <= imm16 <= 0xFFFF
                and shift.__class__ is int):
            if shift == 0:
                return head | imm16 << 5
            hw = _HW[rd.size].get(shift)
            if hw is not None:
                return head | hw | imm16 << 5
        raise _explain_movewide(mnemonic, rd, imm16, shift)
    enc.__name__ = enc.__qualname__ = f"encode_{mnemonic}"
    enc.__doc__ = doc
    return enc


def _explain_movewide(mnemonic: str, rd, imm16, shift) -> EncodingError:
    """Raise why a move wide instruction cannot hold these operands."""
    gp_field(mnemonic, "rd", rd)
    check_range(mnemonic, "imm16", imm16, 0, 0xFFFF)
    legal = (0, 16, 32, 48) if rd.size == 64 else (0, 16)
    if not isinstance(shift, int) or isinstance(shift, bool) or shift not in legal:
        raise EncodingError(mnemonic, "shift", shift, "/".join(map(str, legal)))
    raise refused(mnemonic, (rd, imm16, shift))


encode_movn = _movewide("movn", 0, "MOVN Rd, #imm16{, LSL #shift}: Rd = NOT(imm16 << shift).")
encode_movz = _movewide("movz", 2, "MOVZ Rd, #imm16{, LSL #shift}: Rd = imm16 << shift.")
encode_movk = _movewide("movk", 3, "MOVK Rd, #imm16{, LSL #shift}: replace one halfword "
                        "of Rd.")
