"""Load/store encoders (armjit.emit.loadstore) against GNU as, Capstone, Keystone,
LLVM data and Unicorn."""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given, strategies as st

from armjit.emit import loadstore as ls
from armjit.emit.errors import EncodingError
from armjit.emit.operands import (D, H, Q, S, SP, WSP, WZR, XZR, AddrMode, Extend, FpReg,
                                  GpReg, Mem, W, X, mem, post, pre)
from tests.emit.a64_text import canon, fmt_mem, parse
from tests.emit.oracles import check_llvm_conformance
from tests.emit.oracles import (DATA_BASE, DATA_SIZE, MachineState, decode, gas_words_each,
                                ks_words, run)

(x0, x1, x2, x3, x12, x15, x17, x19, x20, x29, x30) = (X[i] for i in
                                                      (0, 1, 2, 3, 12, 15, 17, 19, 20, 29, 30))
w0, w1, w2, w3, w7, w9, w10, w12, w17, w20 = (W[i] for i in (0, 1, 2, 3, 7, 9, 10, 12, 17, 20))
(x21, x25, x28) = X[21], X[25], X[28]

# (call, expected word from GNU as 2.4x, Capstone text of that word).
TABLE = [
    (lambda: ls.encode_ldr(x0, mem(x1, 0)), 0xF9400020, 'ldr x0, [x1]'),
    (lambda: ls.encode_ldr(x30, mem(SP, 32760)), 0xF97FFFFE, 'ldr x30, [sp, #0x7ff8]'),
    (lambda: ls.encode_ldr(w17, mem(SP, 16380)), 0xB97FFFF1, 'ldr w17, [sp, #0x3ffc]'),
    (lambda: ls.encode_ldr(XZR, mem(x12, 8)), 0xF940059F, 'ldr xzr, [x12, #8]'),
    (lambda: ls.encode_ldur(x0, mem(x1, -256)), 0xF8500020, 'ldur x0, [x1, #-0x100]'),
    (lambda: ls.encode_ldur(w0, mem(x1, 3)), 0xB8403020, 'ldur w0, [x1, #3]'),
    (lambda: ls.encode_str(XZR, pre(SP, 8)), 0xF8008FFF, 'str xzr, [sp, #8]!'),
    (lambda: ls.encode_str(w3, post(x2, -4)), 0xB81FC443, 'str w3, [x2], #0xfffffffffffffffc'),
    (lambda: ls.encode_str(x19, pre(x12, -256)), 0xF8100D93, 'str x19, [x12, #-0x100]!'),
    (lambda: ls.encode_ldr(x2, post(x3, 255)), 0xF84FF462, 'ldr x2, [x3], #0xff'),
    (lambda: ls.encode_ldrb(w1, mem(x2, 4095)), 0x397FFC41, 'ldrb w1, [x2, #0xfff]'),
    (lambda: ls.encode_strb(WZR, mem(x2, 0)), 0x3900005F, 'strb wzr, [x2]'),
    (lambda: ls.encode_ldrh(w10, mem(x30, 8190)), 0x797FFFCA, 'ldrh w10, [x30, #0x1ffe]'),
    (lambda: ls.encode_strh(w17, mem(SP, 2)), 0x790007F1, 'strh w17, [sp, #2]'),
    (lambda: ls.encode_ldrsb(x1, mem(x2, 1)), 0x39800441, 'ldrsb x1, [x2, #1]'),
    (lambda: ls.encode_ldrsb(w1, pre(x2, -1)), 0x38DFFC41, 'ldrsb w1, [x2, #-1]!'),
    (lambda: ls.encode_ldrsh(w1, mem(x2, 8190)), 0x79FFFC41, 'ldrsh w1, [x2, #0x1ffe]'),
    (lambda: ls.encode_ldrsh(x29, post(x2, -256)), 0x7890045D, 'ldrsh x29, [x2], #0xffffffffffffff00'),
    (lambda: ls.encode_ldrsw(x1, mem(x2, 16380)), 0xB9BFFC41, 'ldrsw x1, [x2, #0x3ffc]'),
    (lambda: ls.encode_ldursw(x1, mem(x2, 255)), 0xB88FF041, 'ldursw x1, [x2, #0xff]'),
    (lambda: ls.encode_sturb(w9, mem(SP, -1)), 0x381FF3E9, 'sturb w9, [sp, #-1]'),
    (lambda: ls.encode_ldurh(w20, mem(x1, 255)), 0x784FF034, 'ldurh w20, [x1, #0xff]'),
    (lambda: ls.encode_ldursh(x17, mem(x19, -256)), 0x78900271, 'ldursh x17, [x19, #-0x100]'),
    (lambda: ls.encode_ldr(x0, Mem(x1, index=x2, extend=Extend.UXTX, shift=None)), 0xF8626820, 'ldr x0, [x1, x2]'),
    (lambda: ls.encode_ldr(x0, Mem(x1, index=x2, extend=Extend.UXTX, shift=3)), 0xF8627820, 'ldr x0, [x1, x2, lsl #3]'),
    (lambda: ls.encode_ldr(w0, Mem(x1, index=w2, extend=Extend.UXTW, shift=2)), 0xB8625820, 'ldr w0, [x1, w2, uxtw #2]'),
    (lambda: ls.encode_ldr(x15, Mem(x25, index=w7, extend=Extend.UXTW, shift=None)), 0xF8674B2F, 'ldr x15, [x25, w7, uxtw]'),
    (lambda: ls.encode_ldrh(w0, Mem(SP, index=w2, extend=Extend.SXTW, shift=None)), 0x7862CBE0, 'ldrh w0, [sp, w2, sxtw]'),
    (lambda: ls.encode_ldrh(w12, Mem(x28, index=XZR, extend=Extend.SXTX, shift=1)), 0x787FFB8C, 'ldrh w12, [x28, xzr, sxtx #1]'),
    (lambda: ls.encode_ldrb(w0, Mem(x1, index=x2, extend=Extend.UXTX, shift=0)), 0x38627820, 'ldrb w0, [x1, x2, lsl #0]'),
    (lambda: ls.encode_ldrb(w0, Mem(x1, index=x2, extend=Extend.UXTX, shift=None)), 0x38626820, 'ldrb w0, [x1, x2]'),
    (lambda: ls.encode_ldrsb(w0, Mem(x1, index=x2, extend=Extend.SXTX, shift=0)), 0x38E2F820, 'ldrsb w0, [x1, x2, sxtx #0]'),
    (lambda: ls.encode_ldrsw(x19, Mem(x21, index=WZR, extend=Extend.SXTW, shift=2)), 0xB8BFDAB3, 'ldrsw x19, [x21, wzr, sxtw #2]'),
    (lambda: ls.encode_str(Q[1], Mem(x1, index=x2, extend=Extend.SXTX, shift=4)), 0x3CA2F821, 'str q1, [x1, x2, sxtx #4]'),
    (lambda: ls.encode_str(D[19], Mem(x21, index=WZR, extend=Extend.SXTW, shift=3)), 0xFC3FDAB3, 'str d19, [x21, wzr, sxtw #3]'),
    (lambda: ls.encode_ldr(D[1], mem(x1, 32760)), 0xFD7FFC21, 'ldr d1, [x1, #0x7ff8]'),
    (lambda: ls.encode_ldr(S[1], pre(x1, -4)), 0xBC5FCC21, 'ldr s1, [x1, #-4]!'),
    (lambda: ls.encode_ldr(Q[1], mem(x1, 65520)), 0x3DFFFC21, 'ldr q1, [x1, #0xfff0]'),
    (lambda: ls.encode_str(Q[10], post(x1, 255)), 0x3C8FF42A, 'str q10, [x1], #0xff'),
    (lambda: ls.encode_stur(H[1], mem(x1, -3)), 0x7C1FD021, 'stur h1, [x1, #-3]'),
    (lambda: ls.encode_ldr(B[1], mem(x1, 4095)), 0x3D7FFC21, 'ldr b1, [x1, #0xfff]'),
    (lambda: ls.encode_ldur(D[11], mem(x19, 4)), 0xFC40426B, 'ldur d11, [x19, #4]'),
    (lambda: ls.encode_ldp(x0, x1, pre(SP, -512)), 0xA9E007E0, 'ldp x0, x1, [sp, #-0x200]!'),
    (lambda: ls.encode_stp(x29, x30, pre(SP, -16)), 0xA9BF7BFD, 'stp x29, x30, [sp, #-0x10]!'),
    (lambda: ls.encode_ldp(x29, x30, post(SP, 16)), 0xA8C17BFD, 'ldp x29, x30, [sp], #0x10'),
    (lambda: ls.encode_stp(w0, w1, post(x2, 252)), 0x289F8440, 'stp w0, w1, [x2], #0xfc'),
    (lambda: ls.encode_ldp(w2, WZR, mem(SP, -256)), 0x29607FE2, 'ldp w2, wzr, [sp, #-0x100]'),
    (lambda: ls.encode_ldpsw(x0, x1, mem(x2, -256)), 0x69600440, 'ldpsw x0, x1, [x2, #-0x100]'),
    (lambda: ls.encode_ldpsw(x20, x30, pre(SP, 252)), 0x69DFFBF4, 'ldpsw x20, x30, [sp, #0xfc]!'),
    (lambda: ls.encode_ldp(D[0], D[1], mem(x2, 504)), 0x6D5F8440, 'ldp d0, d1, [x2, #0x1f8]'),
    (lambda: ls.encode_stp(S[27], S[26], mem(SP, -256)), 0x2D206BFB, 'stp s27, s26, [sp, #-0x100]'),
    (lambda: ls.encode_ldp(Q[0], Q[1], mem(x2, -1024)), 0xAD600440, 'ldp q0, q1, [x2, #-0x400]'),
    (lambda: ls.encode_stp(Q[17], Q[19], pre(SP, 1008)), 0xAD9FCFF1, 'stp q17, q19, [sp, #0x3f0]!'),
    (lambda: ls.encode_stp(S[0], S[0], mem(x2, 4)), 0x2D008040, 'stp s0, s0, [x2, #4]'),
    (lambda: ls.encode_stp(XZR, XZR, mem(SP, 0)), 0xA9007FFF, 'stp xzr, xzr, [sp]'),
]


