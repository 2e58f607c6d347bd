"""The three independent oracles for A64 encodings, shared by the emit tests.

* Capstone: decode a word to (mnemonic, op_str).
* Keystone and GNU as (binutils-aarch64-linux-gnu): encode text to words.
* Unicorn: execute words from a given register/memory state.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

import capstone
import keystone
import unicorn
from unicorn import arm64_const as uc_arm64

# ---------------------------------------------------------------- LLVM MC data

LLVM_CONFORMANCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "data", "llvm-basic-a64.jsonl")


def llvm_conformance_records() -> List[dict]:
    """The (text, hex) pairs of tests/data/llvm-basic-a64.jsonl."""
    import json
    with open(LLVM_CONFORMANCE) as f:
        return [json.loads(line) for line in f]


def check_llvm_conformance(adapter, select=None):
    """Run every conformance pair through ``adapter(text)``.

    ``adapter`` returns None (not this family), ``"refuse"`` (a form the family
    refuses on purpose) or a zero-argument callable giving the word.  Every word
    produced must equal LLVM's; EncodingError counts as a refusal.  Returns
    (mapped, refused texts)."""
    from armjit.emit import EncodingError
    mapped, refused = 0, []
    for rec in llvm_conformance_records():
        if select is not None and not select(rec["text"]):
            continue
        call = adapter(rec["text"])
        if call is None:
            continue
        if call == "refuse":
            refused.append(rec["text"])
            continue
        expect = int.from_bytes(bytes.fromhex(rec["hex"]), "little")
        try:
            got = call()
        except EncodingError:
            refused.append(rec["text"])
            continue
        assert got == expect, (rec["text"], hex(got), hex(expect))
        mapped += 1
    return mapped, refused


# ---------------------------------------------------------------- Capstone

_cs = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)


def decode(word: int, address: int = 0) -> Optional[str]:
    """Capstone's text for one word ("mnemonic op_str"), or None if invalid."""
    insns = list(_cs.disasm_lite(struct.pack("<I", word), address))
    if not insns:
        return None
    _, _, mnemonic, op_str = insns[0]
    return f"{mnemonic} {op_str}".strip()


def disasm(code: bytes, address: int = 0) -> List[str]:
    return [f"{m} {o}".strip() for _, _, m, o in _cs.disasm_lite(code, address)]


# ---------------------------------------------------------------- Keystone

_ks = keystone.Ks(keystone.KS_ARCH_ARM64, keystone.KS_MODE_LITTLE_ENDIAN)


def ks_words(text: str, address: int = 0) -> Optional[List[int]]:
    """Keystone's words for ``text``, or None if Keystone rejects it."""
    try:
        enc, _ = _ks.asm(text, address)
    except keystone.KsError:
        return None
    if not enc:
        return None
    data = bytes(enc)
    return list(struct.unpack(f"<{len(data) // 4}I", data))


# ---------------------------------------------------------------- GNU as

GAS = shutil.which("aarch64-linux-gnu-as")
OBJCOPY = shutil.which("aarch64-linux-gnu-objcopy")


def gas_available() -> bool:
    return GAS is not None and OBJCOPY is not None


def gas_words_each(lines: Sequence[str], march: str = "armv8.2-a") -> List[Optional[int]]:
    """Assemble many one-instruction lines with GNU as in one process.

    Returns one word per line, None where GNU as rejected the line. Lines are
    assembled in one batch; a rejected line is found from as's error output
    and the batch is re-run without it.
    """
    if not gas_available():
        raise RuntimeError("binutils-aarch64-linux-gnu is not installed")
    result: List[Optional[int]] = [None] * len(lines)
    pending = list(range(len(lines)))
    with tempfile.TemporaryDirectory() as tmp:
        src, obj, raw = (os.path.join(tmp, n) for n in ("a.s", "a.o", "a.bin"))
        while pending:
            with open(src, "w") as f:
                f.write(".text\n")
                for i in pending:
                    f.write(lines[i] + "\n")
            p = subprocess.run([GAS, f"-march={march}", "-o", obj, src],
                               capture_output=True, text=True)
            if p.returncode != 0:
                bad = set()
                for err in p.stderr.splitlines():
                    # "a.s:LINE: Error: ..."
                    parts = err.split(":")
                    if len(parts) > 2 and "Error" in err:
                        try:
                            bad.add(int(parts[1]) - 2)
                        except ValueError:
                            pass
                if not bad:
                    raise RuntimeError(p.stderr)
                pending = [i for k, i in enumerate(pending) if k not in bad]
                continue
            subprocess.run([OBJCOPY, "-O", "binary", "-j", ".text", obj, raw], check=True)
            data = open(raw, "rb").read()
            words = struct.unpack(f"<{len(data) // 4}I", data)
            if len(words) != len(pending):
                raise RuntimeError("GNU as produced a different number of words "
                                   f"({len(words)}) than lines ({len(pending)})")
            for i, w in zip(pending, words):
                result[i] = w
            break
    return result


