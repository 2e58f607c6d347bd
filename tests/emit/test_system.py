"""System encoders (armjit.emit.system) against GNU as, Capstone, Keystone, LLVM data
and Unicorn."""

from __future__ import annotations


import pytest
from hypothesis import given, strategies as st

from armjit.emit import system as sy
from armjit.emit.errors import EncodingError
from armjit.emit.operands import SP, WZR, XZR, W, X
from tests.emit.a64_text import Name, parse
from tests.emit.oracles import check_llvm_conformance
from tests.emit.oracles import MachineState, decode, gas_words_each, ks_words, nzcv, run

# (call, expected word, Capstone text).  Words: GNU as 2.4x output for the text
# in the comment (re-checked live by test_table_words_match_gnu_as).
TABLE = [
    (lambda: sy.encode_nop(), 0xD503201F, "nop", "nop"),
    (lambda: sy.encode_yield(), 0xD503203F, "yield", "yield"),
    (lambda: sy.encode_wfe(), 0xD503205F, "wfe", "wfe"),
    (lambda: sy.encode_sevl(), 0xD50320BF, "sevl", "sevl"),
    (lambda: sy.encode_hint(0x22), 0xD503245F, "bti c", "hint #0x22"),
    (lambda: sy.encode_hint(127), 0xD5032FFF, "hint #0x7f", "hint #127"),
    (lambda: sy.encode_brk(0xF000), 0xD43E0000, "brk #0xf000", "brk #0xf000"),
    (lambda: sy.encode_brk(), 0xD4200000, "brk #0", "brk #0"),
    (lambda: sy.encode_udf(0x1234), 0x00001234, "udf #0x1234", "udf #0x1234"),
    (lambda: sy.encode_hlt(1), 0xD4400020, "hlt #1", "hlt #1"),
    (lambda: sy.encode_svc(), 0xD4000001, "svc #0", "svc #0"),
    (lambda: sy.encode_dmb("ish"), 0xD5033BBF, "dmb ish", "dmb ish"),
    (lambda: sy.encode_dmb("ishld"), 0xD50339BF, "dmb ishld", "dmb ishld"),
    (lambda: sy.encode_dmb("ishst"), 0xD5033ABF, "dmb ishst", "dmb ishst"),
    (lambda: sy.encode_dsb(), 0xD5033F9F, "dsb sy", "dsb sy"),
    (lambda: sy.encode_dsb("oshst"), 0xD503329F, "dsb oshst", "dsb oshst"),
    (lambda: sy.encode_isb(), 0xD5033FDF, "isb", "isb"),
    (lambda: sy.encode_mrs(X[3], "tpidr_el0"), 0xD53BD043, "mrs x3, tpidr_el0",
     "mrs x3, tpidr_el0"),
    (lambda: sy.encode_msr("nzcv", X[4]), 0xD51B4204, "msr nzcv, x4", "msr nzcv, x4"),
    (lambda: sy.encode_mrs(X[0], "fpcr"), 0xD53B4400, "mrs x0, fpcr", "mrs x0, fpcr"),
    (lambda: sy.encode_msr("fpsr", XZR), 0xD51B443F, "msr fpsr, xzr", "msr fpsr, xzr"),
    (lambda: sy.encode_mrs(X[1], "ctr_el0"), 0xD53B0021, "mrs x1, ctr_el0", "mrs x1, ctr_el0"),
    (lambda: sy.encode_mrs(X[1], "cntvct_el0"), 0xD53BE041, "mrs x1, cntvct_el0",
     "mrs x1, cntvct_el0"),
    (lambda: sy.encode_dc_cvau(X[2]), 0xD50B7B22, "dc cvau, x2", "dc cvau, x2"),
    (lambda: sy.encode_ic_ivau(X[2]), 0xD50B7522, "ic ivau, x2", "ic ivau, x2"),
]


@pytest.mark.parametrize("call,word,text,gas", TABLE, ids=[t[3] for t in TABLE])
def test_table(call, word, text, gas):
    assert call() == word
    assert decode(word) == text


def test_table_words_match_gnu_as():
    assert gas_words_each([t[3] for t in TABLE]) == [t[1] for t in TABLE]


def _check(word, text):
    words = ks_words(text)
    if words is None:                 # Keystone lacks udf and some hints
        words = gas_words_each([text])
    assert words == [word], (text, words, hex(word))


@given(st.one_of(st.integers(-3, 130), st.sampled_from([0, 1, 127, 128, -1])))
def test_hint(imm):
    if not 0 <= imm <= 127:
        with pytest.raises(EncodingError):
            sy.encode_hint(imm)
        return
    word = sy.encode_hint(imm)
    assert word == 0xD503201F + (imm << 5)
    assert decode(word) is not None
    _check(word, f"hint #{imm}")


IMM16 = st.one_of(st.integers(-2, 0x10001), st.sampled_from([0, 0xFFFF, 0x10000, -1]))


@given(st.sampled_from(["brk", "hlt", "svc", "udf"]), IMM16)
def test_imm16(mn, imm):
    enc = getattr(sy, f"encode_{mn}")
    if not 0 <= imm <= 0xFFFF:
        with pytest.raises(EncodingError):
            enc(imm)
        return
    word = enc(imm)
    got = decode(word)
    assert got == f"{mn} #{imm if imm < 10 else hex(imm)}", got
    _check(word, f"{mn} #{imm}")


@given(st.sampled_from(["dmb", "dsb"]),
       st.sampled_from(list(sy.BARRIER_OPTIONS) + ["ISH", "bogus", "", 11, None]))
