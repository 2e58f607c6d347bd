"""Tests of armjit.emit.Assembler: exact words (GNU as is the oracle), Capstone
text, labels and fixups executed in Unicorn, branch relaxation beyond 32 KiB
and 1 MiB, veneers, the literal pool, annotations and relocations."""

from __future__ import annotations

import struct

import pytest
import unicorn
from unicorn import arm64_const as U

from armjit.emit import (AsmSyntaxError, Assembler, Cond, D, EncodingError, Extend,
                         LabelError, Shift, mem, post, pre, sp, w0, w1, w2, w4, x0, x1, x2,
                         x3, x4, x5, x16, x17, x29, x30, xzr)
from tests.emit import oracles

# --------------------------------------------------------------------------
# Table: (call on an Assembler, GNU-as text of the expected words, Capstone text)
# The expected words come from GNU as (one batch), never from our encoders.

TABLE = [
    (lambda a: a.add(x0, x1, 4095), ["add x0, x1, #4095"], ["add x0, x1, #0xfff"]),
    (lambda a: a.add(x0, x1, 0x123000), ["add x0, x1, #0x123, lsl #12"],
     ["add x0, x1, #0x123, lsl #12"]),
    (lambda a: a.add(x0, x1, 0x123456), ["add x0, x1, #0x123, lsl #12", "add x0, x0, #0x456"],
     ["add x0, x1, #0x123, lsl #12", "add x0, x0, #0x456"]),
    (lambda a: a.add(x0, x1, -8), ["sub x0, x1, #8"], ["sub x0, x1, #8"]),
    (lambda a: a.add(x0, sp, x1), ["add x0, sp, x1"], ["add x0, sp, x1"]),
    (lambda a: a.add(x0, x1, x2, Shift.LSL, 3), ["add x0, x1, x2, lsl #3"],
     ["add x0, x1, x2, lsl #3"]),
    (lambda a: a.add(x0, x1, w2, Extend.SXTW, 2), ["add x0, x1, w2, sxtw #2"],
     ["add x0, x1, w2, sxtw #2"]),
    (lambda a: a.sub(sp, sp, 32), ["sub sp, sp, #32"], ["sub sp, sp, #0x20"]),
    (lambda a: a.subs(w0, w1, 1), ["subs w0, w1, #1"], ["subs w0, w1, #1"]),
    (lambda a: a.cmp(x0, 5), ["cmp x0, #5"], ["cmp x0, #5"]),
    (lambda a: a.cmp(x0, -5), ["cmn x0, #5"], ["cmn x0, #5"]),
    (lambda a: a.cmp(x0, x1), ["cmp x0, x1"], ["cmp x0, x1"]),
    (lambda a: a.cmp(x0, 0x12345, scratch=x16),
     ["mov x16, #0x2345", "movk x16, #0x1, lsl #16", "cmp x0, x16"],
     ["mov x16, #0x2345", "movk x16, #1, lsl #16", "cmp x0, x16"]),
    (lambda a: a.mov(x0, 0x123456789),
     ["movz x0, #0x6789", "movk x0, #0x2345, lsl #16", "movk x0, #0x1, lsl #32"],
     ["mov x0, #0x6789", "movk x0, #0x2345, lsl #16", "movk x0, #1, lsl #32"]),
    (lambda a: a.mov(x0, -1), ["movn x0, #0"], ["mov x0, #-1"]),
    (lambda a: a.mov(x0, 0x5555555555555555), ["orr x0, xzr, #0x5555555555555555"],
     ["mov x0, #0x5555555555555555"]),
    (lambda a: a.mov(x0, x1), ["mov x0, x1"], ["mov x0, x1"]),
    (lambda a: a.mov(x29, sp), ["mov x29, sp"], ["mov x29, sp"]),
    (lambda a: a.and_(x0, x1, 0xFF), ["and x0, x1, #0xff"], ["and x0, x1, #0xff"]),
    (lambda a: a.orr(w0, w1, w2, Shift.ROR, 4), ["orr w0, w1, w2, ror #4"],
     ["orr w0, w1, w2, ror #4"]),
    (lambda a: a.tst(x0, 1), ["tst x0, #1"], ["tst x0, #1"]),
    (lambda a: a.lsl(x0, x1, 3), ["lsl x0, x1, #3"], ["lsl x0, x1, #3"]),
    (lambda a: a.asr(w0, w1, w2), ["asr w0, w1, w2"], ["asr w0, w1, w2"]),
    (lambda a: a.ubfx(x0, x1, 4, 8), ["ubfx x0, x1, #4, #8"], ["ubfx x0, x1, #4, #8"]),
    (lambda a: a.sxtw(x0, w1), ["sxtw x0, w1"], ["sxtw x0, w1"]),
    (lambda a: a.madd(x0, x1, x2, x3), ["madd x0, x1, x2, x3"], ["madd x0, x1, x2, x3"]),
    (lambda a: a.sdiv(x0, x1, x2), ["sdiv x0, x1, x2"], ["sdiv x0, x1, x2"]),
    (lambda a: a.csel(x0, x1, x2, Cond.LT), ["csel x0, x1, x2, lt"], ["csel x0, x1, x2, lt"]),
    (lambda a: a.cset(w0, Cond.EQ), ["cset w0, eq"], ["cset w0, eq"]),
    (lambda a: a.ccmp(x0, 3, 4, Cond.NE), ["ccmp x0, #3, #4, ne"], ["ccmp x0, #3, #4, ne"]),
    (lambda a: a.ldr(x0, mem(x1, 8)), ["ldr x0, [x1, #8]"], ["ldr x0, [x1, #8]"]),
    (lambda a: a.ldr(x0, mem(x1, -8)), ["ldur x0, [x1, #-8]"], ["ldur x0, [x1, #-8]"]),
    (lambda a: a.ldr(x0, post(x1, 8)), ["ldr x0, [x1], #8"], ["ldr x0, [x1], #8"]),
    (lambda a: a.str(w0, pre(sp, -16)), ["str w0, [sp, #-16]!"], ["str w0, [sp, #-0x10]!"]),
    (lambda a: a.ldrb(w0, mem(x1, 4095)), ["ldrb w0, [x1, #4095]"], ["ldrb w0, [x1, #0xfff]"]),
    (lambda a: a.ldr(x0, mem(x1, 0x100000), scratch=x16),
     ["mov x16, #0x100000", "ldr x0, [x1, x16]"], ["mov x16, #0x100000", "ldr x0, [x1, x16]"]),
    (lambda a: a.stp(x29, x30, pre(sp, -16)), ["stp x29, x30, [sp, #-16]!"],
     ["stp x29, x30, [sp, #-0x10]!"]),
    (lambda a: a.ldp(x29, x30, post(sp, 16)), ["ldp x29, x30, [sp], #16"],
     ["ldp x29, x30, [sp], #0x10"]),
    (lambda a: a.ldr(D[1], mem(x0, 16)), ["ldr d1, [x0, #16]"], ["ldr d1, [x0, #0x10]"]),
    (lambda a: a.fadd(D[0], D[1], D[2]), ["fadd d0, d1, d2"], ["fadd d0, d1, d2"]),
    (lambda a: a.fmov(D[0], 1.0), ["fmov d0, #1.0"], ["fmov d0, #1.00000000"]),
    (lambda a: a.fmov(x0, D[3]), ["fmov x0, d3"], ["fmov x0, d3"]),
    (lambda a: a.scvtf(D[0], x1), ["scvtf d0, x1"], ["scvtf d0, x1"]),
    (lambda a: a.br(x16), ["br x16"], ["br x16"]),
    (lambda a: a.blr(x1), ["blr x1"], ["blr x1"]),
    (lambda a: a.ret(), ["ret"], ["ret"]),
    (lambda a: a.nop(), ["nop"], ["nop"]),
    (lambda a: a.brk(1), ["brk #1"], ["brk #1"]),
    (lambda a: a.dmb("ish"), ["dmb ish"], ["dmb ish"]),
]


