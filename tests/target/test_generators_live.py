"""Generators, coroutines and async code running armjit's code (target tier, issue 12).

armjit installs generator functions with its own resume entry and its own
GenYieldPoints (armjit.runtime.genfacts): a generator created by armjit's code
resumes only in armjit's code.  Every case of tests/target/gen_samples.py must
give exactly the interpreter's result with every function there compiled by
armjit, and a generator's GenDataFooter must point into armjit's code.
"""

import json

import pytest

from armjit import target

pytestmark = pytest.mark.target

EXPLICIT = r'''
import ctypes, json
import armjit
armjit.enable()
import cinderx.jit as jit
from armjit.runtime import live
from tests.target import gen_samples as m

def run_case(name):
    try:
        return ["ok", repr(getattr(m, "case_" + name)())]
    except Exception as e:
        return ["raise", type(e).__name__, str(e)]

want = {c: run_case(c) for c in m.CASES}
compiled, refused = [], {}
for name in m.FUNCTIONS:
    f = getattr(m, name)
    try:
        armjit.compile(f)
        compiled.append(name)
    except armjit.LiveJITError as e:
        refused[name] = str(e)
jit.get_and_clear_runtime_stats()
got = {c: run_case(c) for c in m.CASES}
got2 = {c: run_case(c) for c in m.CASES}          # again: generators made by warm code
rstats = jit.get_and_clear_runtime_stats()
deopts = {}
for d in rstats.get("deopt", []):
    key = d["normal"]["func_qualname"] + ":" + d["normal"]["reason"]
    deopts[key] = deopts.get(key, 0) + d["int"]["count"]

# A generator made by armjit's code: its footer points into armjit's code.
u64 = lambda a: ctypes.c_uint64.from_address(a).value
rt = live.runtime()
cc = rt.code_for(m.averager)
info = cc.gen_info
g = m.averager()
footer = u64(id(g) + info["gi_jit_data_offset"])
fresh = [u64(footer + 0x20) == info["resume_entry"], u64(footer + 0x28) == id(g),
         u64(footer + 0x30) == cc.cinderx_id,
         info["yield_points"].index(u64(footer + 0x18))]     # at its initial yield
next(g)
yp = u64(footer + 0x18)
suspended = [yp in info["yield_points"], yp not in info["cinderx_yield_points"],
             cc.address <= u64(yp) < cc.address + cc.size, g.send(4.0)]
st = armjit.stats()
print(json.dumps({"want": want, "got": got, "got2": got2, "compiled": compiled,
                  "refused": refused, "fresh": fresh, "suspended": suspended,
                  "deopts": deopts, "n_yield_points": len(info["yield_points"]),
                  "refusals": st["refusals"]}))
'''


def test_generators_coroutines_run_armjit_code_exactly():
    p = target.run(["-c", EXPLICIT], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.splitlines()[-1])
    # every generator, coroutine and plain function is armjit's, except the
    # async generator, which CinderX itself does not compile
    assert set(out["refused"]) == {"ticker"}, out["refused"]
    assert "CinderX refused" in out["refused"]["ticker"]
    assert len(out["compiled"]) == 20
    assert out["got"] == out["want"]
    assert out["got2"] == out["want"]
    w = out["want"]
    # exact values, so the comparison above cannot pass vacuously
    assert w["pipeline"] == ["ok", "[4, 16, 36, 64, 100, 144]"]
    assert w["send"] == ["ok", "[None, 10.0, 15.0, 30.0, 23.0]"]
    assert w["throw"] == ["ok", "([1, ('caught', 'boom'), 'after', 'stop', ('KeyError', ('k',))], "
                                "['finally', 'finally'])"]
    assert w["close"] == ["ok", "(['a', ['closed'], ['a', 'b'], ('RuntimeError', "
                                "'generator ignored GeneratorExit')], ['closed', 'closed'])"]
    assert w["yield_from"] == ["ok", "[0, 1, 2, ('inner', ['s1', 's2', 's3']), 'x', 'y', "
                                     "'middle']"]
    assert w["yield_from_throw"] == ["ok", "('IndexError', 'deep')"]
    assert w["exceptions"] == ["ok", "[0, 1, 2, ('KeyError', ('after 3',)), "
                                     "[2, 'div0', 5, 'div0', 'end'], "
                                     "[2, 3, ('TypeError', 'can only concatenate str ')], "
                                     "('StopIteration', 42)]"]
    assert w["genexps"] == ["ok", "(380, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', "
                                  "'10', '11'], 10)"]
    assert w["asyncio"] == ["ok", "(15, [1, 11, 21], 'bad 7')"]
    assert w["async_generator"] == ["ok", "[0, 10, 20, 30, 0, -10]"]
    # the footer of a generator armjit's code made: armjit's resume entry, the
    # generator, CinderX's CompiledFunction; suspended at its initial yield
    # (armjit's first GenYieldPoint)
    assert out["fresh"] == [True, True, True, 0]
    # suspended at armjit's own GenYieldPoint, whose resume target is armjit's code
    assert out["suspended"] == [True, True, True, 4.0]
    assert out["n_yield_points"] == 2            # the initial yield and `yield avg`
    # deoptimisation inside armjit's generator code (its stage-2 exits go to
    # CinderX's generator-mode trampoline): once per function and run (got,
    # got2); the interpreter then finishes the generator, as after CinderX's
    assert out["deopts"] == {"raise_after:Raise": 2, "failing:Raise": 2,
                             "coro_main:UnhandledException": 2,
                             "handler_across_yield:GuardFailure": 2,
                             "divide:UnhandledException": 2,
                             "use_ticker:UnhandledException": 2}
    assert out["refusals"] == {"CinderX refused to compile it": 1}


