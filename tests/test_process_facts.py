"""armjit.runtime.process: the live path's process facts, learned without asmjit's listing.

Host tier: the stage-2 deopt block reader against the listing-derived facts of
every dev-corpus function, the MOV-sequence decoder, the symbol cache.  The
symbol reader needs CinderX's aarch64 ``_cinderx.so`` (the target's site), so
those tests are in the target tier (no qemu needed).
"""

import json
import os
import struct

import pytest

from armjit.codegen.function import process_facts
from armjit.codegen.layout import entry_plan
from armjit.corpus.dev import function_dirs
from armjit.runtime import process
from armjit.emit import W, X, XZR, WZR
from armjit.emit.logical import encode_orr_imm
from armjit.emit.movewide import encode_movk
from armjit.runtime.process import (HELPER_SYMBOLS, ProcessFactsError,
                                    decode_constant_sequence, stage2_facts)


def _dirs():
    out = []
    for d in function_dirs():
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        with open(os.path.join(d, "asmjit.bin"), "rb") as f:
            binary = f.read()
        out.append((d, meta, binary, process_facts(d)))
    return out


DIRS = _dirs()


# ------------------------------------------------------------ MOV sequences

@pytest.mark.parametrize("words, value", [
    ([0xD29C001E], 0xE000),                                   # movz x30, #0xe000
    ([0xD29C001E, 0x72A01AFE], 0xD7E000),                     # + movk w30, #0xd7, lsl #16
    ([0xD2800020, 0xF2A00040, 0xF2C00060, 0xF2E00080],        # movz x0,#1; movk x0,#2,lsl16 ..
     0x0004_0003_0002_0001),
    ([0x92800000], 0xFFFF_FFFF_FFFF_FFFF),                    # movn x0, #0
    ([0x12800000], 0xFFFF_FFFF),                              # movn w0, #0
    ([0x92800000, 0x72A00020], 0x0001_FFFF),                  # movk w0 zeroes bits 63:32
    ([0xAA1F03FE], 0),                                        # mov x30, xzr
])
def test_decode_constant_sequence(words, value):
    assert decode_constant_sequence(words) == value


@pytest.mark.parametrize("value", [0xFF0000, 0x00FF_FF00, 0x5555_5555_5555_5555,
                                   0xFFFF_0000_FFFF_0000, 0x7FFF_FFFF_FFFF_FFFF])
def test_decode_constant_sequence_reads_the_orr_bitmask_form(value):
    """asmjit materialises a bitmask-encodable constant as ``orr xN, xzr, #imm``
    (Capstone: ``mov xN, #imm``): the loop workload's CodeRuntime* was one."""
    orr = encode_orr_imm(X[30], XZR, value)
    assert decode_constant_sequence([orr]) == value
    assert decode_constant_sequence([orr, encode_movk(X[30], 0x1234, 48)]) == \
        (value & ~(0xFFFF << 48)) | 0x1234 << 48
    assert decode_constant_sequence([encode_orr_imm(W[30], WZR, 0xFF00)]) == 0xFF00


@pytest.mark.parametrize("words", [
    [0xF2A00040],                      # a movk first
    [0xD2800020, 0xD2800040],          # two movz
    [0xD2800020, 0xF2A00041],          # movk of another register
    [0x52C00020],                      # movz w0 with hw=2 (unallocated)
    [0xD503201F],                      # nop
])
def test_decode_constant_sequence_refuses_what_is_not_one(words):
    assert decode_constant_sequence(words) is None


# ------------------------------------------------------------ stage-2 deopt block

def test_stage2_facts_equal_the_listing_facts_on_every_dev_corpus_function():
    with_deopt = 0
    for d, meta, binary, facts in DIRS:
        got = stage2_facts(binary, meta["code_address"])
        if "code_rt" in facts:
            assert got == (facts["code_rt"], facts["deopt_trampoline"]), d
            with_deopt += 1
        else:
            assert got is None, d
    assert with_deopt >= 100 and len(DIRS) >= 105


def _stage2(mov_words, adr=0x1000001C, stp=0xA9017BFC, b=0x17FFFF00):
    head = [0xD10103FF, 0xA90077FC, 0xA90337FE]
    return struct.pack(f"<{3 + len(mov_words) + 3}I", *head, *mov_words, adr, stp, b)


def test_stage2_facts_reads_a_synthetic_block():
    code = b"\x1f\x20\x03\xd5" * 2 + _stage2([0xD29C001E, 0x72A01AFE])
    base = 0x10000
    # b is at word 2 + 3 + 2 + 2 = 9: offset 36; imm26 = -0x100 words
    assert stage2_facts(code, base) == (0xD7E000, base + 36 - 0x400)


@pytest.mark.parametrize("bad", [
    _stage2([]),                                           # no mov x30
    _stage2([0xD29C001E], adr=0xD503201F),                 # no adr x28
    _stage2([0xD29C001E], stp=0xA9017BFD),                 # another stp
    _stage2([0xD29C001E], b=0x94000000),                   # bl, not b
])
def test_stage2_facts_refuses_a_block_of_another_shape(bad):
    with pytest.raises(ProcessFactsError, match="stage-2 deopt block"):
        stage2_facts(bad, 0x4000)


