"""Verifier: passes on the whole corpus, and each rule fails on broken input."""

from __future__ import annotations

import pytest

import armjit.lir as L

PRE = """\
Function:
BB %0 - succs: %1

BB %1 - preds: %0 - succs: %2 %3
       %3:Object = Bind X0:Object
        %4:64bit = Move 1(0x1):64bit
                   CondBranch %4:64bit, BB%2, BB%3

BB %2 - preds: %1 - succs: %3
       %5:Object = Move %3:Object
                   Branch BB%3

BB %3 - preds: %1 %2
       %6:Object = Phi (BB%1, %3:Object), (BB%2, %5:Object)
                   Return %6:Object

"""

POST = """\
Function:
BB %0 - succs: %1

BB %1 - preds: %0 - succs: %3 %2
        X1:64bit = Move 1(0x1):64bit
                   Cmp X1:64bit, 3(0x3):64bit
                   BranchE BB%3

BB %2 - preds: %1 - succs: %3
[X22:Object + 0x38]:Object = Store X0:Object

BB %3 - preds: %1 %2
                   EpilogueEnd X0:Object

"""


def _errors(text, stage):
    return [e.message for e in L.check(L.parse(text), stage)]


def test_whole_corpus_verifies(corpus):
    for d, st, text, fn in corpus:
        L.verify(fn)                     # stage from the dump header
        L.verify(fn, stage=st)


def test_good_inputs_pass():
    assert _errors(PRE, "generation") == []
    assert _errors(POST, "postalloc") == []


def _broken(text, old, new, stage, expect, block=None, instr=None):
    assert old in text
    bad = text.replace(old, new, 1)
    fn = L.parse(bad)
    with pytest.raises(L.LIRVerifyError) as ei:
        L.verify(fn, stage)
    msgs = [e.message for e in L.check(fn, stage)]
    assert any(expect in m for m in msgs), msgs
    err = [e for e in L.check(fn, stage) if expect in e.message][0]
    if block is not None:
        assert err.block == block and f"BB %{block}" in str(err)
    if instr is not None:
        assert err.instruction is not None and instr in err.instruction
        assert instr in str(err)
    return err


@pytest.mark.parametrize("old, new, stage, expect, block, instr", [
    # CFG: succs/preds disagree
    ("BB %2 - preds: %1 - succs: %3", "BB %2 - preds: %1 - succs: %3 %0", "generation",
     "does not list %2 as a predecessor", 2, None),
    ("BB %3 - preds: %1 %2", "BB %3 - preds: %1", "generation",
     "does not list %2 as a predecessor", 2, None),
    ("BB %3 - preds: %1 %2", "BB %3 - preds: %0 %1 %2", "generation",
     "predecessor %0 does not list %3", 3, None),
    ("BB %2 - preds: %1 - succs: %3", "BB %2 - preds: %1 - succs: %7", "generation",
     "successor %7 does not exist", 2, None),
    # branch targets vs succs
    ("Branch BB%3", "Branch BB%1", "generation", "branch target %1 is not a successor", 2,
     "Branch BB%1"),
    ("CondBranch %4:64bit, BB%2, BB%3", "CondBranch %4:64bit, BB%3, BB%2", "generation",
     "CondBranch targets differ", 1, "CondBranch"),
    ("       %5:Object = Move %3:Object\n                   Branch BB%3",
     "                   Branch BB%3\n       %5:Object = Move %3:Object", "generation",
     "is not the last instruction", 2, "Branch BB%3"),
    # vregs: defined once, before use, dominating, same type
    ("       %5:Object = Move %3:Object", "       %4:Object = Move %3:Object", "generation",
     "%4 is defined more than once", 2, "%4:Object = Move"),
    ("       %5:Object = Move %3:Object", "       %5:Object = Move %9:Object", "generation",
     "%9 is used but never defined", 2, "Move %9:Object"),
    ("        %4:64bit = Move 1(0x1):64bit\n",
     "        %4:64bit = Move %5:Object\n", "generation",
     "does not dominate", 1, "Move %5:Object"),
    ("       %3:Object = Bind X0:Object\n        %4:64bit = Move 1(0x1):64bit",
     "        %4:64bit = Move %3:Object\n       %3:Object = Bind X0:Object", "generation",
     "%3 is used before its definition", 1, "Move %3:Object"),
    ("       %5:Object = Move %3:Object", "       %5:Object = Move %3:64bit", "generation",
     "used as 64bit but defined as Object", 2, None),
    # phi rules
    ("(BB%1, %3:Object), (BB%2, %5:Object)", "(BB%1, %3:Object), (BB%0, %5:Object)",
     "generation", "Phi pairs do not match", 3, "Phi"),
    ("       %6:Object = Phi (BB%1, %3:Object), (BB%2, %5:Object)\n",
     "       %7:Object = Move %3:Object\n"
     "       %6:Object = Phi (BB%1, %3:Object), (BB%2, %5:Object)\n",
     "generation", "Phi after a non-Phi", 3, "Phi"),
    # operand shapes: arity, output, kinds
    ("Return %6:Object", "Return %6:Object, %6:Object", "generation", "takes 0..1 inputs", 3,
     "Return"),
    ("        %4:64bit = Move 1(0x1):64bit", "                   Move 1(0x1):64bit", "generation",
     "Move needs an output", 1, "Move 1(0x1)"),
    ("                   Return %6:Object", "       %8:Object = Return %6:Object",
     "generation", "Return has no output", 3, None),
    ("       %3:Object = Bind X0:Object", "       %3:Object = Bind 0(0x0):Object",
     "generation", "Bind input 0 cannot be a immediate", 1, "Bind"),
])
def test_pre_alloc_rules(old, new, stage, expect, block, instr):
    _broken(PRE, old, new, stage, expect, block, instr)


