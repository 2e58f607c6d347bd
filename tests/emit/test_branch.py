"""Branch / PC-relative encoders (armjit.emit.branch) against Capstone, Keystone,
GNU as / LLVM data and Unicorn."""

from __future__ import annotations


import pytest
from hypothesis import assume, given, strategies as st

from armjit.emit import branch as br
from armjit.emit.errors import EncodingError
from armjit.emit.operands import (D, Q, S, SP, WSP, WZR, XZR, Cond, GpReg, W, X)
from tests.emit.a64_text import canon
from tests.emit.oracles import check_llvm_conformance
from tests.emit.oracles import (CODE_BASE, MachineState, decode, gas_words_each, ks_words,
                                nzcv, run)

A = 0x100000                    # address the table words are decoded at
MOVZ_X2_1 = 0xD2800022          # movz x2, #1   (GNU as)
MOVZ_X3_1 = 0xD2800023          # movz x3, #1   (GNU as)
NOP = 0xD503201F                # nop           (GNU as)

# (call, expected word, Capstone text at address A).  Words: GNU as 2.4x
# ("b .-4" etc.) or the LLVM MC corpus (adrp); never this encoder.
TABLE = [
    (lambda: br.encode_b(0), 0x14000000, "b #0x100000"),
    (lambda: br.encode_b(-4), 0x17FFFFFF, "b #0xffffc"),
    (lambda: br.encode_b(134217724), 0x15FFFFFF, "b #0x80ffffc"),
    (lambda: br.encode_b(-134217728), 0x16000000, "b #0xfffffffff8100000"),
    (lambda: br.encode_bl(8), 0x94000002, "bl #0x100008"),
    (lambda: br.encode_bl(-134217728), 0x96000000, "bl #0xfffffffff8100000"),
    (lambda: br.encode_b_cond(Cond.EQ, 8), 0x54000040, "b.eq #0x100008"),
    (lambda: br.encode_b_cond(Cond.NE, -1048576), 0x54800001, "b.ne #0"),
    (lambda: br.encode_b_cond(Cond.HS, 1048572), 0x547FFFE2, "b.hs #0x1ffffc"),
    (lambda: br.encode_b_cond(Cond.LT, -4), 0x54FFFFEB, "b.lt #0xffffc"),
    (lambda: br.encode_b_cond(Cond.AL, 4), 0x5400002E, "b.al #0x100004"),
    (lambda: br.encode_b_cond(Cond.NV, 4), 0x5400002F, "b.nv #0x100004"),
    (lambda: br.encode_cbz(W[5], 0), 0x34000005, "cbz w5, #0x100000"),
    (lambda: br.encode_cbz(X[30], -1048576), 0xB480001E, "cbz x30, #0"),
    (lambda: br.encode_cbnz(XZR, 1048572), 0xB57FFFFF, "cbnz xzr, #0x1ffffc"),
    (lambda: br.encode_cbnz(W[16], 4), 0x35000030, "cbnz w16, #0x100004"),
    (lambda: br.encode_tbz(W[3], 0, 4), 0x36000023, "tbz w3, #0, #0x100004"),
    (lambda: br.encode_tbz(X[17], 63, -32768), 0xB6FC0011, "tbz x17, #0x3f, #0xf8000"),
    (lambda: br.encode_tbnz(X[0], 32, 32764), 0xB703FFE0, "tbnz x0, #0x20, #0x107ffc"),
    (lambda: br.encode_tbnz(WZR, 31, -4), 0x37FFFFFF, "tbnz wzr, #0x1f, #0xffffc"),
    (lambda: br.encode_br(X[16]), 0xD61F0200, "br x16"),
    (lambda: br.encode_br(X[0]), 0xD61F0000, "br x0"),
    (lambda: br.encode_blr(X[17]), 0xD63F0220, "blr x17"),
    (lambda: br.encode_blr(X[30]), 0xD63F03C0, "blr x30"),
    (lambda: br.encode_ret(), 0xD65F03C0, "ret"),
    (lambda: br.encode_ret(X[1]), 0xD65F0020, "ret x1"),
    (lambda: br.encode_adr(X[0], 0), 0x10000000, "adr x0, #0x100000"),
    (lambda: br.encode_adr(X[13], -1048576), 0x1080000D, "adr x13, #0"),
    (lambda: br.encode_adr(XZR, 1048575), 0x707FFFFF, "adr xzr, #0x1fffff"),
    (lambda: br.encode_adr(X[1], 1), 0x30000001, "adr x1, #0x100001"),
    (lambda: br.encode_adrp(X[30], 4096), 0xB000001E, "adrp x30, #0x101000"),
    (lambda: br.encode_adrp(X[9], 4294963200), 0xF07FFFE9, "adrp x9, #0x1000ff000"),
    (lambda: br.encode_ldr_literal(W[0], 1048572), 0x187FFFE0, "ldr w0, #0x1ffffc"),
    (lambda: br.encode_ldr_literal(X[10], -1048576), 0x5880000A, "ldr x10, #0"),
    (lambda: br.encode_ldr_literal(S[1], 8), 0x1C000041, "ldr s1, #0x100008"),
    (lambda: br.encode_ldr_literal(D[16], -4), 0x5CFFFFF0, "ldr d16, #0xffffc"),
    (lambda: br.encode_ldr_literal(Q[2], 16), 0x9C000082, "ldr q2, #0x100010"),
    (lambda: br.encode_ldrsw_literal(X[3], 0), 0x98000003, "ldrsw x3, #0x100000"),
]