@pytest.mark.parametrize("call,word,text", TABLE, ids=[t[2] for t in TABLE])
def test_table(call, word, text):
    assert call() == word
    assert decode(word) == text


# ------------------------------------------------------------------ test-side model

# op -> (scaled op, unscaled op, kind); kind says what rt may be.
_OPS = {
    "ldr": ("ldr", "ldur"), "str": ("str", "stur"),
    "ldrb": ("ldrb", "ldurb"), "strb": ("strb", "sturb"),
    "ldrh": ("ldrh", "ldurh"), "strh": ("strh", "sturh"),
    "ldrsb": ("ldrsb", "ldursb"), "ldrsh": ("ldrsh", "ldursh"),
    "ldrsw": ("ldrsw", "ldursw"),
}
_UNSCALED = {v[1]: k for k, v in _OPS.items()}


def model_size(op, rt):
    """Access size in bytes, or None if (op, rt) is not an instruction."""
    base = _UNSCALED.get(op, op)
    if isinstance(rt, FpReg):
        return rt.size // 8 if base in ("ldr", "str") else None
    if rt.is_sp:
        return None
    if base in ("ldr", "str"):
        return rt.size // 8
    if base in ("ldrb", "strb", "ldrh", "strh"):
        return None if rt.size == 64 else (1 if base.endswith("b") else 2)
    if base in ("ldrsb", "ldrsh"):
        return 1 if base == "ldrsb" else 2
    if base == "ldrsw":
        return 4 if rt.size == 64 else None
    return None


