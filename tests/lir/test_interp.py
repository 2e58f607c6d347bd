"""Reference interpreter: corpus blocks, hand cases, and Unicorn equivalence.

The A64 in CASES is what ``Jit/codegen/autogen.cpp`` emits for each LIR
instruction (function and line cited); Unicorn executes it (assembled by
Keystone) and the interpreter must end in the same registers and NZCV.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import armjit.lir as L
from armjit.lir.interp import Event, InterpError, Interpreter, Machine
from tests.emit.oracles import DATA_BASE, MachineState, ks_words, run

CALLS = {"Call", "VectorCall", "VectorCallTstate", "VarArgCall", "CVarArgCall"}


def test_every_call_free_post_alloc_block_runs(corpus):
    import random
    rnd = random.Random(7)
    kinds = {}
    ran = 0
    for d, stage, text, fn in corpus:
        if stage not in ("regalloc", "postalloc"):
            continue
        for b in fn.blocks:
            if any(i.opcode in CALLS for i in b.instructions):
                continue
            m = Machine()
            m.x = [rnd.getrandbits(64) for _ in range(31)]
            m.x[29], m.sp = 0x7FFF0000, 0x7FFE0000
            m.nzcv = rnd.getrandbits(4) << 28
            it = Interpreter(fn, m)
            ev = it.run(b.id, pred=b.preds[0] if b.preds else None, single_block=True)
            if ev is None:
                assert it.next_block is None or it.next_block in b.succs
                kinds["end"] = kinds.get("end", 0) + 1
            else:
                assert isinstance(ev, Event) and ev.block == b.id
                kinds[ev.kind] = kinds.get(ev.kind, 0) + 1
            ran += 1
    assert ran > 15000
    assert set(kinds) <= {"end", "deopt", "return", "yield"}
    assert kinds["end"] > 10000 and kinds["return"] > 100


def _fn(body: str, succs="") -> L.Function:
    return L.parse("Function:\nBB %0" + succs + "\n" + body + "\n\n")


def _run(body: str, x=None, **kw):
    m = Machine()
    for i, v in (x or {}).items():
        m.x[i] = v
    it = Interpreter(_fn(body), m, **kw)
    ev = it.run()
    return it.m, ev


def test_two_address_and_subword_rules():
    # 8-bit add in W registers is not truncated (getGpWiden, autogen.h:140-151)
    m, _ = _run("                   Add W0:8bit, W1:8bit", {0: 0xFF, 1: 0x02})
    assert m.x[0] == 0x101
    # a W write clears the top half of X
    m, _ = _run("        W2:32bit = Add W0:32bit, W1:32bit", {0: 0xFFFFFFFF, 1: 1, 2: 2**64 - 1})
    assert m.x[2] == 0
    # Move of an Object immediate is a full 64-bit address; other Imm at dest width
    m, _ = _run("        W1:32bit = Move 18446744073709551615(0xffffffffffffffff):64bit\n"
                "       X2:Object = Move 18446744073709551615(0xffffffffffffffff):Object")
    assert m.x[1] == 0xFFFFFFFF and m.x[2] == 2**64 - 1


def test_memory_little_endian_and_sized_accesses():
    body = ("[X1:Object + 0x8]:32bit = Store X0:64bit\n"
            "         W2:8bit = Load [X1:Object + 0x9]:8bit\n"
            "        W3:16bit = Load [X1:Object + 0x8]:16bit\n"
            "        X4:64bit = Load [X1:Object + 0x8]:64bit\n"
            "[X1:Object + %s]:8bit = Store 511(0x1ff):64bit" % "0x20")
    m, _ = _run(body, {0: 0x1122334455667788, 1: 0x1000})
    assert m.x[2] == 0x77 and m.x[3] == 0x7788 and m.x[4] == 0x55667788
    assert m.load(0x1020, 1) == 0xFF and m.load(0x1021, 1) == 0
    m.strict_memory = True
    with pytest.raises(InterpError):
        m.load(0x5000, 8)


def test_load_pair_store_pair_lea_stack():
    body = ("                   StorePair 16(0x10):64bit, X1:Object, X2:Object, 0(0x0):64bit\n"
            "        X3:64bit = LoadPair 16(0x10):64bit, X1:64bit, X4:64bit\n"
            "       X5:Object = Lea [X29(-16)]:Object\n"
            "[X29(-16)]:64bit = Store X2:64bit\n"
            "         W6:8bit = Zext [X29(-16)]:8bit\n"
            "        X7:64bit = Sext [X29(-16)]:8bit")
    m, _ = _run(body, {1: 0x2000, 2: 0xABCDEF80, 4: 99, 29: 0x3000})
    assert (m.x[3], m.x[4]) == (0xABCDEF80, 0)
    assert m.x[5] == 0x3000 - 16
    assert m.x[6] == 0x80 and m.x[7] == 2**64 - 0x80


def test_branches_phi_and_events():
    fn = L.parse("""Function:
