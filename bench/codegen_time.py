"""armjit emission time per function vs CinderX's own compile time.

    python bench/codegen_time.py [--repeat N] [--qemu] [--append-results]

For every dev-corpus function, two armjit times, each best of N, against
meta.json's ``compile_time_ns``: CinderX's force_compile wall time (the whole
JIT pipeline: HIR, optimisation, LIR, register allocation, asmjit), measured
under qemu-user when the corpus was collected:

* ``compile_function`` (the original definition): frame layout from the parsed
  LIR, frame checks, lowering every LIR instruction, assembly and
  finalisation; the LIR is parsed and the process facts read beforehand,
  outside the timing;
* the live path (what armjit must do per function in a live process):
  ``parse`` of the post-alloc LIR text (already in memory) +
  ``process_facts`` (reads meta.json, asmjit.asm and asmjit.bin of the dump
  and scans CinderX's listing) + ``compile_function``.

``--qemu`` also runs the same measurement on the aarch64 target
(``python -m armjit.target run``: python3.14 under the same qemu-user as
CinderX was timed), which is the like-for-like comparison; host-native
CPython 3.11 vs CinderX under qemu is not.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(repeat: int):
    from armjit.codegen.function import process_facts
    from armjit.codegen.function import compile_function
    from armjit.corpus.dev import function_dirs
    from armjit.lir import parse
    rows = []
    dirs = list(function_dirs())
    prepared = []
    for d in dirs:
        meta = json.loads((d / "meta.json").read_text())
        text = (d / "postalloc.lir").read_text()
        prepared.append((d, meta, text, parse(text), process_facts(d)))
    # warm-up (imports, caches)
    d, meta, text, fn, facts = prepared[0]
    compile_function(fn, meta, facts, meta["code_address"])
    process_facts(d)
    parse(text)
    for d, meta, text, fn, facts in prepared:
        best = live = None
        for _ in range(repeat):
            t0 = time.perf_counter_ns()
            cf = compile_function(fn, meta, facts, meta["code_address"])
            t = time.perf_counter_ns() - t0
            best = t if best is None else min(best, t)
            t0 = time.perf_counter_ns()
            compile_function(parse(text), meta, process_facts(d), meta["code_address"])
            t = time.perf_counter_ns() - t0
            live = t if live is None else min(live, t)
        rows.append({"name": meta["fullname"], "armjit_ns": best, "live_ns": live,
                     "cinderx_ns": meta["compile_time_ns"],
                     "lir_instructions": sum(len(b.instructions) for b in fn.blocks),
                     "bytes": len(cf.code)})
    return rows


def _ratio_lines(rows, key: str, what: str) -> list:
    a = sum(r[key] for r in rows)
    c = sum(r["cinderx_ns"] for r in rows)
    n = sum(r["lir_instructions"] for r in rows)
    ratios = sorted(r[key] / r["cinderx_ns"] for r in rows)
    q = statistics.quantiles(ratios, n=10)
    worst = max(rows, key=lambda r: r[key] / r["cinderx_ns"])
    over = sum(1 for x in ratios if x > 1.0)
    return [
        f"  {what}: total {a / 1e9:.3f} s ({n / (a / 1e9):,.0f} LIR instr/s, "
        f"median {statistics.median(r[key] for r in rows) / 1e6:.1f} ms/function)",
        f"    ratio armjit/CinderX: total {a / c:.3f}x; per function min {ratios[0]:.3f} p10 {q[0]:.3f} "
        f"median {statistics.median(ratios):.3f} p90 {q[8]:.3f} max {ratios[-1]:.3f} "
        f"({worst['name']}); {over} of {len(rows)} functions > 1.0x"]


def report(rows, label: str) -> str:
    c = sum(r["cinderx_ns"] for r in rows)
    n = sum(r["lir_instructions"] for r in rows)
    lines = [f"[{label}] {len(rows)} functions, {n:,} LIR instructions",
             f"  CinderX compile total {c / 1e9:.3f} s (qemu-user, whole pipeline)"]
    lines += _ratio_lines(rows, "armjit_ns", "armjit compile_function (LIR pre-parsed, facts pre-read)")
    if all("live_ns" in r for r in rows):
        lines += _ratio_lines(rows, "live_ns", "armjit live path (parse + process_facts + compile_function)")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--qemu", action="store_true", help="also measure under the aarch64 target")
    ap.add_argument("--qemu-repeat", type=int, default=1)
    ap.add_argument("--inner-json", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--append-results", action="store_true")
    args = ap.parse_args()
    if args.inner_json:
        print(json.dumps(measure(args.repeat)))
        return 0
    import platform
    texts = [report(measure(args.repeat),
                    f"host: CPython {platform.python_version()} native x86-64, best of {args.repeat}")]
    print(texts[-1], flush=True)
    if args.qemu:
        from armjit import target
        p = target.run([str(ROOT / "bench" / "codegen_time.py"), "--inner-json",
                        "--repeat", str(args.qemu_repeat)], capture_output=True, text=True)
        if p.returncode != 0:
            print(p.stderr, file=sys.stderr)
            return 1
        rows = json.loads(p.stdout.strip().splitlines()[-1])
        texts.append(report(rows, f"qemu: python3.14 aarch64 under qemu-user (as CinderX was timed), "
                                  f"best of {args.qemu_repeat}"))
        print(texts[-1])
    if args.append_results:
        cmd = "python bench/codegen_time.py" + (" --qemu" if args.qemu else "") + " --append-results"
        with open(ROOT / "bench" / "RESULTS.md", "a") as f:
            f.write("\n## codegen_time\n\nCommand: `" + cmd + "`\n(per dev-corpus function, best of "
                    "N: armjit's compile_function with the LIR already parsed and the process facts "
                    "read, and the live path parse + process_facts + compile_function; vs meta.json "
                    "compile_time_ns = CinderX's whole force_compile under qemu-user. Only the "
                    "qemu-vs-qemu ratios are like for like.)\n\n```\n" + "\n".join(texts) + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
