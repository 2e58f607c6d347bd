"""``python -m armjit.corpus check DIR`` (armjit.corpus.check)."""

import io
import re
import shutil
import subprocess
import sys

from armjit.corpus.check import check
from armjit.corpus.dev import corpus_dir, function_dirs

SAMPLE = ["colorsys/_v", "heapq/_siftdown", "string/Formatter.check_unused_args"]


def _run(d, **kw):
    out, err = io.StringIO(), io.StringIO()
    rc = check(d, out=out, err=err, **kw)
    return rc, out.getvalue(), err.getvalue()


def _copy(tmp_path, names):
    root = tmp_path / "corpus"
    for n in names:
        shutil.copytree(corpus_dir() / n, root / n)
    return root


def test_dev_corpus_summary_line():
    rc, out, err = _run(corpus_dir(), equiv=False)
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert "105/105 lowered" in line and "equivalence not checked" in line
    theirs = sum(len((d / "asmjit.bin").read_bytes()) for d in function_dirs())
    m = re.search(r"size (\d\.\d{3})x asmjit \((\d+)/(\d+) bytes\)", line)
    assert m and int(m.group(3)) == theirs == 333896
    assert float(m.group(1)) <= 0.97
    assert re.search(r"emission [\d.]+ s / CinderX compile [\d.]+ s = [\d.]+x$", line)


def test_sample_with_equivalence(tmp_path):
    root = _copy(tmp_path, SAMPLE)
    rc, out, err = _run(root)
    assert rc == 0, err
    assert "3/3 lowered, 3/3 Unicorn-equivalent to asmjit" in out


def test_garbled_instruction_names_the_function(tmp_path):
    root = _copy(tmp_path, SAMPLE)
    lir = root / "colorsys/_v/postalloc.lir"
    text = lir.read_text()
    # an opcode that has no aarch64 translation, in the middle of a block
    i = text.index("LoadThreadState")
    lir.write_text(text[:i] + "Frobnicate X1:64bit, X2:64bit\n" + text[i:].split("\n", 1)[1])
    p = subprocess.run([sys.executable, "-m", "armjit.corpus", "check", str(root), "--no-equiv"],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "2/3 lowered" in p.stdout and len(p.stdout.splitlines()) == 1
    assert "NOT LOWERED colorsys:_v (colorsys/_v): LIRParseError" in p.stderr
    assert "Frobnicate" in p.stderr


def test_unsupported_opcode_names_the_function(tmp_path):
    root = _copy(tmp_path, SAMPLE[:1])
    lir = root / "colorsys/_v/postalloc.lir"
    text = lir.read_text()
    i = text.index("LoadThreadState")
    # a well-formed instruction that must have been rewritten away before codegen
    # (the verifier accepts it: one immediate input, a register output)
    lir.write_text(text[:i] + "LoadArg 0(0x0):64bit\n" + text[i:].split("\n", 1)[1])
    rc, out, err = _run(root, equiv=False)
    assert rc == 1
    assert "0/1 lowered" in out
    assert "NOT LOWERED colorsys:_v (colorsys/_v): LoweringError" in err
    assert "LoadArg" in err and "rewritten away" in err
