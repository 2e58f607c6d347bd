"""A64 loads and stores: single register (all sizes), pairs, GP and FP/SIMD.

Arm ARM (DDI 0487) encoding-index classes (C4.1.94 "Loads and Stores"):

* "Load/store register (unsigned immediate)":  size 111 V 01 opc imm12 Rn Rt
* "Load/store register (unscaled immediate)":  size 111 V 00 opc 0 imm9 00 Rn Rt
* "Load/store register (immediate post-indexed)": ... 0 imm9 01 Rn Rt
* "Load/store register (immediate pre-indexed)":  ... 0 imm9 11 Rn Rt
* "Load/store register (register offset)":     size 111 V 00 opc 1 Rm option S 10 Rn Rt
* "Load/store register pair (offset / pre-indexed / post-indexed)":
  opc 101 V 0 mode L imm7 Rt2 Rn Rt  (mode 010 offset, 011 pre, 001 post)

Instructions: C6.2.166 LDR (immediate), C6.2.168 LDR (register), C6.2.170/171
LDRB, C6.2.172/173 LDRH, C6.2.174-177 LDRSB/LDRSH, C6.2.179/180 LDRSW,
C6.2.202ff LDUR/LDURB/LDURH/LDURSB/LDURSH/LDURSW, C6.2.163 LDP, C6.2.165
LDPSW, C6.2.321 STP, C6.2.322-329 STR/STRB/STRH, C6.2.346-348 STUR*;
SIMD&FP: C7.2.190 LDP, C7.2.191/193 LDR (immediate/register), C7.2.194 LDUR,
C7.2.330 STP, C7.2.331/332 STR, C7.2.333 STUR.

LDR (literal) is PC-relative and lives in :mod:`armjit.emit.branch`; a load or
store at an offset no single instruction holds is :func:`armjit.emit.legalize.plan_ldst`.

Operand rules (all refused with :class:`EncodingError`):

* the base field (Rn) is SP when 31: ``sp`` is legal, ``xzr`` is not; the
  base is always an X register;
* Rt of a GP access may be the zero register (``str xzr``), never SP;
* writeback forms (pre/post index) with Rt == Rn are CONSTRAINED
  UNPREDICTABLE and refused, as are pair loads with Rt1 == Rt2 and pair
  writeback with either Rt == Rn.
"""

from __future__ import annotations


from .errors import EncodingError, refused
from .operands import (_GP_INTERN, AddrMode, Extend, FpReg, GpReg, Mem, check_range,
                       fp_field, gp_field)

__all__ = [
    "LDST_OPS", "PAIR_OPS", "access_size", "encode_ldst", "encode_ldst_pair",
    "is_load",
    "encode_ldr", "encode_str", "encode_ldrb", "encode_strb", "encode_ldrh", "encode_strh",
    "encode_ldrsb", "encode_ldrsh", "encode_ldrsw",
    "encode_ldur", "encode_stur", "encode_ldurb", "encode_sturb", "encode_ldurh",
    "encode_sturh", "encode_ldursb", "encode_ldursh", "encode_ldursw",
    "encode_ldp", "encode_stp", "encode_ldpsw",
]

# Scaled forms accept any of these; the "u" forms (LDUR...) only unscaled.
# op -> (base op, unscaled-only)
LDST_OPS = {
    "ldr": ("ldr", False), "str": ("str", False),
    "ldrb": ("ldrb", False), "strb": ("strb", False),
    "ldrh": ("ldrh", False), "strh": ("strh", False),
    "ldrsb": ("ldrsb", False), "ldrsh": ("ldrsh", False), "ldrsw": ("ldrsw", False),
    "ldur": ("ldr", True), "stur": ("str", True),
    "ldurb": ("ldrb", True), "sturb": ("strb", True),
    "ldurh": ("ldrh", True), "sturh": ("strh", True),
    "ldursb": ("ldrsb", True), "ldursh": ("ldrsh", True), "ldursw": ("ldrsw", True),
}

PAIR_OPS = ("ldp", "stp", "ldpsw")

