"""python -m armjit.corpus collect --modules m1,m2 --out DIR
python -m armjit.corpus check DIR [--no-equiv]   (armjit.corpus.check)

Runs the collector (``armjit.corpus._collect``) under the aarch64 target with
CinderX's LIR and asm dumps on, restarts it past any function whose compile
crashes the process, merges the refusals into ``DIR/refused.json`` and prints a
one-line summary.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import sys
import tempfile
import time

from armjit import target

MAX_RESTARTS = 20


def _last_started(out_dir: str):
    """The function the collector had started but not finished, if any."""
    try:
        lines = open(os.path.join(out_dir, ".progress")).read().splitlines()
    except OSError:
        return None
    started = None
    for line in lines:
        kind, _, name = line.partition(" ")
        if kind == "start":
            started = name
        elif kind == "done" and name == started:
            started = None
    return started


def collect(modules, out_dir: str, quiet: bool = False) -> int:
    if not target.ready():
        target.setup()
    os.makedirs(out_dir, exist_ok=True)
    for stale in (".progress", "refused.json"):
        if os.path.exists(os.path.join(out_dir, stale)):
            os.remove(os.path.join(out_dir, stale))
    for stale in glob.glob(os.path.join(out_dir, ".refused-*.json")) + \
            glob.glob(os.path.join(out_dir, ".counts-*.json")):
        os.remove(stale)
    logdir = tempfile.mkdtemp(prefix="armjit-corpus-log-")
    skip, crashed, rc = [], [], 0
    t0 = time.time()
    try:
        for attempt in range(MAX_RESTARTS + 1):
            log = os.path.join(logdir, f"cinderx-{attempt}.log")
            open(log, "w").close()
            env = {"CINDERX_JIT_DUMP_LIR": "1", "CINDERX_JIT_DUMP_ASM": "1",
                   "CINDERX_JIT_LOG_FILE": log}
            p = target.run(["-m", "armjit.corpus._collect", "--modules", ",".join(modules),
                            "--out", os.path.abspath(out_dir), "--log", log,
                            "--skip", ",".join(skip)],
                           env=env, stderr=None if not quiet else open(os.devnull, "w"))
            rc = p.returncode
            if rc in (0, 1):
                break
            culprit = _last_started(out_dir)
            if culprit is None or culprit in skip:
                print(f"armjit.corpus: the collector failed (exit {rc}) outside any "
                      "function compile", file=sys.stderr)
                return 2
            print(f"armjit.corpus: compiling {culprit} killed the process (exit {rc}); "
                  "restarting past it", file=sys.stderr)
            crashed.append({"module": culprit.split(":")[0],
                            "qualname": culprit.split(":", 1)[1],
                            "reason": f"force_compile crashed the target process (exit {rc})"})
            skip.append(culprit)
        else:
            print("armjit.corpus: too many crashes, giving up", file=sys.stderr)
            return 2
    finally:
        shutil.rmtree(logdir, ignore_errors=True)

    refused = list(crashed)
    counts = {"compiled": 0, "bytes": 0}
    for path in glob.glob(os.path.join(out_dir, ".refused-*.json")):
        refused.extend(json.load(open(path)))
        os.remove(path)
    for path in glob.glob(os.path.join(out_dir, ".counts-*.json")):
        c = json.load(open(path))
        counts["compiled"] += c["compiled"]
        counts["bytes"] += c["bytes"]
        os.remove(path)
    with open(os.path.join(out_dir, "refused.json"), "w") as f:
        json.dump(refused, f, indent=1)
    os.remove(os.path.join(out_dir, ".progress")) if os.path.exists(
        os.path.join(out_dir, ".progress")) else None
    print(f"armjit.corpus: {counts['compiled']} functions compiled, {len(refused)} refused, "
          f"{counts['bytes']} bytes of asmjit code, in {time.time() - t0:.1f} s -> {out_dir}")
    return rc


def check_out_dir(out_dir: str) -> str:
    """Create ``out_dir`` (if needed) and prove it is a writable directory;
    return the reason it cannot be used, or "" when it can."""
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        return f"--out {out_dir}: exists and is not a directory"
    try:
        os.makedirs(out_dir, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".armjit-probe-", dir=out_dir)
        os.close(fd)
        os.remove(probe)
    except OSError as e:
        return f"--out {out_dir}: cannot write a directory there ({e.strerror or e})"
    return ""


def main(argv=None) -> int:
    from armjit.cli import Parser
    p = Parser(prog="python -m armjit.corpus")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect", help="compile module functions under CinderX on aarch64 "
                                       "and save their LIR, asm, bytes and metadata")
    c.add_argument("--modules", required=True, help="comma-separated module names")
    c.add_argument("--out", required=True, help="output directory")
    c.add_argument("--quiet", action="store_true", help="no per-function progress")
    k = sub.add_parser("check", help="compile every function of a corpus directory with armjit "
                                     "and print a one-line summary (lowered, equivalent, size, time)")
    k.add_argument("dir", help="corpus directory (module/qualname/meta.json ...)")
    k.add_argument("--no-equiv", action="store_true", help="skip the Unicorn equivalence check")
    ns = p.parse_args(argv)
    if ns.cmd == "check":
        from armjit.corpus.check import check
        return check(ns.dir, equiv=not ns.no_equiv)
    try:
        if ns.cmd == "collect":
            modules = [m.strip() for m in ns.modules.split(",") if m.strip()]
            if not modules:
                p.error("--modules names no module")
            why = check_out_dir(ns.out)
            if why:
                print(f"armjit.corpus: error: {why}", file=sys.stderr)
                return 2
            return collect(modules, ns.out, ns.quiet)
    except target.TargetError as e:
        print(f"armjit.corpus: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:            # the output directory went away or filled up
        print(f"armjit.corpus: error: {e.filename or ns.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
