"""A64 scalar floating point (single S and double D precision).

Arm ARM (DDI 0487) encoding-index classes (C4.1.96, "Data Processing --
Scalar Floating-Point and Advanced SIMD"):

* "Floating-point data-processing (1 source)": M 0 S 11110 ftype 1 opcode 10000 Rn Rd
  FMOV (register) C7.2.130, FABS C7.2.46, FNEG C7.2.139, FSQRT C7.2.165,
  FCVT C7.2.69, FRINTN/P/M/Z/A/X/I C7.2.155-162
* "Floating-point data-processing (2 source)": M 0 S 11110 ftype 1 Rm opcode 10 Rn Rd
  FMUL C7.2.136, FDIV C7.2.98, FADD C7.2.50, FSUB C7.2.167, FMAX C7.2.102,
  FMIN C7.2.112, FMAXNM C7.2.104, FMINNM C7.2.114, FNMUL C7.2.144
* "Floating-point data-processing (3 source)": M 0 S 11111 ftype o1 Rm o0 Ra Rn Rd
  FMADD C7.2.100, FMSUB C7.2.133, FNMADD C7.2.140, FNMSUB C7.2.141
* "Floating-point compare": M 0 S 11110 ftype 1 Rm op 1000 Rn opcode2
  FCMP C7.2.66, FCMPE C7.2.67
* "Floating-point conditional select": FCSEL C7.2.68
* "Floating-point immediate": M 0 S 11110 ftype 1 imm8 100 imm5 Rd
  FMOV (scalar, immediate) C7.2.132, imm8 expanded by VFPExpandImm (J1.3.3)
* "Conversion between floating-point and integer":
  sf 0 S 11110 ftype 1 rmode opcode 000000 Rn Rd
  SCVTF C7.2.236, UCVTF C7.2.355, FCVTZS C7.2.92, FCVTZU C7.2.96,
  FCVTNS/NU/PS/PU/MS/MU/AS/AU C7.2.71ff, FMOV (general) C7.2.131

Only S and D are accepted (H needs FEAT_FP16; refused).
"""

from __future__ import annotations

import math
import struct

from .errors import EncodingError
from .operands import FpReg, GpReg, fp_field, gp_field

__all__ = [
    "FMOV_IMM_VALUES", "fmov_imm8",
    "encode_fadd", "encode_fsub", "encode_fmul", "encode_fdiv", "encode_fmax",
    "encode_fmin", "encode_fmaxnm", "encode_fminnm", "encode_fnmul",
    "encode_fmov", "encode_fabs", "encode_fneg", "encode_fsqrt", "encode_fcvt",
    "encode_frintn", "encode_frintp", "encode_frintm", "encode_frintz",
    "encode_frinta", "encode_frintx", "encode_frinti",
    "encode_fmadd", "encode_fmsub", "encode_fnmadd", "encode_fnmsub",
    "encode_fcmp", "encode_fcmpe", "encode_fcsel", "encode_fmov_imm",
    "encode_scvtf", "encode_ucvtf", "encode_fcvtzs", "encode_fcvtzu",
    "encode_fcvtns", "encode_fcvtnu", "encode_fcvtps", "encode_fcvtpu",
    "encode_fcvtms", "encode_fcvtmu", "encode_fcvtas", "encode_fcvtau",
]

_FTYPE = {32: 0b00, 64: 0b01}


def _fp(mnemonic: str, operand: str, reg, size=None) -> int:
    return fp_field(mnemonic, operand, reg, sizes=(size,) if size else (32, 64))


def _ftype(reg: FpReg) -> int:
    return _FTYPE[reg.size] << 22


# ------------------------------------------------------------ 2 source

def _dp2(mnemonic: str, opcode: int):
    def enc(rd: FpReg, rn: FpReg, rm: FpReg) -> int:
        d = _fp(mnemonic, "rd", rd)
        n = _fp(mnemonic, "rn", rn, rd.size)
        m = _fp(mnemonic, "rm", rm, rd.size)
        return 0x1E200800 | _ftype(rd) | (m << 16) | (opcode << 12) | (n << 5) | d
    enc.__name__ = f"encode_{mnemonic}"
    enc.__doc__ = (f"{mnemonic.upper()} <Sd|Dd>, <Sn|Dn>, <Sm|Dm> "
                   f"(FP data-processing 2 source, opcode {opcode:04b}).")
    return enc


encode_fmul = _dp2("fmul", 0b0000)
encode_fdiv = _dp2("fdiv", 0b0001)
encode_fadd = _dp2("fadd", 0b0010)
encode_fsub = _dp2("fsub", 0b0011)
encode_fmax = _dp2("fmax", 0b0100)
encode_fmin = _dp2("fmin", 0b0101)
encode_fmaxnm = _dp2("fmaxnm", 0b0110)
encode_fminnm = _dp2("fminnm", 0b0111)
encode_fnmul = _dp2("fnmul", 0b1000)


# ------------------------------------------------------------ 1 source

