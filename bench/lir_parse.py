"""LIR parse throughput over the whole dev corpus (105 functions x 5 stages).

    python bench/lir_parse.py [--repeat N] [--append-results]

Reads every .lir file once, then times armjit.lir.parse over all of them
(best of N passes, process CPU time), and also format() and verify() for
reference.  Prints lines/s; with --append-results appends a section to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from armjit.corpus.dev import function_dirs  # noqa: E402
from armjit.lir import format, parse, verify  # noqa: E402
from armjit.lir import parser as _parser  # noqa: E402

STAGES = ("generation", "postgen", "legalized", "regalloc", "postalloc")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--append-results", action="store_true")
    args = ap.parse_args()
    texts = [(d / f"{st}.lir").read_text(encoding="utf-8")
             for d in function_dirs() for st in STAGES]
    nlines = sum(t.count("\n") for t in texts)
    nbytes = sum(len(t.encode()) for t in texts)
    best = None
    for _ in range(args.repeat):
        _parser._cache.clear()           # cold operand cache each pass
        t0 = time.process_time()
        fns = [parse(t) for t in texts]
        dt = time.process_time() - t0
        best = dt if best is None else min(best, dt)
    t0 = time.process_time()
    out = [format(f) for f in fns]
    t_fmt = time.process_time() - t0
    assert out == texts, "round trip failed"
    t0 = time.process_time()
    for f in fns:
        verify(f)
    t_ver = time.process_time() - t0
    ninstr = sum(1 for f in fns for _ in f.instructions())
    lines = [
        f"files: {len(texts)}  lines: {nlines:,}  bytes: {nbytes:,}  instructions: {ninstr:,}",
        f"parse:  {best:.2f} s  = {nlines / best:,.0f} lines/s  ({nbytes / best / 1e6:.1f} MB/s, "
        f"{ninstr / best:,.0f} instructions/s)  [best of {args.repeat}]",
        f"format: {t_fmt:.2f} s  = {nlines / t_fmt:,.0f} lines/s  (byte-identical to the input)",
        f"verify: {t_ver:.2f} s  = {nlines / t_ver:,.0f} lines/s",
    ]
    print("\n".join(lines))
    if args.append_results:
        res = ROOT / "bench" / "RESULTS.md"
        head = "" if res.exists() else "# Benchmark results\n"
        with res.open("a", encoding="utf-8") as f:
            f.write(head + "\n## lir_parse\n\n"
                    f"Command: `python bench/lir_parse.py --repeat {args.repeat} --append-results`\n"
                    f"(all 525 LIR dumps of the dev corpus, every stage; process CPU time; "
                    f"CPython {platform.python_version()}, 2 shared cores)\n\n```\n"
                    + "\n".join(lines) + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
