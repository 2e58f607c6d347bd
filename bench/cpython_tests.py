"""CPython's own test modules under three back ends on the aarch64 target (qemu).

    python bench/cpython_tests.py [--modules test_json,test_bisect] [--modes interp,cinderx,armjit]

Each (mode, module) runs in a fresh target process, in-process (``unittest``,
no child processes: qemu-user's binfmt is not set up for the runner's children):

* ``interp``:  plain CPython 3.14, cinderx not imported;
* ``cinderx``: ``cinderx.jit.compile_after_n_calls(2)`` -- CinderX's own asmjit back end;
* ``armjit``:  ``armjit.enable(auto=True, after_calls=2)`` -- CinderX's front end,
  armjit's back end for every plain function called twice.

Prints per mode and module: tests run, failures, errors, skipped, functions
compiled (CinderX: ``jit.get_compiled_functions()``; armjit: own compiles and
closure objects given a shared code, refusals), wall time; then the tests that
fail or error only under armjit.  Tests need Debian's libpython3.14-testsuite in
the rootfs (armjit.target.ROOTFS_PACKAGES).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from armjit import target  # noqa: E402

MODULES = ["test_json", "test_textwrap", "test_bisect", "test_heapq", "test_fnmatch",
           "test_shlex", "test_colorsys", "test_string", "test_posixpath"]
MODES = ["interp", "cinderx", "armjit"]

RUNNER = r'''
import io, json, sys, time, unittest
MODE, MOD = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if MODE == "armjit":
    import armjit
    armjit.enable(auto=True, after_calls=2)
    import cinderx.jit as jit
elif MODE == "cinderx":
    import cinderx.jit as jit
    jit.compile_after_n_calls(2)
from test import support
suite = unittest.defaultTestLoader.loadTestsFromName("test." + MOD)
stream = io.StringIO()
res = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
out = {"run": res.testsRun, "failures": [t.id() for t, _ in res.failures],
       "errors": [t.id() for t, _ in res.errors], "skipped": len(res.skipped),
       "unexpected_successes": len(res.unexpectedSuccesses),
       "tracebacks": [tb[-1500:] for _, tb in res.failures + res.errors][:4]}
if MODE == "cinderx":
    out["compiled"] = len(jit.get_compiled_functions())
elif MODE == "armjit":
    from armjit.runtime import auto
    out.update(compiled=len(auto.compiled), shared=len(auto.shared),
               refused=len(auto.refused), refused_sample=auto.refused[:5])
out["wall"] = round(time.perf_counter() - t0, 2)
sys.stdout.flush()
print("@@RESULT " + json.dumps(out), flush=True)
'''


def run_one(mode: str, module: str, timeout: float) -> dict:
    t0 = time.perf_counter()
    try:
        p = target.run(["-c", RUNNER, mode, module], capture_output=True, text=True,
                       timeout=timeout, cwd="/tmp")
    except Exception as e:     # timeout
        return {"crash": f"{type(e).__name__}: {e}"[:300], "wall": round(time.perf_counter() - t0, 1)}
    for line in p.stdout.splitlines():
        if line.startswith("@@RESULT "):
            return json.loads(line[len("@@RESULT "):])
    return {"crash": f"exit {p.returncode}: " + (p.stderr or p.stdout)[-800:],
            "wall": round(time.perf_counter() - t0, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", default=",".join(MODULES))
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--json", help="also write all results here")
    a = ap.parse_args(argv)
    modules, modes = a.modules.split(","), a.modes.split(",")
    results = {m: {} for m in modes}
    for mod in modules:
        for mode in modes:
            r = results[mode][mod] = run_one(mode, mod, a.timeout)
            if "crash" in r:
                print(f"{mode:8} {mod:16} CRASH {r['crash'][:400]!r}", flush=True)
                continue
            extra = ""
            if mode == "cinderx":
                extra = f" compiled={r['compiled']}"
            elif mode == "armjit":
                extra = f" compiled={r['compiled']} shared={r['shared']} refused={r['refused']}"
            print(f"{mode:8} {mod:16} run={r['run']:4} fail={len(r['failures'])} "
                  f"err={len(r['errors'])} skip={r['skipped']}{extra} wall={r['wall']}s",
                  flush=True)
    print("\ntotals:")
    for mode in modes:
        rs = [r for r in results[mode].values() if "crash" not in r]
        tot = {k: sum(len(r[k]) if isinstance(r[k], list) else r[k] for r in rs)
               for k in ("run", "failures", "errors", "skipped")}
        comp = sum(r.get("compiled", 0) for r in rs)
        crashes = len(results[mode]) - len(rs)
        print(f"  {mode:8} run={tot['run']} failures={tot['failures']} errors={tot['errors']} "
              f"skipped={tot['skipped']} compiled={comp} crashed_modules={crashes} "
              f"wall={sum(r['wall'] for r in results[mode].values()):.1f}s")
    if "armjit" in modes:
        base = [m for m in modes if m != "armjit"]
        only = []
        for mod, r in results["armjit"].items():
            if "crash" in r:
                if not any("crash" in results[b].get(mod, {}) for b in base):
                    only.append(f"{mod}: module crashed under armjit only")
                continue
            bad = set(r["failures"]) | set(r["errors"])
            for b in base:
                rb = results[b].get(mod, {})
                bad -= set(rb.get("failures", [])) | set(rb.get("errors", []))
            only += sorted(bad)
        print("\nfailing only under armjit:", only or "none")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
