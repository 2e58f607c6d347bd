"""CinderX LIR opcodes, conditions, memory orders and guard kinds.

Everything here is transcribed from CinderX 2026.11.2.0 (paths relative to
``cinderx/Jit/lir/`` unless they start otherwise):

* opcode list and order: ``ops.h:13-115`` (72 common opcodes, then the
  aarch64-only ``A64GuardCC``/``A64SelectCC`` or the x86-only
  ``X64Cdq/X64Cqo/X64Cwd``); ``Opcode`` values are list positions;
* conditions, their negation/swap and ``BranchCC`` print names: ``ops.h:123-160``;
  ``Compare`` print names: ``ops.h:172-182``;
* memory orders and the Load/LoadRelaxed, Store/StoreRelaxed names:
  ``ops.h:110-121``, ``ops.cpp:137-161``;
* the predicates ``writesFlags`` (a deny-list, ``ops.cpp:203-251``),
  ``isEssential`` (l.253), ``outputMustBeRegister`` (l.310),
  ``inputMustBeRegister`` (l.349), ``inputsLiveAcross`` (l.409),
  ``isAnyBranch``/``isTerminator``/``isDeoptExit``/``isAnyYield`` (l.160-201);
* guard kinds: ``instruction.h:292-299``.

The shape table (:data:`OPS`: output, input count, operand kinds allowed per
input, what the instruction reads and writes) is this project's own summary of
how the generator, the rewrites and ``Jit/codegen/autogen.cpp`` use each opcode
(CinderX's generator.cpp, postalloc.cpp and autogen.cpp), checked against every
instruction of the development corpus (tests/lir/test_ops.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional, Tuple

COMMON_OPCODES = tuple((
    "Add And Bind Branch BranchCC BranchBitNotSet BranchBitSet BranchToYieldExit "
    "Call CVarArgCall CallSiteLiveValues Cmp CmpBranchNonZero CmpBranchZero Compare "
    "CondBranch Dec DeoptPatchpoint Div DivUn EpilogueEnd Exchange Fadd Fdiv Fmul "
    "Fsub Guard Inc Int64ToDouble IntToBool Invert Load LShift Lea Leave LoadArg "
    "LoadPair LoadThreadState MovConstPool Move Mul MulAdd Negate Nop Or Phi Pop "
    "Prologue Push RShift RShiftUn ReserveStack ResumeGenYield Ret Return Select "
    "SetupFrame Sext Store StoreGenYieldFromPoint StoreGenYieldPoint StorePair Sub "
    "Test Test32 Unreachable VarArgCall VariadicPush VectorCall VectorCallTstate "
    "Xor Zext").split())
AARCH64_OPCODES = ("A64GuardCC", "A64SelectCC")
X86_64_OPCODES = ("X64Cdq", "X64Cqo", "X64Cwd")
assert len(COMMON_OPCODES) == 72

# The aarch64 enum (ops.h:117-121 with CINDER_AARCH64): common then A64*.
Opcode = enum.IntEnum("Opcode", [(n, i) for i, n in enumerate(COMMON_OPCODES + AARCH64_OPCODES)])
# The x86-only opcodes are not part of the aarch64 enum; their x86 values:
X86_64_OPCODE_VALUES = {n: 72 + i for i, n in enumerate(X86_64_OPCODES)}


class Condition(enum.IntEnum):
    """``Condition`` (ops.h:162-167), in enum order; the index is what
    A64GuardCC / A64SelectCC carry as their Imm input 0."""
    Equal = 0
    NotEqual = 1
    Zero = 2
    NotZero = 3
    SignedLT = 4
    SignedLE = 5
    SignedGT = 6
    SignedGE = 7
    UnsignedLT = 8
    UnsignedLE = 9
    UnsignedGT = 10
    UnsignedGE = 11
    Carry = 12
    NotCarry = 13
    Overflow = 14
    NotOverflow = 15
    Sign = 16
    NotSign = 17
    Invalid = 18

    def negate(self) -> "Condition":
        return _NEGATE[self]

    def swap(self) -> "Condition":
        return _SWAP[self]

    @property
    def branch_name(self) -> str:
        return _BRANCH_NAME[self]

    @property
    def compare_name(self) -> str:
        try:
            return _COMPARE_NAME[self]
        except KeyError:
            raise ValueError(f"Condition {self.name} cannot be compared for") from None

    @property
    def a64(self) -> str:
        """The A64 condition code asmjit uses for it (autogen.cpp:36-47)."""
        return _A64_CC[self]


_C = Condition
# (condition, negated, swapped, branch name) -- ops.h:141-159
_COND_TABLE = [
    (_C.Equal, _C.NotEqual, _C.Equal, "BranchE"),
    (_C.NotEqual, _C.Equal, _C.NotEqual, "BranchNE"),
    (_C.Zero, _C.NotZero, _C.Zero, "BranchZ"),
    (_C.NotZero, _C.Zero, _C.NotZero, "BranchNZ"),
    (_C.SignedLT, _C.SignedGE, _C.SignedGT, "BranchL"),
    (_C.SignedLE, _C.SignedGT, _C.SignedGE, "BranchLE"),
    (_C.SignedGT, _C.SignedLE, _C.SignedLT, "BranchG"),
    (_C.SignedGE, _C.SignedLT, _C.SignedLE, "BranchGE"),
    (_C.UnsignedLT, _C.UnsignedGE, _C.UnsignedGT, "BranchB"),
    (_C.UnsignedLE, _C.UnsignedGT, _C.UnsignedGE, "BranchBE"),
    (_C.UnsignedGT, _C.UnsignedLE, _C.UnsignedLT, "BranchA"),
    (_C.UnsignedGE, _C.UnsignedLT, _C.UnsignedLE, "BranchAE"),
    (_C.Carry, _C.NotCarry, _C.Invalid, "BranchC"),
    (_C.NotCarry, _C.Carry, _C.Invalid, "BranchNC"),
    (_C.Overflow, _C.NotOverflow, _C.Invalid, "BranchO"),
    (_C.NotOverflow, _C.Overflow, _C.Invalid, "BranchNO"),
    (_C.Sign, _C.NotSign, _C.Invalid, "BranchS"),
    (_C.NotSign, _C.Sign, _C.Invalid, "BranchNS"),
]
_NEGATE = {c: n for c, n, _, _ in _COND_TABLE}
_SWAP = {c: s for c, _, s, _ in _COND_TABLE}
_BRANCH_NAME = {c: b for c, _, _, b in _COND_TABLE}
# ops.h:172-182
_COMPARE_NAME = {
    _C.Equal: "Equal", _C.NotEqual: "NotEqual",
    _C.SignedLT: "LessThanSigned", _C.SignedLE: "LessThanEqualSigned",
    _C.SignedGT: "GreaterThanSigned", _C.SignedGE: "GreaterThanEqualSigned",
    _C.UnsignedLT: "LessThanUnsigned", _C.UnsignedLE: "LessThanEqualUnsigned",
    _C.UnsignedGT: "GreaterThanUnsigned", _C.UnsignedGE: "GreaterThanEqualUnsigned",
}
# autogen.cpp:36-47 maps by name onto asmjit's CondCode aliases
# (ThirdParty/asmjit/src/asmjit/core/archcommons.h:25-75).
_A64_CC = {
    _C.Equal: "eq", _C.NotEqual: "ne", _C.Zero: "eq", _C.NotZero: "ne",
    _C.SignedLT: "lt", _C.SignedLE: "le", _C.SignedGT: "gt", _C.SignedGE: "ge",
    _C.UnsignedLT: "lo", _C.UnsignedLE: "ls", _C.UnsignedGT: "hi", _C.UnsignedGE: "hs",
    _C.Carry: "cs", _C.NotCarry: "cc", _C.Overflow: "vs", _C.NotOverflow: "vc",
    _C.Sign: "mi", _C.NotSign: "pl",
}


class MemoryOrder(enum.IntEnum):
    """ops.h:110-121; on aarch64 Relaxed emits the same plain ldr/str."""
    None_ = 0
    Relaxed = 1


class GuardKind(enum.IntEnum):
    """InstrGuardKind (instruction.h:292-299): the Imm in Guard's input 0."""
    AlwaysFail = 0
    HasType = 1
    Is = 2
    NotNegative = 3
    NotZero = 4
    Zero = 5


