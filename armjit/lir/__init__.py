"""armjit.lir: CinderX LIR in Python.

* :func:`parse` / :func:`read_log` -- read LIR dumps of every stage
  (:mod:`armjit.lir.parser`), raising :class:`LIRParseError` on bad input;
* :func:`format` -- print a function byte for byte as CinderX did
  (:mod:`armjit.lir.printer`);
* :func:`verify` -- structural checks (:mod:`armjit.lir.verifier`);
* :mod:`armjit.lir.interp` -- a reference interpreter for post-alloc LIR;
* :mod:`armjit.lir.ops` -- every opcode, condition and their properties.

Nothing here imports :mod:`armjit.emit` but the reference interpreter, which takes
the one definition of an ADD/SUB immediate from :mod:`armjit.emit.immediates`
(CinderX's ``cmp_immediate`` choice depends on it); LIR knows nothing else of A64
encodings.
"""

from .model import (DATA_TYPES, BasicBlock, Function, Imm, Ind, Instruction, Label, Mem,
                    NoneOperand, Operand, Origin, Reg, Stack, VReg)
from .ops import OPS, Condition, GuardKind, MemoryOrder, OpInfo, Opcode
from .parser import LIRParseError, parse, parse_instruction, parse_operand, read_log
from .printer import format, format_instruction
from .verifier import LIRVerifyError, check, verify

__all__ = [
    "DATA_TYPES", "BasicBlock", "Function", "Imm", "Ind", "Instruction", "Label", "Mem",
    "NoneOperand", "Operand", "Origin", "Reg", "Stack", "VReg", "OPS", "Condition",
    "GuardKind", "MemoryOrder", "OpInfo", "Opcode", "LIRParseError", "parse",
    "parse_instruction", "parse_operand", "read_log", "format", "format_instruction",
    "verify", "check", "LIRVerifyError",
]

