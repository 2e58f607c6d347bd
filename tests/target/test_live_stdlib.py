"""armjit as the back end for ~100 stdlib functions in a live CinderX process (target tier).

tests/target/live_stdlib.py runs json/textwrap/shlex/fnmatch/posixpath/colorsys/
heapq/string workloads interpreted, then has armjit compile every plain function
and method of those modules from CinderX's LIR and install it, then runs the
workloads again: every output must be identical.
"""

import json

import pytest

from armjit import target

pytestmark = pytest.mark.target


def _run(*args):
    p = target.run(["tests/target/live_stdlib.py", *args], capture_output=True, text=True,
                   timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.splitlines()[-1])


def test_stdlib_workloads_are_identical_under_armjit():
    out = _run()
    assert out["asm_dump"] is False                  # armjit reads no listing
    assert out["facts_checked"] == 0
    assert out["diff"] == []
    assert out["same"] is True and out["same_again"] is True
    # Every function of the ten modules is armjit's now, the generator
    # heapq.merge included (tests/target/test_generators_live.py).
    assert len(out["compiled"]) >= 100
    assert "json.encoder:_make_iterencode" in out["compiled"]
    assert "textwrap:TextWrapper._wrap_chunks" in out["compiled"]
    assert "heapq:merge" in out["compiled"]
    assert out["refused"] == []


def test_process_facts_equal_asmjit_listing_facts_for_every_function():
    """The facts armjit learns from the process (symbols + load bias, CinderX's
    stage-2 deopt block in memory) are the listing's, function by function: in
    check mode a mismatch is a refusal, and there is none."""
    out = _run("--check-facts")
    assert out["asm_dump"] is True
    assert out["diff"] == [] and out["same"] is True
    assert len(out["compiled"]) >= 100
    assert out["facts_checked"] == len(out["compiled"])
    assert out["refused"] == []
    assert set(out["helpers"]) == {"callWithKeywordArgs", "callWithKeywordArgsSimple",
                                   "callWithIncorrectArgcount"}
