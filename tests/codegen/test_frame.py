"""FrameLayout and the whole-function layout rules, checked against CinderX's real output.

The oracle is CinderX's own annotated listing (asmjit.asm), its bytes (asmjit.bin)
and meta.json, parsed here independently of armjit.codegen.  Each rule of
docs/codegen-layout.md that the corpus can confirm is a test below, run on all
105 development-corpus functions.
"""

from __future__ import annotations

import json
import re
import struct
from functools import lru_cache
from pathlib import Path

import capstone
import pytest

from armjit.cinderxlog import parse_imm
from armjit.codegen.frame import FrameLayout, FrameLayoutError, Slot, check_slots
from armjit.codegen.function import compile_dump
from armjit.codegen.layout import entry_plan, frame_facts, frame_layout, is_generator, num_args
from armjit.codegen.lower import Ctx, _sub_immediate, lower_instruction
from armjit.corpus.dev import corpus_dir, function_dirs
from armjit.emit import SP, Assembler, X
from armjit.lir import parse, parse_instruction

DIRS = list(function_dirs())
IDS = [f"{d.parent.name}/{d.name}" for d in DIRS]

# --------------------------------------------------------------------------- oracle
_INS = re.compile(r"^\s+0x([0-9a-f]+):\s+(\S+)\s*(.*?)\s*$")


def parse_listing(text: str) -> list[tuple[str, list[tuple[int, str, str]]]]:
    """asmjit.asm -> [(section title, [(address, mnemonic, operands)])]."""
    secs: list = []
    cur = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("JIT:"):
            continue
        m = _INS.match(line)
        if m:
            cur[1].append((int(m.group(1), 16), m.group(2), m.group(3)))
        elif line.rstrip() == "}":
            continue  # end of a multi-line HIR title: the section goes on
        elif not line.startswith(" "):
            cur = (line.strip(), [])
            secs.append(cur)
    return secs


def imm(ops: str) -> int:
    return int(re.search(r"#(-?0x[0-9a-f]+|-?\d+)", ops).group(1), 0)


def text(ins) -> list[str]:
    # Capstone names unscaled loads/stores ldur/stur; CinderX asked for ldr/str.
    out = []
    for _, mn, ops in ins:
        mn = {"stur": "str", "ldur": "ldr"}.get(mn, mn)
        out.append(f"{mn} {ops}".strip())
    return out


class Fn:
    def __init__(self, d: Path):
        self.dir = d
        self.meta = json.loads((d / "meta.json").read_text())
        self.lir = (d / "postalloc.lir").read_text()
        self.fn = parse(self.lir)
        self.secs = parse_listing((d / "asmjit.asm").read_text())
        self.bin = (d / "asmjit.bin").read_bytes()
        self.base = self.meta["code_address"]

    def sec(self, title: str):
        return [ins for t, ins in self.secs if t == title]

    def q(self, addr: int) -> int:
        return struct.unpack_from("<Q", self.bin, addr - self.base)[0]

    def w(self, addr: int) -> int:
        return struct.unpack_from("<I", self.bin, addr - self.base)[0]


@lru_cache(maxsize=None)
def fn(i: int) -> Fn:
    return Fn(DIRS[i])


ALL = pytest.mark.parametrize("i", range(len(DIRS)), ids=IDS)

# --------------------------------------------------------------------------- armjit's code
# What armjit emits for the same function, read back from its code bytes with
# Capstone (the text form of asmjit's listing), to compare section by section.
_cs = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)


def decode(code: bytes, address: int) -> list[str]:
    return text([(i.address, i.mnemonic, i.op_str) for i in _cs.disasm(code, address)])


@lru_cache(maxsize=None)
def compiled(i: int):
    return compile_dump(DIRS[i])


def armjit_sections(cf, title: str) -> list[list[str]]:
    """The instructions of each of armjit's annotations titled ``title``."""
    return [decode(cf.code[a.start:a.end], cf.address + a.start)
            for a in cf.annotations if a.text == title]


