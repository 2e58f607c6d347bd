"""Structural verifier for parsed LIR (every dump stage).

Rules (each error names the block and the instruction; see tests/lir/test_verify.py
for a hand-broken input per rule):

CFG
  * block ids are unique; every ``succs``/``preds`` entry names an existing
    block, and the two lists agree (``b in s.preds`` iff ``s in b.succs``);
  * a block has at most two successors; a branch (``Branch``, ``BranchCC``,
    ``CondBranch``, ``CmpBranch*``, ``BranchBit*``) can only be the last
    instruction; an unconditional ``Branch`` means exactly one successor, a
    conditional one exactly two; every ``Label`` operand of a branch names a
    successor; ``Branch BB%x`` means ``succs == [x]``, ``CondBranch c, BB%t, BB%f``
    means ``succs == [t, f]``;
  * at ``regalloc``, a CondBranch label may still name the old target of an
    edge the allocator split (the only successor of a split block whose only
    predecessor is this block); postalloc rewrites retarget it;
  * after ``postalloc`` (when the code is laid out for emission) a successor
    not reached by a label must be the next block (fall-through);
  * ``Return``/``EpilogueEnd``/``BranchToYieldExit`` end their block.

Values
  * every virtual register is defined once; every use names a defined vreg
    with the same data type as its definition (the printer prints linked uses
    as their definition, ``printer.cpp:105-108``), and the definition comes
    before the use: earlier in the same block, or in a block that dominates the
    use's block;
  * Phi (phi rules): one ``(BB%p, v)`` pair per predecessor, each ``p`` a
    predecessor of the block, Phis first in their block; a Phi's input must be
    defined (anywhere; it is used on the edge from ``p``, so the definition
    must dominate ``p``).

Operands (per :data:`armjit.lir.ops.OPS`)
  * input count within the opcode's arity; output present/absent as the opcode
    allows; each operand's kind (vreg, reg, stack, mem, ind, imm, label) is one
    the opcode accepts at that position;
  * ``cond`` is set exactly for BranchCC/Compare; the Imm condition of
    A64GuardCC/A64SelectCC is a valid Condition index; Guard's kind is a
    GuardKind; a BranchBit bit index is < 64;
  * physical registers: a GP register prints as W exactly when its data type
    is 8/16/32-bit; a D register holds a Double; SP/XZR are 64-bit names;
  * post-alloc stages (``regalloc``, ``postalloc``) contain no virtual
    registers anywhere (outputs, inputs, memory bases and indexes) and no Phi
    after postalloc; inputs ``inputMustBeRegister`` (ops.cpp:349) demands are
    registers or immediates, never stack slots (Lea excepted: its input is the
    address operand itself).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set

from armjit.errors import ArmjitError
from .model import BasicBlock, Function, Instruction, Operand
from .ops import OPS, Condition, GuardKind, input_must_be_register, is_any_branch

PRE_ALLOC = ("generation", "postgen", "legalized")
POST_ALLOC = ("regalloc", "postalloc")
STAGES = PRE_ALLOC + POST_ALLOC
_ENDS_BLOCK = ("Return", "EpilogueEnd", "BranchToYieldExit")


class LIRVerifyError(ArmjitError, ValueError):
    """A verification failure: ``block`` id, ``instruction`` text (or None for
    block-level errors), ``line`` in the parsed text (if known)."""

    def __init__(self, message: str, block: Optional[int] = None,
                 instruction: Optional[str] = None, line: Optional[int] = None):
        self.message, self.block, self.instruction, self.line = message, block, instruction, line
        where = f"BB %{block}" if block is not None else "function"
        if instruction is not None:
            where += f", instruction {instruction.strip()!r}"
        if line is not None:
            where += f" (line {line})"
        super().__init__(f"{where}: {message}")


def _err(msg: str, block: BasicBlock, ins: Optional[Instruction] = None) -> LIRVerifyError:
    if ins is None:
        return LIRVerifyError(msg, block.id, None, block.line)
    from .printer import format_instruction
    return LIRVerifyError(msg, block.id, format_instruction(ins), ins.line)


def _is_branch(op: str) -> bool:
    return op == "Branch" or is_any_branch(op)


def _vregs(op: Operand):
    k = op.kind
    if k == "v":
        yield op
    elif k == "i":
        if op.base.kind == "v":
            yield op.base
        if op.index is not None and op.index.kind == "v":
            yield op.index


def _regs(op: Operand):
    k = op.kind
    if k == "r":
        yield op
    elif k == "i":
        if op.base.kind == "r":
            yield op.base
        if op.index is not None and op.index.kind == "r":
            yield op.index


def _dominators(fn: Function) -> Dict[int, Set[int]]:
    """Block id -> set of dominating block ids (reachable blocks only)."""
    if not fn.blocks:
        return {}
    entry = fn.blocks[0].id
    succs = {b.id: [s for s in b.succs] for b in fn.blocks}
    # reverse post-order
    order: List[int] = []
    seen = {entry}
    stack = [(entry, iter(succs.get(entry, ())))]
    while stack:
        node, it = stack[-1]
        for s in it:
            if s not in seen and s in succs:
                seen.add(s)
                stack.append((s, iter(succs[s])))
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    index = {b: i for i, b in enumerate(order)}
    preds: Dict[int, List[int]] = {b: [] for b in order}
    for b in order:
        for s in succs[b]:
            if s in preds:
                preds[s].append(b)
    idom = {entry: entry}

    def intersect(a: int, b: int) -> int:
        while a != b:
            while index[a] > index[b]:
                a = idom[a]
            while index[b] > index[a]:
                b = idom[b]
        return a

    changed = True
    while changed:
        changed = False
        for b in order[1:]:
            ps = [p for p in preds[b] if p in idom]
            if not ps:
                continue
            new = ps[0]
            for p in ps[1:]:
                new = intersect(p, new)
            if idom.get(b) != new:
                idom[b] = new
                changed = True
    dom: Dict[int, Set[int]] = {}
    for b in order:
        s = {b}
        x = b
        while idom.get(x, x) != x:
            x = idom[x]
            s.add(x)
        dom[b] = s
    return dom


def check(function: Function, stage: Optional[str] = None) -> List[LIRVerifyError]:
    """All verification errors of ``function`` (empty when it is well formed)."""
    stage = stage or function.stage
    if stage is not None and stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; one of {STAGES}")
    post = stage in POST_ALLOC
    errors: List[LIRVerifyError] = []
    blocks = function.blocks
    by_id: Dict[int, BasicBlock] = {}
    for b in blocks:
        if b.id in by_id:
            errors.append(_err("duplicate block id", b))
        by_id[b.id] = b

    # -- CFG -----------------------------------------------------------------
    for k, b in enumerate(blocks):
        for s in b.succs:
            if s not in by_id:
                errors.append(_err(f"successor %{s} does not exist", b))
            elif b.id not in by_id[s].preds:
                errors.append(_err(f"successor %{s} does not list %{b.id} as a predecessor", b))
        for p in b.preds:
            if p not in by_id:
                errors.append(_err(f"predecessor %{p} does not exist", b))
            elif b.id not in by_id[p].succs:
                errors.append(_err(f"predecessor %{p} does not list %{b.id} as a successor", b))
        if len(b.succs) > 2:
            errors.append(_err("more than two successors", b))
        ins_list = b.instructions
        last = len(ins_list) - 1
        branch = None
        labels = []
        label_ins = []
        for j, ins in enumerate(ins_list):
            op = ins.opcode
            if op in _TERMINATORS:
                if j != last:
                    errors.append(_err(f"{ins.name} is not the last instruction of its block",
                                       b, ins))
                if op in _BRANCHES:
                    branch = ins
            if op in _LABEL_OPS:
                for x in ins.inputs:
                    if x.kind == "l":
                        labels.append(x.block)
                        label_ins.append((ins, x))
        # After register allocation, edges the allocator split for resolution
        # moves keep CondBranch's old label operands until postalloc rewrites;
        # such a label names the only successor of a split block.
        split = {by_id[s].succs[0]: s for s in b.succs if s in by_id and
                 len(by_id[s].succs) == 1 and by_id[s].preds == [b.id]} \
            if stage == "regalloc" else {}
        for ins, op in label_ins:
            t = op.block
            if t not in b.succs and t in split:
                t = split[t]
            if t not in b.succs:
                errors.append(_err(f"branch target %{op.block} is not a successor", b, ins))
        if branch is not None:
            want = 1 if branch.opcode == "Branch" else 2
            if len(b.succs) != want:
                errors.append(_err(f"{branch.name} needs {want} successor(s), block has "
                                   f"{len(b.succs)}", b, branch))
            blabels = [split.get(op.block, op.block) if op.block not in b.succs else op.block
                       for op in branch.inputs if op.kind == "l"]
            if branch.opcode == "Branch" and blabels and b.succs != blabels:
                errors.append(_err("Branch target differs from the successor", b, branch))
            if branch.opcode == "CondBranch" and len(blabels) == 2 and b.succs != blabels:
                errors.append(_err("CondBranch targets differ from the successors "
                                   "(true, false)", b, branch))
        if stage == "postalloc" and b.succs:
            nxt = blocks[k + 1].id if k + 1 < len(blocks) else None
            for s in b.succs:
                if s not in labels and s != nxt:
                    errors.append(_err(f"successor %{s} is neither a branch target nor the "
                                       "next block", b))

    # -- values ----------------------------------------------------------------
    defs: Dict[int, tuple] = {}          # vreg id -> (block id, position, dtype)
    # (after allocation every vreg is an error the operand checks below report:
    # "virtual register after register allocation")
    for b in (blocks if not post else ()):
        for j, ins in enumerate(b.instructions):
            out = ins.output
            if out is not None and out.kind == "v":
                if out.id in defs:
                    errors.append(_err(f"%{out.id} is defined more than once", b, ins))
                else:
                    defs[out.id] = (b.id, j, out.dtype)
    dom = _dominators(function) if defs else {}
    for b in (blocks if not post else ()):
        seen_non_phi = False
        for j, ins in enumerate(b.instructions):
            if ins.opcode == "Phi":
                if seen_non_phi:
                    errors.append(_err("Phi after a non-Phi instruction", b, ins))
                pblocks = ins.phi_blocks or []
                if sorted(pblocks) != sorted(b.preds):
                    errors.append(_err("Phi pairs do not match the block's predecessors", b, ins))
                for op in ins.inputs:
                    for v in _vregs(op):
                        d = defs.get(v.id)
                        if d is None:
                            errors.append(_err(f"%{v.id} is used but never defined", b, ins))
                        elif d[2] != v.dtype:
                            errors.append(_err(f"%{v.id} is used as {v.dtype} but defined as "
                                               f"{d[2]}", b, ins))
                continue
            seen_non_phi = True
            ops = list(ins.inputs)
            if ins.output is not None and ins.output.kind == "i":
                ops.append(ins.output)           # a Store's address reads its base/index
            for op in ops:
                for v in _vregs(op):
                    d = defs.get(v.id)
                    if d is None:
                        errors.append(_err(f"%{v.id} is used but never defined", b, ins))
                        continue
                    if d[2] != v.dtype:
                        errors.append(_err(f"%{v.id} is used as {v.dtype} but defined as "
                                           f"{d[2]}", b, ins))
                    if d[0] == b.id:
                        if d[1] >= j:
                            errors.append(_err(f"%{v.id} is used before its definition", b, ins))
                    elif b.id in dom and d[0] not in dom[b.id]:
                        errors.append(_err(f"%{v.id} is used where its definition in "
                                           f"BB %{d[0]} does not dominate", b, ins))

    # -- operands --------------------------------------------------------------
    # Identical instructions (same operand objects: the parser shares them)
    # pass or fail alike: check each shape once.
    # An instruction passes when its shape (opcode, condition, operand kinds)
    # passed before and each operand passed before (register names vs data
    # types, no vreg after allocation); the value checks of the few opcodes
    # with immediate-coded fields are always run.
    shapes, good_ops = set(), set()
    for b in blocks:
        for ins in b.instructions:
            op = ins.opcode
            out = ins.output
            inputs = ins.inputs
            k = _VALUE_AT.get(op)
            key = (op, ins.cond, None if out is None else out.kind,
                   None if k is None else (id(inputs[k]) if len(inputs) > k else None,
                                           len(ins.phi_blocks or ())),
                   *[x.kind for x in inputs])
            if key in shapes:
                for x in inputs:
                    if id(x) not in good_ops:
                        if not _operand_ok(x, post):
                            break
                        good_ops.add(id(x))
                else:
                    if out is None or id(out) in good_ops:
                        continue
                    if _operand_ok(out, post):
                        good_ops.add(id(out))
                        continue
            errs = _check_operands(ins, b, stage, post)
            if errs:
                errors.extend(errs)
            else:
                shapes.add(key)
                good_ops.update(map(id, inputs))
                if out is not None:
                    good_ops.add(id(out))
    return errors


_BRANCHES = frozenset(op for op in OPS if _is_branch(op))
_TERMINATORS = _BRANCHES | frozenset(_ENDS_BLOCK)
# opcodes that take a label operand somewhere (any other one with a label is
# refused by the operand checks)
_LABEL_OPS = frozenset(name for name, info in OPS.items()
                       if any("l" in k for k in info.in_kinds) or
                       (info.max_inputs is None and info.in_kinds and "l" in info.in_kinds[-1]))

# opcode -> the input whose value _check_operands checks (Phi: its blocks)
_VALUE_AT = {"A64GuardCC": 0, "A64SelectCC": 0, "Guard": 0, "BranchBitSet": 1,
             "BranchBitNotSet": 1, "Phi": 0}


def _check_operands(ins: Instruction, b: BasicBlock, stage: Optional[str],
                    post: bool) -> List[LIRVerifyError]:
    errs: List[LIRVerifyError] = []
    info = OPS[ins.opcode]
    if info.arch == "x86_64":
        errs.append(_err(f"{ins.opcode} exists only on x86-64", b, ins))
    n = len(ins.inputs)
    if n < info.min_inputs or (info.max_inputs is not None and n > info.max_inputs):
        hi = "..." if info.max_inputs is None else str(info.max_inputs)
        errs.append(_err(f"{ins.name} takes {info.min_inputs}..{hi} inputs, has {n}", b, ins))
    out = ins.output
    if out is None and info.output == "required":
        errs.append(_err(f"{ins.name} needs an output", b, ins))
    elif out is not None:
        if info.output == "none":
            errs.append(_err(f"{ins.name} has no output", b, ins))
        elif out.kind not in info.out_kinds:
            errs.append(_err(f"{ins.name} cannot output a {_KIND_NAME[out.kind]}", b, ins))
    for idx, op in enumerate(ins.inputs):
        if op.kind not in info.input_kinds(idx):
            errs.append(_err(f"{ins.name} input {idx} cannot be a {_KIND_NAME[op.kind]}", b, ins))
        elif (post and op.kind == "s" and ins.opcode != "Lea"
              and input_must_be_register(ins.opcode, idx)):
            # (Lea takes the address of its operand: a stack slot there is the
            # operand itself, not a spilled value.)
            errs.append(_err(f"{ins.name} input {idx} must be a register after allocation",
                             b, ins))
    if (ins.cond is not None) != (ins.opcode in ("BranchCC", "Compare")):
        errs.append(_err("condition field set on an opcode that carries none "
                         "(or missing)", b, ins))
    if ins.opcode in ("A64GuardCC", "A64SelectCC") and ins.inputs and ins.inputs[0].kind == "k":
        if ins.inputs[0].value >= Condition.Invalid:
            errs.append(_err(f"condition index {ins.inputs[0].value} out of range", b, ins))
    if ins.opcode == "Guard" and ins.inputs and ins.inputs[0].kind == "k":
        if ins.inputs[0].value > max(GuardKind):
            errs.append(_err(f"guard kind {ins.inputs[0].value} out of range", b, ins))
    if ins.opcode in ("BranchBitSet", "BranchBitNotSet") and n > 1 and ins.inputs[1].kind == "k":
        if ins.inputs[1].value >= 64:
            errs.append(_err(f"bit index {ins.inputs[1].value} out of range", b, ins))
    if ins.opcode == "Phi" and len(ins.phi_blocks or []) != n:
        errs.append(_err("Phi blocks and values differ in number", b, ins))
    if post and ins.opcode == "Phi" and stage == "postalloc":
        errs.append(_err("Phi after postalloc rewrites", b, ins))
    allops = list(ins.inputs) + ([out] if out is not None else [])
    for op in allops:
        if post:
            for v in _vregs(op):
                errs.append(_err(f"virtual register %{v.id} after register allocation", b, ins))
        for r in _regs(op):
            msg = _reg_type_problem(r)
            if msg:
                errs.append(_err(msg, b, ins))
    return errs


def _operand_ok(op: Operand, post: bool) -> bool:
    """The per-operand checks of _check_operands pass for ``op``."""
    if post and any(True for _ in _vregs(op)):
        return False
    return all(_reg_type_problem(r) is None for r in _regs(op))


def _reg_type_problem(r) -> Optional[str]:
    bits = r.bits
    if r.is_gp:
        if r.is_w != (bits <= 32):
            return f"{r} : a {bits}-bit value must print as {'W' if bits <= 32 else 'X'}"
    elif r.is_fp:
        if r.dtype not in ("Double", "64bit", "Object"):
            return f"{r}: a D register cannot hold {r.dtype}"
    elif r.is_sp and bits != 64:
        return f"{r}: SP is 64-bit"
    return None


_KIND_NAME = {"v": "virtual register", "r": "physical register", "s": "stack slot",
              "m": "absolute memory operand", "i": "memory indirect", "k": "immediate",
              "l": "label", "n": "None operand"}


def verify(function: Function, stage: Optional[str] = None) -> Function:
    """Raise :class:`LIRVerifyError` for the first problem (see module doc);
    return ``function`` when it passes.  ``stage`` defaults to the stage
    recorded from the dump header."""
    errs = check(function, stage)
    if errs:
        raise errs[0]
    return function