def model_imm(op, rt, m):
    """Expected mnemonic for an immediate-offset draw, or None if it must be refused."""
    n = model_size(op, rt)
    if n is None or m.base.size != 64 or m.base.is_zr:
        return None
    off = m.offset
    if op in _UNSCALED:
        ok = m.mode is AddrMode.OFFSET and -256 <= off <= 255
        return op if ok else None
    if m.mode is not AddrMode.OFFSET:
        if isinstance(rt, GpReg) and rt.num == m.base.num and rt.num != 31:
            return None
        return op if -256 <= off <= 255 else None
    if 0 <= off <= 4095 * n and off % n == 0:
        return op
    return _OPS[op][1] if -256 <= off <= 255 else None


def model_reg(op, rt, m):
    """Expected validity of a register-offset draw."""
    n = model_size(op, rt)
    if n is None or op in _UNSCALED or m.base.size != 64 or m.base.is_zr:
        return False
    if m.index.is_sp:
        return False
    if m.extend in (Extend.UXTW, Extend.SXTW):
        if m.index.size != 32:
            return False
    elif m.extend in (Extend.UXTX, Extend.SXTX):
        if m.index.size != 64:
            return False
    else:
        return False
    return m.shift in (None, 0, n.bit_length() - 1)


B = [FpReg(i, 8) for i in range(32)]
EDGE_GP = [X[0], X[1], X[12], X[13], X[16], X[17], X[30], XZR, SP,
           W[0], W[1], W[12], W[16], W[17], W[30], WZR, WSP]