def armjit_exit_sequence(cf) -> list[str]:
    """hard_exit .. ret: EpilogueEnd after the return-value move."""
    he = cf.labels["hard_exit"]
    last = max(off for k, off in cf.labels.items() if isinstance(k, tuple) and k[0] == "exit")
    return decode(cf.code[he:last + 4], cf.address + he)


def lowered_setup_frame(lay: FrameLayout) -> list[str]:
    """armjit's SetupFrame for the frame ``lay``."""
    cx = Ctx(Assembler(base=0x10000), lay, {})
    lower_instruction(cx, parse_instruction("                   SetupFrame"))
    cx.a.bind(cx.hard_exit_label)
    return decode(cx.a.finalize().code, 0x10000)


def test_corpus_size():
    assert len(DIRS) == 105


# --------------------------------------------------------------------------- frame
@ALL
def test_frame_matches_setup_frame(i):
    f = fn(i)
    lay = frame_layout(f.fn, f.meta)
    lay.check()
    alloc = f.sec("Allocate stack frame")[0]
    saves = f.sec("Save callee-saved registers")[0]
    # sub sp, sp, #N  ==  stack_size  ==  FrameLayout.total_size
    assert text(alloc) == [f"sub sp, sp, #{f.meta['stack_size']:#x}"]
    assert lay.total_size == f.meta["stack_size"] == imm(alloc[0][2])
    # sub x13, x29, #M
    assert saves[0][1] == "sub" and saves[0][2].startswith("x13, x29, #")
    assert lay.callee_save_base == imm(saves[0][2])
    # callee-saved stores: registers, str/stp and offsets
    got = [(op.op, tuple(r.lower() for r in op.regs), op.x13_offset) for op in lay.save_ops]
    exp = []
    for _, mn, ops in saves[1:]:
        m = re.fullmatch(r"(.*), \[x13, #(-0x[0-9a-f]+)\]", ops)
        regs = tuple(r.strip() for r in m.group(1).split(","))
        exp.append(({"stur": "str", "str": "str", "stp": "stp"}[mn], regs, int(m.group(2), 16)))
    assert got == exp
    cf = compiled(i)
    assert [text(alloc), text(saves)] == [armjit_sections(cf, "Allocate stack frame")[0],
                                          armjit_sections(cf, "Save callee-saved registers")[0]]


@ALL
def test_frame_matches_epilogue(i):
    f = fn(i)
    eps = f.sec("Epilogue")
    if not eps:  # the generator exits through a LIR-restored FP; checked below
        assert is_generator(f.meta)
        return
    seq = text(eps[0])
    tail = armjit_exit_sequence(compiled(i))
    assert seq[-len(tail):] == tail
    # what precedes is the return-value move into x0, if any
    assert all(re.fullmatch(r"mov x0, x\d+", s) for s in seq[: -len(tail)])


def test_generator_restores_via_footer():
    (i,) = [k for k in range(len(DIRS)) if is_generator(fn(k).meta)]
    f = fn(i)
    allins = [x for _, ins in f.secs for x in ins]
    cf = compiled(i)
    tail = armjit_exit_sequence(cf)
    seqs = text(allins)
    k = seqs.index("ldr x29, [x29, #0x10]")  # FP = footer->originalFramePointer
    assert seqs[k + 1 : k + 1 + len(tail)] == tail
    # the resume entry repeats Prologue + SetupFrame with the same numbers
    assert len(f.sec("Set up frame pointer")) == 2
    assert len(armjit_sections(cf, "Allocate stack frame")) == 2
    assert text(f.sec("Allocate stack frame")[1]) == armjit_sections(cf, "Allocate stack frame")[1]
    assert (text(f.sec("Save callee-saved registers")[1])
            == armjit_sections(cf, "Save callee-saved registers")[1])