LIFETIMES = r'''
import gc, json, sys, threading, weakref
import armjit
armjit.enable()
import cinderx.jit as jit
from armjit.runtime import live

src = """
def walk(n):
    acc = []
    for i in range(n):
        x = yield i
        acc.append(x)
    yield tuple(acc)
"""
out = {}
ns = {}
exec(src, ns)
walk = ns["walk"]
armjit.compile(walk)
rt = live.runtime()
cc = rt.code_for(walk)

# never resumed: dropped at once, then many
g = walk(3); del g
for _ in range(200):
    walk(2)
# suspended in a reference cycle: the GC traverses armjit's GenYieldPoint
class Box: pass
b = Box()
b.g = walk(5)
next(b.g)
b.g.send(b)                 # the generator's locals hold the box: a cycle
r = weakref.ref(b)
del b
gc.collect()
out["cycle_collected"] = r() is None

# suspended, then the function gets another __code__ (its installation is
# undone): armjit's code is kept while the code object lives -- the
# suspended generator holds it
g1 = walk(3)
out["first"] = [next(g1), g1.send("a")]
walk.__code__ = (lambda n: None).__code__
gc.collect()
rt.reap()
out["kept_after_function_died"] = [cc.freed, cc in rt.retired.values()]
out["resumed"] = [g1.send("b"), g1.send("c")]

# suspended across armjit.disable(): still resumes in armjit's (kept) code
ns2 = {}
exec(src, ns2)
armjit.compile(ns2["walk"])
cc2 = rt.code_for(ns2["walk"])
g2 = ns2["walk"](2)
next(g2)
armjit.disable()
out["after_disable"] = [cc2.freed, g2.send(1), g2.send(2)]

# resumed in another thread
g3 = ns2["walk"](2)     # CinderX's code now (armjit is disabled)
next(g3)
res = []
t = threading.Thread(target=lambda: res.append([g3.send("t1"), g3.send("t2")]))
t.start(); t.join()
out["thread"] = res
print(json.dumps(out))
'''


def test_suspended_generators_outlive_their_function_and_disable():
    p = target.run(["-c", LIFETIMES], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.splitlines()[-1])
    assert out["cycle_collected"] is True
    assert out["first"] == [0, 1]
    # the function's code was replaced, its generator lives: armjit's code is
    # kept (retired, pinned)
    assert out["kept_after_function_died"] == [False, True]
    assert out["resumed"] == [2, ["a", "b", "c"]]
    assert out["after_disable"] == [False, 1, [1, 2]]
    assert out["thread"] == [[1, ["t1", "t2"]]]


TRACING = r'''
import json, sys
MODE = sys.argv[1]
if MODE == "armjit":
    import armjit
    armjit.enable()
import cinderx.jit as jit

def walk(n):
    for i in range(n):
        yield i * 3

if MODE == "armjit":
    armjit.compile(walk)
elif MODE == "cinderx":
    jit.force_compile(walk)
g = walk(4)
first = next(g)
events = []
def tracer(frame, event, arg):
    if frame.f_code is walk.__code__:
        events.append((event, frame.f_lineno))
    return tracer
sys.settrace(tracer)
rest = list(g)              # the suspended generator continues in the interpreter
sys.settrace(None)
print(json.dumps({"values": [first] + rest, "events": events, "type": type(g).__name__,
                  "jit": jit.is_jit_compiled(walk)}))
'''


def test_tracing_a_suspended_armjit_generator():
    """Tracing that starts while an armjit generator is suspended sees the
    rest of it, as with CinderX's own code and the interpreter."""
    outs = {}
    for mode in ("interp", "cinderx", "armjit"):
        p = target.run(["-c", TRACING, mode], capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr[-3000:]
        outs[mode] = json.loads(p.stdout.splitlines()[-1])
    assert outs["armjit"]["values"] == [0, 3, 6, 9]
    assert outs["armjit"]["events"] == outs["interp"]["events"] == outs["cinderx"]["events"]
    assert outs["armjit"]["events"][:4] == [["call", 11], ["line", 10], ["line", 11],
                                            ["return", 11]]
    assert len(outs["armjit"]["events"]) == 15
