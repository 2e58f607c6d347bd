"""CinderX's aarch64 ABI: the facts armjit's code must agree on with CinderX's
runtime and C helpers, in one place (CinderX 2026.11.2.0; sources cited per
name, paths under ``cinderx/``).

Code layout of one compiled function (``NativeGenerator::generateCode``,
Jit/codegen/gen_asm.cpp:1405-1711)::

    entry-28  [static entry, CI_CO_STATICALLY_COMPILED only; armjit refuses these]
    entry-12  re-entry:  stp x29,x30,[sp,#-16]!; mov x29,sp; b correct_arg_count
              (rt::callWithKeywordArgs / callWithIncorrectArgcount jump here
              with the arguments already bound)
    entry     vectorcall entry (func->vectorcall): stp x29,x30,[sp,#-16]!; mov x29,sp
              keyword dispatch / argcount check, correct_arg_count: X10 = args,
              X1..X7 = args[0..6], then the LIR body, deopt exits, stubs,
              constant pool

Frame of a non-generator function, from high to low addresses
(computeFrameInfo, gen_asm.cpp:1138-1181; translateSetupFrame,
autogen.cpp:1174-1239; :class:`armjit.codegen.frame.FrameLayout` computes it)::

    [x29+16 ..]   caller's stack arguments (X10 = &args[7] after the entry)
    [x29+8]       saved LR  \\ frame record (kFrameRecordSize = 16, arch.h:102),
    [x29+0]       saved FP  /  stp x29, x30, [sp, #-16]!            <- X29
    [x29-R, x29)  reserved: FrameHeader {tstate, frame_status} + the
                  _PyInterpreterFrame (frameHeaderSize) + 8 + inlined frames
    [.. x29-R)    spill slots, 8 bytes each, growing down
    [..]          callee-saved registers (CALLEE_SAVED_GP/FP that the body
                  writes): an odd GP register alone in 16 bytes, then pairs
    [sp+arg ..]   ReserveStack area
    [sp+0 ..]     outgoing call arguments (max_arg_buffer_size)   <- SP

Generators re-point X29 at the heap GenDataFooter after the prologue
(generator.cpp:6163-6187): their spills are not on the native stack.

Registers are numbers here (0-30 = X0-X30, 31 = XZR / SP by context; FP
registers D0-D31 by their own numbers), as in :mod:`armjit.emit`'s ``X[n]``
and ``D[n]``.
"""

from __future__ import annotations

__all__ = [
    "REENTRY_OFFSET", "STATIC_ENTRY_OFFSET",
    "CO_OPTIMIZED", "CO_VARARGS", "CO_VARKEYWORDS", "CO_GENERATOR", "CO_COROUTINE",
    "CO_ITERABLE_COROUTINE", "CO_ASYNC_GENERATOR", "CO_FLAGS_ANY_GENERATOR",
    "CI_CO_STATICALLY_COMPILED", "PY_VECTORCALL_ARGUMENTS_OFFSET",
    "SCRATCH_0", "SCRATCH_1", "SCRATCH_BR", "SCRATCH_DEOPT", "SCRATCH_GP", "SCRATCH_FP",
    "NEVER_ALLOCATED_GP", "NEVER_ALLOCATED_FP", "CALLEE_SAVED_GP", "CALLEE_SAVED_FP",
    "ARGUMENT_REGS", "EXTRA_ARGS_REG", "FRAME_POINTER", "LINK_REGISTER",
]

# ---------------------------------------------------------------- entry points

#: JITRT_CALL_REENTRY_OFFSET for aarch64 (Jit/compiled_function.h:42): the
#: re-entry is the 12 bytes stp/mov/b right before the vectorcall entry.
REENTRY_OFFSET = -12
#: JITRT_STATIC_ENTRY_OFFSET for aarch64 (Jit/compiled_function.h:63).
STATIC_ENTRY_OFFSET = -28

# ---------------------------------------------------------------- code flags

# CPython's co_flags (Include/cpython/code.h, 3.14)
CO_OPTIMIZED = 0x1              # absent on module and class bodies
CO_VARARGS = 0x4
CO_VARKEYWORDS = 0x8
CO_GENERATOR = 0x20
CO_COROUTINE = 0x80
CO_ITERABLE_COROUTINE = 0x100   # set by types.coroutine, only on CO_GENERATOR code
CO_ASYNC_GENERATOR = 0x200
#: kCoFlagsAnyGenerator (Common/util.h:216-217): the function's frame lives in
#: a heap generator object (gen_asm.h:92).  Equal in effect to
#: CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR (0x2A0), since
#: CO_ITERABLE_COROUTINE never comes without CO_GENERATOR.
CO_FLAGS_ANY_GENERATOR = CO_ASYNC_GENERATOR | CO_COROUTINE | CO_GENERATOR | CO_ITERABLE_COROUTINE
#: Static Python code (Common/extra-py-flags.h:13, 3.14+): has the static entry.
CI_CO_STATICALLY_COMPILED = 0x4000
#: The nargsf bit that lets a callee use args[-1] (Include/cpython/abstract.h).
PY_VECTORCALL_ARGUMENTS_OFFSET = 1 << 63

# ---------------------------------------------------------------- registers

#: reg_scratch_0 / reg_scratch_1 / reg_scratch_br (Jit/codegen/arch.h:77-79):
#: addresses and immediates; store immediates and stack-to-stack copies;
#: indirect branch targets, veneers and the deopt trampoline's jump.
SCRATCH_0, SCRATCH_1, SCRATCH_BR = 13, 14, 16
#: reg_scratch_deopt (arch.h:74): allocatable, but saved by deopt stage 2.
SCRATCH_DEOPT = 28
#: GP scratch registers translators may clobber (never allocated).
SCRATCH_GP = (SCRATCH_0, SCRATCH_1, SCRATCH_BR)
#: reg_fp_scratch_0/1 (arch.h:85-86).
SCRATCH_FP = (16, 17)
#: DISALLOWED_REGISTERS (Jit/codegen/arch/aarch64.h:177-179), GP part: X29
#: (FP), X30 (LR), XZR (31) and the scratch registers.  X12, X15, X17, X18 are
#: allocatable.
NEVER_ALLOCATED_GP = (SCRATCH_0, SCRATCH_1, SCRATCH_BR, 29, 30, 31)
#: DISALLOWED_REGISTERS, FP part.
NEVER_ALLOCATED_FP = SCRATCH_FP
#: CALLEE_SAVE_REGS (aarch64.h:183-185), in PhyRegisterSet order.
CALLEE_SAVED_GP = tuple(range(19, 29))
CALLEE_SAVED_FP = tuple(range(8, 16))
#: ARGUMENT_REGS (aarch64.h:189).
ARGUMENT_REGS = tuple(range(8))
#: INITIAL_EXTRA_ARGS_REG (aarch64.h:202): the vectorcall args array, X10.
EXTRA_ARGS_REG = 10
FRAME_POINTER, LINK_REGISTER = 29, 30
