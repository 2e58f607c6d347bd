"""Whole-function assembly: a CinderX post-alloc LIR dump -> the A64 code
CinderX's runtime expects (``NativeGenerator::generateCode``,
Jit/codegen/gen_asm.cpp:1405-1711), assembled at its final address.

Layout (gen_asm.cpp:1423-1436; entry offsets and the frame in armjit/codegen/abi.py,
frame.py, layout.py)::

    +0   re-entry (entry-12): stp x29,x30,[sp,#-16]!; mov x29,sp; b correct_arg_count
    +12  vectorcall entry:    stp x29,x30,[sp,#-16]!; mov x29,sp
         keyword dispatch / argcount check   (GenerateArgcountCheckBlocks,
                                              Jit/lir/generator.cpp:1042-1209)
         correct_arg_count: mov x10,x1; ldp/ldr x1..x7 (PopulateEntryBlock, l.667-766)
         LIR body blocks in LIR order (SetupFrame ... EpilogueEnd)
         stage-1 deopt exits: mov x13,#idx; bl stage2  (GenerateDeoptExitBlocks,
         stage 2: 8 slots [x28][fp][epilogue][code_rt][pad][pad][lr][idx]; b trampoline
                                              generator.cpp:6895-7101)
         prologue exit: mov sp,x29; ldp x29,x30,[sp],#16; ret
         constant pool (MovConstPool), then far-call veneers (ldr x16,#8; br x16; .quad)

Process facts that the LIR does not carry (helper addresses, the CodeRuntime*,
GenYieldPoint*) are read from the dump's asmjit listing by
:func:`process_facts`.
Generators (heapq.merge in the dev corpus) get the resume entry after the
body's exit (:func:`_resume_entry`); ``labels["gen_resume_entry"]`` and
``yield_points`` say where the runtime's CodeRuntime / GenYieldPoints must
point.  Static-entry (CI_CO_STATICALLY_COMPILED) functions, primitive-argument
and boxed-return prologues are not implemented: they raise LoweringError (no
dev-corpus function needs them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from armjit.cinderxlog import listing_facts
from armjit.emit import SP, W, X, XZR, Assembler, mem, post, pre
from armjit.emit.errors import EncodingError, LabelError
from armjit.errors import DumpError
from armjit.lir import parse, verify
from armjit.lir.model import Function, Instruction

from . import abi
from .frame import FrameLayoutError
from .framecheck import check_frame_accesses
from .layout import entry_plan, frame_layout, is_generator, num_args
from .lower import RULES, Ctx, LoweringError, lower_instruction
from .meta import ADDRESS_LIMIT, check_address, check_facts, check_meta, facts_of_dump, load_dump

__all__ = ["CompiledFunction", "compile_dump", "compile_function", "InstrRange"]

X10, X13, X16 = X[abi.EXTRA_ARGS_REG], X[abi.SCRATCH_0], X[abi.SCRATCH_BR]
X28, X29, X30 = X[abi.SCRATCH_DEOPT], X[abi.FRAME_POINTER], X[abi.LINK_REGISTER]


@dataclass
class InstrRange:
    """Where one LIR instruction's expansion landed: [start, end) code offsets."""
    block: int
    index: int
    ins: Instruction
    start: int
    end: int