RT = st.sampled_from(EDGE_GP + [B[1], H[2], S[3], D[16], D[31], Q[7]])
BASES = st.sampled_from([X[0], X[1], X[12], X[16], X[17], X[30], SP, XZR, W[1], WSP])
OPS = st.sampled_from(list(_OPS) + list(_UNSCALED))
OFFSETS = st.one_of(
    st.sampled_from([0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 255, 256, -256, -257, 4095, 4096,
                     8190, 8192, 16380, 16384, 32760, 32768, 65520, 65536, -512]),
    st.integers(-300, 300), st.integers(-70000, 70000))
MODES = st.sampled_from(list(AddrMode))


def _text(mn, *ops):
    return f"{mn} " + ", ".join(fmt_mem(o) if isinstance(o, Mem) else str(o) for o in ops)


def assemble_check(word, text):
    got = decode(word)
    assert got is not None and canon(got) == canon(text), (hex(word), got, text)
    words = ks_words(text)
    if words is None:                       # Keystone rejects some valid forms
        words = gas_words_each([text])
    assert words == [word], (text, words and [hex(w) for w in words], hex(word))


@given(OPS, RT, BASES, MODES, OFFSETS)
def test_imm_forms(op, rt, base, mode, offset):
    m = Mem(base, offset, mode)
    expect = model_imm(op, rt, m)
    if expect is None:
        with pytest.raises(EncodingError):
            ls.encode_ldst(op, rt, m)
        return
    word = ls.encode_ldst(op, rt, m)
    assert getattr(ls, f"encode_{op}")(rt, m) == word
    assemble_check(word, _text(expect, rt, m))


INDEX = st.sampled_from([X[2], X[17], XZR, W[2], W[16], WZR, SP, WSP])


@given(st.sampled_from(list(_OPS) + ["ldur"]), RT, BASES, INDEX,
       st.sampled_from(list(Extend)), st.sampled_from([None, 0, 1, 2, 3, 4, 5]))
def test_register_offset(op, rt, base, index, ext, shift):
    m = Mem(base, index=index, extend=ext, shift=shift)
    if not model_reg(op, rt, m):
        with pytest.raises(EncodingError):
            ls.encode_ldst(op, rt, m)
        return
    word = ls.encode_ldst(op, rt, m)
    n = model_size(op, rt)
    if shift == 0 and n > 1:
        # S=0 is printed without an amount (and "lsl" dropped) by Capstone.
        text_m = Mem(base, index=index, extend=ext, shift=None)
    else:
        text_m = m
    assemble_check(word, _text(op, rt, text_m))


PAIR_RT = st.sampled_from([X[0], X[1], X[17], X[30], XZR, SP, W[0], W[1], W[30], WZR,
                           S[0], S[1], D[0], D[31], Q[2], Q[3], H[1]])
PAIR_OFF = st.one_of(st.sampled_from([0, 4, 8, 16, -4, -8, -16, 252, 256, -256, -260, 504,
                                      512, -512, -520, 1008, 1024, -1024, -1040, 2, 6]),
                     st.integers(-1100, 1100))