@pytest.fixture(scope="module")
def gas_table():
    if not oracles.gas_available():
        pytest.fail("GNU as (binutils-aarch64-linux-gnu) is required for the table oracle")
    lines = [t for _, texts, _ in TABLE for t in texts]
    words = oracles.gas_words_each(lines)
    assert None not in words, [l for l, w in zip(lines, words) if w is None]
    it = iter(words)
    return [[next(it) for _ in texts] for _, texts, _ in TABLE]


@pytest.mark.parametrize("i", range(len(TABLE)))
def test_table(i, gas_table):
    call, _, cs_texts = TABLE[i]
    a = Assembler()
    call(a)
    code = a.finalize().code
    got = list(struct.unpack(f"<{len(code) // 4}I", code))
    assert got == gas_table[i]
    assert oracles.disasm(code) == cs_texts


def test_no_hidden_scratch():
    a = Assembler()
    with pytest.raises(EncodingError):
        a.cmp(x0, 0x12345)                  # needs a scratch, none given
    with pytest.raises(EncodingError):
        a.add(x0, x0, 0x123456789)          # rd == rn: needs a scratch
    with pytest.raises(EncodingError):
        a.ldr(x0, mem(x1, 0x100000))
    a2 = Assembler(scratch=x17)
    a2.add(x0, x0, 0x123456789)
    assert oracles.disasm(a2.finalize().code)[-1] == "add x0, x0, x17"
    assert len(a.buf) == 0