# ---------------------------------------------------------------------------
# Predicates copied from ops.cpp (aarch64 build).

_NO_FLAGS = frozenset(
    "Bind Branch BranchCC BranchToYieldExit CallSiteLiveValues CmpBranchNonZero "
    "CmpBranchZero Exchange Fadd Fdiv Fmul Fsub Int64ToDouble Invert Lea Load LoadArg "
    "LoadPair MovConstPool Move MulAdd Nop Phi Pop Push ReserveStack Sext Store "
    "StorePair Unreachable VariadicPush Zext A64GuardCC A64SelectCC "
    "X64Cdq X64Cqo X64Cwd".split())          # ops.cpp:203-251
_NOT_ESSENTIAL = frozenset(
    "Add And Bind Branch BranchCC Cmp CondBranch Dec Div DivUn Compare Exchange Fadd "
    "Fdiv Fmul Fsub Inc Int64ToDouble IntToBool Invert Load LShift Lea LoadArg "
    "LoadThreadState MovConstPool Move Mul MulAdd Negate Nop Or Phi RShift RShiftUn "
    "ReserveStack Return Select Sext Sub Test32 Test VarArgCall Xor Zext "
    "A64SelectCC".split())                    # ops.cpp:253-308 (list of *non*-essential)
_OUT_NOT_REG = frozenset(
    "BranchBitNotSet BranchBitSet BranchToYieldExit CallSiteLiveValues CmpBranchNonZero "
    "CmpBranchZero CondBranch DeoptPatchpoint EpilogueEnd Leave LoadThreadState Pop "
    "Prologue ResumeGenYield Ret SetupFrame Store StoreGenYieldFromPoint "
    "StoreGenYieldPoint StorePair Test32 Test Unreachable VariadicPush "
    "A64GuardCC".split())                     # ops.cpp:310-347
