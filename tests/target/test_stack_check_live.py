"""Deep recursion in JIT code: RecursionError under armjit, a crash under CinderX (target).

CinderX 2026.11's generated code has no C-stack check: when both halves of
json's pure-Python scanner recursion (JSONArray <-> py_make_scanner's
_scan_once) run CinderX's code, decoding a 500,000-deep array overflows the
8 MB C stack (qemu reports signal 11) where the interpreter raises
RecursionError (bench/RESULTS.md, cpython_tests).  armjit's entry checks the
C stack (armjit.runtime.process, stack_check) and raises RecursionError; the
program goes on.
"""

import pytest

from armjit import target

pytestmark = pytest.mark.target

SCRIPT = r'''
import sys
mode = sys.argv[1]
if mode == "armjit":
    import armjit
    armjit.enable(auto=True, after_calls=2)
elif mode == "cinderx":
    import cinderx.jit as jit
import json.decoder, json.scanner
dec = json.decoder.JSONDecoder()
dec.scan_once = json.scanner.py_make_scanner(dec)
for i in range(5):
    dec.decode('[[1, [2, [3]]], {"a": [4]}]')
if mode == "cinderx":
    cells = {c.cell_contents.__name__: c.cell_contents for c in dec.scan_once.__closure__
             if callable(getattr(c, "cell_contents", None))}
    for f in (json.decoder.JSONArray, cells["_scan_once"], dec.scan_once):
        assert jit.force_compile(f)
if mode == "armjit":
    from armjit.runtime import auto
    names = set(auto.compiled)
    assert {"json.decoder:JSONArray", "json.scanner:py_make_scanner.<locals>._scan_once"} \
        <= names, names
try:
    dec.decode("[" * 500_000 + "1" + "]" * 500_000)
    print("decoded")
except RecursionError as e:
    print("RecursionError:", str(e).split(" (")[0])
print("after:", dec.decode('[1, {"b": [2]}]'))
'''


def _run(mode):
    return target.run(["-c", SCRIPT, mode], capture_output=True, text=True, timeout=600)


def test_deep_recursion_raises_recursion_error_under_armjit_and_crashes_under_cinderx():
    interp, cinderx, armjit = _run("interp"), _run("cinderx"), _run("armjit")
    assert interp.returncode == 0, interp.stderr[-2000:]
    assert interp.stdout.splitlines() == ["RecursionError: maximum recursion depth exceeded",
                                          "after: [1, {'b': [2]}]"]
    # CinderX's own code: the C stack overflows
    assert cinderx.returncode != 0 and "after:" not in cinderx.stdout
    assert "signal 11" in cinderx.stderr or cinderx.returncode in (-11, 139), cinderx.stderr
    # armjit's code: RecursionError (the C-stack flavour), and the program goes on
    assert armjit.returncode == 0, armjit.stderr[-2000:]
    assert armjit.stdout.splitlines() == ["RecursionError: Stack overflow",
                                          "after: [1, {'b': [2]}]"]
