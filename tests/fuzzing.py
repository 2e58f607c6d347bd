"""Bad-input fuzzing: mutated corpus function directories through ``compile_dump``,
mutated text through ``armjit.lir.parse`` and ``armjit.emit.assemble``.

Every case must end in one of the documented outcomes -- success, or an
exception of the documented types (:data:`armjit.errors.ArmjitError` for
``compile_dump`` and ``parse``; ``AsmSyntaxError``/``EncodingError``/
``LabelError`` for ``assemble``) -- within a per-case time limit.  Anything
else (a TypeError, an IndexError, a hang) is a finding.

Used by tests/test_fuzz.py (a few hundred seeded cases in CI, a big opt-in
sweep) and by hand::

    .venv/bin/python -m tests.fuzzing --cases 9000 --seed 1
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, List, Tuple

FILES = ("postalloc.lir", "meta.json", "asmjit.asm", "asmjit.bin")

EXTREMES = ("0", "1", "-1", "-4", "2", "3", "7", "4095", "4096", "32767", "32768", "65535",
            "65536", str(2**31 - 1), str(2**31), str(2**32), str(2**48), str(2**63 - 1),
            str(2**63), str(2**64 - 1), str(2**64), str(10**30), "999999999999")
META_VALUES = (-1, -4, -(2**63), 0, 1, 3, 2**15, 2**16, 2**31, 2**32, 2**48, 2**63, 2**64,
               10**30, 1.5, "7", "", None, True, False, [], {}, [1])


class CaseTimeout(Exception):
    """A case ran past its time limit (a hang)."""


@contextmanager
def time_limit(seconds: float):
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield               # no SIGALRM here: Stats.record checks the time afterwards
        return

    def _raise(signum, frame):
        raise CaseTimeout(f"more than {seconds} s")
    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ----------------------------------------------------------------- text mutations

def _number_spans(text: str):
    import re
    return [m.span() for m in re.finditer(r"-?[0-9]+", text)]


def mutate_text(text: str, rng: random.Random) -> Tuple[str, str]:
    """One mutation of ``text``: (new text, what was done)."""
    lines = text.split("\n")
    kind = rng.choice(("delete", "duplicate", "swap", "flip", "number", "number", "token",
                       "truncate", "insert"))
    if kind in ("delete", "duplicate", "swap", "insert") and len(lines) > 1:
        i = rng.randrange(len(lines))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "insert":
            lines.insert(i, rng.choice(lines))
        else:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines), f"{kind} line {i + 1}"
    if kind == "number":
        spans = _number_spans(text)
        if spans:
            s, e = rng.choice(spans)
            v = rng.choice(EXTREMES)
            return text[:s] + v + text[e:], f"number at {s} -> {v}"
    if kind == "token":
        # drop one ", operand" or one word
        import re
        spans = [m.span() for m in re.finditer(r", [^,\n]+|\S+", text)]
        if spans:
            s, e = rng.choice(spans)
            return text[:s] + text[e:], f"drop {text[s:e]!r}"
    if kind == "truncate" and text:
        k = rng.randrange(len(text))
        return text[:k], f"truncate at {k}"
    if text:
        k = rng.randrange(len(text))
        c = rng.choice(" \n\t,:%[]()#=-+x0123456789abcdefXWDBS\x00\x85\u2028é")
        return text[:k] + c + text[k + 1:], f"flip {k} -> {c!r}"
    return text + "x", "append"


def mutate_meta(text: str, rng: random.Random) -> Tuple[str, str]:
    try:
        meta = json.loads(text)
    except ValueError:
        return mutate_text(text, rng)
    if not isinstance(meta, dict) or not meta:
        return mutate_text(text, rng)
    kind = rng.choice(("value", "value", "value", "missing", "text", "shape"))
    if kind == "text":
        return mutate_text(text, rng)
    if kind == "shape":
        v = rng.choice(([], "meta", 3, None, [meta]))
        return json.dumps(v), f"meta.json is {type(v).__name__}"
    key = rng.choice(sorted(meta))
    if kind == "missing":
        del meta[key]
        return json.dumps(meta), f"meta.json without {key}"
    v = rng.choice(META_VALUES)
    meta[key] = v
    return json.dumps(meta), f"meta.json {key}={v!r}"


def mutate_bin(data: bytes, rng: random.Random) -> Tuple[bytes, str]:
    kind = rng.choice(("truncate", "truncate", "flip", "empty", "extend"))
    if kind == "truncate" and data:
        k = rng.randrange(len(data))
        return data[:k], f"asmjit.bin truncated to {k}"
    if kind == "flip" and data:
        k = rng.randrange(len(data))
        return data[:k] + bytes([data[k] ^ (1 << rng.randrange(8))]) + data[k + 1:], f"asmjit.bin flip {k}"
    if kind == "extend":
        return data + bytes(rng.randrange(1, 64)), "asmjit.bin extended"
    return b"", "asmjit.bin empty"


def mutate_dir(src: Path, dst: Path, rng: random.Random) -> List[str]:
    """Copy the function directory ``src`` to ``dst`` with 1-3 mutations."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in FILES:
        shutil.copyfile(src / f, dst / f)
    what = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        target = rng.choices(("postalloc.lir", "meta.json", "asmjit.asm", "asmjit.bin",
                              "missing"), (10, 5, 3, 2, 1))[0]
        if target == "missing":
            f = rng.choice(FILES)
            p = dst / f
            if p.exists():
                p.unlink()
            what.append(f"{f} missing")
            continue
        p = dst / target
        if not p.exists():
            continue
        if target == "asmjit.bin":
            data, how = mutate_bin(p.read_bytes(), rng)
            p.write_bytes(data)
        else:
            text = p.read_text(encoding="utf-8", errors="surrogateescape")
            text, how = (mutate_meta if target == "meta.json" else mutate_text)(text, rng)
            p.write_text(text, encoding="utf-8", errors="surrogateescape")
            how = f"{target}: {how}"
        what.append(how)
    return what


