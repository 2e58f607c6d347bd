"""Instructions encoded per second: Assembler API, assemble(), Keystone.

A 20-instruction mix of typical JIT code (frame setup, loads/stores with
stack/object offsets, add/sub/cmp with immediates and registers, moves,
b.ne/cbz to a label, conditional select, shifts, a call, ret), whose offsets
and immediates vary over 64 parameter sets, is emitted ``reps`` times through

  (a) the Assembler API with FRESH operands at every call, as a code generator
      produces them: a new Mem (``mem(x1, off)``/``pre``/``post``) per
      load/store and immediates that are new int objects (parsed from text
      before timing, so no identity cache can recognise them);
  (b) the Assembler API with REUSED operands (the 64 parameter sets' Mem and
      int objects built once, as a code generator caching its stack-slot
      operands would);
  (c) armjit.emit.assemble() on the equivalent text;
  (d) Keystone, one ``ks.asm`` call per instruction (how an emitter would use
      it; labels replaced by their absolute addresses);
  (e) Keystone, one ``ks.asm`` call on the whole text.

All runs include new_label/bind and finalize().  Every path must produce
identical bytes (asserted; Keystone's on its prefix).  No cache in armjit.emit
is keyed on an immediate or offset value (only on interned registers, enum
members and shift amounts), so (a) measures the encoders' work on every
immediate and memory operand.  Rates are per CPU second of this process (the
machine is shared; wall-clock rates are printed in brackets).  Run:
    python bench/emit_throughput.py [reps]
"""

from __future__ import annotations

import os
import sys
import time

import keystone

from armjit.emit import (Assembler, Cond, Shift, assemble, mem, post, pre, sp, w1,
                         x0, x1, x2, x3, x19, x20, x29, x30)

MIX_TEXT = """\
stp x29, x30, [sp, #-16]!
mov x29, sp
ldr x0, [x1, #{o1}]
add x2, x0, #{a1}
str x2, [x1, #{o1}]
sub x3, x2, x0
cmp x3, #{c1}
b.ne L{n}
add x0, x0, x1, lsl #3
mov x19, x0
ldr w1, [x0, #{o2}]
cbz w1, L{n}
orr x20, x19, x3
csel x0, x19, x20, lt
lsl x2, x0, #3
L{n}:
mov x0, #{m1}
bl L{n}
str x0, [sp, #{o3}]
ldp x29, x30, [sp], #16
ret
"""
MIX_LEN = 20
LABEL_AT = 15 * 4          # byte offset of L{n} inside a block
NSETS = 64


def params(j):
    """Parameter set j (0..63): offsets and immediates of one block."""
    return dict(o1=24 * j, a1=100 + 61 * j, c1=4095 - 17 * j, o2=256 + 4 * j,
                m1=4096 + 900 * j, o3=8 * j)


def api_block_fresh(a, o1, a1, c1, o2, m1, o3):
    L = a.new_label()
    a.stp(x29, x30, pre(sp, -16))
    a.mov(x29, sp)
    a.ldr(x0, mem(x1, o1))
    a.add(x2, x0, a1)
    a.str(x2, mem(x1, o1))
    a.sub(x3, x2, x0)
    a.cmp(x3, c1)
    a.b_ne(L)
    a.add(x0, x0, x1, Shift.LSL, 3)
    a.mov(x19, x0)
    a.ldr(w1, mem(x0, o2))
    a.cbz(w1, L)
    a.orr(x20, x19, x3)
    a.csel(x0, x19, x20, Cond.LT)
    a.lsl(x2, x0, 3)
    a.bind(L)
    a.mov(x0, m1)
    a.bl(L)
    a.str(x0, mem(sp, o3))
    a.ldp(x29, x30, post(sp, 16))
    a.ret()


_PRE16 = pre(sp, -16)
_POST16 = post(sp, 16)


def api_block_reused(a, m1x1, a1, c1, m0, m1, msp):
    L = a.new_label()
    a.stp(x29, x30, _PRE16)
    a.mov(x29, sp)
    a.ldr(x0, m1x1)
    a.add(x2, x0, a1)
    a.str(x2, m1x1)
    a.sub(x3, x2, x0)
    a.cmp(x3, c1)
    a.b_ne(L)
    a.add(x0, x0, x1, Shift.LSL, 3)
    a.mov(x19, x0)
    a.ldr(w1, m0)
    a.cbz(w1, L)
    a.orr(x20, x19, x3)
    a.csel(x0, x19, x20, Cond.LT)
    a.lsl(x2, x0, 3)
    a.bind(L)
    a.mov(x0, m1)
    a.bl(L)
    a.str(x0, msp)
    a.ldp(x29, x30, _POST16)
    a.ret()


