"""A64 add/subtract encoders (Arm ARM DDI 0487, C4.1 encoding index).

Section references are to the Arm ARM (DDI 0487): C4.1 is the A64 encoding index
(classes named in quotes), C6.2 the alphabetical instruction pages (named by
instruction); numbered subsections differ between issues, so names are given.

Families and the classes they belong to:

* C4.1 "Add/subtract (immediate)":    ADD/ADDS/SUB/SUBS (immediate), C6.2 ADD (immediate)
* C4.1 "Add/subtract (shifted register)":  C6.2 ADD (shifted register) and SUB/ADDS/SUBS
* C4.1 "Add/subtract (extended register)": C6.2 ADD (extended register) and SUB/ADDS/SUBS
* C4.1 "Add/subtract (with carry)":   C6.2 ADC, ADCS, SBC, SBCS (aliases NGC, NGCS)

Aliases (C6.2): CMP/CMN (= SUBS/ADDS with Rd = ZR), NEG/NEGS (= SUB/SUBS with Rn = ZR),
MOV (to/from SP) (= ADD (immediate) #0).

Register-31 rules (C1.2.5 and each instruction's operand table):

* immediate form:      Rd is SP for ADD/SUB and ZR for ADDS/SUBS; Rn is always SP.
* shifted form:        Rd, Rn, Rm are all ZR (SP is not encodable).
* extended form:       Rd is SP for ADD/SUB and ZR for ADDS/SUBS; Rn is SP; Rm is ZR.
* with carry:          all ZR.
"""

from __future__ import annotations

from .errors import EncodingError, refused
from .operands import _GP_INTERN
from .operands import WZR, XZR, Extend, GpReg, Shift, check_range, gp_field, same_size

__all__ = [
    "encode_add_imm", "encode_adds_imm", "encode_sub_imm", "encode_subs_imm",
    "encode_add_shifted", "encode_adds_shifted", "encode_sub_shifted", "encode_subs_shifted",
    "encode_add_ext", "encode_adds_ext", "encode_sub_ext", "encode_subs_ext",
    "encode_cmp_imm", "encode_cmn_imm", "encode_cmp_shifted", "encode_cmn_shifted",
    "encode_cmp_ext", "encode_cmn_ext", "encode_neg", "encode_negs", "encode_mov_sp",
    "encode_adc", "encode_adcs", "encode_sbc", "encode_sbcs", "encode_ngc", "encode_ngcs",
]


# Every hot encoder below is one fast check -- identity and integer comparisons
# on the interned registers' precomputed field values (``_f_zr``/``_f_sp`` < 32
# iff legal, see operands.GpReg) that accepts exactly the legal operands and
# computes the word -- followed by an explaining path that only raises: the
# EncodingError naming the first operand out of range and its legal range.
_SHIFT_NO_ROR = {Shift.LSL: 0, Shift.LSR: 1 << 22, Shift.ASR: 2 << 22}


def _check_shift(mnemonic: str, shift, amount: int, size: int, allow_ror: bool) -> None:
    """Raise if ``shift #amount`` is not a shift of a ``size``-bit register
    (the explaining paths of the shifted-register forms)."""
    if not isinstance(shift, Shift):
        raise EncodingError(mnemonic, "shift", shift, "a Shift (LSL, LSR, ASR"
                            + (", ROR)" if allow_ror else ")"))
    if shift is Shift.ROR and not allow_ror:
        raise EncodingError(mnemonic, "shift", shift.name.lower(), "lsl, lsr or asr (not ror)")
    check_range(mnemonic, "amount", amount, 0, size - 1)


# ---------------------------------------------------------------- immediate
# C4.1 Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd


def _explain_addsub_imm(mnemonic: str, s: int, rd, rn, imm12, shift12) -> EncodingError:
    """Raise why ADD/SUB (immediate) cannot hold these operands."""
    gp_field(mnemonic, "rd", rd, sp=not s)
    gp_field(mnemonic, "rn", rn, sp=True)
    same_size(mnemonic, "rd", rd, "rn", rn)
    check_range(mnemonic, "imm12", imm12, 0, 4095)
    if not isinstance(shift12, bool):
        raise EncodingError(mnemonic, "shift12", shift12, "True (lsl #12) or False")
    raise refused(mnemonic, (rd, rn, imm12, shift12))