@dataclass
class CompiledFunction:
    code: bytes
    address: int
    entries: Dict[str, int]                 # name -> code offset
    annotations: list                       # armjit.emit Annotation(start, end, text)
    patchpoints: List[Tuple[int, int, int]] = field(default_factory=list)  # (patcher, offset, deopt idx)
    deopt_exits: Dict[int, int] = field(default_factory=dict)              # idx -> offset
    lower_ns: int = 0
    name: str = ""
    final: object = None
    # landmark -> code offset: "reentry", "vectorcall", "hard_exit", "stage2",
    # "prologue_exit", ("deopt", idx), ("deopt_ret", idx) (armjit.verify.landmarks)
    labels: Dict[object, int] = field(default_factory=dict)
    # generators: (GenYieldPoint*, resume offset) per yield, in LIR order
    yield_points: List[Tuple[int, int]] = field(default_factory=list)
    # (block, index, ins, start position, end position) per LIR instruction;
    # ``ranges`` turns them into InstrRanges when first asked for
    _raw_ranges: list = field(default_factory=list, repr=False)
    _ranges: Optional[List[InstrRange]] = field(default=None, repr=False)

    @property
    def ranges(self) -> List[InstrRange]:
        """Where each LIR instruction's expansion landed (built on first use:
        the live path does not need it)."""
        if self._ranges is None:
            at = self.final.offset_at
            self._ranges = [InstrRange(bid, k, ins, at(s), at(e))
                            for bid, k, ins, s, e in self._raw_ranges]
        return self._ranges

    @property
    def vectorcall_entry(self) -> int:
        return self.address + self.entries["vectorcall"]


# ------------------------------------------------------------------ assembly

def _resume_entry(cx: Ctx, gi_off: int):
    """The generator resume entry (PopulateResumeEntryBlock, generator.cpp:585-665;
    placed after the body's exit, gen_asm.cpp:1480-1492): Prologue, SetupFrame
    with the function's own frame numbers, then copy the native frame record
    into the heap GenDataFooter (``jit_data = gen->gi_jit_data``: linkAddress
    +0, returnAddress +8, originalFramePointer +0x10), switch X29 to the footer,
    take and clear footer->yieldPoint (+0x18) and jump to its resumeTarget
    (GenYieldPoint::resumeTargetOffset() == 0).  X0 = the generator, X1 = the
    sent value, X2 = finish_yield_from, X3 = tstate are left for the resume
    point.  (The ENABLE_LIGHTWEIGHT_FRAMES tstate store is not in this build:
    no corpus resume entry has it.)"""
    a = cx.a
    lab = a.new_label("gen_resume_entry")
    a.bind(lab)
    cx.ins = None
    with a.annotate("Set up frame pointer"):
        a.stp(X29, X30, pre(SP, -16))
        a.mov(X29, SP)
    RULES["SetupFrame"](cx, None)
    X8, X9 = X[8], X[9]
    with a.annotate("Generator resume entry"):
        a.ldr(X9, mem(X[0], gi_off))
        a.ldr(X8, mem(X29, 0))
        a.str(X8, mem(X9, 0))
        a.ldr(X8, mem(X29, 8))
        a.str(X8, mem(X9, 8))
        a.str(X29, mem(X9, 0x10))
        a.mov(X29, X9)
        a.ldr(X8, mem(X29, 0x18))
        a.str(XZR, mem(X29, 0x18))
        a.ldr(X16, mem(X8, 0))
        a.br(X16)
    return lab


