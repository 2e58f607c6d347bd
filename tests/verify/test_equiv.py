"""The Unicorn equivalence harness (armjit.verify.equiv) on asmjit's own code.

* Hand-assembled functions (Keystone encodes them) pin down exactly what a run
  records: heap writes, calls with code-relative arguments, deopt, return ABI
  checks, timeout.
* Every corpus function: asmjit's code against itself is equivalent (two
  independent runs give identical traces) and the runs make progress.
* asmjit's code relocated to another address (pc-relative instructions
  re-encoded; Capstone checks every new target) is still equivalent.
* Mutated copies (immediates, branch conditions, store offsets, call targets,
  cbz/tbz senses, mov immediates) of executed instructions are detected.
"""

from __future__ import annotations

import random
import re
import struct
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from armjit.corpus.dev import function_dirs
from armjit.verify import equiv as E
from tests.emit.oracles import disasm, ks_words

MAX_INSNS = 5000
SELF_SEEDS = (0, 1, 5)           # random args, typed args, re-entry (see equiv.worlds)
RELOC_DELTA = 0x123_4560         # not a page multiple: adrp pages must be recomputed


@lru_cache(maxsize=None)
def corpus():
    return [(d, E.load_function(d)) for d in function_dirs()]


@lru_cache(maxsize=None)
def baseline():
    """name -> [(world, trace)] for asmjit's code under SELF_SEEDS, with coverage."""
    out = {}
    for d, info in corpus():
        out[info.name] = [(w, E.run_world(info.code, info.address, info.entry, info, w,
                                          MAX_INSNS, coverage=True))
                          for w in E.worlds(info, SELF_SEEDS)]
    return out


def ids():
    return [info.name for _, info in corpus()]


# ------------------------------------------------------------ hand-made code

BASE = 0x41_0000
HELPER = 0x40_0000
TRAMP = 0x42_0000


def assemble(lines, address=BASE) -> bytes:
    words = ks_words("\n".join(lines), address)
    assert words is not None, lines
    return struct.pack(f"<{len(words)}I", *words)


PROLOGUE = ["stp x29, x30, [sp, #-16]!", "mov x29, sp"]
EPILOGUE = ["ldp x29, x30, [sp], #16", "ret"]


def test_records_heap_write_call_and_return():
    code = assemble(PROLOGUE + [
        "ldr x9, [x1]",                  # args[0]
        "str x9, [x0, #0x10]",           # heap write into the function object
        "str x9, [sp, #-0x20]",          # native frame: private
        "adr x2, .",                      # its own address (+0x14): a code argument
        f"bl #{HELPER:#x}",
        "mov x19, x19",
    ] + EPILOGUE)
    w = E.World(seed=3, args=(None, None))
    t = E.run_function(code, BASE, BASE, w)
    assert t.effects[0] == ("write", E.OBJ_BASE + 0x10, 8, E.OBJ_BASE + 0x100)
    kind, target, xs, ds, frame, sp = t.effects[1]
    assert (kind, target, sp) == ("call", HELPER, -16)
    assert xs[0] == E.OBJ_BASE and xs[1] == E.ARGS_ARRAY and xs[2] == E.Code(20)
    assert frame is None and len(t.effects) == 2
    assert t.kind == "return" and t.stop[4] == ()
    assert E.WORLD_BASE <= t.stop[1] < E.WORLD_BASE + E.WORLD_SPAN
    # Deterministic: a second run is identical.
    assert E.compare(t, E.run_function(code, BASE, BASE, w)).equivalent


def test_offset_map_relates_different_layouts():
    body = ["adr x2, .", f"bl #{HELPER:#x}"] + EPILOGUE
    a = assemble(PROLOGUE + body)
    b = assemble(PROLOGUE + ["nop"] + body)          # same behaviour, offsets +4 after +8
    ta = E.run_function(a, BASE, BASE, E.World())
    tb = E.run_function(b, BASE, BASE, E.World())
    v = E.compare(ta, tb)
    assert not v and v.reason == "effect #0: call 0x400000: x2 code+0x8 vs code+0xc"
    m = {o + 4: o for o in range(8, len(a), 4)}
    m.update({0: 0, 4: 0x4})
    tb = E.run_function(b, BASE, BASE, E.World(), offset_map=m)
    assert E.compare(ta, tb).equivalent
    del m[0xc]
    tb = E.run_function(b, BASE, BASE, E.World(), offset_map=m)
    assert not E.compare(ta, tb).equivalent


