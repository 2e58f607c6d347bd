"""Generators, coroutines: what armjit needs to install its own code for them,
learned from CinderX's code and data in this process, and checked.

How a CinderX JIT generator runs (CinderX 2026.11.2.0 source, ``cinderx/``;
this build has no ``ENABLE_LIGHTWEIGHT_FRAMES``: setup.py:472 sets it only for
Meta's 3.12):

* Calling the function runs its vectorcall entry; the LIR calls
  ``rt::allocateGenAndInterpreterFrame(tstate, func, code_rt, fp)``
  (Jit/lir/generator.cpp:6157-6187, Jit/jit_rt.cpp:782-860), which allocates
  the generator with its spill area and ``GenDataFooter``
  (Jit/gen_data_footer.h:34-59) in its tail, copies the spills made so far,
  and sets ``footer->resumeEntry = code_rt->genResumeEntry()``,
  ``footer->yieldPoint = NULL``, ``footer->gen``, ``footer->compiled_func``
  (a new reference to CinderX's CompiledFunction); it returns the
  (interpreter frame, footer) pair in x0/x1, and the LIR moves x1 to X29.
* Each yield stores a ``GenYieldPoint*`` to ``footer->yieldPoint``
  (``emitStoreGenYieldPoint``, Jit/codegen/autogen.cpp:572-621).  A
  GenYieldPoint (Jit/code_runtime.h:27-47) is ``{resume_target_,
  deopt_idx_, yield_from_offset_}``, owned by the CodeRuntime (a deque),
  ``resume_target_`` set once after assembly (gen_asm.cpp:1663-1678).
* ``send_core`` (Jit/generators_rt.cpp:281-330) resumes a generator by calling
  ``footer->resumeEntry(gen, arg, 0, tstate)``; the resume entry
  (``PopulateResumeEntryBlock``, generator.cpp:585-665) switches X29 to the
  footer and branches to ``footer->yieldPoint->resume_target_``.
* The runtime reads a suspended generator's yield point for its deopt index
  (GC traversal, deopt on throw/close/instrumentation, never-resumed
  clearing: generators_rt.cpp:81-100, 196-222, 970-1005) and its
  yield-from offset (Jit/context.cpp:88-96); its ``resumeTarget()`` only with
  lightweight frames (Jit/frame.cpp:183-192, not this build).

So armjit's code never shares a resume path with asmjit's: armjit keeps its
*own* GenYieldPoints (copies of CinderX's deopt index and yield-from offset,
with ``resume_target_`` pointing into armjit's code) in its code memory, and
overwrites ``footer->resumeEntry`` with armjit's resume entry right after
``allocateGenAndInterpreterFrame`` returns.  A generator created by CinderX's
code keeps resuming in CinderX's code (its CompiledFunction holds it alive);
one created by armjit's code resumes only in armjit's, which is kept while the
code object lives (a suspended generator holds its code object).

The offsets, from the source and the aarch64 wheel's
``allocateGenAndInterpreterFrame`` (``ldp x1, x3, [x25, #208]`` with x25 =
code_rt; ``stp x3, x19, [x20, #32]`` with x20 = footer), are checked on every
install (:func:`check_generator`): the words of ``allocateGenAndInterpreterFrame``
in memory, ``code_rt->compiled_function_`` is the function's CompiledFunction,
``code_rt->gen_resume_entry_`` is CinderX's resume entry of this very code
(found by its words), and every GenYieldPoint CinderX's code stores has the
deopt index and yield-from offset the LIR's yield has, and a resume target in
CinderX's code of the function.  Anything else refuses the install.
"""

from __future__ import annotations

import struct
from typing import Callable, Dict, List, Optional, Tuple

# GenDataFooter (Jit/gen_data_footer.h:34-59)
FOOTER_YIELD_POINT = 0x18
FOOTER_RESUME_ENTRY = 0x20
# CodeRuntime (Jit/code_runtime.h:146-186), as allocateGenAndInterpreterFrame reads it
CODE_RT_COMPILED_FUNCTION = 0xD0
CODE_RT_GEN_RESUME_ENTRY = 0xD8
# GenYieldPoint (Jit/code_runtime.h:27-47)
GYP_SIZE = 24
INVALID_YIELD_FROM_OFFSET = (1 << 63) - 1      # kInvalidYieldFromOffset, code_runtime.h:23

ALLOC_SYMBOL = ("_ZN7cinderx3jit2rt30allocateGenAndInterpreterFrameEP3_tsP16"
                "PyFunctionObjectPNS0_11CodeRuntimeEm")
# Two words of allocateGenAndInterpreterFrame (aarch64 wheel 2026.11.2.0) that
# pin the offsets above: ldp x1, x3, [x25, #208] (code_rt->compiled_function_,
# code_rt->gen_resume_entry_); stp x3, x19, [x20, #32] (footer->resumeEntry,
# footer->gen).
ALLOC_WORDS = (0xA94D0F21, 0xA9024E83)
ALLOC_SCAN_BYTES = 0x300

