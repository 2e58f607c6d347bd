"""armjit.runtime.genfacts on the dev corpus's generator (heapq:merge): the
facts it reads from CinderX's code and the LIR, and every refusal of
check_generator (a fake process memory stands in for CinderX's data)."""

import struct

import pytest

from armjit.codegen.meta import facts_of_dump, load_dump
from armjit.cinderxlog import listing_facts
from armjit.corpus.dev import function_dirs
from armjit.lir import parse
from armjit.runtime import genfacts as g

ALLOC = 0x55019A5980            # rt::allocateGenAndInterpreterFrame in the corpus process
CODE_RT = 0x113F000             # the LIR's x2 before that call
CF = 0x7777000                  # a CompiledFunction address


@pytest.fixture(scope="module")
def merge():
    path = next(d for d in function_dirs() if d.parts[-2:] == ("heapq", "merge"))
    dump = load_dump(path)
    return dump, parse(dump.lir)


def test_facts_from_cinderx_code_and_lir(merge):
    dump, fn = merge
    base = dump.meta["code_address"]
    pts = g.cinderx_yield_points(dump.binary)
    # the listing's GenYieldPoint*s, in code order (24 bytes apart: a deque)
    assert pts == facts_of_dump(dump, listing_facts)["gen_yield_points"]
    assert pts == [0x12C5EC0 + 24 * k for k in range(7)]
    off, gi = g.cinderx_resume_entry(dump.binary)
    assert (base + off, gi) == (0x5502E04A4C, 0x158)
    code_rt, yields = g.lir_generator_facts(fn, ALLOC)
    assert code_rt == CODE_RT
    inv = g.INVALID_YIELD_FROM_OFFSET
    assert yields == [(0, inv), (64, inv), (87, -22), (69, inv), (60, inv), (86, -36), (67, inv)]


def _memory(dump, fn, **bad):
    """A fake process memory holding what check_generator reads."""
    base = dump.meta["code_address"]
    off, _ = g.cinderx_resume_entry(dump.binary)
    _, yields = g.lir_generator_facts(fn, ALLOC)
    mem = {ALLOC: b"\0" * 16 + b"".join(struct.pack("<I", w) for w in g.ALLOC_WORDS)}
    mem[CODE_RT + g.CODE_RT_COMPILED_FUNCTION] = struct.pack("<Q", bad.get("cf", CF))
    mem[CODE_RT + g.CODE_RT_GEN_RESUME_ENTRY] = struct.pack("<Q", bad.get("entry", base + off))
    for k, p in enumerate(g.cinderx_yield_points(dump.binary)):
        idx, yfo = yields[k]                       # code order == LIR order here
        target = bad.get("target", base + 0x100)
        mem[p] = struct.pack("<QQq", target, idx, bad.get("yfo", yfo) if k == 2 else yfo)

    def peek(addr, n):
        if addr == ALLOC:
            return mem[ALLOC].ljust(n, b"\0")
        return mem[addr][:n]
    return peek


def test_check_generator_accepts_the_consistent_process(merge):
    dump, fn = merge
    facts = g.check_generator(fn, dump.binary, dump.meta["code_address"], ALLOC, CF,
                              _memory(dump, fn), CODE_RT)
    assert facts["gen_yield_points"] == g.cinderx_yield_points(dump.binary)
    assert facts["gi_jit_data_offset"] == 0x158
    assert facts["gen_yield_point_offset"] == 0x18 and facts["gen_resume_entry_offset"] == 0x20
    assert facts["gen_yield_records"][2] == (87, -22)


@pytest.mark.parametrize("bad, stage2, msg", [
    ({"cf": CF + 8}, CODE_RT, "compiled_function_"),
    ({"entry": 0x1234}, CODE_RT, "gen_resume_entry_"),
    ({"target": 0x1000}, CODE_RT, "resume target"),
    ({"yfo": -21}, CODE_RT, "yield-from offset -22"),
    ({}, CODE_RT + 16, "is not the deopt exit's"),
])
def test_check_generator_refuses_any_inconsistency(merge, bad, stage2, msg):
    dump, fn = merge
    with pytest.raises(g.GenFactsError, match=msg):
        g.check_generator(fn, dump.binary, dump.meta["code_address"], ALLOC, CF,
                          _memory(dump, fn, **bad), stage2)


def test_check_generator_refuses_unknown_allocator_code(merge):
    dump, fn = merge
    with pytest.raises(g.GenFactsError, match="not the code armjit knows"):
        g.check_generator(fn, dump.binary, dump.meta["code_address"], ALLOC, CF,
                          lambda a, n: b"\0" * n, CODE_RT)


def test_footer_move_through_registers():
    fn = parse("""Function:
BB %0 - succs: %1

BB %1 - preds: %0
        X2:64bit = Move 4096(0x1000):64bit
                   Call 8192(0x2000):Object
      X20:Object = Move X0:Object
       X0:Object = Move X1:Object
      X29:Object = Move X0:Object
""")
    assert g.lir_generator_facts(fn, 0x2000) == (0x1000, [])
    bad = parse("""Function:
BB %0 - succs: %1

BB %1 - preds: %0
        X2:64bit = Move 4096(0x1000):64bit
                   Call 8192(0x2000):Object
       X1:Object = Move X0:Object
      X29:Object = Move X1:Object
""")
    with pytest.raises(g.GenFactsError, match="footer"):
        g.lir_generator_facts(bad, 0x2000)
