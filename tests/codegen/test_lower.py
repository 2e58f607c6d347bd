"""A home for every LIR opcode's lowering test: LIR line -> expected A64, one
or more rows per opcode (as Cranelift's ``emit_tests.rs`` does per instruction),
and a test that every key of :data:`armjit.codegen.lower.RULES` has a row.

Two tables, by where the expected text comes from (never from running armjit):

* :data:`ASMJIT` -- post-alloc LIR instructions of the dev corpus and the offset
  of their expansion in asmjit's code for the same function.  The expected
  words are read from that function's asmjit.bin (CinderX's own emission) and
  their Capstone text must equal the row's text; armjit lowers the instruction
  alone into an Assembler placed at the same address (PC-relative forms match),
  with the labels it branches to bound where asmjit's branches go.
* :data:`SOURCE` -- opcodes or shapes the corpus lacks, and those where armjit
  emits differently from asmjit by design: the expected text is derived from
  CinderX's aarch64 translator (``Jit/codegen/autogen.cpp``, cited per row) and
  the Arm ARM encodings, for code placed at 0x10000.
"""

import json
import struct
from functools import lru_cache

import capstone
import pytest

from armjit.codegen.function import process_facts
from armjit.codegen.layout import frame_layout, is_generator
from armjit.codegen.lower import RULES, Ctx, LoweringError, lower_instruction
from armjit.corpus.dev import corpus_dir
from armjit.emit import Assembler, X
from armjit.lir import parse, parse_instruction
from armjit.lir.model import Label

_md = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)
NOP = 0xD503201F
BASE = 0x10000

F = "string/Formatter.check_unused_args"
V = "colorsys/_v"
HLS = "colorsys/hls_to_rgb"
HSV = "colorsys/hsv_to_rgb"
RGB_HLS = "colorsys/rgb_to_hls"
TRANSLATE = "fnmatch/_translate"
FNMATCH = "fnmatch/fnmatch"
JOIN = "fnmatch/_join_translated_parts"
MERGE = "heapq/merge"            # the generator
NLARGEST = "heapq/nlargest"
LOADS = "json/loads"

