"""The native stack frame of one CinderX-compiled function on aarch64.

`FrameLayout` reproduces what CinderX 2026.11.2.0 computes in
`NativeGenerator::computeFrameInfo` (Jit/codegen/gen_asm.cpp:1138-1181) and
`FrameInfo::saved_regs_size` (Jit/codegen/gen_asm.h:135-141), and what
`translateSetupFrame` / `translateEpilogueEnd` (Jit/codegen/autogen.cpp:1174-1239,
966-1046) emit from it.  It also names every byte of the frame as a `Slot`, so
that `check()` can prove the layout is sound.  See docs/codegen-layout.md.

Inputs are plain values (no LIR objects):

* ``spill_stack_size`` -- CinderX's ``env.shadow_frames_and_spill_size``
  (``allocator->getFrameSize()``, gen_asm.cpp:1016), reported as
  ``meta.json["spill_stack_size"]``.  It already contains the frame header,
  the inlined shadow frames, one extra reserved word and the spill slots.
* ``saved_regs`` -- the callee-saved registers the register allocator handed
  out (``changed_regs & CALLEE_SAVE_REGS``); any iterable of names ("X19",
  "d8", ...).  Order does not matter: CinderX saves them in register-number
  order (PhyRegisterSet::getFirst).
* ``max_arg_buffer_size`` -- ``env.max_arg_buffer_size`` (postalloc.cpp:862,
  894): the largest outgoing stack-argument / vectorcall-array area, a multiple
  of 16.
* ``reserve_stack_size`` -- ``env.reserve_stack_size`` (generator.cpp:5714):
  the 16-aligned space of HIR ``ReserveStack``, placed at
  ``[SP + max_arg_buffer_size]``.
* optionally ``frame_header_size`` (``frameHeaderSize(code)``: 16 + 8 *
  co_framesize, 0 for generators), ``inline_stack_size`` and the FP offsets of
  the spill slots seen in the LIR, to itemise the region above the spills.

All offsets in `Slot` are relative to the frame pointer X29 after the prologue
(``stp x29, x30, [sp, #-16]!; mov x29, sp``).  The frame spans
``[X29 - total_size, X29 + 16)``; SP = X29 - total_size in the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from armjit.codegen.abi import CALLEE_SAVED_FP, CALLEE_SAVED_GP
from armjit.errors import ArmjitError

__all__ = [
    "FrameLayoutError",
    "Slot",
    "SaveOp",
    "FrameLayout",
    "GP_CALLEE_SAVED",
    "FP_CALLEE_SAVED",
]

K_POINTER = 8
K_STACK_ALIGN = 16
K_FRAME_RECORD = 16  # arch::kFrameRecordSize
#: sizeof(FrameHeader) on a GIL aarch64 build: {PyThreadState* tstate; uintptr_t
#: frame_status} (Jit/frame_header.h:19-41).
FRAME_HEADER_OVERHEAD = 16
#: CodeRuntime::setFrameSize takes an int16_t: CinderX refuses bigger frames
#: (gen_asm.cpp:1079-1083, "Frame size {} is too large").
CINDERX_MAX_FRAME_SIZE = 0x7FFF

#: The callee-saved registers (abi.CALLEE_SAVED_GP/FP) by the names the LIR prints.
GP_CALLEE_SAVED = tuple(f"X{n}" for n in CALLEE_SAVED_GP)
FP_CALLEE_SAVED = tuple(f"D{n}" for n in CALLEE_SAVED_FP)


class FrameLayoutError(ArmjitError, ValueError):
    """A frame layout that CinderX's runtime could not live with."""


def _norm_reg(name: str) -> str:
    m = re.fullmatch(r"([xXwWdD])(\d+)", name.strip())
    if not m:
        raise FrameLayoutError(f"not a register name: {name!r}")
    kind = "X" if m.group(1) in "xXwW" else "D"
    reg = f"{kind}{int(m.group(2))}"
    if reg not in GP_CALLEE_SAVED and reg not in FP_CALLEE_SAVED:
        raise FrameLayoutError(
            f"{reg} is not callee-saved (X19-X28, D8-D15 are): it is never saved"
        )
    return reg


