"""A64 branches and PC-relative encoders, plus field patchers for label fixups.

Arm ARM (DDI 0487) encoding-index classes:

* C4.1.65.6 / "Unconditional branch (immediate)": B, BL (imm26, +-128 MiB)
* "Conditional branch (immediate)": B.cond (imm19, +-1 MiB)
* "Compare and branch (immediate)": CBZ, CBNZ (imm19)
* "Test and branch (immediate)": TBZ, TBNZ (b5:b40, imm14, +-32 KiB)
* "Unconditional branch (register)": BR, BLR, RET
* "PC-rel. addressing": ADR (imm21 bytes, +-1 MiB), ADRP (imm21 pages, +-4 GiB)
* "Load register (literal)": LDR (literal) W/X/S/D/Q, LDRSW (literal) (imm19).
  LDR (literal) lives here, not in loadstore.py, because it is PC-relative and
  is resolved by the same imm19 fixup as B.cond/CBZ (:func:`patch_imm19`).

Instruction sections: C6.2.26 B, C6.2.25 B.cond, C6.2.33 BL, C6.2.34 BLR,
C6.2.37 BR, C6.2.47 CBNZ, C6.2.48 CBZ, C6.2.10 ADR, C6.2.11 ADRP,
C6.2.219 RET, C6.2.364 TBNZ, C6.2.365 TBZ, C6.2.167 LDR (literal),
C6.2.178 LDRSW (literal), C7.2.192 LDR (literal, SIMD&FP).

All offsets are BYTE offsets relative to the address of the instruction
itself (ADRP: the byte difference between the 4 KiB pages of the target and
of the instruction, so a multiple of 4096).  Every encoder checks range and
alignment and raises :class:`EncodingError` instead of emitting a wrong word.
"""

from __future__ import annotations

from .errors import EncodingError
from .operands import FpReg, GpReg, X, check_range, fp_field, gp_field

__all__ = [
    "B_RANGE", "IMM19_RANGE", "IMM14_RANGE", "ADR_RANGE", "ADRP_RANGE",
    "encode_b", "encode_bl", "encode_b_cond", "encode_cbz", "encode_cbnz",
    "encode_tbz", "encode_tbnz", "encode_br", "encode_blr", "encode_ret",
    "encode_adr", "encode_adrp", "encode_ldr_literal", "encode_ldrsw_literal",
    "patch_imm26", "patch_imm19", "patch_imm14", "patch_adr", "patch_branch",
    "branch_kind", "branch_offset",
]

# Inclusive byte-offset ranges (lo, hi) of each PC-relative field.
B_RANGE = (-(1 << 27), (1 << 27) - 4)          # imm26 * 4: +-128 MiB
IMM19_RANGE = (-(1 << 20), (1 << 20) - 4)      # imm19 * 4: +-1 MiB
IMM14_RANGE = (-(1 << 15), (1 << 15) - 4)      # imm14 * 4: +-32 KiB
ADR_RANGE = (-(1 << 20), (1 << 20) - 1)        # imm21 bytes: +-1 MiB
ADRP_RANGE = (-(1 << 32), (1 << 32) - 4096)    # imm21 pages: +-4 GiB

_X30 = X[30]


def _field(value: int, bits: int) -> int:
    """Two's-complement ``value`` truncated to ``bits`` (caller checked range)."""
    return value & ((1 << bits) - 1)


def _imm26(mnemonic: str, offset: int) -> int:
    check_range(mnemonic, "offset", offset, *B_RANGE, multiple=4)
    return _field(offset >> 2, 26)


def _imm19(mnemonic: str, offset: int) -> int:
    check_range(mnemonic, "offset", offset, *IMM19_RANGE, multiple=4)
    return _field(offset >> 2, 19) << 5


def _imm14(mnemonic: str, offset: int) -> int:
    check_range(mnemonic, "offset", offset, *IMM14_RANGE, multiple=4)
    return _field(offset >> 2, 14) << 5