# (function, LIR line, offset in asmjit.bin, number of words, SP known, asmjit text)
ASMJIT = [
    # string:Formatter.check_unused_args, instruction by instruction
    (F, "       X19:64bit = Move X0:64bit", 0x4C, 1, True, "mov x19, x0"),
    (F, "       X0:Object = Lea [X29(-120)]:Object", 0x58, 1, True, "sub x0, x29, #0x78"),
    (F, "       X1:Object = Load [X20:Object + 0x48]:Object", 0x5C, 1, True, "ldr x1, [x20, #0x48]"),
    (F, "        X3:64bit = LoadPair 16(0x10):64bit, X19:64bit, X4:64bit", 0x64, 1, True,
     "ldp x3, x4, [x19, #0x10]"),
    (F, "        X5:64bit = Move 365092222112(0x55013134a0):Object", 0x68, 2, True,
     "adrp x5, #0x5501313000; add x5, x5, #0x4a0"),
    (F, "        X6:64bit = Lea [X29(-40)]:Object", 0x70, 1, True, "sub x6, x29, #0x28"),
    (F, "        W7:32bit = Move 1(0x1):32bit", 0x74, 1, True, "mov w7, #1"),
    (F, "                   StorePair 18446744073709551600(0xfffffffffffffff0):64bit, X0:Object, X20:Object, 0(0x0):64bit",
     0x78, 1, True, "stp x20, xzr, [x0, #-0x10]"),
    (F, "                   StorePair 48(0x30):64bit, X0:Object, 0(0x0):64bit, X5:64bit", 0x88, 1, True,
     "stp xzr, x5, [x0, #0x30]"),
    (F, "[X0:Object + 0x40]:Object = Store X6:64bit", 0x8C, 1, True, "str x6, [x0, #0x40]"),
    (F, "[X0:Object + 0x48]:16bit = Store 0(0x0):64bit", 0x90, 1, True, "strh wzr, [x0, #0x48]"),
    (F, "[X0:Object + 0x4a]:8bit = Store 0(0x0):64bit", 0x94, 1, True, "strb wzr, [x0, #0x4a]"),
    (F, "[X0:Object + 0x4b]:8bit = Store W7:8bit", 0x98, 1, True, "strb w7, [x0, #0x4b]"),
    (F, "                   StorePair 80(0x50):64bit, X0:Object, 0(0x0):64bit, 0(0x0):64bit", 0x9C, 1, True,
     "stp xzr, xzr, [x0, #0x50]"),
    (F, "        W1:32bit = Load [X2:Object]:32bit", 0xA4, 1, True, "ldr w1, [x2]"),
    (F, "                   Inc W1:32bit", 0xA8, 1, True, "adds w1, w1, #1"),
    (F, "[X2:Object]:32bit = Store W1:32bit", 0xB0, 1, True, "str w1, [x2]"),
    (F, "       X0:Object = Move 11546008(0xb02d98):Object", 0xB8, 2, True,
     "mov x0, #0x2d98; movk x0, #0xb0, lsl #16"),
    (F, "       X0:Object = Move X20:Object", 0xD0, 1, True, "mov x0, x20"),
    (F, "       X0:Object = Load [X0:Object + 0x8]:Object", 0xDC, 1, True, "ldr x0, [x0, #8]"),
    (F, "                   Dec X0:64bit", 0xF0, 1, True, "subs x0, x0, #1"),
    (F, "[X20:Object]:Object = Store X0:64bit", 0xF4, 1, True, "str x0, [x20]"),
    (F, "                   EpilogueEnd X19:Object", 0x104, 6, False,
     "mov x0, x19; sub x13, x29, #0x90; ldp x19, x20, [x13, #-0x10]; mov sp, x29; "
     "ldp x29, x30, [sp], #0x10; ret"),
    (F, "                   SetupFrame", 0x40, 3, False,
     "sub sp, sp, #0xa0; sub x13, x29, #0x90; stp x19, x20, [x13, #-0x10]"),
    # A64GuardCC
    (TRANSLATE, '                   A64GuardCC 11(0xb):64bit, 85(0x55):64bit, [X29(-272)]:Object, [X29(-280)]:Object, [X29(-288)]:Object, [X29(-320)]:Object, [X29(-296)]:Object, [X29(-312)]:Object, [X29(-344)]:Object, X25:Object, X20:Object, X26:Object, X22:Object, X19:Object, X27:Object, [X29(-336)]:Object', 0xdbc, 1, True, 'b.hs #0x5502e11508'),
    (MERGE, '                   A64GuardCC 11(0xb):64bit, 34(0x22):64bit, X28:Object, [X29(-24)]:Object, [X29(-32)]:Object, [X29(-56)]:Object, X21:Object, X22:Object, [X29(-112)]:Object, [X29(-104)]:Object, [X29(-96)]:Object, [X29(-88)]:Object, X25:Object, X19:Object, X24:Object, X0:Object, X26:Object', 0x7fc, 1, False, 'b.hs #0x5502e04bac'),
    (MERGE, '                   A64GuardCC 9(0x9):64bit, 55(0x37):64bit, X23:Object, X26:Object, X27:Object, [X29(-56)]:Object, X28:Object, X20:Object, [X29(-112)]:Object, [X29(-104)]:Object, [X29(-96)]:Object, [X29(-88)]:Object, X22:Object, [X29(-192)]:Object, X25:Object, X24:Object, X21:Object, X0:Object', 0xe88, 1, False, 'b.ls #0x5502e04c54'),
    # Add
    (TRANSLATE, '        X1:64bit = Add X28:64bit, X0:64bit', 0xdb4, 1, True, 'add x1, x28, x0'),
    (MERGE, '                   Add X1:64bit, X23:64bit', 0x7f0, 1, False, 'add x1, x1, x23'),
    # And
    (HSV, '                   And X0:64bit, 3(0x3):64bit', 0x43c, 1, True, 'and x0, x0, #3'),
    (TRANSLATE, '                   And W0:32bit, W1:32bit', 0x278, 1, True, 'and w0, w0, w1'),
    (TRANSLATE, '       W27:32bit = And W0:32bit, W13:32bit', 0x7b0, 1, True, 'and w27, w0, w13'),
    (TRANSLATE, '        X0:64bit = And X22:Object, 32(0x20):64bit', 0x1884, 1, True, 'and x0, x22, #0x20'),
    # Bind: in SOURCE (no code)
    # Branch
    (V, '                   Branch BB%271', 0x23c, 1, True, 'b #0x5502e0a0c4'),
    # BranchBitNotSet
    (HLS, '                   BranchBitNotSet X1:64bit, 31(0x1f):64bit, BB%159', 0x2ec, 1, True, 'tbz w1, #0x1f, #0x5502e0a5c8'),
    # BranchBitSet
    (V, '                   BranchBitSet X0:64bit, 31(0x1f):64bit, BB%59', 0x158, 1, True, 'tbnz w0, #0x1f, #0x5502e09da0'),
    # BranchCC
    (V, '                   BranchS BB%50', 0x128, 1, True, 'b.mi #0x5502e09d60'),
    (V, '                   BranchNZ BB%59', 0x164, 1, True, 'b.ne #0x5502e09da0'),
    (HLS, '                   BranchZ BB%162', 0x300, 1, True, 'b.eq #0x5502e0a5dc'),
    (HSV, '                   BranchE BB%220', 0x458, 1, True, 'b.eq #0x5502e0c524'),
    # Call
    (V, '                   Call 365099109120(0x55019a4b00):Object', 0x148, 1, True, 'bl #0x55019a4b00'),
    (JOIN, '                   Call [X29(-232)]:64bit', 0x2b0, 2, True, 'ldr x16, [sp, #0xd8]; blr x16'),
    (TRANSLATE, '                   Call X27:64bit', 0x150, 1, True, 'blr x27'),
    # Cmp
    (HSV, '                   Cmp X0:64bit, 0(0x0):64bit', 0x454, 1, True, 'cmp x0, #0'),
    (TRANSLATE, '                   Cmp X2:64bit, X3:64bit', 0x2b8, 1, True, 'cmp x2, x3'),
    # CmpBranchNonZero
    (V, '                   CmpBranchNonZero W22:32bit, BB%70', 0x170, 1, True, 'cbnz w22, #0x5502e09ff0'),
    # CmpBranchZero
    (HLS, '                   CmpBranchZero W0:32bit, BB%75', 0x11c, 1, True, 'cbz w0, #0x5502e0a400'),
    # Compare
    (HSV, '        W1:32bit = LessThanUnsigned X1:64bit, 16(0x10):64bit', 0x42c, 2, True, 'cmp x1, #0x10; cset w1, lo'),
    (FNMATCH, '       W21:32bit = NotEqual X19:Object, X0:Object', 0x48c, 2, True, 'cmp x19, x0; cset w21, ne'),
    (LOADS, '        W0:32bit = Equal X0:Object, X2:Object', 0x14c, 2, True, 'cmp x0, x2; cset w0, eq'),
    # Dec
    (V, '                   Dec X0:64bit', 0x15c, 1, True, 'subs x0, x0, #1'),
    # DeoptPatchpoint
    (HLS, '                   DeoptPatchpoint [0xefacd0]:Object, 14(0xe):64bit, X20:Object, X21:Object, X22:Object, X26:Object, X28:Object, X27:Object, [X29(-568)]:Object, X19:Object', 0x31c, 1, True, 'nop'),
    # Exchange
    (MERGE, '        X3:64bit = Exchange X1:64bit', 0x2070, 3, False, 'mov x13, x3; mov x3, x1; mov x1, x13'),
    # Guard
    (V, '                   Guard 3(0x3):64bit, 0(0x0):64bit, W0:32bit, 0(0x0):64bit, X20:Object, X21:Object, X22:Object', 0xe4, 1, True, 'tbnz w0, #0x1f, #0x5502e0a128'),
    (HLS, '                   Guard 2(0x2):64bit, 11(0xb):64bit, X27:Object, X0:Object, X20:Object, X21:Object, X22:Object, X19:Object, X26:Object, X28:Object', 0x2ac, 2, True, 'cmp x27, x0; b.ne #0x5502e0b8f8'),
    (TRANSLATE, '                   Guard 0(0x0):64bit, 19(0x13):64bit, 0(0x0):64bit, 0(0x0):64bit, [X29(-272)]:Object, [X29(-280)]:Object, [X29(-288)]:Object, X19:Object, [X29(-296)]:Object, [X29(-312)]:Object, [X29(-352)]:Object, X27:Object, X28:Object, X26:Object, X22:Object, [X29(-528)]:Object, [X29(-424)]:Object, X0:Object, [X29(-336)]:Object', 0x1f0c, 1, True, 'b #0x5502e112f8'),
    # Inc
    (V, '                   Inc W0:32bit', 0x124, 1, True, 'adds w0, w0, #1'),
    # Lea
    (HLS, '        X0:64bit = Lea [X29(-184)]:Object', 0x320, 1, True, 'sub x0, x29, #0xb8'),
    (HSV, '       X1:Object = Lea [SP:Object]:Object', 0x180, 1, True, 'mov x1, sp'),
    # Load
    (V, '      X25:Object = LoadRelaxed [X0:Object]:Object', 0x118, 1, True, 'ldr x25, [x0]'),
    (V, '        W0:32bit = Load [X25:Object]:32bit', 0x120, 1, True, 'ldr w0, [x25]'),
    (HLS, '       X0:Object = Load [X29(-576)]:Object', 0x314, 1, True, 'ldr x0, [sp, #0x80]'),
    # LoadPair
    (RGB_HLS, '        X0:64bit = LoadPair 18446744073709551304(0xfffffffffffffec8):64bit, X29:64bit, X1:64bit', 0x5a0, 1, True, 'ldp x0, x1, [sp, #0xa8]'),
    # LoadThreadState: in SOURCE (asmjit calls through a stub; armjit calls directly)
    # MovConstPool: in SOURCE (the pool sits elsewhere)
    # Move
    (V, '       X22:64bit = Move X3:64bit', 0x58, 1, True, 'mov x22, x3'),
    (V, '      X19:Object = Move 365088979312(0x5500ffb970):Object', 0xe8, 2, True, 'adrp x19, #0x5500ffb000; add x19, x19, #0x970'),
    # Mul
    (HSV, '                   Mul X0:64bit, X3:64bit', 0x450, 1, True, 'mul x0, x0, x3'),
    (TRANSLATE, '       X28:64bit = Mul X2:64bit, X0:64bit', 0x7d0, 1, True, 'mul x28, x2, x0'),
    # ReserveStack
    (MERGE, '       X1:Object = ReserveStack', 0x490, 1, False, 'add x1, sp, #0x30'),
    # ResumeGenYield: in SOURCE (needs its StoreGenYieldPoint)
    # Select
    (FNMATCH, '      X19:Object = Select W21:32bit, X0:64bit, X1:64bit', 0x4c0, 2, True, 'cmp w21, #0; csel x19, x0, x1, ne'),
    # Store
    (V, '[X1:Object]:32bit = Store W0:32bit', 0xc4, 1, True, 'str w0, [x1]'),
    (HLS, '[X29(-568)]:64bit = Store X19:64bit', 0x2d0, 1, True, 'str x19, [sp, #0x88]'),
    # StoreGenYieldFromPoint: in SOURCE (movk x13 where asmjit has movk w13)
    # StoreGenYieldPoint: in SOURCE (movk x13 where asmjit has movk w13)
    # StorePair
    (HLS, '                   StorePair 32(0x20):64bit, X20:Object, X19:Object, X22:Object', 0x150c, 1, True, 'stp x19, x22, [x20, #0x20]'),
    # Sub
    (HSV, '        X3:64bit = Sub X2:64bit, X0:64bit', 0x444, 1, True, 'sub x3, x2, x0'),
    (NLARGEST, '                   Sub X3:Object, X13:Object', 0xc00, 1, True, 'sub x3, x3, x13'),
    # Xor
    (HSV, '                   Xor X3:Object, X3:Object', 0x18c, 1, True, 'eor x3, x3, x3'),
    # Zext
    (HSV, '        X0:64bit = Zext W0:32bit', 0x44c, 1, True, 'mov w0, w0'),
]


