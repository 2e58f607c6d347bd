"""A64 logical encoders (Arm ARM DDI 0487, C4.1 encoding index).

* C4.1 "Logical (immediate)": AND, ORR, EOR, ANDS with a bitmask immediate
  (C6.2 AND (immediate), C6.2 ORR (immediate), ...).  The immediate is
  given as its VALUE and encoded by :func:`immediates.encode_bitmask`; values
  that are not bitmask patterns are refused (see legalize.plan_logical_imm).
  Rd is SP for AND/ORR/EOR and ZR for ANDS; Rn is ZR.
* C4.1 "Logical (shifted register)": AND, BIC, ORR, ORN, EOR, EON, ANDS,
  BICS; all of LSL/LSR/ASR/ROR; all registers ZR.

Aliases: TST (immediate / shifted register) = ANDS ZR, ...; MVN = ORN Rd, ZR, Rm;
MOV (register) = ORR Rd, ZR, Rm (C6.2); MOV (bitmask immediate) = ORR Rd, ZR, #imm.
"""

from __future__ import annotations

from .arith import _check_shift, _zr_like
from .errors import EncodingError, refused
from .immediates import encode_bitmask
from .operands import GpReg, Shift, gp_field, same_size

_SHIFT_BITS = {Shift.LSL: 0, Shift.LSR: 1 << 22, Shift.ASR: 2 << 22, Shift.ROR: 3 << 22}

__all__ = [
    "encode_and_imm", "encode_orr_imm", "encode_eor_imm", "encode_ands_imm", "encode_tst_imm",
    "encode_mov_bitmask",
    "encode_and_shifted", "encode_bic_shifted", "encode_orr_shifted", "encode_orn_shifted",
    "encode_eor_shifted", "encode_eon_shifted", "encode_ands_shifted", "encode_bics_shifted",
    "encode_tst_shifted", "encode_mvn", "encode_mov_reg", "LOGICAL_OPC",
]

#: opc field of both logical classes
LOGICAL_OPC = {"and": 0, "orr": 1, "eor": 2, "ands": 3}


# C4.1 Logical (immediate): sf opc 100100 N immr imms Rn Rd

def _logical_imm(mnemonic: str, opc: int, rd, rn, value: int) -> int:
    d = gp_field(mnemonic, "rd", rd, sp=(opc != 3))
    n = gp_field(mnemonic, "rn", rn)
    size = same_size(mnemonic, "rd", rd, "rn", rn)
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodingError(mnemonic, "imm", value, "an integer")
    enc = encode_bitmask(value, size)
    if enc is None:
        raise EncodingError(mnemonic, "imm", value,
                            f"a {size}-bit bitmask immediate (a rotated run of ones "
                            "replicated in 2/4/8/16/32/64-bit elements; not 0 or all ones)")
    nbit, immr, imms = enc
    return (rd.sf << 31 | opc << 29 | 0x12000000 | nbit << 22 | immr << 16 | imms << 10
            | n << 5 | d)


def encode_and_imm(rd, rn, value) -> int:
    """AND <Xd|SP>, <Xn>, #value (C6.2)."""
    return _logical_imm("and", 0, rd, rn, value)


def encode_orr_imm(rd, rn, value) -> int:
    """ORR <Xd|SP>, <Xn>, #value (C6.2)."""
    return _logical_imm("orr", 1, rd, rn, value)


def encode_eor_imm(rd, rn, value) -> int:
    """EOR <Xd|SP>, <Xn>, #value (C6.2)."""
    return _logical_imm("eor", 2, rd, rn, value)


def encode_ands_imm(rd, rn, value) -> int:
    """ANDS <Xd>, <Xn>, #value (C6.2)."""
    return _logical_imm("ands", 3, rd, rn, value)


def encode_tst_imm(rn, value) -> int:
    """TST <Xn>, #value: ANDS ZR, Xn, #value (C6.2)."""
    return _logical_imm("tst", 3, _zr_like(rn), rn, value)