@ALL
def test_arg_buffer_against_reserve_stack_lowering(i):
    """ReserveStack lowers to `add xN, sp, #max_arg_buffer_size` (autogen.cpp:862)."""
    f = fn(i)
    lay = frame_layout(f.fn, f.meta)
    seen = 0
    for t, ins in f.secs:
        if re.match(r"v\d+:CPtr = ReserveStack<", t):
            (_, mn, ops), = ins
            if lay.max_arg_buffer_size:
                assert (mn, ops.split(",")[1].strip()) == ("add", "sp")
                assert imm(ops) == lay.max_arg_buffer_size
            else:
                assert (mn, ops.split(",")[1].strip()) == ("mov", "sp")
            seen += 1
    if seen:
        assert lay.reserve_stack_size > 0


def test_reserve_stack_functions_seen():
    n = sum(1 for i in range(len(DIRS)) if any(re.match(r"v\d+:CPtr = ReserveStack<", t) for t, _ in fn(i).secs))
    assert n == 17


@ALL
def test_frame_slots_tile_the_frame(i):
    f = fn(i)
    lay = frame_layout(f.fn, f.meta)
    assert sum(s.size for s in lay.slots) == lay.total_size + 16
    kinds = {s.kind for s in lay.slots}
    assert {"frame_record", "reserved"} <= kinds
    if not is_generator(f.meta):
        hdr = [s for s in lay.slots if s.name == "interpreter_frame"][0]
        # the LIR's "load frame addr" Lea points at the _PyInterpreterFrame
        assert hdr.offset == frame_facts(f.fn).frame_lea_offset
        assert hdr.end == 0


# Functions whose final LIR no longer mentions their deepest spill slot(s): the
# register allocator handed them out but postalloc rewrites removed every use.
SPILL_NOT_IN_LIR = {"json.encoder/JSONEncoder.iterencode", "json.encoder/_make_iterencode"}


_ARGS_LIR = """Function:
BB %0
       X1:Object = Lea [SP:Object + 0x10]:Object
{redefine}
[X1:Object + 0x8]:Object = Store X3:Object
                   Call 4096(0x1000):Object

"""


@pytest.mark.parametrize("redefine, arg_area", [
    # a D-register definition leaves X1 (the same number) an SP-based pointer:
    # the store at [SP + 0x18, SP + 0x20) is part of the argument area
    ("       D1:Double = Move X2:64bit", 32),
    # redefining X1 itself ends it: only the Lea's own [SP + 0x10] counts
    ("       X1:Object = Move X2:64bit", 16),
])
def test_outgoing_argument_area_through_a_lea_of_sp(redefine, arg_area):
    """max_arg_buffer_size follows SP-based pointers (postalloc.cpp:537-593) up to the Call."""
    fn = parse(_ARGS_LIR.format(redefine=redefine))
    assert frame_facts(fn).max_arg_buffer_size == arg_area


def test_spill_size_from_lir_alone():
    wrong = set()
    for i in range(len(DIRS)):
        f = fn(i)
        lay = frame_layout(f.fn, f.meta, use_meta_spill=False)
        if lay.spill_stack_size != f.meta["spill_stack_size"]:
            assert lay.spill_stack_size < f.meta["spill_stack_size"]
            wrong.add(IDS[i])
    assert wrong == SPILL_NOT_IN_LIR


