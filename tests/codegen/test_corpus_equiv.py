"""Every dev-corpus function: armjit's code is Unicorn-equivalent to asmjit's
(armjit.verify.equiv.prove) under 14 worlds (two per argument-state variant:
random/typed args, wrong argcount, kwnames, NULL-returning helpers, re-entry),
with code pointers compared as landmarks (armjit.verify.landmarks).

Only the functions named in EXCEPTIONS, each with its reason, may fail; the
list is at most 5% of the corpus and every entry must really fail (so it
shrinks when the function is fixed).

Budget: MAX_INSNS per run keeps the whole file near 40 s of CPU (-n 2); six loop-heavy
functions (textwrap, heapq._siftdown*, string.Template.get_identifiers) hit it
in some worlds and are then compared on their common prefix of effects.
"""

import pytest

from armjit.codegen.function import compile_dump
from armjit.codegen.lower import LoweringError
from armjit.corpus.dev import function_dirs
from armjit.verify.equiv import prove
from armjit.verify.landmarks import offset_map

SEEDS = tuple(range(14))
MAX_INSNS = 10_000

# name -> reason.  Keep <= 5% of the corpus.
EXCEPTIONS: dict = {}

DIRS = {f"{d.parent.name}/{d.name}": d for d in function_dirs()}


def _verdict(name):
    d = DIRS[name]
    try:
        cf = compile_dump(d)
    except LoweringError as e:
        return None, f"LoweringError: {e}"
    v = prove(d, cf.code, cf.address, cf.vectorcall_entry, SEEDS, max_insns=MAX_INSNS,
              armjit_offsets=offset_map(cf, d))
    return v, v.reason


def test_exception_list_is_small():
    assert len(DIRS) == 105
    assert len(EXCEPTIONS) <= 0.05 * len(DIRS)
    assert set(EXCEPTIONS) <= set(DIRS)


@pytest.mark.parametrize("name", sorted(DIRS))
def test_equivalent_to_asmjit(name):
    v, reason = _verdict(name)
    if name in EXCEPTIONS:
        assert v is None or not v.equivalent, f"{name} now passes: remove it from EXCEPTIONS"
        return
    assert v is not None, reason
    assert v.equivalent, reason
    assert v.runs == len(SEEDS)
