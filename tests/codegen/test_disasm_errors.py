"""``python -m armjit.disasm`` on bad input: one line on stderr, exit 2, no traceback."""

import json
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest

from armjit.corpus.dev import corpus_dir
from armjit.disasm import _collected

SRC = corpus_dir() / "colorsys/_v"
ADDR_RULE = "is not a code address: it must be a multiple of 4 in [0, 2**48), " \
            "i.e. 0..0xfffffffffffc (aarch64 user space)"


def _disasm(*args):
    p = subprocess.run([sys.executable, "-m", "armjit.disasm", *map(str, args)],
                       capture_output=True, text=True, timeout=120)
    assert "Traceback" not in p.stderr
    return p.returncode, p.stderr


@pytest.fixture
def fdir(tmp_path):
    d = tmp_path / "f"
    shutil.copytree(SRC, d)
    return d


def test_missing_path(tmp_path):
    assert _disasm(tmp_path / "nosuch") == (2, f"armjit.disasm: {tmp_path}/nosuch: no such "
                                                "directory\n")


def test_a_file(tmp_path):
    (tmp_path / "x.lir").write_text("Function:\n")
    assert _disasm(tmp_path / "x.lir") == (
        2, f"armjit.disasm: {tmp_path}/x.lir: not a directory (want a corpus function directory "
           "holding postalloc.lir, meta.json, asmjit.asm and asmjit.bin)\n")


def test_empty_directory(tmp_path):
    assert _disasm(tmp_path) == (
        2, f"armjit.disasm: {tmp_path}: not a corpus function directory (it holds none of "
           "postalloc.lir, meta.json, asmjit.asm, asmjit.bin)\n")


@pytest.mark.parametrize("name", ["meta.json", "asmjit.asm"])
def test_missing_file(fdir, name):
    (fdir / name).unlink()
    assert _disasm(fdir) == (
        2, f"armjit.disasm: {fdir}: {name} is missing (a corpus function directory holds "
           "postalloc.lir, meta.json, asmjit.asm and asmjit.bin)\n")


def test_garbled_lir(fdir):
    with open(fdir / "postalloc.lir", "a") as f:
        f.write("garbage\n")
    n = (fdir / "postalloc.lir").read_text().count("\n")
    assert _disasm(fdir) == (2, f"armjit.disasm: {fdir}/postalloc.lir: LIRParseError: line {n}, "
                                 "column 1: expected a block header: 'garbage'\n")


def test_bad_meta(fdir):
    meta = json.loads((fdir / "meta.json").read_text())
    meta["argcount"] = -3
    (fdir / "meta.json").write_text(json.dumps(meta))
    assert _disasm(fdir) == (2, f"armjit.disasm: {fdir}/meta.json: field 'argcount' = -3 is out "
                                 "of range: legal 0..65535 (co_argcount)\n")


@pytest.mark.parametrize("arg, shown", [("-1", "-1"), ("0x2", "2"), ("-4", "-4"),
                                        (str(2**64), "0x10000000000000000"),
                                        ("0x1000000000000", "0x1000000000000")])
def test_bad_address(arg, shown):
    assert _disasm(SRC, f"--address={arg}") == (2, f"armjit.disasm: --address {shown} {ADDR_RULE}\n")


def test_address_not_a_number():
    assert _disasm(SRC, "--address=2**64") == (
        2, "armjit.disasm: --address '2**64' is not an integer (decimal or 0x...)\n")


def test_good_address():
    p = subprocess.run([sys.executable, "-m", "armjit.disasm", str(SRC), "--address=0x10000"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.startswith("armjit code for colorsys:_v at 0x10000 (")


def test_usage_error_is_one_line():
    rc, err = _disasm()
    assert rc == 2
    assert err == ("python -m armjit.disasm: error: the following arguments are required: dir "
                   "(see --help)\n")


def test_not_collected_says_what_was(tmp_path):
    p = SimpleNamespace(returncode=0, stderr="")
    assert _collected(tmp_path, "m", p) == \
        "the corpus is empty: CinderX compiled no function of module m"
    p = SimpleNamespace(returncode=3, stderr="boom\nImportError: no module named m\n")
    assert _collected(tmp_path, "m", p) == ("the corpus is empty: CinderX compiled no function "
                                            "of module m (exit 3: ImportError: no module named m)")
    for q in ("f", "C.g"):
        (tmp_path / "m" / q).mkdir(parents=True)
        (tmp_path / "m" / q / "meta.json").write_text(json.dumps({"qualname": q}))
    assert _collected(tmp_path, "m", p) == ("module m has no such function compiled by CinderX "
                                            "(collected 2: C.g, f)")


def test_reader_going_away_is_not_a_traceback():
    # `python -m armjit.disasm DIR --diff | head -1`: the pipe closes early
    p = subprocess.Popen([sys.executable, "-m", "armjit.disasm",
                          str(corpus_dir() / "heapq/merge"), "--diff"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 141
    assert err == ""