@pytest.mark.parametrize("call,word,text", TABLE, ids=[t[2] for t in TABLE])
def test_table(call, word, text):
    assert call() == word
    assert decode(word, A) == text


# ------------------------------------------------------------------ strategies

def near(limits, lo, hi, step=1):
    """Integers at and around each limit, plus anything in [lo, hi]."""
    edges = []
    for v in limits:
        for d in (-2 * step, -step, -1, 0, 1, step, 2 * step):
            edges.append(v + d)
    return st.one_of(st.sampled_from(edges), st.integers(lo, hi))


def ok(lo, hi, mult):
    return lambda v: lo <= v <= hi and v % mult == 0


B_OFF = near([-(1 << 27), (1 << 27) - 4, 0], -(1 << 28), 1 << 28, 4)
I19_OFF = near([-(1 << 20), (1 << 20) - 4, 0], -(1 << 21), 1 << 21, 4)
I14_OFF = near([-(1 << 15), (1 << 15) - 4, 0], -(1 << 16), 1 << 16, 4)
ADR_OFF = near([-(1 << 20), (1 << 20) - 1, 0], -(1 << 21), 1 << 21)
ADRP_OFF = near([-(1 << 32), (1 << 32) - 4096, 0], -(1 << 33), 1 << 33, 4096)
GP = st.sampled_from(X + W + [XZR, WZR, SP, WSP])
XR = st.sampled_from(X + [XZR, SP])
BASE = 1 << 34                  # decode address: targets never wrap


def both(word, text, gas_text=None):
    """Capstone decodes ``word`` to ``text``; Keystone assembles ``text`` to it.

    Keystone wrongly rejects a few edge values (e.g. ``adr`` at exactly -1 MiB);
    then GNU as assembles ``gas_text`` (a ``.+off`` form) instead.
    """
    got = decode(word, BASE)
    assert got is not None and canon(got) == canon(text), (hex(word), got, text)
    ks = ks_words(text, BASE)
    if ks is None and gas_text is not None:
        ks = gas_words_each([gas_text])
    assert ks == [word], (text, ks and [hex(w) for w in ks], hex(word))


def _legal_gp(r, sizes=(32, 64)):
    return not r.is_sp and r.size in sizes


@given(st.sampled_from(["b", "bl"]), B_OFF)
def test_b_bl(mn, off):
    enc = br.encode_b if mn == "b" else br.encode_bl
    if not ok(*br.B_RANGE, 4)(off):
        with pytest.raises(EncodingError):
            enc(off)
        return
    word = enc(off)
    both(word, f"{mn} #{BASE + off}")
    assert br.branch_offset(word) == off


