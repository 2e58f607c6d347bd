"""The corpus collector's target half: runs under the aarch64 python3.14 + CinderX.

Started by ``python -m armjit.corpus collect`` with CinderX's LIR and asm dumps
sent to a log file (``CINDERX_JIT_DUMP_LIR/_ASM``, ``CINDERX_JIT_LOG_FILE``).
For every plain function and method defined in the named modules it calls
``cinderx.jit.force_compile``, then takes the log sections CinderX just wrote
for that function (the log is flushed after every message, ``Common/log.cpp``),
reads the function's code bytes from memory and writes one directory per
function.  Progress lines go to ``.progress`` so the host side can tell which
function a crash happened in.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import inspect
import json
import os
import sys
import time
import traceback

from armjit.cinderxlog import asm_address_range, split_sections
from armjit.runtime.funcmeta import function_meta, vectorcall_entry  # noqa: F401 (corpus API)

FILES = ("generation", "postgen", "legalized", "regalloc", "postalloc")


def functions_of(module):
    """(qualname, function) for each plain function and method the module defines."""
    seen = set()
    out = []

    def add(fn):
        fn = inspect.unwrap(fn) if hasattr(fn, "__wrapped__") else fn
        if not inspect.isfunction(fn) or fn.__module__ != module.__name__:
            return
        # One entry per code object: closures made by one factory share their
        # code, which CinderX compiles (and logs) once.
        if id(fn) in seen or id(fn.__code__) in seen:
            return
        seen.add(id(fn))
        seen.add(id(fn.__code__))
        out.append((fn.__qualname__, fn))

    for value in list(vars(module).values()):
        if inspect.isfunction(value):
            add(value)
        elif inspect.isclass(value) and value.__module__ == module.__name__:
            for attr in list(vars(value).values()):
                if isinstance(attr, (staticmethod, classmethod)):
                    add(attr.__func__)
                elif isinstance(attr, property):
                    for acc in (attr.fget, attr.fset, attr.fdel):
                        if acc is not None:
                            add(acc)
                else:
                    add(attr)
    out.sort(key=lambda p: p[0])
    return out


class LogReader:
    def __init__(self, path):
        self.path = path
        self.offset = 0

    def new_sections(self):
        with open(self.path, "r", errors="replace") as f:
            f.seek(self.offset)
            text = f.read()
            self.offset = f.tell()
        return list(split_sections(text))


def write_function_dir(fdir: str, jit, fn, mine: dict, trampoline, **extra) -> dict:
    """Write one compiled function's files into ``fdir`` and return its meta.

    ``mine`` maps (kind, stage) to the function's log sections: every LIR stage
    present becomes ``<stage>.lir`` (CinderX's header line, then the body as
    logged), the listing ``asmjit.asm``; ``asmjit.bin`` is the code read from
    memory at the listing's first address; ``meta.json`` holds what the code
    generator needs (:func:`function_meta`, plus ``extra``).
    """
    asm = mine[("asm", None)]
    start, _ = asm_address_range(asm.text)
    size = jit.get_compiled_size(fn)
    os.makedirs(fdir, exist_ok=True)
    for st in FILES:
        if ("lir", st) in mine:
            with open(os.path.join(fdir, f"{st}.lir"), "w") as f:
                f.write(mine[("lir", st)].header + "\n" + mine[("lir", st)].text)
    with open(os.path.join(fdir, "asmjit.asm"), "w") as f:
        f.write(asm.header + "\n" + asm.text)
    with open(os.path.join(fdir, "asmjit.bin"), "wb") as f:
        f.write(ctypes.string_at(start, size))
    meta = {**function_meta(jit, fn, start, size, trampoline), **extra}
    with open(os.path.join(fdir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    return meta


def safe_name(qualname: str) -> str:
    return qualname.replace("/", "_")


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--modules", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--skip", default="", help="MODULE:QUALNAME,... not to compile")
    ns = p.parse_args(argv)

    import cinderx.jit as jit
    if not jit.is_available():
        print("armjit.corpus: CinderX's JIT is not available on the target", file=sys.stderr)
        return 3

    out_dir = ns.out
    skip = set(filter(None, ns.skip.split(",")))
    progress = open(os.path.join(out_dir, ".progress"), "a", buffering=1)
    reader = LogReader(ns.log)
    refused = []
    done = total = nbytes = 0
    trampoline = None
    import_failures = 0

    modules = [m for m in ns.modules.split(",") if m]
    plan = []
    for modname in modules:
        try:
            module = importlib.import_module(modname)
        except BaseException as e:  # a module's import can raise anything
            import_failures += 1
            refused.append({"module": modname, "qualname": None,
                            "reason": f"import failed: {type(e).__name__}: {e}"})
            print(f"armjit.corpus: module {modname}: import failed: "
                  f"{type(e).__name__}: {e}", file=sys.stderr)
            continue
        plan.extend((modname, q, fn) for q, fn in functions_of(module))

    for i, (modname, qualname, fn) in enumerate(plan, 1):
        fullname = f"{modname}:{qualname}"
        if fullname in skip:
            continue
        total += 1
        print(f"[{i}/{len(plan)}] {fullname}", file=sys.stderr, flush=True)
        progress.write(f"start {fullname}\n")
        t0 = time.perf_counter_ns()
        try:
            ok = jit.force_compile(fn)
        except Exception as e:
            ok = False
            reason = f"force_compile raised {type(e).__name__}: {e}"
        else:
            reason = "force_compile returned False"
        compile_ns = time.perf_counter_ns() - t0
        sections = reader.new_sections()
        for s in sections:
            if s.kind == "asm" and s.name == "deopt_trampoline":
                # Printed once per process.  A collection restarted after a
                # crash gets a new trampoline: each meta.json names its own,
                # and DIR/ keeps the first one's bytes and listing.
                first, last = asm_address_range(s.text)
                trampoline = first
                if os.path.exists(os.path.join(out_dir, "deopt_trampoline.json")):
                    continue
                with open(os.path.join(out_dir, "deopt_trampoline.asm"), "w") as f:
                    f.write(s.text)
                with open(os.path.join(out_dir, "deopt_trampoline.bin"), "wb") as f:
                    f.write(ctypes.string_at(first, last + 4 - first))
                with open(os.path.join(out_dir, "deopt_trampoline.json"), "w") as f:
                    json.dump({"address": first, "size": last + 4 - first}, f)
        mine = {(s.kind, s.stage): s for s in sections if s.name == fullname}
        if not ok or not jit.is_jit_compiled(fn):
            refused.append({"module": modname, "qualname": qualname, "reason": reason})
            progress.write(f"done {fullname}\n")
            continue
        missing = [st for st in FILES if ("lir", st) not in mine]
        if ("asm", None) not in mine:
            missing.append("asm")
        if missing:
            refused.append({"module": modname, "qualname": qualname,
                            "reason": f"compiled, but the log lacks {missing}"})
            progress.write(f"done {fullname}\n")
            continue
        fdir = os.path.join(out_dir, modname, safe_name(qualname))
        meta = write_function_dir(
            fdir, jit, fn, mine, trampoline,
            compile_time_ns=compile_ns,
            compile_time_note="wall time of force_compile under qemu-user",
            cinderx_compile_time_ms=jit.get_function_compilation_time(fn),
            python=sys.version.split()[0])
        size = meta["compiled_size"]
        done += 1
        nbytes += size
        progress.write(f"done {fullname}\n")

    with open(os.path.join(out_dir, f".refused-{os.getpid()}.json"), "w") as f:
        json.dump(refused, f, indent=1)
    with open(os.path.join(out_dir, f".counts-{os.getpid()}.json"), "w") as f:
        json.dump({"compiled": done, "attempted": total, "bytes": nbytes}, f)
    return 1 if import_failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:
        traceback.print_exc()
        sys.exit(4)
