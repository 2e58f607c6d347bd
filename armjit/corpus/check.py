"""``python -m armjit.corpus check DIR``: compile every function of a corpus
directory with armjit and print ONE summary line::

    armjit.corpus check DIR: 105/105 lowered, 105/105 Unicorn-equivalent to asmjit,
    size 0.960x asmjit (N/M bytes), emission 1.23 s / CinderX compile 31.4 s = 0.039x

* lowered: ``armjit.codegen.function.compile_dump`` succeeded (parse, frame,
  every LIR instruction lowered, assembled);
* Unicorn-equivalent: ``armjit.verify.equiv.prove`` over ``SEEDS`` worlds with
  landmark offset maps (skipped with ``--no-equiv``, or when Unicorn is not
  importable, e.g. on the aarch64 target);
* size: armjit code bytes / asmjit.bin bytes over the lowered functions;
* emission: armjit's ``compile_function`` time (frame layout, lowering,
  assembly; not LIR parsing) summed, against meta.json's ``compile_time_ns``
  (CinderX's force_compile wall time, measured under qemu-user when collected).

Exit status 1 when any function fails to lower (each is named on stderr, with
the reason); functions that lower but are not equivalent are named on stderr
too but do not change the status.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

SEEDS = tuple(range(7))
MAX_INSNS = 10_000


def _functions(root: Path):
    from armjit.corpus.dev import function_dirs
    return list(function_dirs(root))


def check(dirpath, *, equiv: bool = True, out=None, err=None) -> int:
    """Check every function directory under ``dirpath``; print the summary line
    to ``out`` and failures to ``err``; return the exit status."""
    from armjit.codegen.function import compile_dump
    out = out or sys.stdout
    err = err or sys.stderr
    root = Path(dirpath)
    if not root.is_dir():
        print(f"armjit.corpus check: {root}: "
              f"{'not a directory' if root.exists() else 'no such directory'}", file=err)
        return 2
    dirs = _functions(root)
    if not dirs:
        print(f"armjit.corpus check: no function directories (*/*/meta.json) under {root}", file=err)
        return 2
    prove = offset_map = None
    if equiv:
        try:
            from armjit.verify.equiv import prove
            from armjit.verify.landmarks import offset_map
        except ImportError as e:          # no unicorn/capstone (the aarch64 target)
            print(f"armjit.corpus check: equivalence skipped ({e})", file=err)
            equiv = False
    lowered = equivalent = 0
    ours = theirs = 0
    emit_ns = cinder_ns = 0
    failed = []
    for d in dirs:
        name = f"{d.parent.name}/{d.name}" if d.parent != root else d.name
        try:
            meta = json.loads((d / "meta.json").read_text())
            fullname = meta.get("fullname", name) if isinstance(meta, dict) else name
        except (OSError, ValueError):
            meta, fullname = {}, name       # compile_dump says what is wrong with it
        try:
            cf = compile_dump(d)
        except Exception as e:            # noqa: BLE001 - every failure is reported by name
            failed.append(name)
            msg = " ".join(f"{type(e).__name__}: {e}".split())
            print(f"NOT LOWERED {fullname} ({name}): {msg}", file=err)
            continue
        lowered += 1
        ours += len(cf.code)
        theirs += len((d / "asmjit.bin").read_bytes())
        emit_ns += cf.lower_ns
        cinder_ns += meta.get("compile_time_ns") or 0
        if equiv:
            v = prove(d, cf.code, cf.address, cf.vectorcall_entry, SEEDS, max_insns=MAX_INSNS,
                      armjit_offsets=offset_map(cf, d))
            if v.equivalent:
                equivalent += 1
            else:
                print(f"NOT EQUIVALENT {fullname} ({name}): {v.reason}", file=err)
    n = len(dirs)
    eq = f"{equivalent}/{n} Unicorn-equivalent to asmjit" if equiv else "equivalence not checked"
    size = f"size {ours / theirs:.3f}x asmjit ({ours}/{theirs} bytes)" if theirs else "size n/a"
    t = (f"emission {emit_ns / 1e9:.3f} s / CinderX compile {cinder_ns / 1e9:.3f} s = "
         f"{emit_ns / cinder_ns:.4f}x" if cinder_ns else f"emission {emit_ns / 1e9:.3f} s")
    print(f"armjit.corpus check {root}: {lowered}/{n} lowered, {eq}, {size}, {t}", file=out)
    return 1 if failed else 0


def main(argv: Optional[list] = None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m armjit.corpus check")
    p.add_argument("dir")
    p.add_argument("--no-equiv", action="store_true")
    ns = p.parse_args(argv)
    return check(ns.dir, equiv=not ns.no_equiv)
