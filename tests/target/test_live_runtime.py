"""The live runtime around armjit's code generator (target tier, issue 8).

Each test runs a script in a fresh aarch64 python3.14 + CinderX under qemu and
checks one promise of armjit.runtime.live: threads, identity, tracing,
interrupts, module bodies, lifetimes, code memory, the log, the off-switch.
Where CinderX has a behaviour of its own (tracing events, freeing functions,
``__code__`` assignment), the same script runs under CinderX's own auto mode
(``cinderx.jit.compile_after_n_calls``) and the interpreter, and the results
must be equal.
"""

import json
import textwrap

import pytest

from armjit import target

pytestmark = pytest.mark.target

MODES = {
    "interp": "",
    "cinderx": "import cinderx.jit as jit\njit.compile_after_n_calls(2)\n",
    "armjit": "import armjit\narmjit.enable(auto=True, after_calls=2)\nimport cinderx.jit as jit\n",
}


def run(script: str, mode: str = "armjit", timeout: int = 600) -> dict:
    src = MODES[mode] + textwrap.dedent(script)
    p = target.run(["-c", src], capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, p.stderr[-4000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ threads

THREADS = r'''
import json, random, sys, threading
from armjit.runtime import auto, live
N = 48
ns = {}
exec("\n".join(f"f{i} = lambda: {i}" for i in range(N)), ns)      # all named <lambda>
same = [ns[f"f{i}"] for i in range(N)]
exec("\n".join(f"def g{i}():\n    return {i}" for i in range(N)), ns)
distinct = [ns[f"g{i}"] for i in range(N)]
wrong = []
def worker(seed, fns):
    order = list(range(N)) * 2
    random.Random(seed).shuffle(order)
    for i in order:
        v = fns[i]()
        if v != i:
            wrong.append((fns[i].__qualname__, i, v))
for fns in (same, distinct):
    ts = [threading.Thread(target=worker, args=(k, fns)) for k in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
again = [f() for f in same + distinct]
installed = sum(live._rt.installation_of(f) is not None for f in same + distinct)
print(json.dumps({"wrong": wrong, "again": again == list(range(N)) * 2,
                  "installed": installed, "refused": auto.refused,
                  "compiled": live.stats()["compiled"]}))
'''


def test_threads_never_get_another_functions_code():
    out = run(THREADS.replace("after_calls=2", "after_calls=1"))
    assert out["wrong"] == []
    assert out["again"] is True
    assert out["refused"] == []                      # no false "log lacks its LIR"
    assert out["installed"] == 96                    # every function runs armjit's code
    assert out["compiled"] >= 96


# ------------------------------------------------------------------ identity

IDENTITY = r'''
import json, traceback
src = "def boom(x):\n    if x:\n        raise ValueError(x)\n    return x + 1\n"
na, nb = {}, {}
exec(compile(src, "file_a.py", "exec"), na)
exec(compile(src, "file_b.py", "exec"), nb)
fa, fb = na["boom"], nb["boom"]
def where(f):
    try:
        f(1)
    except ValueError as e:
        return traceback.extract_tb(e.__traceback__)[-1].filename
out = {"equal_codes": fa.__code__ == fb.__code__}
for _ in range(3):
    fa(0); fb(0)
out["files"] = [where(fa), where(fb)]
def g(a, b):
    return a + b
def h(a, b):
    return a * b
for _ in range(3):
    g(2, 5); h(2, 5)
g.__code__ = h.__code__
out["swapped"] = [g(2, 5), g(3, 3)]
if "armjit" in globals():
    from armjit.runtime import live
    out["g_installed"] = live._rt.installation_of(g) is not None
    out["invalidated"] = live.stats()["invalidated"]
for _ in range(3):
    g(4, 4)
out["swapped_later"] = g(4, 5)
print(json.dumps(out))
'''


def test_equal_code_objects_and_code_assignment_behave_as_under_cinderx():
    results = {m: run(IDENTITY, m) for m in MODES}
    arm = results["armjit"]
    assert arm["equal_codes"] is True                # the setup really has equal codes
    assert arm.pop("g_installed") is False           # armjit's entry for g's old code is gone
    assert arm.pop("invalidated") == 1
    assert arm == results["interp"] == results["cinderx"]
    assert arm["files"] == ["file_a.py", "file_b.py"]
    assert arm["swapped"] == [10, 9] and arm["swapped_later"] == 20


# ------------------------------------------------------------------ tracing

TRACING = r'''
import cProfile, json, pstats, sys
def leaf(x):
    return x * 2
def mid(x):
    s = 0
    for i in range(x):
        s += leaf(i)
    return s
def top(n):
    return [mid(k) for k in range(n)]
for _ in range(4):
    top(4)
installed_before = None
if "armjit" in globals():
    from armjit.runtime import live
    # leaf runs armjit's code either as its own installation or inlined
    # into armjit's code of mid (CinderX's HIR inliner, as in CinderX's auto
    # mode: then leaf is never started again, and never hot)
    def runs_armjit(f):
        return live._rt.installation_of(f) is not None or (
            f is leaf and live._rt.installation_of(mid) is not None
            and jit.get_num_inlined_functions(mid) > 0)
    installed_before = [runs_armjit(f) for f in (leaf, mid, top)]
events = []
def tracer(frame, event, arg):
    if frame.f_code.co_name in ("leaf", "mid", "top"):
        events.append((event, frame.f_code.co_name,
                       frame.f_lineno - frame.f_code.co_firstlineno))
    return tracer
sys.settrace(tracer)
top(3)
sys.settrace(None)
prof = []
def profiler(frame, event, arg):
    if frame.f_code.co_name in ("leaf", "mid", "top"):
        prof.append((event, frame.f_code.co_name))
sys.setprofile(profiler)
top(3)
sys.setprofile(None)
pr = cProfile.Profile()
pr.enable()
top(3)
pr.disable()
st = pstats.Stats(pr)
calls = sorted((k[2], v[1]) for k, v in st.stats.items() if k[2] in ("leaf", "mid", "top"))
after = top(3)
out = {"trace": events, "profile": prof, "cprofile": calls, "after": after}
if installed_before is not None:
    out["armjit"] = [installed_before, [runs_armjit(f) for f in (leaf, mid, top)]]
print(json.dumps(out))
'''


def test_tracers_and_profilers_see_what_they_see_under_cinderx():
    results = {m: run(TRACING, m) for m in MODES}
    before, after = results["armjit"].pop("armjit")
    assert before == [True, True, True]              # armjit's code ran before tracing
    assert after == [True, True, True]               # and is back once tracing stopped
    assert results["armjit"] == results["cinderx"] == results["interp"]
    ev = results["armjit"]["trace"]
    assert len([e for e in ev if e[:2] == ["call", "leaf"]]) == 3     # mid(0..2): 0+1+2 calls
    assert ev[0][:2] == ["call", "top"] and ev[-1][:2] == ["return", "top"]
    assert results["armjit"]["cprofile"] == [["leaf", 3], ["mid", 3], ["top", 1]]


# ------------------------------------------------------------------ interrupts, module bodies

INTERRUPTS = r'''
import json, sys
from armjit.runtime import auto, live
import armjit.codegen as cg
real = cg.compile_function
pending = [KeyboardInterrupt, SystemExit]
def flaky(*a, **k):
    if pending:
        raise pending.pop(0)("arrived during a compile")
    return real(*a, **k)
cg.compile_function = flaky
def f(x):
    return x + 1
def g(x):
    return x * 3
seen = []
for fn in (f, g):
    for i in range(3):
        try:
            seen.append(fn(i))
        except BaseException as e:
            seen.append(type(e).__name__)
cg.compile_function = real
for _ in range(3):
    f(1); g(1)
import os, signal                       # a real SIGINT arriving during a compile
# (Python's own handler, whatever was inherited: a shell's background job
# starts with SIGINT ignored, and Python then leaves it ignored)
signal.signal(signal.SIGINT, signal.default_int_handler)
def h(x):
    return x - 1
def killing(*a, **k):
    cg.compile_function = real
    os.kill(os.getpid(), signal.SIGINT)
    return real(*a, **k)
cg.compile_function = killing
for i in range(3):
    try:
        seen.append(h(i))
    except BaseException as e:
        seen.append(type(e).__name__)
src = "x = 1\nclass C:\n    y = 2\n"
for i in range(5):
    exec(compile(src, f"mod{i}.py", "exec"), {})
print(json.dumps({"seen": seen, "refused": [r for r in auto.refused if "__main__" in r[0]],
                  "installed": [live._rt.installation_of(fn) is not None for fn in (f, g, h)],
                  "module_refusals": [r for r in auto.refused if "<module>" in r[0] + r[1]]
                  + [k for k in live.stats()["refusals"] if "<module>" in k or "bodies" in k]}))
'''


def test_interrupts_during_compiles_propagate_and_module_bodies_are_never_compiled():
    out = run(INTERRUPTS)
    # call 2 of f compiles: the KeyboardInterrupt reaches the program; call 3
    # compiles again and hits SystemExit; g compiles at its call 2.
    # h: the real SIGINT's KeyboardInterrupt reaches the program at call 2
    assert out["seen"] == [1, "KeyboardInterrupt", "SystemExit", 0, 3, 6,
                           -1, "KeyboardInterrupt", 1]
    assert out["refused"] == []                      # not swallowed, not a refusal
    assert out["installed"] == [True, True, True]    # compiled at a later start
    assert out["module_refusals"] == []              # no <module>/class body was sent


# ------------------------------------------------------------------ lifetimes, memory, log

LIFETIMES = r'''
import gc, json, sys, weakref
ARMJIT = "armjit" in globals()
if ARMJIT:
    from armjit.runtime import live
refs = []
def make(i):
    ns = {}
    exec(f"def f{i}(x):\n    return x + {i}\n", ns)
    return ns[f"f{i}"]
class Sched:                      # like torch's CyclicLR: a closure capturing self
    def __init__(self):
        self.lr = 0.5
        def step(k):
            return self.lr * k
        self.step = step
s = Sched()
for _ in range(3):
    s.step(2)
sref = weakref.ref(s)
for i in range(100):
    f = make(i)
    for _ in range(3):
        f(1)
    if not ARMJIT and "jit" in globals():
        jit.force_compile(f)      # compiled by CinderX whatever its auto mode decides
    refs.append(weakref.ref(f))
out = {}
if ARMJIT:
    st = armjit.stats()
    out["before"] = {k: st[k] for k in ("compiled", "live_codes", "code_bytes")}
del f, s
gc.collect()
out["alive"] = sum(r() is not None for r in refs) + (sref() is not None)
out["which"] = [r().__qualname__ for r in refs if r() is not None] + (["Sched"] if sref() else [])
if ARMJIT:
    st = armjit.stats()
    out["after"] = {k: st[k] for k in ("live_codes", "code_bytes", "freed_codes",
                                      "installed_functions", "tracked_functions",
                                      "retired_codes")}
print(json.dumps(out))
'''


def test_deleted_functions_and_their_code_are_freed_as_under_cinderx():
    assert run(LIFETIMES, "interp") == {"alive": 0, "which": []}
    # CinderX frees the 100 functions too (it keeps the compiled closure's
    # object alive: armjit does not have to copy that)
    assert [w for w in run(LIFETIMES, "cinderx")["which"] if w != "Sched"] == []
    out = run(LIFETIMES)
    assert out["alive"] == 0 and out["which"] == []   # functions (and the closure's self) freed
    assert out["before"]["compiled"] >= 101       # (the collector already freed some by then)
    # what stays is auto mode's compiles of live functions (importlib's, Sched.__init__)
    after = out["after"]
    # a code whose last function died is freed, or retired (bytes only, at most
    # 64) while its code object lives on (CinderX keeps some compiles' code
    # objects): armjit frees it when the code object dies
    assert after["freed_codes"] + after["retired_codes"] >= 101
    assert after["retired_codes"] <= 64 and after["freed_codes"] >= 90
    assert after["live_codes"] == after["installed_functions"] == after["tracked_functions"] <= 4


MEMORY_AND_LOG = r'''
import json, os
import armjit
from armjit.runtime import live
N = 300
fns, ratios, logs = [], {}, []
src = "\n".join(f"def f{i}(a, b):\n    return a * {i} + b - {i % 7}\n" for i in range(N))
ns = {}
exec(src, ns)
for i in range(N):
    f = ns[f"f{i}"]
    armjit.compile(f)
    fns.append(f)
    st = armjit.stats()
    logs.append(st["log_bytes"])
st = armjit.stats()
ok = all(fns[i](3, 4) == 3 * i + 4 - i % 7 for i in range(N))
out = {"ok": ok, "reserved": st["reserved_bytes"], "code": st["code_bytes"],
       "pages": st["code_pages_bytes"], "log_max": max(logs), "log_peak": st["log_peak_bytes"],
       "largest_compile_log": st["log_largest_compile"][0],
       "log_path_exists": os.path.exists(live._rt.log.path),
       "compiled": sum(live._rt.installation_of(f) is not None for f in fns)}
print(json.dumps(out))
'''


def test_code_memory_is_packed_and_the_log_stays_flat():
    out = run(MEMORY_AND_LOG)
    assert out["ok"] is True and out["compiled"] == 300
    assert out["reserved"] <= 2 * out["code"], out    # packed: not 64 KiB per function
    assert out["pages"] <= out["code"] + 2 * 4096 * 2, out
    assert out["log_max"] == 0                       # consumed and truncated after each compile
    assert out["log_peak"] == out["largest_compile_log"]    # never more than one compile's worth
    assert out["log_path_exists"] is False           # nothing left in /tmp


DISABLE = r'''
import json
import armjit
from armjit.runtime import live, auto
def f(a, b):
    return a * b + 1
for _ in range(3):
    f(2, 3)
out = {"installed": live._rt.installation_of(f) is not None}
n_before = armjit.stats()["installed_functions"]
n = armjit.disable()
out["restored"] = n
out["cinderx_code"] = jit.is_jit_compiled(f)
out["result"] = f(6, 7)
st = armjit.stats()
out["after"] = [st["code_bytes"], st["installed_functions"], st["enabled"]]
def g(x):
    return x - 1
for _ in range(3):
    g(1)
out["auto_stopped"] = jit.is_jit_compiled(g) or live._rt.installation_of(g) is not None
jit.force_compile(g)
out["log_after_disable"] = live._rt.log.size()
armjit.enable()
inst = armjit.compile(f)
out["again"] = [live._rt.installation_of(f) is inst, f(6, 7), armjit.stats()["code_bytes"] > 0]
out["n_before"] = n_before
print(json.dumps(out))
'''


def test_disable_restores_cinderx_code_and_compile_reinstalls():
    out = run(DISABLE)
    n_before = out.pop("n_before")      # auto mode also compiled e.g. importlib's _find_and_load
    assert n_before >= 1
    assert out == {"installed": True, "restored": n_before, "cinderx_code": True,
                   "result": 43,
                   "after": [0, 0, False], "auto_stopped": False, "log_after_disable": 0,
                   "again": [True, 43, True]}



# ------------------------------------------------------------------ code under a running frame

# g's frame keeps running the code it started with while (a) armjit is
# disabled from inside it, (b) its __code__ is assigned and then more than
# RETIRED_MAX other codes are retired, which frees the oldest retired codes.
# Freed code is zeroed: before the fix both died of SIGILL at g's next
# instruction.  In every mode the results must be the interpreter's.
UNDER_FRAME = r'''
import gc, json, sys
ARMJIT = "armjit" in sys.modules
def other(n, hook):
    return -1
def g(n, hook):
    total = 0
    for i in range(n):
        if i == 100:
            hook()
        total += i * 3
    return total
keep = []
def churn(compile=True):
    for k in range(80):       # codes that stay alive, whose functions die: retired
        ns = {}
        exec(f"def h(a):\n    return a * {k} + 1\n", ns)
        if ARMJIT and compile:
            armjit.compile(ns["h"])
        ns["h"](1)
        keep.append(ns["h"].__code__)
        del ns
        gc.collect()
def swap_and_churn():
    g.__code__ = other.__code__
    churn()
def disable_and_churn():
    if ARMJIT:
        armjit.disable()              # (freed code is zeroed at once)
    churn(compile=False)
def installed():
    return ARMJIT and live._rt.installation_of(g) is not None
nop = lambda: None
out = {}
if ARMJIT:
    from armjit.runtime import live
g_code = g.__code__
for name, hook in (("swap", swap_and_churn), ("disable", disable_and_churn)):
    g.__code__ = g_code
    for _ in range(3):
        g(10, nop)
    if ARMJIT and not installed():
        armjit.compile(g)
    ran_armjit = installed()
    out[name] = [g(5000, hook), g(5, nop), ran_armjit or not ARMJIT]
print(json.dumps(out))
'''


@pytest.mark.parametrize("mode", ["interp", "cinderx", "armjit"])
def test_code_is_never_freed_under_a_running_frame(mode):
    want = sum(i * 3 for i in range(5000))
    assert run(UNDER_FRAME, mode) == {"swap": [want, -1, True], "disable": [want, 30, True]}


@pytest.mark.parametrize("mode", ["interp", "cinderx", "armjit"])
def test_code_is_never_freed_under_a_running_frame(mode):
    want = sum(i * 3 for i in range(5000))
    assert run(UNDER_FRAME, mode) == {"swap": [want, -1, True], "disable": [want, 30, True]}


# ------------------------------------------------------------------ the first compile and imports

# armjit imports its code generator at its first compile.  Made inside one of
# the program's imports, that nested import could re-import a module the
# program is half-way through importing (the torch workload: pdb's
# `import asyncio` was under way, armjit's first compile imported asyncio
# again, the nested import failed half-way and the program's failed with
# "NameError: name 'base_events' is not defined").  Auto mode makes the first
# compile only outside imports.
FIRST_COMPILE = r'''
import json, os, sys, tempfile
import armjit
armjit.enable(auto=True, after_calls=30)     # (nothing else starts 30 times outside an import)
d = tempfile.mkdtemp()
with open(os.path.join(d, "hotmod.py"), "w") as f:
    f.write("import sys\n"
            "def hot(x):\n    return x * 2 + 1\n"
            "VALS = [hot(i) for i in range(50)]\n"
            "LOADED_DURING_IMPORT = 'armjit.codegen.lower' in sys.modules\n")
sys.path.insert(0, d)
from armjit.runtime import auto, live
before = "armjit.codegen.lower" in sys.modules
import hotmod
vals_after = [hotmod.hot(i) for i in range(50)]
print(json.dumps({"before": before, "during": hotmod.LOADED_DURING_IMPORT,
                  "vals": hotmod.VALS == vals_after == [2 * i + 1 for i in range(50)],
                  "after": "armjit.codegen.lower" in sys.modules,
                  "installed": live._rt.installation_of(hotmod.hot) is not None,
                  "deferred_in_import": auto.stats()["deferred_in_import"] > 0,
                  "corpus": "armjit.corpus" in sys.modules}))
'''


def test_first_compile_waits_until_the_programs_import_is_over():
    p = target.run(["-c", FIRST_COMPILE], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-4000:]
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out == {"before": False, "during": False, "vals": True, "after": True,
                   "installed": True, "deferred_in_import": True, "corpus": False}
