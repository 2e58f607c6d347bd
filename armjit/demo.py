"""python -m armjit.demo — the main job, end to end, on the aarch64 target.

1. CinderX compiles a Python function on aarch64 (qemu): its post-alloc LIR
   (armjit's input) and asmjit's code for it are shown.
2. armjit lowers that LIR on the host; its listing is shown beside asmjit's.
3. In a live CinderX process on aarch64, armjit compiles the function from
   CinderX's LIR, installs it as the function's vectorcall entry and runs it
   (results and the deopt path compared with the interpreter).
4. armjit.emit on its own: a hand-written native function (immediates that
   need legalisation included) assembled, checked with Capstone, run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from armjit import target

DEMO_MODULE = "armjit._demo_funcs"


def _section(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


def show_cinderx(out: str) -> Path:
    _section("1. CinderX compiles armjit._demo_funcs.sum_squares on aarch64 (qemu)")
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
    return fdir


def show_armjit_lowering(fdir: Path) -> None:
    _section("2. armjit lowers the same post-alloc LIR (host), section by section beside asmjit")
    from armjit.codegen.function import compile_dump
    cf = compile_dump(fdir)
    asmjit_size = len((fdir / "asmjit.bin").read_bytes())
    print(f"armjit: {len(cf.code)} bytes (asmjit: {asmjit_size}), lowered in "
          f"{cf.lower_ns / 1e6:.1f} ms; the loop's multiply, armjit | asmjit:")
    from armjit.disasm import diff
    lines = diff(cf, (fdir / "asmjit.asm").read_text()).splitlines()
    start = next((i for i, line in enumerate(lines) if "BinaryOp<Multiply>" in line), 0)
    for line in lines[start:start + 18]:
        print("   " + line)


LIVE = r"""
import armjit, time
armjit.enable()
import cinderx.jit as jit
from armjit._demo_funcs import sum_squares
want = [sum_squares(n) for n in (0, 10, 1000)]
t0 = time.perf_counter()
inst = armjit.compile(sum_squares)
t1 = time.perf_counter()
got = [sum_squares(n) for n in (0, 10, 1000)]
try:
    sum_squares("x")
except TypeError as e:
    err = str(e)
print(hex(inst.entry), inst.size, round((t1 - t0) * 1000), want == got, got, err, sep="|")
"""


def run_live() -> None:
    _section("3. armjit as CinderX's back end in a live process on aarch64")
    p = target.run(["-c", LIVE], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"the live armjit run failed:\n{p.stderr[-2000:]}")
    entry, size, ms, same, got, err = p.stdout.strip().split("|")
    print(f"armjit.compile(sum_squares): CinderX's LIR -> {size} bytes of armjit code at "
          f"{entry} in {ms} ms (Python 3.14 under qemu); sum_squares.vectorcall now points there")
    print(f"sum_squares(0, 10, 1000) = {got}, same as the interpreter: {same}")
    print(f"sum_squares('x') -> TypeError via armjit's deopt exit: {err}")
    if same != "True":
        raise SystemExit("armjit's code computed a wrong result")


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
    _section("4. armjit.emit on its own: a hand-written function, assembled and run on aarch64")
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
        with tempfile.TemporaryDirectory() as out:
            fdir = show_cinderx(out)
            show_armjit_lowering(fdir)
        run_live()
        run_armjit()
    except target.TargetError as e:
        print(f"armjit.demo: error: {e}", file=sys.stderr)
        return 2
    print("\nDone: CinderX and armjit both compiled and ran code on aarch64.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
