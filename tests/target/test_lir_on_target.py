"""armjit.lir must work on the target runtime (CPython 3.14 on aarch64, no third-party packages)."""

import pytest

from armjit import target
from armjit.corpus.dev import function_dirs

pytestmark = pytest.mark.target


def test_lir_round_trips_on_python314():
    fdir = next(d for d in function_dirs() if d.name == "dumps")
    script = (
        "import sys, armjit.lir as lir\n"
        "text = open(sys.argv[1]).read()\n"
        "fn = lir.parse(text)\n"
        "lir.verify(fn)\n"
        "print(sys.version_info[:2], len(fn.blocks), lir.format(fn) == text)\n")
    p = target.run(["-c", script, str(fdir / "postalloc.lir")], capture_output=True,
                   text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split(")")[0] == "(3, 14"
    nblocks = open(fdir / "postalloc.lir").read().count("\nBB %")
    assert p.stdout.split(")")[1].split() == [str(nblocks), "True"]