def test_far_stub_and_local_bl_are_external_calls():
    # bl to a local 16-byte stub: ldr x16, [pc, #8]; br x16; .quad target
    body = PROLOGUE + ["bl . + 0xc"] + EPILOGUE            # 5 instructions: stub at +0x14
    code = assemble(body) + assemble(["ldr x16, . + 8", "br x16"], BASE + 0x14) \
        + struct.pack("<Q", 0x7766_5544_3320)
    t = E.run_function(code, BASE, BASE, E.World())
    assert [e[:2] for e in t.effects] == [("call", 0x7766_5544_3320)]
    assert t.kind == "return"


def test_callee_saved_clobber_and_sp_are_reported():
    code = assemble(PROLOGUE + ["mov x19, #5", "fmov d9, #1.0"] + EPILOGUE)
    t = E.run_function(code, BASE, BASE, E.World())
    assert t.stop[4] == ("x19 not restored", "d9 not restored")
    v = E.compare(t, t)
    assert not v and "x19 not restored" in v.reason


def test_caller_saved_registers_do_not_survive_calls():
    code = assemble(PROLOGUE + ["mov x9, #7", f"bl #{HELPER:#x}", "str x9, [x0]"] + EPILOGUE)
    t = E.run_function(code, BASE, BASE, E.World())
    kind, addr, size, value = t.effects[1]
    assert kind == "write" and size == 8 and value != 7


def test_deopt_event_records_index_and_slots():
    code = assemble(PROLOGUE + [
        "mov x13, #5",
        "bl . + 4",                       # stage 1 (+0xc) -> stage 2 at +0x10
        "sub sp, sp, #0x40",             # stage 2
        "stp x28, x29, [sp]",
        "stp x30, x13, [sp, #0x30]",
        "mov x30, #0x1234",
        "adr x28, . - 4",                # at +0x20: the "epilogue" at +0x1c
        "stp x28, x30, [sp, #0x10]",
        f"b #{TRAMP:#x}",
    ])
    t = E.run_function(code, BASE, BASE, E.World(), deopt_target=TRAMP, frame_bytes=32)
    assert t.kind == "deopt"
    kind, target, regs, slots, frame, sp = t.effects[-1]
    assert kind == "deopt" and target == TRAMP and sp == -16 - 0x40
    assert dict(regs)[13] == 5
    slots = dict(slots)
    assert slots[7] == 5 and slots[3] == 0x1234
    assert slots[6] == E.Code(0x10)      # lr: after the stage-1 bl
    assert slots[2] == E.Code(0x1c)
    assert slots[1] == E.ENTRY_SP - 16   # fp
    assert len(frame) == 4               # frame_bytes below the frame record


def test_timeout_and_fault_stops():
    t = E.run_function(assemble(["b #0x410000"]), BASE, BASE, E.World(), max_insns=1000)
    assert t.kind == "timeout" and t.stop[1] == E.Code(0)
    t = E.run_function(assemble(["movz x9, #0xffff, lsl #48", "ldr x0, [x9]", "ret"]),
                       BASE, BASE, E.World())
    assert t.kind == "fault" and t.stop[1] == E.Code(4)


FAULT = ["movz x9, #0xffff, lsl #48", "ldr x0, [x9]"]      # an address never mapped