def _immlohi(value21: int) -> int:
    v = _field(value21, 21)
    return ((v & 3) << 29) | ((v >> 2) << 5)


def _cond(mnemonic: str, cond) -> int:
    if isinstance(cond, bool) or not isinstance(cond, int) or not 0 <= int(cond) <= 15:
        raise EncodingError(mnemonic, "cond", cond, "a Cond (eq..nv, 0..15)")
    return int(cond)


# ------------------------------------------------------------------ imm26

def encode_b(offset: int) -> int:
    """B <label> (C6.2.26): 000101 imm26."""
    return 0x14000000 | _imm26("b", offset)


def encode_bl(offset: int) -> int:
    """BL <label> (C6.2.33): 100101 imm26."""
    return 0x94000000 | _imm26("bl", offset)


# ------------------------------------------------------------------ imm19

def encode_b_cond(cond, offset: int) -> int:
    """B.<cond> <label> (C6.2.25): 0101010 0 imm19 0 cond."""
    return 0x54000000 | _imm19("b.cond", offset) | _cond("b.cond", cond)


def _cb(mnemonic: str, op: int, rt, offset: int) -> int:
    t = gp_field(mnemonic, "rt", rt)
    return (rt.sf << 31) | 0x34000000 | (op << 24) | _imm19(mnemonic, offset) | t


def encode_cbz(rt: GpReg, offset: int) -> int:
    """CBZ <Wt|Xt>, <label> (C6.2.48): sf 011010 0 imm19 Rt."""
    return _cb("cbz", 0, rt, offset)


def encode_cbnz(rt: GpReg, offset: int) -> int:
    """CBNZ <Wt|Xt>, <label> (C6.2.47): sf 011010 1 imm19 Rt."""
    return _cb("cbnz", 1, rt, offset)


_LDR_LIT = {
    # (register kind, size) -> (opc, V)
    ("gp", 32): (0b00, 0), ("gp", 64): (0b01, 0),
    ("fp", 32): (0b00, 1), ("fp", 64): (0b01, 1), ("fp", 128): (0b10, 1),
}


def encode_ldr_literal(rt, offset: int) -> int:
    """LDR <Wt|Xt|St|Dt|Qt>, <label> (C6.2.167, C7.2.192): opc 011 V 00 imm19 Rt."""
    if isinstance(rt, FpReg):
        t = fp_field("ldr", "rt", rt, sizes=(32, 64, 128))
        opc, v = _LDR_LIT[("fp", rt.size)]
    else:
        t = gp_field("ldr", "rt", rt)
        opc, v = _LDR_LIT[("gp", rt.size)]
    return (opc << 30) | 0x18000000 | (v << 26) | _imm19("ldr", offset) | t


def encode_ldrsw_literal(rt: GpReg, offset: int) -> int:
    """LDRSW <Xt>, <label> (C6.2.178): 10 011 0 00 imm19 Rt."""
    t = gp_field("ldrsw", "rt", rt, size=64)
    return 0x98000000 | _imm19("ldrsw", offset) | t


# ------------------------------------------------------------------ imm14

def _tb(mnemonic: str, op: int, rt, bit: int, offset: int) -> int:
    t = gp_field(mnemonic, "rt", rt)
    hi = 31 if rt.size == 32 else 63
    check_range(mnemonic, "bit", bit, 0, hi)
    return (((bit >> 5) & 1) << 31) | 0x36000000 | (op << 24) | ((bit & 31) << 19) \
        | _imm14(mnemonic, offset) | t


def encode_tbz(rt: GpReg, bit: int, offset: int) -> int:
    """TBZ <R><t>, #<imm>, <label> (C6.2.365): b5 011011 0 b40 imm14 Rt.

    ``bit`` is 0..31 for a W register and 0..63 for an X register.
    """
    return _tb("tbz", 0, rt, bit, offset)