# --------------------------------------------------------------------------- entry
@ALL
def test_entry_points(i):
    f = fn(i)
    plan = entry_plan(f.meta)
    assert not plan.has_static_entry  # no CI_CO_STATICALLY_COMPILED function in the corpus
    ve = f.meta["vectorcall_entry"]
    assert ve - f.base == -plan.reentry_offset == 12
    title, re_ins = f.secs[0]
    assert title == "Reentry with processed args"
    assert text(re_ins)[:2] == ["stp x29, x30, [sp, #-0x10]!", "mov x29, sp"]
    assert re_ins[2][1] == "b"
    (loads,) = f.sec("Load vectorcall arguments")
    assert imm(re_ins[2][2]) == loads[0][0]  # re-entry jumps to correct_arg_count
    t1, pro = f.secs[1]
    assert t1 == "Set up frame pointer" and pro[0][0] == ve
    assert text(pro) == ["stp x29, x30, [sp, #-0x10]!", "mov x29, sp"]
    assert text(loads) == armjit_sections(compiled(i), "Load vectorcall arguments")[0]
    # prologue_exit: the "--unassigned--" 3-instruction tail before the pool
    t_last, tail = f.secs[-1]
    assert t_last == "--unassigned--"
    assert text(tail)[:3] == ["mov sp, x29", "ldp x29, x30, [sp], #0x10", "ret"]
    exit_addr = tail[0][0]
    t2, kw = f.secs[2]
    if plan.checks_argcount:
        assert t2 == "Keyword argument dispatch"
        assert [x[1] for x in kw] == ["tst", "b.eq", "bl", "b"]
        assert kw[0][2] == "x3, x3"
        t3, ac = f.secs[3]
        assert t3 == "Check if called with correct argcount"
        assert imm(kw[1][2]) == ac[0][0]
        assert [x[1] for x in ac] == ["cmp", "b.eq", "bl", "b"]
        assert ac[0][2].startswith("w2, #") and imm(ac[0][2]) == num_args(f.meta)
        assert imm(ac[1][2]) == loads[0][0]
        assert imm(ac[3][2]) == exit_addr
    else:
        assert t2 == "Keyword argument dispatch (varargs/kwonly)"
        assert [x[1] for x in kw] == ["bl", "b"]
        assert f.secs[3][0] == "Load vectorcall arguments"
    assert imm(kw[-1][2]) == exit_addr
    # the frame is set up right after the argument loads
    assert f.secs[f.secs.index(("Load vectorcall arguments", loads)) + 1][0] == "Allocate stack frame"


def test_entry_variants_seen():
    plans = [entry_plan(fn(i).meta) for i in range(len(DIRS))]
    assert sum(p.checks_argcount for p in plans) == 89
    assert sum(p.num_args > 7 for p in plans) == 8
    assert sum(is_generator(fn(i).meta) for i in range(len(DIRS))) == 1


# --------------------------------------------------------------------------- deopt
@ALL
def test_deopt_exits(i):
    f = fn(i)
    facts = frame_facts(f.fn)
    s1 = f.sec("Stage 1 deoptimization exits")
    ids = []
    for k in range(0, len(s1[0]) if s1 else 0, 2):
        mv, bl = s1[0][k], s1[0][k + 1]
        assert mv[1] == "mov" and mv[2].startswith("x13, ")
        ids.append(0 if mv[2] == "x13, xzr" else imm(mv[2]))
        assert bl[1] == "bl"
    assert ids == facts.deopt_ids
    s2 = f.sec("Deoptimization exits")
    if not ids:
        assert not s2
        return
    (s2,) = s2
    assert all(imm(x[2]) == s2[0][0] for x in s1[0][1::2])  # every stage 1 calls stage 2
    seq = text(s2)
    assert seq[:3] == ["sub sp, sp, #0x40", "stp x28, x29, [sp]", "stp x30, x13, [sp, #0x30]"]
    # x30 = CodeRuntime* (asmjit mov: movz/movk), then x28 = hard_exit_label
    mid = seq[3:-3]
    assert mid and mid[0].startswith("mov x30, #") and all(s.startswith("movk w30") or s.startswith("movk x30") for s in mid[1:])
    assert seq[-3].startswith("adr x28, #")
    assert seq[-2:-1] == ["stp x28, x30, [sp, #0x10]"]
    assert s2[-1][1] == "b"
    tramp = imm(s2[-1][2])
    if is_generator(f.meta):
        assert tramp != f.meta["deopt_trampoline"]  # deoptTrampolineGenerators()
    else:
        assert tramp == f.meta["deopt_trampoline"]
    # hard_exit_label: right after the return-value move in the epilogue
    hard = imm(s2[-3][2])
    allins = [x for _, ins in f.secs for x in ins]
    k = [a for a, _, _ in allins].index(hard)
    tail = armjit_exit_sequence(compiled(i))
    assert text(allins[k : k + len(tail)]) == tail
    # stage 1 / stage 2 follow the body (after every Epilogue)
    order = [t for t, _ in f.secs]
    assert order.index("Stage 1 deoptimization exits") + 1 == order.index("Deoptimization exits")