_STR_X13_YP = 0xF9000FAD          # str x13, [x29, #0x18]
# PopulateResumeEntryBlock after ``ldr x9, [x0, #gi_off]`` (generator.cpp:585-665)
_RESUME_TAIL = struct.pack("<10I",
                           0xF94003A8,    # ldr x8, [x29]
                           0xF9000128,    # str x8, [x9]
                           0xF94007A8,    # ldr x8, [x29, #8]
                           0xF9000528,    # str x8, [x9, #8]
                           0xF900093D,    # str x29, [x9, #0x10]
                           0xAA0903FD,    # mov x29, x9
                           0xF9400FA8,    # ldr x8, [x29, #0x18]
                           0xF9000FBF,    # str xzr, [x29, #0x18]
                           0xF9400110,    # ldr x16, [x8]
                           0xD61F0200)    # br x16
_ENTRY_HEAD = struct.pack("<2I", 0xA9BF7BFD, 0x910003FD)   # stp x29,x30,[sp,#-16]!; mov x29,sp


class GenFactsError(Exception):
    """A generator fact could not be learned or did not check (one line)."""


def _words(binary: bytes):
    return [w for (w,) in struct.iter_unpack("<I", binary[:len(binary) & ~3])]


def cinderx_yield_points(binary: bytes) -> List[int]:
    """The GenYieldPoint*s CinderX's code ``binary`` stores to footer->yieldPoint:
    each ``mov x13, #gyp`` (1-4 words) before ``str x13, [x29, #0x18]``, in code order."""
    from .process import _constant_word, decode_constant_sequence
    words = _words(binary)
    out = []
    for i, w in enumerate(words):
        if w != _STR_X13_YP:
            continue
        j = i - 1                     # back over the movk x13s to the sequence's head
        while j > 0 and i - j < 4:
            d = _constant_word(words[j])
            if d is None or d[0] != "movk" or d[2] != 13:
                break
            j -= 1
        v = decode_constant_sequence(words[j:i]) if j >= 0 else None
        if v is None:
            raise GenFactsError(f"CinderX's code stores x13 to footer->yieldPoint at +{4 * i:#x} "
                                "without a mov x13, #GenYieldPoint* before it")
        out.append(v)
    return out


def cinderx_resume_entry(binary: bytes) -> Tuple[int, int]:
    """(offset of CinderX's resume entry in ``binary``, gi_jit_data_offset):
    the one ``ldr x9, [x0, #off]`` followed by PopulateResumeEntryBlock's tail,
    and the ``stp x29, x30`` / ``mov x29, sp`` that starts the block before it
    (Prologue, SetupFrame: at most 16 words)."""
    found = []
    k = binary.find(_RESUME_TAIL)
    while k >= 0:
        if k % 4 == 0 and k >= 4:
            (w,) = struct.unpack_from("<I", binary, k - 4)
            if w & 0xFFC003FF == 0xF9400009:          # ldr x9, [x0, #imm12*8]
                found.append((k - 4, ((w >> 10) & 0xFFF) * 8))
        k = binary.find(_RESUME_TAIL, k + 1)
    if len(found) != 1:
        raise GenFactsError(f"CinderX's code holds {len(found)} generator resume entries, "
                            "expected one")
    at, gi = found[0]
    for back in range(8, 4 * 18, 4):
        if at - back >= 0 and binary[at - back:at - back + 8] == _ENTRY_HEAD:
            return at - back, gi
    raise GenFactsError("CinderX's generator resume entry does not start with its prologue")


def lir_generator_facts(fn, alloc_helper: int) -> Tuple[int, List[Tuple[int, int]]]:
    """From the post-alloc LIR of a generator: the CodeRuntime* passed to the
    one ``Call allocateGenAndInterpreterFrame`` (x2, a Move of an immediate in
    the same block, followed by ``X29 = Move X1``), and per yield, in LIR
    order, (deopt index, yield-from offset) as emitStoreGenYieldPoint computes
    them (autogen.cpp:583-599)."""
    from armjit.lir.model import Imm, Reg, Stack
    code_rt = None
    calls = 0
    yields = []
    for b in fn.blocks:
        ins_list = b.instructions
        for k, ins in enumerate(ins_list):
            op = ins.opcode
            if op == "Call" and ins.inputs and isinstance(ins.inputs[0], Imm) \
                    and ins.inputs[0].value == alloc_helper:
                calls += 1
                if not _footer_reaches_x29(ins_list[k + 1:]):
                    raise GenFactsError("allocateGenAndInterpreterFrame's footer (x1) is not "
                                        "moved to X29 in its block")
                for prev in reversed(ins_list[:k]):
                    out = prev.output
                    if isinstance(out, Reg) and out.num == 2:
                        if prev.opcode == "Move" and len(prev.inputs) == 1 \
                                and isinstance(prev.inputs[0], Imm):
                            code_rt = prev.inputs[0].value
                        break
            elif op in ("StoreGenYieldPoint", "StoreGenYieldFromPoint"):
                if len(ins.inputs) < 2 or not isinstance(ins.inputs[-1], Imm):
                    raise GenFactsError(f"{op} without its deopt index")
                idx = ins.inputs[-1].value
                if op == "StoreGenYieldFromPoint":
                    it = ins.inputs[0]
                    if not isinstance(it, Stack) or it.offset % 8:
                        raise GenFactsError(f"{op}: the sub-iterator is not in a stack slot")
                    yfo = int(it.offset / 8)           # C++ division, exact here
                else:
                    yfo = INVALID_YIELD_FROM_OFFSET
                yields.append((idx, yfo))
    if calls != 1 or code_rt is None:
        raise GenFactsError(f"the LIR calls allocateGenAndInterpreterFrame {calls} times "
                            "(expected once, with x2 = an immediate CodeRuntime*)")
    if len({i for i, _ in yields}) != len(yields):
        raise GenFactsError("two yields of the LIR share a deopt index")
    return code_rt, yields


