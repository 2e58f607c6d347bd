"""armjit as CinderX's back end in a live process on aarch64 (target tier).

CinderX compiles each function to LIR; armjit lowers that LIR, installs the
code and the function's vectorcall points at it.  Results, exceptions (through
guard failures and deopt), keyword dispatch and argcount errors must be exactly
the interpreter's.
"""

import json

import pytest

from armjit import target

pytestmark = pytest.mark.target

SCRIPT = r'''
import json, sys
import armjit
armjit.enable()
import cinderx.jit as jit
from tests.target import sample_funcs as m

def interp(f, *a, **k):
    try:
        return ("ok", repr(f(*a, **k)))
    except Exception as e:
        return ("raise", type(e).__name__, str(e))

cases = [
    ("mul_add", (6, 7), {}), ("mul_add", (2.5, 2), {}), ("mul_add", ("ab", 3), {}),
    ("mul_add", (None, 1), {}), ("mul_add", (), {"b": 3, "a": 4}), ("mul_add", (1,), {}),
    ("count_up", (0,), {}), ("count_up", (1000,), {}), ("count_up", ("x",), {}),
    ("branchy", (1, 2), {}), ("branchy", (2, 2), {}), ("branchy", (3, 2), {}),
    ("branchy", ("a", "b"), {}), ("branchy", (1, "b"), {}),
]
want = [interp(getattr(m, n), *a, **k) for n, a, k in cases]
out = {"installed": {}}
for name in ("mul_add", "count_up", "branchy"):
    f = getattr(m, name)
    inst = armjit.compile(f)
    out["installed"][name] = [inst.entry, inst.address, inst.size,
                              jit.is_jit_compiled(f)]
got = [interp(getattr(m, n), *a, **k) for n, a, k in cases]
out["want"], out["got"] = want, got
box = m.Box(21)
armjit.compile(m.Box.doubled)
out["box"] = [box.doubled(), m.Box("x").doubled(), sys.getrefcount(box)]
want_gen = list(m.gen_numbers(5))
inst = armjit.compile(m.gen_numbers)
out["gen"] = [want_gen, list(m.gen_numbers(5)), inst.address <= inst.entry < inst.address + inst.size]
print(json.dumps(out))
'''


def test_armjit_compiled_functions_behave_like_the_interpreter():
    p = target.run(["-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.splitlines()[-1])
    assert out["got"] == out["want"]
    # A sample of exact values, so the comparison above cannot pass vacuously.
    assert out["want"][0] == ["ok", "43"] and out["want"][7] == ["ok", "499500"]
    assert out["want"][3][0:2] == ["raise", "TypeError"]      # deopt path
    assert out["want"][5][0:2] == ["raise", "TypeError"]      # argcount helper
    for name, (entry, base, size, cinderx_owned) in out["installed"].items():
        assert base <= entry < base + size, name            # vectorcall -> armjit's code
        assert cinderx_owned is False, name                 # no longer asmjit's entry
    assert out["box"] == [42, "xx", 2]
    assert out["gen"] == [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4], True]   # a generator: armjit's


def test_enable_after_cinderx_import_is_refused():
    p = target.run(["-c", "import cinderx.jit, armjit\n"
                          "try:\n    armjit.enable()\n"
                          "except armjit.LiveJITError as e:\n    print('refused:', e)\n"],
                   capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("refused: armjit.enable() must be called before cinderx")