def test_deopt_trampoline_listing():
    """The shared trampoline (generator.cpp:6526-6790) that stage 2 jumps to."""
    info = json.loads((corpus_dir() / "deopt_trampoline.json").read_text())
    secs = parse_listing((corpus_dir() / "deopt_trampoline.asm").read_text())
    assert [t for t, _ in secs] == ["Save registers", "Shuffle rip, rbp, and deopt index", "prepareForDeopt",
                                    "reg cleanup", "resumeInInterpreter", "Jump to real epilogue", "--unassigned--"]
    assert secs[0][1][0][0] == info["address"] == fn(0).meta["deopt_trampoline"]
    # X0..X27 saved in 14 pairs below the 8-slot stage-2 record
    assert text(secs[0][1])[0] == "stp x0, x1, [sp, #-0xe0]!" and len(secs[0][1]) == 14
    # fake frame record: saved x29 at [sp+0x110] = stage 2's slot 1, x29 points there
    assert text(secs[1][1])[:4] == ["mov x0, sp", "ldr x3, [sp, #0x110]", "str x29, [sp, #0x110]",
                                    "add x29, sp, #0x110"]
    assert text(secs[5][1])[-4:] == ["ldr x16, [x29, #-0x20]", "mov sp, x29", "ldp x29, x30, [sp], #0x10",
                                     "br x16"]


# --------------------------------------------------------------------------- pool, stubs
@ALL
def test_constant_pool(i):
    _check_pool(i)


def _check_pool(i: int) -> int:
    f = fn(i)
    facts = frame_facts(f.fn)
    tail = f.secs[-1][1]
    start = tail[2][0] + 4  # right after prologue_exit's ret: no alignment
    n = len(facts.const_pool_values)
    pool = [f.q(start + 8 * k) for k in range(n)]
    assert sorted(pool) == sorted(facts.const_pool_values)  # one entry per distinct value
    # every PC-relative literal load reads a pool entry, or -- for a `Move
    # Imm:Object` out of adrp range (load_addr relaxation) -- an entry of
    # asmjit's address table, which sits after the pool.
    objects = {int(v) for v in re.findall(r"= Move (\d+)\(0x[0-9a-f]+\):Object", f.lir)}
    table = 0
    for _, mn, ops in (x for _, ins in f.secs for x in ins):
        if mn == "ldr" and re.fullmatch(r"[xd]\d+, #0x[0-9a-f]+", ops):
            a = imm(ops)
            if start <= a < start + 8 * n:
                assert (a - start) % 8 == 0
            else:
                assert start + 8 * n <= a <= f.base + len(f.bin) - 8
                assert f.q(a) in objects
                table += 1
    return table


def test_address_table_loads_seen():
    assert sum(1 for i in range(len(DIRS)) if _check_pool(i)) == 2


@ALL
def test_far_call_stubs(i):
    f = fn(i)
    end = f.base + len(f.bin)
    assert len(f.bin) == f.meta["compiled_size"]
    pool_end = f.secs[-1][1][2][0] + 4 + 8 * len(frame_facts(f.fn).const_pool_values)
    stubs = set()
    for _, mn, ops in (x for _, ins in f.secs for x in ins):
        if mn in ("b", "bl") and ops.startswith("#"):
            t = imm(ops)
            if t >= pool_end:
                assert t < end
                stubs.add(t)
    assert stubs  # every function calls at least _PyThreadState_GetCurrent through one
    for t in stubs:
        assert (f.w(t), f.w(t + 4)) == (0x58000050, 0xD61F0200)  # ldr x16, [pc, #8]; br x16
        assert t % 8 == 0