def compile_function(fn: Function, meta: dict, facts: dict, address: int) -> CompiledFunction:
    t0 = time.perf_counter_ns()
    check_meta(meta)                    # types and ranges first (armjit.codegen.meta)
    check_facts(facts)
    check_address(address)
    flags = meta["flags"]
    if flags & abi.CI_CO_STATICALLY_COMPILED:
        raise LoweringError("static-entry functions (entry-28, typed args) are not implemented")
    gen = is_generator(meta)
    frame = frame_layout(fn, meta)
    frame.check()                       # slots: no overlap, aligned, args at [SP+0..]
    if not gen and meta.get("stack_size") is not None and frame.total_size != meta["stack_size"]:
        # The layout is derived from the LIR (spills, argument area, saves); it
        # must be the frame CinderX itself computed for the function.
        raise FrameLayoutError(
            f"the LIR implies a {frame.total_size}-byte frame but CinderX's is "
            f"{meta['stack_size']} bytes (get_compiled_stack_size): refusing")
    if not gen:
        # Every X29/SP access of the body lands in a slot meant for it.  (In a
        # generator X29 addresses the heap GenDataFooter after the prologue,
        # generator.cpp:6163-6187, which the native FrameLayout does not describe.)
        check_frame_accesses(fn, frame)
    a = Assembler(base=address, veneer_scratch=X16)
    cx = Ctx(a, frame, facts, is_generator=gen)
    plan = entry_plan(meta)
    correct = a.new_label("correct_arg_count")
    prologue_exit = a.new_label("prologue_exit")
    entries = {}

    # -- re-entry (entry-12) and the vectorcall entry (gen_asm.cpp:1447-1480)
    with a.annotate("Reentry with processed args"):
        entries["reentry"] = a.offset
        a.stp(X29, X30, pre(SP, -16))
        a.mov(X29, SP)
        a.b(correct)
    entries["vectorcall"] = a.offset
    with a.annotate("Set up frame pointer"):
        a.stp(X29, X30, pre(SP, -16))
        a.mov(X29, SP)
    stack_check = facts.get("stack_check")
    if stack_check is not None:
        overflow, checked = a.new_label("stack_overflow"), a.new_label("stack_checked")
        # armjit's own addition (CinderX's code has no C-stack check: deep
        # recursion of JIT code overflows the C stack where the interpreter
        # raises RecursionError): CPython's _Py_ReachedRecursionLimit, on
        # the thread state at its fixed TLS offset.  X16 is free here (IP0).
        with a.annotate("Stack limit check"):
            a.mrs(X16, "tpidr_el0")
            a.ldr(X16, mem(X16, stack_check["tstate_tls"]))
            a.ldr(X16, mem(X16, stack_check["soft_limit"]))
            a.cmp(SP, X16)
            a.b_lo(overflow)
        a.bind(checked)
    # -- GenerateArgcountCheckBlocks (generator.cpp:1042-1209)
    n = num_args(meta)
    if plan.checks_argcount:
        argcheck = a.new_label("argcount_check")
        with a.annotate("Keyword argument dispatch"):
            a.tst(X[3], X[3])
            a.b_eq(argcheck)
            a.bl(_need(facts, "kw_helper"))
            a.b(prologue_exit)
        a.bind(argcheck)
        with a.annotate("Check if called with correct argcount"):
            a.cmp(W[2], n, scratch=W[13])
            a.b_eq(correct)
            a.bl(_need(facts, "argcount_helper"))
            a.b(prologue_exit)
    else:
        with a.annotate("Keyword argument dispatch (varargs/kwonly)"):
            a.bl(_need(facts, "kw_helper"))
            a.b(prologue_exit)
    # -- PopulateEntryBlock (generator.cpp:667-766)
    a.bind(correct)
    with a.annotate("Load vectorcall arguments"):
        a.mov(X10, X[1])
        regs = min(n, 7)
        i = 0
        while i < regs:
            if i + 1 < regs:
                a.ldp(X[i + 1], X[i + 2], mem(X10, 8 * i))
                i += 2
            else:
                a.ldr(X[i + 1], mem(X10, 8 * i))
                i += 1
        if n > 7:
            a.add(X10, X10, 56)
    # -- the LIR body
    ranges = []
    last_origin, last_title = None, None      # instructions of one HIR share its Origin
    position = a.position
    annotate_span = a.annotate_span
    lower = lower_instruction
    for b in fn.blocks:
        bid = b.id
        a.bind(cx.block_label(bid))
        cx.block = bid
        # annotation runs: (title, start position); positions, not offsets,
        # so that the assembler need not search its variable items
        title, start = None, None
        e = position()
        for k, ins in enumerate(b.instructions):
            s = e
            o = ins.origin
            if o is None:
                t = None
            elif o is last_origin:
                t = last_title
            else:
                t = last_title = o.hir
                last_origin = o
            if t is not None and t != title:
                if title is not None and s[0] > start[0]:
                    annotate_span(start, s, title)
                title, start = t, s
            elif title is None:
                title, start = "--unassigned--", s
            lower(cx, ins, bid)
            e = position()
            ranges.append((bid, k, ins, s, e))
        if title is not None and e[0] > start[0]:
            annotate_span(start, e, title)
    if not a.is_bound(cx.hard_exit_label):
        raise LoweringError("the function has no EpilogueEnd")
    resume_entry = None
    if gen:
        if cx._pending_resume is not None:
            raise LoweringError("StoreGenYieldPoint without its ResumeGenYield")
        resume_entry = _resume_entry(cx, _need(facts, "gi_jit_data_offset"))
    # -- deopt exits (GenerateDeoptExitBlocks, generator.cpp:6895-7101)
    deopt = cx.deopt_labels
    deopt_rets = {}
    stage2 = None
    if deopt:
        stage2 = a.new_label("deopt_stage2")
        with a.annotate("Stage 1 deoptimization exits"):
            for idx in sorted(deopt):
                a.bind(deopt[idx])
                cx.mov_imm(X13, idx)
                a.bl(stage2)
                deopt_rets[idx] = a.here()
        with a.annotate("Deoptimization exits"):
            a.bind(stage2)
            a.sub(SP, SP, 64)
            a.stp(X28, X29, mem(SP, 0))
            a.stp(X30, X13, mem(SP, 48))
            a.mov(X30, _need(facts, "code_rt"))
            a.adr(X28, cx.hard_exit_label)
            a.stp(X28, X30, mem(SP, 16))
            a.b(_need(facts, "deopt_trampoline"))
    # -- the prologue exit stub (generateFunctionExit)
    a.bind(prologue_exit)
    with a.annotate("Prologue exit"):
        a.mov(SP, X29)
        a.ldp(X29, X30, post(SP, 16))
        a.ret()
    if stack_check is not None:
        # Below the soft limit: _Py_CheckRecursiveCall(tstate, where) raises
        # RecursionError (0 when it lets the call go on: recursion headroom
        # while handling one, or limits it had to initialise), the arguments
        # kept across it.
        fail = a.new_label("stack_overflow_fail")
        a.bind(overflow)
        with a.annotate("Stack overflow: RecursionError"):
            a.stp(X[0], X[1], pre(SP, -32))
            a.stp(X[2], X[3], mem(SP, 16))
            a.mrs(X[0], "tpidr_el0")
            a.ldr(X[0], mem(X[0], stack_check["tstate_tls"]))
            cx.mov_imm(X[1], stack_check["where"])
            a.bl(stack_check["check"])
            a.cbnz(W[0], fail)
            a.ldp(X[2], X[3], mem(SP, 16))
            a.ldp(X[0], X[1], post(SP, 32))
            a.b(checked)
            a.bind(fail)
            a.mov(X[0], 0)
            a.b(prologue_exit)
    with a.annotate("Constant pool"):
        a.emit_literal_pool()
    final = a.finalize()
    out = CompiledFunction(
        code=final.code, address=address, entries=entries, annotations=final.annotations,
        _raw_ranges=ranges,
        patchpoints=[(p, final.offset_of(lab), idx) for p, lab, idx in cx.patchpoints],
        deopt_exits={idx: final.offset_of(l) for idx, l in deopt.items()},
        name=meta.get("fullname", ""), final=final)
    labels = {"hard_exit": final.offset_of(cx.hard_exit_label),
              "prologue_exit": final.offset_of(prologue_exit)}
    labels.update(entries)
    he = labels["hard_exit"]
    for k in range((final.offset_of(cx.exit_ret_label) - he) // 4 + 1):
        labels[("exit", k)] = he + 4 * k
    if stage2 is not None:
        labels["stage2"] = final.offset_of(stage2)
    if resume_entry is not None:
        # CodeRuntime::setGenResumeEntry / GenYieldPoint::setResumeTarget
        # (gen_asm.cpp:1663-1678): the installer must point these at armjit's code.
        labels["gen_resume_entry"] = final.offset_of(resume_entry)
        for k, lab in enumerate(cx.yield_resume_labels):
            labels[("resume", k)] = final.offset_of(lab)
        out.yield_points = [(p, final.offset_of(lab)) for p, lab in
                            zip(facts["gen_yield_points"], cx.yield_resume_labels)]
    for idx, lab in deopt.items():
        labels[("deopt", idx)] = final.offset_of(lab)
        labels[("deopt_ret", idx)] = final.offset_of(deopt_rets[idx])
    out.labels = labels
    out.lower_ns = time.perf_counter_ns() - t0
    return out


def _need(facts: dict, key: str) -> int:
    v = facts.get(key)
    if v is None:
        raise LoweringError(f"missing process fact {key!r} (helper/runtime address)")
    return v


def process_facts(dirpath) -> dict:
    """Addresses from the asmjit dump that the post-alloc LIR does not state
    (they belong to the process that compiled the function; armjit.cinderxlog
    .listing_facts reads them), checked against asmjit.bin and meta.json
    (armjit.codegen.meta.facts_of_dump):

    * ``kw_helper`` (rt::callWithKeywordArgs[Simple]), ``argcount_helper``
      (rt::callWithIncorrectArgcount), ``tstate_getter``
      (_PyThreadState_GetCurrent): ``bl`` targets of the annotated sections,
      through asmjit's ``ldr x16,#8; br x16; .quad`` stubs;
    * ``code_rt``: the CodeRuntime* of the stage-2 deopt block;
    * ``gen_yield_points`` / ``gen_yield_point_offset``: GenYieldPoint*s stored to
      ``[x29, #off]`` before each yield (generators).
    """
    return facts_of_dump(load_dump(dirpath), listing_facts)


def compile_dump(dirpath, address: Optional[int] = None) -> CompiledFunction:
    """Compile a corpus function directory (postalloc.lir, meta.json,
    asmjit.asm, asmjit.bin) for ``address`` (default: meta.json's
    code_address, where asmjit's code lived).

    Bad input is refused with an :class:`armjit.errors.ArmjitError` -- and
    only with one of these subclasses, each with a one-line message:

    * ``armjit.errors.DumpError`` (``armjit.codegen.meta.MetaError``): a file
      missing or unreadable, meta.json not JSON or outside its schema
      (:data:`armjit.codegen.meta.META_SCHEMA`), asmjit.bin/asmjit.asm that
      disagree with meta.json or each other, process facts out of range,
      ``address`` not a multiple of 4 in [0, 2**48);
    * ``armjit.lir.LIRParseError`` (line, column, text): malformed LIR;
    * ``armjit.lir.LIRVerifyError``: an instruction with the wrong number or
      kinds of operands, a branch to a block that does not exist;
    * ``armjit.codegen.LoweringError``: LIR armjit cannot lower, a process
      fact it needs that the listing lacks, an encoder refusal
      (``EncodingError``/``LabelError``, chained as ``__cause__``);
    * ``armjit.codegen.frame.FrameLayoutError``: a frame that overlaps, is too
      big for CinderX, or differs from meta.json's stack_size.
    """
    dump = load_dump(dirpath)
    addr = dump.meta["code_address"] if address is None else address
    check_address(addr)
    fn = parse(dump.lir)
    verify(fn, "postalloc")            # operand counts/kinds, CFG: before lowering
    facts = facts_of_dump(dump, listing_facts)
    try:
        cf = compile_function(fn, dump.meta, facts, addr)
    except (EncodingError, LabelError) as e:
        raise LoweringError(f"encoding refused: {e}") from e
    if addr + len(cf.code) > ADDRESS_LIMIT:
        raise DumpError(f"{len(cf.code)} bytes of code at {addr:#x} run past the end of "
                        "user space (2**48)")
    return cf
