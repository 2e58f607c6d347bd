"""armjit code size vs asmjit's over the dev corpus.

    python bench/codegen_size.py [--append-results]

Compiles every function (armjit.codegen.function.compile_dump) and compares
len(code) with asmjit.bin (both: the whole function, entries through the
constant pool and far-call veneers; asmjit's includes its stub/address-table
data).  Prints the total ratio (goal <= 0.97x), the per-function distribution
and the extremes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from armjit.codegen.function import compile_dump  # noqa: E402
from armjit.corpus.dev import function_dirs  # noqa: E402


def measure():
    rows = []
    for d in function_dirs():
        cf = compile_dump(d)
        rows.append((f"{d.parent.name}:{d.name}", len(cf.code), len((d / "asmjit.bin").read_bytes())))
    return rows


def report(rows) -> str:
    ours = sum(r[1] for r in rows)
    theirs = sum(r[2] for r in rows)
    ratios = sorted(r[1] / r[2] for r in rows)
    q = statistics.quantiles(ratios, n=10)
    by = sorted(rows, key=lambda r: r[1] / r[2])
    out = [f"functions: {len(rows)}",
           f"total: armjit {ours:,} B / asmjit {theirs:,} B = {ours / theirs:.3f}x  (goal <= 0.97x: "
           f"{'met' if ours / theirs <= 0.97 else 'NOT met'})",
           f"per function: min {ratios[0]:.3f}  p10 {q[0]:.3f}  median {statistics.median(ratios):.3f}  "
           f"p90 {q[8]:.3f}  max {ratios[-1]:.3f}",
           f"  <= 0.95x: {sum(r <= 0.95 for r in ratios)}   (0.95, 0.97]: "
           f"{sum(0.95 < r <= 0.97 for r in ratios)}   (0.97, 1.0]: {sum(0.97 < r <= 1.0 for r in ratios)}"
           f"   > 1.0x: {sum(r > 1.0 for r in ratios)}",
           "smallest ratios: " + ", ".join(f"{n} {a}/{b}" for n, a, b in by[:3]),
           "largest ratios:  " + ", ".join(f"{n} {a}/{b}" for n, a, b in by[-3:])]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--append-results", action="store_true")
    args = ap.parse_args()
    text = report(measure())
    print(text)
    if args.append_results:
        with open(ROOT / "bench" / "RESULTS.md", "a") as f:
            f.write("\n## codegen_size\n\nCommand: `python bench/codegen_size.py --append-results`\n"
                    "(every dev-corpus function; bytes of the whole function: armjit's code + constant "
                    "pool + veneers vs asmjit.bin)\n\n```\n" + text + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
