"""Per-opcode table tests for armjit.codegen.lower.

Each case is one post-alloc LIR instruction of the dev corpus and the offset
of its expansion in asmjit's code for the same function: the expected words are
read from that function's asmjit.bin (CinderX's own emission, an independent
oracle), and the expected text from Capstone.  The instruction is lowered alone
into an Assembler placed at the same address (so PC-relative forms match).
"""

import json

import capstone
import pytest

from armjit.codegen.layout import frame_layout
from armjit.codegen.lower import RULES, Ctx, LoweringError, lower_instruction
from armjit.corpus.dev import corpus_dir
from armjit.emit import Assembler, X
from armjit.lir import parse, parse_instruction

_md = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)

F = "string/Formatter.check_unused_args"
# (function, LIR line, offset in asmjit.bin, number of words, SP known, asmjit text)
CASES = [
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
]


def _finish(cx):
    if not cx.a.is_bound(cx.hard_exit_label):
        cx.a.bind(cx.hard_exit_label)
    return cx.a.finalize().code


def _ctx(fdir, base, sp_known):
    d = corpus_dir() / fdir
    meta = json.loads((d / "meta.json").read_text())
    frame = frame_layout(parse((d / "postalloc.lir").read_text()), meta)
    a = Assembler(base=base, veneer_scratch=X[16])
    cx = Ctx(a, frame, {})
    if sp_known:
        cx.sp_delta = frame.total_size
    return cx, meta


@pytest.mark.parametrize("fdir,line,off,n,sp_known,text", CASES,
                         ids=[c[1].strip()[:40] for c in CASES])
def test_lowering_matches_asmjit(fdir, line, off, n, sp_known, text):
    d = corpus_dir() / fdir
    meta = json.loads((d / "meta.json").read_text())
    ref = (d / "asmjit.bin").read_bytes()[off:off + 4 * n]
    cx, _ = _ctx(fdir, meta["code_address"] + off, sp_known)
    ins = parse_instruction(line)
    lower_instruction(cx, ins)
    got = _finish(cx)
    got_text = "; ".join(f"{i.mnemonic} {i.op_str}".strip()
                         for i in _md.disasm(got, meta["code_address"] + off))
    ref_text = "; ".join(f"{i.mnemonic} {i.op_str}".strip()
                         for i in _md.disasm(ref, meta["code_address"] + off))
    assert ref_text == text          # the table documents asmjit's choice
    assert got.hex() == ref.hex(), (got_text, ref_text)


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