@lru_cache(maxsize=None)
def _function(fdir):
    d = corpus_dir() / fdir
    meta = json.loads((d / "meta.json").read_text())
    return (meta, frame_layout(parse((d / "postalloc.lir").read_text()), meta), process_facts(d),
            (d / "asmjit.bin").read_bytes())


def _label_keys(ins):
    """The labels an instruction's expansion refers to: its block labels, then
    its deopt exit (Guard, A64GuardCC, DeoptPatchpoint: isDeoptExit)."""
    keys = [("block", op.block) for op in ins.inputs if isinstance(op, Label)]
    if ins.opcode in ("Guard", "A64GuardCC", "DeoptPatchpoint"):
        keys.append(("deopt", ins.inputs[1].value))
    return keys


def lower_alone(lines, address, *, frame=None, facts=None, sp_known=False, targets=(),
                is_generator=False):
    """armjit's code for LIR ``lines`` (one or more) placed at ``address``.  The
    labels the last line refers to are bound at ``targets`` (absolute
    addresses, in :func:`_label_keys` order; NOPs fill the gaps); labels
    without a target are bound after the code."""
    inss = [parse_instruction(l) for l in lines.split("\n")]
    lo = min([address, *targets])
    a = Assembler(base=lo, veneer_scratch=X[16])
    cx = Ctx(a, frame, facts or {}, is_generator=is_generator)
    if sp_known:
        cx.sp_delta = frame.total_size
    labels = [cx.block_label(k) if kind == "block" else cx.deopt_label(k)
              for kind, k in _label_keys(inss[-1])]
    points = sorted([(t, 1, lab) for t, lab in zip(targets, labels)] + [(address, 0, None)],
                    key=lambda p: (p[0], p[1]))
    for at, kind, lab in points:
        while lo + a.offset < at:
            a.emit(NOP)
        if kind == 0:
            start = a.here()
            for ins in inss:
                lower_instruction(cx, ins)
            end = a.here()
        elif not a.is_bound(lab):
            a.bind(lab)
    for lab in labels + cx.yield_resume_labels + [cx.hard_exit_label]:
        if not a.is_bound(lab):
            a.bind(lab)
    final = a.finalize()
    s, e = final.offset_of(start), final.offset_of(end)
    assert lo + s == address
    return final.code[s:e], final