@pytest.mark.parametrize("old, new, stage, expect, block, instr", [
    ("        X1:64bit = Move 1(0x1):64bit", "        %1:64bit = Move 1(0x1):64bit",
     "postalloc", "virtual register %1 after register allocation", 1, "%1:64bit = Move"),
    ("[X22:Object + 0x38]:Object = Store X0:Object",
     "[%22:Object + 0x38]:Object = Store X0:Object", "regalloc",
     "virtual register %22 after register allocation", 2, "Store"),
    ("Cmp X1:64bit, 3(0x3):64bit", "Cmp [X29(-8)]:64bit, 3(0x3):64bit", "postalloc",
     "must be a register after allocation", 1, "Cmp"),
    ("Cmp X1:64bit, 3(0x3):64bit", "Cmp X1:64bit, BB%3", "postalloc",
     "Cmp input 1 cannot be a label", 1, "Cmp"),
    ("Store X0:Object", "Store [0x10]:Object", "postalloc",
     "Store input 0 cannot be a absolute memory operand", 2, "Store"),
    ("        X1:64bit = Move 1(0x1):64bit", "        W1:64bit = Move 1(0x1):64bit",
     "postalloc", "must print as X", 1, "W1:64bit"),
    ("        X1:64bit = Move 1(0x1):64bit", "        X1:32bit = Move 1(0x1):64bit",
     "postalloc", "must print as W", 1, "X1:32bit"),
    ("        X1:64bit = Move 1(0x1):64bit", "         D1:8bit = Move 1(0x1):64bit",
     "postalloc", "a D register cannot hold 8bit", 1, "D1:8bit"),
    # fall-through after postalloc: %2 must follow %1 (here %3 is not a target)
    ("BranchE BB%3", "BranchE BB%2", "postalloc", "successor %3 is neither", 1, None),
    ("                   Cmp X1:64bit, 3(0x3):64bit\n",
     "                   A64GuardCC 18(0x12):64bit, 0(0x0):64bit\n"
     "                   Guard 6(0x6):64bit, 0(0x0):64bit, X1:64bit, 0(0x0):64bit\n"
     "                   BranchBitSet X1:64bit, 64(0x40):64bit, BB%3\n"
     "                   Cmp X1:64bit, 3(0x3):64bit\n",
     "postalloc", "condition index 18 out of range", 1, "A64GuardCC"),
])
def test_post_alloc_rules(old, new, stage, expect, block, instr):
    _broken(POST, old, new, stage, expect, block, instr)


def test_guard_and_bit_ranges():
    bad = POST.replace("                   Cmp X1:64bit, 3(0x3):64bit\n",
                       "                   Guard 6(0x6):64bit, 0(0x0):64bit, X1:64bit, 0(0x0):64bit\n"
                       "                   Cmp X1:64bit, 3(0x3):64bit\n")
    assert "guard kind 6 out of range" in _errors(bad, "postalloc")
    bad = POST.replace("BranchE BB%3", "BranchBitSet X1:64bit, 64(0x40):64bit, BB%3")
    assert "bit index 64 out of range" in _errors(bad, "postalloc")


def test_condition_field_and_unknown_stage():
    fn = L.parse(POST)
    ins = fn.blocks[1].instructions[1]
    ins.cond = L.Condition.Equal                   # Cmp carries no condition
    assert any("condition field" in m for m in (e.message for e in L.check(fn, "postalloc")))
    with pytest.raises(ValueError):
        L.check(fn, "bogus")


def test_branch_succ_counts():
    bad = PRE.replace("BB %2 - preds: %1 - succs: %3", "BB %2 - preds: %1 - succs: %3 %1")
    bad = bad.replace("BB %1 - preds: %0 - succs:", "BB %1 - preds: %0 %2 - succs:")
    msgs = _errors(bad, "generation")
    assert any("Branch needs 1 successor(s), block has 2" in m for m in msgs), msgs
    assert any("Branch target differs from the successor" in m for m in msgs), msgs


def test_errors_carry_line_numbers():
    bad = PRE.replace("       %5:Object = Move %3:Object", "       %5:Object = Move %9:Object")
    err = L.check(L.parse(bad), "generation")[0]
    assert err.line == 10 and "(line 10)" in str(err)
