"""Lower a post-alloc LIR *fragment* -- instructions or blocks without a frame --
into runnable A64 code (for differential tests against :mod:`armjit.lir.interp`).

A fragment is a list of post-alloc basic blocks in layout order (the text of
``BB %n`` blocks, a :class:`~armjit.lir.model.Function`, a list of
:class:`~armjit.lir.model.BasicBlock`, a list of
:class:`~armjit.lir.model.Instruction`, or bare instruction lines, which
become one block ``BB %0``).  Each instruction is lowered by
:func:`armjit.codegen.lower.lower_instruction` exactly as
:mod:`armjit.codegen.function` lowers a function body; around it
:func:`lower_fragment` adds only:

* a label per block (branch targets); a block with successors ends as the
  LIR says (a taken branch, or falls through into the next block, which must
  be its other successor: the post-alloc layout rule);
* an *exit stub* for every block without successors: ``movz <marker>, #id``
  (the block id) and ``b end`` -- so a run tells which way the fragment left;
* a stub per deopt exit a Guard/A64GuardCC named (``movz <marker>,
  #0x10000+idx``; ``b end``), and the hard-exit label bound at ``end``;
* ``end: ret``.

The marker register defaults to X16, one of CinderX's scratch registers
(X13/X14/X16, never allocated: ``DISALLOWED_REGISTERS``,
``Jit/codegen/arch/aarch64.h:177-179``), which LIR therefore never names.  A
fragment that names X13/X14/X16 (or D16/D17) as an operand is refused with
:class:`FragmentError` unless ``allow_scratch_operands=True``: the lowering
rules clobber those registers freely (each rule avoids only the registers its
own instruction names, see :meth:`armjit.codegen.lower.Ctx.scratch`), so such a
fragment has no defined meaning across instructions.

No frame is set up: stack slots ``[X29(n)]`` address whatever X29 holds, and
the SP-relative rewrite of slots is off (``sp_delta`` None) unless given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Union

from armjit.emit import Assembler, GpReg, X
from armjit.lir import parse
from armjit.lir.model import BasicBlock, Function, Ind, Instruction, Reg

from armjit.codegen.abi import SCRATCH_BR, SCRATCH_FP, SCRATCH_GP
from armjit.codegen.lower import Ctx, LoweringError, lower_instruction

__all__ = ["FragmentError", "LoweredFragment", "as_function", "lower_fragment",
           "scratch_operands", "DEOPT_MARK"]

#: marker value of the exit stub of deopt exit ``idx``: DEOPT_MARK + idx.
DEOPT_MARK = 0x10000


class FragmentError(LoweringError):
    """A fragment armjit will not lower (names a scratch register, breaks the
    post-alloc layout rule, or is not made of blocks)."""


@dataclass
class LoweredFragment:
    code: bytes
    base: int
    function: Function
    block_offsets: Dict[int, int]          # block id -> code offset
    exit_offsets: Dict[int, int]           # terminal block id -> offset of its exit stub
    deopt_offsets: Dict[int, int]          # deopt idx -> offset of its stub
    end: int                               # offset of the final ``ret``
    ranges: List[tuple] = field(default_factory=list)   # (block, index, ins, start, end)

    @property
    def words(self) -> List[int]:
        c = self.code
        return [int.from_bytes(c[i:i + 4], "little") for i in range(0, len(c), 4)]

    @property
    def end_address(self) -> int:
        return self.base + self.end


def as_function(src: Union[str, Function, Sequence[BasicBlock], Sequence[Instruction]]) -> Function:
    """The fragment as a :class:`Function` (bare instruction lines or a list of
    instructions become a single block ``BB %0``)."""
    if isinstance(src, Function):
        return src
    if isinstance(src, str):
        text = src
        if not text.startswith(("Function:", "JIT: ")):
            if not text.lstrip("\n").startswith("BB %"):
                text = "BB %0\n" + text
            text = "Function:\n" + text
        return parse(text)
    items = list(src)
    if all(isinstance(b, BasicBlock) for b in items):
        return Function(items)
    if all(isinstance(i, Instruction) for i in items):
        return Function([BasicBlock(0, [], [], None, items)])
    raise FragmentError("a fragment is LIR text, a Function, or a list of blocks or instructions")


def scratch_operands(ins: Instruction) -> List[str]:
    """The CinderX scratch registers (X13/X14/X16, D16/D17) an instruction
    names as operands (including memory bases and indexes)."""
    ops = list(ins.inputs) + ([ins.output] if ins.output is not None else [])
    bad = []
    for op in ops:
        regs = [op] if isinstance(op, Reg) else \
            [r for r in (op.base, op.index) if isinstance(r, Reg)] if isinstance(op, Ind) else []
        for r in regs:
            if (r.num < 31 and r.num in SCRATCH_GP) or (32 <= r.num < 64 and r.num - 32 in SCRATCH_FP):
                bad.append(str(r))
    return bad


def lower_fragment(src, base: int = 0, *, exit_marker: Optional[GpReg] = X[SCRATCH_BR],
                   allow_scratch_operands: bool = False, frame=None, facts=None,
                   sp_delta: Optional[int] = None) -> LoweredFragment:
    """Lower a fragment for address ``base``; see the module docstring.

    Raises :class:`FragmentError` for a refused fragment and
    :class:`~armjit.codegen.lower.LoweringError` for an instruction armjit
    cannot lower."""
    fn = as_function(src)
    blocks = fn.blocks
    if not blocks:
        raise FragmentError("empty fragment")
    for b in blocks:
        for ins in b.instructions:
            bad = scratch_operands(ins)
            if bad and not allow_scratch_operands:
                raise FragmentError(
                    f"operand(s) {', '.join(bad)} name CinderX scratch registers "
                    "(X13/X14/X16, D16/D17 are never allocated; the lowering clobbers them)",
                    ins, b.id)
    a = Assembler(base=base, veneer_scratch=X[SCRATCH_BR])
    cx = Ctx(a, frame, facts or {})
    cx.sp_delta = sp_delta
    end = a.new_label("fragment_end")
    exits = {}
    ranges = []
    for k, b in enumerate(blocks):
        a.bind(cx.block_label(b.id))
        cx.block = b.id
        for j, ins in enumerate(b.instructions):
            s = a.here()
            lower_instruction(cx, ins, b.id)
            ranges.append((b.id, j, ins, s, a.here()))
        if not b.succs:
            exits[b.id] = a.here()
            if exit_marker is not None:
                a.movz(exit_marker, b.id)
            a.b(end)
            continue
        last = b.instructions[-1] if b.instructions else None
        labels = {op.block for op in (last.inputs if last is not None else ()) if op.kind == "l"}
        unconditional = last is not None and last.opcode == "Branch"
        nxt = blocks[k + 1].id if k + 1 < len(blocks) else None
        for s in b.succs:
            if s not in labels and not unconditional and s != nxt:
                raise FragmentError(f"successor %{s} of BB %{b.id} is neither a branch target "
                                    "nor the next block (post-alloc layout)", None, b.id)
    ids = {b.id for b in blocks}
    for b in blocks:
        for s in b.succs:
            if s not in ids:
                raise FragmentError(f"successor %{s} of BB %{b.id} is not in the fragment",
                                    None, b.id)
    deopts = {}
    for idx, lab in sorted(cx.deopt_labels.items()):
        a.bind(lab)
        deopts[idx] = lab
        if exit_marker is not None:
            a.movz(exit_marker, DEOPT_MARK + idx)
        a.b(end)
    a.bind(end)
    if not a.is_bound(cx.hard_exit_label):
        a.bind(cx.hard_exit_label)
    a.ret()
    final = a.finalize()
    off = final.offset_of
    return LoweredFragment(
        code=final.code, base=base, function=fn,
        block_offsets={b.id: off(cx.block_label(b.id)) for b in blocks},
        exit_offsets={bid: off(l) for bid, l in exits.items()},
        deopt_offsets={idx: off(l) for idx, l in deopts.items()},
        end=off(end),
        ranges=[(bid, j, ins, off(s), off(e)) for bid, j, ins, s, e in ranges])
