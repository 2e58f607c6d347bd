"""``python -m armjit.corpus`` on bad input: one line, exit 2, no traceback; ``check``
reports a function it cannot read and goes on with the others."""

import io
import json
import shutil
import subprocess
import sys

from armjit.corpus.check import check
from armjit.corpus.dev import corpus_dir


def _corpus(*args):
    p = subprocess.run([sys.executable, "-m", "armjit.corpus", *map(str, args)],
                       capture_output=True, text=True, timeout=120)
    assert "Traceback" not in p.stderr
    return p.returncode, p.stderr


def test_collect_out_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    assert _corpus("collect", "--modules", "string", "--out", f) == (
        2, f"armjit.corpus: error: --out {f}: exists and is not a directory\n")


def test_collect_out_under_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    assert _corpus("collect", "--modules", "string", "--out", f / "sub") == (
        2, f"armjit.corpus: error: --out {f}/sub: cannot write a directory there "
           "(Not a directory)\n")


def test_collect_out_unwritable(tmp_path):
    # (as root, permission bits do not stop a write; /sys refuses everyone)
    import os
    d = "/sys/armjit-unwritable" if os.geteuid() == 0 else "/armjit-unwritable"
    rc, err = _corpus("collect", "--modules", "string", "--out", d)
    assert rc == 2
    assert err.startswith(f"armjit.corpus: error: --out {d}: cannot write a directory there (")
    assert err.count("\n") == 1


def test_usage_error_is_one_line():
    assert _corpus() == (2, "python -m armjit.corpus: error: the following arguments are "
                            "required: cmd (see --help)\n")


def test_check_missing_dir(tmp_path):
    assert _corpus("check", tmp_path / "nosuch") == (
        2, f"armjit.corpus check: {tmp_path}/nosuch: no such directory\n")


def test_check_reports_a_bad_meta_and_goes_on(tmp_path):
    root = tmp_path / "c"
    for n in ("colorsys/_v", "heapq/_siftdown", "string/Formatter.check_unused_args"):
        shutil.copytree(corpus_dir() / n, root / n)
    (root / "colorsys/_v/meta.json").write_text("{not json")
    meta = json.loads((root / "heapq/_siftdown/meta.json").read_text())
    meta["spill_stack_size"] = 2**62
    (root / "heapq/_siftdown/meta.json").write_text(json.dumps(meta))
    out, err = io.StringIO(), io.StringIO()
    assert check(root, equiv=False, out=out, err=err) == 1
    assert "1/3 lowered" in out.getvalue()
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"NOT LOWERED colorsys/_v (colorsys/_v): MetaError: "
                               f"{root}/colorsys/_v/meta.json: not JSON (")
    assert lines[1] == (f"NOT LOWERED heapq:_siftdown (heapq/_siftdown): MetaError: "
                        f"{root}/heapq/_siftdown/meta.json: field 'spill_stack_size' = "
                        "0x4000000000000000 is out of range: legal 0..32767 (CinderX's spill "
                        "area, bytes)")
