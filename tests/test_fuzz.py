"""Bad input never escapes as an undocumented exception or a hang (tests/fuzzing.py).

CI: a few hundred seeded mutations each of corpus function directories through
``compile_dump``, of LIR text through ``armjit.lir.parse``, of assembly text
through ``armjit.emit.assemble``; each case must end within its time limit in
success or a documented error.  ``test_fuzz_sweep`` (``--run-sweeps``) runs
~9,000 directory cases; its result is in bench/RESULTS.md.
"""

import os

import pytest

from tests.fuzzing import fuzz_assemble, fuzz_compile_dump, fuzz_parse

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
LIMIT = 10.0            # seconds per case: a hang, not a slow machine


def _assert_clean(stats, cases):
    assert stats.cases == cases
    assert not stats.findings, "\n".join(f"{d} -> {e}" for d, e in stats.findings[:20])


def test_fuzz_compile_dump():
    st = fuzz_compile_dump(300, SEED, limit=LIMIT)
    _assert_clean(st, 300)
    assert st.outcomes["ok"] > 0 and len(st.outcomes) > 3     # the mutations reach every stage


def test_fuzz_parse():
    _assert_clean(fuzz_parse(300, SEED, limit=LIMIT), 300)


def test_fuzz_assemble():
    _assert_clean(fuzz_assemble(500, SEED, limit=LIMIT), 500)


@pytest.mark.sweep
def test_fuzz_sweep():
    st = fuzz_compile_dump(9000, 1, limit=LIMIT)
    sp = fuzz_parse(3000, 1, limit=LIMIT)
    sa = fuzz_assemble(3000, 1, limit=LIMIT)
    for name, s in (("compile_dump", st), ("parse", sp), ("assemble", sa)):
        print(f"\n{name}: {s.summary()}")
    for s in (st, sp, sa):
        assert not s.findings, "\n".join(f"{d} -> {e}" for d, e in s.findings[:20])