@ALL
def test_load_thread_state_is_call_fallback(i):
    """In the corpus process tstate_offset == -1: LoadThreadState is `bl
    _PyThreadState_GetCurrent` (through a stub), never mrs TPIDR_EL0."""
    f = fn(i)
    allins = [x for _, ins in f.secs for x in ins]
    assert not any(mn == "mrs" for _, mn, _ in allins)
    titles = ("Lightweight frame: load thread state", "Allocate generator + interpreter frame: load tstate")
    (sec,) = [ins for t, ins in f.secs if t in titles]
    assert sec[0][1] == "bl"
    stub = imm(sec[0][2])
    assert f.q(stub + 8) == 0x726F2C  # the same helper everywhere


# --------------------------------------------------------------------------- FrameLayout unit
def test_known_numbers():
    lay = FrameLayout(spill_stack_size=160, saved_regs=["x19", "X20", "x21", "x22", "x23", "x24", "x25"],
                      frame_header_size=152)
    lay.check()
    assert (lay.total_size, lay.callee_save_base) == (224, 160)
    assert [op.asm() for op in lay.save_ops] == [
        "str x19, [x13, #-0x10]", "stp x20, x21, [x13, #-0x20]",
        "stp x22, x23, [x13, #-0x30]", "stp x24, x25, [x13, #-0x40]"]
    assert lay.sp_offset(-152) == 72


def test_padding_word_added_for_alignment():
    # 344 + 80 + 16 = 440: one word of padding makes 448 (json.decoder JSONDecoder.__init__)
    lay = FrameLayout(spill_stack_size=344, saved_regs=[f"X{n}" for n in range(19, 29)], max_arg_buffer_size=16)
    lay.check()
    assert (lay.header_and_spill_size, lay.total_size) == (352, 448)
    assert any(s.kind == "pad" and s.offset == -352 and s.size == 8 for s in lay.slots)


def test_minimum_one_word_and_fp_registers():
    lay = FrameLayout(spill_stack_size=0, saved_regs=["d8", "x19", "d9", "d10"])
    lay.check()
    # max(0, 8) = 8, +8 for alignment; GP bank: 1 reg -> 16; D bank: 3 regs -> 32
    assert (lay.header_and_spill_size, lay.saved_regs_size, lay.total_size) == (16, 48, 64)
    assert [op.asm() for op in lay.save_ops] == [
        "str x19, [x13, #-0x10]", "str d8, [x13, #-0x20]", "stp d9, d10, [x13, #-0x30]"]


def _sub_effect(seq: list[str]) -> dict:
    """What a sequence of sub/mov/movk leaves in sp and x13, relative to entry
    values sp = x29 = 0 (Arm ARM: SUB (immediate) with an optional LSL #12,
    SUB (extended register), MOVZ (Capstone prints it as mov), MOVK)."""
    r = {"sp": 0, "x29": 0, "x13": 0}
    for ins in seq:
        mn, ops = ins.split(" ", 1)
        ops = [o.strip() for o in ops.split(",")]
        if mn == "sub":
            rhs = r[ops[2]] if ops[2] in r else parse_imm(ops[2]) << (12 if ops[3:] == ["lsl #12"] else 0)
            r[ops[0]] = r[ops[1]] - rhs
        elif mn == "mov":
            r[ops[0]] = r[ops[1]] if ops[1] in r else parse_imm(ops[1])
        elif mn == "movk":
            sh = int(ops[2].split("#")[1], 0) if len(ops) > 2 else 0
            r[ops[0]] = (r[ops[0]] & ~(0xFFFF << sh)) | (parse_imm(ops[1]) << sh)
    return r