def test_fault_at_an_unmapped_pc_compares_by_what_and_instruction():
    # Regression (ipaddress:IPv6Address.__eq__ in a fresh corpus): both codes
    # fault on the same read of the same address, at the same instruction, but
    # the fault PC is no landmark in the second layout: it was recorded as
    # code+-0x11 and never matched the reference's code+0xc.
    a = assemble(PROLOGUE + FAULT + EPILOGUE)
    b = assemble(PROLOGUE + ["nop"] + FAULT + EPILOGUE)     # the ldr at +0x10, not +0xc
    m = {0: 0, 4: 4}                                        # the landmarks: prologue only
    ta = E.run_function(a, BASE, BASE, E.World())
    tb = E.run_function(b, BASE, BASE, E.World(), offset_map=m)
    assert ta.stop == ("fault", E.Code(0xc), f"read {0xffff << 48}", "ldr x0, [x9]")
    assert tb.stop == ("fault", E.Code(-0x11), f"read {0xffff << 48}", "ldr x0, [x9]")
    assert E.compare(ta, tb, landmarks={0, 4}).equivalent
    assert E.compare(tb, ta, landmarks={0, 4}).equivalent
    assert E.compare(ta, tb).equivalent                     # landmarks unknown
    # ... but the reference faulting at a landmark is another place for sure,
    v = E.compare(ta, tb, landmarks={0, 4, 0xc})
    assert not v and v.reason == "fault: pc code+0xc vs code+-0x11"
    # another instruction faulting on the same address is a difference,
    c = assemble(PROLOGUE + ["nop"] + FAULT[:1] + ["ldr w0, [x9]"] + EPILOGUE)
    tc = E.run_function(c, BASE, BASE, E.World(), offset_map=m)
    v = E.compare(ta, tc, landmarks={0, 4})
    assert not v and v.reason == "fault: instruction 'ldr x0, [x9]' vs 'ldr w0, [x9]'"
    # and so is the same instruction faulting on another address.
    d = assemble(PROLOGUE + ["nop", "movz x9, #0xfffe, lsl #48", FAULT[1]] + EPILOGUE)
    td = E.run_function(d, BASE, BASE, E.World(), offset_map=m)
    v = E.compare(ta, td, landmarks={0, 4})
    assert not v and v.reason == f"fault: what 'read {0xffff << 48}' vs 'read {0xfffe << 48}'"
    # Mapped PCs are still compared exactly.
    tb2 = E.run_function(b, BASE, BASE, E.World(), offset_map={0: 0, 4: 4, 0x10: 0x8})
    v = E.compare(ta, tb2, landmarks={0, 4, 8})
    assert not v and v.reason == "fault: pc code+0xc vs code+0x8"


REGRESS = Path(__file__).resolve().parents[1] / "data" / "regress"


@pytest.mark.parametrize("name", ["IPv6Address.__eq__", "IPv6Address._explode_shorthand_ip_string"])
def test_ipaddress_closure_fault_is_equivalent(name):
    # The two functions `armjit.corpus check` called not equivalent in a fresh
    # 549-function corpus.  In the re-entry world (seed 5) the prologue's
    # LoadField func_closure reads the fake function object, whose +0x48 word
    # is a world value; LoadTupleItem<0> of it gives an address above 2**48, and
    # the Incref of the cell (ldr w0, [x24/x25]) faults at +0xe0 in both codes
    # after identical effects.  armjit's +0xe0 is no landmark.
    from armjit.codegen.function import compile_dump
    from armjit.verify.landmarks import offset_map
    d = REGRESS / "ipaddress" / name
    cf = compile_dump(d)
    m = offset_map(cf, d)
    v = E.prove(d, cf.code, cf.address, cf.vectorcall_entry, tuple(range(7)), max_insns=10_000,
                armjit_offsets=m)
    assert v.equivalent and v.runs == 7, v.reason
    info = E.load_function(d)
    w = E.worlds(info, [5])[0]
    ta = E.run_world(info.code, info.address, info.entry, info, w, 10_000)
    tb = E.run_world(cf.code, cf.address, cf.vectorcall_entry, info, w, 10_000, offset_map=m)
    assert ta.kind == tb.kind == "fault" and ta.effects == tb.effects
    assert ta.stop[2] == tb.stop[2] and int(ta.stop[2].split()[1]) >= E.ADDR_LIMIT
    assert ta.stop[3] == tb.stop[3] and ta.stop[3].startswith("ldr w0, [x2")
    assert E.compare(ta, tb, landmarks=frozenset(m.values())).equivalent


def test_fault_outside_the_code_or_undecodable_has_no_instruction_text():
    # A fault at an undecodable word of the code: no text, so the PC must match.
    code = assemble(PROLOGUE) + struct.pack("<I", 0xFFFFFFFF)
    t = E.run_function(code, BASE, BASE, E.World())
    assert t.kind == "fault" and t.stop[1] == E.Code(8) and t.stop[3] is None
    u = E.run_function(assemble(PROLOGUE + ["nop"]) + struct.pack("<I", 0xFFFFFFFF), BASE, BASE,
                       E.World(), offset_map={0: 0, 4: 4})
    assert u.stop[1] == E.Code(-0xd) and u.stop[2] == t.stop[2]
    v = E.compare(t, u, landmarks={0, 4})
    assert not v and v.reason == "fault: pc code+0x8 vs code+-0xd"


