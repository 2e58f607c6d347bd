"""Tests for armjit.emit.immediates: bitmask encode/decode (exhaustive),
ADD/SUB immediates, load/store offset forms (the legalisation plans built on
them are tested in test_legalize.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from armjit.emit import immediates as imm
from armjit.emit.errors import EncodingError

from . import oracles
from .test_arith import mask

MASK64 = (1 << 64) - 1


def _all_patterns(size):
    """Every logical immediate of `size` bits, built from the definition (a rotated
    run of 1..e-1 ones in an e-bit element, replicated), independent of the code."""
    out = set()
    for e in (2, 4, 8, 16, 32, 64):
        if e > size:
            continue
        for ones in range(1, e):
            for r in range(e):
                elem = (1 << ones) - 1
                elem = ((elem >> r) | (elem << (e - r))) & ((1 << e) - 1)
                out.add(sum(elem << i for i in range(0, size, e)))
    return out


ALL_PATTERNS = {32: _all_patterns(32), 64: _all_patterns(64)}


# ---------------------------------------------------------------- bitmask: exhaustive

def test_pattern_counts():
    assert len(ALL_PATTERNS[64]) == 5334
    assert len(ALL_PATTERNS[32]) == 1302


@pytest.mark.parametrize("size", [32, 64])
def test_bitmask_exhaustive_roundtrip(size):
    """Decode every (N, immr, imms) with canonical immr; the values are exactly the
    patterns; re-encoding gives back the same fields; every pattern encodes."""
    decoded = {}
    for n in (0, 1) if size == 64 else (0,):
        for imms in range(64):
            for immr in range(64):
                try:
                    v = imm.decode_bitmask(n, immr, imms, size)
                except EncodingError:
                    continue
                esize = 1 << ((n << 6 | (~imms & 63)).bit_length() - 1)
                if immr >= esize:
                    # hardware ignores immr bits above the element: same value
                    assert v == imm.decode_bitmask(n, immr & (esize - 1), imms, size)
                    continue
                assert v not in decoded, (v, decoded.get(v), (n, immr, imms))
                decoded[v] = (n, immr, imms)
    assert set(decoded) == ALL_PATTERNS[size]
    for v, fields in decoded.items():
        assert imm.encode_bitmask(v, size) == fields


def test_bitmask_reserved_and_refused():
    with pytest.raises(EncodingError):
        imm.decode_bitmask(1, 0, 0, 32)          # N=1 with 32-bit
    with pytest.raises(EncodingError):
        imm.decode_bitmask(0, 0, 0b111111, 64)   # len < 1
    with pytest.raises(EncodingError):
        imm.decode_bitmask(0, 0, 0b111101, 64)   # S all ones in a 2-bit element
    with pytest.raises(EncodingError):
        imm.decode_bitmask(1, 0, 63, 64)         # all ones
    for size in (32, 64):
        assert imm.encode_bitmask(0, size) is None
        assert imm.encode_bitmask(mask(size), size) is None
        assert imm.encode_bitmask(-1, size) is None
        assert imm.encode_bitmask(1 << size, size) is None
    assert imm.encode_bitmask(-2, 64) == imm.encode_bitmask(MASK64 - 1, 64)
    assert imm.encode_bitmask(0x1234, 64) is None


@given(st.sampled_from([32, 64]), st.integers(0, MASK64))
def test_bitmask_random_values(size, v):
    v &= mask(size)
    enc = imm.encode_bitmask(v, size)
    assert (enc is not None) == (v in ALL_PATTERNS[size])
    if enc is not None:
        assert imm.decode_bitmask(*enc, size) == v


def test_bitmask_known_fields():
    # from the LLVM MC corpus: orr w3, w9, #0xffff0000 = 0x32103d23 (N=0 immr=16 imms=15)
    assert imm.encode_bitmask(0xFFFF0000, 32) == (0, 16, 15)
    # and x9, x10, #0x7fffffffffff = 0x9240b949 (N=1 immr=0 imms=46)
    assert imm.encode_bitmask(0x7FFFFFFFFFFF, 64) == (1, 0, 46)
    # eor x3, x6, #0xe0e0e0e0e0e0e0e0 = 0xd203c8c3 (N=0 immr=3 imms=0b110010)
    assert imm.encode_bitmask(0xE0E0E0E0E0E0E0E0, 64) == (0, 3, 0b110010)


# ---------------------------------------------------------------- add/sub immediates

def test_is_add_sub_imm():
    yes = [0, 1, 4095, 4096, 8192, 0xFFF000, 0x123000]
    no = [-1, 4097, 0xFFF001, 0x1000000, 0xFFFFFF, -4096, 1 << 63, True]
    assert all(imm.is_add_sub_imm(v) for v in yes)
    assert not any(imm.is_add_sub_imm(v) for v in no)


@given(st.integers(-(1 << 64), 1 << 64))
def test_is_add_sub_imm_definition(v):
    expect = any(0 <= v == i << s for s in (0, 12) for i in [v >> s] if i <= 4095)
    assert imm.is_add_sub_imm(v) == expect


# ---------------------------------------------------------------- load/store offsets

def test_ldst_imm_form_table():
    cases = [
        (0, 8, "scaled"), (8, 8, "scaled"), (32760, 8, "scaled"), (32768, 8, None),
        (4, 8, "unscaled"), (255, 8, "unscaled"), (256, 8, "scaled"), (257, 8, None),
        (-8, 8, "unscaled"), (-256, 8, "unscaled"), (-257, 8, None), (-264, 8, None),
        (4095, 1, "scaled"), (4096, 1, None), (-256, 1, "unscaled"),
        (8190, 2, "scaled"), (8191, 2, None), (255, 2, "unscaled"),
        (16380, 4, "scaled"), (16381, 4, None), (65520, 16, "scaled"), (65536, 16, None),
        (17, 16, "unscaled"), (272, 16, "scaled"), (258, 16, None),
    ]
    for off, size, form in cases:
        assert imm.ldst_imm_form(off, size) == form, (off, size)
    with pytest.raises(ValueError):
        imm.ldst_imm_form(0, 3)


def test_pair_offset_table():
    cases = [(0, 8, True), (504, 8, True), (512, 8, False), (-512, 8, True), (-520, 8, False),
             (4, 8, False), (252, 4, True), (256, 4, False), (-256, 4, True),
             (1008, 16, True), (1024, 16, False), (-1024, 16, True), (8, 16, False)]
    for off, size, ok in cases:
        assert imm.pair_offset_ok(off, size) == ok, (off, size)


_LD = {1: "ldrb w0", 2: "ldrh w0", 4: "ldr w0", 8: "ldr x0", 16: "ldr q0"}


def test_ldst_forms_agree_with_gnu_as():
    """GNU as: 'ldr' with an offset is accepted iff some form holds it; the
    chosen word is the scaled form (bit 24 set) iff we say scaled.  Same for LDP."""
    offsets = sorted({o for b in (0, 256, 4096, 8192, 16384, 32768, 65536)
                      for o in (b - 17, b - 16, b - 8, b - 4, b - 2, b - 1, b, b + 1, b + 8)}
                     | {-257, -256, -255, -16, -8, -1, 4095 * 16, 4095 * 8 + 8})
    lines, expect = [], []
    for size, ld in _LD.items():
        for off in offsets:
            lines.append(f"{ld}, [x1, #{off}]")
            expect.append(("ldr", imm.ldst_imm_form(off, size)))
    for size, ld in ((4, "ldp w0, w1"), (8, "ldp x0, x1"), (16, "ldp q0, q1")):
        for off in range(-70 * size, 70 * size, size // 2 if size > 4 else 2):
            lines.append(f"{ld}, [x2, #{off}]")
            expect.append(("ldp", imm.pair_offset_ok(off, size)))
    words = oracles.gas_words_each(lines)
    bad = []
    for line, (kind, form), w in zip(lines, expect, words):
        if kind == "ldr":
            got = None if w is None else ("scaled" if (w >> 24) & 1 else "unscaled")
        else:
            got = w is not None
        if got != form:
            bad.append((line, form, got))
    assert not bad, bad[:10]
    assert sum(w is not None for w in words) > 300