def best_of(fn, tries=3):
    """(best CPU time, best wall time, result) of ``tries`` runs.

    Rates are computed from the process CPU time: the machine is shared (2
    cores, other jobs), and wall time mostly measures the other jobs."""
    best = best_wall = None
    out = None
    for _ in range(tries):
        w0 = time.perf_counter()
        t0 = time.process_time()
        out = fn()
        dt = time.process_time() - t0
        dw = time.perf_counter() - w0
        best = dt if best is None or dt < best else best
        best_wall = dw if best_wall is None or dw < best_wall else best_wall
    return best, best_wall, out


def text_of(reps):
    return "".join(MIX_TEXT.format(n=i, **params(i % NSETS)) for i in range(reps))


def per_instruction_lines(reps):
    """(line, address) per instruction, labels replaced by absolute addresses."""
    out = []
    for i in range(reps):
        block = i * MIX_LEN * 4
        lab = f"L{i}"
        pc = block
        for line in MIX_TEXT.format(n=i, **params(i % NSETS)).splitlines():
            if line.endswith(":"):
                continue
            out.append((line.replace(lab, f"#{block + LABEL_AT:#x}"), pc))
            pc += 4
    return out


def main(reps: int = 5000) -> None:
    n_instr = reps * MIX_LEN
    # (a): fresh int objects per block (parsed from text, outside the timing)
    fresh_args = [tuple(int(str(v)) for v in params(i % NSETS).values()) for i in range(reps)]
    # (b): operands built once per parameter set
    reused = []
    for j in range(NSETS):
        p = params(j)
        reused.append((mem(x1, p["o1"]), p["a1"], p["c1"], mem(x0, p["o2"]), p["m1"],
                       mem(sp, p["o3"])))

    def run_fresh():
        a = Assembler()
        for args in fresh_args:
            api_block_fresh(a, *args)
        return a.finalize().code

    def run_reused():
        a = Assembler()
        for i in range(reps):
            api_block_reused(a, *reused[i % NSETS])
        return a.finalize().code

    text = text_of(reps)

    def run_text():
        return assemble(text)

    ks = keystone.Ks(keystone.KS_ARCH_ARM64, keystone.KS_MODE_LITTLE_ENDIAN)
    ks_reps = max(1, reps // 10)                 # Keystone is slow: a tenth
    ks_text = text_of(ks_reps)
    ks_lines = per_instruction_lines(ks_reps)

    def run_ks_each():
        out = bytearray()
        for line, pc in ks_lines:
            enc, _ = ks.asm(line, pc)
            out += bytes(enc)
        return bytes(out)

    def run_ks_text():
        enc, _ = ks.asm(ks_text, 0)
        return bytes(enc)

    t_a, w_a, c_a = best_of(run_fresh, 5)
    t_b, w_b, c_b = best_of(run_reused, 5)
    t_c, w_c, c_c = best_of(run_text)
    t_d, w_d, c_d = best_of(run_ks_each)
    t_e, w_e, c_e = best_of(run_ks_text)
    assert len(c_a) == 4 * n_instr, "wrong instruction count"
    assert c_a == c_b, "fresh and reused operands disagree"
    assert c_a == c_c, "API and assemble() disagree"
    assert c_d == c_a[:len(c_d)], "Keystone (per instruction) disagrees"
    assert c_e == c_a[:len(c_e)], "Keystone (whole text) disagrees"
    n_ks = ks_reps * MIX_LEN
    r_a, r_b, r_c = n_instr / t_a, n_instr / t_b, n_instr / t_c
    r_d, r_e = n_ks / t_d, n_ks / t_e
    print(f"python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}; "
          f"{n_instr} instructions ({reps} x {MIX_LEN}-instruction mix, labels, fixups, "
          f"finalize); Keystone on {n_ks}; best of 5 (API) / 3 runs; rates per CPU second "
          f"(wall-clock rate in brackets)")
    for tag, r, n, w in (("(a) Assembler API, fresh operands:   ", r_a, n_instr, w_a),
                         ("(b) Assembler API, reused operands:  ", r_b, n_instr, w_b),
                         ("(c) assemble() text:                 ", r_c, n_instr, w_c),
                         ("(d) Keystone, ks.asm per instruction:", r_d, n_ks, w_d),
                         ("(e) Keystone, ks.asm on whole text:  ", r_e, n_ks, w_e)):
        print(f"{tag}{r:12,.0f} instr/s  [{n / w:10,.0f}]")
    print(f"ratios: (a)/(d) {r_a / r_d:6.1f}x   (a)/(e) {r_a / r_e:5.2f}x   "
          f"(c)/(d) {r_c / r_d:5.2f}x   (c)/(e) {r_c / r_e:5.2f}x")
    print("identical bytes from all five: yes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