def _text(code: bytes, address: int) -> str:
    return "; ".join(f"{i.mnemonic} {i.op_str}".strip() for i in _md.disasm(code, address))


def _branch_targets(code: bytes, address: int):
    return [int(i.op_str.rsplit("#", 1)[1], 16) for i in _md.disasm(code, address)
            if i.mnemonic in ("b", "cbz", "cbnz", "tbz", "tbnz") or i.mnemonic.startswith("b.")]


@pytest.mark.parametrize("fdir,line,off,n,sp_known,text", ASMJIT,
                         ids=[c[1].strip()[:40] for c in ASMJIT])
def test_lowering_matches_asmjit(fdir, line, off, n, sp_known, text):
    meta, frame, facts, binary = _function(fdir)
    at = meta["code_address"] + off
    ref = binary[off:off + 4 * n]
    assert _text(ref, at) == text          # the table documents asmjit's choice
    got, _ = lower_alone(line, at, frame=frame, facts=facts, sp_known=sp_known,
                         targets=_branch_targets(ref, at), is_generator=is_generator(meta))
    assert got.hex() == ref.hex(), (_text(got, at), text)


_GEN_FACTS = {"gen_yield_points": [0x12C5EC0, 0x12C5ED8], "gen_yield_point_offset": 0x18}

