"""python -m armjit.demo — the main job, end to end, on the aarch64 target.

1. CinderX compiles a Python function on aarch64 (qemu): its post-alloc LIR
   (armjit's input) and asmjit's code for it are shown.
2. armjit assembles a native function with ``armjit.emit`` (immediates that
   need legalisation included), checks every word with Capstone, and installs
   and runs the code on the aarch64 target, comparing with Python's answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from armjit import target

DEMO_MODULE = "armjit._demo_funcs"


def _section(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


def show_cinderx() -> None:
    _section("1. CinderX compiles armjit._demo_funcs.sum_squares on aarch64 (qemu)")
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([sys.executable, "-m", "armjit.corpus", "collect", "--quiet",
                            "--modules", DEMO_MODULE, "--out", out],
                           capture_output=True, text=True)
        print(p.stdout.strip())
        if p.returncode != 0:
            raise SystemExit(f"corpus collection failed:\n{p.stderr}")
        fdir = Path(out) / DEMO_MODULE / "sum_squares"
        meta = json.loads((fdir / "meta.json").read_text())
        lir = (fdir / "postalloc.lir").read_text().splitlines()
        asm = (fdir / "asmjit.asm").read_text().splitlines()
        print(f"compiled size {meta['compiled_size']} bytes at {meta['code_address']:#x}, "
              f"frame {meta['stack_size']} bytes, CinderX compile time "
              f"{meta['cinderx_compile_time_ms']} ms (under qemu)")
        print(f"-- post-alloc LIR (armjit's input), {len(lir)} lines; the loop body:")
        start = next((i for i, line in enumerate(lir) if "BinaryOp<Multiply>" in line), 0)
        for line in lir[start:start + 14]:
            print("   " + line)
        print(f"-- asmjit's aarch64 code for it, {len(asm)} listing lines; the start:")
        for line in asm[1:16]:
            print("   " + line)
    p = target.run(["-c", "import cinderx.jit as jit\n"
                    f"from {DEMO_MODULE} import sum_squares\n"
                    "jit.force_compile(sum_squares)\n"
                    "print(jit.is_jit_compiled(sum_squares), sum_squares(1000))"],
                   capture_output=True, text=True)
    print(f"-- run under CinderX on aarch64: compiled={p.stdout.split()[0]}, "
          f"sum_squares(1000) = {p.stdout.split()[1]}")


def build_native_sum_squares():
    """sum(i*i for i in range(n)) + bias, as hand-written A64 via the Assembler.

    The bias 0x123456789 needs a MOVZ/MOVK sequence and the final ``add`` of
    0x12345 needs the imm12<<12 + imm12 split: both go through armjit.emit's
    legalisation with an explicit scratch register.
    """
    from armjit.emit import Assembler, x0, x1, x2, x3, x16
    a = Assembler(scratch=x16)
    loop, done = a.new_label("loop"), a.new_label("done")
    with a.annotate("n -> x1, zero the accumulator and the index"):
        a.mov(x1, x0)
        a.mov(x0, 0)
        a.mov(x2, 0)
    with a.annotate("loop: x0 += x2 * x2 while x2 < n"):
        a.bind(loop)
        a.cmp(x2, x1)
        a.b_ge(done)
        a.madd(x0, x2, x2, x0)
        a.add(x2, x2, 1)
        a.b(loop)
    with a.annotate("add the bias (legalised immediates)"):
        a.bind(done)
        a.mov(x3, 0x123456789)
        a.add(x0, x0, x3)
        a.add(x0, x0, 0x12345)
        a.ret()
    return a.finalize()


def _listing(final) -> None:
    import capstone
    cs = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)
    notes = {a.start: a.text for a in final.annotations}
    for insn in cs.disasm(final.code, final.base):
        off = insn.address - final.base
        if off in notes:
            print(f"   ; {notes[off]}")
        print(f"   {off:#06x}: {insn.bytes.hex()}  {insn.mnemonic} {insn.op_str}")
    n = len(final.code) // 4
    decoded = len(list(cs.disasm(final.code, final.base)))
    if decoded != n:
        raise SystemExit(f"Capstone decoded {decoded} of {n} words")


def run_armjit() -> None:
    _section("2. armjit assembles a native function and runs it on aarch64")
    final = build_native_sum_squares()
    print(f"{len(final.code)} bytes, {len(final.code) // 4} instructions (Capstone listing):")
    _listing(final)
    inputs = [0, 1, 10, 1000, 123456]
    code = (
        "import ctypes, sys\n"
        "from armjit.runtime.codemem import CodeMemory\n"
        f"blk = CodeMemory().install(bytes.fromhex('{final.code.hex()}'))\n"
        "f = blk.function(ctypes.c_uint64, ctypes.c_uint64)\n"
        f"print(' '.join(str(f(n)) for n in {inputs!r}))\n")
    p = target.run(["-c", code], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"running armjit's code on the target failed:\n{p.stderr}")
    got = [int(v) for v in p.stdout.split()]
    want = [(sum(i * i for i in range(n)) + 0x123456789 + 0x12345) % 2**64 for n in inputs]
    for n, g, w in zip(inputs, got, want):
        print(f"   n={n:>6}: aarch64 says {g}, Python says {w}  {'ok' if g == w else 'MISMATCH'}")
    if got != want:
        raise SystemExit("armjit's code computed a wrong result")


def main() -> int:
    try:
        if not target.ready():
            target.setup()
        show_cinderx()
        run_armjit()
    except target.TargetError as e:
        print(f"armjit.demo: error: {e}", file=sys.stderr)
        return 2
    print("\nDone: CinderX and armjit both compiled and ran code on aarch64.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