def _dp1(mnemonic: str, opcode: int):
    def enc(rd: FpReg, rn: FpReg) -> int:
        d = _fp(mnemonic, "rd", rd)
        n = _fp(mnemonic, "rn", rn, rd.size)
        return 0x1E204000 | _ftype(rd) | (opcode << 15) | (n << 5) | d
    enc.__name__ = f"encode_{mnemonic}"
    enc.__doc__ = (f"{mnemonic.upper()} <Sd|Dd>, <Sn|Dn> "
                   f"(FP data-processing 1 source, opcode {opcode:06b}).")
    return enc


_fmov_reg = _dp1("fmov", 0b000000)
encode_fabs = _dp1("fabs", 0b000001)
encode_fneg = _dp1("fneg", 0b000010)
encode_fsqrt = _dp1("fsqrt", 0b000011)
encode_frintn = _dp1("frintn", 0b001000)
encode_frintp = _dp1("frintp", 0b001001)
encode_frintm = _dp1("frintm", 0b001010)
encode_frintz = _dp1("frintz", 0b001011)
encode_frinta = _dp1("frinta", 0b001100)
encode_frintx = _dp1("frintx", 0b001110)
encode_frinti = _dp1("frinti", 0b001111)


def encode_fcvt(rd: FpReg, rn: FpReg) -> int:
    """FCVT <Dd>, <Sn> / FCVT <Sd>, <Dn> (C7.2.69): opcode 0001 opc."""
    d = _fp("fcvt", "rd", rd)
    other = 64 if rd.size == 32 else 32
    n = _fp("fcvt", "rn", rn, other)
    opc = 0b00 if rd.size == 32 else 0b01
    return 0x1E204000 | _ftype(rn) | ((0b000100 | opc) << 15) | (n << 5) | d


# ------------------------------------------------------------ 3 source

def _dp3(mnemonic: str, o1: int, o0: int):
    def enc(rd: FpReg, rn: FpReg, rm: FpReg, ra: FpReg) -> int:
        d = _fp(mnemonic, "rd", rd)
        n = _fp(mnemonic, "rn", rn, rd.size)
        m = _fp(mnemonic, "rm", rm, rd.size)
        a = _fp(mnemonic, "ra", ra, rd.size)
        return (0x1F000000 | _ftype(rd) | (o1 << 21) | (m << 16) | (o0 << 15)
                | (a << 10) | (n << 5) | d)
    enc.__name__ = f"encode_{mnemonic}"
    enc.__doc__ = f"{mnemonic.upper()} <d>, <n>, <m>, <a> (FP data-processing 3 source)."
    return enc


encode_fmadd = _dp3("fmadd", 0, 0)
encode_fmsub = _dp3("fmsub", 0, 1)
encode_fnmadd = _dp3("fnmadd", 1, 0)
encode_fnmsub = _dp3("fnmsub", 1, 1)


# ------------------------------------------------------------ compare / select

def _is_zero_literal(v) -> bool:
    return (not isinstance(v, bool) and isinstance(v, (int, float))
            and v == 0 and not (isinstance(v, float) and math.copysign(1.0, v) < 0))


def _fcmp(mnemonic: str, e: int, rn: FpReg, rm) -> int:
    n = _fp(mnemonic, "rn", rn)
    if isinstance(rm, FpReg):
        m = _fp(mnemonic, "rm", rm, rn.size)
        opc = e << 4
    elif _is_zero_literal(rm):
        m, opc = 0, (e << 4) | 0b01000
    else:
        raise EncodingError(mnemonic, "rm", rm, "an FP register of the same size or 0.0")
    return 0x1E202000 | _ftype(rn) | (m << 16) | (n << 5) | opc


def encode_fcmp(rn: FpReg, rm) -> int:
    """FCMP <Sn|Dn>, <Sm|Dm> | #0.0 (C7.2.66)."""
    return _fcmp("fcmp", 0, rn, rm)


def encode_fcmpe(rn: FpReg, rm) -> int:
    """FCMPE <Sn|Dn>, <Sm|Dm> | #0.0 (C7.2.67): signals on quiet NaNs too."""
    return _fcmp("fcmpe", 1, rn, rm)


def encode_fcsel(rd: FpReg, rn: FpReg, rm: FpReg, cond) -> int:
    """FCSEL <d>, <n>, <m>, <cond> (C7.2.68): ftype 1 Rm cond 11 Rn Rd."""
    d = _fp("fcsel", "rd", rd)
    n = _fp("fcsel", "rn", rn, rd.size)
    m = _fp("fcsel", "rm", rm, rd.size)
    if isinstance(cond, bool) or not isinstance(cond, int) or not 0 <= int(cond) <= 15:
        raise EncodingError("fcsel", "cond", cond, "a Cond (eq..nv)")
    return 0x1E200C00 | _ftype(rd) | (m << 16) | (int(cond) << 12) | (n << 5) | d


# ------------------------------------------------------------ immediate