# (LIR line(s), context, expected A64 text at BASE, where it comes from).  The
# context gives the process facts a rule needs and whether the function is a
# generator; no frame is known (no SetupFrame has run).
SOURCE = [
    # no code: autogen.cpp:2685-2687
    ("       X1:Object = Bind X1:Object", {}, "", "Bind emits nothing"),
    ("                   CallSiteLiveValues X19:Object, X20:Object", {}, "",
     "CallSiteLiveValues emits nothing"),
    # arithmetic
    ("        X0:64bit = Div X1:64bit, X2:64bit", {}, "sdiv x0, x1, x2",
     "translateDivOp, autogen.cpp:2398-2440"),
    ("        W0:32bit = Div 0(0x0):64bit, W1:32bit, W2:32bit", {}, "sdiv w0, w1, w2",
     "the x86 high-half Imm input is skipped on aarch64, autogen.cpp:2409-2413"),
    ("        X0:64bit = DivUn X1:64bit, X2:64bit", {}, "udiv x0, x1, x2",
     "translateDivUn, autogen.cpp:2442-2446"),
    ("        X0:64bit = MulAdd X1:64bit, X2:64bit, X3:64bit", {}, "madd x0, x1, x2, x3",
     "translateMulAdd, autogen.cpp:2380-2396 (Rd = Ra + Rn * Rm)"),
    ("        X0:64bit = Negate X1:64bit", {}, "neg x0, x1", "translateNegate, autogen.cpp:2230-2246"),
    ("        X0:64bit = Invert X1:64bit", {}, "mvn x0, x1", "translateInvert, autogen.cpp:2248-2264"),
    ("        X0:64bit = Or X1:64bit, X2:64bit", {}, "orr x0, x1, x2", "translateOr (binary op)"),
    ("                   Or X0:64bit, 1(0x1):64bit", {}, "orr x0, x0, #1",
     "translateOr, two-address form, logical immediate"),
    ("        X0:64bit = LShift X1:64bit, 3(0x3):64bit", {}, "lsl x0, x1, #3",
     "translateShift, autogen.cpp:1566-1573"),
    ("        X0:64bit = LShift X1:64bit, X2:64bit", {}, "lsl x0, x1, x2",
     "translateShift: lsl (register), Capstone prints LSLV as lsl"),
    ("        X0:64bit = RShift X1:64bit, 3(0x3):64bit", {}, "asr x0, x1, #3",
     "translateShift, autogen.cpp:1574-1580"),
    ("        X0:64bit = RShiftUn X1:64bit, 3(0x3):64bit", {}, "lsr x0, x1, #3",
     "translateShift, autogen.cpp:1581-1587"),
    ("        X0:64bit = Sext W1:32bit", {}, "sxtw x0, w1", "translateSext, autogen.cpp:2186-2202"),
    # floating point: autogen.cpp:3386-3431
    ("       D0:Double = Fadd D1:Double, D2:Double", {}, "fadd d0, d1, d2", "kFadd"),
    ("                   Fadd D0:Double, D1:Double", {}, "fadd d0, d0, d1", "kFadd, two-address"),
    ("       D0:Double = Fsub D1:Double, D2:Double", {}, "fsub d0, d1, d2", "kFsub"),
    ("       D0:Double = Fmul D1:Double, D2:Double", {}, "fmul d0, d1, d2", "kFmul"),
    ("       D0:Double = Fdiv D1:Double, D2:Double", {}, "fdiv d0, d1, d2", "kFdiv"),
    ("       D0:Double = Int64ToDouble X1:64bit", {}, "scvtf d0, x1", "kInt64ToDouble, autogen.cpp:3431-3433"),
    # flags and selects
    ("                   Test X0:64bit, X1:64bit", {}, "tst x0, x1", "translateTst, autogen.cpp:2586-2612"),
    ("                   Test W0:8bit, W1:8bit", {}, "lsl w13, w0, #0x18; tst w13, w1, lsl #24",
     # (Capstone prints the LSL (immediate) alias's amount in hex)
     "translateTst: 8-bit values shifted to the top of w13 (reg_scratch_0)"),
    ("                   Test32 X0:64bit, X1:64bit", {}, "tst w0, w1", "kTest32, autogen.cpp:3463-3471"),
    ("         W0:8bit = IntToBool X1:64bit", {}, "cmp x1, #0; cset w0, ne",
     "translateIntToBool, autogen.cpp:554-563"),
    ("        X0:64bit = A64SelectCC 0(0x0):64bit, X1:64bit, X2:64bit", {}, "csel x0, x1, x2, eq",
     "translateA64SelectCC, autogen.cpp:2641-2647 (Condition 0 = Equal)"),
    # stack and frame
    ("                   Push X0:64bit", {}, "str x0, [sp, #-0x10]!", "translatePush, autogen.cpp:2448-2467"),
    ("        X0:64bit = Pop", {}, "ldr x0, [sp], #0x10", "translatePop, autogen.cpp:2469-2490"),
    ("                   VariadicPush X0:64bit, X1:64bit, X2:64bit", {},
     "stp x0, x1, [sp, #-0x20]!; str x2, [sp, #0x10]",
     "translateVariadicPush, autogen.cpp:1284-1330: 2 pairs = 32 bytes, pre-indexed first"),
    ("                   Prologue", {}, "stp x29, x30, [sp, #-0x10]!; mov x29, sp",
     "translatePrologue, autogen.cpp:1074-1087"),
    ("                   Leave", {}, "mov sp, x29; ldp x29, x30, [sp], #0x10",
     "translateLeave, autogen.cpp:1506-1517"),
    ("                   Ret", {}, "ret", "translateRet, autogen.cpp:1520-1531 (ret lr)"),
    ("                   Unreachable", {}, "udf #0", "translateUnreachable, autogen.cpp:2224-2228"),
    # process facts: the fallback LoadThreadState of this CinderX build
    ("      X20:Object = LoadThreadState", {"facts": {"tstate_getter": 0x20000}},
     "bl #0x20000; mov x20, x0",
     "translateLoadThreadState, autogen.cpp:684-751, tstate_offset == -1: bl _PyThreadState_GetCurrent"),
    # the constant pool: ldr (literal) of a pool entry placed after the code
    # (gen_asm.cpp:1607-1614); alone, the code is one word, the entry 8-aligned
    ("        X2:64bit = MovConstPool 365086377712(0x5500d806f0):Object", {}, "ldr x2, #0x10008",
     "translateMovConstPool, autogen.cpp:2080-2098"),
    # generators: footer->yieldPoint = the GenYieldPoint* (through x13), at
    # [x29 + 0x18]; asmjit materialises it with movk w13, armjit with movk x13
    # (the same value: MOVZ already cleared the upper half)
    ("                   StoreGenYieldPoint [X29(-16)]:Object, [X29(-24)]:Object, [X29(-32)]:Object, "
     "[X29(-56)]:Object, 4(0x4):64bit, 0(0x0):64bit",
     {"facts": _GEN_FACTS, "generator": True},
     "mov x13, #0x5ec0; movk x13, #0x12c, lsl #16; str x13, [x29, #0x18]",
     "emitStoreGenYieldPoint, autogen.cpp:572-621, 753-811"),
    ("                   StoreGenYieldFromPoint [X29(-16)]:Object, [X29(-24)]:Object, 2(0x2):64bit, "
     "1(0x1):64bit",
     {"facts": _GEN_FACTS, "generator": True},
     "mov x13, #0x5ec0; movk x13, #0x12c, lsl #16; str x13, [x29, #0x18]",
     "translateStoreGenYieldFromPoint, autogen.cpp:753-811"),
    ("                   StoreGenYieldPoint [X29(-16)]:Object, 1(0x1):64bit, 0(0x0):64bit\n"
     "       X0:Object = ResumeGenYield [X29(-40)]:Object",
     {"facts": _GEN_FACTS, "generator": True},
     "mov x13, #0x5ec0; movk x13, #0x12c, lsl #16; str x13, [x29, #0x18]; "
     "stur x3, [x29, #-0x28]; mov x0, x1",
     "translateResumeGenYield, autogen.cpp:813-835: tstate (x3) to its slot, the sent value (x1) "
     "to the output"),
]