# ----------------------------------------------------------------- runners

class Stats:
    def __init__(self):
        self.cases = 0
        self.outcomes: Counter = Counter()     # "ok" or exception type name
        self.findings: list = []               # (description, exception repr)
        self.max_time = 0.0
        self.slowest = ""
        self.total_time = 0.0

    def record(self, desc: str, fn: Callable[[], object], allowed: tuple, limit: float):
        self.cases += 1
        t0 = time.perf_counter()
        try:
            with time_limit(limit):
                fn()
            self.outcomes["ok"] += 1
        except allowed as e:
            self.outcomes[type(e).__name__] += 1
        except Exception as e:                              # noqa: BLE001 - the finding
            self.outcomes["FINDING " + type(e).__name__] += 1
            self.findings.append((desc, f"{type(e).__name__}: {e}"[:300]))
        dt = time.perf_counter() - t0
        if dt > limit and not (self.findings and self.findings[-1][0] == desc):
            self.outcomes["FINDING CaseTimeout"] += 1
            self.findings.append((desc, f"CaseTimeout: took {dt:.1f} s"))
        self.total_time += dt
        if dt > self.max_time:
            self.max_time, self.slowest = dt, desc

    def summary(self) -> str:
        outs = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        return (f"{self.cases} cases in {self.total_time:.1f} s (max {self.max_time:.2f} s: "
                f"{self.slowest}); {len(self.findings)} findings; outcomes: {outs}")


def _dump_allowed():
    from armjit.errors import ArmjitError
    return (ArmjitError,)


def fuzz_compile_dump(n: int, seed: int, dirs=None, limit: float = 10.0,
                      stats: Stats | None = None) -> Stats:
    from armjit.codegen.function import compile_dump
    from armjit.corpus.dev import function_dirs
    rng = random.Random(seed)
    dirs = list(dirs or function_dirs())
    stats = stats or Stats()
    allowed = _dump_allowed()
    with tempfile.TemporaryDirectory(prefix="armjit-fuzz-") as tmp:
        for k in range(n):
            src = rng.choice(dirs)
            dst = Path(tmp) / str(k)
            what = mutate_dir(src, dst, rng)
            desc = f"seed {seed} case {k}: {src.parent.name}/{src.name}: {'; '.join(what)}"
            stats.record(desc, lambda: compile_dump(dst), allowed, limit)
            shutil.rmtree(dst, ignore_errors=True)
    return stats


def fuzz_parse(n: int, seed: int, limit: float = 5.0, stats: Stats | None = None) -> Stats:
    from armjit.corpus.dev import function_dirs
    from armjit.lir import parse
    rng = random.Random(seed)
    dirs = list(function_dirs())
    stats = stats or Stats()
    allowed = _dump_allowed()
    for k in range(n):
        d = rng.choice(dirs)
        stage = rng.choice(("generation", "postgen", "legalized", "regalloc", "postalloc"))
        text = (d / f"{stage}.lir").read_text()
        what = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            text, how = mutate_text(text, rng)
            what.append(how)
        stats.record(f"seed {seed} case {k}: {d.name} {stage}: {'; '.join(what)}",
                     lambda: parse(text), allowed, limit)
    return stats


ASM_SEED = """\
start:
    stp x29, x30, [sp, #-16]!
    mov x29, sp
    add x0, x1, #0x10
    sub w2, w3, w4, lsl #3
    ldr x5, [x6, #8]
    str w7, [sp, #12]
    ldp x19, x20, [x29, #-32]
    movk x9, #0xbeef, lsl #16
    and x1, x2, #0xff00
    cmp w2, #4
    b.ne start
    cbz x3, done
    tbnz w4, #3, start
    bl 0x1000
    adr x28, done
    fadd d0, d1, d2
    csel x0, x1, x2, eq
    ldr x16, #8
    br x16
done:
    ldp x29, x30, [sp], #16
    ret
    .quad 0x123456789abcdef0
"""


def fuzz_assemble(n: int, seed: int, limit: float = 5.0, stats: Stats | None = None) -> Stats:
    from armjit.emit import assemble
    from armjit.emit.errors import AsmSyntaxError, EncodingError, LabelError
    rng = random.Random(seed)
    stats = stats or Stats()
    for k in range(n):
        text, what = ASM_SEED, []
        for _ in range(rng.choice((1, 1, 2, 3))):
            text, how = mutate_text(text, rng)
            what.append(how)
        stats.record(f"seed {seed} case {k}: {'; '.join(what)}", lambda: assemble(text, 0x10000),
                     (AsmSyntaxError, EncodingError, LabelError), limit)
    return stats


def main(argv=None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m tests.fuzzing")
    p.add_argument("--cases", type=int, default=1000, help="compile_dump cases")
    p.add_argument("--text-cases", type=int, default=None, help="parse and assemble cases each")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit", type=float, default=10.0, help="seconds per case")
    ns = p.parse_args(argv)
    st = fuzz_compile_dump(ns.cases, ns.seed, limit=ns.limit)
    print("compile_dump:", st.summary())
    tn = ns.cases if ns.text_cases is None else ns.text_cases
    sp = fuzz_parse(tn, ns.seed, limit=ns.limit)
    print("parse:", sp.summary())
    sa = fuzz_assemble(tn, ns.seed, limit=ns.limit)
    print("assemble:", sa.summary())
    for s in (st, sp, sa):
        for desc, err in s.findings[:50]:
            print("FINDING", desc, "->", err)
    return 1 if st.findings or sp.findings or sa.findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
