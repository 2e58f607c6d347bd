"""armjit's code memory: W^X install + icache flush, on aarch64 (target) and refused on the host."""

import platform

import pytest

from armjit import target
from armjit.emit import Assembler, x0, x1, x2, x16
from armjit.runtime.codemem import CodeMemory, CodeMemoryError


def test_codememory_refuses_non_aarch64_hosts():
    if platform.machine() in ("aarch64", "arm64"):
        pytest.fail("the host tier is expected to run on a non-aarch64 host")
    with pytest.raises(CodeMemoryError, match="only on aarch64"):
        CodeMemory()


@pytest.mark.target
def test_assembled_code_runs_on_aarch64():
    # x0 = (x0 * x1 + 0x123456789) >> 3, via legalised immediates.
    a = Assembler(scratch=x16)
    a.mul(x0, x0, x1)
    a.mov(x2, 0x123456789)
    a.add(x0, x0, x2)
    a.lsr(x0, x0, 3)
    a.ret()
    code = a.finalize().code
    script = (
        "import ctypes\n"
        "from armjit.runtime.codemem import CodeMemory\n"
        "mem = CodeMemory()\n"
        f"blk = mem.install(bytes.fromhex('{code.hex()}'))\n"
        "f = blk.function(ctypes.c_uint64, ctypes.c_uint64, ctypes.c_uint64)\n"
        "import mmap\n"
        "print(f(3, 5), f(0, 0), f(2**32, 2**31), blk.address % mmap.PAGESIZE)\n"
        "blk.release()\n")
    p = target.run(["-c", script], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    want = [((a * b + 0x123456789) % 2**64) >> 3 for a, b in [(3, 5), (0, 0), (2**32, 2**31)]]
    assert p.stdout.split() == [str(v) for v in want] + ["0"]


def test_enable_on_a_non_aarch64_host_says_so_in_one_line():
    import subprocess
    import sys
    if platform.machine() in ("aarch64", "arm64"):
        pytest.fail("the host tier is expected to run on a non-aarch64 host")
    p = subprocess.run([sys.executable, "-c", "import armjit\ntry:\n    armjit.enable(auto=True)\n"
                        "except armjit.LiveJITError as e:\n    print(e)\n"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stderr == ""
    assert p.stdout == (f"armjit.enable(): armjit runs only on aarch64, this machine is "
                        f"{platform.machine()} (use 'python -m armjit.target run -- ...')\n")