def encode_tbnz(rt: GpReg, bit: int, offset: int) -> int:
    """TBNZ <R><t>, #<imm>, <label> (C6.2.364): b5 011011 1 b40 imm14 Rt."""
    return _tb("tbnz", 1, rt, bit, offset)


# ------------------------------------------------------------------ register

def _br(mnemonic: str, base: int, rn) -> int:
    # Register 31 would be XZR here; branching to address 0 is never intended,
    # so it is refused.  The target must be an X register.
    n = gp_field(mnemonic, "rn", rn, zr=False, size=64)
    return base | (n << 5)


def encode_br(rn: GpReg) -> int:
    """BR <Xn> (C6.2.37): 1101011 0000 11111 000000 Rn 00000."""
    return _br("br", 0xD61F0000, rn)


def encode_blr(rn: GpReg) -> int:
    """BLR <Xn> (C6.2.34): 1101011 0001 11111 000000 Rn 00000."""
    return _br("blr", 0xD63F0000, rn)


def encode_ret(rn: GpReg = _X30) -> int:
    """RET {<Xn>} (C6.2.219): 1101011 0010 11111 000000 Rn 00000; Xn defaults to X30."""
    return _br("ret", 0xD65F0000, rn)


# ------------------------------------------------------------------ ADR/ADRP

def encode_adr(rd: GpReg, offset: int) -> int:
    """ADR <Xd>, <label> (C6.2.10): 0 immlo 10000 immhi Rd; offset in bytes, +-1 MiB."""
    d = gp_field("adr", "rd", rd, size=64)
    check_range("adr", "offset", offset, *ADR_RANGE)
    return 0x10000000 | _immlohi(offset) | d


def encode_adrp(rd: GpReg, page_offset: int) -> int:
    """ADRP <Xd>, <label> (C6.2.11): 1 immlo 10000 immhi Rd.

    ``page_offset`` is ``(target & ~0xfff) - (pc & ~0xfff)``: a multiple of
    4096 within +-4 GiB.
    """
    d = gp_field("adrp", "rd", rd, size=64)
    check_range("adrp", "page_offset", page_offset, *ADRP_RANGE, multiple=4096)
    return 0x90000000 | _immlohi(page_offset >> 12) | d


# ------------------------------------------------------------------ fixups

def _is_imm26(word: int) -> bool:
    return (word & 0x7C000000) == 0x14000000          # B, BL


def _is_imm19(word: int) -> bool:
    return ((word & 0xFF000010) == 0x54000000          # B.cond
            or (word & 0x7E000000) == 0x34000000       # CBZ, CBNZ
            or (word & 0x3B000000) == 0x18000000)      # LDR (literal), LDRSW, PRFM


def _is_imm14(word: int) -> bool:
    return (word & 0x7E000000) == 0x36000000           # TBZ, TBNZ


def _is_adr(word: int) -> bool:
    return (word & 0x1F000000) == 0x10000000           # ADR, ADRP


def _check_word(word: int, ok: bool, what: str, fn: str) -> None:
    if not isinstance(word, int) or not 0 <= word < (1 << 32) or not ok:
        raise EncodingError(fn, "word", word if not isinstance(word, int) else hex(word),
                            f"a 32-bit {what} instruction word")


def patch_imm26(word: int, byte_offset: int) -> int:
    """Return B/BL ``word`` with its imm26 replaced by ``byte_offset`` (range-checked)."""
    _check_word(word, isinstance(word, int) and _is_imm26(word), "B/BL", "patch_imm26")
    mn = "bl" if word >> 31 else "b"
    return (word & ~0x03FFFFFF) | _imm26(mn, byte_offset)


