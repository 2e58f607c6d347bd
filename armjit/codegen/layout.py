"""Whole-function facts that armjit needs and the post-alloc LIR does not state.

From the parsed "after postalloc rewrites" LIR (:class:`armjit.lir.model.Function`)
and meta.json this module derives what gen_asm.cpp adds around the LIR body:
the frame (`FrameLayout`), the entry sequence, the stage-1 deopt exits and the
constant pool.  The rules and their CinderX sources are in docs/codegen-layout.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from armjit.codegen.abi import (
    CALLEE_SAVED_FP,
    CALLEE_SAVED_GP,
    CI_CO_STATICALLY_COMPILED,
    CO_FLAGS_ANY_GENERATOR,
    CO_VARARGS,
    CO_VARKEYWORDS,
    REENTRY_OFFSET,
)
from armjit.codegen.frame import (FRAME_HEADER_OVERHEAD, K_POINTER, K_STACK_ALIGN, FrameLayout,
                                  FrameLayoutError)
from armjit.lir.model import REG_SP, Function, Ind, Reg, Stack

__all__ = ["LirFrameFacts", "frame_facts", "frame_layout", "EntryPlan", "entry_plan", "num_args"]


# The HIR comment of a ReserveStack (e.g. "# v315:CPtr = ReserveStack<2>"): n
# pointer slots, of which the LIR keeps no operand; env->reserve_stack_size is
# the largest, 16-aligned (generator.cpp:5706-5718).
_RESERVE = re.compile(r"^# v\d+:\S+ = ReserveStack<(\d+)>")


def _align16(n: int) -> int:
    return (n + K_STACK_ALIGN - 1) & ~(K_STACK_ALIGN - 1)


@dataclass
class LirFrameFacts:
    """What the post-alloc LIR says about the frame."""

    stack_offsets: set[int] = field(default_factory=set)  # every [X29(n)] operand
    lea_stack_offsets: set[int] = field(default_factory=set)  # [X29(n)] used by Lea
    spill_offsets: set[int] = field(default_factory=set)  # [X29(n)] used by anything else
    callee_saved_used: set[str] = field(default_factory=set)
    max_arg_buffer_size: int = 0
    reserve_stack_size: int = 0
    frame_lea_offset: int | None = None  # Lea right after the first LoadThreadState
    deopt_ids: list[int] = field(default_factory=list)  # sorted, unique
    reserve_stack_instrs: int = 0       # ReserveStack instructions (their size is HIR's)
    has_origins: bool = False           # the dump carries HIR origins (DUMP_LIR_ORIGIN)
    const_pool_values: list[int] = field(default_factory=list)  # first-use order, unique


_ACCESS_BYTES = {"8bit": 1, "16bit": 2, "32bit": 4, "64bit": 8, "Object": 8, "Double": 8,
                 "ObjectUntagged": 8}
_CALLEE_SAVED_NUMS = frozenset(CALLEE_SAVED_GP) | frozenset(32 + n for n in CALLEE_SAVED_FP)
_DEOPT_EXITS = frozenset(("Guard", "A64GuardCC", "DeoptPatchpoint"))   # isDeoptExit, ops.cpp:178


def frame_facts(fn: Function) -> LirFrameFacts:
    """What the post-alloc LIR ``fn`` says about the frame (one pass over the
    parsed instructions)."""
    f = LirFrameFacts()
    stack_offsets, lea_offsets, spill_offsets = f.stack_offsets, f.lea_stack_offsets, f.spill_offsets
    regs: set = set()                   # register numbers named anywhere
    sp_bases: dict = {}                 # GP register number -> SP offset it was Lea'd from
    extent = 0                          # SP-relative bytes used by the pending call
    reserve = 0
    after_tstate = False
    frame_lea = None
    deopt: set = set()
    pool: dict = {}
    last_origin = None
    for b in fn.blocks:
        for ins in b.instructions:
            o = ins.origin
            if o is not None and o is not last_origin:
                last_origin = o
                f.has_origins = True
                for line in o.lines:
                    if "ReserveStack<" in line and (m := _RESERVE.match(line)):
                        reserve = max(reserve, _align16(int(m.group(1)) * K_POINTER))
            op = ins.opcode
            out = ins.output
            ins_stack = None
            # every operand: stack slots, registers
            for x in (out, *ins.inputs):
                c = x.__class__
                if c is Reg:
                    regs.add(x.num)
                elif c is Stack:
                    if ins_stack is None:
                        ins_stack = []
                    ins_stack.append(x.offset)
                elif c is Ind:
                    regs.add(x.base.num)
                    if x.index is not None:
                        regs.add(x.index.num)
            if ins_stack is not None:
                stack_offsets.update(ins_stack)
                (lea_offsets if op == "Lea" else spill_offsets).update(ins_stack)
            # the frame header: the Lea right after the first LoadThreadState
            # (emitLoadFrame, generator.cpp:6157)
            if after_tstate:
                if op == "Lea" and ins_stack is not None:
                    frame_lea = ins_stack[0]
                after_tstate = False
            if frame_lea is None and op == "LoadThreadState":
                after_tstate = True
            # the outgoing argument area (postalloc.cpp:317-760): SP-based
            # stores, directly or through a Lea of [SP + off], up to the Call
            if op == "Lea" and out.__class__ is Reg and out.is_gp:
                a = ins.inputs[0]
                if (a.__class__ is Ind and a.base.num == REG_SP and a.index is None
                        and a.offset >= 0):
                    sp_bases[out.num] = a.offset
                    extent = max(extent, a.offset)
                elif sp_bases:
                    sp_bases.pop(out.num, None)
            elif sp_bases and out.__class__ is Reg and out.is_gp:
                sp_bases.pop(out.num, None)
            if op == "Store":
                if out.__class__ is Ind and out.index is None:
                    base = out.base.num
                    end = out.offset + _ACCESS_BYTES[out.dtype]
                    if base == REG_SP:
                        extent = max(extent, end)
                    elif base in sp_bases:
                        extent = max(extent, sp_bases[base] + end)
            elif op == "StorePair":
                off = ins.inputs[0].signed
                base = ins.inputs[1].num
                if base == REG_SP:
                    extent = max(extent, off + 16)
                elif base in sp_bases:
                    extent = max(extent, sp_bases[base] + off + 16)
            elif op == "Call":
                f.max_arg_buffer_size = max(f.max_arg_buffer_size, _align16(extent))
                extent = 0
                sp_bases.clear()
            elif op in _DEOPT_EXITS:
                deopt.add(ins.inputs[1].value)
            elif op == "MovConstPool":
                pool.setdefault(ins.inputs[0].value, None)
            elif op == "ReserveStack":
                f.reserve_stack_instrs += 1
    f.reserve_stack_size = reserve
    f.frame_lea_offset = frame_lea
    for n in regs & _CALLEE_SAVED_NUMS:
        f.callee_saved_used.add(f"D{n - 32}" if n >= 32 else f"X{n}")
    f.deopt_ids = sorted(deopt)
    f.const_pool_values = list(pool)
    return f


def num_args(meta: dict) -> int:
    """hir::Function::numArgs: co_argcount + kwonly + (*args) + (**kwargs)."""
    flags = meta["flags"]
    return (
        meta["argcount"]
        + meta.get("kwonlyargcount", 0)
        + bool(flags & CO_VARARGS)
        + bool(flags & CO_VARKEYWORDS)
    )


def is_generator(meta: dict) -> bool:
    return bool(meta["flags"] & CO_FLAGS_ANY_GENERATOR)


def frame_layout(fn: Function, meta: dict, *, use_meta_spill: bool = True) -> FrameLayout:
    """The FrameLayout of the post-alloc LIR function ``fn`` with its meta.json.

    With ``use_meta_spill`` (default) the spill size is meta.json's
    ``spill_stack_size``; otherwise it is reconstructed from the LIR alone
    (frame-header Lea, deepest inlined-frame Lea, deepest spill slot).
    """
    facts = frame_facts(fn)
    gen = is_generator(meta)
    fh = 0 if gen else (None if facts.frame_lea_offset is None else -facts.frame_lea_offset + FRAME_HEADER_OVERHEAD)
    inline = None
    spill = None
    if fh is not None:
        deepest_lea = min((o for o in facts.lea_stack_offsets), default=0)
        # calcInlineStackSize (gen_asm.cpp:1729-1747) counts the caller chain,
        # root frame header included: it is the depth of the deepest inlined
        # frame's base, which getInlinedFrame Leas (generator.cpp:6052-6061).
        inline = -deepest_lea if (not gen and deepest_lea < -fh) else 0
        reserved = fh + K_POINTER + inline
        spills = [o for o in facts.spill_offsets if o < -reserved]
        spill = max([reserved] + [-o for o in spills])
    if use_meta_spill or spill is None:
        spill = meta["spill_stack_size"]
    reserved = None if fh is None else fh + K_POINTER + (inline or 0)
    spill_slots = [o for o in facts.spill_offsets if reserved is not None and o < -reserved]
    def layout(reserve: int) -> FrameLayout:
        return FrameLayout(
            spill_stack_size=spill,
            saved_regs=facts.callee_saved_used,
            max_arg_buffer_size=facts.max_arg_buffer_size,
            reserve_stack_size=reserve,
            frame_header_size=fh,
            inline_stack_size=inline,
            spill_slot_offsets=spill_slots,
            is_generator=gen,
        )
    frame = layout(facts.reserve_stack_size)
    if facts.reserve_stack_instrs and not facts.has_origins:
        # A dump without HIR origins (CINDERX_JIT_DUMP_LIR_ORIGIN=0, the live
        # path) does not show ReserveStack<n>'s size (generator.cpp:5706-5719):
        # the reserved area is what CinderX's frame has beyond the rest.  It
        # is 16-aligned, so the header's alignment pad does not depend on it.
        stack = meta.get("stack_size")
        if not isinstance(stack, int):
            raise FrameLayoutError("the LIR reserves stack (ReserveStack) but carries no "
                                   "HIR origins and CinderX's frame size is not known")
        reserve = stack - frame.total_size
        if reserve <= 0 or reserve % 16:
            raise FrameLayoutError(
                f"the LIR reserves stack (ReserveStack) but CinderX's {stack}-byte frame "
                f"leaves {reserve} bytes for it beyond the {frame.total_size} the LIR "
                "implies (not a positive multiple of 16): refusing")
        frame = layout(reserve)
    return frame


@dataclass
class EntryPlan:
    """The code gen_asm.cpp emits before the first LIR body block."""

    has_static_entry: bool
    checks_argcount: bool  # GenerateArgcountCheckBlocks: two blocks vs one
    num_args: int

    @property
    def reentry_offset(self) -> int:
        return REENTRY_OFFSET


def entry_plan(meta: dict) -> EntryPlan:
    """PopulateEntryBlock (generator.cpp:699-766) for a function without
    primitive (double) args: GP args 0..6 go to X1..X7, loaded pairwise."""
    n = num_args(meta)
    flags = meta["flags"]
    checks = not (flags & (CO_VARARGS | CO_VARKEYWORDS)) and meta.get("kwonlyargcount", 0) == 0
    return EntryPlan(
        has_static_entry=bool(flags & CI_CO_STATICALLY_COMPILED),
        checks_argcount=checks,
        num_args=n,
    )
