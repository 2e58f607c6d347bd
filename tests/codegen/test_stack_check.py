"""armjit's stack-limit check at the vectorcall entry (issue 12, "beyond CinderX").

With the ``stack_check`` process fact (the live path supplies it) the entry
reads the thread state from TPIDR_EL0, compares SP with its
``c_stack_soft_limit`` and, below it, calls ``_Py_CheckRecursiveCall``: 0 goes
on with the arguments intact, non-zero returns NULL through the prologue exit.
Without the fact the code is byte-identical to before (the dev-corpus digests
of tests/codegen/test_output_stable.py).  Emulated in Unicorn from the entry.
"""

import struct

import capstone
import pytest
from unicorn import UC_ARCH_ARM64, UC_MODE_ARM, Uc
from unicorn.arm64_const import (UC_ARM64_REG_PC, UC_ARM64_REG_SP, UC_ARM64_REG_TPIDR_EL0,
                                 UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2,
                                 UC_ARM64_REG_X3, UC_ARM64_REG_X29, UC_ARM64_REG_X30)

from armjit.codegen.function import compile_function, process_facts
from armjit.codegen.meta import MetaError, check_facts, load_dump
from armjit.corpus.dev import function_dirs
from armjit.emit import X, Assembler
from armjit.lir import parse

BASE = 0x10_0000
TP = 0x40_0000            # thread pointer page
TSTATE = 0x50_0000        # a fake thread state
CHECK = 0x60_0000         # a fake _Py_CheckRecursiveCall
WHERE = 0x60_1000
STACK_TOP = 0x80_0000
RETURN = 0x70_0000        # where the prologue exit returns to
FACT = {"tstate_tls": 24, "soft_limit": 848, "check": CHECK, "where": WHERE}


def _dump():
    return load_dump(next(iter(function_dirs())))


def _compile(stack_check):
    dump = _dump()
    facts = dict(process_facts(dump.path))
    if stack_check:
        facts["stack_check"] = stack_check
    return compile_function(parse(dump.lir), dump.meta, facts, BASE)


def _text(code, start, n):
    md = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)
    return [f"{i.mnemonic} {i.op_str}".strip()
            for i in md.disasm(code[start:start + 4 * n], BASE + start)]


def test_the_check_is_at_the_vectorcall_entry_and_absent_without_the_fact():
    plain, checked = _compile(None), _compile(FACT)
    v = checked.entries["vectorcall"]
    assert plain.entries["vectorcall"] == v
    assert _text(checked.code, v, 7) == [
        "stp x29, x30, [sp, #-0x10]!", "mov x29, sp",
        "mrs x16, tpidr_el0", "ldr x16, [x16, #0x18]", "ldr x16, [x16, #0x350]",
        "cmp sp, x16", _text(checked.code, v + 24, 1)[0]]
    assert _text(checked.code, v + 24, 1)[0].startswith("b.lo #")
    # after the check comes the plain function's code, 5 words later (the
    # same instructions; pc-relative targets differ by the shift)
    after = [t.split(" #")[0] for t in _text(checked.code, v + 28, 24)]
    assert after == [t.split(" #")[0] for t in _text(plain.code, v + 8, 24)]
    assert len(checked.code) > len(plain.code)
    assert "mrs" not in " ".join(_text(plain.code, 0, len(plain.code) // 4))


def _emulate(soft_limit, check_returns):
    cf = _compile(FACT)
    mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
    for base, size in ((BASE, 1 << 20), (TP, 4096), (TSTATE, 4096), (CHECK, 8192),
                       (STACK_TOP - (1 << 16), 1 << 16), (RETURN, 4096)):
        mu.mem_map(base, size)
    mu.mem_write(BASE, cf.code)
    mu.mem_write(TP + 24, struct.pack("<Q", TSTATE))
    mu.mem_write(TSTATE + 848, struct.pack("<Q", soft_limit))
    a = Assembler(base=CHECK)       # the fake checker: w0 = check_returns; clobbers x1-x3
    a.mov(X[0], check_returns)
    for r in (1, 2, 3, 9, 16, 17):
        a.mov(X[r], 0xBAD)
    a.ret()
    mu.mem_write(CHECK, a.finalize().code)
    sp = STACK_TOP - 0x100
    mu.reg_write(UC_ARM64_REG_SP, sp)
    mu.reg_write(UC_ARM64_REG_TPIDR_EL0, TP)
    mu.reg_write(UC_ARM64_REG_X30, RETURN)
    args = (0x1111, 0x2222, 0x3333, 0x4444)
    for reg, val in zip((UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2, UC_ARM64_REG_X3), args):
        mu.reg_write(reg, val)
    entry = BASE + cf.entries["vectorcall"]
    checked = entry + 8 + 20            # after stp/mov and the five words of the check
    calls = []
    mu.hook_add(1 << 2, lambda uc, addr, size, _: calls.append(addr),    # UC_HOOK_CODE
                begin=CHECK, end=CHECK)
    stops = {checked, RETURN}
    pc = entry
    for _ in range(10_000):
        mu.emu_start(pc, 0, count=1)
        pc = mu.reg_read(UC_ARM64_REG_PC)
        if pc in stops:
            break
    regs = [mu.reg_read(r) for r in (UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2,
                                     UC_ARM64_REG_X3)]
    return pc, checked, regs, mu.reg_read(UC_ARM64_REG_SP), sp, len(calls), \
        mu.reg_read(UC_ARM64_REG_X29)


def test_above_the_soft_limit_the_call_goes_on_without_calling_anything():
    pc, checked, regs, sp, sp0, calls, _ = _emulate(soft_limit=0x1000, check_returns=1)
    assert pc == checked and calls == 0
    assert regs == [0x1111, 0x2222, 0x3333, 0x4444] and sp == sp0 - 16


def test_below_the_soft_limit_a_zero_from_the_check_goes_on_with_the_arguments():
    pc, checked, regs, sp, sp0, calls, _ = _emulate(soft_limit=STACK_TOP, check_returns=0)
    assert pc == checked and calls == 1
    assert regs == [0x1111, 0x2222, 0x3333, 0x4444] and sp == sp0 - 16


def test_below_the_soft_limit_an_error_returns_null_to_the_caller():
    pc, checked, regs, sp, sp0, calls, fp = _emulate(soft_limit=STACK_TOP, check_returns=1)
    assert pc == RETURN and calls == 1
    assert regs[0] == 0 and sp == sp0      # NULL, the frame popped


@pytest.mark.parametrize("bad, match", [
    ({**FACT, "tstate_tls": 20}, "tstate_tls"),
    ({**FACT, "soft_limit": -8}, "soft_limit"),
    ({**FACT, "check": 3}, "check"),
    ({k: v for k, v in FACT.items() if k != "where"}, "must be a dict"),
])
def test_a_malformed_stack_check_fact_is_refused(bad, match):
    with pytest.raises(MetaError, match=match):
        check_facts({"stack_check": bad})