def test_memo_does_not_confuse_operands():
    # Equal-but-distinct register objects and bool vs int must give the right words.
    from armjit.emit import GpReg
    a = Assembler()
    a.add(GpReg(0, 64), GpReg(1, 64), 1)
    a.add(x0, x1, 1)
    a.add(w0, w1, 1)
    with pytest.raises(EncodingError):
        a.add(x0, x1, True)                 # a bool is not an immediate
    assert oracles.disasm(a.finalize().code) == ["add x0, x1, #1", "add x0, x1, #1",
                                                "add w0, w1, #1"]


# --------------------------------------------------------------------------
# Execution in Unicorn (large code regions)

BASE = 0x400000


def execute(code: bytes, base: int = BASE, extra=(), regs=None, until=None):
    uc = unicorn.Uc(unicorn.UC_ARCH_ARM64, unicorn.UC_MODE_ARM)
    page = base & ~0xFFFF
    size = (base - page + len(code) + 0xFFFF) & ~0xFFFF
    uc.mem_map(page, size)
    uc.mem_write(base, code)
    for addr, blob in extra:
        uc.mem_map(addr, (len(blob) + 0xFFFF) & ~0xFFFF)
        uc.mem_write(addr, blob)
    uc.mem_map(0x80000000, 0x10000)
    uc.reg_write(U.UC_ARM64_REG_SP, 0x80008000)
    for i, v in (regs or {}).items():
        uc.reg_write(getattr(U, f"UC_ARM64_REG_X{i}"), v)
    uc.emu_start(base, until if until is not None else base + len(code), count=100_000)
    return [uc.reg_read(getattr(U, f"UC_ARM64_REG_X{i}")) for i in range(29)]


def test_forward_and_backward_labels_run():
    a = Assembler(base=BASE)
    loop, done = a.new_label("loop"), a.new_label("done")
    a.mov(x0, 0)
    a.mov(x1, 10)
    a.bind(loop)
    a.add(x0, x0, 3)
    a.subs(x1, x1, 1)
    a.b_ne(loop)                       # backward b.cond
    a.cbz(x1, done)                    # forward cbz
    a.mov(x0, 0xBAD)
    a.bind(done)
    a.tbnz(x0, 0, a.label("odd"))      # 30 is even: not taken
    a.tbz(x0, 1, a.label("odd"))       # bit 1 of 30 is set: not taken
    a.mov(x2, 7)
    a.b(a.label("end"))
    a.bind(a.label("odd"))
    a.mov(x2, 0xBAD)
    a.bind(a.label("end"))
    out = a.finalize()
    x = execute(out.code)
    assert x[0] == 30 and x[2] == 7
    assert out.labels["loop"] == 8


def _udf_fill(a, n):
    a.bytes(bytes(n))                  # zero words are UDF: any wrong landing faults