BB %0 - succs: %1 %2
        X0:64bit = Move 3(0x3):64bit
                   Cmp X0:64bit, 3(0x3):64bit
                   BranchE BB%2

BB %1 - preds: %0 - succs: %2
        X0:64bit = Move 7(0x7):64bit

BB %2 - preds: %0 %1 - succs: %3 %4
        X1:64bit = Phi (BB%0, X0:64bit), (BB%1, 5(0x5):64bit)
                   Call 4096(0x1000):Object
                   CmpBranchZero X0:64bit, BB%4

BB %3 - preds: %2
                   Guard 4(0x4):64bit, 9(0x9):64bit, X1:64bit, 0(0x0):64bit, X1:64bit

BB %4 - preds: %2
                   EpilogueEnd X0:64bit

""")
    L.verify(fn, "regalloc")
    it = Interpreter(fn)
    ev = it.run()
    assert ev.kind == "call" and ev.target == 0x1000 and ev.args[0] == 3
    assert it.m.x[1] == 3                    # Phi took the BB%0 input
    ev = it.resume(0)                        # call returns 0 -> cbz taken
    assert ev.kind == "return" and ev.block == 4
    it = Interpreter(fn, call=lambda e: 1)   # returns 1 -> falls into BB%3, guard passes
    ev = it.run()
    assert it.m.x[1] == 3 and ev is None and it.next_block is None
    m = Machine()
    it = Interpreter(fn, m, call=lambda e: 1)
    m.x[0] = 0
    ev = it.run(3, pred=2)                   # X1 == 0: NotZero guard fails
    assert ev.kind == "deopt" and ev.target == 9


def test_unsupported_and_step_limit():
    with pytest.raises(InterpError):
        _run("                   LShift W0:8bit, 1(0x1):64bit")     # getReg aborts on 8-bit
    fn = L.parse("Function:\nBB %0 - preds: %0 - succs: %0\n"
                 "                   Branch BB%0\n\n")
    with pytest.raises(InterpError):
        Interpreter(fn).run(pred=0, max_steps=50)


# ---------------------------------------------------------------------------
# Unicorn equivalence.  (LIR text, A64 text, registers read, flags compared?)

def _case(lir, asm, regs, flags=False):
    return (lir, asm, regs, flags)


P = "                   "
CASES = []
for w, (r, dt) in {8: ("w", "8bit"), 16: ("w", "16bit"), 32: ("w", "32bit"),
                   64: ("x", "64bit")}.items():
    R = r.upper()
    # translateAddSubOp l.2267 / translateLogicalOp l.2310 / translateMul l.2359
    for op, mn in (("Add", "add"), ("Sub", "sub"), ("And", "and"), ("Or", "orr"),
                   ("Xor", "eor"), ("Mul", "mul")):
        CASES.append(_case(f"{P}{op} {R}0:{dt}, {R}1:{dt}", f"{mn} {r}0, {r}0, {r}1", (0, 1)))
        out = f"{R}2:{dt}".rjust(16)
        CASES.append(_case(f"{out} = {op} {R}0:{dt}, {R}1:{dt}", f"{mn} {r}2, {r}0, {r}1", (0, 1)))
    CASES.append(_case(f"{P}Add {R}0:{dt}, 4095(0xfff):64bit", f"add {r}0, {r}0, #4095", (0,)))
    CASES.append(_case(f"{P}Sub {R}0:{dt}, 7(0x7):64bit", f"sub {r}0, {r}0, #7", (0,)))
    CASES.append(_case(f"{P}And {R}0:{dt}, 255(0xff):64bit", f"and {r}0, {r}0, #0xff", (0,)))
    CASES.append(_case(f"{P}Or {R}0:{dt}, 65280(0xff00):64bit", f"orr {r}0, {r}0, #0xff00", (0,)))
    # translateNegate / translateInvert l.2230-2265
    CASES.append(_case(f"{P}Negate {R}0:{dt}", f"neg {r}0, {r}0", (0,)))
    CASES.append(_case(f"{P}Invert {R}0:{dt}", f"mvn {r}0, {r}0", (0,)))
    # translateIncDecOp l.2542: adds/subs #1, flags matter
    CASES.append(_case(f"{P}Inc {R}0:{dt}", f"adds {r}0, {r}0, #1", (0,), True))
    CASES.append(_case(f"{P}Dec {R}0:{dt}", f"subs {r}0, {r}0, #1", (0,), True))
    # translateCmp l.2518 + cmp_immediate (arch.cpp:72-86)
    CASES.append(_case(f"{P}Cmp {R}0:{dt}, {R}1:{dt}", f"cmp {r}0, {r}1", (0, 1), True))
    CASES.append(_case(f"{P}Cmp {R}0:{dt}, 291(0x123):64bit", f"cmp {r}0, #0x123", (0,), True))
    CASES.append(_case(f"{P}Cmp {R}0:{dt}, 18446744073709551611(0xfffffffffffffffb):64bit",
                       f"cmn {r}0, #5", (0,), True))
    CASES.append(_case(f"{P}Cmp {R}0:{dt}, 305419896(0x12345678):64bit",
                       f"mov {r}13, #0x5678; movk {r}13, #0x1234, lsl #16; cmp {r}0, {r}13",
                       (0,), True))
    # TranslateCompare l.477-537: cmp then cset into the W output
    for cname, cc in (("LessThanSigned", "lt"), ("GreaterThanUnsigned", "hi"),
                      ("Equal", "eq"), ("LessThanEqualUnsigned", "ls")):
        CASES.append(_case(f"         W2:8bit = {cname} {R}0:{dt}, {R}1:{dt}",
                           f"cmp {r}0, {r}1; cset w2, {cc}", (0, 1), True))
    # translateTst l.2586: 8/16-bit via lsl #24/#16 through w13
    if w in (8, 16):
        s = 32 - w
        CASES.append(_case(f"{P}Test {R}0:{dt}, {R}1:{dt}",
                           f"lsl w13, w0, #{s}; tst w13, w1, lsl #{s}", (0, 1), True))
        # translateSelect l.2614: 8/16-bit condition masked in place
        CASES.append(_case(f"        X2:64bit = Select {R}0:{dt}, X1:64bit, X3:64bit",
                           f"and w0, w0, #{(1 << w) - 1}; cmp w0, #0; csel x2, x1, x3, ne",
                           (0, 1, 3), True))
        # translateMovExtOp l.2105: uxtb/uxth, sxtb/sxth
        e = "b" if w == 8 else "h"
        CASES.append(_case(f"        W2:32bit = Zext W0:{dt}", f"uxt{e} w2, w0", (0,)))
        CASES.append(_case(f"        X2:64bit = Sext W0:{dt}", f"sxt{e} x2, w0", (0,)))
        CASES.append(_case(f"        W2:32bit = Sext W0:{dt}", f"sxt{e} w2, w0", (0,)))
    else:
        CASES.append(_case(f"{P}Test {R}0:{dt}, {R}1:{dt}", f"tst {r}0, {r}1", (0, 1), True))
        # translateShift l.1535 (32/64 only), translateDivOp l.2399
        for op, mn in (("LShift", "lsl"), ("RShift", "asr"), ("RShiftUn", "lsr")):
            CASES.append(_case(f"{P}{op} {R}0:{dt}, {R}1:{dt}", f"{mn} {r}0, {r}0, {r}1", (0, 1)))
            CASES.append(_case(f"{P}{op} {R}0:{dt}, 5(0x5):64bit", f"{mn} {r}0, {r}0, #5", (0,)))
        for op, mn in (("Div", "sdiv"), ("DivUn", "udiv")):
            out = f"{R}2:{dt}".rjust(16)
            CASES.append(_case(f"{out} = {op} {R}0:{dt}, {R}1:{dt}", f"{mn} {r}2, {r}0, {r}1",
                               (0, 1)))
        CASES.append(_case(f"         W2:8bit = IntToBool {R}0:{dt}", f"cmp {r}0, #0; cset w2, ne",
                           (0,), True))
        CASES.append(_case(f"{R}0:{dt}".rjust(16) + f" = Exchange {R}1:{dt}",
                           f"mov {r}13, {r}0; mov {r}0, {r}1; mov {r}1, {r}13", (0, 1)))
CASES += [
    _case(f"{P}Test32 W0:32bit, W1:32bit", "tst w0, w1", (0, 1), True),
    _case("        X2:64bit = Sext W0:32bit", "sxtw x2, w0", (0,)),
    _case("        W2:32bit = Zext W0:32bit", "mov w2, w0", (0,)),
    _case("        X2:64bit = MulAdd X0:64bit, X1:64bit, X3:64bit", "madd x2, x0, x1, x3",
          (0, 1, 3)),
    _case("        W2:32bit = MulAdd W0:32bit, W1:32bit, W3:32bit", "madd w2, w0, w1, w3",
          (0, 1, 3)),
    _case("        X2:64bit = A64SelectCC 4(0x4):64bit, X0:64bit, X1:64bit",
          "csel x2, x0, x1, lt", (0, 1)),
    _case("        W2:32bit = Move W0:32bit", "mov w2, w0", (0,)),
]


@functools.lru_cache(maxsize=None)
def _words(asm):
    words = ks_words(asm)
    assert words, asm
    return tuple(words)


def _check(case, vals, nzcv):
    lir, asm, regs, flags = case
    x = [0x0123456789ABCDEF * (i + 1) & (2**64 - 1) for i in range(31)]
    for r, v in zip(regs, vals):
        x[r] = v
    x[29], x[30] = 0, 0
    uni = run(_words(asm), MachineState(x=list(x), nzcv=nzcv))
    m = Machine()
    m.x = list(x)
    m.nzcv = nzcv
    fn = _fn(lir)
    Interpreter(fn, m).run()
    assert m.x[:16] == uni.x[:16], (lir, asm, [hex(v) for v in vals])
    if flags:
        assert m.nzcv == uni.nzcv, (lir, asm, [hex(v) for v in vals])


EDGE = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000,
        0xFFFFFFFF, 0x100000000, 2**63 - 1, 2**63, 2**64 - 1, 0x123]


def test_unicorn_edge_values():
    assert len(CASES) > 100
    for k, case in enumerate(CASES):
        n = len(case[2])
        for j in range(4):
            vals = [EDGE[(k * 7 + j * 5 + i * 3) % len(EDGE)] for i in range(n)]
            _check(case, vals, (k % 16) << 28)


@given(st.sampled_from(CASES),
       st.lists(st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 2**32 - 1),
                          st.integers(0, 0xFFFF), st.integers(0, 0xFF), st.sampled_from(EDGE)),
                min_size=3, max_size=3),
       st.integers(0, 15))
def test_unicorn_matches_interpreter(case, vals, flags):
    _check(case, vals, flags << 28)


@given(st.binary(min_size=16, max_size=16), st.integers(0, 7))
def test_unicorn_loads(data, off):
    """Load 8/16/32/64 zero-extends (loadToReg, autogen.cpp:1700-1720)."""
    lir = (f"         W0:8bit = Load [X5:Object + {off:#x}]:8bit\n" if off else
           "         W0:8bit = Load [X5:Object]:8bit\n")
    o = f" + {off:#x}" if off else ""
    lir = (f"         W0:8bit = Load [X5:Object{o}]:8bit\n"
           f"        W1:16bit = Load [X5:Object{o}]:16bit\n"
           f"        W2:32bit = Load [X5:Object{o}]:32bit\n"
           f"        X3:64bit = Load [X5:Object{o}]:64bit\n"
           f"[X5:Object + 0x20]:16bit = Store X3:64bit\n"
           f"[X5:Object + 0x30]:32bit = Store W2:32bit")
    asm = (f"ldrb w0, [x5, #{off}]; ldrh w1, [x5, #{off}]; ldr w2, [x5, #{off}]; "
           f"ldr x3, [x5, #{off}]; strh w3, [x5, #0x20]; str w2, [x5, #0x30]")
    x = [2**64 - 1] * 31
    x[5] = DATA_BASE
    mem = bytes(data)
    uni = run(_words(asm), MachineState(x=list(x)), memory=mem)
    m = Machine()
    m.x = list(x)
    for i, b in enumerate(mem):
        m.mem[DATA_BASE + i] = b
    Interpreter(_fn(lir), m).run()
    assert m.x[:6] == uni.x[:6]
    assert bytes(m.load(DATA_BASE + i, 1) for i in range(0x40)) == uni.memory[:0x40]