def _legal_pairs(s: int, fixed: int) -> dict:
    """{rd: {rn: the word without imm12/sh}} for every legal register pair of
    ADD/SUB (immediate) (``s``: the flag-setting forms, whose Rd is ZR, not SP),
    built at import from the interned registers' fields."""
    regs = list(_GP_INTERN.values())
    return {rd: {rn: fixed | rd._sfb | rn._n5 | rd.num
                 for rn in regs if rn.size == rd.size and rn._f_sp < 32}
            for rd in regs if (rd._f_zr if s else rd._f_sp) < 32}


def _imm_encoder(mnemonic: str, op: int, s: int, doc: str):
    """ADD/ADDS/SUB/SUBS (immediate): the one check is a lookup of the
    register pair among the legal ones and a range test of imm12."""
    pairs = _legal_pairs(s, op << 30 | s << 29 | 0x11000000)

    def enc(rd: GpReg, rn: GpReg, imm12: int, shift12: bool = False) -> int:
        try:
            w = pairs[rd][rn]
        except (KeyError, TypeError):          # (TypeError: an unhashable junk operand)
            pass
        else:
            if imm12.__class__ is int and 0 <= imm12 <= 4095 and (
                    shift12 is False or shift12 is True):
                return w | shift12 << 22 | imm12 << 10
        raise _explain_addsub_imm(mnemonic, s, rd, rn, imm12, shift12)
    enc.__name__ = enc.__qualname__ = f"encode_{mnemonic}_imm"
    enc.__doc__ = doc
    return enc


encode_add_imm = _imm_encoder("add", 0, 0, "ADD <Xd|SP>, <Xn|SP>, #imm12{, LSL #12} (C6.2).")
encode_adds_imm = _imm_encoder("adds", 0, 1, "ADDS <Xd>, <Xn|SP>, #imm12{, LSL #12} (C6.2).")
encode_sub_imm = _imm_encoder("sub", 1, 0, "SUB <Xd|SP>, <Xn|SP>, #imm12{, LSL #12} (C6.2).")
encode_subs_imm = _imm_encoder("subs", 1, 1, "SUBS <Xd>, <Xn|SP>, #imm12{, LSL #12} (C6.2).")
# CMP/CMN with Rd given (the zero register of Rn's width), for the Assembler
_cmp_imm = _imm_encoder("cmp", 1, 1, "")
_cmn_imm = _imm_encoder("cmn", 0, 1, "")


def _zr_like(reg) -> GpReg:
    """XZR or WZR, the width of ``reg`` (XZR for a non-GP operand)."""
    return WZR if reg.__class__ is GpReg and reg.size == 32 else XZR


def encode_cmp_imm(rn: GpReg, imm12: int, shift12: bool = False) -> int:
    """CMP <Xn|SP>, #imm (alias of SUBS XZR, Xn, #imm; C6.2)."""
    return _cmp_imm(_zr_like(rn), rn, imm12, shift12)


def encode_cmn_imm(rn: GpReg, imm12: int, shift12: bool = False) -> int:
    """CMN <Xn|SP>, #imm (alias of ADDS XZR, Xn, #imm; C6.2)."""
    return _cmn_imm(_zr_like(rn), rn, imm12, shift12)


def encode_mov_sp(rd: GpReg, rn: GpReg) -> int:
    """MOV (to/from SP): ADD <Xd|SP>, <Xn|SP>, #0 (C6.2).

    At least one operand must be SP/WSP; for two ordinary registers use
    MOV (register), the ORR alias in logical.py.
    """
    if (rd.__class__ is GpReg and rn.__class__ is GpReg and (rd.is_sp or rn.is_sp)
            and rd._f_sp < 32 and rn._f_sp < 32 and rd.size == rn.size):
        return 0x11000000 | rd._sfb | rn._n5 | rd.num        # fast path: ADD rd, rn, #0
    if not (isinstance(rd, GpReg) and rd.is_sp) and not (isinstance(rn, GpReg) and rn.is_sp):
        raise EncodingError("mov", "rd/rn", (rd, rn),
                            "SP or WSP as one operand (MOV to/from SP); use MOV (register) "
                            "for two ordinary registers")
    raise _explain_addsub_imm("mov", 0, rd, rn, 0, False)


