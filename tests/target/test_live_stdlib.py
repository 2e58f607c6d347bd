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


def test_stdlib_workloads_are_identical_under_armjit():
    p = target.run(["tests/target/live_stdlib.py"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.splitlines()[-1])
    assert out["diff"] == []
    assert out["same"] is True and out["same_again"] is True
    # Every non-generator function of the ten modules is armjit's now.
    assert len(out["compiled"]) >= 100
    assert "json.encoder:_make_iterencode" in out["compiled"]
    assert "textwrap:TextWrapper._wrap_chunks" in out["compiled"]
    assert [name for name, _ in out["refused"]] == ["heapq:merge"]   # a generator
