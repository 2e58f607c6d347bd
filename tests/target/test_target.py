"""Target tier: the aarch64 CinderX under qemu (marked `target`; CI runs these too)."""

import json
import re
import os
import shutil
import subprocess
import sys

import pytest

from armjit import target
from armjit.cinderxlog import STAGES, asm_address_range

pytestmark = pytest.mark.target

SAMPLE = "tests.target.sample_funcs"
FILES = ["generation.lir", "postgen.lir", "legalized.lir", "regalloc.lir", "postalloc.lir",
         "asmjit.asm", "asmjit.bin", "meta.json"]


def test_cinderx_jit_is_live_and_computes():
    code = (
        "import platform, cinderx.jit as jit\n"
        f"from {SAMPLE} import mul_add, count_up\n"
        "print(platform.machine(), jit.is_available(), jit.force_compile(mul_add),\n"
        "      jit.force_compile(count_up), jit.is_jit_compiled(count_up),\n"
        "      mul_add(6, 7), count_up(100), mul_add(2.5, 2))\n")
    p = target.run(["-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["aarch64", "True", "True", "True", "True", "43", "4950", "6.0"]


def test_run_passes_stdin_stdout_and_exit_code():
    p = subprocess.run([sys.executable, "-m", "armjit.target", "run", "--", "-c",
                        "import sys; sys.stdout.write(sys.stdin.read().upper()); sys.exit(7)"],
                       input="hello", capture_output=True, text=True, timeout=120)
    assert p.returncode == 7
    assert p.stdout == "HELLO"


def _collect(out, modules):
    return subprocess.run([sys.executable, "-m", "armjit.corpus", "collect",
                           "--modules", modules, "--out", str(out)],
                          capture_output=True, text=True, timeout=300)


def test_corpus_collects_every_stage_and_the_code(tmp_path):
    p = _collect(tmp_path, SAMPLE)
    assert p.returncode == 0, p.stderr
    # Box.__init__, Box.doubled, branchy, count_up, gen_numbers, mul_add
    assert "6 functions compiled, 0 refused" in p.stdout
    assert "[1/6] tests.target.sample_funcs:Box.__init__" in p.stderr  # progress
    fdir = tmp_path / SAMPLE / "mul_add"
    for name in FILES:
        assert (fdir / name).is_file(), name
    for stage_text, short in STAGES.items():
        first = (fdir / f"{short}.lir").read_text().splitlines()[:2]
        assert first[0].endswith(f"LIR for {SAMPLE}:mul_add after {stage_text}:")
        assert first[1] == "Function:"
    post = (fdir / "postalloc.lir").read_text()
    # Post-alloc LIR has physical registers only; the first stage has virtual ones.
    assert "EpilogueEnd" in post and not re.search(r"%\d+:", post)
    assert re.search(r"%\d+:Object", (fdir / "generation.lir").read_text())
    asm = (fdir / "asmjit.asm").read_text()
    assert "Disassembly for " + SAMPLE + ":mul_add" in asm
    meta = json.loads((fdir / "meta.json").read_text())
    first, last = asm_address_range(asm.split("\n", 1)[1])
    assert meta["code_address"] == first
    assert meta["vectorcall_entry"] == first + 12        # re-entry is at entry-12
    assert meta["argcount"] == 2 and meta["qualname"] == "mul_add"
    assert meta["compiled_size"] == len((fdir / "asmjit.bin").read_bytes())
    assert first <= last < first + meta["compiled_size"]
    for key in ("stack_size", "spill_stack_size", "compile_time_ns", "deopt_trampoline"):
        assert isinstance(meta[key], int) and meta[key] > 0, key
    # The first instruction asmjit.asm lists is the one at the start of asmjit.bin:
    # "stp x29, x30, [sp, #-0x10]!" is 0xa9bf7bfd.
    assert (fdir / "asmjit.bin").read_bytes()[:4] == bytes.fromhex("fd7bbfa9")
    assert (tmp_path / SAMPLE / "Box.doubled" / "meta.json").is_file()
    assert (tmp_path / "deopt_trampoline.bin").stat().st_size > 0
    assert json.loads((tmp_path / "refused.json").read_text()) == []


def test_corpus_bad_modules_are_recorded_and_others_collected(tmp_path):
    p = _collect(tmp_path, f"no_such_module_xyz,tests.target.broken_import,{SAMPLE}")
    assert p.returncode != 0
    assert "no_such_module_xyz" in p.stderr and "import failed" in p.stderr
    refused = json.loads((tmp_path / "refused.json").read_text())
    reasons = {r["module"]: r["reason"] for r in refused}
    assert "ModuleNotFoundError" in reasons["no_such_module_xyz"]
    assert "this module refuses to be imported" in reasons["tests.target.broken_import"]
    assert (tmp_path / SAMPLE / "count_up" / "postalloc.lir").is_file()


def test_corrupted_target_dir_is_recreated(tmp_path):
    # A hard-linked copy of the real target, then broken: a garbage stamp and a
    # missing CinderX package.  setup must notice and rebuild both.
    copy = tmp_path / "target"
    subprocess.run(["cp", "-al", str(target.target_dir()), str(copy)], check=True)
    # unlink first: the copy's files are hard links, and writing through one
    # would corrupt the real target's stamp under the tests running beside this
    (copy / ".stamp-rootfs.json").unlink()
    (copy / ".stamp-rootfs.json").write_text("{not json")
    os.remove(copy / "site" / "cinderx" / "__init__.py")
    env = {**os.environ, "ARMJIT_TARGET_DIR": str(copy)}
    p = subprocess.run([sys.executable, "-m", "armjit.target", "setup"], env=env,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "re-creating" in p.stderr and "JIT live" in p.stderr
    assert (copy / "site" / "cinderx" / "__init__.py").is_file()
    shutil.rmtree(copy)


def test_setup_error_is_a_message_not_a_traceback(tmp_path):
    # A target dir that cannot be created (a file is in the way).
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = {**os.environ, "ARMJIT_TARGET_DIR": str(blocker / "t")}
    p = subprocess.run([sys.executable, "-m", "armjit.target", "setup"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.startswith("armjit.target: error:")
    assert "Traceback" not in p.stderr