def test_barriers(mn, option):
    enc = getattr(sy, f"encode_{mn}")
    if not (isinstance(option, str) and option.lower() in sy.BARRIER_OPTIONS):
        with pytest.raises(EncodingError):
            enc(option)
        return
    word = enc(option)
    assert decode(word) == f"{mn} {option.lower()}"
    _check(word, f"{mn} {option.lower()}")


REGS = st.sampled_from([X[0], X[1], X[16], X[17], X[30], XZR, SP, W[0], WZR])


@given(st.sampled_from(list(sy.SYSREGS) + ["elr_el1", "TPIDR_EL0"]), REGS,
       st.sampled_from(["mrs", "msr"]))
def test_sysreg_moves(name, reg, mn):
    legal = (name.lower() in sy.SYSREGS and reg.size == 64 and not reg.is_sp
             and not (mn == "msr" and name.lower() in
                      ("ctr_el0", "dczid_el0", "cntvct_el0", "cntfrq_el0")))
    call = (lambda: sy.encode_mrs(reg, name)) if mn == "mrs" else \
        (lambda: sy.encode_msr(name, reg))
    if not legal:
        with pytest.raises(EncodingError):
            call()
        return
    word = call()
    text = f"mrs {reg}, {name.lower()}" if mn == "mrs" else f"msr {name.lower()}, {reg}"
    assert decode(word) == text
    _check(word, text)


@given(st.integers(0, 7), st.integers(0, 15), st.integers(0, 15), st.integers(0, 7),
       st.sampled_from([X[0], X[9], XZR, SP, W[1]]))
def test_sys(op1, crn, crm, op2, rt):
    if rt.is_sp or rt.size != 64:
        with pytest.raises(EncodingError):
            sy.encode_sys(op1, crn, crm, op2, rt)
        return
    word = sy.encode_sys(op1, crn, crm, op2, rt)
    assert gas_words_each([f"sys #{op1}, c{crn}, c{crm}, #{op2}, {rt}"]) == [word]


@pytest.mark.parametrize("call", [
    lambda: sy.encode_sys(8, 0, 0, 0, X[0]), lambda: sy.encode_sys(0, 16, 0, 0, X[0]),
    lambda: sy.encode_dc_cvau(XZR), lambda: sy.encode_ic_ivau(SP),
    lambda: sy.encode_hint(True), lambda: sy.encode_brk(1.0),
])
def test_invalid_refused(call):
    with pytest.raises(EncodingError):
        call()


# ------------------------------------------------------------------ Unicorn

@given(st.integers(0, 15), st.sampled_from([1, 5, 16, 30]), st.integers(0, 2**64 - 1))
def test_unicorn_nzcv_roundtrip(flags, num, junk):
    """msr nzcv, xN then mrs xM, nzcv: flags are bits 31..28, the rest reads 0."""
    state = MachineState()
    state.x[num] = (junk & ~0xF0000000) | (flags << 28)
    out = run([sy.encode_msr("nzcv", X[num]), sy.encode_mrs(X[2], "nzcv")], state)
    n, z, c, v = (flags >> 3) & 1, (flags >> 2) & 1, (flags >> 1) & 1, flags & 1
    assert out.nzcv == nzcv(n, z, c, v)
    assert out.x[2] == flags << 28


@given(st.integers(0, 2**64 - 1), st.sampled_from([0, 7, 28]))
def test_unicorn_tpidr_roundtrip(value, dst):
    state = MachineState()
    state.x[1] = value
    out = run([sy.encode_msr("tpidr_el0", X[1]), sy.encode_mrs(X[dst], "tpidr_el0")], state)
    assert out.x[dst] == value


def test_unicorn_hints_and_barriers_are_no_ops():
    state = MachineState()
    state.x[3] = 0x1234
    words = [sy.encode_nop(), sy.encode_dmb("ish"), sy.encode_dsb("sy"), sy.encode_isb(),
             sy.encode_dmb("ishld"), sy.encode_yield()]
    out = run(words, state)
    assert out.x[3] == 0x1234 and out.pc == 0x10000 + 4 * len(words)


# ------------------------------------------------------------------ conformance

_SIMPLE = {"nop", "yield", "wfe", "wfi", "sev", "sevl", "isb"}


def _adapter(text):
    mn, ops = parse(text)
    if mn in _SIMPLE:
        if ops:
            return "refuse"                 # e.g. "isb #12": numeric options unsupported
        return getattr(sy, f"encode_{mn}")
    if mn in ("brk", "hlt", "svc", "hint", "udf") and len(ops) == 1:
        return lambda: getattr(sy, f"encode_{mn}")(ops[0].value)
    if mn in ("dmb", "dsb") and len(ops) == 1:
        o = ops[0]
        return lambda: getattr(sy, f"encode_{mn}")(o.text if isinstance(o, Name) else o.value)
    if mn == "mrs" and len(ops) == 2 and isinstance(ops[1], Name):
        if ops[1].text in sy.SYSREGS:
            return lambda: sy.encode_mrs(ops[0], ops[1].text)
    if mn == "msr" and len(ops) == 2 and isinstance(ops[0], Name):
        if ops[0].text in sy.SYSREGS:
            return lambda: sy.encode_msr(ops[0].text, ops[1])
    if mn == "ic" and text.split()[1].rstrip(",") == "ivau":
        return lambda: sy.encode_ic_ivau(ops[1])
    if mn == "dc" and text.split()[1].rstrip(",") == "cvau":
        return lambda: sy.encode_dc_cvau(ops[1])
    return None


def test_conformance_llvm():
    mapped, refused = check_llvm_conformance(_adapter)
    # refused: "dmb #0", "dmb #12", "isb #12" (numeric options), "msr CNTFRQ_EL0" (EL1)
    assert mapped >= 50 and len(refused) <= 5, (mapped, refused)