# CinderX subtracts a frame size that is not an ADD/SUB immediate through x13
# (arch::sub_immediate, arch.cpp:107-121: mov x13, #imm; sub sp, sp, x13);
# armjit's legaliser splits any size below 1 << 24 into two SUB (immediate)
# halves, imm12 << 12 and imm12 (Arm ARM: SUB (immediate), imm12 with an optional
# LSL #12), one word fewer and no scratch.
@pytest.mark.parametrize("spill,expected_sub_sp", [
    (4096 - 16, ["sub sp, sp, #1, lsl #12"]),          # 4096 = 1 << 12: shifted uimm12
    (5000, ["sub sp, sp, #1, lsl #12", "sub sp, sp, #0x3a0"]),    # 5024 = 0x13a0
    (70000, ["sub sp, sp, #0x11, lsl #12", "sub sp, sp, #0x180"]),  # 70016 = 0x11180
    (65536 * 2 - 16, ["sub sp, sp, #0x20, lsl #12"]),
])
def test_large_frames(spill, expected_sub_sp):
    lay = FrameLayout(spill_stack_size=spill, saved_regs=["x19"], frame_header_size=16 + 8 * 20,
                      inline_stack_size=0)
    lay.check()
    assert lay.total_size % 16 == 0 and lay.total_size == lay.header_and_spill_size + 16
    plan = lowered_setup_frame(lay)
    assert plan[: len(expected_sub_sp)] == expected_sub_sp
    assert lay.cinderx_accepts == (lay.total_size <= 0x7FFF)
    # SP goes down by the frame size; x13 = x29 - callee_save_base, then the save
    k = len(plan) - len(lay.save_ops)
    effect = _sub_effect(plan[:k])
    assert (effect["sp"], effect["x13"]) == (-lay.total_size, -lay.callee_save_base)
    assert plan[k:] == ["str x19, [x13, #-0x10]"]
    # spill slots reach down to the callee-saved area
    spills = [s for s in lay.slots if s.kind == "spill"]
    assert min(s.offset for s in spills) == -spill


def test_sub_immediate_zero():
    """arch::sub_immediate of 0 (arch.cpp:107-121): nothing when rd is rn, else a mov."""
    for rd, rn, expected in ((SP, SP, []), (X[13], X[29], ["mov x13, x29"])):
        cx = Ctx(Assembler(base=0x10000), None, {})
        _sub_immediate(cx, rd, rn, 0)
        cx.a.bind(cx.hard_exit_label)
        assert decode(cx.a.finalize().code, 0x10000) == expected


# --------------------------------------------------------------------------- check() rules
def _ok():
    return [Slot("rec", "frame_record", 0, 16), Slot("a", "spill", -16, 16),
            Slot("args", "arg_buffer", -32, 16)]


def test_check_slots_accepts_good():
    check_slots(_ok(), 32, 16)


def test_rule_sp_alignment():
    with pytest.raises(FrameLayoutError, match="misaligned"):
        check_slots([Slot("rec", "frame_record", 0, 16), Slot("a", "spill", -24, 24)], 24)


def test_rule_positive_size():
    with pytest.raises(FrameLayoutError, match="size 0"):
        check_slots(_ok() + [Slot("z", "spill", -8, 0)], 32, 16)


def test_rule_inside_frame():
    with pytest.raises(FrameLayoutError, match="outside the frame"):
        check_slots(_ok() + [Slot("low", "spill", -40, 8)], 32, 16)
    with pytest.raises(FrameLayoutError, match="outside the frame"):
        check_slots(_ok() + [Slot("high", "spill", 16, 8)], 32, 16)


def test_rule_no_overlap():
    slots = [Slot("rec", "frame_record", 0, 16), Slot("a", "spill", -16, 16), Slot("b", "spill", -8, 8),
             Slot("args", "arg_buffer", -32, 16)]
    with pytest.raises(FrameLayoutError, match="slots overlap: a .* and b"):
        check_slots(slots, 32, 16)


