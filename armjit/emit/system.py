"""A64 system instructions: hints, barriers, exceptions, system-register moves.

Arm ARM (DDI 0487) encoding-index classes:

* "Hints" (C4.1.66): NOP, YIELD, WFE, WFI, SEV, SEVL, HINT #imm7
  (C6.2.202 NOP, C6.2.399 YIELD, C6.2.124 HINT)
* "Barriers": DMB (C6.2.82), DSB (C6.2.84), ISB (C6.2.128)
* "Exception generation": BRK (C6.2.40), HLT (C6.2.123), SVC (C6.2.361);
  UDF (C6.2.382) is in "Reserved" (op0 = 0000, op1 = 000000000)
* "System register move": MRS (C6.2.194), MSR (register) (C6.2.196)
* "System instructions": SYS (C6.2.368), as DC CVAU / IC IVAU (C6.2.79, C6.2.127)
"""

from __future__ import annotations

from .errors import EncodingError
from .operands import GpReg, check_range, gp_field

__all__ = [
    "BARRIER_OPTIONS", "SYSREGS",
    "encode_nop", "encode_hint", "encode_yield", "encode_wfe", "encode_wfi",
    "encode_sev", "encode_sevl", "encode_brk", "encode_hlt", "encode_svc", "encode_udf",
    "encode_dmb", "encode_dsb", "encode_isb", "encode_mrs", "encode_msr",
    "encode_sys", "encode_dc_cvau", "encode_ic_ivau",
]

_HINT = 0xD503201F


def encode_hint(imm: int) -> int:
    """HINT #<imm> (C6.2.124): 11010101000000110010 CRm:op2=imm7 11111."""
    check_range("hint", "imm", imm, 0, 127)
    return _HINT | (imm << 5)


def encode_nop() -> int:
    """NOP (C6.2.202) = HINT #0."""
    return _HINT


def encode_yield() -> int:
    """YIELD (C6.2.399) = HINT #1."""
    return encode_hint(1)


def encode_wfe() -> int:
    """WFE (C6.2.397) = HINT #2."""
    return encode_hint(2)


def encode_wfi() -> int:
    """WFI (C6.2.398) = HINT #3."""
    return encode_hint(3)


def encode_sev() -> int:
    """SEV (C6.2.245) = HINT #4."""
    return encode_hint(4)


def encode_sevl() -> int:
    """SEVL (C6.2.246) = HINT #5."""
    return encode_hint(5)


# ------------------------------------------------------------ exceptions

def encode_brk(imm: int = 0) -> int:
    """BRK #<imm16> (C6.2.40): 11010100 001 imm16 000 00."""
    check_range("brk", "imm", imm, 0, 0xFFFF)
    return 0xD4200000 | (imm << 5)


def encode_hlt(imm: int = 0) -> int:
    """HLT #<imm16> (C6.2.123): 11010100 010 imm16 000 00."""
    check_range("hlt", "imm", imm, 0, 0xFFFF)
    return 0xD4400000 | (imm << 5)


def encode_svc(imm: int = 0) -> int:
    """SVC #<imm16> (C6.2.361): 11010100 000 imm16 000 01."""
    check_range("svc", "imm", imm, 0, 0xFFFF)
    return 0xD4000001 | (imm << 5)


def encode_udf(imm: int = 0) -> int:
    """UDF #<imm16> (C6.2.382): 0000000000000000 imm16 (permanently undefined)."""
    check_range("udf", "imm", imm, 0, 0xFFFF)
    return imm


# ------------------------------------------------------------ barriers

#: CRm values of the DMB/DSB <option> names (C6.2.82 Table "option").
BARRIER_OPTIONS = {
    "oshld": 0b0001, "oshst": 0b0010, "osh": 0b0011,
    "nshld": 0b0101, "nshst": 0b0110, "nsh": 0b0111,
    "ishld": 0b1001, "ishst": 0b1010, "ish": 0b1011,
    "ld": 0b1101, "st": 0b1110, "sy": 0b1111,
}


def _barrier_option(mnemonic: str, option) -> int:
    if isinstance(option, str) and option.lower() in BARRIER_OPTIONS:
        return BARRIER_OPTIONS[option.lower()]
    raise EncodingError(mnemonic, "option", option, "one of " + ", ".join(BARRIER_OPTIONS))


