"""A64 bitfield and extract encoders.

* C4.1 "Bitfield": sf opc 100110 N immr imms Rn Rd, opc 00 = SBFM (C6.2),
  01 = BFM (C6.2), 10 = UBFM (C6.2); N must equal sf; immr/imms are
  0..size-1.  All registers are ZR.
* C4.1 "Extract": sf 00 100111 N 0 Rm imms Rn Rd = EXTR (C6.2); N = sf,
  lsb 0..size-1.

Aliases (each instruction's "Alias conditions" table): LSL/LSR/ASR (immediate),
UBFX/SBFX/BFXIL, UBFIZ/SBFIZ/BFI, UXTB/UXTH/SXTB/SXTH/SXTW, ROR (immediate) = EXTR
Rd, Rs, Rs, #shift.
"""

from __future__ import annotations

from .errors import EncodingError, refused
from .operands import GpReg, check_range, gp_field, same_size

__all__ = [
    "encode_sbfm", "encode_bfm", "encode_ubfm",
    "encode_lsl_imm", "encode_lsr_imm", "encode_asr_imm",
    "encode_ubfx", "encode_sbfx", "encode_bfxil", "encode_ubfiz", "encode_sbfiz", "encode_bfi",
    "encode_uxtb", "encode_uxth", "encode_sxtb", "encode_sxth", "encode_sxtw",
    "encode_extr", "encode_ror_imm",
]


def _bitfield(mnemonic: str, opc: int, rd, rn, immr: int, imms: int, rn_size=None) -> int:
    # One fast check (see arith.py): legal ZR-field registers (of one width, or
    # Rn of ``rn_size``), immr/imms in 0..size-1; else the explanation.
    if (rd.__class__ is GpReg and rn.__class__ is GpReg and immr.__class__ is int
            and imms.__class__ is int and rn.size == (rd.size if rn_size is None else rn_size)
            and 0 <= immr < rd.size and 0 <= imms < rd.size
            and rd._f_zr < 32 and rn._f_zr < 32):
        sf = rd.sf
        return (sf << 31 | opc << 29 | 0x13000000 | sf << 22 | immr << 16 | imms << 10
                | rn._n5 | rd.num)
    raise _explain_bitfield(mnemonic, rd, rn, immr, imms, rn_size)


def _explain_bitfield(mnemonic: str, rd, rn, immr, imms, rn_size) -> EncodingError:
    """Raise why a bitfield instruction cannot hold these operands."""
    gp_field(mnemonic, "rd", rd)
    if rn_size is None:
        gp_field(mnemonic, "rn", rn)
        same_size(mnemonic, "rd", rd, "rn", rn)
    else:
        gp_field(mnemonic, "rn", rn, size=rn_size)
    check_range(mnemonic, "immr", immr, 0, rd.size - 1)
    check_range(mnemonic, "imms", imms, 0, rd.size - 1)
    raise refused(mnemonic, (rd, rn, immr, imms))


def encode_sbfm(rd, rn, immr: int, imms: int) -> int:
    """SBFM Rd, Rn, #immr, #imms (C6.2)."""
    return _bitfield("sbfm", 0, rd, rn, immr, imms)


def encode_bfm(rd, rn, immr: int, imms: int) -> int:
    """BFM Rd, Rn, #immr, #imms (C6.2)."""
    return _bitfield("bfm", 1, rd, rn, immr, imms)


def encode_ubfm(rd, rn, immr: int, imms: int) -> int:
    """UBFM Rd, Rn, #immr, #imms (C6.2)."""
    return _bitfield("ubfm", 2, rd, rn, immr, imms)


def _size(mnemonic, rd):
    gp_field(mnemonic, "rd", rd)
    return rd.size


def encode_lsl_imm(rd, rn, shift: int) -> int:
    """LSL (immediate): UBFM Rd, Rn, #(-shift MOD size), #(size-1-shift) (C6.2)."""
    if rd.__class__ is GpReg and shift.__class__ is int and 0 <= shift < rd.size:
        size = rd.size
        return _bitfield("lsl", 2, rd, rn, (-shift) % size, size - 1 - shift)
    check_range("lsl", "shift", shift, 0, _size("lsl", rd) - 1)
    raise refused("lsl", (rd, rn, shift))


def encode_lsr_imm(rd, rn, shift: int) -> int:
    """LSR (immediate): UBFM Rd, Rn, #shift, #size-1 (C6.2)."""
    size = _size("lsr", rd)
    check_range("lsr", "shift", shift, 0, size - 1)
    return _bitfield("lsr", 2, rd, rn, shift, size - 1)


def encode_asr_imm(rd, rn, shift: int) -> int:
    """ASR (immediate): SBFM Rd, Rn, #shift, #size-1 (C6.2)."""
    size = _size("asr", rd)
    check_range("asr", "shift", shift, 0, size - 1)
    return _bitfield("asr", 0, rd, rn, shift, size - 1)


