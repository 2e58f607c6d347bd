"""Steady state: armjit's code vs asmjit's code for the same LIR, in one process (target).

    python bench/steady_state.py [--reps 9] [--no-taskset] [--no-stack-check] [--loops fib,...]

One aarch64 process under qemu (pinned to one CPU with ``taskset`` when it
exists).  For each loop function: run it interpreted until CinderX's
interpreter has specialised its byte code, ``armjit.compile(f)`` (CinderX
compiles it with asmjit, armjit lowers the same post-alloc LIR), then swap the
function's vectorcall entry between armjit's code and asmjit's code and time
calls alternately, ``--reps`` per side.  Recursive calls go through the same
entry, so a recursive loop runs all-armjit or all-asmjit.  Results are checked
equal on both sides.

``--no-stack-check``: armjit's code without its C-stack check at the entry
(``armjit.enable(stack_check=False)``), which CinderX's code does not have:
the cost of that safety on call-heavy loops.

Prints per loop: best and median of each side, armjit/asmjit on the bests and
on the medians, and the spread (slowest/fastest) of each side.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from armjit import target  # noqa: E402

SCRIPT = r'''
import json, sys, time
REPS = int(sys.argv[1])
STACK_CHECK = sys.argv[2] == "1"
ONLY = set(sys.argv[3].split(",")) - {""}
import armjit
armjit.enable(stack_check=STACK_CHECK)
from armjit.runtime import live
from armjit.runtime.install import vectorcall_slot

def ints(n):
    s = 0
    for i in range(n):
        s += (i * i) % 7 - (i >> 2)
    return s

def floats(n):
    x = 0.0
    for i in range(1, n):
        x += 1.0 / (i * i) - 0.5 * x / i
    return x

def strings(n):
    out = []
    for i in range(n):
        s = "k" + str(i % 101)
        out.append(s.upper() if i % 3 else s[::-1])
    return len("".join(out))

def dicts(n):
    d = {}
    for i in range(n):
        k = i % 257
        d[k] = d.get(k, 0) + i
    return sum(d.values())

class Acc:
    def __init__(self):
        self.total = 0
    def add(self, v):
        self.total += v
        return self.total

def methods(n):
    a = Acc()
    for i in range(n):
        a.add(i & 15)
    return a.total

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def collatz(n):
    best = 0
    for s in range(1, n):
        k, m = 0, s
        while m != 1:
            m = m // 2 if m % 2 == 0 else 3 * m + 1
            k += 1
        best = max(best, k)
    return best

LOOPS = [(ints, 400000), (floats, 400000), (strings, 120000), (dicts, 400000),
         (methods, 250000), (fib, 27), (collatz, 20000)]

def entry_of(f):
    shim, slot = vectorcall_slot(f)
    return shim, slot

out = {}
for f, n in LOOPS:
    if ONLY and f.__name__ not in ONLY:
        continue
    for _ in range(3):
        f(n // 10 or n)                      # specialise the byte code (interpreted)
    inst = armjit.compile(f)
    shim, slot = entry_of(f)
    arm, asm = inst.entry, inst.previous
    def use(e):
        shim.lib.armjit_swap_pointer(shim.ffi.cast("void **", slot), shim.ffi.cast("void *", e))
    times = {"armjit": [], "asmjit": []}
    results = set()
    for r in range(REPS):
        for side, e in (("armjit", arm), ("asmjit", asm)) if r % 2 else (("asmjit", asm), ("armjit", arm)):
            use(e)
            t = time.perf_counter()
            results.add(repr(f(n)))
            times[side].append(time.perf_counter() - t)
    use(arm)
    out[f.__name__] = {"times": times, "same": len(results) == 1}
print(json.dumps(out))
'''


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--no-taskset", action="store_true")
    ap.add_argument("--no-stack-check", action="store_true",
                    help="armjit's code without its C-stack check (CinderX's has none)")
    ap.add_argument("--loops", default="", help="comma-separated loop names (default: all)")
    ns = ap.parse_args(argv)
    target.setup()
    cmd = target.command(["-c", SCRIPT, str(ns.reps), "0" if ns.no_stack_check else "1",
                          ns.loops])
    pinned = False
    if not ns.no_taskset and shutil.which("taskset"):
        cpu = max(os.sched_getaffinity(0))
        cmd = ["taskset", "-c", str(cpu)] + cmd
        pinned = True
    p = subprocess.run(cmd, env=target._env_for_target(), capture_output=True, text=True,
                       timeout=7200)
    if p.returncode != 0:
        print(p.stderr[-2000:], file=sys.stderr)
        return 1
    out = json.loads(p.stdout.strip().splitlines()[-1])
    print(f"reps per side: {ns.reps}, alternating; pinned to one CPU: {pinned}; "
          f"armjit's stack check: {'off' if ns.no_stack_check else 'on'}")
    print(f"{'loop':9} {'armjit best':>12} {'asmjit best':>12} {'ratio':>7} "
          f"{'armjit med':>11} {'asmjit med':>11} {'ratio':>7}   spread arm/asm")
    bad = 0
    ratios = []
    for name, r in out.items():
        a, b = r["times"]["armjit"], r["times"]["asmjit"]
        ratio = min(a) / min(b)
        ratios.append(ratio)
        print(f"{name:9} {min(a):11.3f}s {min(b):11.3f}s {ratio:6.3f}x "
              f"{statistics.median(a):10.3f}s {statistics.median(b):10.3f}s "
              f"{statistics.median(a) / statistics.median(b):6.3f}x   "
              f"{max(a) / min(a):.2f}/{max(b) / min(b):.2f}"
              + ("" if r["same"] else "   RESULTS DIFFER"))
        bad += not r["same"]
    print(f"geometric mean of best ratios: {statistics.geometric_mean(ratios):.3f}x; "
          f"worst {max(ratios):.3f}x")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
