"""The scratch-liveness / clobber checker for compiled functions.

CinderX reserves X13 (reg_scratch_0), X14 (reg_scratch_1), X16 (reg_scratch_br)
and D16/D17 (Jit/codegen/arch/aarch64.h:177-179, arch.h:72-102): the register
allocator never hands them out, so translators may clobber them.  X17 *is*
allocatable (it holds LIR values in the corpus) and is treated like any other
allocatable register: only an instruction whose output it is may write it.

CinderX itself names X13/X14 in post-alloc LIR by convention: rewriteMemoryInputsToReg
(postalloc.cpp:1479-1693) reloads a spilled operand into X13/X14 right before
the ALU instruction that reads it, and the VectorCall lowering loads kwnames'
ob_size into X13 (postalloc.cpp:601-760).  Such a value is live from its
defining instruction to its last read in the same block.

:func:`check_scratch` proves, for one :class:`~armjit.codegen.function.CompiledFunction`:

1. LIR: a scratch register read by an instruction was written earlier in the
   same block (never live into a block), and is never a deopt live value
   (stage-1 exits overwrite X13; the trampoline does not keep X14/X16);
2. code: each instruction's expansion (decoded with Capstone, registers from
   ``regs_access()``) writes only its own outputs (two-address destinations,
   LoadPair's second register, Exchange's pair...), the registers its kind
   defines to change (a call's caller-saved set; SP/FP/LR in frame code), and
   scratch registers that the instruction does not read;
3. liveness: no expansion writes a scratch register while it holds a live
   LIR value (between the defining instruction and the last read).

Violations raise :class:`ScratchError` listing each (block, instruction, register).
"""

from __future__ import annotations

from typing import Dict, List, Set

import capstone

from armjit.codegen.abi import CALLEE_SAVED_FP, CALLEE_SAVED_GP, SCRATCH_FP, SCRATCH_GP
from armjit.lir.model import Imm, Ind, Reg

__all__ = ["ScratchError", "check_scratch", "expansion_writes", "SCRATCH"]

# register keys: ("x", n) for GP 0..30, ("d", n) for FP, "sp", "nzcv"
SCRATCH = {("x", n) for n in SCRATCH_GP} | {("d", n) for n in SCRATCH_FP}
_CALL_CLOBBERS = ({("x", i) for i in range(19)} | {("x", 30)} |
                  {("d", i) for i in range(8)} | {("d", i) for i in range(16, 32)})
_CALLEE_SAVED = {("x", i) for i in CALLEE_SAVED_GP} | {("d", i) for i in CALLEE_SAVED_FP}
_TWO_ADDR = {"Add", "Sub", "And", "Or", "Xor", "Mul", "Fadd", "Fsub", "Fmul", "Fdiv",
             "Negate", "Invert", "LShift", "RShift", "RShiftUn", "Div", "DivUn"}

_FLAG_ONLY = ("cmp", "cmn", "tst")

_md = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)
_md.detail = True


class ScratchError(AssertionError):
    pass


def _key(name: str):
    n = name.lower()
    if n in ("sp", "wsp"):
        return "sp"
    if n in ("xzr", "wzr"):
        return None
    if n == "nzcv":
        return "nzcv"
    if n[0] in "xw" and n[1:].isdigit():
        return ("x", int(n[1:]))
    if n[0] in "bhsdqv" and n[1:].isdigit():
        return ("d", int(n[1:]))
    if n in ("fp",):
        return ("x", 29)
    if n in ("lr",):
        return ("x", 30)
    return n


def _op_key(op):
    if isinstance(op, Reg):
        if op.num == 0xFFFF:
            return "sp"
        if op.num == 31:
            return None
        return ("d", op.num - 32) if op.is_fp else ("x", op.num)
    return None


def _reads(ins) -> Set:
    out = set()
    for op in ins.inputs:
        k = _op_key(op)
        if k:
            out.add(k)
        if isinstance(op, Ind):
            for r in (op.base, op.index):
                k = _op_key(r) if r is not None else None
                if k:
                    out.add(k)
    if isinstance(ins.output, Ind):
        for r in (ins.output.base, ins.output.index):
            k = _op_key(r) if r is not None else None
            if k:
                out.add(k)
    return out


def _defs(ins) -> Set:
    out = set()
    k = _op_key(ins.output) if ins.output is not None else None
    if k:
        out.add(k)
    op = ins.opcode
    if ins.output is None and op in _TWO_ADDR and ins.inputs:
        k = _op_key(ins.inputs[0 if op not in ("Div", "DivUn") or not isinstance(ins.inputs[0], Imm) else 1])
        if k:
            out.add(k)
    if op in ("Inc", "Dec"):
        out.add(_op_key(ins.inputs[0]))
    if op == "Exchange":
        out.add(_op_key(ins.inputs[0]))
    if op == "LoadPair":
        out.add(_op_key(ins.inputs[2]))
    if op == "Select" and ins.inputs[0].dtype in ("8bit", "16bit"):
        out.add(_op_key(ins.inputs[0]))     # translateSelect masks the condition in place
    return {k for k in out if k}