def _extract(mnemonic, opc, rd, rn, lsb, width):
    """UBFX/SBFX/BFXIL: xBFM Rd, Rn, #lsb, #(lsb+width-1)."""
    size = _size(mnemonic, rd)
    check_range(mnemonic, "lsb", lsb, 0, size - 1)
    check_range(mnemonic, "width", width, 1, size - lsb)
    return _bitfield(mnemonic, opc, rd, rn, lsb, lsb + width - 1)


def _insert(mnemonic, opc, rd, rn, lsb, width):
    """UBFIZ/SBFIZ/BFI: xBFM Rd, Rn, #(-lsb MOD size), #(width-1)."""
    size = _size(mnemonic, rd)
    check_range(mnemonic, "lsb", lsb, 0, size - 1)
    check_range(mnemonic, "width", width, 1, size - lsb)
    return _bitfield(mnemonic, opc, rd, rn, (-lsb) % size, width - 1)


def encode_ubfx(rd, rn, lsb: int, width: int) -> int:
    """UBFX Rd, Rn, #lsb, #width (C6.2)."""
    return _extract("ubfx", 2, rd, rn, lsb, width)


def encode_sbfx(rd, rn, lsb: int, width: int) -> int:
    """SBFX Rd, Rn, #lsb, #width (C6.2)."""
    return _extract("sbfx", 0, rd, rn, lsb, width)


def encode_bfxil(rd, rn, lsb: int, width: int) -> int:
    """BFXIL Rd, Rn, #lsb, #width (C6.2)."""
    return _extract("bfxil", 1, rd, rn, lsb, width)


def encode_ubfiz(rd, rn, lsb: int, width: int) -> int:
    """UBFIZ Rd, Rn, #lsb, #width (C6.2)."""
    return _insert("ubfiz", 2, rd, rn, lsb, width)


def encode_sbfiz(rd, rn, lsb: int, width: int) -> int:
    """SBFIZ Rd, Rn, #lsb, #width (C6.2)."""
    return _insert("sbfiz", 0, rd, rn, lsb, width)


def encode_bfi(rd, rn, lsb: int, width: int) -> int:
    """BFI Rd, Rn, #lsb, #width (C6.2)."""
    return _insert("bfi", 1, rd, rn, lsb, width)


def encode_uxtb(rd, rn) -> int:
    """UXTB Wd, Wn: UBFM Wd, Wn, #0, #7 (C6.2; 32-bit only)."""
    gp_field("uxtb", "rd", rd, size=32)
    return _bitfield("uxtb", 2, rd, rn, 0, 7, rn_size=32)


def encode_uxth(rd, rn) -> int:
    """UXTH Wd, Wn: UBFM Wd, Wn, #0, #15 (C6.2; 32-bit only)."""
    gp_field("uxth", "rd", rd, size=32)
    return _bitfield("uxth", 2, rd, rn, 0, 15, rn_size=32)


def encode_sxtb(rd, rn) -> int:
    """SXTB <Wd|Xd>, Wn: SBFM Rd, Rn, #0, #7 (C6.2); the source is always W."""
    return _bitfield("sxtb", 0, rd, rn, 0, 7, rn_size=32)


def encode_sxth(rd, rn) -> int:
    """SXTH <Wd|Xd>, Wn: SBFM Rd, Rn, #0, #15 (C6.2); the source is always W."""
    return _bitfield("sxth", 0, rd, rn, 0, 15, rn_size=32)


def encode_sxtw(rd, rn) -> int:
    """SXTW Xd, Wn: SBFM Xd, Xn, #0, #31 (C6.2)."""
    gp_field("sxtw", "rd", rd, size=64)
    return _bitfield("sxtw", 0, rd, rn, 0, 31, rn_size=32)


# C4.1 Extract: sf 00 100111 N 0 Rm imms Rn Rd

def encode_extr(rd, rn, rm, lsb: int) -> int:
    """EXTR Rd, Rn, Rm, #lsb (C6.2): Rd = (Rn:Rm) >> lsb."""
    d = gp_field("extr", "rd", rd)
    n = gp_field("extr", "rn", rn)
    m = gp_field("extr", "rm", rm)
    same_size("extr", "rd", rd, "rn", rn, "rm", rm)
    sf = rd.sf
    check_range("extr", "lsb", lsb, 0, rd.size - 1)
    return sf << 31 | 0x13800000 | sf << 22 | m << 16 | lsb << 10 | n << 5 | d


def encode_ror_imm(rd, rs, shift: int) -> int:
    """ROR (immediate): EXTR Rd, Rs, Rs, #shift (C6.2)."""
    gp_field("ror", "rd", rd)
    gp_field("ror", "rs", rs)
    same_size("ror", "rd", rd, "rs", rs)
    check_range("ror", "shift", shift, 0, rd.size - 1)
    return encode_extr(rd, rs, rs, shift)
