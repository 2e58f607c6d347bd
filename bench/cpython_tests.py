"""CPython's own test modules under three back ends on the aarch64 target (qemu).

    python bench/cpython_tests.py [--modules test_json,test_bisect] [--modes interp,cinderx,armjit]
                                  [--after-calls 2] [--timeout 600] [--json out.json] [--resume]

Each (mode, module) runs in a fresh target process, in-process (``unittest``,
no child processes: qemu-user's binfmt is not set up for the runner's children):

* ``interp``:  plain CPython 3.14, cinderx not imported;
* ``cinderx``: ``cinderx.jit.compile_after_n_calls(N)`` -- CinderX's own asmjit back end;
* ``armjit``:  ``armjit.enable(auto=True, after_calls=N)`` -- CinderX's front end,
  armjit's back end for every plain function started N times;
* ``cinderx-forced`` (not a default; for diagnosis): armjit's hook decides what is
  compiled and when, exactly as in ``armjit``, but CinderX compiles it
  (``jit.force_compile``): the same set of functions on CinderX's own back end.

``CPYTESTS_ONLY=<file>`` (``module:qualname`` a line, a path the target can read)
restricts ``armjit`` and ``cinderx-forced`` to those functions (the others run
interpreted): bisecting an armjit-only failure to one function.

N is ``--after-calls`` (default 2 for both; armjit's own default is 1000).
``support.use_resources`` is set as regrtest's default does (no optional resources:
``cpu``, ``network``, ... tests are skipped), ``--resources`` adds some.
A "module" may be any name ``unittest`` loads under ``test.``: a package
(``test_json``), a submodule (``test_asyncio.test_locks``), a class or one test id.

Prints per mode and module: tests run, failures, errors, skipped, functions
compiled (CinderX: ``jit.get_compiled_functions()``; armjit: own compiles and
closure objects given a shared code, refusals), wall time; a crash (exit without
a result: a signal, qemu's "uncaught target signal") or a timeout with the last
lines of stderr; then one totals line per mode and the test ids that fail or
error only under armjit (and modules that crash only under armjit).  Tests need
Debian's libpython3.14-testsuite in the rootfs (armjit.target.ROOTFS_PACKAGES).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from armjit import target  # noqa: E402

# Modules that pass interpreted on the target, chosen by an interp-only run over
# ~130 candidates (bench/RESULTS.md, "cpython_tests, >= 40 modules").  Some fail a
# few tests in every mode for the environment: tests that start a child python
# (qemu-user has no binfmt here: exit 127), a socket, a signal under qemu; test_json
# also crashes under JIT code that recurses too deep (no C-stack check, RESULTS.md).
# Every module costs ~50 s under armjit with after_calls=2 (unittest and import
# machinery: ~180 compiles), so the list favours modules that are quick to run.
MODULES = [
    # builtins, core types and statements
    "test_builtin", "test_bool", "test_int", "test_float", "test_complex", "test_types",
    "test_scope", "test_with", "test_patma", "test_named_expressions", "test_property",
    "test_raise", "test_except_star", "test_exception_group",
    # collections, iteration, functional
    "test_collections", "test_defaultdict", "test_itertools", "test_functools",
    "test_operator", "test_bisect", "test_heapq", "test_copy", "test_abc",
    # text: re, json, string, unicode
    "test_re", "test_json", "test_string", "test_textwrap", "test_string_literals",
    "test_ucn", "test_format",
    # numerics (no decimal)
    "test_math", "test_cmath", "test_fractions",
    # classes of classes
    "test_dataclasses", "test_enum",
    # generators, coroutines, asyncio subsets, context managers
    "test_generators", "test_genexps", "test_coroutines", "test_asyncgen",
    "test_contextlib", "test_contextlib_async", "test_context",
    "test_asyncio.test_locks", "test_asyncio.test_queues",
]
MODES = ["interp", "cinderx", "armjit"]

RUNNER = r'''
import io, json, os, sys, time, unittest
MODE, MOD, AFTER, RES = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ONLY = os.environ.get("CPYTESTS_ONLY")     # a file of module:qualname, one a line
t0 = time.perf_counter()
if MODE in ("armjit", "cinderx-forced"):
    import armjit
    armjit.enable(auto=True, after_calls=AFTER)
    import cinderx.jit as jit
    from armjit.runtime import auto, live
    _compile = live.compile
    if MODE == "cinderx-forced":
        # armjit's hook decides (the same functions, at the same start), CinderX's
        # own back end compiles: jit.force_compile instead of armjit's compile.
        def _compile(func):
            if not jit.is_jit_compiled(func) and not jit.force_compile(func):
                raise live.LiveJITError(f"{func.__qualname__}: force_compile refused")
    if ONLY:
        only = set(open(ONLY).read().split())
        def _filtered(func, _inner=_compile):
            if f"{func.__module__}:{func.__qualname__}" not in only:
                raise live.LiveJITError(f"{func.__qualname__}: not in CPYTESTS_ONLY")
            return _inner(func)
        live.compile = _filtered
    else:
        live.compile = _compile
elif MODE == "cinderx":
    import cinderx.jit as jit
    jit.compile_after_n_calls(AFTER)
from test import support
support.use_resources = set(RES.split(",")) - {""}    # regrtest's default: none
class Result(unittest.TextTestResult):
    def startTest(self, test):      # the last one started names the test of a crash
        sys.__stderr__.write(f"@@START {test.id()}\n")
        sys.__stderr__.flush()
        super().startTest(test)
suite = unittest.defaultTestLoader.loadTestsFromName("test." + MOD)
stream = io.StringIO()
res = unittest.TextTestRunner(stream=stream, verbosity=0, resultclass=Result).run(suite)
out = {"run": res.testsRun, "failures": [t.id() for t, _ in res.failures],
       "errors": [t.id() for t, _ in res.errors], "skipped": len(res.skipped),
       "unexpected_successes": len(res.unexpectedSuccesses),
       "tracebacks": [tb[-1500:] for _, tb in res.failures + res.errors][:6]}
if MODE == "cinderx":
    out["compiled"] = len(jit.get_compiled_functions())
elif MODE in ("armjit", "cinderx-forced"):
    out.update(compiled=len(auto.compiled), shared=len(auto.shared),
               refused=len(auto.refused), refused_sample=auto.refused[:5],
               compiled_names=list(auto.compiled))
out["wall"] = round(time.perf_counter() - t0, 2)
sys.stdout.flush()
sys.__stdout__.write("\n@@RESULT " + json.dumps(out) + "\n")
sys.__stdout__.flush()
'''


def _tail(text: str, lines: int = 8) -> str:
    out = [ln for ln in (text or "").strip().splitlines() if not ln.startswith("@@START ")]
    return "\n".join(out[-lines:])


def _last_test(text: str) -> str:
    starts = [ln for ln in (text or "").splitlines() if ln.startswith("@@START ")]
    return starts[-1][len("@@START "):] if starts else ""


def run_one(mode: str, module: str, *, after_calls: int = 2, timeout: float = 600,
            resources: str = "") -> dict:
    """One fresh target process: the result dict, or ``{"crash": ...}`` / ``{"timeout": ...}``."""
    t0 = time.perf_counter()
    try:
        p = target.run(["-c", RUNNER, mode, module, str(after_calls), resources],
                       capture_output=True, text=True, errors="replace",
                       timeout=timeout, cwd="/tmp")
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        return {"timeout": f"timed out after {timeout:.0f} s", "last_test": _last_test(err),
                "stderr_tail": _tail(err), "wall": round(time.perf_counter() - t0, 1)}
    for line in p.stdout.splitlines():
        if line.startswith("@@RESULT "):
            r = json.loads(line[len("@@RESULT "):])
            r["exit"] = p.returncode
            return r
    rc = p.returncode
    how = f"signal {-rc}" if rc < 0 else f"exit {rc}"
    return {"crash": how, "last_test": _last_test(p.stderr),
            "stderr_tail": _tail(p.stderr) or _tail(p.stdout),
            "wall": round(time.perf_counter() - t0, 1)}


def bad(r: dict) -> bool:
    return "crash" in r or "timeout" in r


def describe(mode: str, mod: str, r: dict) -> str:
    if bad(r):
        kind = "CRASH " + r["crash"] if "crash" in r else "TIMEOUT " + r["timeout"]
        tail = r.get("stderr_tail", "").replace("\n", "\n" + " " * 12 + "| ")
        last = f" in {r['last_test']}" if r.get("last_test") else ""
        return f"{mode:8} {mod:28} {kind}{last} wall={r['wall']}s\n{' ' * 12}| {tail}"
    extra = ""
    if mode == "cinderx":
        extra = f" compiled={r['compiled']}"
    elif mode in ("armjit", "cinderx-forced"):
        extra = f" compiled={r['compiled']} shared={r['shared']} refused={r['refused']}"
    return (f"{mode:8} {mod:28} run={r['run']:4} fail={len(r['failures'])} "
            f"err={len(r['errors'])} skip={r['skipped']}{extra} wall={r['wall']}s")


def totals(mode: str, rs: dict) -> str:
    ok = [r for r in rs.values() if not bad(r)]
    n = lambda k: sum(len(r[k]) if isinstance(r[k], list) else r[k] for r in ok)  # noqa: E731
    crashes = sum("crash" in r for r in rs.values())
    timeouts = sum("timeout" in r for r in rs.values())
    comp = sum(r.get("compiled", 0) for r in ok)
    return (f"{mode:8} modules={len(rs)} run={n('run')} failures={n('failures')} "
            f"errors={n('errors')} skipped={n('skipped')} crashes={crashes} "
            f"timeouts={timeouts} compiled={comp} "
            f"wall={sum(r['wall'] for r in rs.values()):.0f}s")


def armjit_only(results: dict, modes: list) -> list:
    """Test ids failing or erroring under armjit and in no other mode run, and
    modules that crash or time out under armjit only."""
    base = [m for m in modes if m in ("interp", "cinderx")]
    only = []
    for mod, r in results["armjit"].items():
        if bad(r):
            if not any(bad(results[b].get(mod, {})) for b in base):
                kind = "crashed" if "crash" in r else "timed out"
                only.append(f"{mod}: module {kind} under armjit only "
                            f"({r.get('crash') or r.get('timeout')}, in {r.get('last_test') or '?'})")
            continue
        ids = set(r["failures"]) | set(r["errors"])
        for b in base:
            rb = results[b].get(mod, {})
            ids -= set(rb.get("failures", [])) | set(rb.get("errors", []))
        only += sorted(ids)
    return only


def markdown(results: dict, modes: list, modules: list) -> str:
    rows = ["| module | mode | run | fail | err | skip | compiled | wall |",
            "|---|---|---|---|---|---|---|---|"]
    for mod in modules:
        for mode in modes:
            r = results[mode].get(mod)
            if r is None:
                continue
            if bad(r):
                what = f"crash ({r['crash']})" if "crash" in r else r["timeout"]
                if r.get("last_test"):
                    what += f" in {r['last_test'].split('.', 2)[-1]}"
                rows.append(f"| {mod} | {mode} | **{what}** | | | | | {r['wall']} s |")
                continue
            comp = "-"
            if mode == "cinderx":
                comp = str(r["compiled"])
            elif mode in ("armjit", "cinderx-forced"):
                comp = f"{r['compiled']} (+{r['shared']} shared, {r['refused']} refused)"
            rows.append(f"| {mod} | {mode} | {r['run']} | {len(r['failures'])} | "
                        f"{len(r['errors'])} | {r['skipped']} | {comp} | {r['wall']} s |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modules", default=",".join(MODULES),
                    help="comma-separated names under test. (default: the %d of MODULES)" % len(MODULES))
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--after-calls", type=int, default=2,
                    help="JIT threshold for cinderx (compile_after_n_calls) and armjit (after_calls)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per (mode, module) run")
    ap.add_argument("--resources", default="", help="support.use_resources, e.g. cpu")
    ap.add_argument("--json", help="write all results here (after every run)")
    ap.add_argument("--resume", action="store_true", help="keep the results already in --json")
    ap.add_argument("--markdown", action="store_true", help="also print the table as markdown")
    a = ap.parse_args(argv)
    modules, modes = [m for m in a.modules.split(",") if m], a.modes.split(",")
    results = {m: {} for m in modes}
    if a.resume and a.json and os.path.exists(a.json):
        with open(a.json) as f:
            old = json.load(f)
        for m in modes:
            results[m].update(old.get(m, {}))
    print(f"{len(modules)} modules, modes {','.join(modes)}, after_calls={a.after_calls}, "
          f"timeout={a.timeout:.0f}s", flush=True)
    for mod in modules:
        for mode in modes:
            if mod not in results[mode]:
                results[mode][mod] = run_one(mode, mod, after_calls=a.after_calls,
                                             timeout=a.timeout, resources=a.resources)
                if a.json:
                    with open(a.json, "w") as f:
                        json.dump(results, f, indent=1)
            print(describe(mode, mod, results[mode][mod]), flush=True)
    for mode in modes:     # keep only this run's modules (a resumed file may hold more)
        results[mode] = {m: results[mode][m] for m in modules}
    if a.markdown:
        print("\n" + markdown(results, modes, modules))
    print("\ntotals:")
    for mode in modes:
        print("  " + totals(mode, results[mode]))
    if "armjit" in modes:
        only = armjit_only(results, modes)
        print(f"\nfailing only under armjit ({len(only)}):", "none" if not only else "")
        for t in only:
            print("  " + t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
