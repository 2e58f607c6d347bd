"""Instructions encoded per second: Assembler API, assemble(), Keystone.

The same 20-instruction mix (typical JIT code: frame setup, loads/stores,
add/sub/cmp with immediates and registers, moves, branches to labels,
conditional select, shifts, calls) is emitted through

  1. the Assembler API with Mem operands built at each call (``mem(x1, 8)``),
  2. the Assembler API with Mem operands built once (as a code generator that
     caches its stack-slot operands would),
  3. armjit.emit.assemble() on the equivalent text,
  4. Keystone's ks.asm on the same text,

and the rates are printed with their ratios.  Run:
    python bench/emit_throughput.py [repetitions]
"""

from __future__ import annotations

import sys
import time

import keystone

from armjit.emit import (Assembler, Cond, Shift, assemble, mem, post, pre, sp, w0, w1,
                         x0, x1, x2, x3, x19, x20, x29, x30)

MIX_TEXT = """\
stp x29, x30, [sp, #-16]!
mov x29, sp
ldr x0, [x1, #8]
add x2, x0, #16
str x2, [x1, #8]
sub x3, x2, x0
cmp x3, #4095
b.ne L{n}
add x0, x0, x1, lsl #3
mov x19, x0
ldr w1, [x0, #4]
cbz w1, L{n}
orr x20, x19, x3
csel x0, x19, x20, lt
lsl x2, x0, #3
L{n}:
mov x0, #4096
bl L{n}
str x0, [sp, #24]
ldp x29, x30, [sp], #16
ret
"""
MIX_LEN = 20


def api_block(a, fresh_mem):
    L = a.new_label()
    a.stp(x29, x30, pre(sp, -16))
    a.mov(x29, sp)
    a.ldr(x0, mem(x1, 8))
    a.add(x2, x0, 16)
    a.str(x2, mem(x1, 8))
    a.sub(x3, x2, x0)
    a.cmp(x3, 4095)
    a.b_ne(L)
    a.add(x0, x0, x1, Shift.LSL, 3)
    a.mov(x19, x0)
    a.ldr(w1, mem(x0, 4))
    a.cbz(w1, L)
    a.orr(x20, x19, x3)
    a.csel(x0, x19, x20, Cond.LT)
    a.lsl(x2, x0, 3)
    a.bind(L)
    a.mov(x0, 4096)
    a.bl(L)
    a.str(x0, mem(sp, 24))
    a.ldp(x29, x30, post(sp, 16))
    a.ret()


_M = dict(pre=pre(sp, -16), m18=mem(x1, 8), m04=mem(x0, 4), s24=mem(sp, 24),
          post=post(sp, 16))


def api_block_cached(a, M=_M):
    L = a.new_label()
    a.stp(x29, x30, M["pre"])
    a.mov(x29, sp)
    a.ldr(x0, M["m18"])
    a.add(x2, x0, 16)
    a.str(x2, M["m18"])
    a.sub(x3, x2, x0)
    a.cmp(x3, 4095)
    a.b_ne(L)
    a.add(x0, x0, x1, Shift.LSL, 3)
    a.mov(x19, x0)
    a.ldr(w1, M["m04"])
    a.cbz(w1, L)
    a.orr(x20, x19, x3)
    a.csel(x0, x19, x20, Cond.LT)
    a.lsl(x2, x0, 3)
    a.bind(L)
    a.mov(x0, 4096)
    a.bl(L)
    a.str(x0, M["s24"])
    a.ldp(x29, x30, M["post"])
    a.ret()


def best_of(fn, tries=3):
    best = None
    for _ in range(tries):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    return best, out


def main(reps: int = 5000) -> None:
    n_instr = reps * MIX_LEN

    def run_api():
        a = Assembler()
        for _ in range(reps):
            api_block(a, True)
        return a.finalize().code

    def run_api_cached():
        a = Assembler()
        for _ in range(reps):
            api_block_cached(a)
        return a.finalize().code

    text = "".join(MIX_TEXT.format(n=i) for i in range(reps))

    def run_text():
        return assemble(text)

    ks = keystone.Ks(keystone.KS_ARCH_ARM64, keystone.KS_MODE_LITTLE_ENDIAN)
    ks_reps = max(1, reps // 10)       # Keystone is slow; a tenth of the text
    ks_text = "".join(MIX_TEXT.format(n=i) for i in range(ks_reps))

    def run_ks():
        enc, _ = ks.asm(ks_text, 0)
        return bytes(enc)

    t_api, c1 = best_of(run_api)
    t_apic, c2 = best_of(run_api_cached)
    t_txt, c3 = best_of(run_text)
    t_ks, c4 = best_of(run_ks)
    assert c1 == c2 == c3, "API and text disagree"
    assert c4 == c3[:len(c4)], "Keystone disagrees with assemble()"
    r_api = n_instr / t_api
    r_apic = n_instr / t_apic
    r_txt = n_instr / t_txt
    r_ks = ks_reps * MIX_LEN / t_ks
    print(f"python {sys.version.split()[0]}, {n_instr} instructions "
          f"({reps} x {MIX_LEN}-instruction mix incl. labels/fixups/finalize); "
          f"Keystone on {ks_reps * MIX_LEN}")
    print(f"Assembler API (Mem built per call): {r_api:12,.0f} instr/s  "
          f"= {r_api / r_ks:6.1f}x Keystone")
    print(f"Assembler API (Mem operands cached):{r_apic:12,.0f} instr/s  "
          f"= {r_apic / r_ks:6.1f}x Keystone")
    print(f"assemble() text:                    {r_txt:12,.0f} instr/s  "
          f"= {r_txt / r_ks:6.1f}x Keystone")
    print(f"Keystone ks.asm:                    {r_ks:12,.0f} instr/s")
    print("identical bytes from all four: yes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