def patch_imm19(word: int, byte_offset: int) -> int:
    """Return B.cond/CBZ/CBNZ/LDR-literal ``word`` with imm19 (bits 23:5) replaced."""
    _check_word(word, isinstance(word, int) and _is_imm19(word),
                "B.cond/CBZ/CBNZ/LDR (literal)", "patch_imm19")
    return (word & ~(0x7FFFF << 5)) | _imm19(_kind_name(word), byte_offset)


def patch_imm14(word: int, byte_offset: int) -> int:
    """Return TBZ/TBNZ ``word`` with imm14 (bits 18:5) replaced."""
    _check_word(word, isinstance(word, int) and _is_imm14(word), "TBZ/TBNZ", "patch_imm14")
    return (word & ~(0x3FFF << 5)) | _imm14(_kind_name(word), byte_offset)


def patch_adr(word: int, byte_offset: int) -> int:
    """Return ADR/ADRP ``word`` with its immediate replaced.

    For ADR ``byte_offset`` is the byte offset (+-1 MiB); for ADRP it is the
    page difference in bytes (a multiple of 4096, +-4 GiB), as for
    :func:`encode_adrp`.
    """
    _check_word(word, isinstance(word, int) and _is_adr(word), "ADR/ADRP", "patch_adr")
    cleared = word & ~((3 << 29) | (0x7FFFF << 5))
    if word >> 31:
        check_range("adrp", "page_offset", byte_offset, *ADRP_RANGE, multiple=4096)
        return cleared | _immlohi(byte_offset >> 12)
    check_range("adr", "offset", byte_offset, *ADR_RANGE)
    return cleared | _immlohi(byte_offset)


def _kind_name(word: int) -> str:
    if _is_imm26(word):
        return "bl" if word >> 31 else "b"
    if (word & 0xFF000010) == 0x54000000:
        return "b.cond"
    if (word & 0x7E000000) == 0x34000000:
        return "cbnz" if (word >> 24) & 1 else "cbz"
    if (word & 0x3B000000) == 0x18000000:
        return "ldr"
    if _is_imm14(word):
        return "tbnz" if (word >> 24) & 1 else "tbz"
    if _is_adr(word):
        return "adrp" if word >> 31 else "adr"
    return "?"


def branch_kind(word: int):
    """Which PC-relative field ``word`` has: "imm26", "imm19", "imm14", "adr",
    "adrp" or None."""
    if not isinstance(word, int) or not 0 <= word < (1 << 32):
        return None
    if _is_imm26(word):
        return "imm26"
    if _is_imm19(word):
        return "imm19"
    if _is_imm14(word):
        return "imm14"
    if _is_adr(word):
        return "adrp" if word >> 31 else "adr"
    return None


def patch_branch(word: int, byte_offset: int) -> int:
    """Patch whichever PC-relative field ``word`` has (see :func:`branch_kind`)."""
    kind = branch_kind(word)
    if kind == "imm26":
        return patch_imm26(word, byte_offset)
    if kind == "imm19":
        return patch_imm19(word, byte_offset)
    if kind == "imm14":
        return patch_imm14(word, byte_offset)
    if kind in ("adr", "adrp"):
        return patch_adr(word, byte_offset)
    _check_word(word, False, "PC-relative (B/BL/B.cond/CBZ/TBZ/LDR literal/ADR/ADRP)",
                "patch_branch")
    raise AssertionError("unreachable")


def _sext(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def branch_offset(word: int) -> int:
    """Decode the byte offset held by a PC-relative ``word`` (inverse of patching)."""
    kind = branch_kind(word)
    if kind == "imm26":
        return _sext(word, 26) * 4
    if kind == "imm19":
        return _sext(word >> 5, 19) * 4
    if kind == "imm14":
        return _sext(word >> 5, 14) * 4
    if kind in ("adr", "adrp"):
        v = _sext((((word >> 5) & 0x7FFFF) << 2) | ((word >> 29) & 3), 21)
        return v * 4096 if kind == "adrp" else v
    _check_word(word, False, "PC-relative", "branch_offset")
    raise AssertionError("unreachable")
