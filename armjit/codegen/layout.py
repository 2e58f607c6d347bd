"""Whole-function facts that armjit needs and the post-alloc LIR text does not state.

This module reads the "after postalloc rewrites" LIR dump with a few regular
expressions (it does not depend on armjit.lir) plus meta.json, and derives
what gen_asm.cpp adds around the LIR body: the frame (`FrameLayout`), the
entry sequence, the stage-1 deopt exits and the constant pool.  The rules and
their CinderX sources are in docs/codegen-layout.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from armjit.codegen.abi import (
    CI_CO_STATICALLY_COMPILED,
    CO_FLAGS_ANY_GENERATOR,
    CO_VARARGS,
    CO_VARKEYWORDS,
    REENTRY_OFFSET,
)
from armjit.codegen.frame import (
    FP_CALLEE_SAVED,
    FRAME_HEADER_OVERHEAD,
    GP_CALLEE_SAVED,
    K_POINTER,
    K_STACK_ALIGN,
    FrameLayout,
)

__all__ = ["LirFrameFacts", "lir_frame_facts", "frame_layout", "EntryPlan", "entry_plan", "num_args"]


_STK = re.compile(r"\[X29\((-?\d+)\)\]")
# \b([XWD])(\d+): -- the word boundary written as a lookbehind after the
# letter, so that the regex engine can skip to the next X/W/D (twice as fast)
_REG = re.compile(r"([XWD])(?<!\w.)(\d+):")
_IMM = r"(\d+)\(0x[0-9a-f]+\)"
_LEA_SP = re.compile(r"^\s*X(\d+):\S+ = Lea \[SP:\S+(?: \+ 0x([0-9a-f]+))?\]")
_IND_STORE = re.compile(r"^\[(X\d+|SP):\S+(?: ([+-]) 0x([0-9a-f]+))?\]:(\w+) = Store")
_STORE_PAIR = re.compile(r"^\s*StorePair " + _IMM + r":\w+, (X\d+|SP):")
_DEF = re.compile(r"^\s*([XWD]\d+):\S+ = (\w+)")
_RESERVE = re.compile(r"^# v\d+:\S+ = ReserveStack<(\d+)>")
_DEOPT = re.compile(r"^\s+(?:Guard|A64GuardCC|DeoptPatchpoint) [^,]+, " + _IMM)
_CONSTPOOL = re.compile(r"= MovConstPool " + _IMM)
_CALL = re.compile(r"^\s+Call ")
_SIZES = {"8bit": 1, "16bit": 2, "32bit": 4, "64bit": 8, "Object": 8, "Double": 8, "ObjectUntagged": 8}


def _align16(n: int) -> int:
    return (n + K_STACK_ALIGN - 1) & ~(K_STACK_ALIGN - 1)


def _code_lines(text: str):
    for line in text.splitlines():
        if not line or line.startswith(("#", "JIT:", "Function:", "BB %")):
            continue
        yield line


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
    const_pool_values: list[int] = field(default_factory=list)  # first-use order, unique


def lir_frame_facts(text: str) -> LirFrameFacts:
    f = LirFrameFacts()
    sp_bases: dict[str, int] = {}  # register -> SP offset it was Lea'd from
    extent = 0  # SP-relative bytes used by the pending call
    after_tstate = False
    deopt: set[int] = set()
    pool: dict[int, None] = {}
    kept: list[str] = []
    no_offs: list = []
    for line in text.splitlines():
        if not line:
            continue
        c = line[0]
        if c == "#":
            # (only a comment line can be a ReserveStack one: _RESERVE starts with "# v")
            m = _RESERVE.match(line) if "ReserveStack<" in line else None
            if m:
                f.reserve_stack_size = max(f.reserve_stack_size,
                                           _align16(int(m.group(1)) * K_POINTER))
            continue
        if (c == "J" or c == "F" or c == "B") and line.startswith(("JIT:", "Function:", "BB %")):
            continue
        # ---- stack slots
        if "[X29(" in line:
            offs = [int(x) for x in _STK.findall(line)]
            is_lea = " = Lea [X29(" in line
            if offs:
                f.stack_offsets.update(offs)
                (f.lea_stack_offsets if is_lea else f.spill_offsets).update(offs)
        else:
            offs, is_lea = no_offs, False       # (" = Lea [X29(" holds "[X29(")
        if after_tstate:
            if is_lea and offs:
                f.frame_lea_offset = offs[0]
            after_tstate = False
        if f.frame_lea_offset is None and "= LoadThreadState" in line:
            after_tstate = True
        kept.append(line)          # callee-saved registers: one findall at the end
        # ---- outgoing argument area (postalloc.cpp:317-760)
        m = _LEA_SP.match(line) if "Lea [SP:" in line else None
        if m:
            base = int(m.group(2) or "0", 16)
            sp_bases[f"X{m.group(1)}"] = base
            extent = max(extent, base)
        elif sp_bases:
            d = _DEF.match(line)
            if d:
                sp_bases.pop("X" + d.group(1)[1:], None)
        m = _IND_STORE.match(line) if line[0] == "[" else None
        if m:
            reg, sign, off = m.group(1), m.group(2), int(m.group(3) or "0", 16)
            off = -off if sign == "-" else off
            size = _SIZES.get(m.group(4), 8)
            if reg == "SP":
                extent = max(extent, off + size)
            elif reg in sp_bases:
                extent = max(extent, sp_bases[reg] + off + size)
        m = _STORE_PAIR.match(line) if "StorePair " in line else None
        if m:
            off, reg = int(m.group(1)), m.group(2)
            if off >= 1 << 63:
                off -= 1 << 64
            if reg == "SP":
                extent = max(extent, off + 16)
            elif reg in sp_bases:
                extent = max(extent, sp_bases[reg] + off + 16)
        if "Call " in line and (_CALL.match(line) or " = Call " in line):
            f.max_arg_buffer_size = max(f.max_arg_buffer_size, _align16(extent))
            extent = 0
            sp_bases.clear()
        # ---- deopt exits and the constant pool
        m = _DEOPT.match(line) if ("Guard" in line or "DeoptPatchpoint" in line) else None
        if m:
            deopt.add(int(m.group(1)))
        m = _CONSTPOOL.search(line) if "MovConstPool" in line else None
        if m:
            pool.setdefault(int(m.group(1)), None)
    # ---- callee-saved registers mentioned
    for kind, num in set(_REG.findall("\n".join(kept))):
        n = int(num)
        name = f"D{n}" if kind == "D" else f"X{n}"
        if name in GP_CALLEE_SAVED or name in FP_CALLEE_SAVED:
            f.callee_saved_used.add(name)
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


def frame_layout(text: str, meta: dict, *, use_meta_spill: bool = True) -> FrameLayout:
    """The FrameLayout of a corpus function.

    With ``use_meta_spill`` (default) the spill size is meta.json's
    ``spill_stack_size``; otherwise it is reconstructed from the LIR alone
    (frame-header Lea, deepest inlined-frame Lea, deepest spill slot).
    """
    facts = lir_frame_facts(text)
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
    return FrameLayout(
        spill_stack_size=spill,
        saved_regs=facts.callee_saved_used,
        max_arg_buffer_size=facts.max_arg_buffer_size,
        reserve_stack_size=facts.reserve_stack_size,
        frame_header_size=fh,
        inline_stack_size=inline,
        spill_slot_offsets=spill_slots,
        is_generator=gen,
    )


@dataclass
class EntryPlan:
    """The code gen_asm.cpp emits before the first LIR body block."""

    has_static_entry: bool
    checks_argcount: bool  # GenerateArgcountCheckBlocks: two blocks vs one
    num_args: int
    arg_loads: list[str]  # "Load vectorcall arguments" instructions

    @property
    def reentry_offset(self) -> int:
        return REENTRY_OFFSET


def entry_plan(meta: dict) -> EntryPlan:
    """PopulateEntryBlock (generator.cpp:699-766) for a function without
    primitive (double) args: GP args 0..6 go to X1..X7, loaded pairwise."""
    n = num_args(meta)
    loads = ["mov x10, x1"]
    regs = min(n, 7)
    i = 0
    while i < regs:
        off = i * 8
        mem = "[x10]" if off == 0 else f"[x10, #{off:#x}]"
        if i + 1 < regs:
            loads.append(f"ldp x{i + 1}, x{i + 2}, {mem}")
            i += 2
        else:
            loads.append(f"ldr x{i + 1}, {mem}")
            i += 1
    if n > 7:
        loads.append("add x10, x10, #0x38")
    flags = meta["flags"]
    checks = not (flags & (CO_VARARGS | CO_VARKEYWORDS)) and meta.get("kwonlyargcount", 0) == 0
    return EntryPlan(
        has_static_entry=bool(flags & CI_CO_STATICALLY_COMPILED),
        checks_argcount=checks,
        num_args=n,
        arg_loads=loads,
    )
