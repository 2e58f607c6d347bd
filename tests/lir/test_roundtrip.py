"""Parser + printer: byte-exact round trip of every corpus dump, logs, fixtures."""

from __future__ import annotations

import json

import pytest

import armjit.lir as L
from armjit.cinderxlog import split_sections

from .conftest import DATA, STAGES


def test_every_corpus_dump_round_trips(corpus):
    bad = [(d.name, st) for d, st, text, fn in corpus if L.format(fn) != text]
    assert bad == []


def test_corpus_header_name_and_stage(corpus):
    for d, st, text, fn in corpus:
        meta = json.loads((d / "meta.json").read_text())
        assert fn.name == meta["fullname"]
        assert fn.stage == st
    # without the header: just the printer's text (no log newline)
    d, st, text, fn = corpus[0]
    body = L.format(fn, header=False)
    assert body.startswith("Function:\nBB %0")
    assert text == fn.header + "\n" + body + "\n"


def test_post_alloc_dumps_hold_no_vregs_pre_alloc_do(corpus):
    for d, st, text, fn in corpus:
        kinds = {op.kind for ins in fn.instructions() for op in ins.inputs}
        kinds |= {ins.output.kind for ins in fn.instructions() if ins.output is not None}
        assert ("v" in kinds) == (st in ("generation", "postgen", "legalized")), (d, st)


def test_read_log_yields_every_lir_section(raw_log):
    got = list(L.read_log(raw_log))
    assert [(q, s) for q, s, _ in got] == [
        (q, s) for q in ("__main__:f", "__main__:g") for s in STAGES]
    lir_secs = [s for s in split_sections(raw_log) if s.kind == "lir"]
    assert len(lir_secs) == 10
    for (q, s, fn), sec in zip(got, lir_secs):
        # the body is the printer's text plus the newline log.cpp appends
        assert L.format(fn, header=False) + "\n" == sec.text
        assert L.format(fn) == sec.header + "\n" + sec.text
        L.verify(fn)
    # the non-LIR sections (disassembly etc.) are skipped, not parsed
    assert any(s.kind == "asm" for s in split_sections(raw_log))


def test_log_section_with_known_content(raw_log):
    fns = {(q, s): fn for q, s, fn in L.read_log(raw_log)}
    post = fns[("__main__:f", "postalloc")]
    names = [ins.name for ins in post.instructions()]
    assert names[0] == "SetupFrame" and "EpilogueEnd" in names
    gen = fns[("__main__:f", "generation")]
    assert gen.blocks[0].id == 0 and gen.blocks[0].succs == [1]


def test_string_constants_with_newlines(corpus):
    """HIR comments whose string constants hold newlines: continuation lines
    that do not start with '#' stay attached to the comment group."""
    found = 0
    for d, st, text, fn in corpus:
        for b in fn.blocks:
            for o in b.origins:
                cont = [l for l in o.lines if not l.startswith("#")]
                if cont:
                    found += 1
                    assert any("LoadConst<" in l for l in o.lines)
                    assert o.lines[0].startswith("# ")
    # json.decoder JSONDecodeError.__init__ ("\n"), shlex ("\t\r\n..." etc.),
    # string.Template._compile_pattern (multi-line regex) -- in every stage
    assert found >= 25


def test_newline_string_constant_exact():
    text = (
        "Function:\n"
        "BB %0 - succs: %1\n"
        "\n"
        '# v40:ImmortalUnicodeExact["\n'
        '"] = LoadConst<ImmortalUnicodeExact["\n'
        '"]>\n'
        "      %53:Object = Move 11921760(0xb5e960):Object\n"
        "\n"
        "# v41:MortalUnicodeExact[\"\n"
        "\n"
        "BB %1 - preds: %0\"] = LoadConst<MortalUnicodeExact[\"\n"
        "\n"
        "BB %1 - preds: %0\"]>\n"
        "      %54:Object = Move 1(0x1):Object\n"
        "\n"
        "BB %1 - preds: %0\n"
        "                   Return %54:Object\n"
        "\n")
    fn = L.parse(text)
    assert [b.id for b in fn.blocks] == [0, 1]
    i0, i1 = fn.blocks[0].instructions
    assert i0.origin.lines[1] == '"] = LoadConst<ImmortalUnicodeExact["'
    assert len(i1.origin.lines) == 5       # blank and header-like lines are string text
    assert i1.origin.hir.startswith('v41:MortalUnicodeExact["\n\nBB %1 - preds: %0"]')
    assert L.format(fn) == text