def model_pair(op, r1, r2, m):
    if isinstance(r1, FpReg):
        if op == "ldpsw" or r1.size not in (32, 64, 128) or not isinstance(r2, FpReg) \
                or r2.size != r1.size:
            return False
        n = r1.size // 8
    else:
        if not isinstance(r2, GpReg) or r1.is_sp or r2.is_sp or r1.size != r2.size:
            return False
        if op == "ldpsw" and r1.size != 64:
            return False
        n = 4 if op == "ldpsw" else r1.size // 8
    if m.base.size != 64 or m.base.is_zr:
        return False
    if op != "stp" and r1.num == r2.num:
        return False
    if m.mode is not AddrMode.OFFSET:
        for r in (r1, r2):
            if isinstance(r, GpReg) and r.num == m.base.num and r.num != 31:
                return False
    return m.offset % n == 0 and -64 * n <= m.offset <= 63 * n


@given(st.sampled_from(["ldp", "stp", "ldpsw"]), PAIR_RT, PAIR_RT, BASES, MODES, PAIR_OFF)
def test_pairs(op, r1, r2, base, mode, offset):
    m = Mem(base, offset, mode)
    if not model_pair(op, r1, r2, m):
        with pytest.raises(EncodingError):
            ls.encode_ldst_pair(op, r1, r2, m)
        return
    word = ls.encode_ldst_pair(op, r1, r2, m)
    assert getattr(ls, f"encode_{op}")(r1, r2, m) == word
    assemble_check(word, _text(op, r1, r2, m))


def test_pair_register_offset_refused():
    with pytest.raises(EncodingError):
        ls.encode_ldp(X[0], X[1], Mem(X[2], index=X[3]))


@pytest.mark.parametrize("m", [Mem(X[1], 8, AddrMode.PRE, index=X[2]),
                               Mem(X[1], 8, index=X[2])])
def test_register_offset_with_imm_refused(m):
    with pytest.raises(EncodingError):
        ls.encode_ldr(X[0], m)


# ------------------------------------------------------------------ GNU as edge sweep

def test_gnu_as_edge_sweep():
    """Every op x rt kind x mode at the limits: encodable words equal GNU as's,
    and GNU as rejects what the encoder refuses (except the writeback
    Rt == Rn cases, which GNU as accepts with a warning)."""
    cases = []
    rts = [X[3], W[3], XZR, B[4], H[4], S[4], D[4], Q[4]]
    offs = [0, 1, -1, 255, 256, -256, -257, 4095, 4096, 8190, 8191, 16380, 16383,
            32760, 32761, 65520, 65521, 4095 * 16 + 16]
    for op in list(_OPS) + list(_UNSCALED):
        for rt in rts:
            if model_size(op, rt) is None:
                continue
            for mode in AddrMode:
                for off in offs:
                    cases.append((op, rt, Mem(X[5], off, mode)))
    texts, words = [], []
    for op, rt, m in cases:
        texts.append(_text(op, rt, m))
        try:
            words.append(ls.encode_ldst(op, rt, m))
        except EncodingError:
            words.append(None)
    gas = gas_words_each(texts)
    encoded = 0
    for t, w, g in zip(texts, words, gas):
        assert w == g, (t, w and hex(w), g and hex(g))
        encoded += w is not None
    assert encoded > 300


# ------------------------------------------------------------------ Unicorn

