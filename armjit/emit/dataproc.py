"""A64 data-processing (register) encoders: 1-source, 2-source, 3-source,
conditional select and conditional compare.  All registers are ZR (never SP).

* C4.1 "Data-processing (2 source)": sf 0 0 11010110 Rm opcode Rn Rd
  UDIV (C6.2), SDIV (C6.2), LSLV/LSRV/ASRV/RORV (C6.2)
  with the LSL/LSR/ASR/ROR (register) aliases.
* C4.1 "Data-processing (1 source)": sf 1 0 11010110 00000 opcode Rn Rd
  RBIT (C6.2), REV16 (C6.2), REV32 (C6.2), REV (C6.2), CLZ (C6.2),
  CLS (C6.2).
* C4.1 "Data-processing (3 source)": sf 00 11011 op31 Rm o0 Ra Rn Rd
  MADD/MSUB (C6.2, aliases MUL/MNEG), SMADDL/SMSUBL/UMADDL/UMSUBL
  (aliases SMULL/SMNEGL/UMULL/UMNEGL), SMULH/UMULH.
* C4.1 "Conditional select": sf op S 11010100 Rm cond op2 Rn Rd
  CSEL/CSINC/CSINV/CSNEG and CSET/CSETM/CINC/CINV/CNEG.
* C4.1 "Conditional compare (register)" and "(immediate)":
  sf op 1 11010010 Rm|imm5 cond o2 0 Rn 0 nzcv, CCMN (C6.2), CCMP (C6.2).
"""

from __future__ import annotations

from .arith import _zr_like
from .errors import EncodingError, refused
from .operands import XZR as GpReg64ZR
from .operands import Cond, GpReg, check_range, gp_field, same_size

__all__ = [
    "encode_udiv", "encode_sdiv", "encode_lslv", "encode_lsrv", "encode_asrv", "encode_rorv",
    "encode_lsl_reg", "encode_lsr_reg", "encode_asr_reg", "encode_ror_reg",
    "encode_rbit", "encode_rev16", "encode_rev32", "encode_rev", "encode_clz", "encode_cls",
    "encode_madd", "encode_msub", "encode_mul", "encode_mneg",
    "encode_smaddl", "encode_smsubl", "encode_umaddl", "encode_umsubl",
    "encode_smull", "encode_smnegl", "encode_umull", "encode_umnegl",
    "encode_smulh", "encode_umulh",
    "encode_csel", "encode_csinc", "encode_csinv", "encode_csneg",
    "encode_cset", "encode_csetm", "encode_cinc", "encode_cinv", "encode_cneg",
    "encode_ccmp", "encode_ccmn", "encode_ccmp_imm", "encode_ccmn_imm",
]


def _regs3(mnemonic, rd, rn, rm):
    d = gp_field(mnemonic, "rd", rd)
    n = gp_field(mnemonic, "rn", rn)
    m = gp_field(mnemonic, "rm", rm)
    same_size(mnemonic, "rd", rd, "rn", rn, "rm", rm)
    return rd.sf, d, n, m


# ---------------------------------------------------------------- 2 source

def _two(mnemonic, opcode, rd, rn, rm) -> int:
    sf, d, n, m = _regs3(mnemonic, rd, rn, rm)
    return sf << 31 | 0x1AC00000 | m << 16 | opcode << 10 | n << 5 | d


def encode_udiv(rd, rn, rm) -> int:
    """UDIV Rd, Rn, Rm (C6.2); x/0 = 0."""
    return _two("udiv", 0b000010, rd, rn, rm)


def encode_sdiv(rd, rn, rm) -> int:
    """SDIV Rd, Rn, Rm (C6.2); x/0 = 0, INT_MIN/-1 = INT_MIN."""
    return _two("sdiv", 0b000011, rd, rn, rm)


def encode_lslv(rd, rn, rm) -> int:
    """LSLV Rd, Rn, Rm (C6.2): shift by Rm MOD size."""
    return _two("lslv", 0b001000, rd, rn, rm)


def encode_lsrv(rd, rn, rm) -> int:
    """LSRV Rd, Rn, Rm (C6.2)."""
    return _two("lsrv", 0b001001, rd, rn, rm)


