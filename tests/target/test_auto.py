"""armjit.enable(auto=True): armjit compiles plain functions after N calls (target tier).

A stdlib workload (json, textwrap, shlex, ...) runs interpreted first (the hook
only counts), then again and again once the hook has compiled what it called:
the outputs must be the interpreter's; the functions must really run armjit's
code (their vectorcall inside armjit's code); generators must be left to
CinderX's own code without a refusal or an error; closures share one compile.
"""

import json

import pytest

from armjit import target

pytestmark = pytest.mark.target

SCRIPT = r'''
import json, sys
import armjit
armjit.enable(auto=True, after_calls=2)
import cinderx.jit as jit
from armjit.runtime import auto, live
from armjit.runtime.install import vectorcall_slot
import ctypes, textwrap, shlex, hashlib    # hot importlib code compiles during these imports

TEXT = "The quick brown fox jumps over the lazy dog. " * 6
DATA = {"a": [1, 2.5, None, True, "x\u00e9\n"], "b": {"c": list(range(12)), "d": "q\"uote"}}

def words(s):
    for w in s.split():
        yield w.strip(".")

def make_adder(k):
    def add(x):
        return x + k
    return add

KEEP = [make_adder(k) for k in range(6)]   # live closures share one compile

def workload():
    out = [textwrap.fill(TEXT, width=33), textwrap.dedent("    a\n      b\n"),
           json.dumps(DATA, sort_keys=True, indent=1), repr(json.loads(json.dumps(DATA))),
           shlex.split("a 'b c' \"d e\" f\\ g"), sorted(set(words(TEXT))),
           [a(10) for a in KEEP]]
    return repr(out)

first = workload()       # interpreted while the hook counts
second = workload()      # most of it compiled by now
third = workload()

def entry(f):
    shim, slot = vectorcall_slot(f)
    return ctypes.c_void_p.from_address(int(shim.ffi.cast("uintptr_t", slot))).value

def in_armjit(f):
    inst = live._rt.installation_of(f)
    return bool(inst is not None and inst.func is f
                and inst.address <= entry(f) < inst.address + inst.size)

adders = [make_adder(k) for k in range(3)]
[a(1) for a in adders]
print(json.dumps({
    "same": [second == first, third == first], "first": first[:80],
    "installed": {n: in_armjit(f) for n, f in [
        ("workload", workload), ("make_adder", make_adder),
        ("textwrap.TextWrapper._wrap_chunks", textwrap.TextWrapper._wrap_chunks),
        ("json.dumps", json.dumps), ("shlex.split", shlex.split)]},
    "adders": [in_armjit(a) for a in adders],
    "adders_share": len({live._rt.installation_of(a).entry for a in adders}),
    "words": in_armjit(words), "cinderx_words": jit.is_jit_compiled(words),
    "refused": [r for r in auto.refused if "words" in r[0] or "__main__" in r[0]],
    "stats": auto.stats(), "n_compiled": len(auto.compiled),
    # a compile made while the program imports a module must import nothing itself
    "partial_imports": [r for r in auto.refused if "partially initialized" in r[1]],
}))
'''


def test_auto_mode_compiles_hot_functions_and_keeps_results():
    p = target.run(["-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.splitlines()[-1])
    assert out["same"] == [True, True]
    assert out["first"].startswith("['The quick brown fox jumps over")
    assert out["installed"] == {"workload": True, "make_adder": True,
                                "textwrap.TextWrapper._wrap_chunks": True,
                                "json.dumps": True, "shlex.split": True}, out
    assert out["adders"] == [True, True, True]          # nested: each object, one code
    assert out["adders_share"] == 1
    # a generator: not armjit's, CinderX's own code (as under CinderX's auto mode)
    assert out["words"] is False and out["cinderx_words"] is True
    cov = out["stats"]["coverage"]
    assert cov["armjit"] >= 20 and cov["hot_functions"] == cov["armjit"] + sum(
        cov["not_armjit"].values())
    assert any(k.startswith("CinderX's code: generators") for k in cov["not_armjit"]), cov
    assert out["refused"] == []                          # disabled silently, not refused
    assert out["stats"]["layout"] == "frame"
    assert out["n_compiled"] >= 20, out["stats"]
    assert out["partial_imports"] == []


def test_auto_after_cinderx_import_is_refused():
    p = target.run(["-c", "import cinderx.jit, armjit\n"
                          "try:\n    armjit.enable(auto=True)\n"
                          "except armjit.LiveJITError as e:\n    print('refused:', e)\n"],
                   capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("refused: armjit.enable(auto=True) must be called before")


COUNTER = r'''
import json
import armjit
armjit.enable(auto=True, after_calls=5)
from armjit.runtime import auto, live
from armjit.runtime.install import load_shim
shim = load_shim()
def countdown(f):
    return shim.lib.armjit_start_countdown(shim.ffi.cast("void *", id(f.__code__)))
def cold(x):
    return x + 1
def hot(x):
    return x * 2
out = {"unseen": countdown(cold)}
for i in range(3):
    cold(i)
out["cold_after_3"] = countdown(cold)
for i in range(5):
    hot(i)
out["hot_installed"] = live._rt.installation_of(hot) is not None
out["hot_results"] = [hot(i) for i in range(3)]
def asked(f):      # the starts at which Python last decided, or None if it never did
    e = auto._counts.get(id(f.__code__))
    return e[0] if e is not None and e[1]() is f.__code__ else None
out["asked"] = [asked(cold), asked(hot)]
# over a (tiny) compile budget the decision defers by as many starts again:
armjit.enable(auto=True, after_calls=5, compile_budget=1e-9)
auto.BUDGET_ALLOWANCE_S = -1.0
def later(x):
    return x - 1
for i in range(5):
    later(i)
out["deferred_countdown"] = countdown(later)
out["later_installed"] = live._rt.installation_of(later) is not None
print(json.dumps(out))
'''


def test_start_counter_asks_python_only_at_the_threshold_and_when_asked():
    """The C start counter (armjit_start_counter): starts are counted in the
    code's extra slot, the Python decision runs once, at the after_calls-th
    start; a decision deferred by the budget is asked again n starts later."""
    p = target.run(["-c", COUNTER], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.splitlines()[-1])
    assert out["unseen"] == -1
    assert out["cold_after_3"] == 2                  # 5 - 3 starts to go
    assert out["asked"] == [None, 5]                 # cold never reached Python
    assert out["hot_installed"] is True and out["hot_results"] == [0, 2, 4]
    assert out["deferred_countdown"] == 5 and out["later_installed"] is False