def _sext(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def load_value(op, rt, raw: bytes):
    """What ``rt`` holds after loading ``raw`` (the accessed bytes)."""
    base = _UNSCALED.get(op, op)
    v = int.from_bytes(raw, "little")
    if isinstance(rt, FpReg):
        return v & (2**64 - 1)                 # d view; Q: low half
    if base in ("ldrsb", "ldrsh", "ldrsw"):
        return _sext(v, 8 * len(raw)) % (1 << rt.size)
    return v


GP_NUMS = [0, 1, 5, 12, 16, 17, 29, 30]


def _state_with_random(rng):
    st_ = MachineState()
    st_.x = [rng.getrandbits(64) for _ in range(31)]
    st_.d = [rng.getrandbits(64) for _ in range(32)]
    return st_


@given(OPS, st.sampled_from(GP_NUMS + [31]), st.sampled_from([32, 64, 8, 16, 128, 0]),
       st.sampled_from(GP_NUMS + ["sp"]), MODES, OFFSETS, st.integers(0, 2**32))
def test_unicorn_single(op, rnum, rkind, bnum, mode, offset, seed):
    if rkind == 0:
        rt = GpReg(rnum, 32 if op not in ("ldrsw", "ldursw") else 64)
    elif rkind in (32, 64):
        rt = GpReg(rnum, rkind)
    else:
        rt = FpReg(rnum % 32, rkind)
    base = SP if bnum == "sp" else X[bnum]
    m = Mem(base, offset, mode)
    if model_imm(op, rt, m) is None:
        with pytest.raises(EncodingError):
            ls.encode_ldst(op, rt, m)
        return
    word = ls.encode_ldst(op, rt, m)
    n = model_size(op, rt)
    rng = random.Random(seed)
    memory = rng.randbytes(DATA_SIZE)
    addr = DATA_BASE + 0x4000 + (rng.randrange(0, 0x2000) & ~(n - 1))
    base_val = addr - (offset if mode is not AddrMode.POST else 0)
    if base.is_sp:
        addr = (addr & ~15) + (offset % 16 if mode is not AddrMode.POST else 0)
        base_val = addr - (offset if mode is not AddrMode.POST else 0)
        assume(base_val % 16 == 0 and addr % n == 0)
    state = _state_with_random(rng)
    if base.is_sp:
        state.sp = base_val
    else:
        state.x[base.num] = base_val
    out = run([word], state, memory)
    a = addr - DATA_BASE
    expect_x = list(state.x)
    expect_d = list(state.d)
    expect_mem = bytearray(memory)
    load = ls.is_load(op)
    if load:
        v = load_value(op, rt, memory[a:a + n])
        if isinstance(rt, FpReg):
            expect_d[rt.num] = v
        elif rt.num != 31:
            expect_x[rt.num] = v
    else:
        if isinstance(rt, FpReg):
            src = state.d[rt.num] if n <= 8 else state.d[rt.num]  # Q: upper half 0
            data = src.to_bytes(16 if n == 16 else 8, "little")[:n]
        else:
            src = 0 if rt.num == 31 else state.x[rt.num]
            data = src.to_bytes(8, "little")[:n]
        expect_mem[a:a + n] = data
    expect_sp = state.sp
    if mode is not AddrMode.OFFSET:
        new = (base_val + offset) % 2**64
        if base.is_sp:
            expect_sp = new
        else:
            expect_x[base.num] = new
    assert out.x == expect_x
    assert out.sp == expect_sp
    assert out.memory == bytes(expect_mem)
    if load and isinstance(rt, FpReg) or not load:
        assert out.d == expect_d


@given(st.sampled_from(list(_OPS)), st.sampled_from(GP_NUMS), st.sampled_from([32, 64]),
       st.sampled_from(GP_NUMS + ["sp"]), st.sampled_from(GP_NUMS + ["zr"]),
       st.sampled_from([Extend.UXTW, Extend.SXTW, Extend.UXTX, Extend.SXTX]),
       st.booleans(), st.integers(-0x800, 0x800), st.integers(0, 2**32))
def test_unicorn_register_offset(op, rnum, rsize, bnum, inum, ext, scaled, idx, seed):
    rt = GpReg(rnum, 64 if op == "ldrsw" else rsize)
    n = model_size(op, rt)
    assume(n is not None)
    base = SP if bnum == "sp" else X[bnum]
    wide = ext in (Extend.UXTX, Extend.SXTX)
    index = GpReg(31 if inum == "zr" else inum, 64 if wide else 32)
    assume(index.num != base.num or base.is_sp)
    assume(not (ls.is_load(op) and index.num == rnum and False))
    shift = (n.bit_length() - 1) if scaled and n > 1 else None
    m = Mem(base, index=index, extend=ext, shift=shift)
    word = ls.encode_ldst(op, rt, m)
    rng = random.Random(seed)
    memory = rng.randbytes(DATA_SIZE)
    state = _state_with_random(rng)
    # index register value: extended per the model, negative for SXT*.
    k = 0 if inum == "zr" else idx
    if inum != "zr":
        if ext == Extend.UXTW:
            k = abs(idx)
            state.x[inum] = (rng.getrandbits(32) << 32) | k          # junk high half ignored
        elif ext == Extend.SXTW:
            state.x[inum] = (rng.getrandbits(32) << 32) | (idx & 0xFFFFFFFF)
        else:
            state.x[inum] = idx % 2**64
    scale = (n.bit_length() - 1) if shift else 0
    addr = DATA_BASE + 0x8000 + ((rng.randrange(0, 0x100)) & ~(n - 1))
    base_val = addr - (k << scale)
    if base.is_sp:
        state.sp = base_val
    else:
        state.x[base.num] = base_val
    if index.num == rt.num and not ls.is_load(op) and inum != "zr":
        pass
    out = run([word], state, memory)
    a = addr - DATA_BASE
    exp = list(state.x)
    mem_exp = bytearray(memory)
    if ls.is_load(op):
        if rnum != 31:
            exp[rnum] = load_value(op, rt, memory[a:a + n])
    else:
        mem_exp[a:a + n] = state.x[rnum].to_bytes(8, "little")[:n]
    assert out.x == exp
    assert out.memory == bytes(mem_exp)


@given(st.sampled_from(["ldp", "stp", "ldpsw"]), st.sampled_from(["w", "x", "s", "d", "q"]),
       st.sampled_from(GP_NUMS), st.sampled_from(GP_NUMS), st.sampled_from(GP_NUMS + ["sp"]),
       MODES, st.integers(-64, 63), st.integers(0, 2**32))
def test_unicorn_pairs(op, kind, n1, n2, bnum, mode, k, seed):
    if op == "ldpsw":
        kind = "x"
    mk = {"w": lambda i: W[i], "x": lambda i: X[i], "s": lambda i: S[i],
          "d": lambda i: D[i], "q": lambda i: Q[i]}[kind]
    r1, r2 = mk(n1), mk(n2)
    base = SP if bnum == "sp" else X[bnum]
    n = 4 if op == "ldpsw" else {"w": 4, "x": 8, "s": 4, "d": 8, "q": 16}[kind]
    m = Mem(base, k * n, mode)
    if not model_pair(op, r1, r2, m):
        with pytest.raises(EncodingError):
            ls.encode_ldst_pair(op, r1, r2, m)
        return
    word = ls.encode_ldst_pair(op, r1, r2, m)
    rng = random.Random(seed)
    memory = rng.randbytes(DATA_SIZE)
    state = _state_with_random(rng)
    addr = DATA_BASE + 0x8000 + 16 * rng.randrange(0, 64)
    base_val = addr - (k * n if mode is not AddrMode.POST else 0)
    if base.is_sp:
        state.sp = base_val
    else:
        state.x[base.num] = base_val
    out = run([word], state, memory)
    a = addr - DATA_BASE
    ex, ed, em = list(state.x), list(state.d), bytearray(memory)
    fp = kind in ("s", "d", "q")
    for i, r in enumerate((r1, r2)):
        chunk = memory[a + i * n: a + (i + 1) * n]
        if op == "stp":
            src = state.d[r.num] if fp else state.x[r.num]
            em[a + i * n: a + (i + 1) * n] = src.to_bytes(16, "little")[:n]
        elif fp:
            ed[r.num] = int.from_bytes(chunk, "little") & (2**64 - 1)
        else:
            v = int.from_bytes(chunk, "little")
            ex[r.num] = _sext(v, 32) % 2**64 if op == "ldpsw" else v
    esp = state.sp
    if mode is not AddrMode.OFFSET:
        if base.is_sp:
            esp = base_val + k * n
        else:
            ex[base.num] = base_val + k * n
    assert out.x == ex and out.sp == esp
    assert out.memory == bytes(em)
    assert out.d == ed


# ------------------------------------------------------------------ conformance



def _adapter(text):
    mn, ops = parse(text)
    if mn in ("ldp", "stp", "ldpsw") and len(ops) == 3 and isinstance(ops[2], Mem):
        return lambda: ls.encode_ldst_pair(mn, ops[0], ops[1], ops[2])
    if mn in ls.LDST_OPS and len(ops) == 2 and isinstance(ops[1], Mem):
        return lambda: ls.encode_ldst(mn, ops[0], ops[1])
    return None


def test_conformance_llvm():
    mapped, refused = check_llvm_conformance(_adapter)
    assert mapped >= 280, mapped
    assert len(refused) <= 5, refused
