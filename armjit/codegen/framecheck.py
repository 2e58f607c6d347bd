"""Every frame access of the LIR lands in a slot the FrameLayout states for it.

:meth:`FrameLayout.check` proves the slots themselves are sound (no overlap,
inside the frame, SP aligned, the outgoing-argument area at [SP+0..]).  This
pass proves the *code* respects them: each access the post-alloc LIR makes
through X29 (stack slots ``[X29(off)]``, ``[X29 + off]``) or through SP
(``[SP + off]``, the outgoing vectorcall arguments) is checked against the
layout before any byte is emitted:

* an X29-relative access must lie wholly inside one slot of a kind the body may
  touch (spill slots, the interpreter frame and its header, inlined frames, the
  reserved word), never in the callee-saved area, the frame record or padding;
* an SP-relative access must lie wholly inside the outgoing-argument area (or
  the reserve-stack area above it).

An access that breaks these rules raises :class:`FrameAccessError` naming the
block, the instruction and the slot it hit: the overlap bugs of the seed port
(a saved-IP slot inside the vectorcall argument area) are refused, not emitted.
Accesses through a register are followed when the register holds a Lea of
X29/SP made earlier in the same block (the outgoing arguments are stored
through ``Xn = Lea [SP + 8]`` then ``StorePair 0, Xn, ...``; the interpreter
frame through ``X23 = Lea [X29(-112)]``); every Lea is itself checked as an
address that must point into a body slot or the argument area.
"""

from __future__ import annotations

from typing import Iterable, Optional

from armjit.lir.model import Imm, Ind, Reg, Stack

from .frame import FrameLayout, FrameLayoutError

BODY_KINDS = {"spill", "interpreter_frame", "frame_header", "inline_frames", "reserved"}
SP_KINDS = {"arg_buffer", "reserve_stack"}
_SIZE = {"8bit": 1, "16bit": 2, "32bit": 4, "64bit": 8, "Object": 8, "Double": 8,
         "ObjectUntagged": 8}


class FrameAccessError(FrameLayoutError):
    pass


def _slot_for(frame: FrameLayout, off: int, size: int):
    for sl in frame.slots:
        if sl.offset <= off and off + size <= sl.end:
            return sl
    return None


def _hit(frame: FrameLayout, off: int, size: int) -> str:
    names = [sl.name for sl in frame.slots if sl.offset < off + size and off < sl.end]
    return ", ".join(names) if names else "outside the frame"


def _frame_base(reg, known) -> Optional[tuple]:
    """(base, offset) when ``reg`` is X29/SP itself or holds a Lea of X29/SP
    made earlier in the same block."""
    if not isinstance(reg, Reg):
        return None
    name = reg.name.upper()
    if name in ("X29", "SP"):
        return name, 0
    return known.get(name)


def _accesses(ins, known) -> Iterable[tuple]:
    """(base, X29-or-SP-relative offset, size, what) of each frame access."""
    ops = list(ins.inputs)
    if ins.output is not None:
        ops.append(ins.output)
    for op in ops:
        if isinstance(op, Stack):
            if ins.opcode == "Lea":
                yield "X29", op.offset, 0, "address"
            else:
                yield "X29", op.offset, _SIZE.get(op.dtype, 8), "access"
        elif isinstance(op, Ind) and op.index is None:
            fb = _frame_base(op.base, known)
            if fb is not None:
                size = 0 if ins.opcode == "Lea" else _SIZE.get(op.dtype, 8)
                yield fb[0], fb[1] + op.offset, size, "address" if size == 0 else "access"
    if ins.opcode in ("LoadPair", "StorePair"):
        off = ins.inputs[0]
        fb = _frame_base(ins.inputs[1], known)
        if isinstance(off, Imm) and fb is not None:
            # Two 8-byte accesses: a pair may span two adjacent slots (spills).
            yield fb[0], fb[1] + off.signed, 8, "pair access (first)"
            yield fb[0], fb[1] + off.signed + 8, 8, "pair access (second)"


_CALLS = {"Call", "VectorCall", "VarArgCall", "CVarArgCall", "VectorCallTstate"}