_IN_REG_0 = frozenset(
    "Add And BranchBitNotSet BranchBitSet CmpBranchNonZero CmpBranchZero CondBranch Div "
    "DivUn Int64ToDouble IntToBool LShift Mul Or RShift RShiftUn VarArgCall Xor".split())
_IN_REG_01 = frozenset(
    "Cmp DeoptPatchpoint Compare Exchange Fadd Fdiv Fmul Fsub Lea Sub Test32 Test".split())
_IN_REG_012 = frozenset(("MulAdd", "Select"))
_LIVE_ACROSS = frozenset(("Fdiv", "Fsub", "Select", "Sub", "A64SelectCC"))


def writes_flags(name: str) -> bool:
    """ops.cpp:203-251: every opcode not on the deny-list writes the flags."""
    return name not in _NO_FLAGS


def is_essential(name: str) -> bool:
    return name not in _NOT_ESSENTIAL


def output_must_be_register(name: str) -> bool:
    return name not in _OUT_NOT_REG


def input_must_be_register(name: str, idx: int) -> bool:
    """ops.cpp:349-407."""
    if name in _IN_REG_0:
        return idx == 0
    if name in _IN_REG_01:
        return idx <= 1
    if name in _IN_REG_012:
        return idx <= 2
    if name == "A64SelectCC":
        return 1 <= idx <= 2
    if name == "Guard":
        return 2 <= idx <= 3
    if name == "LoadPair":
        return 1 <= idx <= 2
    if name == "StorePair":
        return 1 <= idx <= 3
    return False


def inputs_live_across(name: str) -> bool:
    return name in _LIVE_ACROSS


def is_any_branch(name: str) -> bool:
    return name in ("CondBranch", "BranchBitSet", "BranchBitNotSet", "BranchCC",
                    "CmpBranchZero", "CmpBranchNonZero")


def is_terminator(name: str) -> bool:
    return name in ("BranchToYieldExit", "EpilogueEnd", "Return")


def is_deopt_exit(name: str) -> bool:
    return name in ("Guard", "DeoptPatchpoint", "A64GuardCC")


def is_any_yield(name: str) -> bool:
    return name in ("StoreGenYieldFromPoint", "StoreGenYieldPoint")


# ---------------------------------------------------------------------------
# Operand shapes.
#
# Operand kind letters: v vreg, r physical register, s stack slot ([X29(n)]),
# m absolute memory ([0x...]), i memory indirect ([base + ...]), k immediate,
# l block label.  "V" (a value) = v|r|s.  Post-alloc, v is never legal.

