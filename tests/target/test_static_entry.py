"""Static-entry functions (Static Python) under armjit (target tier, issue 12).

CinderX 2026.11 on CPython 3.14 does emit static entries: every function whose
code has CI_CO_STATICALLY_COMPILED (0x4000 on 3.14, Common/extra-py-flags.h) --
set only by CinderX's Static Python compiler (``cinderx.compiler.static
.exec_static``, or the strict/static import loader) -- gets a StaticEntryPoint
at vectorcall-28 (gen_asm.cpp:1286-1313, 1443-1445), and functions with
primitive arguments or results a boxed-return wrapper and a primitive-argument
prologue.  armjit does not lower those prologues: ``armjit.compile`` refuses
such a function with that reason, and auto mode gives it CinderX's own code, so
it runs compiled code with the right results, and plain functions calling it
run armjit's.
"""

import json

import pytest

from armjit import target

pytestmark = pytest.mark.target

SCRIPT = r'''
import json
import armjit
armjit.enable(auto=True, after_calls=2)
import cinderx.jit as jit
from cinderx.compiler.static import exec_static
from armjit.runtime import auto, live
SRC = """
from __static__ import int64, double

def add(a: int64, b: int64) -> int64:
    return a + b

def fadd(x: double, y: double) -> double:
    return x + y

def plain_static(x: int, y: int) -> int:
    return x * y + 1
"""
g = {"__name__": "smod"}
exec_static(SRC, g, g, modname="smod")
add, fadd, plain_static = g["add"], g["fadd"], g["plain_static"]
out = {"flags": [hex(f.__code__.co_flags & 0x4000) for f in (add, fadd, plain_static)]}
try:
    armjit.compile(plain_static)
    out["explicit"] = "compiled"
except armjit.LiveJITError as e:
    out["explicit"] = str(e)
def caller(n):
    return plain_static(n, 3) + plain_static(1, n)
results = [(add(i, 2), fadd(i + 0.5, 0.25), plain_static(i, 2), caller(i)) for i in range(6)]
out["results"] = results
out["cinderx_code"] = [jit.is_jit_compiled(f) for f in (add, fadd, plain_static)]
out["armjit_code"] = [live._rt.installation_of(f) is not None
                      for f in (add, fadd, plain_static, caller)]
out["coverage"] = auto.coverage()
print(json.dumps(out))
'''


def test_static_entry_functions_keep_cinderx_code_and_callers_run_armjit():
    p = target.run(["-c", SCRIPT], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.splitlines()[-1])
    assert out["flags"] == ["0x4000"] * 3                 # really Static Python code
    assert out["explicit"] == ("plain_static: static-entry (Static Python) functions "
                               "are not implemented")
    assert out["results"] == [[i + 2, i + 0.75, 2 * i + 1, (3 * i + 1) + (i + 1)]
                              for i in range(6)]
    assert out["cinderx_code"] == [True, True, True]       # CinderX's own code
    assert out["armjit_code"] == [False, False, False, True]
    cov = out["coverage"]
    assert cov["not_armjit"].get(
        "CinderX's code: static-entry (Static Python) functions are not implemented") == 3
    assert cov["armjit"] >= 1