def encode_mov_bitmask(rd, value) -> int:
    """MOV (bitmask immediate): ORR <Xd|SP>, ZR, #value (C6.2)."""
    return _logical_imm("mov", 1, rd, _zr_like(rd), value)


# C4.1 Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd

def _logical_shifted(mnemonic: str, opc: int, neg: int, rd, rn, rm, shift, amount) -> int:
    # One fast check (see arith.py), else the explanation.
    if (rd.__class__ is GpReg and rn.__class__ is GpReg and rm.__class__ is GpReg
            and shift.__class__ is Shift and amount.__class__ is int
            and rd.size == rn.size == rm.size and 0 <= amount < rd.size
            and rd._f_zr < 32 and rn._f_zr < 32 and rm._f_zr < 32):
        return (rd._sfb | opc << 29 | 0x0A000000 | _SHIFT_BITS[shift] | neg << 21
                | rm._m16 | amount << 10 | rn._n5 | rd.num)
    raise _explain_logical_shifted(mnemonic, rd, rn, rm, shift, amount)


def _explain_logical_shifted(mnemonic: str, rd, rn, rm, shift, amount) -> EncodingError:
    """Raise why a logical (shifted register) instruction cannot hold these operands."""
    gp_field(mnemonic, "rd", rd)
    gp_field(mnemonic, "rn", rn)
    gp_field(mnemonic, "rm", rm)
    same_size(mnemonic, "rd", rd, "rn", rn, "rm", rm)
    _check_shift(mnemonic, shift, amount, rd.size, allow_ror=True)
    raise refused(mnemonic, (rd, rn, rm, shift, amount))


def _shifted_encoder(mnemonic: str, opc: int, neg: int, doc: str):
    """A logical (shifted register) encoder."""
    def enc(rd, rn, rm, shift=Shift.LSL, amount=0) -> int:
        return _logical_shifted(mnemonic, opc, neg, rd, rn, rm, shift, amount)
    enc.__name__ = enc.__qualname__ = f"encode_{mnemonic}_shifted"
    enc.__doc__ = doc
    return enc


encode_and_shifted = _shifted_encoder("and", 0, 0, "AND (shifted register) (C6.2).")
encode_bic_shifted = _shifted_encoder("bic", 0, 1, "BIC (shifted register) (C6.2).")
encode_orr_shifted = _shifted_encoder("orr", 1, 0, "ORR (shifted register) (C6.2).")
encode_orn_shifted = _shifted_encoder("orn", 1, 1, "ORN (shifted register) (C6.2).")
encode_eor_shifted = _shifted_encoder("eor", 2, 0, "EOR (shifted register) (C6.2).")
encode_eon_shifted = _shifted_encoder("eon", 2, 1, "EON (shifted register) (C6.2).")
encode_ands_shifted = _shifted_encoder("ands", 3, 0, "ANDS (shifted register) (C6.2).")
encode_bics_shifted = _shifted_encoder("bics", 3, 1, "BICS (shifted register) (C6.2).")


def encode_tst_shifted(rn, rm, shift=Shift.LSL, amount=0) -> int:
    """TST (shifted register): ANDS ZR, Rn, Rm{, shift #amount} (C6.2)."""
    return _logical_shifted("tst", 3, 0, _zr_like(rn), rn, rm, shift, amount)


def encode_mvn(rd, rm, shift=Shift.LSL, amount=0) -> int:
    """MVN: ORN Rd, ZR, Rm{, shift #amount} (C6.2 alias)."""
    return _logical_shifted("mvn", 1, 1, rd, _zr_like(rd), rm, shift, amount)


def encode_mov_reg(rd, rm) -> int:
    """MOV (register): ORR Rd, ZR, Rm (C6.2).  SP is refused (use encode_mov_sp)."""
    if (rd.__class__ is GpReg and rm.__class__ is GpReg and rd._f_zr < 32 and rm._f_zr < 32
            and rd.size == rm.size):
        return 0x2A0003E0 | rd._sfb | rm._m16 | rd.num
    raise _explain_logical_shifted("mov", rd, _zr_like(rd), rm, Shift.LSL, 0)
