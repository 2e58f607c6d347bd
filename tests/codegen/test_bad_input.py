"""compile_dump refuses bad corpus directories with a documented ArmjitError
(armjit.errors) -- never another exception, a hang, or code from inconsistent facts."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from armjit.codegen.frame import FrameLayoutError
from armjit.codegen.function import compile_dump, compile_function, process_facts
from armjit.codegen.lower import LoweringError
from armjit.codegen.meta import META_SCHEMA, MetaError, check_meta
from armjit.corpus.dev import corpus_dir
from armjit.errors import ArmjitError, DumpError
from armjit.lir import LIRParseError, LIRVerifyError, parse

NAME = "colorsys/_v"


@pytest.fixture
def fdir(tmp_path):
    d = tmp_path / "f"
    shutil.copytree(corpus_dir() / NAME, d)
    return d


def _meta(d, **changes):
    meta = json.loads((d / "meta.json").read_text())
    for k, v in changes.items():
        if v is ...:
            del meta[k]
        else:
            meta[k] = v
    (d / "meta.json").write_text(json.dumps(meta))


def _refused(d, exc=ArmjitError, match=None, address=None):
    with pytest.raises(exc, match=match) as ei:
        compile_dump(d, address)
    assert isinstance(ei.value, ArmjitError)
    assert "\n" not in str(ei.value)
    return ei.value


def test_every_documented_error_is_an_armjit_error():
    for e in (DumpError, MetaError, LIRParseError, LIRVerifyError, LoweringError,
              FrameLayoutError):
        assert issubclass(e, ArmjitError)


def test_the_sample_compiles(fdir):
    assert compile_dump(fdir).code


# ------------------------------------------------------------------ the directory

@pytest.mark.parametrize("name", ["meta.json", "postalloc.lir", "asmjit.asm", "asmjit.bin"])
def test_missing_file(fdir, name):
    (fdir / name).unlink()
    e = _refused(fdir, DumpError, f"{name} is missing")
    assert e.path == fdir / name


def test_not_a_directory(tmp_path):
    _refused(tmp_path / "nosuch", DumpError, "no such directory")
    (tmp_path / "file").write_text("x")
    _refused(tmp_path / "file", DumpError, "not a directory")


def test_meta_not_json(fdir):
    (fdir / "meta.json").write_text('{"argcount": 3,')
    _refused(fdir, MetaError, "meta.json: not JSON")
    (fdir / "meta.json").write_text("[1, 2]")
    _refused(fdir, MetaError, "must hold a JSON object, not list")
    (fdir / "meta.json").write_bytes(b'{"x": "\xff"}')
    _refused(fdir, DumpError, "not UTF-8")


def test_lir_not_utf8(fdir):
    (fdir / "postalloc.lir").write_bytes((fdir / "postalloc.lir").read_bytes() + b"\xff\xfe")
    _refused(fdir, DumpError, "postalloc.lir: not UTF-8")


# ------------------------------------------------------------------ meta.json schema

@pytest.mark.parametrize("field, value, match", [
    ("argcount", -1, "'argcount' = -1 is out of range: legal 0..65535"),
    ("argcount", 2**64, "'argcount' = 0x10000000000000000 is out of range"),
    ("argcount", "3", "'argcount' must be int, not string"),
    ("argcount", True, "'argcount' must be int, not boolean"),
    ("argcount", 3.0, "'argcount' must be int, not number"),
    ("argcount", ..., "'argcount' is missing"),
    ("kwonlyargcount", -5, "'kwonlyargcount' = -5 is out of range"),
    ("kwonlyargcount", 10**30, "'kwonlyargcount' = .* is out of range"),
    ("flags", -1, "'flags' = -1 is out of range"),
    ("flags", 2**32, "'flags' = 0x100000000 is out of range"),
    ("flags", None, "'flags' must be int, not null"),
    ("spill_stack_size", 2**40, "'spill_stack_size' = 0x10000000000 is out of range: "
                                "legal 0..32767"),
    ("spill_stack_size", -8, "'spill_stack_size' = -8 is out of range"),
    ("spill_stack_size", 124, "'spill_stack_size' = 124 is not a multiple of 8"),
    ("stack_size", 2**20, "'stack_size' = 0x100000 is out of range"),
    ("stack_size", None, "'stack_size' must be int, not null"),
    ("stack_size", ..., "'stack_size' is missing"),
    ("stack_size", 168, "'stack_size' = 168 is not a multiple of 16"),
    ("code_address", -4, "'code_address' -4 is not a code address"),
    ("code_address", 2**64, "'code_address' 0x10000000000000000 is not a code address"),
    ("code_address", 0x5502e09c32, "is not a code address: it must be a multiple of 4"),
    ("code_address", "0x10", "'code_address' must be an integer, not str"),
    ("deopt_trampoline", 2**48, "'deopt_trampoline' 0x1000000000000 is not a code address"),
    ("vectorcall_entry", 0x10, "vectorcall_entry 0x10 is not code_address \\+ 12"),
    ("posonlyargcount", 9, "posonlyargcount 9 exceeds argcount 3"),
    ("compiled_size", 0, "'compiled_size' = 0 is out of range"),
])
def test_meta_schema(fdir, field, value, match):
    _meta(fdir, **{field: value})
    e = _refused(fdir, MetaError, match)
    assert str(fdir / "meta.json") in str(e)


def test_a_spill_stack_size_that_is_not_cinderx_frame_is_refused(fdir):
    # in range, but the frame it implies is not meta.json's stack_size
    meta = json.loads((fdir / "meta.json").read_text())
    _meta(fdir, spill_stack_size=meta["spill_stack_size"] + 16)
    _refused(fdir, FrameLayoutError, "get_compiled_stack_size")


def test_huge_spill_stack_size_is_refused_before_any_work(fdir):
    # (it used to itemise one 8-byte slot per 8 bytes: memory grew without bound)
    _meta(fdir, spill_stack_size=2**62)
    t0 = time.perf_counter()
    _refused(fdir, MetaError, "spill_stack_size")
    assert time.perf_counter() - t0 < 1.0


def test_compile_function_checks_meta_and_facts_first(fdir):
    meta = json.loads((fdir / "meta.json").read_text())
    text = (fdir / "postalloc.lir").read_text()
    facts = process_facts(fdir)
    fn = parse(text)
    with pytest.raises(MetaError, match="argcount"):
        compile_function(fn, {**meta, "argcount": -1}, facts, meta["code_address"])
    with pytest.raises(MetaError, match="spill_stack_size"):
        compile_function(fn, {**meta, "spill_stack_size": 2**60}, facts, 0)
    with pytest.raises(MetaError, match="kw_helper"):
        compile_function(fn, meta, {**facts, "kw_helper": -1}, 0)
    with pytest.raises(MetaError, match="not a code address"):
        compile_function(fn, meta, facts, 2**64)


def test_schema_covers_what_codegen_reads():
    for k in ("flags", "argcount", "kwonlyargcount", "spill_stack_size", "stack_size",
              "code_address", "deopt_trampoline", "vectorcall_entry"):
        assert k in META_SCHEMA
    with pytest.raises(MetaError):
        check_meta({"flags": 0, "argcount": 0, "spill_stack_size": 0})   # no code_address


# ------------------------------------------------------------------ address

@pytest.mark.parametrize("address", [-4, -1, 2, 0x1002, 2**48, 2**64, -(2**63)])
def test_bad_address(fdir, address):
    _refused(fdir, MetaError, "not a code address", address=address)


def test_address_range_edges(fdir):
    assert compile_dump(fdir, 0).address == 0
    _refused(fdir, DumpError, "run past the end of user space", address=2**48 - 4)


# ------------------------------------------------------------------ consistency

def test_truncated_binary_is_refused(fdir):
    b = (fdir / "asmjit.bin").read_bytes()
    (fdir / "asmjit.bin").write_bytes(b[:len(b) // 2])
    _refused(fdir, DumpError, "asmjit.bin: .* bytes, but meta.json's compiled_size is")


def test_compiled_size_is_required(fdir):
    # without it a truncated asmjit.bin (helper stubs cut off) could go unnoticed
    _meta(fdir, compiled_size=...)
    _refused(fdir, MetaError, "'compiled_size' is missing")


def test_helper_address_inside_asmjit_code_must_be_a_stub(fdir):
    # a bl into asmjit's own code that is not a far-call stub would be
    # "resolved" to asmjit's code: refuse
    asm = (fdir / "asmjit.asm").read_text()
    b = bytearray((fdir / "asmjit.bin").read_bytes())
    meta = json.loads((fdir / "meta.json").read_text())
    i = asm.index("bl #0x")                 # the kw_helper call, first in the listing
    at = int(asm[asm.rindex("0x", 0, i):].split(":")[0], 16)
    target = meta["code_address"] + 0x40     # inside the code, not a stub
    b[at - meta["code_address"]:at - meta["code_address"] + 4] = \
        (0x94000000 | (((target - at) >> 2) & 0x3FFFFFF)).to_bytes(4, "little")
    j = asm.index("\n", i)
    (fdir / "asmjit.asm").write_text(asm[:i] + f"bl #{target:#x}" + asm[j:])
    (fdir / "asmjit.bin").write_bytes(bytes(b))
    _refused(fdir, DumpError, "kw_helper .* points into asmjit's own code")


def test_listing_and_binary_must_agree(fdir):
    asm = (fdir / "asmjit.asm").read_text()
    i = asm.index("bl #0x")
    j = asm.index("\n", i)
    (fdir / "asmjit.asm").write_text(asm[:i] + "bl #0x1000" + asm[j:])
    _refused(fdir, DumpError, "is not the instruction asmjit.bin holds there")


def test_listing_starts_at_code_address(fdir):
    meta = json.loads((fdir / "meta.json").read_text())
    _meta(fdir, code_address=meta["code_address"] + 16, vectorcall_entry=...)
    _refused(fdir, DumpError, "the listing starts at")


def test_garbled_fact_line(fdir):
    asm = (fdir / "asmjit.asm").read_text()
    (fdir / "asmjit.asm").write_text(asm.replace("bl #0x", "bl #0xzz", 1))
    _refused(fdir, DumpError)


# ------------------------------------------------------------------ LIR

def test_move_without_operand_is_a_verify_error(fdir):
    # it parsed, then failed in lowering with IndexError
    lir = (fdir / "postalloc.lir").read_text()
    lir = lir.replace("X19:64bit = Move X0:64bit", "X19:64bit = Move", 1)
    (fdir / "postalloc.lir").write_text(lir)
    _refused(fdir, LIRVerifyError, "Move takes 1..1 inputs, has 0")


def test_branch_to_missing_block_is_a_verify_error(fdir):
    lir = (fdir / "postalloc.lir").read_text()
    k = lir.index("Branch BB%")
    j = lir.index("\n", k)
    (fdir / "postalloc.lir").write_text(lir[:k] + "Branch BB%2147483647" + lir[j:])
    _refused(fdir, LIRVerifyError)


def test_garbled_lir_is_a_parse_error(fdir):
    (fdir / "postalloc.lir").write_text("Function:\nBB %0\n       X0:Object = Frobnicate\n")
    e = _refused(fdir, LIRParseError, "unknown opcode")
    assert (e.line, e.column) == (3, 20)


# ------------------------------------------------------------------ facts vs asmjit.bin

def test_code_rt_must_be_what_the_binary_loads(fdir):
    # an edited listing would have put a wrong CodeRuntime* into the deopt exit
    asm = (fdir / "asmjit.asm").read_text()
    i = asm.index("Deoptimization exits")
    j = asm.index("mov x30, #0x", i)
    (fdir / "asmjit.asm").write_text(asm[:j] + "mov x30, #0x6000" + asm[j + len("mov x30, #0x5000"):])
    assert "mov x30, #0x5000" in asm[i:]
    _refused(fdir, DumpError, "code_rt .* is not the value asmjit.bin's deopt exit loads")


def test_deopt_trampoline_must_be_where_the_exit_branches(fdir):
    _meta(fdir, deopt_trampoline=0x5502DE9100)
    _refused(fdir, DumpError, "the deopt exit branches to 0x5502de9000, not to meta.json's "
                              "deopt_trampoline 0x5502de9100")


def test_generator_uses_its_own_deopt_trampoline():
    # CinderX's generators jump to a generator-mode trampoline (heapq:merge:
    # 0x5502e025f0), not to the shared one meta.json names; armjit jumped to
    # the shared one (wrong code on a deopt)
    d = corpus_dir() / "heapq/merge"
    facts = process_facts(d)
    assert facts["deopt_trampoline"] == 0x5502E025F0
    assert json.loads((d / "meta.json").read_text())["deopt_trampoline"] == 0x5502DE9000
    cf = compile_dump(d)
    at = cf.labels["stage2"] + 7 * 4          # sub, stp, stp, mov, movk, adr, stp, b
    word = int.from_bytes(cf.code[at:at + 4], "little")
    assert word == 0x14000000 | (((0x5502E025F0 - (cf.address + at)) >> 2) & 0x3FFFFFF)


def test_yield_points_must_be_what_the_binary_stores(tmp_path):
    d = tmp_path / "merge"
    shutil.copytree(corpus_dir() / "heapq/merge", d)
    asm = (d / "asmjit.asm").read_text()
    assert "mov x13, #0x5ec0" in asm
    (d / "asmjit.asm").write_text(asm.replace("mov x13, #0x5ec0", "mov x13, #0x5ed0", 1))
    _refused(d, DumpError, "GenYieldPoint")


def test_facts_are_checked_whatever_the_line_breaks(fdir):
    # a listing with other line breaks goes through process_facts' per-line
    # reader; its facts are checked against the binary all the same
    asm = (fdir / "asmjit.asm").read_text()
    (fdir / "asmjit.asm").write_text(asm.replace("\n", "\r\n"))
    assert compile_dump(fdir).code == compile_dump(corpus_dir() / NAME).code
    i = asm.index("Deoptimization exits")
    j = asm.index("mov x30, #0x", i)
    bad = asm[:j] + "mov x30, #0x6000" + asm[j + len("mov x30, #0x5000"):]
    (fdir / "asmjit.asm").write_text(bad.replace("\n", "\r\n"))
    _refused(fdir, DumpError, "code_rt")


@pytest.mark.parametrize("changes, match", [
    ({"argcount": 2}, "make 2 arguments, but the listing's 'Load vectorcall arguments' is not "
                      "the one for 2"),
    ({"argcount": 4}, "make 4 arguments, but the listing's 'Load vectorcall arguments'"),
    ({"flags": 3 | 0x4}, "make 4 arguments"),                     # CO_VARARGS: *args
    ({"flags": 3 | 0x4, "argcount": 2}, "say the function takes \\*args"),
    ({"kwonlyargcount": 1}, "make 4 arguments"),
])
def test_argument_counts_must_be_the_compiled_ones(fdir, changes, match):
    # in range, but not what CinderX compiled: armjit would load the wrong arguments
    _meta(fdir, **changes)
    _refused(fdir, MetaError, match)


def test_argcount_check_must_be_in_the_binary(fdir):
    meta = json.loads((fdir / "meta.json").read_text())
    asm = (fdir / "asmjit.asm").read_text()
    i = asm.index("cmp w2, #3")
    at = int(asm[asm.rindex("0x", 0, i):].split(":")[0], 16) - meta["code_address"]
    b = bytearray((fdir / "asmjit.bin").read_bytes())
    b[at:at + 4] = (0x7100005F | (4 << 10)).to_bytes(4, "little")      # cmp w2, #4
    (fdir / "asmjit.bin").write_bytes(bytes(b))
    _refused(fdir, DumpError, "'cmp w2, #3' at .* is not the instruction asmjit.bin holds")