# ---------------------------------------------------------------- shifted register
# C4.1 Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd


def _addsub_shifted(mnemonic: str, op: int, s: int, rd, rn, rm, shift, amount) -> int:
    if (rd.__class__ is GpReg and rn.__class__ is GpReg and rm.__class__ is GpReg
            and shift.__class__ is Shift and amount.__class__ is int
            and rd.size == rn.size == rm.size and 0 <= amount < rd.size
            and rd._f_zr < 32 and rn._f_zr < 32 and rm._f_zr < 32 and shift is not Shift.ROR):
        return (rd._sfb | op << 30 | s << 29 | 0x0B000000 | _SHIFT_NO_ROR[shift]
                | rm._m16 | amount << 10 | rn._n5 | rd.num)
    raise _explain_addsub_shifted(mnemonic, rd, rn, rm, shift, amount)


def _explain_addsub_shifted(mnemonic: str, rd, rn, rm, shift, amount) -> EncodingError:
    """Raise why ADD/SUB (shifted register) cannot hold these operands."""
    gp_field(mnemonic, "rd", rd)
    gp_field(mnemonic, "rn", rn)
    gp_field(mnemonic, "rm", rm)
    same_size(mnemonic, "rd", rd, "rn", rn, "rm", rm)
    _check_shift(mnemonic, shift, amount, rd.size, allow_ror=False)
    raise refused(mnemonic, (rd, rn, rm, shift, amount))


def _shifted_encoder(mnemonic: str, op: int, s: int, doc: str):
    """ADD/ADDS/SUB/SUBS (shifted register)."""
    def enc(rd, rn, rm, shift=Shift.LSL, amount=0) -> int:
        return _addsub_shifted(mnemonic, op, s, rd, rn, rm, shift, amount)
    enc.__name__ = enc.__qualname__ = f"encode_{mnemonic}_shifted"
    enc.__doc__ = doc
    return enc


encode_add_shifted = _shifted_encoder(
    "add", 0, 0, "ADD <Xd>, <Xn>, <Xm>{, <shift> #amount} (C6.2); ROR is not encodable.")
encode_adds_shifted = _shifted_encoder("adds", 0, 1, "ADDS (shifted register) (C6.2).")
encode_sub_shifted = _shifted_encoder("sub", 1, 0, "SUB (shifted register) (C6.2).")
encode_subs_shifted = _shifted_encoder("subs", 1, 1, "SUBS (shifted register) (C6.2).")


def encode_cmp_shifted(rn, rm, shift=Shift.LSL, amount=0) -> int:
    """CMP (shifted register): SUBS ZR, Rn, Rm{, shift #amount} (C6.2)."""
    return _addsub_shifted("cmp", 1, 1, _zr_like(rn), rn, rm, shift, amount)


def encode_cmn_shifted(rn, rm, shift=Shift.LSL, amount=0) -> int:
    """CMN (shifted register): ADDS ZR, Rn, Rm{, shift #amount} (C6.2)."""
    return _addsub_shifted("cmn", 0, 1, _zr_like(rn), rn, rm, shift, amount)


def encode_neg(rd, rm, shift=Shift.LSL, amount=0) -> int:
    """NEG (shifted register): SUB Rd, ZR, Rm{, shift #amount} (C6.2)."""
    return _addsub_shifted("neg", 1, 0, rd, _zr_like(rd), rm, shift, amount)


def encode_negs(rd, rm, shift=Shift.LSL, amount=0) -> int:
    """NEGS: SUBS Rd, ZR, Rm{, shift #amount} (C6.2)."""
    return _addsub_shifted("negs", 1, 1, rd, _zr_like(rd), rm, shift, amount)


# ---------------------------------------------------------------- extended register
# C4.1 Add/subtract (extended register): sf op S 01011 00 1 Rm option imm3 Rn Rd