def encode_asrv(rd, rn, rm) -> int:
    """ASRV Rd, Rn, Rm (C6.2)."""
    return _two("asrv", 0b001010, rd, rn, rm)


def encode_rorv(rd, rn, rm) -> int:
    """RORV Rd, Rn, Rm (C6.2)."""
    return _two("rorv", 0b001011, rd, rn, rm)


encode_lsl_reg = encode_lslv   # LSL (register), C6.2: always the preferred disassembly
encode_lsr_reg = encode_lsrv   # LSR (register), C6.2
encode_asr_reg = encode_asrv   # ASR (register), C6.2
encode_ror_reg = encode_rorv   # ROR (register), C6.2


# ---------------------------------------------------------------- 1 source

def _one(mnemonic, opcode, rd, rn, size=None) -> int:
    d = gp_field(mnemonic, "rd", rd, size=size)
    n = gp_field(mnemonic, "rn", rn)
    same_size(mnemonic, "rd", rd, "rn", rn)
    return rd.sf << 31 | 0x5AC00000 | opcode << 10 | n << 5 | d


def encode_rbit(rd, rn) -> int:
    """RBIT Rd, Rn (C6.2)."""
    return _one("rbit", 0b000000, rd, rn)


def encode_rev16(rd, rn) -> int:
    """REV16 Rd, Rn (C6.2): byte-reverse each halfword."""
    return _one("rev16", 0b000001, rd, rn)


def encode_rev32(rd, rn) -> int:
    """REV32 Xd, Xn (C6.2): byte-reverse each word (64-bit only)."""
    return _one("rev32", 0b000010, rd, rn, size=64)


def encode_rev(rd, rn) -> int:
    """REV Rd, Rn (C6.2): opc 10 for W, 11 for X."""
    gp_field("rev", "rd", rd)
    return _one("rev", 0b000011 if rd.size == 64 else 0b000010, rd, rn)


def encode_clz(rd, rn) -> int:
    """CLZ Rd, Rn (C6.2)."""
    return _one("clz", 0b000100, rd, rn)


def encode_cls(rd, rn) -> int:
    """CLS Rd, Rn (C6.2)."""
    return _one("cls", 0b000101, rd, rn)


# ---------------------------------------------------------------- 3 source

def _three(mnemonic, op31, o0, rd, rn, rm, ra, long=False) -> int:
    d = gp_field(mnemonic, "rd", rd, size=64 if long else None)
    n = gp_field(mnemonic, "rn", rn, size=32 if long else None)
    m = gp_field(mnemonic, "rm", rm, size=32 if long else None)
    a = gp_field(mnemonic, "ra", ra, size=64 if long else None)
    if long:
        sf = 1
    else:
        same_size(mnemonic, "rd", rd, "rn", rn, "rm", rm, "ra", ra)
        sf = rd.sf
    return sf << 31 | 0x1B000000 | op31 << 21 | m << 16 | o0 << 15 | a << 10 | n << 5 | d


def encode_madd(rd, rn, rm, ra) -> int:
    """MADD Rd, Rn, Rm, Ra (C6.2): Rd = Ra + Rn*Rm."""
    return _three("madd", 0b000, 0, rd, rn, rm, ra)


def encode_msub(rd, rn, rm, ra) -> int:
    """MSUB Rd, Rn, Rm, Ra (C6.2): Rd = Ra - Rn*Rm."""
    return _three("msub", 0b000, 1, rd, rn, rm, ra)


def encode_mul(rd, rn, rm) -> int:
    """MUL Rd, Rn, Rm: MADD Rd, Rn, Rm, ZR (C6.2)."""
    return _three("mul", 0b000, 0, rd, rn, rm, _zr_like(rd))


def encode_mneg(rd, rn, rm) -> int:
    """MNEG Rd, Rn, Rm: MSUB Rd, Rn, Rm, ZR (C6.2)."""
    return _three("mneg", 0b000, 1, rd, rn, rm, _zr_like(rd))


def encode_smaddl(rd, rn, rm, ra) -> int:
    """SMADDL Xd, Wn, Wm, Xa (C6.2)."""
    return _three("smaddl", 0b001, 0, rd, rn, rm, ra, long=True)