def _allowed(ins) -> Set:
    op = ins.opcode
    ok = set(_defs(ins)) | {"nzcv"}
    if op in ("Call", "LoadThreadState"):
        ok |= _CALL_CLOBBERS
    if op in ("SetupFrame",):
        ok |= {"sp"}
    if op == "EpilogueEnd":
        ok |= {"sp", ("x", 29), ("x", 30), ("x", 0), ("x", 1), ("d", 0), ("d", 1)} | _CALLEE_SAVED
    if op in ("Push", "Pop", "VariadicPush", "Leave"):
        ok |= {"sp", ("x", 29), ("x", 30)} if op == "Leave" else {"sp"}
    return ok


def expansion_writes(code: bytes, address: int, start: int, end: int) -> Set:
    """Registers written by the instructions in code[start:end] (Capstone)."""
    out = set()
    for insn in _md.disasm(code[start:end], address + start):
        out |= _insn_writes(insn)
    return out


_WCACHE: Dict[bytes, Set] = {}


def _insn_writes(insn) -> Set:
    key = bytes(insn.bytes)
    if insn.mnemonic not in ("bl", "b", "adr", "adrp") and key in _WCACHE:
        return _WCACHE[key]
    out = set()
    for _ in (0,):
        if insn.mnemonic in _FLAG_ONLY:
            # Capstone 5 reports the first source of these SUBS/ADDS/ANDS-to-ZR
            # aliases as written; their Rd field is 31 (ZR): only NZCV changes.
            word = int.from_bytes(insn.bytes, "little")
            if word & 0x1F != 31:
                raise ScratchError(f"{insn.mnemonic} {insn.op_str} with Rd != ZR")
            out.add("nzcv")
            continue
        _, w = insn.regs_access()
        for r in w:
            k = _key(insn.reg_name(r))
            if k:
                out.add(k)
        if insn.mnemonic in ("bl", "blr"):
            out.add(("x", 30))
    _WCACHE[key] = out
    return out


_EMPTY: Set = frozenset()


def _word_writes(code: bytes, address: int) -> Dict[int, Set]:
    """offset -> registers written, for every decodable word of the code."""
    out = {}
    off = 0
    n = len(code)
    while off < n:
        got = False
        for insn in _md.disasm(code[off:], address + off):
            got = True
            o = insn.address - address
            out[o] = _insn_writes(insn)
            off = o + 4
        if not got or off < n:
            off += 4      # data (literal pool, veneer quads): skip a word
    return out


def _deopt_live(ins):
    first = {"Guard": 4, "A64GuardCC": 2, "DeoptPatchpoint": 2}.get(ins.opcode)
    return [] if first is None else ins.inputs[first:]


def check_scratch(cf) -> Dict[str, int]:
    """Check one CompiledFunction; returns counts, raises ScratchError."""
    problems: List[str] = []
    by_block: Dict[int, list] = {}
    for r in cf.ranges:
        by_block.setdefault(r.block, []).append(r)
    n_ins = n_scratch_vals = 0
    per_word = _word_writes(cf.code, cf.address)
    for bid, rs in by_block.items():
        writes = []
        for r in rs:
            w = set()
            for off in range(r.start, r.end, 4):
                w |= per_word.get(off, _EMPTY)
            writes.append(w)
        R = [_reads(r.ins) for r in rs]
        Dd = [_defs(r.ins) for r in rs]
        # 2. per-instruction clobbers
        for r, w in zip(rs, writes):
            n_ins += 1
            reads = R[rs.index(r)] if False else _reads(r.ins)
            bad = w - _allowed(r.ins) - (SCRATCH - reads - _defs(r.ins))
            for k in sorted(bad, key=str):
                problems.append(f"BB%{bid} #{r.index} {r.ins.name}: writes {k} "
                                f"(not an output, not a free scratch)")
            for op in _deopt_live(r.ins):
                if _op_key(op) in SCRATCH:
                    problems.append(f"BB%{bid} #{r.index} {r.ins.name}: deopt live value in {op}")
        # 1 + 3. scratch values named by the LIR: def -> reads, nothing clobbers in between
        live: Dict = {}      # scratch key -> index of its defining instruction
        for i, r in enumerate(rs):
            reads = _reads(r.ins)
            for k in reads & SCRATCH:
                if k not in live:
                    problems.append(f"BB%{bid} #{r.index} {r.ins.name}: reads scratch {k} "
                                    "not defined earlier in the block")
            for k in _defs(r.ins) & SCRATCH:
                live[k] = i
                n_scratch_vals += 1
            # clobbers of live scratch values by *later* instructions
        for k, i in list(live.items()):
            pass
        # recompute precisely: for each def of a scratch, find its reads until redefinition
        for i, r in enumerate(rs):
            for k in _defs(r.ins) & SCRATCH:
                last = None
                for j in range(i + 1, len(rs)):
                    if k in R[j]:
                        last = j
                    if k in Dd[j]:
                        break
                if last is None:
                    continue
                for j in range(i + 1, last + 1):
                    wj = writes[j] - Dd[j]
                    if k in wj:
                        problems.append(f"BB%{bid} #{rs[j].index} {rs[j].ins.name}: clobbers "
                                        f"{k}, live from #{r.index} to #{rs[last].index}")
    if problems:
        raise ScratchError(f"{cf.name}: {len(problems)} problem(s):\n  " + "\n  ".join(problems[:20]))
    return {"instructions": n_ins, "scratch_values": n_scratch_vals}