def test_rule_arg_buffer_never_overlaps():
    slots = [Slot("rec", "frame_record", 0, 16), Slot("a", "spill", -24, 24),
             Slot("args", "arg_buffer", -32, 16)]
    with pytest.raises(FrameLayoutError, match="outgoing argument area overlap"):
        check_slots(slots, 32, 16)


def test_rule_arg_buffer_at_sp():
    slots = [Slot("rec", "frame_record", 0, 16), Slot("args", "arg_buffer", -16, 16),
             Slot("a", "spill", -32, 16)]
    with pytest.raises(FrameLayoutError, match="not at SP"):
        check_slots(slots, 32, 16)
    with pytest.raises(FrameLayoutError, match="no outgoing argument area"):
        check_slots([Slot("rec", "frame_record", 0, 16), Slot("a", "spill", -32, 32)], 32, 16)


def test_rule_full_coverage():
    with pytest.raises(FrameLayoutError, match="belong to no slot"):
        check_slots([Slot("rec", "frame_record", 0, 16), Slot("args", "arg_buffer", -32, 16)], 32, 16)


def test_layout_rejects_bad_inputs():
    with pytest.raises(FrameLayoutError, match="not callee-saved"):
        FrameLayout(spill_stack_size=16, saved_regs=["x0"])
    with pytest.raises(FrameLayoutError, match="multiple of 8"):
        FrameLayout(spill_stack_size=12)
    with pytest.raises(FrameLayoutError, match="outside the spill area"):
        FrameLayout(spill_stack_size=40, frame_header_size=16, inline_stack_size=0, spill_slot_offsets=[-48])
    with pytest.raises(FrameLayoutError, match="exceeds spill_stack_size"):
        FrameLayout(spill_stack_size=16, frame_header_size=32)


def test_layout_check_catches_corrupted_slots():
    lay = FrameLayout(spill_stack_size=64, saved_regs=["x19", "x20"], max_arg_buffer_size=32,
                      frame_header_size=32, inline_stack_size=0)
    lay.check()
    lay.slots.append(Slot("evil", "spill", -lay.total_size + 8, 8))  # inside the arg buffer
    with pytest.raises(FrameLayoutError, match="outgoing argument area overlap"):
        lay.check()


def test_deopt_patchpoints_are_single_nops():
    """DeoptPatchpoint embeds the JumpPatcher's stored bytes: one `nop`
    (0xd503201f), later patched to `b stage1` (autogen.cpp:440-475)."""
    total = 0
    for i in range(len(DIRS)):
        f = fn(i)
        n_lir = len(re.findall(r"^\s+DeoptPatchpoint ", f.lir, re.M))
        secs = [ins for t, ins in f.secs if t.startswith("DeoptPatchpoint<")]
        assert len(secs) == n_lir
        stage1 = f.sec("Stage 1 deoptimization exits")
        ids = frame_facts(f.fn).deopt_ids
        pp_ids = [int(m) for m in re.findall(r"^\s+DeoptPatchpoint \[0x[0-9a-f]+\]:\w+, (\d+)\(", f.lir, re.M)]
        titles = [t for t, _ in f.secs if t.startswith("DeoptPatchpoint<")]
        for ins, title, pid in zip(secs, titles, pp_ids):
            assert [x[1] for x in ins] == ["nop"] and f.w(ins[0][0]) == 0xD503201F
            pp, target = (int(x, 16) for x in re.match(r"DeoptPatchpoint<0x(\w+) -> 0x(\w+)>", title).groups())
            assert pp == ins[0][0]
            # linked to the stage-1 exit of its deopt id (2 instructions per id)
            assert target == stage1[0][2 * ids.index(pid)][0]
        total += n_lir
    assert total == 40
