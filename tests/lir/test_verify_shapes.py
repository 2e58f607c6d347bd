"""The verifier checks each instruction shape once (armjit.lir.verifier.check):
an instruction that repeats an earlier shape with a bad operand, or a bad
immediate-coded field, is still refused."""

import pytest

import armjit.lir as L

HEAD = """\
Function:
BB %0 - succs: %1

BB %1 - preds: %0
        X1:64bit = Move 1(0x1):64bit
        X2:64bit = Move X1:64bit
"""


def _errors(extra: str):
    fn = L.parse(HEAD + extra + "                   Return X2:64bit\n\n")
    return [e.message for e in L.check(fn, "postalloc")]


def test_clean():
    assert _errors("") == []


@pytest.mark.parametrize("line, message", [
    ("        X3:64bit = Move W1:64bit\n", "W1:64bit : a 64-bit value must print as X"),
    ("        W3:64bit = Move X1:64bit\n", "W3:64bit : a 64-bit value must print as X"),
    ("        X3:64bit = Move %7:64bit\n", "virtual register %7 after register allocation"),
    ("        X3:64bit = Move\n", "Move takes 1..1 inputs, has 0"),
    ("        X3:64bit = Move X1:64bit, X2:64bit\n", "Move takes 1..1 inputs, has 2"),
    ("                   Guard 99(0x63):64bit, 0(0x0):64bit, X1:64bit, 0(0x0):64bit\n",
     "guard kind 99 out of range"),
])
def test_a_repeated_shape_with_a_bad_operand_is_refused(line, message):
    # (the good Guard first: its shape is then known)
    good = "                   Guard 3(0x3):64bit, 0(0x0):64bit, X1:64bit, 0(0x0):64bit\n"
    errs = _errors(good + line)
    assert any(message in m for m in errs), errs
