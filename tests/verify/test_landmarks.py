"""Landmark offset maps (armjit.verify.landmarks) for the equivalence harness.

asmjit's landmarks are checked against addresses read by hand from
fnmatch/translate's asmjit.asm (code_address 0x5502e13100); the map is shown
to be necessary (without it the function is not equivalent: asmjit's code is
longer, so X28 = adr hard_exit differs) and not a loophole (a map that sends
armjit's hard_exit to the wrong asmjit offset is caught)."""

import pytest

from armjit.codegen.function import compile_dump
from armjit.corpus.dev import corpus_dir
from armjit.verify.equiv import prove
from armjit.verify.landmarks import asmjit_landmarks, offset_map

NAME = "fnmatch/translate"
BASE = 0x5502E13100


@pytest.fixture(scope="module")
def fn():
    d = corpus_dir() / NAME
    return d, compile_dump(d)


def test_asmjit_landmarks_from_listing(fn):
    d, _ = fn
    a = asmjit_landmarks(d)
    # "Deoptimization exits": 0x5502e160c0; adr x28, #0x5502e15b84
    assert a["stage2"] == 0x5502E160C0 - BASE
    assert a["hard_exit"] == 0x5502E15B84 - BASE
    # "Keyword argument dispatch": b to the tail at 0x5502e160dc (mov sp, x29)
    assert a["prologue_exit"] == 0x5502E160DC - BASE
    # "Stage 1 deoptimization exits": mov x13, xzr at 0x5502e15ba8; mov x13, #0xa2 at 0x5502e160b8
    assert a[("deopt", 0)] == 0x5502E15BA8 - BASE
    assert a[("deopt_ret", 0)] == 0x5502E15BB0 - BASE
    assert a[("deopt", 0xA2)] == 0x5502E160B8 - BASE
    assert a[("deopt_ret", 0xA2)] == 0x5502E160C0 - BASE
    assert a["vectorcall"] == 12 and a["reentry"] == 0


def test_armjit_labels_match_code(fn):
    _, cf = fn
    code = cf.code
    # adr x28 in stage 2 points at hard_exit; each deopt_ret follows a bl
    s2 = cf.labels["stage2"]
    words = [int.from_bytes(code[o:o + 4], "little") for o in range(s2, s2 + 28, 4)]
    adr = [(o, w) for o, w in zip(range(s2, s2 + 28, 4), words) if w & 0x9F00001F == 0x1000001C]
    assert len(adr) == 1
    o, w = adr[0]
    imm = ((w >> 5 & 0x7FFFF) << 2) | (w >> 29 & 3)
    imm -= (imm >> 20) << 21                                               # imm21, signed
    assert o + imm == cf.labels["hard_exit"]
    for idx in (0, 0xA2):
        r = cf.labels[("deopt_ret", idx)]
        assert int.from_bytes(code[r - 4:r], "little") >> 26 == 0b100101     # bl
        assert cf.deopt_exits[idx] == cf.labels[("deopt", idx)]


def test_map_is_needed_and_not_a_loophole(fn):
    d, cf = fn
    m = offset_map(cf, d)
    assert m[cf.labels["hard_exit"]] == 0x5502E15B84 - BASE
    seeds = (0,)
    good = prove(d, cf.code, cf.address, cf.vectorcall_entry, seeds, max_insns=20000,
                 armjit_offsets=m)
    assert good.equivalent, good.reason
    raw = prove(d, cf.code, cf.address, cf.vectorcall_entry, seeds, max_insns=20000)
    assert not raw.equivalent and "x28" in raw.reason
    bad = dict(m)
    bad[cf.labels["hard_exit"]] += 4
    v = prove(d, cf.code, cf.address, cf.vectorcall_entry, seeds, max_insns=20000,
              armjit_offsets=bad)
    assert not v.equivalent and "x28" in v.reason