def encode_dmb(option: str = "sy") -> int:
    """DMB <option> (C6.2.82): 11010101000000110011 CRm 1 01 11111."""
    return 0xD50330BF | (_barrier_option("dmb", option) << 8)


def encode_dsb(option: str = "sy") -> int:
    """DSB <option> (C6.2.84): 11010101000000110011 CRm 1 00 11111.

    Only the named options are accepted: CRm=0000/0100 would be SSBB/PSSBB
    and other values are reserved.
    """
    return 0xD503309F | (_barrier_option("dsb", option) << 8)


def encode_isb() -> int:
    """ISB (SY) (C6.2.128): 11010101000000110011 1111 1 10 11111."""
    return 0xD5033FDF


# ------------------------------------------------------------ system registers

#: (op0, op1, CRn, CRm, op2) of the system registers a JIT needs from EL0.
SYSREGS = {
    "nzcv": (3, 3, 4, 2, 0),
    "fpcr": (3, 3, 4, 4, 0),
    "fpsr": (3, 3, 4, 4, 1),
    "tpidr_el0": (3, 3, 13, 0, 2),
    "tpidrro_el0": (3, 3, 13, 0, 3),
    "ctr_el0": (3, 3, 0, 0, 1),
    "dczid_el0": (3, 3, 0, 0, 7),
    "cntvct_el0": (3, 3, 14, 0, 2),
    "cntfrq_el0": (3, 3, 14, 0, 0),
}
_READ_ONLY = {"ctr_el0", "dczid_el0", "cntvct_el0", "cntfrq_el0"}


def _sysreg(mnemonic: str, name) -> int:
    if not isinstance(name, str) or name.lower() not in SYSREGS:
        raise EncodingError(mnemonic, "sysreg", name, "one of " + ", ".join(SYSREGS))
    op0, op1, crn, crm, op2 = SYSREGS[name.lower()]
    return ((op0 - 2) << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5)


def encode_mrs(rt: GpReg, sysreg: str) -> int:
    """MRS <Xt>, <systemreg> (C6.2.194): 1101010100 1 1 o0 op1 CRn CRm op2 Rt."""
    t = gp_field("mrs", "rt", rt, size=64)
    return 0xD5300000 | _sysreg("mrs", sysreg) | t


def encode_msr(sysreg: str, rt: GpReg) -> int:
    """MSR <systemreg>, <Xt> (C6.2.196): 1101010100 0 1 o0 op1 CRn CRm op2 Rt."""
    if isinstance(sysreg, str) and sysreg.lower() in _READ_ONLY:
        raise EncodingError("msr", "sysreg", sysreg,
                            "a writable register: " + ", ".join(
                                r for r in SYSREGS if r not in _READ_ONLY))
    field = _sysreg("msr", sysreg)
    t = gp_field("msr", "rt", rt, size=64)
    return 0xD5100000 | field | t


def encode_sys(op1: int, crn: int, crm: int, op2: int, rt: GpReg) -> int:
    """SYS #<op1>, C<n>, C<m>, #<op2>, <Xt> (C6.2.368): 1101010100 0 01 op1 CRn CRm op2 Rt."""
    check_range("sys", "op1", op1, 0, 7)
    check_range("sys", "crn", crn, 0, 15)
    check_range("sys", "crm", crm, 0, 15)
    check_range("sys", "op2", op2, 0, 7)
    t = gp_field("sys", "rt", rt, size=64)
    return 0xD5080000 | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | t


def encode_dc_cvau(rt: GpReg) -> int:
    """DC CVAU, <Xt> (C5.3.x) = SYS #3, C7, C11, #1, <Xt>."""
    gp_field("dc cvau", "rt", rt, zr=False, size=64)
    return encode_sys(3, 7, 11, 1, rt)


def encode_ic_ivau(rt: GpReg) -> int:
    """IC IVAU, <Xt> = SYS #3, C7, C5, #1, <Xt>."""
    gp_field("ic ivau", "rt", rt, zr=False, size=64)
    return encode_sys(3, 7, 5, 1, rt)