@pytest.mark.parametrize("lines,ctx,text,source", SOURCE, ids=[r[0].split("\n")[-1].strip()[:40]
                                                                for r in SOURCE])
def test_lowering_matches_cinderx_source(lines, ctx, text, source):
    got, final = lower_alone(lines, BASE, facts=ctx.get("facts", {}),
                             is_generator=ctx.get("generator", False))
    assert _text(got, BASE) == text, (source, _text(got, BASE))
    if parse_instruction(lines.split("\n")[-1]).opcode == "MovConstPool":
        # the literal holds the value
        target = int(text.rsplit("#", 1)[1], 16)
        value = parse_instruction(lines).inputs[0].value
        assert struct.unpack_from("<Q", final.code, target - BASE)[0] == value


def test_every_rule_has_a_row():
    """Every opcode armjit lowers has at least one row in ASMJIT or SOURCE."""
    opcodes = {parse_instruction(r[1]).opcode for r in ASMJIT}
    opcodes |= {parse_instruction(l).opcode for r in SOURCE for l in r[0].split("\n")}
    assert sorted(set(RULES) - opcodes) == []


def _ctx(fdir, base, sp_known):
    meta, frame, _, _ = _function(fdir)
    cx = Ctx(Assembler(base=base, veneer_scratch=X[16]), frame, {})
    if sp_known:
        cx.sp_delta = frame.total_size
    return cx, meta