def _vfp_expand_imm64(imm8: int) -> float:
    """VFPExpandImm (Arm ARM J1.3.3) for N = 64."""
    a, b = imm8 >> 7, (imm8 >> 6) & 1
    cd, efgh = (imm8 >> 4) & 3, imm8 & 15
    exp = ((b ^ 1) << 10) | ((0xFF if b else 0) << 2) | cd
    bits = (a << 63) | (exp << 52) | (efgh << 48)
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


#: Every value FMOV (immediate) can hold, mapped to its imm8:
#: +-(16..31)/16 * 2**(-3..4).  Exact in both single and double precision.
FMOV_IMM_VALUES = {_vfp_expand_imm64(i): i for i in range(256)}


def fmov_imm8(value) -> int:
    """The imm8 whose VFPExpandImm is exactly ``value``; EncodingError otherwise."""
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or (isinstance(value, float) and not math.isfinite(value))):
        raise EncodingError("fmov", "imm", value, "+-n/16 * 2**e, n in 16..31, e in -3..4")
    if isinstance(value, int) and abs(value) > 32:
        raise EncodingError("fmov", "imm", value, "+-n/16 * 2**e, n in 16..31, e in -3..4")
    f = float(value)
    if f == value and f in FMOV_IMM_VALUES:
        return FMOV_IMM_VALUES[f]
    raise EncodingError("fmov", "imm", value,
                        "+-n/16 * 2**e, n in 16..31, e in -3..4 (0.0: use fmov from xzr/wzr)")


def encode_fmov_imm(rd: FpReg, value) -> int:
    """FMOV <Sd|Dd>, #<imm> (C7.2.132): ftype 1 imm8 100 00000 Rd."""
    d = _fp("fmov", "rd", rd)
    return 0x1E201000 | _ftype(rd) | (fmov_imm8(value) << 13) | d


# ------------------------------------------------------------ FP <-> integer

def _conv(sf: int, ftype: int, rmode: int, opcode: int, n: int, d: int) -> int:
    return (0x1E200000 | (sf << 31) | (ftype << 22) | (rmode << 19) | (opcode << 16)
            | (n << 5) | d)


def encode_fmov(rd, rn) -> int:
    """FMOV between registers (C7.2.130, C7.2.131).

    FP <- FP of the same size; S <- W, D <- X, W <- S, X <- D (the general
    register may be the zero register, never SP).
    """
    if isinstance(rd, FpReg) and isinstance(rn, FpReg):
        return _fmov_reg(rd, rn)
    if isinstance(rd, FpReg):
        d = _fp("fmov", "rd", rd)
        n = gp_field("fmov", "rn", rn, size=rd.size)
        return _conv(rn.sf, _FTYPE[rd.size], 0, 0b111, n, d)
    if isinstance(rn, FpReg):
        n = _fp("fmov", "rn", rn)
        d = gp_field("fmov", "rd", rd, size=rn.size)
        return _conv(rd.sf, _FTYPE[rn.size], 0, 0b110, n, d)
    raise EncodingError("fmov", "rd", rd, "an FP register, or a GP register with an FP source")


def _to_fp(mnemonic: str, opcode: int):
    def enc(rd: FpReg, rn: GpReg) -> int:
        d = _fp(mnemonic, "rd", rd)
        n = gp_field(mnemonic, "rn", rn)
        return _conv(rn.sf, _FTYPE[rd.size], 0b00, opcode, n, d)
    enc.__name__ = f"encode_{mnemonic}"
    enc.__doc__ = f"{mnemonic.upper()} <Sd|Dd>, <Wn|Xn> (integer to FP, round per FPCR)."
    return enc


encode_scvtf = _to_fp("scvtf", 0b010)
encode_ucvtf = _to_fp("ucvtf", 0b011)


def _to_int(mnemonic: str, rmode: int, opcode: int):
    def enc(rd: GpReg, rn: FpReg) -> int:
        n = _fp(mnemonic, "rn", rn)
        d = gp_field(mnemonic, "rd", rd)
        return _conv(rd.sf, _FTYPE[rn.size], rmode, opcode, n, d)
    enc.__name__ = f"encode_{mnemonic}"
    enc.__doc__ = f"{mnemonic.upper()} <Wd|Xd>, <Sn|Dn> (FP to integer, rmode {rmode:02b})."
    return enc


encode_fcvtns = _to_int("fcvtns", 0b00, 0b000)
encode_fcvtnu = _to_int("fcvtnu", 0b00, 0b001)
encode_fcvtas = _to_int("fcvtas", 0b00, 0b100)
encode_fcvtau = _to_int("fcvtau", 0b00, 0b101)
encode_fcvtps = _to_int("fcvtps", 0b01, 0b000)
encode_fcvtpu = _to_int("fcvtpu", 0b01, 0b001)
encode_fcvtms = _to_int("fcvtms", 0b10, 0b000)
encode_fcvtmu = _to_int("fcvtmu", 0b10, 0b001)
encode_fcvtzs = _to_int("fcvtzs", 0b11, 0b000)
encode_fcvtzu = _to_int("fcvtzu", 0b11, 0b001)