def test_compare_explains_first_difference():
    a = E.Trace(effects=[("write", 0x1000, 8, 1), ("call", 0x4000, (1, 2), (0, 0), None, -16)],
                stop=("return", 5, 0, 0, ()))
    b = E.Trace(effects=[("write", 0x1000, 8, 1), ("call", 0x4000, (1, 3), (0, 0), None, -16)],
                stop=("return", 5, 0, 0, ()))
    v = E.compare(a, b)
    assert not v and v.reason == "effect #1: call 0x4000: x1 0x2 vs 0x3"
    c = E.Trace(effects=a.effects[:1], stop=("deopt",))
    assert "only the first run has call 0x4000" in E.compare(a, c).reason
    d = E.Trace(effects=list(a.effects), stop=("return", 6, 0, 0, ()))
    assert E.compare(a, d).reason == "return: x0 0x5 vs 0x6"
    e = E.Trace(effects=list(a.effects), stop=("return", 5, 9, 9, ()))
    assert E.compare(a, e).equivalent and not E.compare(a, e, primitive=True).equivalent
    t1 = E.Trace(effects=a.effects[:1], stop=("timeout", E.Code(0)))
    v = E.compare(t1, a)
    assert v.equivalent and v.inconclusive
    f = E.Trace(effects=[a.effects[0], a.effects[1][:5] + (-32,)], stop=a.stop)
    assert E.compare(a, f).reason == "effect #1: call 0x4000: sp at entry-0x10 vs entry-0x20"


# ------------------------------------------------------------ the corpus

def test_corpus_present():
    assert len(corpus()) == 105


@pytest.mark.parametrize("idx", range(105), ids=lambda i: str(i))
def test_self_equivalent_and_progress(idx):
    d, info = corpus()[idx]
    for w, base in baseline()[info.name]:
        again = E.run_world(info.code, info.address, info.entry, info, w, MAX_INSNS)
        assert again.effects == base.effects and again.stop == base.stop, w.describe()
        v = E.compare(base, again)
        assert v.equivalent, f"{info.name} [{w.describe()}]: {v}"
        assert base.effects or base.kind == "return", f"{info.name}: no progress ({base.stop})"
        assert base.kind in ("return", "deopt", "timeout", "fault", "bad-return")


def test_outcome_distribution():
    kinds = Counter()
    first = Counter()
    for name, runs in baseline().items():
        for k, (w, t) in enumerate(runs):
            kinds[t.kind] += 1
            if k == 0:
                first[t.kind] += 1
    total = sum(kinds.values())
    print(f"\nvariant-0 outcomes over {sum(first.values())} functions: {dict(first)}"
          f"\nall {total} runs (seeds {SELF_SEEDS}): {dict(kinds)}")
    # Measured: variant 0: return 39, deopt 60, timeout 6 of 105.
    assert first["return"] >= 30 and first["deopt"] >= 40
    assert kinds["timeout"] + kinds["fault"] + kinds["bad-return"] <= 0.1 * total


# ------------------------------------------------------------ relocation

def _target(text: str):
    m = re.findall(r"#(-?0x[0-9a-f]+|-?\d+)", text)
    return int(m[-1], 0) if m else None


@lru_cache(maxsize=None)
def relocated(idx):
    d, info = corpus()[idx]
    new = info.address + RELOC_DELTA
    return new, E.relocate(info.code, info.address, new, (0, info.entry - info.address))


@pytest.mark.parametrize("idx", range(105), ids=lambda i: str(i))
def test_relocated_code_is_equivalent(idx):
    d, info = corpus()[idx]
    new, code = relocated(idx)
    lo, hi = info.address, info.address + len(info.code)
    # Independent check of the relocator: Capstone's target of every re-encoded
    # pc-relative instruction is the old target (outside) or old + delta (inside).
    cm = E.code_map(info.code, info.address, (0, info.entry - info.address))
    changed = 0
    for off, w in cm.insns.items():
        pr = E.pc_relative(w)
        if not pr:
            continue
        old_t = _target(disasm(info.code[off:off + 4], lo + off)[0])
        new_t = _target(disasm(code[off:off + 4], new + off)[0])
        if pr[0] == "adrp":
            nxt = cm.insns.get(off + 4)
            assert not (lo - 0x1000 < old_t < hi), "adrp into the code: add-pair path untested"
            assert new_t == old_t, (off, hex(w))
        else:
            assert new_t == (old_t + RELOC_DELTA if lo <= old_t < hi else old_t), (off, hex(w))
        changed += code[off:off + 4] != info.code[off:off + 4]
    assert changed > 0                    # every function calls absolute helpers
    for w, base in baseline()[info.name]:
        t = E.run_world(code, new, info.entry + RELOC_DELTA, info, w, MAX_INSNS)
        v = E.compare(base, t)
        assert v.equivalent, f"{info.name} [{w.describe()}]: {v}"