def test_stage2_facts_follows_asmjits_far_jump_stub():
    """CinderX's code beyond b's reach of the trampoline branches to a stub
    in the function (ldr x16, #8; br x16; .quad): the fact is the stub's
    literal -- the target compile_latency.py's 549 refusals showed it must be."""
    block = _stage2([0xD29C001E], b=0x14000002)          # b .+8: to the stub below
    stub = struct.pack("<2IQ", 0x58000050, 0xD61F0200, 0x55_0307_9000)
    code = block + b"\x1f\x20\x03\xd5" + stub
    assert stage2_facts(code, 0x7000) == (0xE000, 0x55_0307_9000)


def test_stage2_head_only_counts_at_word_boundaries():
    code = b"\x00\x00" + _stage2([0xD29C001E])[:-2]
    assert stage2_facts(code, 0) is None


# ------------------------------------------------------------ symbol cache

def test_symbol_cache_hits_misses_on_change_and_survives_a_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lib = tmp_path / "lib.so"
    lib.write_bytes(b"x" * 10)
    calls = []

    def fake(path, names):
        calls.append(path)
        return {n: 0x1000 + len(calls) for n in names}
    monkeypatch.setattr(process, "symbol_values", fake)
    first = process.cached_symbol_values(str(lib), ["a", "b"])
    assert first == {"a": 0x1001, "b": 0x1001} and len(calls) == 1
    assert process.cached_symbol_values(str(lib), ["a", "b"]) == first and len(calls) == 1
    lib.write_bytes(b"y" * 11)                               # rebuilt: another size/mtime
    assert process.cached_symbol_values(str(lib), ["a", "b"]) == {"a": 0x1002, "b": 0x1002}
    with open(process.cache_path(), "w") as f:
        f.write("{not json")
    assert process.cached_symbol_values(str(lib), ["a"]) == {"a": 0x1003}
    assert len(calls) == 3


# ------------------------------------------------------------ symbols (CinderX's .so)

def _cinderx_so():
    from armjit import target
    so = target.site_dir() / "_cinderx.so"
    if not so.is_file():
        pytest.fail(f"{so} is missing: run 'python -m armjit.target setup'")
    return str(so)


@pytest.mark.target
def test_symbol_values_equal_pyelftools_own_symbol_lookup():
    from elftools.elf.elffile import ELFFile
    so = _cinderx_so()
    names = list(HELPER_SYMBOLS.values()) + ["PyInit__cinderx"]
    got = process.symbol_values(so, names)
    with open(so, "rb") as f:
        tab = ELFFile(f).get_section_by_name(".symtab")
        want = {n: [s["st_value"] for s in tab.get_symbol_by_name(n)][0] for n in names}
    assert got == want
    with pytest.raises(ProcessFactsError, match="symbols not found: no_such_symbol"):
        process.symbol_values(so, ["no_such_symbol"])


@pytest.mark.target
def test_one_load_bias_explains_every_helper_address_of_the_dev_corpus():
    """The dev corpus was collected in one process: symbol + one page-aligned
    bias must give each function's listing-derived helper, with the helper
    chosen as ProcessFacts chooses it (GenerateArgcountCheckBlocks)."""
    syms = process.symbol_values(_cinderx_so(), HELPER_SYMBOLS.values())
    biases, n = set(), 0
    for d, meta, _binary, facts in DIRS:
        plan = entry_plan(meta)
        kw = ("callWithKeywordArgsSimple"
              if plan.checks_argcount and plan.num_args < process.SIMPLE_KW_MAX_ARGS
              else "callWithKeywordArgs")
        biases.add(facts["kw_helper"] - syms[HELPER_SYMBOLS[kw]])
        if "argcount_helper" in facts:
            biases.add(facts["argcount_helper"]
                       - syms[HELPER_SYMBOLS["callWithIncorrectArgcount"]])
        n += 1
    assert n >= 105 and len(biases) == 1
    assert biases.pop() % 4096 == 0



def test_symbol_cache_keeps_other_name_lists(tmp_path, monkeypatch):
    # two checkouts asking for different names share one cache file: neither
    # evicts the other (a miss imports nothing now, but costs a file read)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lib = tmp_path / "lib.so"
    lib.write_bytes(b"x" * 10)
    calls = []

    def fake(path, names):
        calls.append(tuple(names))
        return {n: 0x2000 + len(calls) for n in names}
    monkeypatch.setattr(process, "symbol_values", fake)
    assert process.cached_symbol_values(str(lib), ["a"]) == {"a": 0x2001}
    assert process.cached_symbol_values(str(lib), ["a", "b"]) == {"a": 0x2002, "b": 0x2002}
    assert process.cached_symbol_values(str(lib), ["a"]) == {"a": 0x2001}
    assert process.cached_symbol_values(str(lib), ["a", "b"]) == {"a": 0x2002, "b": 0x2002}
    assert calls == [("a",), ("a", "b")]