KINDS = frozenset("vrsmikl")


def _k(spec: str) -> FrozenSet[str]:
    return frozenset(spec.replace("V", "vrs"))


@dataclass(frozen=True)
class OpInfo:
    name: str
    value: Optional[int]          # enum value on aarch64 (None: x86-only)
    arch: str                     # "common", "aarch64" or "x86_64"
    output: str                   # "none", "optional" or "required"
    out_kinds: FrozenSet[str]     # kinds the output may have
    min_inputs: int
    max_inputs: Optional[int]     # None: variadic
    in_kinds: Tuple[FrozenSet[str], ...]   # per position; the last repeats
    reads_flags: bool
    writes_flags: bool
    summary: str                  # what it reads and writes

    def input_kinds(self, idx: int) -> FrozenSet[str]:
        if not self.in_kinds:
            return frozenset()
        return self.in_kinds[min(idx, len(self.in_kinds) - 1)]


# name: (output, out kinds, min, max, input kinds..., summary)
# Branch targets: before the final stages the labels of Branch/BranchCC/
# CmpBranch*/BranchBit* are implicit (the block's successors); they are added as
# Label inputs late (target selection/postalloc), so the label input is optional.
# output "none" | "optional" (2-address after regalloc, or an unused result) | "required".
_SHAPES: Dict[str, tuple] = {
    "Add": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 + in1 (2-addr: in0 += in1)"),
    "And": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 & in1"),
    "Bind": ("required", "V", 1, 1, ("r",), "ties out to the physical register in0; no code"),
    "Branch": ("none", "", 0, 1, ("lkir",), "jump to in0 (label, abs address, [mem] or reg)"),
    "BranchCC": ("none", "", 0, 1, ("l",), "b.<cond> in0 (label added by target selection)"),
    "BranchBitNotSet": ("none", "", 2, 3, ("V", "k", "l"), "tbz in0, #in1, in2"),
    "BranchBitSet": ("none", "", 2, 3, ("V", "k", "l"), "tbnz in0, #in1, in2"),
    "BranchToYieldExit": ("none", "", 0, 0, (), "ends a yield block"),
    "Call": ("optional", "V", 1, None, ("Vkml", "Vkmi"),
             "calls in0 with args in1.. (pre-alloc); reads arg regs, clobbers caller-saved, out <- x0/d0"),
    "CVarArgCall": ("optional", "V", 2, None, ("Vk", "k", "Vkmi"),
                    "C variadic call: in0 target, in1 fixed-arg count, args"),
    "CallSiteLiveValues": ("none", "", 0, None, ("Vk",), "liveness metadata after a call; no code"),
    "Cmp": ("none", "", 2, 2, ("V", "Vk"), "flags <- in0 - in1 (cmp/fcmp)"),
    "CmpBranchNonZero": ("none", "", 1, 2, ("V", "l"), "cbnz in0, in1"),
    "CmpBranchZero": ("none", "", 1, 2, ("V", "l"), "cbz in0, in1"),
    "Compare": ("required", "V", 2, 2, ("Vk", "Vkm"), "flags <- in0 - in1; out = cond ? 1 : 0"),
    "CondBranch": ("none", "", 1, 3, ("V", "l", "l"), "if in0 != 0 goto succ0 else succ1"),
    "Dec": ("none", "", 1, 1, ("Vi",), "in0 -= 1 (subs #1), sets flags"),
    "DeoptPatchpoint": ("none", "", 2, None, ("m", "k", "Vk"),
                        "patchable nop (JumpPatcher* in0, deopt idx in1, live values)"),
    "Div": ("optional", "V", 2, 3, ("Vk", "V", "V"), "out = sdiv(dividend, divisor)"),
    "DivUn": ("optional", "V", 2, 3, ("Vk", "V", "V"), "out = udiv(dividend, divisor)"),
    "EpilogueEnd": ("none", "", 0, 1, ("V",), "return in0 (x0/d0); restores frame"),
    "Exchange": ("required", "r", 1, 1, ("r",), "swap(out, in0)"),
    "Fadd": ("optional", "V", 2, 2, ("V", "V"), "out = in0 + in1 (double)"),
    "Fdiv": ("optional", "V", 2, 2, ("V", "V"), "out = in0 / in1 (double)"),
    "Fmul": ("optional", "V", 2, 2, ("V", "V"), "out = in0 * in1 (double)"),
    "Fsub": ("optional", "V", 2, 2, ("V", "V"), "out = in0 - in1 (double)"),
    "Guard": ("none", "", 4, None, ("k", "k", "Vk", "Vkm", "Vk"),
              "deopt unless (kind in0) holds for in2 [vs in3]; in4.. live values"),
    "Inc": ("none", "", 1, 1, ("Vi",), "in0 += 1 (adds #1), sets flags"),
    "Int64ToDouble": ("required", "V", 1, 1, ("V",), "out = (double) in0 (scvtf)"),
    "IntToBool": ("required", "V", 1, 1, ("Vk",), "out = in0 != 0"),
    "Invert": ("optional", "V", 1, 1, ("Vki",), "out = ~in0 (mvn)"),
    "Load": ("required", "V", 1, 1, ("simk",), "out = *in0 (ldr/ldrb/ldrh, zero-extending)"),
    "LShift": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 << in1"),
    "Lea": ("required", "Vr", 1, 1, ("simlk",), "out = address of in0"),
    "Leave": ("none", "", 0, 0, (), "mov sp, x29; ldp x29, x30"),
    "LoadArg": ("required", "V", 1, 1, ("k",), "out = argument #in0 (becomes Bind)"),
    "LoadPair": ("required", "V", 3, 3, ("k", "V", "V"),
                 "out, in2 = ldp [in1 + in0] (in2 is a second output)"),
    "LoadThreadState": ("required", "V", 0, 0, (), "out = current PyThreadState*"),
    "MovConstPool": ("required", "V", 1, 1, ("k",), "out = constant-pool literal in0"),
    "Move": ("required", "Vi", 1, 1, ("Vkmi",), "out = in0 (no memory on aarch64 post-alloc)"),
    "Mul": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 * in1"),
    "MulAdd": ("required", "V", 3, 3, ("V", "V", "V"), "out = in2 + in0 * in1 (madd)"),
    "Negate": ("optional", "V", 1, 1, ("Vki",), "out = -in0"),
    "Nop": ("none", "", 0, 0, (), "nothing (removed before codegen)"),
    "Or": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 | in1"),
    "Phi": ("required", "V", 1, None, ("Vk",), "out = value from the predecessor taken"),
    "Pop": ("required", "V", 0, 0, (), "out = pop (16 bytes)"),
    "Prologue": ("none", "", 0, 0, (), "stp x29, x30; mov x29, sp"),
    "Push": ("none", "", 1, 1, ("Vk",), "push in0 (16 bytes)"),
    "RShift": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 >> in1 (arithmetic)"),
    "RShiftUn": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 >> in1 (logical)"),
    "ReserveStack": ("required", "V", 0, 0, (), "out = sp + max arg buffer"),
    "ResumeGenYield": ("required", "V", 1, None, ("V",), "generator resume point; out = sent value"),
    "Ret": ("none", "", 0, 0, (), "ret"),
    "Return": ("none", "", 0, 1, ("Vk",), "return in0 (edge to the epilogue)"),
    "Select": ("required", "V", 3, 3, ("V", "Vk", "Vk"), "out = in0 != 0 ? in1 : in2"),
    "SetupFrame": ("none", "", 0, 0, (), "allocate the frame, save callee-saved regs"),
    "Sext": ("required", "V", 1, 1, ("V",), "out = sign-extend(in0)"),
    "Store": ("required", "sim", 1, 1, ("Vk",), "*out = in0"),
    "StoreGenYieldFromPoint": ("none", "", 3, None, ("Vk",), "record a yield-from point"),
    "StoreGenYieldPoint": ("none", "", 2, None, ("Vk",), "record a yield point"),
    "StorePair": ("none", "", 4, 4, ("k", "V", "Vk", "Vk"), "stp in2, in3, [in1 + in0]"),
    "Sub": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 - in1"),
    "Test": ("none", "", 2, 2, ("V", "Vk"), "flags <- in0 & in1 (tst)"),
    "Test32": ("none", "", 2, 2, ("V", "Vk"), "flags <- w(in0) & w(in1)"),
    "Unreachable": ("none", "", 0, 0, (), "udf #0"),
    "VarArgCall": ("optional", "V", 1, None, ("Vk", "Vkmi"), "call in0(args array, count)"),
    "VariadicPush": ("none", "", 1, None, ("Vk",), "push the inputs in pairs"),
    "VectorCall": ("required", "V", 3, None, ("Vk", "k", "Vk"),
                   "vectorcall in0(callable in2, args.., kwnames); in1 flags"),
    "VectorCallTstate": ("required", "V", 4, None, ("Vk", "k", "Vk"),
                         "vectorcall with tstate: in0 target, in1 flags, in2 tstate, in3 callable"),
    "Xor": ("optional", "V", 2, 2, ("V", "Vk"), "out = in0 ^ in1"),
    "Zext": ("required", "V", 1, 1, ("V",), "out = zero-extend(in0)"),
    "A64GuardCC": ("none", "", 2, None, ("k", "k", "Vk"),
                   "b.<cond in0> to deopt; in1 deopt idx; in2.. live values"),
    "A64SelectCC": ("required", "V", 3, 3, ("k", "V", "V"), "csel out, in1, in2, <cond in0>"),
    "X64Cdq": ("required", "V", 1, 1, ("V",), "x86 only: sign-extend eax into edx"),
    "X64Cqo": ("required", "V", 1, 1, ("V",), "x86 only: sign-extend rax into rdx"),
    "X64Cwd": ("required", "V", 1, 1, ("V",), "x86 only: sign-extend ax into dx"),
}