def encode_smsubl(rd, rn, rm, ra) -> int:
    """SMSUBL Xd, Wn, Wm, Xa (C6.2)."""
    return _three("smsubl", 0b001, 1, rd, rn, rm, ra, long=True)


def encode_umaddl(rd, rn, rm, ra) -> int:
    """UMADDL Xd, Wn, Wm, Xa (C6.2)."""
    return _three("umaddl", 0b101, 0, rd, rn, rm, ra, long=True)


def encode_umsubl(rd, rn, rm, ra) -> int:
    """UMSUBL Xd, Wn, Wm, Xa (C6.2)."""
    return _three("umsubl", 0b101, 1, rd, rn, rm, ra, long=True)


def encode_smull(rd, rn, rm) -> int:
    """SMULL Xd, Wn, Wm: SMADDL Xd, Wn, Wm, XZR (C6.2)."""
    return _three("smull", 0b001, 0, rd, rn, rm, GpReg64ZR, long=True)


def encode_smnegl(rd, rn, rm) -> int:
    """SMNEGL Xd, Wn, Wm: SMSUBL Xd, Wn, Wm, XZR (C6.2)."""
    return _three("smnegl", 0b001, 1, rd, rn, rm, GpReg64ZR, long=True)


def encode_umull(rd, rn, rm) -> int:
    """UMULL Xd, Wn, Wm: UMADDL Xd, Wn, Wm, XZR (C6.2)."""
    return _three("umull", 0b101, 0, rd, rn, rm, GpReg64ZR, long=True)


def encode_umnegl(rd, rn, rm) -> int:
    """UMNEGL Xd, Wn, Wm: UMSUBL Xd, Wn, Wm, XZR (C6.2)."""
    return _three("umnegl", 0b101, 1, rd, rn, rm, GpReg64ZR, long=True)


def _mulh(mnemonic, op31, rd, rn, rm) -> int:
    d = gp_field(mnemonic, "rd", rd, size=64)
    n = gp_field(mnemonic, "rn", rn, size=64)
    m = gp_field(mnemonic, "rm", rm, size=64)
    # Ra is ignored by SMULH/UMULH; the canonical encoding has Ra = 11111.
    return 1 << 31 | 0x1B000000 | op31 << 21 | m << 16 | 31 << 10 | n << 5 | d


def encode_smulh(rd, rn, rm) -> int:
    """SMULH Xd, Xn, Xm (C6.2): high 64 bits of the signed 128-bit product."""
    return _mulh("smulh", 0b010, rd, rn, rm)


def encode_umulh(rd, rn, rm) -> int:
    """UMULH Xd, Xn, Xm (C6.2)."""
    return _mulh("umulh", 0b110, rd, rn, rm)



# ---------------------------------------------------------------- conditional select

def _cond(mnemonic, cond, allow_al=True) -> int:
    if not isinstance(cond, Cond):
        raise EncodingError(mnemonic, "cond", cond, "a Cond (eq..nv)")
    if not allow_al and cond >= Cond.AL:
        raise EncodingError(mnemonic, "cond", cond.name.lower(), "eq..le (not al/nv)")
    return int(cond)


def _csel(mnemonic, op, op2, rd, rn, rm, cond) -> int:
    # One fast check (see arith.py): legal ZR-field registers of one width and a
    # Cond; else the explanation.
    if (rd.__class__ is GpReg and rn.__class__ is GpReg and rm.__class__ is GpReg
            and cond.__class__ is Cond and rd._f_zr < 32 and rn._f_zr < 32 and rm._f_zr < 32
            and rd.size == rn.size == rm.size):
        return (op << 30 | 0x1A800000 | op2 << 10 | rd._sfb | rm._m16 | _COND12[cond]
                | rn._n5 | rd.num)
    _regs3(mnemonic, rd, rn, rm)
    _cond(mnemonic, cond)
    raise refused(mnemonic, (rd, rn, rm, cond))


_COND12 = {c: int(c) << 12 for c in Cond}