@pytest.mark.parametrize("kind", ["bcond", "cbz", "cbnz", "tbz", "tbnz"])
@pytest.mark.parametrize("gap", [40 * 1024, (1 << 20) + 64])
def test_relaxation_reaches_far_labels(kind, gap):
    a = Assembler(base=BASE)
    fwd, back, end = a.new_label("fwd"), a.new_label("back"), a.new_label("end")
    a.mov(x0, 0)
    a.mov(x1, 1)
    a.cmp(x0, 0)

    def br(target):
        if kind == "bcond":
            a.b_eq(target)
        elif kind == "cbz":
            a.cbz(x0, target)
        elif kind == "cbnz":
            a.cbnz(x1, target)
        elif kind == "tbz":
            a.tbz(x0, 5, target)
        else:
            a.tbnz(x1, 0, target)

    a.bind(back)
    a.add(x3, x3, 1)
    a.cmp(x3, 2)
    a.b_eq(end)                       # second visit: done
    a.cmp(x0, 0)
    br(fwd)                           # forward, far
    _udf_fill(a, gap)
    a.bind(fwd)
    a.add(x2, x2, 1)
    a.cmp(x0, 0)
    br(back)                          # backward, far
    _udf_fill(a, 64)
    a.bind(end)
    out = a.finalize()
    x = execute(out.code, until=BASE + out.labels["end"])
    assert x[2] == 1 and x[3] == 2
    # It really was widened when out of range, and only then.
    far = gap > (32 * 1024 if kind.startswith("tb") else 1 << 20)
    # the two `br` are widened when far; the first b.eq (to `end`) when gap > 1 MiB
    n_widened = (2 if far else 0) + (1 if gap > 1 << 20 else 0)
    assert len(out.code) == len(a.buf) + 4 * n_widened