_READS_FLAGS = frozenset(("BranchCC", "A64GuardCC", "A64SelectCC"))


def _build() -> Dict[str, OpInfo]:
    out = {}
    for name in COMMON_OPCODES + AARCH64_OPCODES + X86_64_OPCODES:
        o, ok, lo, hi, kinds, summary = _SHAPES[name]
        arch = ("aarch64" if name in AARCH64_OPCODES else
                "x86_64" if name in X86_64_OPCODES else "common")
        out[name] = OpInfo(
            name=name, value=None if arch == "x86_64" else int(Opcode[name]), arch=arch,
            output=o, out_kinds=_k(ok), min_inputs=lo, max_inputs=hi,
            in_kinds=tuple(_k(k) for k in kinds), reads_flags=name in _READS_FLAGS,
            writes_flags=writes_flags(name), summary=summary)
    return out


OPS: Dict[str, OpInfo] = _build()

# Print name -> (opcode name, condition, memory order).  instruction.cpp:274-291.
PRINT_NAMES: Dict[str, Tuple[str, Optional[Condition], Optional[MemoryOrder]]] = {}
for _n in COMMON_OPCODES + AARCH64_OPCODES:
    if _n not in ("BranchCC", "Compare", "Load", "Store"):
        PRINT_NAMES[_n] = (_n, None, None)
