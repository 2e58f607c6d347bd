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
    if why:
        raise LookupError(f"{spec} was not collected{why}")
    raise LookupError(f"{spec} was not collected: {_collected(Path(out_dir), module, p)}")


def _collected(out: Path, module: str, p) -> str:
    """What the collector did collect of ``module`` (for a qualname it did not)."""
    import json
    names = []
    for m in sorted((out / module).glob("*/meta.json")):
        try:
            names.append(json.loads(m.read_text())["qualname"])
        except (OSError, ValueError, KeyError, TypeError):
            names.append(m.parent.name)
    if names:
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        return f"module {module} has no such function compiled by CinderX (collected " \
               f"{len(names)}: {shown})"
    tail = " ".join((p.stderr.strip().splitlines() or [""])[-1].split())
    why = f" (exit {p.returncode}{': ' + tail if tail else ''})" if p.returncode else ""
    return f"the corpus is empty: CinderX compiled no function of module {module}{why}"


def _address(text: str) -> int:
    """``--address`` (decimal or 0x...): a multiple of 4 in [0, 2**48)."""
    from armjit.codegen.meta import address_problem
    try:
        v = int(text, 0)
    except ValueError:
        raise ValueError(f"--address {text!r} is not an integer (decimal or 0x...)") from None
    msg = address_problem(v, what="--address")
    if msg:
        raise ValueError(msg)
    return v


def main(argv=None) -> int:
    """Exit status: 0 listed; 1 CinderX did not compile ``module:qualname``;
    2 bad usage or input (one line on stderr: a missing or bad directory,
    LIR armjit refuses, a bad --address); 141 the reader of stdout went away."""
    from armjit.cli import Parser, describe, fail, write_stdout
    from armjit.errors import ArmjitError
    prog = "armjit.disasm"
    p = Parser(prog="python -m armjit.disasm", description=__doc__.splitlines()[0])
    p.add_argument("dir", help="a corpus function directory (postalloc.lir, meta.json, asmjit.asm), "
                               "or module:qualname to compile under CinderX on the target first")
    p.add_argument("--diff", action="store_true", help="show asmjit's listing beside armjit's")
    p.add_argument("--address", default=None,
                   help="assemble for this address (a multiple of 4 in [0, 2**48); default: "
                        "where asmjit's code lived)")
    p.add_argument("--out", default=None, help="with module:qualname: keep the collected corpus here")
    args = p.parse_args(argv)
    import shutil
    import tempfile
    try:
        address = None if args.address is None else _address(args.address)
    except ValueError as e:
        return fail(prog, e)
    tmp = None
    d = Path(args.dir)
    try:
        if not d.exists() and ":" in args.dir:
            if args.out is not None:
                out = args.out
                try:
                    Path(out).mkdir(parents=True, exist_ok=True)
                except OSError as e:
                    return fail(prog, f"--out {out}: cannot create the directory "
                                      f"({e.strerror or e})")
            else:
                out = tmp = tempfile.mkdtemp(prefix="armjit-disasm-")
            try:
                d = collect_function(args.dir, out)
            except LookupError as e:
                return fail(prog, e, 1)
        try:
            cf = compile_dump(d, address)
        except ArmjitError as e:
            return fail(prog, describe(e, d))
        text = diff(cf, (d / "asmjit.asm").read_text()) if args.diff else listing(cf)
        return write_stdout(text)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
