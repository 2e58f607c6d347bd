"""``python -m armjit.disasm module:qualname``: collect the function under
CinderX on aarch64 (qemu), lower it with armjit, list it (and --diff it against
asmjit's listing); the freshly collected function is also Unicorn-equivalent."""

import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.target

SPEC = "tests.target.disasm_sample:Scaler.apply"


def _disasm(*args):
    return subprocess.run([sys.executable, "-m", "armjit.disasm", *args],
                          capture_output=True, text=True, timeout=900)


def test_disasm_module_qualname(tmp_path):
    p = _disasm(SPEC, "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert out.startswith(f"armjit code for {SPEC} at 0x")
    size = int(re.match(r".* \((\d+) bytes\)", out.splitlines()[0]).group(1))
    # every word listed once, under a title; asmjit's entry sections are there
    words = re.findall(r"^  0x[0-9a-f]{14}:", out, re.M)
    assert len(words) * 4 == size
    for title in ("Reentry with processed args", "Set up frame pointer",
                  "Check if called with correct argcount", "Load vectorcall arguments",
                  "Stage 1 deoptimization exits", "Deoptimization exits"):
        assert f"\n{title}\n" in out, title
    d = tmp_path / "tests.target.disasm_sample" / "Scaler.apply"
    assert (d / "postalloc.lir").is_file()

    from armjit.verify.equiv import prove
    from armjit.codegen.function import compile_dump
    from armjit.verify.landmarks import offset_map
    cf = compile_dump(d)
    assert len(cf.code) == size
    v = prove(d, cf.code, cf.address, cf.vectorcall_entry, tuple(range(7)), max_insns=20000,
              armjit_offsets=offset_map(cf, d))
    assert v.equivalent, v.reason

    q = _disasm(str(d), "--diff")
    assert q.returncode == 0, q.stderr
    # the re-entry and the argcount check are the same instructions on both sides
    line = [l for l in q.stdout.splitlines() if "cmp w2, #2" in l][0]
    assert line.count("cmp w2, #2") == 2 and " | " not in line


def test_disasm_unknown_qualname(tmp_path):
    p = _disasm("tests.target.disasm_sample:no_such_function", "--out", str(tmp_path))
    assert p.returncode == 1
    # one line that says what was collected of the module (it said "... ()")
    assert p.stderr.startswith("armjit.disasm: tests.target.disasm_sample:no_such_function was "
                               "not collected: module tests.target.disasm_sample has no such "
                               "function compiled by CinderX (collected ")
    assert "Scaler.apply" in p.stderr and p.stderr.count("\n") == 1