def _track(ins, known) -> None:
    """Update ``known`` (register -> (base, offset) from a Lea of X29/SP) for
    what ``ins`` writes.  Conservative: anything written is forgotten unless it
    is a Lea of a frame address; calls forget the caller-saved registers."""
    written = []
    if isinstance(ins.output, Reg):
        written.append(ins.output.name.upper())
    elif ins.output is None and ins.inputs and isinstance(ins.inputs[0], Reg) \
            and ins.opcode not in ("Store", "StorePair", "Cmp", "Test", "Test32", "Guard",
                                   "CmpBranchZero", "CmpBranchNonZero", "BranchBitSet",
                                   "BranchBitNotSet", "Call", "EpilogueEnd", "Branch"):
        written.append(ins.inputs[0].name.upper())      # two-address forms
    if ins.opcode in ("LoadPair",) and isinstance(ins.inputs[2], Reg):
        written.append(ins.inputs[2].name.upper())
    if ins.opcode == "Exchange" and isinstance(ins.inputs[0], Reg):
        written.append(ins.inputs[0].name.upper())
    if ins.opcode in _CALLS:
        written.extend(f"X{i}" for i in range(19))
    for name in written:
        known.pop(name.replace("W", "X", 1) if name.startswith("W") else name, None)
    if ins.opcode == "Lea" and isinstance(ins.output, Reg):
        src = ins.inputs[0]
        if isinstance(src, Stack):
            known[ins.output.name.upper()] = ("X29", src.offset)
        elif isinstance(src, Ind) and src.index is None:
            fb = _frame_base(src.base, known)
            if fb is not None:
                known[ins.output.name.upper()] = (fb[0], fb[1] + src.offset)


_PAIRS = ("LoadPair", "StorePair")


def check_frame_accesses(fn, frame: FrameLayout, sp_offset: Optional[int] = None) -> int:
    """Check every X29/SP-relative access of ``fn`` against ``frame``; return how
    many were checked.  ``sp_offset``: SP's offset from X29 in the body
    (default ``-frame.total_size``)."""
    sp = -frame.total_size if sp_offset is None else sp_offset
    n = 0
    body_or_sp = BODY_KINDS | SP_KINDS
    slot_memo: dict = {}        # (X29 offset, size) -> slot (the slots do not change)
    for block in fn.blocks:
        known: dict = {}
        for k, ins in enumerate(block.instructions):
            opcode = ins.opcode
            # Only instructions with a memory operand or a pair access can
            # access the frame (_accesses yields nothing for the others).
            mem = opcode in _PAIRS
            if not mem:
                for op in ins.inputs:
                    c = op.__class__
                    if c is Stack or c is Ind:
                        mem = True
                        break
                else:
                    c = ins.output.__class__
                    mem = c is Stack or c is Ind
            if mem:
                for base, off, size, what in _accesses(ins, known):
                    n += 1
                    x29_off = off if base == "X29" else sp + off
                    key = (x29_off, size or 1)
                    sl = slot_memo.get(key, slot_memo)
                    if sl is slot_memo:
                        sl = slot_memo[key] = _slot_for(frame, x29_off, size or 1)
                    if size == 0:       # an address (Lea): must point into a body slot
                        if sl is None or sl.kind not in body_or_sp:
                            raise FrameAccessError(
                                f"BB %{block.id} instruction {k} ({ins.opcode}): Lea of "
                                f"[{base}{off:+d}] points at "
                                f"{_hit(frame, x29_off, 1)}, not into a body slot")
                        continue
                    allowed = SP_KINDS if base == "SP" else BODY_KINDS
                    if sl is None or sl.kind not in allowed:
                        raise FrameAccessError(
                            f"BB %{block.id} instruction {k} ({ins.opcode}): {what} of "
                            f"{size} bytes at [{base}{off:+d}] "
                            f"(X29{x29_off:+d}) hits {_hit(frame, x29_off, size)}; "
                            f"allowed there: {', '.join(sorted(allowed))}")
            if known or opcode == "Lea":
                # (with nothing known, only a Lea can change what _track keeps)
                _track(ins, known)
    return n