@dataclass(frozen=True)
class Slot:
    """``size`` bytes at ``[X29 + offset, X29 + offset + size)``."""

    name: str
    kind: str
    offset: int
    size: int
    regs: tuple[str, ...] = ()

    @property
    def end(self) -> int:
        return self.offset + self.size

    def overlaps(self, other: "Slot") -> bool:
        return self.offset < other.end and other.offset < self.end


@dataclass(frozen=True)
class SaveOp:
    """One callee-saved store (``str``/``stp``) of SetupFrame, relative to X13.

    ``x13_offset`` is the immediate of ``[x13, #x13_offset]`` (always negative);
    X13 = X29 - callee_save_base.  The epilogue loads the same registers with
    ``ldr``/``ldp`` at the same addresses.
    """

    op: str  # "str" or "stp"
    regs: tuple[str, ...]
    x13_offset: int
    fp_offset: int  # X29-relative address of the first register

    def asm(self, load: bool = False) -> str:
        regs = ", ".join(r.lower() for r in self.regs)
        op = {"str": "ldr", "stp": "ldp"}[self.op] if load else self.op
        return f"{op} {regs}, [x13, #{self.x13_offset:#x}]"


@dataclass
class FrameLayout:
    spill_stack_size: int
    saved_regs: Iterable[str] = ()
    max_arg_buffer_size: int = 0
    reserve_stack_size: int = 0
    frame_header_size: int | None = None
    inline_stack_size: int | None = None
    spill_slot_offsets: Sequence[int] = ()
    is_generator: bool = False
    slots: list[Slot] = field(init=False, default_factory=list)

    # ------------------------------------------------------------------ numbers
    def __post_init__(self) -> None:
        regs = {_norm_reg(r) for r in self.saved_regs}
        self.saved_gp: tuple[str, ...] = tuple(r for r in GP_CALLEE_SAVED if r in regs)
        self.saved_fp: tuple[str, ...] = tuple(r for r in FP_CALLEE_SAVED if r in regs)
        self.saved_regs = self.saved_gp + self.saved_fp
        for name, v in (
            ("spill_stack_size", self.spill_stack_size),
            ("max_arg_buffer_size", self.max_arg_buffer_size),
            ("reserve_stack_size", self.reserve_stack_size),
        ):
            if not isinstance(v, int) or v < 0:
                raise FrameLayoutError(f"{name} must be a non-negative int, got {v!r}")
        if self.spill_stack_size % K_POINTER:
            raise FrameLayoutError(
                f"spill_stack_size {self.spill_stack_size} is not a multiple of 8 "
                "(spill slots are 8 bytes, linear_scan.cpp:1126-1129)"
            )
        # computeFrameInfo (gen_asm.cpp:1165-1180)
        hs = max(self.spill_stack_size, K_POINTER)
        self.arg_buffer_size = self.max_arg_buffer_size + self.reserve_stack_size
        if (hs + self.saved_regs_size + self.arg_buffer_size) % K_STACK_ALIGN:
            hs += K_POINTER
        self.header_and_spill_size = hs
        self.slots = self._build_slots()

    @property
    def saved_regs_size(self) -> int:
        """FrameInfo::saved_regs_size (gen_asm.h:135-141): pairs per bank."""
        return ((len(self.saved_gp) + 1) // 2 + (len(self.saved_fp) + 1) // 2) * K_STACK_ALIGN

    @property
    def total_size(self) -> int:
        """``sub sp, sp, #total_size`` (FrameInfo::size, gen_asm.h:148-150).

        Equals meta.json ``stack_size`` (env.stack_frame_size)."""
        return self.header_and_spill_size + self.saved_regs_size + self.arg_buffer_size

    @property
    def callee_save_base(self) -> int:
        """``sub x13, x29, #callee_save_base`` in SetupFrame and the epilogue."""
        return self.header_and_spill_size

    @property
    def last_callee_saved_reg_off(self) -> int:
        return self.header_and_spill_size + self.saved_regs_size

    @property
    def cinderx_accepts(self) -> bool:
        """False when CinderX itself would refuse the frame (int16 frame size)."""
        return self.total_size <= CINDERX_MAX_FRAME_SIZE

    def sp_offset(self, fp_offset: int) -> int:
        """SP-relative offset of an X29-relative address (non-generator body)."""
        return fp_offset + self.total_size

    # ------------------------------------------------------------- save order
    @property
    def save_ops(self) -> list[SaveOp]:
        """translateSetupFrame's stores (autogen.cpp:1191-1236), in emission order.

        Per bank (GP first, then D): an odd count stores the lowest-numbered
        register alone with ``str`` into a 16-byte slot; then ``stp`` pairs in
        ascending order.  Each op moves 16 bytes further down from X13."""
        ops: list[SaveOp] = []
        off = 0
        for bank in (self.saved_gp, self.saved_fp):
            regs = list(bank)
            if len(regs) % 2:
                ops.append(SaveOp("str", (regs.pop(0),), -(off + 16), -self.callee_save_base - (off + 16)))
                off += 16
            while regs:
                a, b = regs.pop(0), regs.pop(0)
                ops.append(SaveOp("stp", (a, b), -(off + 16), -self.callee_save_base - (off + 16)))
                off += 16
        return ops

    # ------------------------------------------------------------------ slots
    def _build_slots(self) -> list[Slot]:
        s: list[Slot] = [
            Slot("saved_fp", "frame_record", 0, 8, ("X29",)),
            Slot("saved_lr", "frame_record", 8, 8, ("X30",)),
        ]
        hs = self.header_and_spill_size
        spill = self.spill_stack_size
        fh = self.frame_header_size
        # --- reserved region [-reserved, 0): frame header, inline frames, word
        if fh is not None:
            inline = self.inline_stack_size or 0
            reserved = fh + K_POINTER + inline
            if reserved > spill:
                raise FrameLayoutError(
                    f"frame header {fh} + reserved word 8 + inline frames {inline} = "
                    f"{reserved} exceeds spill_stack_size {spill}"
                )
            if fh:
                if fh < FRAME_HEADER_OVERHEAD or fh % K_POINTER:
                    raise FrameLayoutError(f"bad frame_header_size {fh}")
                s.append(Slot("frame_header.tstate", "frame_header", -fh, 8))
                s.append(Slot("frame_header.frame_status", "frame_header", -fh + 8, 8))
                if fh > FRAME_HEADER_OVERHEAD:
                    s.append(Slot("interpreter_frame", "interpreter_frame", -fh + 16, fh - 16))
            if inline:
                s.append(Slot("inlined_frames", "inline_frames", -fh - inline, inline))
            s.append(Slot("reserved_word", "reserved", -reserved, K_POINTER))
        else:
            reserved = 0
            if self.spill_slot_offsets:
                reserved = -max(self.spill_slot_offsets) - K_POINTER
            if reserved:
                s.append(Slot("reserved", "reserved", -reserved, reserved))
        # --- spill slots, 8 bytes each, below the reserved region
        used = set(self.spill_slot_offsets)
        for off in sorted(used, reverse=True):
            if off % K_POINTER:
                raise FrameLayoutError(f"spill slot [X29({off})] is not 8-aligned")
        n_spill = (spill - reserved) // K_POINTER
        for i in range(n_spill):
            off = -reserved - K_POINTER * (i + 1)
            s.append(Slot(f"spill[{i}]", "spill", off, K_POINTER))
        stray = sorted(o for o in used if not (-spill <= o < -reserved))
        if stray:
            raise FrameLayoutError(
                f"stack operands {stray} are outside the spill area "
                f"[{-spill}, {-reserved}) of this frame"
            )
        if hs > spill:
            s.append(Slot("header_and_spill_pad", "pad", -hs, hs - spill))
        # --- callee-saved area
        for op in self.save_ops:
            base = op.fp_offset
            if op.op == "str":
                s.append(Slot(f"save.{op.regs[0]}", "callee_saved", base, 8, op.regs))
                s.append(Slot(f"save.{op.regs[0]}.pad", "pad", base + 8, 8))
            else:
                s.append(Slot(f"save.{op.regs[0]}", "callee_saved", base, 8, op.regs[:1]))
                s.append(Slot(f"save.{op.regs[1]}", "callee_saved", base + 8, 8, op.regs[1:]))
        # --- ReserveStack area and the outgoing argument buffer, from SP up
        sp = -self.total_size
        if self.reserve_stack_size:
            s.append(
                Slot("reserve_stack", "reserve_stack", sp + self.max_arg_buffer_size, self.reserve_stack_size)
            )
        if self.max_arg_buffer_size:
            s.append(Slot("outgoing_args", "arg_buffer", sp, self.max_arg_buffer_size))
        return s

    # ------------------------------------------------------------------ check
    def check(self) -> None:
        check_slots(self.slots, self.total_size, self.max_arg_buffer_size)
        if self.total_size != self.header_and_spill_size + self.saved_regs_size + self.arg_buffer_size:
            raise FrameLayoutError("total size is not header_and_spill + saves + arg buffer")
        if self.callee_save_base % K_POINTER or self.last_callee_saved_reg_off % K_STACK_ALIGN:
            raise FrameLayoutError(
                f"callee-saved area ends at X29-{self.last_callee_saved_reg_off}, "
                "not 16-aligned (autogen.cpp:1006 JIT_CHECK)"
            )
        for op in self.save_ops:
            if not -512 <= op.x13_offset <= 504:
                raise FrameLayoutError(f"{op.asm()}: offset outside stp's imm7*8 range")

    def describe(self) -> str:
        lines = [
            f"frame [X29-{self.total_size}, X29+16): sub sp,sp,#{self.total_size}; "
            f"sub x13,x29,#{self.callee_save_base}"
        ]
        for sl in sorted(self.slots, key=lambda x: -x.offset):
            lines.append(f"  [X29{sl.offset:+d}, X29{sl.end:+d})  {sl.size:5d}  {sl.kind:17s} {sl.name}")
        return "\n".join(lines)


def check_slots(slots: Sequence[Slot], total_size: int, arg_buffer_size: int | None = None) -> None:
    """The soundness rules for a list of slots, each raising FrameLayoutError.

    1. SP alignment: ``total_size`` is a non-negative multiple of 16.
    2. Sizes: every slot has a positive size.
    3. Bounds: every slot lies in ``[X29 - total_size, X29 + 16)``.
    4. Overlap: no two slots share a byte.
    5. Coverage: the slots tile the frame -- no byte is left unaccounted for.
    6. Outgoing arguments: the ``arg_buffer`` slot starts exactly at SP
       (``X29 - total_size``), and (by 4) overlaps nothing else.
    """
    if total_size < 0 or total_size % K_STACK_ALIGN:
        raise FrameLayoutError(f"frame size {total_size} keeps SP misaligned (must be a multiple of 16)")
    lo, hi = -total_size, K_FRAME_RECORD
    for sl in slots:
        if sl.size <= 0:
            raise FrameLayoutError(f"slot {sl.name} has size {sl.size}")
        if sl.offset < lo or sl.end > hi:
            raise FrameLayoutError(
                f"slot {sl.name} [X29{sl.offset:+d}, X29{sl.end:+d}) is outside the frame "
                f"[X29{lo:+d}, X29+{hi})"
            )
    ordered = sorted(slots, key=lambda x: (x.offset, x.end))
    for a, b in zip(ordered, ordered[1:]):
        if a.overlaps(b):
            what = "outgoing argument area" if "arg_buffer" in (a.kind, b.kind) else "slots"
            raise FrameLayoutError(
                f"{what} overlap: {a.name} [X29{a.offset:+d}, X29{a.end:+d}) and "
                f"{b.name} [X29{b.offset:+d}, X29{b.end:+d})"
            )
    pos = lo
    for sl in ordered:
        if sl.offset != pos:
            raise FrameLayoutError(f"bytes [X29{pos:+d}, X29{sl.offset:+d}) belong to no slot")
        pos = sl.end
    if pos != hi:
        raise FrameLayoutError(f"bytes [X29{pos:+d}, X29+{hi}) belong to no slot")
    args = [sl for sl in slots if sl.kind == "arg_buffer"]
    if len(args) > 1:
        raise FrameLayoutError("more than one outgoing argument area")
    if args:
        if args[0].offset != lo:
            raise FrameLayoutError(
                f"outgoing argument area starts at X29{args[0].offset:+d}, not at SP (X29{lo:+d})"
            )
        if arg_buffer_size is not None and args[0].size != arg_buffer_size:
            raise FrameLayoutError("outgoing argument area size disagrees with max_arg_buffer_size")
    elif arg_buffer_size:
        raise FrameLayoutError("max_arg_buffer_size > 0 but no outgoing argument area")