# ---------------------------------------------------------------- Unicorn

CODE_BASE = 0x10000
DATA_BASE = 0x100000
DATA_SIZE = 0x10000
STACK_TOP = 0x80000

_X = [getattr(uc_arm64, f"UC_ARM64_REG_X{i}") for i in range(29)] + [
    uc_arm64.UC_ARM64_REG_X29, uc_arm64.UC_ARM64_REG_X30]
_D = [getattr(uc_arm64, f"UC_ARM64_REG_D{i}") for i in range(32)]


@dataclass
class MachineState:
    x: List[int] = field(default_factory=lambda: [0] * 31)
    sp: int = STACK_TOP
    nzcv: int = 0          # the four flags in bits 31..28, as in the NZCV register
    d: List[int] = field(default_factory=lambda: [0] * 32)  # raw 64-bit patterns
    pc: int = 0
    memory: bytes = b""    # contents of [DATA_BASE, DATA_BASE + DATA_SIZE)


def run(words: Iterable[int], state: Optional[MachineState] = None,
        memory: Optional[bytes] = None, max_insns: int = 10_000) -> MachineState:
    """Execute ``words`` at CODE_BASE from ``state``; return the final state.

    Execution stops when the PC reaches the end of the code. The data window
    at DATA_BASE is zero-filled unless ``memory`` gives its contents; a stack
    of 64 KiB lies below STACK_TOP.
    """
    words = list(words)
    state = state or MachineState()
    uc = unicorn.Uc(unicorn.UC_ARCH_ARM64, unicorn.UC_MODE_ARM)
    uc.ctl_set_cpu_model(uc_arm64.UC_CPU_ARM64_MAX)
    code = struct.pack(f"<{len(words)}I", *words)
    uc.mem_map(CODE_BASE, 0x10000)
    uc.mem_write(CODE_BASE, code)
    uc.mem_map(DATA_BASE, DATA_SIZE)
    if memory:
        uc.mem_write(DATA_BASE, memory[:DATA_SIZE])
    uc.mem_map(STACK_TOP - 0x10000, 0x20000)
    # FP/SIMD access must be enabled (CPACR_EL1.FPEN = 0b11).
    uc.reg_write(uc_arm64.UC_ARM64_REG_CPACR_EL1, 3 << 20)
    for i, v in enumerate(state.x):
        uc.reg_write(_X[i], v & (2**64 - 1))
    uc.reg_write(uc_arm64.UC_ARM64_REG_SP, state.sp)
    uc.reg_write(uc_arm64.UC_ARM64_REG_NZCV, state.nzcv)
    for i, v in enumerate(state.d):
        uc.reg_write(_D[i], v & (2**64 - 1))
    end = CODE_BASE + len(code)
    uc.emu_start(CODE_BASE, end, count=max_insns)
    out = MachineState(
        x=[uc.reg_read(r) for r in _X],
        sp=uc.reg_read(uc_arm64.UC_ARM64_REG_SP),
        nzcv=uc.reg_read(uc_arm64.UC_ARM64_REG_NZCV) & 0xF0000000,
        d=[uc.reg_read(r) for r in _D],
        pc=uc.reg_read(uc_arm64.UC_ARM64_REG_PC),
        memory=bytes(uc.mem_read(DATA_BASE, DATA_SIZE)),
    )
    return out


def nzcv(n: int, z: int, c: int, v: int) -> int:
    return (n << 31) | (z << 30) | (c << 29) | (v << 28)