def _footer_reaches_x29(rest) -> bool:
    """After the call, the footer (x1) reaches X29 through register moves in
    the same block (``X29 = Move X1``, or ``X20 = Move X0; X0 = Move X1;
    X29 = Move X0`` as the allocator may order them), nothing else writing
    the registers that hold it."""
    from armjit.lir.model import Reg
    holders = {1}
    for ins in rest:
        out = ins.output
        src = ins.inputs[0] if len(ins.inputs) == 1 else None
        is_move = ins.opcode == "Move" and isinstance(out, Reg) and isinstance(src, Reg)
        if is_move and src.num in holders:
            if out.num == 29:
                return True
            holders.add(out.num)
            continue
        if ins.opcode in ("Call", "Branch", "BranchCC") or ins.opcode.startswith("Branch") \
                or ins.opcode.startswith("Cond"):
            return False
        if isinstance(out, Reg):
            if out.num == 29:
                return False
            holders.discard(out.num)
        if not holders:
            return False
    return False


def _u64(peek, addr: int) -> int:
    return int.from_bytes(peek(addr, 8), "little")


def check_generator(fn, binary: bytes, base: int, alloc_helper: int, compiled_function: int,
                    peek: Callable[[int, int], bytes], stage2_code_rt: Optional[int]) -> Dict:
    """The facts armjit's lowering needs for a generator, every one checked
    (see the module docstring); raises GenFactsError to refuse.

    ``binary``/``base``: CinderX's code of the function; ``alloc_helper``: the
    address of rt::allocateGenAndInterpreterFrame; ``compiled_function``:
    id() of CinderX's CompiledFunction of it; ``peek(addr, n)``: n bytes of
    this process's memory; ``stage2_code_rt``: the CodeRuntime* of CinderX's
    stage-2 deopt block (None when it has none)."""
    alloc = peek(alloc_helper, ALLOC_SCAN_BYTES)
    words = set(_words(alloc))
    if not all(w in words for w in ALLOC_WORDS):
        raise GenFactsError("allocateGenAndInterpreterFrame is not the code armjit knows "
                            "(GenDataFooter / CodeRuntime offsets unverified)")
    code_rt, yields = lir_generator_facts(fn, alloc_helper)
    if stage2_code_rt is not None and stage2_code_rt != code_rt:
        raise GenFactsError(f"the LIR's CodeRuntime {code_rt:#x} is not the deopt exit's "
                            f"{stage2_code_rt:#x}")
    end = base + len(binary)
    if _u64(peek, code_rt + CODE_RT_COMPILED_FUNCTION) != compiled_function:
        raise GenFactsError("code_rt->compiled_function_ is not the function's CompiledFunction")
    entry_off, gi_off = cinderx_resume_entry(binary)
    if _u64(peek, code_rt + CODE_RT_GEN_RESUME_ENTRY) != base + entry_off:
        raise GenFactsError("code_rt->gen_resume_entry_ is not CinderX's resume entry of "
                            "this code")
    pts = cinderx_yield_points(binary)
    if len(pts) != len(yields):
        raise GenFactsError(f"CinderX's code stores {len(pts)} yield points, the LIR has "
                            f"{len(yields)} yields")
    by_idx = {}
    for p in pts:
        target, idx, yfo = struct.unpack("<QQq", peek(p, GYP_SIZE))
        if not base <= target < end or target % 4:
            raise GenFactsError(f"GenYieldPoint {p:#x}: resume target {target:#x} is not in "
                                "CinderX's code of the function")
        if idx in by_idx:
            raise GenFactsError(f"two GenYieldPoints with deopt index {idx}")
        by_idx[idx] = (p, yfo)
    gyps, records = [], []
    for idx, yfo in yields:
        got = by_idx.get(idx)
        if got is None or got[1] != yfo:
            raise GenFactsError(f"no GenYieldPoint of CinderX's code has deopt index {idx} "
                                f"and yield-from offset {yfo}")
        gyps.append(got[0])
        records.append((idx, yfo))
    return {"code_rt_gen": code_rt, "gen_yield_points": gyps,
            "gen_yield_point_offset": FOOTER_YIELD_POINT, "gi_jit_data_offset": gi_off,
            "gen_yield_records": records, "gen_alloc_helper": alloc_helper,
            "gen_resume_entry_offset": FOOTER_RESUME_ENTRY}