def _finish(cx):
    if not cx.a.is_bound(cx.hard_exit_label):
        cx.a.bind(cx.hard_exit_label)
    return cx.a.finalize().code


def test_scratch_avoids_named_registers():
    """A far stack-slot store of an immediate: CinderX uses X14 for both the
    value and the address (autogen.cpp:1979-1980); armjit keeps them apart."""
    cx, _ = _ctx(F, 0x10000, False)
    lower_instruction(cx, parse_instruction("[X29(-8000)]:64bit = Store 12345678(0xbc614e):64bit"))
    words = [f"{i.mnemonic} {i.op_str}" for i in _md.disasm(_finish(cx), 0x10000)]
    assert words == ["mov x14, #0x614e", "movk x14, #0xbc, lsl #16",
                     "mov x13, #-0x1f40", "str x14, [x29, x13]"]


def test_scratch_skips_input_register():
    """Lea with a far offset from a base held in X13 must not use X13 as the scratch."""
    cx, _ = _ctx(F, 0x10000, False)
    lower_instruction(cx, parse_instruction("       X0:Object = Lea [X13:Object + 0x123456]:Object"))
    words = [f"{i.mnemonic} {i.op_str}" for i in _md.disasm(_finish(cx), 0x10000)]
    assert all("x13" not in w.split(",", 1)[0] for w in words), words
    assert words[-1].startswith("add x0, x13") or "x13" in words[0].split(",", 1)[1]


def test_forbidden_opcode_is_named():
    cx, _ = _ctx(F, 0x10000, False)
    with pytest.raises(LoweringError, match="Phi"):
        lower_instruction(cx, parse_instruction("       X0:Object = Phi (BB%1, X1:Object), (BB%2, X2:Object)"))


def test_rules_cover_aarch64_opcodes():
    from armjit.lir.ops import OPS
    forbidden = {"Nop", "CVarArgCall", "VectorCall", "VectorCallTstate", "VarArgCall", "LoadArg",
                 "CondBranch", "Phi", "Return", "BranchToYieldExit", "X64Cdq", "X64Cqo", "X64Cwd"}
    missing = sorted(set(OPS) - set(RULES) - forbidden)
    assert missing == []