# ------------------------------------------------------------ mutations

def _mutations(word: int):
    """(kind, mutated word) for the instruction classes we perturb."""
    out = []
    if word & 0x1F000000 == 0x11000000:                       # add/sub(s)/cmp/cmn immediate
        out.append(("addsub-imm", word ^ (1 << 10)))
    if word & 0xFF000010 == 0x54000000 and (word & 0xF) < 14:  # b.cond: invert
        out.append(("b.cond", word ^ 1))
    if word & 0x7C000000 == 0x34000000:                        # cbz/cbnz, tbz/tbnz: flip sense
        out.append(("cbz/tbz", word ^ (1 << 24)))
    if word & 0x3B400000 == 0x39000000:                        # STR*/STRB/STRH (imm12) store
        out.append(("store-offset", word ^ (1 << 10)))
    if word & 0x3B600C00 == 0x38000000:                        # STUR* store
        out.append(("store-offset", word ^ (1 << 12)))
    if word & 0x7FC00000 in (0x29000000, 0xA9000000):          # STP signed offset
        out.append(("store-offset", word ^ (1 << 15)))
    if word & 0xFC000000 == 0x94000000:                        # bl: another target
        out.append(("call-target", word & 0xFC000000 | (word + 1) & 0x3FFFFFF))
    if word & 0x7F800000 in (0x52800000, 0x72800000):          # movz/movk immediate
        out.append(("mov-imm", word ^ (1 << 5)))
    return out


@lru_cache(maxsize=None)
def mutation_results():
    rng = random.Random(1234)
    res = []
    for d, info in corpus():
        runs = baseline()[info.name]
        cm = E.code_map(info.code, info.address, (0, info.entry - info.address))
        cands = []
        for wi, (w, t) in enumerate(runs):
            if t.kind == "timeout":
                continue
            for off in sorted(t.coverage & cm.insns.keys()):
                for kind, m in _mutations(cm.insns[off]):
                    cands.append((kind, off, m, wi))
        for kind, off, m, wi in rng.sample(cands, min(3, len(cands))):
            code = bytearray(info.code)
            struct.pack_into("<I", code, off, m)
            w, base = runs[wi]
            t = E.run_world(bytes(code), info.address, info.entry, info, w, MAX_INSNS)
            v = E.compare(base, t)
            res.append((info.name, kind, off, not v.equivalent, v.inconclusive))
    return res


def test_mutations_of_executed_instructions_are_detected():
    res = mutation_results()
    by = Counter()
    hit = Counter()
    for name, kind, off, detected, inconcl in res:
        by[kind] += 1
        hit[kind] += detected
    rate = sum(hit.values()) / len(res)
    print(f"\nmutations: {len(res)}, detected {sum(hit.values())} ({rate:.1%}); per kind: "
          + ", ".join(f"{k} {hit[k]}/{by[k]}" for k in sorted(by)))
    assert len(res) >= 250
    assert rate >= 0.93          # measured: 289/297 = 97.3%


# ------------------------------------------------------------ prove()

@pytest.mark.parametrize("idx", [0, 40, 90])
def test_prove_relocated_equivalent_and_mutant_not(idx):
    d, info = corpus()[idx]
    new, code = relocated(idx)
    v = E.prove(d, code, new, info.entry + RELOC_DELTA, max_insns=MAX_INSNS)
    assert v.equivalent and v.runs == E.VARIANTS, str(v)
    # The argcount check's immediate: every world with the correct argcount differs.
    cm = E.code_map(info.code, info.address, (0, info.entry - info.address))
    off = next(o for o, w in sorted(cm.insns.items())
               if w & 0x7F00001F == 0x7100001F and (w >> 5 & 31) == 2)   # cmp w2, #imm
    bad = bytearray(code)
    struct.pack_into("<I", bad, off, cm.insns[off] ^ (1 << 10))
    v = E.prove(d, bytes(bad), new, info.entry + RELOC_DELTA, max_insns=MAX_INSNS)
    assert not v.equivalent and v.reason.startswith("[seed=0"), str(v)