def _addsub_ext(mnemonic: str, op: int, s: int, rd, rn, rm, extend, amount) -> int:
    d = gp_field(mnemonic, "rd", rd, sp=not s)
    n = gp_field(mnemonic, "rn", rn, sp=True)
    same_size(mnemonic, "rd", rd, "rn", rn)
    sf = rd.sf
    if not isinstance(extend, Extend):
        raise EncodingError(mnemonic, "extend", extend, "an Extend (UXTB..SXTX)")
    # Rm is a W register except for UXTX/SXTX in the 64-bit form (<R> in C6.2).
    want = 64 if (sf and extend in (Extend.UXTX, Extend.SXTX)) else 32
    m = gp_field(mnemonic, "rm", rm, size=want)
    check_range(mnemonic, "amount", amount, 0, 4)
    return (sf << 31 | op << 30 | s << 29 | 0x0B200000 | m << 16 | int(extend) << 13
            | amount << 10 | n << 5 | d)


def encode_add_ext(rd, rn, rm, extend, amount=0) -> int:
    """ADD <Xd|SP>, <Xn|SP>, <R><m>{, <extend> {#amount}} (C6.2), amount 0..4."""
    return _addsub_ext("add", 0, 0, rd, rn, rm, extend, amount)


def encode_adds_ext(rd, rn, rm, extend, amount=0) -> int:
    """ADDS (extended register) (C6.2)."""
    return _addsub_ext("adds", 0, 1, rd, rn, rm, extend, amount)


def encode_sub_ext(rd, rn, rm, extend, amount=0) -> int:
    """SUB (extended register) (C6.2)."""
    return _addsub_ext("sub", 1, 0, rd, rn, rm, extend, amount)


def encode_subs_ext(rd, rn, rm, extend, amount=0) -> int:
    """SUBS (extended register) (C6.2)."""
    return _addsub_ext("subs", 1, 1, rd, rn, rm, extend, amount)


def encode_cmp_ext(rn, rm, extend, amount=0) -> int:
    """CMP (extended register): SUBS ZR, <Xn|SP>, <R><m>, <extend> #amount (C6.2)."""
    return _addsub_ext("cmp", 1, 1, _zr_like(rn), rn, rm, extend, amount)


def encode_cmn_ext(rn, rm, extend, amount=0) -> int:
    """CMN (extended register): ADDS ZR, <Xn|SP>, <R><m>, <extend> #amount (C6.2)."""
    return _addsub_ext("cmn", 0, 1, _zr_like(rn), rn, rm, extend, amount)


# ---------------------------------------------------------------- with carry
# C4.1 Add/subtract (with carry): sf op S 11010000 Rm 000000 Rn Rd


def _addsub_carry(mnemonic: str, op: int, s: int, rd, rn, rm) -> int:
    d = gp_field(mnemonic, "rd", rd)
    n = gp_field(mnemonic, "rn", rn)
    m = gp_field(mnemonic, "rm", rm)
    same_size(mnemonic, "rd", rd, "rn", rn, "rm", rm)
    return rd.sf << 31 | op << 30 | s << 29 | 0x1A000000 | m << 16 | n << 5 | d


def encode_adc(rd, rn, rm) -> int:
    """ADC Rd, Rn, Rm (C6.2)."""
    return _addsub_carry("adc", 0, 0, rd, rn, rm)


def encode_adcs(rd, rn, rm) -> int:
    """ADCS Rd, Rn, Rm (C6.2)."""
    return _addsub_carry("adcs", 0, 1, rd, rn, rm)


def encode_sbc(rd, rn, rm) -> int:
    """SBC Rd, Rn, Rm (C6.2)."""
    return _addsub_carry("sbc", 1, 0, rd, rn, rm)


def encode_sbcs(rd, rn, rm) -> int:
    """SBCS Rd, Rn, Rm (C6.2)."""
    return _addsub_carry("sbcs", 1, 1, rd, rn, rm)


def encode_ngc(rd, rm) -> int:
    """NGC Rd, Rm: SBC Rd, ZR, Rm (C6.2)."""
    return _addsub_carry("ngc", 1, 0, rd, _zr_like(rd), rm)


def encode_ngcs(rd, rm) -> int:
    """NGCS Rd, Rm: SBCS Rd, ZR, Rm (C6.2)."""
    return _addsub_carry("ngcs", 1, 1, rd, _zr_like(rd), rm)