@given(st.sampled_from(list(Cond)), I19_OFF)
def test_b_cond(cond, off):
    if not ok(*br.IMM19_RANGE, 4)(off):
        with pytest.raises(EncodingError):
            br.encode_b_cond(cond, off)
        return
    word = br.encode_b_cond(cond, off)
    both(word, f"b.{cond.name.lower()} #{BASE + off}")


@given(st.sampled_from(["cbz", "cbnz"]), GP, I19_OFF)
def test_cbz(mn, rt, off):
    enc = getattr(br, f"encode_{mn}")
    if not (ok(*br.IMM19_RANGE, 4)(off) and _legal_gp(rt)):
        with pytest.raises(EncodingError):
            enc(rt, off)
        return
    both(enc(rt, off), f"{mn} {rt}, #{BASE + off}")


@given(st.sampled_from(["tbz", "tbnz"]), GP, st.integers(-2, 66), I14_OFF)
def test_tbz(mn, rt, bit, off):
    enc = getattr(br, f"encode_{mn}")
    legal_bit = 0 <= bit < rt.size
    if not (ok(*br.IMM14_RANGE, 4)(off) and _legal_gp(rt) and legal_bit):
        with pytest.raises(EncodingError):
            enc(rt, bit, off)
        return
    word = enc(rt, bit, off)
    # Capstone prints the W name for bits 0..31 even when written with an X register.
    shown = rt.w if bit < 32 else rt
    got = decode(word, BASE)
    assert canon(got) == canon(f"{mn} {shown}, #{bit}, #{BASE + off}"), got
    assert ks_words(f"{mn} {rt}, #{bit}, #{BASE + off}", BASE) == [word]


@given(st.sampled_from(["br", "blr", "ret"]), GP)
def test_register_branches(mn, rn):
    enc = getattr(br, f"encode_{mn}")
    if rn.size != 64 or rn.num == 31:
        with pytest.raises(EncodingError):
            enc(rn)
        return
    text = "ret" if (mn == "ret" and rn.num == 30) else f"{mn} {rn}"
    both(enc(rn), text)


@given(XR, ADR_OFF)
def test_adr(rd, off):
    if rd.is_sp or not ok(*br.ADR_RANGE, 1)(off):
        with pytest.raises(EncodingError):
            br.encode_adr(rd, off)
        return
    both(br.encode_adr(rd, off), f"adr {rd}, #{BASE + off}", f"adr {rd}, .{off:+d}")


@given(XR, ADRP_OFF)
def test_adrp(rd, off):
    if rd.is_sp or not ok(*br.ADRP_RANGE, 4096)(off):
        with pytest.raises(EncodingError):
            br.encode_adrp(rd, off)
        return
    both(br.encode_adrp(rd, off), f"adrp {rd}, #{BASE + off}")


@given(st.sampled_from(X + W + [XZR, WZR, SP] + S + D + Q), I19_OFF)
def test_ldr_literal(rt, off):
    legal = ok(*br.IMM19_RANGE, 4)(off) and not getattr(rt, "is_sp", False)
    if not legal:
        with pytest.raises(EncodingError):
            br.encode_ldr_literal(rt, off)
        return
    both(br.encode_ldr_literal(rt, off), f"ldr {rt}, #{BASE + off}")


def test_ldrsw_literal_needs_x():
    with pytest.raises(EncodingError):
        br.encode_ldrsw_literal(W[1], 0)
    assert decode(br.encode_ldrsw_literal(X[1], -8), BASE) == f"ldrsw x1, #{hex(BASE - 8)}"


@pytest.mark.parametrize("bad", [True, 1.0, None, "4"])
def test_non_int_offsets_refused(bad):
    with pytest.raises(EncodingError):
        br.encode_b(bad)
    with pytest.raises(EncodingError):
        br.encode_cbz(X[0], bad)


@pytest.mark.parametrize("cond", [-1, 16, "eq", None])
def test_bad_cond_refused(cond):
    with pytest.raises(EncodingError):
        br.encode_b_cond(cond, 0)