def encode_csel(rd, rn, rm, cond) -> int:
    """CSEL Rd, Rn, Rm, cond (C6.2)."""
    return _csel("csel", 0, 0, rd, rn, rm, cond)


def encode_csinc(rd, rn, rm, cond) -> int:
    """CSINC Rd, Rn, Rm, cond (C6.2)."""
    return _csel("csinc", 0, 1, rd, rn, rm, cond)


def encode_csinv(rd, rn, rm, cond) -> int:
    """CSINV Rd, Rn, Rm, cond (C6.2)."""
    return _csel("csinv", 1, 0, rd, rn, rm, cond)


def encode_csneg(rd, rn, rm, cond) -> int:
    """CSNEG Rd, Rn, Rm, cond (C6.2)."""
    return _csel("csneg", 1, 1, rd, rn, rm, cond)


def encode_cset(rd, cond) -> int:
    """CSET Rd, cond: CSINC Rd, ZR, ZR, invert(cond) (C6.2); cond not AL/NV."""
    c = Cond(_cond("cset", cond, allow_al=False) ^ 1)
    return _csel("cset", 0, 1, rd, _zr_like(rd), _zr_like(rd), c)


def encode_csetm(rd, cond) -> int:
    """CSETM Rd, cond: CSINV Rd, ZR, ZR, invert(cond) (C6.2)."""
    c = Cond(_cond("csetm", cond, allow_al=False) ^ 1)
    return _csel("csetm", 1, 0, rd, _zr_like(rd), _zr_like(rd), c)


def encode_cinc(rd, rn, cond) -> int:
    """CINC Rd, Rn, cond: CSINC Rd, Rn, Rn, invert(cond) (C6.2)."""
    c = Cond(_cond("cinc", cond, allow_al=False) ^ 1)
    return _csel("cinc", 0, 1, rd, rn, rn, c)


def encode_cinv(rd, rn, cond) -> int:
    """CINV Rd, Rn, cond: CSINV Rd, Rn, Rn, invert(cond) (C6.2)."""
    c = Cond(_cond("cinv", cond, allow_al=False) ^ 1)
    return _csel("cinv", 1, 0, rd, rn, rn, c)


def encode_cneg(rd, rn, cond) -> int:
    """CNEG Rd, Rn, cond: CSNEG Rd, Rn, Rn, invert(cond) (C6.2)."""
    c = Cond(_cond("cneg", cond, allow_al=False) ^ 1)
    return _csel("cneg", 1, 1, rd, rn, rn, c)


# ---------------------------------------------------------------- conditional compare

def _ccmp(mnemonic, op, rn, rm_or_imm, nzcv, cond, imm_form) -> int:
    n = gp_field(mnemonic, "rn", rn)
    if imm_form:
        m = check_range(mnemonic, "imm5", rm_or_imm, 0, 31)
    else:
        m = gp_field(mnemonic, "rm", rm_or_imm)
        same_size(mnemonic, "rn", rn, "rm", rm_or_imm)
    check_range(mnemonic, "nzcv", nzcv, 0, 15)
    c = _cond(mnemonic, cond)
    return (rn.sf << 31 | op << 30 | 0x3A400000 | m << 16 | c << 12 | int(imm_form) << 11
            | n << 5 | nzcv)


def encode_ccmp(rn, rm, nzcv: int, cond) -> int:
    """CCMP Rn, Rm, #nzcv, cond (C6.2)."""
    return _ccmp("ccmp", 1, rn, rm, nzcv, cond, False)


def encode_ccmn(rn, rm, nzcv: int, cond) -> int:
    """CCMN Rn, Rm, #nzcv, cond (C6.2)."""
    return _ccmp("ccmn", 0, rn, rm, nzcv, cond, False)


def encode_ccmp_imm(rn, imm5: int, nzcv: int, cond) -> int:
    """CCMP Rn, #imm5, #nzcv, cond (C6.2)."""
    return _ccmp("ccmp", 1, rn, imm5, nzcv, cond, True)


def encode_ccmn_imm(rn, imm5: int, nzcv: int, cond) -> int:
    """CCMN Rn, #imm5, #nzcv, cond (C6.2)."""
    return _ccmp("ccmn", 0, rn, imm5, nzcv, cond, True)
