"""What the live back end holds after a few hundred compiles, on the aarch64 target (qemu).

    python bench/live_resources.py [--functions 300] [--checkout DIR]

One target process: ``armjit.enable()``, then N small functions defined at run
time, each compiled with ``armjit.compile`` and called; then all of them are
deleted.  Measured from outside armjit's own counters, so that any checkout
(``--checkout`` an older tree, e.g. a ``git worktree`` of an earlier commit)
can be compared with the same script:

* RSS (``VmRSS``) before the first compile, after the compiles, after the delete;
* code memory armjit reserved (the first runtime: the mapping of each function;
  now: the heap's arenas) against the bytes of code in it;
* bytes of code armjit produced (sum of the installed code sizes, where the
  checkout tells them);
* the CinderX log on disk (``CINDERX_JIT_LOG_FILE``: size, or gone);
* function objects still alive after ``del`` and ``gc.collect()``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from armjit import target  # noqa: E402

SCRIPT = r'''
import gc, json, os, sys, weakref
N = int(sys.argv[1])
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
import armjit
armjit.enable()
import cinderx.jit as jit
def warm(a, b):
    return a + b
armjit.compile(warm)
r0 = rss()
ns = {"__name__": "bench_functions"}   # (the first runtime matched log sections by module name)
exec("\n".join(f"def f{i}(a, b):\n    x = a * {i} + b\n    return x if x % 2 else [x, {i}]\n"
               for i in range(N)), ns)
fns = [ns.pop(f"f{i}") for i in range(N)]
code_bytes = 0
blocks = {}
for f in fns:
    inst = armjit.compile(f)
    f(1, 2)
    block = getattr(inst, "block", None)      # the first runtime: one mapping per function
    if block is not None:
        code_bytes += block.size
        blocks[block.address] = block.capacity
    else:
        code_bytes += inst.size
del inst
if blocks:
    reserved = sum(blocks.values())
else:
    reserved = armjit.stats()["reserved_bytes"]
r1 = rss()
log = os.environ.get("CINDERX_JIT_LOG_FILE")
log_size = os.path.getsize(log) if log and os.path.exists(log) else None
refs = [weakref.ref(f) for f in fns]
del f, fns
gc.collect()
alive = sum(r() is not None for r in refs)
r2 = rss()
out = {"rss_before": r0, "rss_after_compiles": r1, "rss_after_delete": r2,
       "code_bytes": code_bytes, "new_code_mappings_bytes": reserved,
       "new_code_mappings": len(blocks) or armjit.stats()["arenas"], "log_on_disk": log_size, "alive_after_delete": alive}
if hasattr(armjit, "stats"):
    st = armjit.stats()
    out["stats"] = {k: st[k] for k in ("code_bytes", "reserved_bytes", "code_pages_bytes",
                                       "live_codes", "freed_codes", "log_bytes",
                                       "log_peak_bytes")}
print(json.dumps(out))
'''


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--functions", type=int, default=300)
    ap.add_argument("--checkout", default=None,
                    help="run this checkout's armjit (default: this one)")
    ns = ap.parse_args(argv)
    env = None
    if ns.checkout:
        env = {"PYTHONPATH": os.pathsep.join(
            [str(target.site_dir()), str(target.shim_dir()), os.path.abspath(ns.checkout)])}
    p = target.run(["-c", SCRIPT, str(ns.functions)], capture_output=True, text=True,
                   timeout=3600, env=env, cwd=os.path.abspath(ns.checkout or os.curdir))
    if p.returncode != 0:
        print("live_resources: the target run failed:", p.stderr.strip().splitlines()[-1:],
              file=sys.stderr)
        return 1
    out = json.loads(p.stdout.strip().splitlines()[-1])
    mb = lambda v: "gone" if v is None else f"{v / 2**20:.2f} MB"   # noqa: E731
    print(f"checkout: {ns.checkout or 'this one'}; {ns.functions} functions compiled by armjit")
    print(f"  RSS: {mb(out['rss_before'])} before, {mb(out['rss_after_compiles'])} after the "
          f"compiles, {mb(out['rss_after_delete'])} after deleting them")
    print(f"  code: {mb(out['code_bytes'])} of armjit code in {out['new_code_mappings']} "
          f"mappings of {mb(out['new_code_mappings_bytes'])} reserved "
          f"({out['new_code_mappings_bytes'] / max(out['code_bytes'], 1):.1f}x)")
    print(f"  CinderX log on disk: {mb(out['log_on_disk'])}; functions alive after del: "
          f"{out['alive_after_delete']}")
    if "stats" in out:
        print(f"  armjit.stats(): {out['stats']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