# ------------------------------------------------------------------ patching

_MAKERS = [
    ("imm26", br.B_RANGE, 4, lambda o: br.encode_b(o)),
    ("imm26", br.B_RANGE, 4, lambda o: br.encode_bl(o)),
    ("imm19", br.IMM19_RANGE, 4, lambda o: br.encode_b_cond(Cond.GT, o)),
    ("imm19", br.IMM19_RANGE, 4, lambda o: br.encode_cbnz(W[7], o)),
    ("imm19", br.IMM19_RANGE, 4, lambda o: br.encode_ldr_literal(D[3], o)),
    ("imm19", br.IMM19_RANGE, 4, lambda o: br.encode_ldrsw_literal(X[3], o)),
    ("imm14", br.IMM14_RANGE, 4, lambda o: br.encode_tbnz(X[9], 37, o)),
    ("adr", br.ADR_RANGE, 1, lambda o: br.encode_adr(X[12], o)),
    ("adrp", br.ADRP_RANGE, 4096, lambda o: br.encode_adrp(X[12], o)),
]


@given(st.sampled_from(_MAKERS), st.data())
def test_patch_equals_fresh_encoding(maker, data):
    kind, (lo, hi), mult, make = maker
    first = data.draw(st.integers(lo // mult, hi // mult)) * mult
    second = data.draw(st.one_of(st.integers(lo // mult, hi // mult).map(lambda v: v * mult),
                                 st.sampled_from([lo - mult, hi + mult, lo + 1 if mult > 1
                                                  else hi + 1])))
    word = make(first)
    assert br.branch_kind(word) == kind
    assert br.branch_offset(word) == first
    patchers = {"imm26": br.patch_imm26, "imm19": br.patch_imm19, "imm14": br.patch_imm14,
                "adr": br.patch_adr, "adrp": br.patch_adr}
    if ok(lo, hi, mult)(second):
        assert patchers[kind](word, second) == make(second)
        assert br.patch_branch(word, second) == make(second)
    else:
        with pytest.raises(EncodingError):
            patchers[kind](word, second)
        with pytest.raises(EncodingError):
            br.patch_branch(word, second)


@pytest.mark.parametrize("patch,word", [
    (br.patch_imm26, 0x54000040),         # b.eq is not imm26
    (br.patch_imm19, 0x14000000),         # b is not imm19
    (br.patch_imm14, 0x34000005),         # cbz is not imm14
    (br.patch_adr, 0xD503201F),           # nop
    (br.patch_branch, 0xD61F0200),        # br x16 has no offset
    (br.patch_imm26, 1 << 32),
])
def test_patch_wrong_word_refused(patch, word):
    with pytest.raises(EncodingError):
        patch(word, 0)


# ------------------------------------------------------------------ Unicorn

_COND = {
    Cond.EQ: lambda n, z, c, v: z, Cond.NE: lambda n, z, c, v: not z,
    Cond.HS: lambda n, z, c, v: c, Cond.LO: lambda n, z, c, v: not c,
    Cond.MI: lambda n, z, c, v: n, Cond.PL: lambda n, z, c, v: not n,
    Cond.VS: lambda n, z, c, v: v, Cond.VC: lambda n, z, c, v: not v,
    Cond.HI: lambda n, z, c, v: c and not z, Cond.LS: lambda n, z, c, v: not (c and not z),
    Cond.GE: lambda n, z, c, v: n == v, Cond.LT: lambda n, z, c, v: n != v,
    Cond.GT: lambda n, z, c, v: not z and n == v, Cond.LE: lambda n, z, c, v: z or n != v,
    Cond.AL: lambda n, z, c, v: True, Cond.NV: lambda n, z, c, v: True,
}


def taken(make, k, state):
    """Run the branch ``make(offset)`` jumping ``k`` words (k != 0, |k| small).

    Returns True if the branch was taken.  Forward: the skipped words set x2.
    Backward: a B at the start jumps to the branch; its target sets x3.
    """
    if k > 0:
        words = [make(4 * k)] + [MOVZ_X2_1] * (k - 1) + [MOVZ_X3_1]
        out = run(words, state)
        assert out.x[3] == 1
        return out.x[2] == 0
    m = 1 - k + 1                          # index of the branch under test
    words = [br.encode_b(4 * m), MOVZ_X3_1]
    end = m + 2
    words.append(br.encode_b(4 * (end - 2)))
    words += [NOP] * (m - len(words))
    words += [make(4 * (1 - m)), MOVZ_X2_1]
    assert len(words) == end
    out = run(words, state)
    assert out.x[3] != out.x[2]
    return out.x[3] == 1


SMALL_K = st.integers(-40, 40).filter(lambda k: k not in (0, 1))   # k=1: nothing to skip


@given(st.sampled_from(list(Cond)), st.integers(0, 15), SMALL_K)
def test_unicorn_b_cond(cond, flags, k):
    n, z, c, v = (flags >> 3) & 1, (flags >> 2) & 1, (flags >> 1) & 1, flags & 1
    state = MachineState(nzcv=nzcv(n, z, c, v))
    expect = bool(_COND[cond](n, z, c, v))
    assert taken(lambda o: br.encode_b_cond(cond, o), k, state) == expect


VALUES = st.one_of(st.sampled_from([0, 1, 1 << 31, 1 << 32, 1 << 63, 2**64 - 1, 2**32]),
                   st.integers(0, 2**64 - 1))


@given(st.sampled_from(["cbz", "cbnz"]), st.sampled_from([0, 1, 5, 16, 17, 30]),
       st.sampled_from([32, 64]), VALUES, SMALL_K)
def test_unicorn_cbz(mn, num, size, value, k):
    rt = GpReg(num, size)
    assume(num not in (2, 3))
    state = MachineState()
    state.x[num] = value
    zero = (value & ((1 << size) - 1)) == 0
    enc = getattr(br, f"encode_{mn}")
    assert taken(lambda o: enc(rt, o), k, state) == (zero if mn == "cbz" else not zero)


@given(st.sampled_from(["tbz", "tbnz"]), st.sampled_from([0, 1, 16, 17, 30]),
       st.integers(0, 63), VALUES, SMALL_K)
def test_unicorn_tbz(mn, num, bit, value, k):
    rt = GpReg(num, 64 if bit >= 32 else 32)
    state = MachineState()
    state.x[num] = value
    clear = not (value >> bit) & 1
    enc = getattr(br, f"encode_{mn}")
    assert taken(lambda o: enc(rt, bit, o), k, state) == (clear if mn == "tbz" else not clear)


@given(st.integers(2, 30))
def test_unicorn_b_forward(k):
    assert taken(br.encode_b, k, MachineState())


def test_unicorn_bl_links():
    out = run([br.encode_bl(8), MOVZ_X2_1, NOP])
    assert out.x[30] == CODE_BASE + 4 and out.x[2] == 0


@given(st.sampled_from(["br", "blr", "ret"]), st.sampled_from([0, 1, 5, 16, 17, 29, 30]))
def test_unicorn_register_branches(mn, num):
    enc = getattr(br, f"encode_{mn}")
    state = MachineState()
    state.x[num] = CODE_BASE + 12
    words = [NOP, enc(X[num]), MOVZ_X2_1, NOP]
    out = run(words, state)
    assert out.x[2] == 0
    if mn == "blr":
        assert out.x[30] == CODE_BASE + 8
    elif num != 30:
        assert out.x[30] == 0


@given(st.integers(0, 30), st.integers(0, 8), ADR_OFF)
def test_unicorn_adr(num, at, off):
    if not ok(*br.ADR_RANGE, 1)(off):
        return
    out = run([NOP] * at + [br.encode_adr(X[num], off)])
    assert out.x[num] == (CODE_BASE + 4 * at + off) % 2**64


@given(st.integers(0, 30), st.integers(0, 8), ADRP_OFF)
def test_unicorn_adrp(num, at, off):
    if not ok(*br.ADRP_RANGE, 4096)(off):
        return
    out = run([NOP] * at + [br.encode_adrp(X[num], off)])
    assert out.x[num] == (((CODE_BASE + 4 * at) & ~0xFFF) + off) % 2**64


@given(st.sampled_from(["w", "x", "sw", "s", "d"]), st.integers(0, 30),
       st.integers(-6, 6).filter(lambda j: j not in (0, 1)),
       st.lists(st.integers(0, 2**32 - 1), min_size=8, max_size=8))
def test_unicorn_ldr_literal(kind, num, j, data):
    """ldr rt, <literal j words away>; the literal pool is 8 words of data."""
    rt = {"w": W, "x": X, "sw": X, "s": S, "d": D}[kind][num]
    enc = (lambda o: br.encode_ldrsw_literal(rt, o)) if kind == "sw" else \
        (lambda o: br.encode_ldr_literal(rt, o))
    if j > 0:      # [ldr, b end, pool...]: target index 1 + j (j >= 2 -> in pool)
        words = [enc(4 * (j + 0)), br.encode_b(4 * 9)] + data
        idx = j
    else:          # [b ldr, pool..., ldr]: ldr at index 9, pool at 1..8
        words = [br.encode_b(4 * 9)] + data + [enc(4 * j)]
        idx = 9 + j
    assume(idx + (2 if kind in ("x", "d") else 1) <= len(words))
    assume(not (j > 0 and idx < 2) and not (j < 0 and idx < 1))
    mem = b"".join(w.to_bytes(4, "little") for w in words)
    raw = int.from_bytes(mem[4 * idx: 4 * idx + 8], "little")
    out = run(words)
    if kind == "w":
        assert out.x[num] == raw & 0xFFFFFFFF
    elif kind == "x":
        assert out.x[num] == raw
    elif kind == "sw":
        v = raw & 0xFFFFFFFF
        assert out.x[num] == (v - (1 << 32) if v >> 31 else v) % 2**64
    elif kind == "s":
        assert out.d[num] == raw & 0xFFFFFFFF
    else:
        assert out.d[num] == raw


# ------------------------------------------------------------------ conformance

_B_MN = {"b", "bl", "cbz", "cbnz", "tbz", "tbnz", "br", "blr", "ret", "adr", "adrp"}


def _adapter(text):
    """LLVM text (offsets relative to the instruction) -> encoder call, or None."""
    from tests.emit.a64_text import Imm, parse
    mn, ops = parse(text)
    imms = [o.value for o in ops if isinstance(o, Imm)]
    regs = [o for o in ops if not isinstance(o, Imm)]
    if mn in ("b", "bl") and len(ops) == 1:
        return lambda: getattr(br, f"encode_{mn}")(imms[0])
    if mn.startswith("b.") and len(ops) == 1:
        cond = Cond[mn[2:].upper()]
        return lambda: br.encode_b_cond(cond, imms[0])
    if mn in ("cbz", "cbnz", "adr", "adrp"):
        return lambda: getattr(br, f"encode_{mn}")(regs[0], imms[0])
    if mn in ("tbz", "tbnz"):
        return lambda: getattr(br, f"encode_{mn}")(regs[0], imms[0], imms[1])
    if mn in ("br", "blr", "ret"):
        return lambda: getattr(br, f"encode_{mn}")(*regs)
    if mn in ("ldr", "ldrsw") and len(ops) == 2 and isinstance(ops[1], Imm):
        if mn == "ldrsw":
            return lambda: br.encode_ldrsw_literal(regs[0], imms[0])
        return lambda: br.encode_ldr_literal(regs[0], imms[0])
    return None


def test_conformance_llvm():
    def branchy(text):
        mn = text.split()[0]
        return mn in _B_MN or mn.startswith("b.") or mn in ("ldr", "ldrsw")

    mapped, refused_texts = check_llvm_conformance(_adapter, select=branchy)
    refused = len(refused_texts)           # e.g. "blr xzr": refused on purpose
    assert mapped >= 22 and refused <= 1, (mapped, refused)
