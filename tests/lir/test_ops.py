"""The opcode table against CinderX's ops.h/ops.cpp, and against the corpus."""

from __future__ import annotations

import armjit.lir as L
from armjit.lir import ops


def test_opcode_lists():
    assert len(ops.COMMON_OPCODES) == 72
    assert ops.Opcode.Add == 0 and ops.Opcode.Zext == 71
    assert ops.Opcode.A64GuardCC == 72 and ops.Opcode.A64SelectCC == 73
    assert ops.X86_64_OPCODE_VALUES == {"X64Cdq": 72, "X64Cqo": 73, "X64Cwd": 74}
    assert ops.Opcode.Load == 31 and ops.Opcode.Move == 39 and ops.Opcode.Phi == 45
    assert set(ops.OPS) == set(ops.COMMON_OPCODES) | {"A64GuardCC", "A64SelectCC", "X64Cdq",
                                                      "X64Cqo", "X64Cwd"}
    for name, info in ops.OPS.items():
        assert info.min_inputs <= (info.max_inputs if info.max_inputs is not None else 99)
        assert info.output in ("none", "optional", "required")
        assert info.summary


def test_print_names():
    assert ops.PRINT_NAMES["BranchNE"] == ("BranchCC", L.Condition.NotEqual, None)
    assert ops.PRINT_NAMES["BranchAE"] == ("BranchCC", L.Condition.UnsignedGE, None)
    assert ops.PRINT_NAMES["LessThanEqualSigned"] == ("Compare", L.Condition.SignedLE, None)
    assert ops.PRINT_NAMES["LoadRelaxed"] == ("Load", None, L.MemoryOrder.Relaxed)
    assert ops.PRINT_NAMES["Store"] == ("Store", None, L.MemoryOrder.None_)
    assert "BranchCC" not in ops.PRINT_NAMES and "Compare" not in ops.PRINT_NAMES
    assert "MoveRelaxed" not in ops.PRINT_NAMES
    assert len([n for n, e in ops.PRINT_NAMES.items() if e[0] == "BranchCC"]) == 18
    assert len([n for n, e in ops.PRINT_NAMES.items() if e[0] == "Compare"]) == 10


def test_conditions():
    C = L.Condition
    assert C.Carry.negate() is C.NotCarry and C.SignedLT.swap() is C.SignedGT
    assert C.Sign.swap() is C.Invalid and C.UnsignedGE.a64 == "hs" and C.Carry.a64 == "cs"
    assert [c.branch_name for c in C if c is not C.Invalid][:4] == [
        "BranchE", "BranchNE", "BranchZ", "BranchNZ"]
    try:
        C.Zero.compare_name
    except ValueError:
        pass
    else:
        raise AssertionError("Zero has no Compare name")


def test_flags_and_properties():
    # ops.cpp:203-251 deny-list
    for n in ("Move", "Load", "Store", "Lea", "MulAdd", "Zext", "Sext", "Fadd", "Exchange",
              "A64GuardCC", "A64SelectCC", "Branch", "BranchCC", "Bind", "Phi"):
        assert not ops.writes_flags(n), n
    for n in ("Add", "Sub", "Cmp", "Compare", "Inc", "Dec", "Test", "Test32", "Call", "Guard",
              "Select", "IntToBool", "Negate", "Div", "Mul", "Xor"):
        assert ops.writes_flags(n), n
    assert ops.OPS["BranchCC"].reads_flags and ops.OPS["A64SelectCC"].reads_flags
    assert not ops.OPS["Cmp"].reads_flags
    assert ops.is_terminator("EpilogueEnd") and not ops.is_terminator("Branch")
    assert ops.is_deopt_exit("A64GuardCC") and ops.is_any_yield("StoreGenYieldPoint")
    assert ops.input_must_be_register("Guard", 2) and not ops.input_must_be_register("Guard", 4)
    assert ops.input_must_be_register("A64SelectCC", 1)
    assert not ops.input_must_be_register("A64SelectCC", 0)
    assert ops.inputs_live_across("Sub") and not ops.inputs_live_across("Add")
    assert not ops.output_must_be_register("Store") and ops.output_must_be_register("Move")
    assert not ops.is_essential("Move") and ops.is_essential("Call")


def test_corpus_uses_only_known_shapes(corpus):
    """Every corpus instruction fits its OPS entry (arity, output, kinds)."""
    seen = set()
    for d, st, text, fn in corpus:
        for ins in fn.instructions():
            info = ops.OPS[ins.opcode]
            seen.add(ins.opcode)
            n = len(ins.inputs)
            assert n >= info.min_inputs and (info.max_inputs is None or n <= info.max_inputs)
            for i, op in enumerate(ins.inputs):
                assert op.kind in info.input_kinds(i), (ins, i)
    assert len(seen) >= 48