def test_runtime_tests_fixtures_round_trip():
    data = json.loads((DATA / "cinderx_runtimetests_lir.json").read_text())
    assert len(data["fixtures"]) == 4
    for fx in data["fixtures"]:
        fn = L.parse(fx["text"])
        assert L.format(fn).strip("\n") == fx["text"].strip("\n"), (fx["file"], fx["line"])
    phi = L.parse(data["fixtures"][1]["text"]).blocks[0].instructions[0]
    assert phi.opcode == "Phi" and phi.phi_blocks == [1, 0]
    assert [str(v) for v in phi.inputs] == ["%11:Object", "%10:Object"]


@pytest.mark.parametrize("text, cls, fields", [
    ("%12:Object", L.VReg, {"id": 12, "dtype": "Object"}),
    ("X23:Object", L.Reg, {"num": 23, "dtype": "Object"}),
    ("W6:8bit", L.Reg, {"num": 6, "dtype": "8bit", "is_w": True}),
    ("D0:Double", L.Reg, {"num": 32, "is_fp": True}),
    ("SP:64bit", L.Reg, {"num": 0xFFFF, "is_sp": True}),
    ("XZR:Object", L.Reg, {"num": 31, "is_zr": True}),
    ("WZR:32bit", L.Reg, {"num": 31, "is_w": True}),
    ("365086377712(0x5500d806f0):Object", L.Imm, {"value": 0x5500d806f0}),
    ("18446744073709551600(0xfffffffffffffff0):64bit", L.Imm,
     {"value": 2**64 - 16, "signed": -16}),
    ("[X22:Object + 0x48]:Object", L.Ind, {"offset": 0x48, "index": None, "scale": 0}),
    ("[%5:Object + %6:64bit * 8 + 0x10]:Object", L.Ind, {"offset": 16, "scale": 3}),
    ("[X5:Object + X5:Object * 8 + 0x8]:Object", L.Ind, {"offset": 8, "scale": 3}),
    ("[%4:64bit - 0x16]:Object", L.Ind, {"offset": -0x16}),
    ("[%2:64bit + %3:64bit]:32bit", L.Ind, {"scale": 0, "dtype": "32bit"}),
    ("[0x5501a00000]:64bit", L.Mem, {"address": 0x5501a00000}),
    ("[X29(-144)]:64bit", L.Stack, {"offset": -144}),
    ("[X29(16)]:Object", L.Stack, {"offset": 16}),
    ("BB%39", L.Label, {"block": 39}),
    ("<!!!None!!!>:Object", L.NoneOperand, {}),
])
def test_operand_kinds(text, cls, fields):
    op = L.parse_operand(text)
    assert type(op) is cls
    for k, v in fields.items():
        assert getattr(op, k) == v, k
    assert str(op) == text
    # a freshly constructed operand (no cached text) prints the same
    op._text = None
    assert str(op) == text


def test_constructed_function_prints_like_cinderx():
    o = L.Origin(["# v9:Nullptr = LoadConst<Nullptr>"])
    fn = L.Function([
        L.BasicBlock(0, succs=[1]),
        L.BasicBlock(1, preds=[0], section=".coldtext", instructions=[
            L.Instruction("Move", L.VReg(7), [L.Imm(0, "Object")], origin=o),
            L.Instruction("Store", L.Ind(L.Reg("X22"), offset=0x38), [L.Reg("X0")], origin=o),
            L.Instruction("BranchCC", None, [L.Label(3)], cond=L.Condition.SignedGE),
            L.Instruction("Compare", L.Reg("W0", "8bit"), [L.Reg("X1"), L.Imm(2**64 - 8)],
                          cond=L.Condition.UnsignedLT),
            L.Instruction("Load", L.Reg("X1", "64bit"), [L.Stack(-8, "64bit")],
                          mem_order=L.MemoryOrder.Relaxed),
        ])])
    assert L.format(fn) == (
        "Function:\n"
        "BB %0 - succs: %1\n"
        "\n"
        "BB %1 - preds: %0 - section: .coldtext\n"
        "\n"
        "# v9:Nullptr = LoadConst<Nullptr>\n"
        "       %7:Object = Move 0(0x0):Object\n"
        "[X22:Object + 0x38]:Object = Store X0:Object\n"
        "                   BranchGE BB%3\n"
        "         W0:8bit = LessThanUnsigned X1:Object, "
        "18446744073709551608(0xfffffffffffffff8):64bit\n"
        "        X1:64bit = LoadRelaxed [X29(-8)]:64bit\n"
        "\n")