_LOADS = {"ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "ldrsw"}


def is_load(op: str) -> bool:
    return op in LDST_OPS and LDST_OPS[op][0] in _LOADS or op in ("ldp", "ldpsw")


def _size_opc_v(mnemonic: str, base_op: str, rt):
    """(size, opc, V, access bytes, rt field) of a single-register access."""
    if isinstance(rt, FpReg):
        if base_op not in ("ldr", "str"):
            raise EncodingError(mnemonic, "rt", rt, "a general-purpose register")
        t = fp_field(mnemonic, "rt", rt, sizes=(8, 16, 32, 64, 128))
        load = base_op == "ldr"
        if rt.size == 128:
            return 0b00, 0b11 if load else 0b10, 1, 16, t
        size = {8: 0, 16: 1, 32: 2, 64: 3}[rt.size]
        return size, 1 if load else 0, 1, 1 << size, t
    if not isinstance(rt, GpReg):
        raise EncodingError(mnemonic, "rt", rt, "a general-purpose or FP register")
    t = gp_field(mnemonic, "rt", rt)          # ZR legal, SP not
    x = rt.size == 64
    if base_op in ("ldr", "str"):
        size = 3 if x else 2
        return size, 1 if base_op == "ldr" else 0, 0, 1 << size, t
    if base_op in ("ldrb", "strb", "ldrh", "strh"):
        if x:
            raise EncodingError(mnemonic, "rt", rt, "a W register")
        size = 0 if base_op[-1] == "b" else 1
        return size, 1 if base_op[0] == "l" else 0, 0, 1 << size, t
    if base_op in ("ldrsb", "ldrsh"):
        size = 0 if base_op == "ldrsb" else 1
        return size, 0b10 if x else 0b11, 0, 1 << size, t
    if base_op == "ldrsw":
        if not x:
            raise EncodingError(mnemonic, "rt", rt, "an X register")
        return 2, 0b10, 0, 4, t
    raise EncodingError(mnemonic, "op", base_op, "one of " + ", ".join(LDST_OPS))


def access_size(op: str, rt) -> int:
    """Bytes accessed by ``op`` with register ``rt`` (validates the pair)."""
    if op not in LDST_OPS:
        raise EncodingError(op, "op", op, "one of " + ", ".join(LDST_OPS))
    return _size_opc_v(op, LDST_OPS[op][0], rt)[3]


def _base(mnemonic: str, reg) -> int:
    return gp_field(mnemonic, "base", reg, sp=True, size=64)


def _check_wback(mnemonic: str, rt, base: GpReg, name: str = "rt") -> None:
    # C6.2.166: "if wback && n == t && n != 31" -> CONSTRAINED UNPREDICTABLE.
    # rt is never SP here and the base is never ZR, so 31 never collides.
    if isinstance(rt, GpReg) and rt.num == base.num and rt.num != 31:
        raise EncodingError(mnemonic, name, rt,
                            f"a register other than the writeback base {base}")


def _mem(mnemonic: str, m) -> Mem:
    if not isinstance(m, Mem):
        raise EncodingError(mnemonic, "mem", m, "a Mem operand")
    return m


def encode_ldst(op: str, rt, m: Mem) -> int:
    """Encode a single-register load/store, choosing the form from ``m``.

    * ``m.index`` set: register offset (LSL/UXTW/SXTW/SXTX, shift 0 or log2 size);
    * pre/post index: the imm9 writeback forms (-256..255);
    * plain offset: LDR/STR-family ops use the scaled unsigned imm12 form
      when the offset is a non-negative multiple of the access size that fits,
      else the unscaled imm9 form (-256..255); LDUR-family ops only the latter.
    """
    enc = _SINGLE.get(op) if op.__class__ is str else None
    if enc is not None:
        return enc(rt, m)
    raise _explain_ldst(op, rt, m)


def _explain_ldst(op: str, rt, m: Mem) -> EncodingError:
    """Raise why ``op rt, m`` has no encoding: the EncodingError naming the
    first operand at fault (the per-op encoders' fast check takes every legal
    form, so this path only raises)."""
    if op not in LDST_OPS:
        raise EncodingError(op, "op", op, "one of " + ", ".join(LDST_OPS))
    base_op, unscaled_only = LDST_OPS[op]
    m = _mem(op, m)
    nbytes = _size_opc_v(op, base_op, rt)[3]
    _base(op, m.base)

    if m.index is not None:
        if unscaled_only:
            raise EncodingError(op, "mem", str(m), "[base, #imm9] (no register offset)")
        if m.mode is not AddrMode.OFFSET or m.offset:
            raise EncodingError(op, "mem", str(m),
                                "a register offset without immediate or writeback")
        ext = m.extend
        if ext not in (Extend.UXTW, Extend.UXTX, Extend.SXTW, Extend.SXTX):
            raise EncodingError(op, "extend", ext, "lsl (uxtx), uxtw, sxtw or sxtx")
        want = 32 if ext in (Extend.UXTW, Extend.SXTW) else 64
        gp_field(op, "index", m.index, size=want)   # 31 = ZR
        log2 = nbytes.bit_length() - 1
        if not (m.shift is None or m.shift == 0 or (m.shift == log2 and log2)):
            raise EncodingError(op, "shift", m.shift, f"0 or {log2}")
        raise _odd_operand(op, rt, m)

    off = m.offset
    if m.mode is not AddrMode.OFFSET:
        if unscaled_only:
            raise EncodingError(op, "mem", str(m), "[base, #imm9] (no writeback)")
        _check_wback(op, rt, m.base)
        check_range(op, "offset", off, -256, 255)
        raise _odd_operand(op, rt, m)

    if (not unscaled_only and isinstance(off, int) and not isinstance(off, bool)
            and off >= 0 and off % nbytes == 0 and off // nbytes <= 4095):
        raise _odd_operand(op, rt, m)
    if unscaled_only:
        check_range(op, "offset", off, -256, 255)
    elif not (isinstance(off, int) and -256 <= off <= 255):
        raise EncodingError(op, "offset", off,
                            f"0..{4095 * nbytes} multiple of {nbytes}, or -256..255")
    raise _odd_operand(op, rt, m)


def _odd_operand(op: str, rt, m: Mem) -> EncodingError:
    """The end of :func:`_explain_ldst` when no range is exceeded: an operand
    of an odd type (a mode that is not an AddrMode, a bool offset)."""
    if not isinstance(m.mode, AddrMode):
        raise EncodingError(op, "mode", m.mode, "an AddrMode (offset, pre or post)")
    if m.index is None and m.offset.__class__ is not int:
        raise EncodingError(op, "offset", m.offset, "an integer")
    raise refused(op, (rt, m))


# ------------------------------------------------------------------ pairs

def encode_ldst_pair(op: str, rt1, rt2, m: Mem) -> int:
    """LDP/STP/LDPSW of W/X/S/D/Q registers with signed, scaled imm7 offset.

    Offset, pre-index and post-index forms.  The offset must be a multiple of
    the register size in -64*size .. 63*size.
    """
    enc = _PAIRS.get(op) if op.__class__ is str else None
    if enc is not None:
        return enc(rt1, rt2, m)
    raise _explain_ldst_pair(op, rt1, rt2, m)


def _pair_kind(op: str, rt1):
    """(opc, V, access bytes) of ``op`` with first register ``rt1``, or the
    EncodingError why ``rt1`` cannot be its first register."""
    if isinstance(rt1, FpReg):
        if op == "ldpsw":
            raise EncodingError(op, "rt1", rt1, "an X register")
        fp_field(op, "rt1", rt1, sizes=(32, 64, 128))
        return {32: 0, 64: 1, 128: 2}[rt1.size], 1, rt1.size // 8
    gp_field(op, "rt1", rt1, size=64 if op == "ldpsw" else None)
    if op == "ldpsw":
        return 1, 0, 4
    return (2, 0, 8) if rt1.size == 64 else (0, 0, 4)


def _explain_ldst_pair(op: str, rt1, rt2, m: Mem) -> EncodingError:
    """Raise why ``op rt1, rt2, m`` has no encoding (the per-op encoders' fast
    check takes every legal form, so this path only raises)."""
    if op not in PAIR_OPS:
        raise EncodingError(op, "op", op, "ldp, stp or ldpsw")
    m = _mem(op, m)
    if m.index is not None:
        raise EncodingError(op, "mem", str(m), "[base, #imm7] (no register offset)")
    load = op != "stp"
    nbytes = _pair_kind(op, rt1)[2]
    t1 = rt1.num
    if isinstance(rt1, FpReg):
        t2 = fp_field(op, "rt2", rt2, sizes=(rt1.size,))
    else:
        t2 = gp_field(op, "rt2", rt2, size=rt1.size)
    _base(op, m.base)
    if load and t1 == t2:
        # C6.2.163: "if L == '1' && t == t2" -> CONSTRAINED UNPREDICTABLE.
        raise EncodingError(op, "rt2", rt2, f"a register other than rt1 ({rt1})")
    if m.mode is not AddrMode.OFFSET:
        _check_wback(op, rt1, m.base, "rt1")
        _check_wback(op, rt2, m.base, "rt2")
    check_range(op, "offset", m.offset, -64 * nbytes, 63 * nbytes, multiple=nbytes)
    if not isinstance(m.mode, AddrMode):
        raise EncodingError(op, "mode", m.mode, "an AddrMode (offset, pre or post)")
    raise refused(op, (rt1, rt2, m))


# ------------------------------------------------------------------ the encoders
# Each is one check on facts memoised per register (and register pair) on
# first use, computed by the rules the explaining path states (_size_opc_v,
# _pair_kind, _base): a register the op does not accept has no facts.

_OFFSET, _PRE, _POST = AddrMode.OFFSET, AddrMode.PRE, AddrMode.POST


def _learn(table: dict, r, compute) -> bool:
    """Memoise ``compute(r)``, the facts of an interned register ``r`` (None
    when the op does not accept it), on its first use: every register's facts
    at import cost ~150 ms under qemu.  Whether facts were added that a retry
    of the check can use."""
    if r.__class__ not in (GpReg, FpReg) or r in table:
        return False
    table[r] = facts = compute(r)
    return facts is not None


def _head_facts(op: str):
    """The facts of ``op`` with register ``r`` (None if illegal): the head word
    (without Rn, offset and form bits), log2 of the access size, and for the
    unsigned-offset form its head, the mask of the offset bits no scaled
    imm12 has, and the shift placing the offset's bits at imm12 (bits 21:10;
    C6.2 LDR (immediate): offset = imm12 << log2)."""
    base_op = LDST_OPS[op][0]

    def compute(r):
        try:
            size, opc, v, nbytes, t = _size_opc_v(op, base_op, r)
        except EncodingError:
            return None
        log2 = nbytes.bit_length() - 1
        head = (size << 30) | 0x38000000 | (v << 26) | (opc << 22) | t
        # (~(0xFFF << log2) leaves a non-negative multiple of the size below
        # 4096 << log2 no bit, and a negative int always some)
        return head, log2, head | 0x01000000, ~(0xFFF << log2), 10 - log2
    return compute


def _base_field(r):
    """Rn field << 5 for a register legal as a base (X0-X30, SP), computed
    by the checking code (_base); None otherwise."""
    try:
        return _base("ldr", r) << 5
    except EncodingError:
        return None


#: {base register: Rn << 5} of every legal base
_BASE_N5 = {r: n5 for r in _GP_INTERN.values() if (n5 := _base_field(r)) is not None}

# option field (bits 15:13) of the extends a register offset takes, and the
# width of the index register each needs (C6.2 LDR (register))
_INDEX_EXT = {Extend.UXTW: (2 << 13, 32), Extend.UXTX: (3 << 13, 64),
              Extend.SXTW: (6 << 13, 32), Extend.SXTX: (7 << 13, 64)}


def _single_encoder(op: str):
    """The encoder of one LDR/STR-family op: one check covering every form on
    the memoised facts of the register (:func:`_head_facts`, the rules the
    explanation states) and the base, else the explanation."""
    tab: dict = {}                     # register -> its facts, from first use
    facts = _head_facts(op)
    bases = _BASE_N5

    if LDST_OPS[op][1]:                # LDUR family: [base, #imm9] only
        def word(rt, m):
            if m.__class__ is Mem:
                base, off, mode, index, _e, _s = m
                if (index is None and off.__class__ is int and mode is _OFFSET
                        and -256 <= off <= 255):
                    try:
                        return tab[rt][0] | (off & 0x1FF) << 12 | bases[base]
                    except (KeyError, TypeError):
                        if _learn(tab, rt, facts):
                            return word(rt, m)
            return None
    else:
        def word(rt, m):
            if m.__class__ is Mem:
                base, off, mode, index, ext, shift = m
                try:
                    head, log2, scaled, not_imm12, lsh = tab[rt]
                    n5 = bases[base]
                except (KeyError, TypeError):
                    return word(rt, m) if _learn(tab, rt, facts) else None
                if index is None:
                    if off.__class__ is not int:
                        return None
                    if mode is _OFFSET:
                        if not off & not_imm12:
                            return scaled | off << lsh | n5
                        if -256 <= off <= 255:
                            return head | (off & 0x1FF) << 12 | n5
                    elif ((mode is _PRE or mode is _POST) and -256 <= off <= 255
                          and not (rt.__class__ is GpReg and rt.num == base.num
                                   and rt.num != 31)):
                        return (head | (off & 0x1FF) << 12 | n5
                                | (0xC00 if mode is _PRE else 0x400))
                elif mode is _OFFSET and not off and index.__class__ is GpReg:
                    e = _INDEX_EXT.get(ext) if ext.__class__ is Extend else None
                    if e is not None and index.size == e[1] and index._f_zr < 32:
                        # S (bit 12): the shift is log2(size); an explicit #0 is
                        # recorded in S only for byte accesses (C6.2.170)
                        if shift is None:
                            s = 0
                        elif shift == log2 and log2:
                            s = 1 << 12
                        elif shift == 0:
                            s = 0 if log2 else 1 << 12
                        else:
                            return None
                        return head | 0x00200800 | index._m16 | e[0] | s | n5
            return None

    def enc(rt, m: Mem) -> int:
        w = word(rt, m)
        if w is None:
            raise _explain_ldst(op, rt, m)
        return w

    enc.word = word     # the word, or None when no single instruction holds the operands
    enc.__name__ = enc.__qualname__ = f"encode_{op}"
    enc.__doc__ = f"{op.upper()} <rt>, <mem> (see :func:`encode_ldst`)."
    return enc


def _pair_entry(op: str, r1, r2):
    """The facts of one register pair of ``op`` (None when the pair is illegal):
    (the word without mode/imm7/Rn; the bias and mask that test the offset --
    -64..63 times the size, a multiple of it (C6.2 LDP: offset = imm7 << log2):
    with the bias added, no bit of the mask is set; the shift placing the
    offset's bits at imm7 (bits 21:15); the bases a writeback form may not
    use).  Built on first use of a pair (a table of every pair cost ~170 ms at
    import under qemu) by :func:`_pair_kind` and the Rt2 rules."""
    if r2.__class__ is not r1.__class__ or r2.size != r1.size:
        return None
    try:
        opc, v, nbytes = _pair_kind(op, r1)
    except EncodingError:
        return None
    if r2.__class__ is GpReg and r2._f_zr >= 32:
        return None                              # SP is no Rt2
    load = op != "stp"
    if load and r2.num == r1.num:
        return None                              # C6.2.163: L == 1 && t == t2: UNPREDICTABLE
    # C6.2.163: "if wback && (t == n || t2 == n) && n != 31" -> CONSTRAINED UNPREDICTABLE
    # (only a GP register can be a base)
    wb_bad = frozenset(GpReg(t, 64) for t in (r1.num, r2.num)
                       if r1.__class__ is GpReg and t != 31)
    log2 = nbytes.bit_length() - 1
    return ((opc << 30) | 0x28000000 | (v << 26) | (int(load) << 22) | (r2.num << 10) | r1.num,
            64 << log2, ~(0x7F << log2), 15 - log2, wb_bad)


def _pair_encoder(op: str, doc: str):
    """The encoder of LDP/STP/LDPSW: one check on the memoised facts of the
    register pair, the base and the offset, else the explanation."""
    pairs: dict = {}                   # rt1 -> {rt2: the pair's facts}, from first use
    bases = _BASE_N5

    def enc(rt1, rt2, m: Mem) -> int:
        if m.__class__ is Mem:
            base, off, mode, index, _e, _s = m
            try:
                word, bias, not_imm7, lsh, wb_bad = pairs[rt1][rt2]
                n5 = bases[base]
            except (KeyError, TypeError):
                if rt1.__class__ in (GpReg, FpReg) and _learn(
                        pairs.setdefault(rt1, {}), rt2, lambda r2: _pair_entry(op, rt1, r2)):
                    return enc(rt1, rt2, m)
            else:
                if index is None and off.__class__ is int and not (off + bias) & not_imm7:
                    word |= (off << lsh) & 0x3F8000 | n5
                    if mode is _OFFSET:
                        return word | 0b010 << 23
                    if (mode is _PRE or mode is _POST) and base not in wb_bad:
                        return word | (0b011 if mode is _PRE else 0b001) << 23
        raise _explain_ldst_pair(op, rt1, rt2, m)

    enc.__name__ = enc.__qualname__ = f"encode_{op}"
    enc.__doc__ = doc
    return enc


_SINGLE = {op: _single_encoder(op) for op in LDST_OPS}
_PAIRS = {
    "ldp": _pair_encoder("ldp", "LDP <rt1>, <rt2>, <mem> (C6.2.163, C7.2.190)."),
    "stp": _pair_encoder("stp", "STP <rt1>, <rt2>, <mem> (C6.2.321, C7.2.330)."),
    "ldpsw": _pair_encoder("ldpsw", "LDPSW <Xt1>, <Xt2>, <mem> (C6.2.165)."),
}
# (in LDST_OPS order; tests/emit/test_explained.py checks each against GNU as by name)
(encode_ldr, encode_str, encode_ldrb, encode_strb, encode_ldrh, encode_strh, encode_ldrsb,
 encode_ldrsh, encode_ldrsw, encode_ldur, encode_stur, encode_ldurb, encode_sturb, encode_ldurh,
 encode_sturh, encode_ldursb, encode_ldursh, encode_ldursw) = _SINGLE.values()
encode_ldp, encode_stp, encode_ldpsw = _PAIRS.values()
