"""Which immediates and offsets an A64 instruction can hold: the one place
that says "encodable".

A leaf module: it imports no encoder (the encoders and the legalisation
plans of :mod:`armjit.emit.legalize` import it), in the manner of Cranelift's
``isa/aarch64/inst/imms.rs`` and YJIT's ``asm/arm64/arg/bitmask_imm.rs``.

* logical (bitmask) immediates: :func:`encode_bitmask` / :func:`decode_bitmask`,
  Arm ARM DDI 0487 J1.1 pseudocode ``DecodeBitMasks`` and C4.1 class
  "Logical (immediate)" (C6.2 AND (immediate));
* ADD/SUB immediates: :func:`is_add_sub_imm` (C6.2 ADD (immediate): imm12,
  optionally LSL #12);
* load/store offsets: :func:`ldst_imm_form` (C6.2 LDR (immediate) unsigned
  offset scaled imm12, LDUR signed imm9) and :func:`pair_offset_ok` (C6.2 LDP,
  signed imm7 scaled);
* constants: :func:`mov_imm_form` (which MOVZ/MOVN + MOVK sequence or single
  ORR materialises a value, C6.2 MOV (wide immediate) / MOV (inverted wide
  immediate) / MOV (bitmask immediate)) and :func:`mov_imm_cost`.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from .errors import EncodingError

__all__ = [
    "encode_bitmask", "decode_bitmask", "is_add_sub_imm", "split_add_sub_imm",
    "ldst_imm_form", "pair_offset_ok", "mov_imm_form", "mov_imm_cost", "reduce_imm",
    "imm_range",
]


# ---------------------------------------------------------------- bitmask immediates


def _ror(x: int, r: int, e: int) -> int:
    r %= e
    m = (1 << e) - 1
    return ((x >> r) | (x << (e - r))) & m


def reduce_imm(value: int, size: int) -> Optional[int]:
    """``value`` as an unsigned ``size``-bit pattern (signed and unsigned inputs
    allowed), or None when it is not an int of that width."""
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
    v = reduce_imm(value, size)
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


def imm_range(size: int) -> str:
    """The legal range of a ``size``-bit value, for error messages."""
    return f"{-(1 << (size - 1))}..{(1 << size) - 1} (a {size}-bit value, signed or unsigned)"


def mov_imm_form(value: int, size: int = 64) -> Tuple[str, int, List[Tuple[int, int]]]:
    """How the shortest sequence sets a ``size``-bit register to ``value``.

    Returns ``(kind, v, halfwords)`` with ``v`` the value as an unsigned
    ``size``-bit pattern and ``kind`` one of

    * ``"orr"``: one ORR rd, ZR, #v (a bitmask immediate), chosen only when
      MOVZ and MOVN would both need more than one instruction;
    * ``"movz"``: MOVZ of the first (index, halfword) pair of ``halfwords``
      then MOVK of each other one (the non-zero halfwords; ``[(0, 0)]`` for 0);
    * ``"movn"``: MOVN of the first pair's halfword inverted, then MOVK of the
      others (the halfwords other than 0xffff; ``[(0, 0xffff)]`` for all ones).

    MOVZ wins ties with MOVN.  Raises EncodingError for a value that is not
    an int of the register width.
    """
    v = reduce_imm(value, size)
    if v is None:
        raise EncodingError("mov", "imm", value, imm_range(size))
    hw = [(v >> s) & 0xFFFF for s in range(0, size, 16)]
    nz = [(i, h) for i, h in enumerate(hw) if h != 0]
    nf = [(i, h) for i, h in enumerate(hw) if h != 0xFFFF]
    movz_cost = max(1, len(nz))
    movn_cost = max(1, len(nf))
    if min(movz_cost, movn_cost) > 1 and encode_bitmask(v, size) is not None:
        return "orr", v, []
    if movz_cost <= movn_cost:
        return "movz", v, nz or [(0, 0)]
    return "movn", v, nf or [(0, 0xFFFF)]


def mov_imm_cost(value: int, size: int = 64) -> int:
    """Number of instructions :func:`armjit.emit.legalize.plan_mov_imm` uses
    for ``value``."""
    kind, _, hw = mov_imm_form(value, size)
    return 1 if kind == "orr" else len(hw)
