"""Per-function live compile latency on the aarch64 target (qemu): armjit vs CinderX.

    python bench/compile_latency.py [--modules a,b,...] [--min-functions 300]

Two fresh target processes compile the same functions in the same order:

* ``cinderx``: plain CinderX, no dumps -- ``cinderx.jit.force_compile(f)``
  (HIR, LIR, register allocation, asmjit);
* ``armjit``: ``armjit.enable()`` then ``armjit.compile(f)`` -- everything a
  user waits for: CinderX's front end with its LIR dump on, reading the
  log, parsing, lowering, placing and writing armjit's code, installing it.

Each process first compiles one small warm-up function (one-time set-up is
not a per-function latency).  Prints the median of the per-function ratios
armjit/cinderx, the ratio of the medians, percentiles, armjit's own split
(CinderX's part with its dump, the rest) and the worst functions.  Functions
either side refused are listed and left out of the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from armjit import target  # noqa: E402

MODULES = ("json,json.decoder,json.encoder,textwrap,shlex,fnmatch,posixpath,colorsys,"
           "string,re._parser,re._compiler,re._casefix,difflib,argparse,configparser,csv,"
           "calendar,pprint,tokenize,statistics,fractions,ipaddress,base64,gettext,"
           "shutil,copy,dataclasses,functools,operator,inspect")

SCRIPT = r'''
import importlib, json, sys, time
MODE, MODULES = sys.argv[1], sys.argv[2].split(",")
if MODE == "armjit":
    import armjit
    armjit.enable()
import cinderx.jit as jit
from armjit.corpus._collect import functions_of
from armjit.runtime.live import unsupported
def warm(a, b):
    return [a + b, a * b]
fns = []
for name in MODULES:
    mod = importlib.import_module(name)
    for qual, fn in functions_of(mod):
        if unsupported(fn.__code__) is None:
            fns.append((f"{name}:{qual}", fn))
if MODE == "armjit":
    compile_one = armjit.compile
    armjit.compile(warm)
else:
    def compile_one(f):
        if not jit.force_compile(f):
            raise RuntimeError("CinderX refused")
    compile_one(warm)
out, refused = {}, {}
for name, fn in fns:
    t = time.perf_counter()
    try:
        compile_one(fn)
    except Exception as e:
        refused[name] = str(e)[:160]
        continue
    out[name] = (time.perf_counter() - t) * 1e3
extra = {}
if MODE == "armjit":
    from armjit.runtime import live
    rt = live._rt
    extra = {"cinderx_ms": rt.cinderx_ms[1:], "compile_ms": rt.compile_ms[1:]}
print(json.dumps({"ms": out, "refused": refused, **extra}))
'''


def run(mode: str, modules: str) -> dict:
    p = target.run(["-c", SCRIPT, mode, modules], capture_output=True, text=True, timeout=7200)
    if p.returncode != 0:
        raise SystemExit(f"{mode}: exit {p.returncode}: {p.stderr.strip()[-600:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modules", default=MODULES)
    ap.add_argument("--min-functions", type=int, default=300)
    args = ap.parse_args(argv)
    target.setup()
    t0 = time.perf_counter()
    cx = run("cinderx", args.modules)
    arm = run("armjit", args.modules)
    both = sorted(set(cx["ms"]) & set(arm["ms"]))
    ratios = [arm["ms"][n] / cx["ms"][n] for n in both]
    cx_ms = [cx["ms"][n] for n in both]
    arm_ms = [arm["ms"][n] for n in both]
    print(f"functions compiled by both: {len(both)} "
          f"(refused: CinderX {len(cx['refused'])}, armjit {len(arm['refused'])})")
    print(f"CinderX, dumps off:  median {statistics.median(cx_ms):7.1f} ms  "
          f"p90 {pct(cx_ms, .9):7.1f} ms  total {sum(cx_ms) / 1e3:6.1f} s")
    print(f"armjit, whole path:  median {statistics.median(arm_ms):7.1f} ms  "
          f"p90 {pct(arm_ms, .9):7.1f} ms  total {sum(arm_ms) / 1e3:6.1f} s")
    if arm.get("cinderx_ms"):
        c = arm["cinderx_ms"]
        rest = [a - b for a, b in zip(arm["compile_ms"], c)]
        print(f"  of which CinderX with its LIR dump: median {statistics.median(c):.1f} ms, "
              f"armjit's part (log, parse, lower, write): median {statistics.median(rest):.1f} ms")
    print(f"armjit/CinderX per function: median {statistics.median(ratios):.2f}x  "
          f"p10 {pct(ratios, .1):.2f}x  p90 {pct(ratios, .9):.2f}x; "
          f"ratio of medians {statistics.median(arm_ms) / statistics.median(cx_ms):.2f}x; "
          f"ratio of totals {sum(arm_ms) / sum(cx_ms):.2f}x")
    worst = sorted(both, key=lambda n: -arm["ms"][n] / cx["ms"][n])[:5]
    print("worst: " + ", ".join(f"{n} {arm['ms'][n]:.0f}/{cx['ms'][n]:.0f} ms" for n in worst))
    for n, why in sorted(arm["refused"].items()):
        if n not in cx["refused"]:
            print(f"armjit refused {n}: {why}")
    print(f"({time.perf_counter() - t0:.0f} s)")
    if len(both) < args.min_functions:
        print(f"only {len(both)} functions (< {args.min_functions}): add modules")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
