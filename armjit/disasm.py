"""``python -m armjit.disasm (DIR | module:qualname) [--diff] [--out DIR]``:
armjit's code for a function as an annotated Capstone listing (asmjit's dump
format: a section title, then ``  0x<address>:  <instruction>`` lines).
``--diff`` prints each section beside asmjit's listing of the same section
from the dump (asmjit.asm), aligned by instruction text.

DIR is a corpus function directory (postalloc.lir, meta.json, asmjit.asm).
``module:qualname`` compiles the function under CinderX on the aarch64 target
first: ``python -m armjit.corpus collect --modules module --out TMP`` (the
whole module is collected; the qualname's directory is selected), then armjit
lowers its post-alloc LIR on the host.  ``--out`` keeps the collected corpus.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import List, Tuple

import capstone

from armjit.cinderxlog import asmjit_sections
from armjit.codegen.function import compile_dump

__all__ = ["listing", "sections", "diff", "main"]

_md = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)


def _decode(code: bytes, address: int, start: int, end: int) -> List[str]:
    out = []
    off = start
    while off < end:
        word = code[off:off + 4]
        ins = list(_md.disasm(word, address + off)) if len(word) == 4 else []
        if ins:
            out.append(f"  {address + off:#016x}:        {ins[0].mnemonic} {ins[0].op_str}".rstrip())
        else:
            out.append(f"  {address + off:#016x}:        .word {int.from_bytes(word, 'little'):#010x}")
        off += 4
    return out


def sections(cf) -> List[Tuple[str, List[str]]]:
    """(title, instruction lines) covering armjit's whole code in order;
    bytes outside every annotation are listed under ``--unassigned--``."""
    anns = sorted(cf.annotations, key=lambda a: (a.start, a.end))   # innermost first
    out = []
    pos = 0
    for a in anns:
        if a.end <= pos or a.end <= a.start:
            continue
        if a.start < pos:
            a = type(a)(pos, a.end, a.text)
        if a.start > pos:
            out.append(("--unassigned--", _decode(cf.code, cf.address, pos, a.start)))
        out.append((a.text, _decode(cf.code, cf.address, a.start, a.end)))
        pos = a.end
    if pos < len(cf.code):
        out.append(("--unassigned--", _decode(cf.code, cf.address, pos, len(cf.code))))
    return out


def listing(cf) -> str:
    lines = [f"armjit code for {cf.name} at {cf.address:#x} ({len(cf.code)} bytes)"]
    for title, body in sections(cf):
        lines.append("")
        lines.append(title)
        lines.extend(body)
    return "\n".join(lines) + "\n"


def _norm(line: str) -> str:
    body = line.split(":", 1)[-1].strip()
    return re.sub(r"#0x[0-9a-f]{9,}", "#ADDR", body)


def diff(cf, asm_text: str) -> str:
    """armjit's sections, each instruction beside the asmjit instruction it is
    aligned with (difflib over the instruction texts, code addresses masked);
    ``|`` marks a difference, ``<``/``>`` an instruction only one side has."""
    import difflib
    ours = sections(cf)
    mine = [(t, l) for t, body in ours for l in body]
    theirs = [l for _, body in asmjit_sections(asm_text) for l in body]
    sm = difflib.SequenceMatcher(None, [_norm(l) for _, l in mine], [_norm(l) for l in theirs],
                                 autojunk=False)
    pairs = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        n = max(i2 - i1, j2 - j1)
        for k in range(n):
            i = i1 + k if i1 + k < i2 else None
            j = j1 + k if j1 + k < j2 else None
            mark = " " if op == "equal" else ("|" if i is not None and j is not None
                                             else ("<" if j is None else ">"))
            pairs.append((i, j, mark))
    lines, title, width = [], None, 56
    last_title = None
    for i, j, mark in pairs:
        t = mine[i][0] if i is not None else last_title
        if t != title:
            lines.append("")
            lines.append(f"== {t}")
            title = t
        last_title = t
        a = mine[i][1].strip() if i is not None else ""
        b = theirs[j].strip() if j is not None else ""
        lines.append(f"{a:<{width}} {mark} {b}")
    return "\n".join(lines) + "\n"


def collect_function(spec: str, out_dir: str) -> Path:
    """Collect ``module:qualname`` under the target into ``out_dir`` (``python -m
    armjit.corpus collect``) and return its function directory; raises
    LookupError (with CinderX's refusal reason when there is one)."""
    import json
    import subprocess
    from armjit.corpus._collect import safe_name
    module, _, qualname = spec.partition(":")
    if not module or not qualname:
        raise LookupError(f"{spec!r} is not module:qualname")
    p = subprocess.run([sys.executable, "-m", "armjit.corpus", "collect", "--modules", module,
                        "--out", out_dir, "--quiet"], capture_output=True, text=True)
    d = Path(out_dir) / module / safe_name(qualname)
    if (d / "meta.json").is_file():
        return d
    why = ""
    try:
        for r in json.loads((Path(out_dir) / "refused.json").read_text()):
            if r.get("module") == module and r.get("qualname") in (qualname, None):
                why = f": {r.get('reason')}"
    except (OSError, ValueError):
        pass
    tail = (p.stderr.strip().splitlines() or [""])[-1]
    raise LookupError(f"{spec} was not collected{why or ' (' + tail + ')'}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m armjit.disasm", description=__doc__.splitlines()[0])
    p.add_argument("dir", help="a corpus function directory (postalloc.lir, meta.json, asmjit.asm), "
                               "or module:qualname to compile under CinderX on the target first")
    p.add_argument("--diff", action="store_true", help="show asmjit's listing beside armjit's")
    p.add_argument("--address", type=lambda s: int(s, 0), default=None)
    p.add_argument("--out", default=None, help="with module:qualname: keep the collected corpus here")
    args = p.parse_args(argv)
    import shutil
    import tempfile
    tmp = None
    d = Path(args.dir)
    try:
        if not d.is_dir() and ":" in args.dir:
            out = args.out or tempfile.mkdtemp(prefix="armjit-disasm-")
            tmp = None if args.out else out
            try:
                d = collect_function(args.dir, out)
            except LookupError as e:
                print(f"armjit.disasm: {e}", file=sys.stderr)
                return 1
        cf = compile_dump(d, args.address)
        if args.diff:
            sys.stdout.write(diff(cf, (d / "asmjit.asm").read_text()))
        else:
            sys.stdout.write(listing(cf))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