for _c in Condition:
    if _c is not Condition.Invalid:
        PRINT_NAMES[_c.branch_name] = ("BranchCC", _c, None)
for _c, _name in _COMPARE_NAME.items():
    PRINT_NAMES[_name] = ("Compare", _c, None)
PRINT_NAMES["Load"] = ("Load", None, MemoryOrder.None_)
PRINT_NAMES["LoadRelaxed"] = ("Load", None, MemoryOrder.Relaxed)
PRINT_NAMES["Store"] = ("Store", None, MemoryOrder.None_)
PRINT_NAMES["StoreRelaxed"] = ("Store", None, MemoryOrder.Relaxed)
# Note: BranchE..BranchNS, Equal.., LoadRelaxed/StoreRelaxed are print names
# only; "BranchCC" and "Compare" themselves never print (they always carry a
# condition), but plain "Load"/"Store" do.


def print_name(opcode: str, cond: Optional[Condition] = None,
               mem_order: Optional[MemoryOrder] = None) -> str:
    """Instruction::opname() (instruction.cpp:274-291)."""
    if opcode == "BranchCC":
        return cond.branch_name
    if opcode == "Compare":
        return cond.compare_name
    if opcode == "Load":
        return "LoadRelaxed" if mem_order == MemoryOrder.Relaxed else "Load"
    if opcode == "Store":
        return "StoreRelaxed" if mem_order == MemoryOrder.Relaxed else "Store"
    return opcode