def test_relaxation_fixed_point_cascade():
    # 200 b.cond each just inside 1 MiB of a shared target: widening the
    # first ones pushes the others out of range; the loop must converge and
    # every branch must still be checked by the final patchers.
    a = Assembler(base=BASE)
    target = a.new_label("t")
    for _ in range(200):
        a.b_ne(target)
    _udf_fill(a, (1 << 20) - 4 * 200 - 8)
    a.bind(target)
    out = a.finalize()
    code = out.code
    t = out.labels["t"]
    words = struct.unpack(f"<{len(code) // 4}I", code)
    # Decode every branch and check it lands on the target (or skips one b that does).
    from armjit.emit.branch import branch_offset
    pc = 0
    reached = 0
    while pc < t - (len(code) - t) and words[pc // 4] != 0:
        w = words[pc // 4]
        if (w & 0xFF000010) == 0x54000000 and branch_offset(w) == 8:   # b.eq +8 ; b t
            assert pc + 4 + branch_offset(words[pc // 4 + 1]) == t
            pc += 8
        else:
            assert pc + branch_offset(w) == t
            pc += 4
        reached += 1
    assert reached == 200


def test_veneer_for_far_absolute_call():
    far = BASE + (300 << 20)           # 300 MiB away: beyond bl's +-128 MiB
    callee = Assembler(base=far)
    callee.mov(x2, 42)
    callee.ret()
    a = Assembler(base=BASE, veneer_scratch=x16)
    end = a.new_label("end")
    a.mov(x2, 0)
    a.bl(far)
    a.add(x2, x2, 1)
    a.b(end)
    a.bind(end)
    a.nop()
    out = a.finalize()
    assert any(r.kind == "abs64" and r.target == far for r in out.relocations)
    x = execute(out.code, extra=[(far, callee.finalize().code)], until=BASE + out.labels["end"])
    assert x[2] == 43
    lst = oracles.disasm(out.code, BASE)
    assert "ldr x16, #" in lst[-4] and lst[-3] == "br x16"


def test_far_absolute_without_veneer_scratch_is_refused():
    a = Assembler(base=BASE)
    a.bl(BASE + (300 << 20))
    with pytest.raises(LabelError, match="veneer_scratch"):
        a.finalize()


def test_near_absolute_call_is_direct_and_relocatable():
    a = Assembler(base=BASE)
    a.bl(BASE + 0x1000)
    out = a.finalize()
    assert oracles.disasm(out.code, BASE) == [f"bl #{BASE + 0x1000:#x}"]
    moved = out.relocate(BASE + 0x2000)
    assert oracles.disasm(moved.code, BASE + 0x2000) == [f"bl #{BASE + 0x1000:#x}"]
    with pytest.raises(LabelError):
        out.relocate(BASE + (200 << 20))


@pytest.mark.parametrize("kind", ["tbz", "tbnz", "cbz", "b_ne"])
def test_near_absolute_conditional_branch_is_repatched_by_relocate(kind):
    # A direct tbz/tbnz (imm14) or cbz/b.cond (imm19) to an absolute address must
    # keep pointing at that address after FinalCode.relocate() (Capstone decodes
    # the moved code at its new address).
    target = BASE + 0x1000
    a = Assembler(base=BASE)
    if kind in ("tbz", "tbnz"):
        getattr(a, kind)(x3, 40, target)
        text = f"{kind} x3, #0x28, #{target:#x}"
    elif kind == "cbz":
        a.cbz(x3, target)
        text = f"cbz x3, #{target:#x}"
    else:
        a.b_ne(target)
        text = f"b.ne #{target:#x}"
    out = a.finalize()
    assert oracles.disasm(out.code, BASE) == [text]
    assert [r.offset for r in out.relocations] == [0]
    moved = out.relocate(BASE + 0x2000)
    assert oracles.disasm(moved.code, BASE + 0x2000) == [text]
    moved = out.relocate(BASE - 0x4000)
    assert oracles.disasm(moved.code, BASE - 0x4000) == [text]
    # Out of the short range after the move: refused, never a wrong word.
    far = (64 << 10) if kind in ("tbz", "tbnz") else (4 << 20)
    with pytest.raises(LabelError, match="cannot reach"):
        out.relocate(BASE + far)


def test_conditional_to_far_absolute_uses_b_over_veneer():
    far = BASE + (300 << 20)
    a = Assembler(base=BASE, veneer_scratch=x16)
    a.cbz(x0, far)
    out = a.finalize()
    lst = oracles.disasm(out.code, BASE)
    assert lst[0] == f"cbnz x0, #{BASE + 8:#x}"
    assert lst[1].startswith("b #")


# --------------------------------------------------------------------------
# Labels

def test_label_errors():
    a = Assembler()
    l1 = a.new_label("x")
    a.bind(l1)
    with pytest.raises(LabelError):
        a.bind(l1)
    with pytest.raises(LabelError):
        a.new_label("x")
    a.b(a.new_label("never"))
    with pytest.raises(LabelError, match="never"):
        a.finalize()
    other = Assembler().new_label()
    with pytest.raises(LabelError):
        Assembler().b(other)


def test_tbz_out_of_range_label_beyond_128mib_is_label_error():
    a = Assembler()
    a.bl(a.new_label("f"))
    a.buf += bytes(129 << 20)          # raw bytes, cheaply
    a.bind(a.label("f"))
    with pytest.raises(LabelError):
        a.finalize()


# --------------------------------------------------------------------------
# Literal pool

def test_literal_pool_dedup_alignment_and_values():
    a = Assembler(base=BASE)
    a.ldr(x0, a.literal(0x1122334455667788))
    a.ldr(x1, a.literal(0x1122334455667788))       # deduplicated
    a.ldr_const(x2, -2)
    a.ldr_address(x3, 0xDEADBEEF000)
    a.ldr(w4, a.literal(0xAABBCCDD))
    a.b(a.label("end"))
    a.emit_literal_pool()
    a.bind(a.label("end"))
    out = a.finalize()
    pool = [o for n, o in out.labels.items() if n.startswith(".Lpool")]
    assert len(pool) == 4 and all((BASE + o) % 8 == 0 for o in pool)
    x = execute(out.code, until=BASE + out.labels["end"])
    assert x[0] == x[1] == 0x1122334455667788
    assert x[2] == (1 << 64) - 2
    assert x[3] == 0xDEADBEEF000
    assert x[4] == 0xAABBCCDD
    assert [r.kind for r in out.relocations] == ["abs64"]
    assert struct.unpack_from("<Q", out.code, out.relocations[0].offset)[0] == 0xDEADBEEF000


def test_literal_pool_out_of_range_is_refused():
    a = Assembler()
    a.ldr_const(x0, 0x123456789)
    a.buf += bytes(1 << 20)
    with pytest.raises(LabelError, match="literal pool"):
        a.finalize()


def test_pool_in_the_middle_with_jump_over():
    a = Assembler(base=BASE + 4)       # misaligned base: pool must still be 8-aligned
    a.ldr_const(x0, 77)
    a.emit_literal_pool(jump_over=True)
    a.add(x0, x0, 1)
    out = a.finalize()
    assert execute(out.code, base=BASE + 4)[0] == 78
    pool = [o for n, o in out.labels.items() if n.startswith(".Lpool")]
    assert len(pool) == 1 and (BASE + 4 + pool[0]) % 8 == 0


# --------------------------------------------------------------------------
# Annotations, relocations, alignment after widening

def test_annotations_follow_relaxation():
    a = Assembler(base=BASE)
    far = a.new_label("far")
    with a.annotate("v1 = Compare"):
        a.cmp(x0, 1)
        a.b_eq(far)                                  # widened below
    with a.annotate("v2 = Add"):
        a.add(x1, x1, 1)
    _udf_fill(a, (1 << 20) + 16)
    a.align(16)
    a.bind(far)
    a.annotate(far, a.offset, "tail")
    a.nop()
    a.annotate(far, a.offset, "tail2")
    out = a.finalize()
    anns = {an.text: (an.start, an.end) for an in out.annotations}
    assert anns["v1 = Compare"] == (0, 12)            # cmp + b.ne +8 + b far
    assert anns["v2 = Add"] == (12, 16)
    assert out.labels["far"] % 16 == 0
    assert anns["tail2"] == (out.labels["far"], out.labels["far"] + 4)
    assert oracles.disasm(out.code[12:16]) == ["add x1, x1, #1"]
    assert oracles.disasm(out.code[out.labels["far"]:][:4]) == ["nop"]


def test_label_address_relocation_and_relocate():
    a = Assembler(base=BASE)
    tgt = a.new_label("t")
    a.ldr(x0, a.label_literal(tgt))
    a.br(x0)
    a.bind(tgt)
    a.mov(x1, 5)
    a.dword(tgt)
    out = a.finalize()
    rel = [r for r in out.relocations if r.kind == "abs64_label"]
    assert len(rel) == 2
    for r in rel:
        assert struct.unpack_from("<Q", out.code, r.offset)[0] == BASE + out.labels["t"]
    moved = out.relocate(BASE + 0x10000)
    for r in rel:
        assert struct.unpack_from("<Q", moved.code, r.offset)[0] == BASE + 0x10000 + 8
    x = execute(moved.code, base=BASE + 0x10000, until=BASE + 0x10000 + 12)
    assert x[1] == 5
    with pytest.raises(LabelError):
        out.relocate(BASE + 4)          # breaks the pool's 8-byte alignment


def test_word_dword_align_bytes():
    a = Assembler()
    a.word(0xD503201F)
    a.align(16)
    a.dword(-1)
    a.bytes(b"\x01\x02")
    a.align(8, fill=0xCC)
    out = a.finalize().code
    assert out[:16] == struct.pack("<4I", *[0xD503201F] * 4)
    assert out[16:24] == b"\xff" * 8
    assert out[24:32] == b"\x01\x02" + b"\xcc" * 6


# --------------------------------------------------------------------------
# load_address: an absolute address, in the form that reaches from the final
# position (adr -> adrp [+ add] -> the MOV sequence)

HIGH = 0x7F1234560000               # addresses here need 3 MOV words: adr/adrp win


def test_load_address_forms():
    a = Assembler(base=HIGH)
    near, mid, page = HIGH + 0x100, HIGH + (8 << 20) + 0x123, HIGH + (16 << 20)
    far, small = 0x123456789ABC, 0x1000
    a.load_address(x1, near)             # +-1 MiB: adr
    a.load_address(x2, mid)              # +-4 GiB: adrp + add of the low 12 bits
    a.load_address(x3, page)             # page-aligned: adrp alone
    a.load_address(x4, far)              # beyond +-4 GiB: movz + 2 movk
    a.load_address(x5, small)            # one MOV holds it: movz, never PC-relative
    out = a.finalize()
    assert oracles.disasm(out.code, HIGH) == [
        f"adr x1, #{near:#x}",
        f"adrp x2, #{mid & ~0xFFF:#x}", "add x2, x2, #0x123",
        f"adrp x3, #{page:#x}",
        "mov x4, #0x9abc", "movk x4, #0x5678, lsl #16", "movk x4, #0x1234, lsl #32",
        "mov x5, #0x1000"]
    assert [(r.offset, r.kind, r.target) for r in out.relocations] == [
        (0, "pcrel21", near), (4, "page21", mid), (12, "page21", page)]
    x = execute(out.code, base=HIGH)
    assert x[1:6] == [near, mid, page, far, small]


def test_load_address_widens_when_relaxation_moves_it():
    # adr at exactly -1 MiB of its nominal position; the b.ne before it is
    # widened (its label is beyond 1 MiB), which pushes the adr 4 bytes out of
    # range: it becomes adrp + add.  The second load moves too and stays adr.
    a = Assembler(base=HIGH)
    end = a.new_label("end")
    a.cmp(x0, x0)
    a.b_ne(end)
    back = HIGH + 8 - (1 << 20)
    with a.annotate("load"):
        a.load_address(x1, back)
    a.load_address(x2, HIGH + 0x40)
    a.b(end)
    _udf_fill(a, (1 << 20) + 64)
    a.bind(end)
    a.nop()
    out = a.finalize()
    assert len(out.code) == len(a.buf) + 4 + 4          # b.ne widened, add inserted
    assert oracles.disasm(out.code[:24], HIGH) == [
        "cmp x0, x0", f"b.eq #{HIGH + 12:#x}", f"b #{HIGH + out.labels['end']:#x}",
        f"adrp x1, #{back & ~0xFFF:#x}", "add x1, x1, #8",
        f"adr x2, #{HIGH + 0x40:#x}"]
    assert [(n.start, n.end) for n in out.annotations] == [(12, 20)]
    x = execute(out.code, base=HIGH, until=HIGH + out.labels["end"])
    assert x[1] == back and x[2] == HIGH + 0x40


def test_load_address_relocate_repatches_or_refuses():
    a = Assembler(base=HIGH)
    a.load_address(x1, HIGH + 0x100)
    a.load_address(x2, HIGH + (8 << 20) + 0x123)
    out = a.finalize()
    moved = out.relocate(HIGH + 0x2000)
    assert oracles.disasm(moved.code, HIGH + 0x2000) == [
        f"adr x1, #{HIGH + 0x100:#x}", f"adrp x2, #{HIGH + (8 << 20):#x}",
        "add x2, x2, #0x123"]
    with pytest.raises(LabelError, match="cannot reach"):
        out.relocate(HIGH + (2 << 20))                 # the adr no longer reaches


def test_load_address_refuses():
    a = Assembler(base=HIGH)
    for rd, address in ((w1, HIGH), (sp, HIGH), (xzr, HIGH), (x1, -1), (x1, 1 << 64),
                        (x1, True)):
        with pytest.raises(EncodingError):
            a.load_address(rd, address)
    assert len(a.buf) == 0


# --------------------------------------------------------------------------
# One instruction table: the Assembler methods and assemble() share the emitters

def test_every_table_row_is_an_assembler_method_or_text_only():
    from armjit.emit.assembler import BY_MNEMONIC, INSTRUCTIONS
    text_only = sorted(r.mnemonic for r in INSTRUCTIONS if r.method is None)
    assert text_only == ["adrp", "b.al", "b.nv"]
    for r in INSTRUCTIONS:
        if r.method is not None:
            assert getattr(Assembler, r.method) is r.emit, r.mnemonic
    assert BY_MNEMONIC["and"].method == "and_" and BY_MNEMONIC["b.cs"].method == "b_cs"


def test_forms_the_text_and_the_api_share():
    # GNU as forms that the API takes through the same emitters: an immediate
    # with its explicit shift, CMN of a negative (= CMP), MOV of a bitmask to SP.
    a = Assembler()
    a.add(x0, x1, 1, Shift.LSL, 12)
    a.cmp(x2, 0x123, Shift.LSL, 12)
    a.cmn(x2, -1)
    a.mov(sp, 16)
    with pytest.raises(EncodingError, match="lsl #0 or lsl #12"):
        a.add(x0, x1, 1, Shift.LSL, 3)
    with pytest.raises(EncodingError):
        a.add(x0, x1, 0x1000, Shift.LSL, 12)        # imm12 only, nothing legalised
    with pytest.raises(EncodingError, match="scratch"):
        a.mov(sp, 0x12345)                           # not a bitmask: needs a scratch
    code = a.finalize().code
    assert oracles.disasm(code) == ["add x0, x1, #1, lsl #12", "cmp x2, #0x123, lsl #12",
                                    "cmp x2, #1", "mov sp, #0x10"]
    from armjit.emit import assemble
    assert assemble("add x0, x1, #1, lsl #12; cmp x2, #0x123, lsl #12; cmn x2, #-1; "
                    "mov sp, #0x10") == code
